"""Command-line output does not depend on the terminal: errors stay on one line, narrow tables fold, never cut."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crampcheck.cli.diary_cmd import diary_app
from crampcheck.cli.main import app

LONG_NAME = "a-file-name-long-enough-to-pass-any-terminal-width-" * 3 + ".json"


@pytest.mark.parametrize("columns", ["40", "80", None])
def test_an_error_is_one_line_whatever_the_width(tmp_path: Path, columns: str | None) -> None:
    env = {"LC_ALL": "C.UTF-8", "COLUMNS": columns}
    res = CliRunner(env=env).invoke(app, ["assess", "--answers", str(tmp_path / LONG_NAME), "--json"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert lines[0].startswith("error:") and LONG_NAME in lines[0]


def test_brackets_in_an_error_are_printed_as_they_are(tmp_path: Path) -> None:
    name = "answers[red]x[/red].json"
    res = CliRunner(env={"LC_ALL": "C.UTF-8"}).invoke(app, ["assess", "--answers", str(tmp_path / name), "--json"])
    assert res.exit_code == 2 and name in res.output


def _cells(output: str) -> list[str]:
    """Every table cell's text as drawn, one string per line and column."""
    return [c.strip() for ln in output.splitlines() for c in re.split("[│┃]", ln)]


def test_a_narrow_table_folds_its_cells_and_never_cuts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    from crampcheck.settings import get_settings
    from crampcheck.storage.db import close_all

    get_settings.cache_clear()
    runner = CliRunner(env={"LC_ALL": "C.UTF-8", "COLUMNS": "40"})
    try:
        relief = "stretching-and-walking-about-slowly"
        res = runner.invoke(
            diary_app, ["add", "calf", "--severity", "7", "--when", "2024-05-01T03:10", "--relief", relief]
        )
        assert res.exit_code == 0, res.output
        res = runner.invoke(diary_app, ["list"])
        assert res.exit_code == 0, res.output
        assert "…" not in res.output
        # the relief column, read top to bottom, gives the whole text back
        width = max(len(ln) for ln in res.output.splitlines())
        assert width <= 40
        last_col = "".join(
            ln.rstrip().rstrip("│").split("│")[-1].strip() for ln in res.output.splitlines() if "│" in ln
        )
        assert relief in last_col
    finally:
        close_all()
        get_settings.cache_clear()
