"""Every documented `crampcheck diary` command, through Typer's CliRunner on ``diary_app``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from crampcheck.cli.diary_cmd import diary_app

runner = CliRunner(env={"LC_ALL": "C.UTF-8"})  # English messages whatever the machine's locale


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(diary_app, list(args))
    return result.exit_code, result.output


def test_add_list_edit_delete(data_dir: Path) -> None:
    code, out = run(
        "add", "calf", "--severity", "7", "--when", "2024-05-01T03:10", "--side", "left", "--activity", "sleeping"
    )
    assert code == 0, out
    assert "added episode 1" in out and "calf" in out
    code, out = run("list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert (
        rows[0]["severity"] == 7 and rows[0]["side"] == "left" and rows[0]["started_at"] == "2024-05-01T03:10:00"
    )
    code, out = run("edit", "1", "--severity", "4", "--relief", "stretching")
    assert code == 0, out
    rows = json.loads(run("list", "--json")[1])
    assert rows[0]["severity"] == 4 and rows[0]["relief"] == "stretching"
    wide = runner.invoke(diary_app, ["list"], env={"COLUMNS": "160"})  # narrow ones fold: tests/cli/test_output.py
    assert wide.exit_code == 0 and "stretching" in wide.output
    code, out = run("delete", "1")
    assert code == 0 and "deleted episode 1" in out
    assert json.loads(run("list", "--json")[1]) == []
    assert (data_dir / "crampcheck.sqlite").exists()


def test_errors_are_one_clean_line(data_dir: Path) -> None:
    code, out = run("add", "calve", "--severity", "5")
    assert code == 2 and "muscle" in out and "Traceback" not in out
    code, out = run("add", "calf", "--severity", "12")
    assert code == 2 and "--severity '12' must be a number from 0 to 10" in out
    code, out = run("delete", "99")
    assert code == 2 and "no episode 99" in out
    code, out = run("add", "calf", "--when", "yesterday-ish")
    assert code == 2 and "--when" in out


def test_users_are_separate(data_dir: Path) -> None:
    assert run("--user", "ann", "add", "hand", "--severity", "3")[0] == 0
    assert json.loads(run("--user", "bob", "list", "--json")[1]) == []
    assert run("--user", "bob", "delete", "1")[0] == 2
    assert len(json.loads(run("--user", "ann", "list", "--json")[1])) == 1


def test_day_import_export_and_bad_import(data_dir: Path, tmp_path: Path) -> None:
    code, out = run(
        "day", "2024-05-01", "--exercise", "hard", "--sleep", "6.5", "--medicine", "amlodipine", "--cold"
    )
    assert code == 0, out
    out_file = tmp_path / "x.csv"
    assert run("export", str(out_file), "--kind", "exposures")[0] == 0
    (row,) = csv.DictReader(io.StringIO(out_file.read_text()))
    given = {"day": "2024-05-01", "exercise_intensity": "hard", "sleep_hours": "6.5", "cold": "true"}
    assert {k: row[k] for k in given} == given and row["medicines"] == "amlodipine"
    assert not any(v for k, v in row.items() if k not in {*given, "medicines"})  # the rest not recorded
    bad = tmp_path / "bad.csv"
    bad.write_text("started_at,muscle,severity\n2024-05-01T01:00,calf,5\n2024-05-02T01:00,calf,eleven\n")
    code, out = run("import", str(bad))
    assert code == 2 and "line 3" in out and "severity 'eleven' is not a whole number" in out
    assert json.loads(run("list", "--json")[1]) == []
    good = tmp_path / "good.csv"
    good.write_text("started_at,muscle,severity\n2024-05-01T01:00,calf,5\n2024-05-02T01:00,foot,6\n")
    code, out = run("import", str(good))
    assert code == 0 and "imported 2 episodes" in out
    code, out = run("export")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(r["started_at"], r["muscle"], r["severity"], r["source"]) for r in rows] == [
        ("2024-05-01T01:00:00", "calf", "5", "import"),
        ("2024-05-02T01:00:00", "foot", "6", "import"),
    ]


def test_stats_with_too_little_data_warns(data_dir: Path) -> None:
    run("add", "calf", "--severity", "5", "--when", "2024-05-01T03:00")
    run("day", "2024-04-30", "--sleep", "6")
    code, out = run("stats")
    assert code == 0, out
    assert "1 cramps recorded" in out and "Too little data" in out
    code, out = run("stats", "--json")
    data = json.loads(out)
    assert data["summary"]["by_muscle"] == {"calf": 1} and data["triggers"]["warnings"]
