"""The command line never shows a traceback or hangs on the security review's cases (issue 15): folders and
devices as input or output, a missing output folder, JSON nested 5,000 deep or a 5,000-digit number, ids of
2^64, a data dir that is not a database, an unsupported database URL, empty or escape-laden user names; stored
escape sequences are not printed raw."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def cli(args: list[str], tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPCHECK_")}
    full.update({"PYTHONPATH": str(SRC), "CRAMPCHECK_DATA_DIR": str(tmp / "data"), "LANG": "C.UTF-8", **env})
    return subprocess.run(
        [sys.executable, "-c", "from crampcheck.cli.main import main; main()", *args],
        env=full, cwd=tmp, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip


CASES: dict[str, tuple[list[str], dict[str, str], str]] = {
    "answers folder": (["assess", "--answers", "."], {}, "not a regular file"),
    "answers /dev/zero": (["assess", "--answers", "/dev/zero"], {}, "not a regular file"),
    "answers deep": (["assess", "--answers", "deep.json"], {}, "nested too deeply"),
    "answers huge int": (["assess", "--answers", "hugeint.json"], {}, "number too long"),
    "eval folder": (["eval", "."], {}, "directory"),
    "import folder": (["diary", "import", "."], {}, "not a regular file"),
    "import /dev/zero": (["diary", "import", "/dev/zero"], {}, "not a regular file"),
    "export to missing folder": (["diary", "export", "missing/x.csv"], {}, "No such file or directory"),
    "export to a folder": (["diary", "export", "."], {}, "directory"),
    "report to missing folder": (["diary", "report", "missing/r.html"], {}, "the folder missing does not exist"),
    "save-assessment folder": (["diary", "save-assessment", "."], {}, "not a regular file"),
    "delete 2^64": (["diary", "delete", str(2**64)], {}, "2147483647"),
    "edit 2^64": (["diary", "edit", str(2**64), "--severity", "3"], {}, "2147483647"),
    "list --limit 2^64": (["diary", "list", "--limit", str(2**64)], {}, "2147483647"),
    "empty token name": (["diary", "token", ""], {}, "1 to 64 characters"),
    "escape in name": (["diary", "token", "a\x1b[31mb"], {}, "control characters"),
    "year 9999": (["diary", "add", "calf", "--severity", "5", "--when", "9999-12-31T23:59"], {}, "future"),
    "not a database": (["diary", "list"], {"NOT_DB": "1"}, "could not be used"),
    "mysql url": (["diary", "list"], {"CRAMPCHECK_DATABASE_URL": "mysql://u@h/db"}, "not installed"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_no_traceback_no_hang(tmp_path: Path, case: str) -> None:
    args, env, expected = CASES[case]
    (tmp_path / "deep.json").write_text("[" * 5000 + "]" * 5000)
    (tmp_path / "hugeint.json").write_text('{"age": ' + "9" * 5000 + ', "sex": "female"}')
    if env.pop("NOT_DB", None):
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "crampcheck.sqlite").write_text("this is not a database\n" * 100)
    r = cli(args, tmp_path, **env)
    out = r.stdout + r.stderr
    assert "Traceback" not in out, out[-2000:]
    assert r.returncode != 0 and expected in out, out[-1000:]


def test_stored_escape_sequences_are_not_printed_raw(tmp_path: Path) -> None:
    import sqlite3

    assert cli(["diary", "add", "calf", "--severity", "5", "--activity", "walking"], tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "data" / "crampcheck.sqlite") as db:  # as written before the bounds existed
        db.execute("UPDATE episodes SET activity = ?", ("\x1b[2J\x1b[31mRED\x1b]0;title\x07 [bold]x[/bold]",))
    r = cli(["diary", "list"], tmp_path, COLUMNS="200")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "RED" in r.stdout and "[bold]x[/bold]" in r.stdout  # markup shown as typed, not interpreted
