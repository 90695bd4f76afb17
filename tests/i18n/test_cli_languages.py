"""Every CLI message in the language chosen by --lang (else the locale): the diary, the free-text parser
and the errors of the core (an unknown finding in an answers file), in Chinese and in English."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crampcheck.cli.main import app
from crampcheck.errors import N_, AnswersFileError, Term, UnknownIdError
from crampcheck.i18n import translator
from crampcheck.settings import get_settings
from crampcheck.storage.db import close_all

# the machine's locale must not decide the language of a test that does not pass --lang
runner = CliRunner(env={"LC_ALL": "C.UTF-8", "COLUMNS": "150"})


@pytest.fixture
def empty_diary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRAMPCHECK_LOCAL_USER", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    close_all()
    get_settings.cache_clear()


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("args", [["diary", "list", "--lang", "zh"], ["diary", "--lang", "zh", "list"]])
def test_diary_list_in_chinese(empty_diary: Path, args: list[str]) -> None:
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "还没有抽筋记录" in r.output and "No cramps recorded yet" not in r.output


def test_diary_list_in_english(empty_diary: Path) -> None:
    r = runner.invoke(app, ["diary", "list", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "No cramps recorded yet" in r.output and not _has_cjk(r.output)


def test_diary_language_follows_the_locale(empty_diary: Path) -> None:
    r = runner.invoke(app, ["diary", "list"], env={"LC_ALL": "zh_CN.UTF-8"})
    assert r.exit_code == 0 and "还没有抽筋记录" in r.output
    # a command's own --lang wins over the group's
    r = runner.invoke(app, ["diary", "--lang", "zh", "list", "--lang", "en"])
    assert r.exit_code == 0 and "No cramps recorded yet" in r.output


def test_diary_stats_in_both_languages(empty_diary: Path) -> None:
    zh = runner.invoke(app, ["diary", "stats", "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    assert "已记录 0 次抽筋" in zh.output and "诱因" in zh.output
    assert "cramps recorded" not in zh.output and "Triggers" not in zh.output
    en = runner.invoke(app, ["diary", "stats", "--lang", "en"])
    assert en.exit_code == 0, en.output
    assert "0 cramps recorded, 0 days with exposures." in en.output and "Triggers" in en.output
    assert not _has_cjk(en.output)


def test_diary_add_list_and_errors_in_chinese(empty_diary: Path) -> None:
    r = runner.invoke(app, ["diary", "add", "calf", "-s", "6", "--when", "2024-05-01T03:10", "--lang", "zh"])
    assert r.exit_code == 0, r.output
    assert "已添加第 1 次抽筋" in r.output and "小腿" in r.output
    r = runner.invoke(app, ["diary", "list", "--lang", "zh"])
    assert r.exit_code == 0 and "严重程度" in r.output and "肌肉" in r.output and "muscle" not in r.output
    r = runner.invoke(app, ["diary", "delete", "9", "--lang", "zh"])
    assert r.exit_code == 2 and "错误" in r.output and "您的日记中没有抽筋记录 9" in r.output
    r = runner.invoke(app, ["diary", "delete", "9", "--lang", "en"])
    assert r.exit_code == 2 and "error: no episode 9 in your diary" in r.output
    r = runner.invoke(app, ["diary", "add", "calf", "--when", "soon", "--lang", "zh"])
    assert r.exit_code == 2 and "不是形如" in r.output and "Traceback" not in r.output


def test_diary_rejects_an_unknown_language(empty_diary: Path) -> None:
    r = runner.invoke(app, ["diary", "--lang", "fr", "list"])
    assert r.exit_code == 2 and "--lang 'fr' must be en or zh" in r.output


def test_parse_table_in_the_language_of_lang() -> None:
    zh = runner.invoke(app, ["parse", "我68岁，女，晚上小腿抽筋，没有肿", "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    assert "理解到的内容" in zh.output and "性别 女" in zh.output and "症状或情况" in zh.output
    assert "site_calf" in zh.output and "Understood" not in zh.output
    en = runner.invoke(app, ["parse", "my calves cramp at night", "--lang", "en"])
    assert en.exit_code == 0, en.output
    assert "Understood (language en" in en.output and "finding" in en.output and "site_calf" in en.output
    assert not _has_cjk(en.output)


def test_parse_messages_in_the_language_of_lang() -> None:
    zh = runner.invoke(app, ["parse", "你好", "--lang", "zh"])
    assert zh.exit_code == 0 and "没有识别出任何内容" in zh.output
    en = runner.invoke(app, ["parse", "hello", "--lang", "en"])
    assert en.exit_code == 0 and "Nothing recognised (language en)" in en.output


def test_unknown_finding_in_an_answers_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"age": 30, "sex": "male", "answers": {"calf_pian": "present"}}), encoding="utf-8")
    zh = runner.invoke(app, ["assess", "--answers", str(bad), "--lang", "zh"])
    assert zh.exit_code == 2
    assert "错误" in zh.output and "未知的症状或情况 'calf_pian'" in zh.output and "unknown" not in zh.output
    en = runner.invoke(app, ["assess", "--answers", str(bad), "--lang", "en"])
    assert en.exit_code == 2
    assert "error: unknown finding 'calf_pian' in answers[0]" in en.output and not _has_cjk(en.output)
    missing = runner.invoke(app, ["assess", "--answers", str(tmp_path / "nope.json"), "--lang", "zh"])
    assert missing.exit_code == 2 and "找不到文件" in missing.output


def test_error_templates_keep_the_english_text_and_translate() -> None:
    e = UnknownIdError("condition", "tetanuss", ["tetanus", "cramp"])
    assert str(e) == "unknown condition 'tetanuss'; did you mean 'tetanus'?"
    assert e.localized(translator("en")) == str(e)
    assert e.localized(translator("zh")) == "未知的病因 'tetanuss'；您是指 'tetanus' 吗？"
    plain = AnswersFileError("a message {with braces} and no parameters")
    assert str(plain) == plain.localized(translator("zh")) == "a message {with braces} and no parameters"
    # a translation that does not fit the parameters falls back to the English text
    broken = AnswersFileError(N_("{path}: file not found"), path="x.json")
    assert broken.localized(lambda s: "{nope}") == "x.json: file not found"
    assert AnswersFileError("{kind}", kind=Term("finding")).localized(translator("zh")) == "症状或情况"


def _help(args: list[str], locale: str) -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, "LC_ALL": locale, "LANG": locale, "COLUMNS": "200"}
    cmd = [sys.executable, "-c", "from crampcheck.cli.main import main; main()", *args, "--help"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("args", [[], ["assess"], ["diary", "add"], ["kb", "check"]])
def test_help_screens_follow_a_chinese_locale(args: list[str]) -> None:
    zh = _help(args, "zh_CN.UTF-8")
    en = _help(args, "C.UTF-8")
    _ = translator("zh")
    assert "显示本帮助信息并退出" in zh and "Show this message and exit" not in zh
    assert "用法：crampcheck" in zh and "Usage: crampcheck" in en
    assert _("Options") in zh and "╭─ Options" not in zh
    assert "Show this message and exit" in en and not _has_cjk(en)
    if args == ["assess"]:
        assert _("Age in whole years (1-110).") in zh and "Age in whole years" in en
    if args == ["diary", "add"]:  # severity has no default (issue 14): it is the person's to give
        assert "必填" in zh and "required" in en and "[default: 5]" not in en
