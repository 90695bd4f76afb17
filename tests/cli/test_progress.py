"""Long work shows a progress bar on a terminal and nothing otherwise (issue 14): ``eval`` over a vignette set,
``diary import`` of a large file and the doctor report, in English and Chinese.

On a terminal: the console the bars draw on is replaced by one that says it is a terminal. Not on a terminal:
the real command line in a subprocess with its output in pipes, where nothing of a bar may appear."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import crampcheck.cli.output as output
from crampcheck.cli.main import app
from crampcheck.i18n import translator
from crampcheck.settings import get_settings
from crampcheck.storage.db import close_all

SRC = Path(__file__).resolve().parents[2] / "src"
BAR = "━"
VIGNETTE = {
    "age": 67,
    "sex": "female",
    "narrative": "",
    "presenting": ["site_calf", "at_night_in_bed"],
    "facts": {"site_calf": True, "at_night_in_bed": True, "relieved_by_stretching": True},
    "unknown": [],
    "gold": {"condition": "nocturnal_leg_cramps", "acceptable": [], "triage": "self_care"},
}
LANGUAGES = [({"LC_ALL": "C.UTF-8"}, "en"), ({"LC_ALL": "zh_CN.UTF-8"}, "zh")]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRAMPCHECK_LOCAL_USER", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "data"
    close_all()
    get_settings.cache_clear()


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """What the progress bars draw, on a console that is a terminal."""
    screen = io.StringIO()
    monkeypatch.setattr(output, "progress_console", lambda: Console(file=screen, force_terminal=True, width=100))
    return screen


def _vignettes(tmp_path: Path, n: int) -> Path:
    f = tmp_path / "set.jsonl"
    f.write_text("".join(json.dumps({**VIGNETTE, "id": f"v{k}"}) + "\n" for k in range(n)), encoding="utf-8")
    return f


def _episodes_csv(tmp_path: Path, n: int) -> Path:
    f = tmp_path / "episodes.csv"
    start = dt.datetime(2023, 1, 1, 3, 0)
    rows = [f"{start + dt.timedelta(minutes=13 * k):%Y-%m-%dT%H:%M},calf,{k % 10}" for k in range(n)]
    f.write_text("started_at,muscle,severity\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return f


@pytest.mark.parametrize(("env", "lang"), LANGUAGES)
def test_eval_shows_a_bar_on_a_terminal(
    tmp_path: Path, terminal: io.StringIO, env: dict[str, str], lang: str
) -> None:
    r = CliRunner(env={**env, "COLUMNS": "80"}).invoke(
        app, ["eval", str(_vignettes(tmp_path, 12)), "--mode", "facts"]
    )
    assert r.exit_code == 0, r.output
    drawn = terminal.getvalue()
    assert translator(lang)("Running the vignettes") in drawn
    assert BAR in drawn and "12/12" in drawn
    assert translator(lang)("Running the vignettes") not in r.output  # the results stay clean
    assert json.loads(r.stdout.strip().splitlines()[-1])["n"] == 12


@pytest.mark.parametrize(("env", "lang"), LANGUAGES)
def test_import_and_report_show_a_bar_on_a_terminal(
    tmp_path: Path, data_dir: Path, terminal: io.StringIO, env: dict[str, str], lang: str
) -> None:
    _ = translator(lang)
    runner = CliRunner(env={**env, "COLUMNS": "80"})
    csv = _episodes_csv(tmp_path, 6_000)
    r = runner.invoke(app, ["diary", "import", str(csv)])
    assert r.exit_code == 0, r.output
    drawn = terminal.getvalue()
    assert _("Importing {path}").format(path=csv.name) in drawn and BAR in drawn
    assert "100%" in drawn  # it reaches the end of the file
    assert "Importing" not in r.output and "正在导入" not in r.output
    terminal.truncate(0)
    terminal.seek(0)
    r = runner.invoke(app, ["diary", "report", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    drawn = terminal.getvalue()
    assert _("Reading the diary") in drawn and BAR in drawn
    assert _("Reading the diary") not in r.output


def _cli(args: list[str], env: dict[str, str], data: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS")}
    clean.update(env, PYTHONPATH=str(SRC), CRAMPCHECK_DATA_DIR=str(data))
    code = "import sys; sys.argv[0] = 'crampcheck'; from crampcheck.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=clean, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize(("env", "lang"), LANGUAGES)
def test_nothing_of_a_bar_in_a_pipe(tmp_path: Path, env: dict[str, str], lang: str) -> None:
    data = tmp_path / "data"
    for args in (
        ["eval", str(_vignettes(tmp_path, 3)), "--mode", "facts"],
        ["diary", "import", str(_episodes_csv(tmp_path, 300))],
        ["diary", "report", str(tmp_path / "r.html")],
    ):
        done = _cli(args, env, data)
        assert done.returncode == 0, done.stderr
        _ = translator(lang)
        for stream in (done.stdout, done.stderr):
            for word in ("Running the vignettes", "Importing {path}", "Reading the diary", "Saving"):
                assert _(word).split("{")[0] not in stream, (args, word)
            assert "\x1b[" not in stream, args
        assert done.stderr == "", args
