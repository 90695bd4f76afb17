"""The terminal as people use it (issue 14), in English and Chinese (by locale and by --lang), at 40 and 80
columns and with no width given, never on a terminal here (CliRunner): nothing is cut, Chinese list input is
understood, prompts show their brackets, the level and next step come again at the end with how to keep the
result, a missing output folder is one clear line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from crampcheck.cli.main import app
from crampcheck.i18n import translator

ANSWERS = {
    "age": 70,
    "sex": "female",
    "answers": {"site_calf": "present", "at_night_in_bed": "present", "takes_diuretic": "present"},
}
# (environment, extra arguments, language): the locale decides, or --lang does
LANGUAGES = [
    ({"LC_ALL": "C.UTF-8"}, [], "en"),
    ({"LC_ALL": "zh_CN.UTF-8"}, [], "zh"),
    ({"LC_ALL": "C.UTF-8"}, ["--lang", "zh"], "zh"),
]
WIDTHS = ["40", "80", None]
BORDERS = re.compile("[│┃║]")


def _answers_file(tmp_path: Path) -> Path:
    f = tmp_path / "answers.json"
    f.write_text(json.dumps(ANSWERS), encoding="utf-8")
    return f


def _columns_text(output: str) -> str:
    """The text of every box and table column read top to bottom, all white space removed: a text folded over
    several lines of one cell is found again whole."""
    streams: dict[tuple[int, int], list[str]] = {}
    for line in output.splitlines():
        cells = BORDERS.split(line)
        if len(cells) < 3:
            continue
        for k, cell in enumerate(cells[1:-1]):
            streams.setdefault((len(cells), k), []).append(cell)
    return "".join("".join(parts) for parts in streams.values()).replace(" ", "")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize(("env", "args", "lang"), LANGUAGES)
def test_causes_and_advice_fold_and_are_never_cut(
    tmp_path: Path, columns: str | None, env: dict[str, str], args: list[str], lang: str
) -> None:
    runner = CliRunner(env={**env, "COLUMNS": columns})
    f = _answers_file(tmp_path)
    result = json.loads(runner.invoke(app, ["assess", "--answers", str(f), "--json", *args]).stdout)
    assert result["lang"] == lang
    r = runner.invoke(app, ["assess", "--answers", str(f), *args])
    assert r.exit_code == 0, r.output
    assert "…" not in r.output  # no text of the knowledge base shown here holds one: any is a cut
    if columns is not None:  # every line fits, but the command to type, which is never broken
        lines = [ln for ln in r.output.splitlines() if not ln.startswith("  crampcheck ")]
        assert max(cell_len(ln) for ln in lines) <= int(columns)
    shown = _columns_text(r.output)
    flat = _squeeze(r.output)
    for c in result["conditions"]:
        assert _squeeze(c["name"]) in shown, c["name"]
    for item in result["advice"]:
        assert _squeeze(item["text"]) in shown, item["text"][:40]
        for src in item["sources"][:2]:
            assert _squeeze(src["citation"]) in flat, src["citation"][:40]  # cited whole, under the table


@pytest.mark.parametrize("columns", ["80", None])
@pytest.mark.parametrize(("env", "args", "lang"), LANGUAGES)
def test_the_level_and_next_step_come_again_at_the_end(
    tmp_path: Path, columns: str | None, env: dict[str, str], args: list[str], lang: str
) -> None:
    runner = CliRunner(env={**env, "COLUMNS": columns})
    f = _answers_file(tmp_path)
    result = json.loads(runner.invoke(app, ["assess", "--answers", str(f), "--json", *args]).stdout)
    r = runner.invoke(app, ["assess", "--answers", str(f), *args])
    assert r.exit_code == 0, r.output
    lines = r.output.rstrip().splitlines()
    tail = "\n".join(lines[-14:])
    assert len(lines) > 60  # the first banner is far above
    assert _squeeze(result["triage"]["label"]) in _squeeze(tail)
    assert _squeeze(result["triage"]["message"]) in _columns_text(tail)
    assert lines[-1].strip() == "crampcheck diary save-assessment result.json"
    assert lines[-2].strip() == " ".join(
        ["crampcheck", "assess", "--answers", str(f), *args, "--out", "result.json"]
    )


@pytest.mark.parametrize(("env", "args", "lang"), LANGUAGES)
def test_out_writes_a_result_that_save_assessment_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], args: list[str], lang: str
) -> None:
    from crampcheck.settings import get_settings
    from crampcheck.storage.db import close_all

    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    runner = CliRunner(env={**env, "COLUMNS": "80"})
    out = tmp_path / "result.json"
    try:
        r = runner.invoke(app, ["assess", "--answers", str(_answers_file(tmp_path)), "--out", str(out), *args])
        assert r.exit_code == 0, r.output
        assert json.loads(out.read_text(encoding="utf-8"))["lang"] == lang
        assert r.output.rstrip().splitlines()[-1].strip() == f"crampcheck diary save-assessment {out}"
        saved = runner.invoke(app, ["diary", "save-assessment", str(out)])
        assert saved.exit_code == 0, saved.output
    finally:
        close_all()
        get_settings.cache_clear()


@pytest.mark.parametrize(("env", "args", "lang"), LANGUAGES)
def test_a_missing_output_folder_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], args: list[str], lang: str
) -> None:
    from crampcheck.settings import get_settings
    from crampcheck.storage.db import close_all

    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    runner = CliRunner(env={**env, "COLUMNS": "80"})
    _ = translator(lang)
    missing = tmp_path / "no" / "such" / "folder"
    try:
        for cmd in (
            ["diary", "report", str(missing / "r.pdf"), *args],
            ["diary", "report", str(missing / "r.html"), *args],
            ["assess", "--answers", str(_answers_file(tmp_path)), "--out", str(missing / "r.json"), *args],
        ):
            r = runner.invoke(app, cmd)
            assert r.exit_code == 2, r.output
            assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
            lines = [ln for ln in r.output.splitlines() if ln.strip()]
            assert len(lines) == 1, r.output
            want = _("{path}: the folder {folder} does not exist").format(
                path=cmd[2] if cmd[1] == "report" else cmd[-1 - len(args)], folder=missing
            )
            assert lines[0] == _("error:") + " " + want
    finally:
        close_all()
        get_settings.cache_clear()


# --- the interview ------------------------------------------------------------------------------------------


def _interview(lang_env: dict[str, str], args: list[str], answers: list[str]) -> tuple[dict, str]:  # type: ignore[type-arg]
    """Run the terminal interview (70, female) with these typed lines; the result's JSON and what was shown."""
    runner = CliRunner(env={**lang_env, "COLUMNS": "80"})
    r = runner.invoke(app, ["assess", "--json", *args], input="70\nf\n" + "".join(a + "\n" for a in answers))
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout), r.stderr


def _question_answers(result: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return sorted((a["finding"], a["state"]) for a in result["answers"] if a["source"] == "question")


@pytest.mark.parametrize(("env", "args", "lang"), LANGUAGES)
def test_none_typed_as_people_type_it(env: dict[str, str], args: list[str], lang: str) -> None:
    _ = translator(lang)
    baseline = None
    for word in ("没有", "没", "无", "都没有", "none", "NONE", "没有。"):
        result, shown = _interview(env, args, [word] * 40)
        assert _("Please type option numbers from the list.") not in shown, word
        assert _("Please answer y, n, ? (don't know), b (back) or q (quit).") not in shown, word
        assert _("You stopped before the end: this is what your answers so far show.") not in shown, word
        answers = _question_answers(result)
        assert answers and all(state == "absent" for _f, state in answers), word
        baseline = baseline or answers
        assert answers == baseline, word


@pytest.mark.parametrize(("env", "args", "lang"), LANGUAGES)
def test_numbers_with_a_chinese_comma_or_full_width_digits(
    env: dict[str, str], args: list[str], lang: str
) -> None:
    # question 1 is the warning signs (none), question 2 when the cramps come: options 1 and 3
    _ = translator(lang)
    plain, _shown = _interview(env, args, ["0", "1 3"] + ["没有"] * 40)
    ticked = [f for f, s in _question_answers(plain) if s == "present"]
    assert len(ticked) == 2
    for typed in ("1，3", "1,3", "1、3", "１，３", "1；3", "1, 3"):
        result, shown = _interview(env, args, ["0", typed] + ["没有"] * 40)
        assert _("Please type option numbers from the list.") not in shown, typed
        assert _question_answers(result) == _question_answers(plain), typed


@pytest.mark.parametrize(("env", "args", "lang"), LANGUAGES)
def test_prompts_show_their_brackets(env: dict[str, str], args: list[str], lang: str) -> None:
    _ = translator(lang)
    runner = CliRunner(env={**env, "COLUMNS": "80"})
    # for a woman of 30 with calf cramps at night, question 1 is a list and question 2 a yes/no question
    r = runner.invoke(app, ["assess", "calf cramps at night", *args], input="\n30\nx\nf\n" + "没有\n" * 40)
    assert r.exit_code == 0, r.output
    assert _("Please type f (female) or m (male).") in r.output
    assert _("Sex") + " [f/m]: " in r.output
    yes_no = "[y] {}  [n] {}  [?] {}  [b] {}  [q] {}: ".format(
        _("yes"), _("no"), _("don't know"), _("back"), _("quit")
    )
    assert yes_no in r.output
    assert "  [0] " in r.output and "  [1] " in r.output


@pytest.mark.parametrize(("env", "args", "lang"), LANGUAGES)
def test_correcting_what_was_understood_with_a_chinese_comma(
    env: dict[str, str], args: list[str], lang: str
) -> None:
    text = "我68岁，女，晚上小腿经常抽筋，没有肿"
    runner = CliRunner(env={**env, "COLUMNS": "80"})
    seen = []
    for first in ("", "1，2", "1 2", "没有"):
        r = runner.invoke(app, ["assess", text, "--json", *args], input=first + "\n" + "没有\n" * 40)
        assert r.exit_code == 0, r.output
        seen.append({a["finding"]: (a["state"], a["source"]) for a in json.loads(r.stdout)["answers"]})
    accepted, comma, space, none = seen
    assert comma == space != accepted
    assert none == accepted
    assert sum(1 for s in comma.values() if s[1] == "correction") == 2
