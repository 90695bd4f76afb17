"""CLI tests of `crampcheck parse` (registered on a tiny Typer app, as the main app does)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from crampcheck.cli.parse_cmd import parse_command

app = typer.Typer()
app.command("parse")(parse_command)


@app.callback()
def _root() -> None:
    """Keep `parse` a sub-command."""


runner = CliRunner(env={"LC_ALL": "C.UTF-8"})  # English messages whatever the machine's locale


def test_table_output() -> None:
    # wide enough for every cell on one line (narrow terminals fold cells: tests/cli/test_output.py)
    res = runner.invoke(app, ["parse", "My calves cramp at night, no swelling"], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    assert "site_calf" in res.output
    assert "calf_swelling_one_leg" in res.output
    assert "no" in res.output


def test_json_output() -> None:
    res = runner.invoke(app, ["parse", "我68岁，晚上小腿抽筋", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["lang"] == "zh" and data["age"] == 68
    assert {"id": "site_calf", "state": "present"}.items() <= next(
        f for f in data["findings"] if f["id"] == "site_calf"
    ).items()


def test_jsonl_in_order(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in ["calf cramps", "手抽筋", "nothing here"])
        + "\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["parse", "--jsonl", str(src)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines()]
    assert [x["lang"] for x in lines] == ["en", "zh", "en"]
    assert lines[2]["findings"] == []


def test_jsonl_bad_line_names_the_line(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "calf"}\n{not json}\n', encoding="utf-8")
    res = runner.invoke(app, ["parse", "--jsonl", str(src)])
    assert res.exit_code == 2
    assert "line 2" in res.output


def test_jsonl_missing_text_field(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"narrative": "calf"}\n', encoding="utf-8")
    res = runner.invoke(app, ["parse", "--jsonl", str(src)])
    assert res.exit_code == 2
    assert "line 1" in res.output and "'text'" in res.output


def test_missing_file_and_missing_text() -> None:
    res = runner.invoke(app, ["parse", "--jsonl", "/nonexistent/x.jsonl"])
    assert res.exit_code == 2 and "no such file" in res.output
    res = runner.invoke(app, ["parse"])
    assert res.exit_code == 2 and "nothing to parse" in res.output


def test_bad_language_is_a_clear_error() -> None:
    res = runner.invoke(app, ["parse", "crampes", "--lang", "fr"])
    assert res.exit_code == 2
    assert "unsupported language" in res.output
    assert "Traceback" not in res.output
