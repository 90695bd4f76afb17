"""Rows stored before the diary had bounds (issue 15): a cramp dated 0001-01-01 or 9999, a day in year 2 or far
ahead. The analyses, the doctor report and the FHIR export ignore them (no 500, no traceback), the API still
lists them, and ``crampcheck diary repair`` reports them, copies them to a CSV file and removes them; on SQLite
and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from crampcheck.diary import fhir, repair, report, service
from crampcheck.diary.schemas import EpisodeCreate, ExposureIn
from crampcheck.storage.db import Database
from crampcheck.storage.models import Episode, Exposure

OLD = [dt.datetime(1, 1, 1, 0, 0), dt.datetime(24, 5, 1, 3, 10), dt.datetime(9999, 12, 31, 23, 59)]
OLD_DAYS = [dt.date(2, 1, 1), dt.date(9000, 1, 1)]


def _plant(db: Database) -> tuple[int, int]:
    """alice: two good cramps and a good day, plus the out-of-range rows written straight into storage (as
    the API once accepted them); bob: one old cramp."""
    with db.session() as s:
        uid = service.ensure_user(session=s, name="alice").id
        bob = service.ensure_user(session=s, name="bob").id
        for when in (dt.datetime(2024, 5, 1, 3, 10), dt.datetime(2024, 5, 3, 2, 0)):
            service.add_episode(
                session=s, user_id=uid, episode=EpisodeCreate(started_at=when, muscle="calf", severity=5)
            )
        service.put_exposure(session=s, user_id=uid, exposure=ExposureIn(day=dt.date(2024, 5, 1), sleep_hours=7))
        for when in OLD:
            s.add(Episode(user_id=uid, started_at=when, muscle="calf", severity=4, source="api", note="old"))
        s.add(Episode(user_id=bob, started_at=OLD[0], muscle="foot", severity=2, source="api"))
        for day in OLD_DAYS:
            s.add(Exposure(user_id=uid, day=day, sleep_hours=8.0))
    return uid, bob


def test_report_and_fhir_ignore_rows_outside_the_bounds(db: Database) -> None:
    uid, _ = _plant(db)
    with db.session() as s:
        data = report.gather(session=s, user_id=uid, lang="en")
        assert data["summary"].episodes == 2
        html = report.render_html(data)
        assert "0001" not in data["summary"].model_dump_json() and html
        bundle = fhir.export_bundle(session=s, user_id=uid)
        times = [
            e.resource.effectiveDateTime for e in bundle.entry or [] if hasattr(e.resource, "effectiveDateTime")
        ]
        cramps = [t for t in times if isinstance(t, dt.datetime)]
        days = [t for t in times if not isinstance(t, dt.datetime)]  # one Observation per recorded day
        assert len(cramps) == 2 and all(t.year == 2024 for t in cramps)
        assert days == [dt.date(2024, 5, 1)]  # not the days of year 2 and 9000
        assert len(service.list_episodes(session=s, user_id=uid)) == 5  # listed, so they can be deleted


def test_repair_reports_copies_and_removes(db: Database, tmp_path: Path) -> None:
    uid, bob = _plant(db)
    with db.session() as s:
        found = repair.find(s)
    assert sorted((r.table, r.user) for r in found) == sorted(
        [("episodes", "alice")] * 3 + [("episodes", "bob")] + [("exposures", "alice")] * 2
    )
    path = tmp_path / "q" / "repaired.csv"
    with db.session() as s:
        rows = repair.find(s)
        repair.quarantine(rows, path)
        assert repair.remove(s, rows) == 6
    with path.open(newline="", encoding="utf-8") as fh:
        copied = list(csv.DictReader(fh))
    assert len(copied) == 6 and {json.loads(c["row"])["id"] for c in copied} == {r.id for r in found}
    with db.session() as s:
        assert repair.find(s) == []
        left = s.scalars(select(Episode.started_at)).all()
        assert sorted(t.year for t in left) == [2024, 2024]
        assert [x.day.year for x in s.scalars(select(Exposure))] == [2024]


def test_repair_command(tmp_path: Path) -> None:
    """``crampcheck diary repair``: --dry-run changes nothing; then a copy and the removal; then nothing left."""
    from crampcheck.settings import Settings
    from crampcheck.storage.db import close_all, open_database

    data = tmp_path / "data"
    settings = Settings.from_env({"CRAMPCHECK_DATA_DIR": str(data)})
    _plant(open_database(settings))
    close_all()
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("CRAMPCHECK_")}
    env.update({"CRAMPCHECK_DATA_DIR": str(data), "COLUMNS": "200"})
    cmd = [sys.executable, "-c", "from crampcheck.cli.main import main; main()", "diary", "repair"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=120)

    dry = run("--dry-run")
    assert dry.returncode == 0 and "6 to repair" in dry.stdout and "0001-01-01" in dry.stdout, (
        dry.stdout + dry.stderr
    )
    out = tmp_path / "copy.csv"
    done = run("--quarantine", str(out))
    assert done.returncode == 0 and "removed 6" in done.stdout, done.stdout + done.stderr
    assert out.read_text(encoding="utf-8").count("\n") == 7
    again = run("--quarantine", str(out))
    assert again.returncode == 0 and "nothing to repair" in again.stdout
    zh = run("--dry-run", "--lang", "zh")
    assert zh.returncode == 0 and "Traceback" not in zh.stderr
