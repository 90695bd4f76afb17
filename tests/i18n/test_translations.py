"""The product in Chinese: every interface string marked in the code has its translation, and the free-text
start of the terminal interview works in both languages."""

from __future__ import annotations

import json
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from typer.testing import CliRunner

from crampcheck.cli.main import app
from crampcheck.i18n import catalog, default_lang, translator

SRC = Path(__file__).resolve().parents[2] / "src" / "crampcheck"
runner = CliRunner()


def test_every_marked_string_is_translated() -> None:
    keywords = {**DEFAULT_KEYWORDS, "N_": None}  # N_ marks error templates (as tools/update_translations.py)
    found = extract_from_dir(str(SRC), method_map=[("**.py", "python")], keywords=keywords)
    msgids = {str(m[2]) for m in found if m[2]}
    assert "unknown {kind} '{value}'; did you mean '{suggestion}'?" in msgids
    assert len(msgids) > 30
    missing = sorted(m for m in msgids if m not in catalog("zh"))
    assert missing == [], f"run tools/update_translations.py and translate: {missing}"


def test_translator_and_locale_default(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert translator("zh")("Advice") == "建议"
    assert translator("en")("Advice") == "Advice"
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert default_lang() == "zh"
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    assert default_lang() == "en"


def test_assess_from_free_text_shows_what_was_understood_and_allows_correction() -> None:
    # accept the understanding (Enter), give age and sex, then answer "don't know" to every question
    r = runner.invoke(
        app,
        ["assess", "my calves cramp every night, no swelling", "--lang", "en"],
        input="\n67\nf\n" + "?\n" * 40,
        env={"COLUMNS": "150"},
    )
    assert r.exit_code == 0, r.output
    assert "What I understood" in r.output and "calf" in r.output.lower()
    assert "Triage" in r.output


def test_assess_from_chinese_text_in_chinese() -> None:
    r = runner.invoke(
        app,
        ["assess", "我68岁，女，晚上小腿经常抽筋，没有肿", "--lang", "zh"],
        input="\n" + "?\n" * 40,
        env={"COLUMNS": "150"},
    )
    assert r.exit_code == 0, r.output
    assert "我理解到的内容" in r.output and "分诊建议" in r.output


def test_correction_flips_a_misunderstood_finding() -> None:
    r = runner.invoke(
        app,
        ["assess", "calves cramp at night", "--lang", "en", "--age", "60", "--sex", "male", "--json"],
        input="1\n" + "?\n" * 40,
        env={"COLUMNS": "150"},
    )
    assert r.exit_code == 0, r.output
    result = json.loads(r.output[r.output.rindex('{\n  "kb_version"') :])
    corrected = [a for a in result["answers"] if a["source"] == "correction"]
    assert len(corrected) == 1 and corrected[0]["state"] == "absent"
    assert any(a["source"] == "text" and a["state"] == "present" for a in result["answers"])
