"""Diary storage speed: CSV import into SQLite (WAL, synchronous=NORMAL) against a one-commit-per-row
reference measured in the same run, plus the trigger analysis of a 2-year diary read from the database.

    .venv/bin/python benchmarks/bench_diary.py [--rows 1000000] [--reference-rows 5000]

Prints a table, then one JSON line of figures.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from crampcheck.diary import csvio, service  # noqa: E402
from crampcheck.diary.schemas import EpisodeCreate, ExposureIn  # noqa: E402
from crampcheck.diary.synthetic import Planted, make_diary  # noqa: E402
from crampcheck.settings import Settings  # noqa: E402
from crampcheck.storage.db import close_all, open_database  # noqa: E402

MUSCLES = ["calf", "foot", "thigh", "hand"]
SIDES = ["left", "right", "both", ""]


def write_csv(path: Path, rows: int) -> None:
    t0 = dt.datetime(2000, 1, 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(service.EPISODE_COLUMNS)
        for i in range(rows):
            w.writerow(
                [
                    (t0 + dt.timedelta(minutes=17 * i)).isoformat(),
                    30 + i % 500,
                    MUSCLES[i % 4],
                    SIDES[i % 4],
                    i % 11,
                    "sleeping" if i % 3 else "",
                    "stretching" if i % 2 else "",
                    "",
                    "import",
                ]
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reference-rows", type=int, default=5_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "episodes.csv"
        write_csv(src, args.rows)

        # the import: one transaction, batched executemany
        db = open_database(Settings.from_env({"CRAMPCHECK_DATA_DIR": str(root / "bulk")}))
        with db.session() as s:
            uid = service.ensure_user(session=s, name="local").id
        t0 = time.perf_counter()
        with db.session() as s:
            result = csvio.import_csv(session=s, user_id=uid, source=src)
        import_s = time.perf_counter() - t0
        assert result.rows == args.rows

        # reference: the same rows through the same service, one commit per row
        ref_db = open_database(Settings.from_env({"CRAMPCHECK_DATA_DIR": str(root / "per_row")}))
        with ref_db.session() as s:
            ref_uid = service.ensure_user(session=s, name="local").id
        head = io.StringIO()
        with open(src, encoding="utf-8") as fh:
            for _ in range(args.reference_rows + 1):
                head.write(fh.readline())
        head.seek(0)
        reader = csv.DictReader(head)
        parsed = [
            EpisodeCreate.model_validate({k: (v or None) for k, v in row.items() if k not in ("source",)})
            for row in reader
        ]
        t0 = time.perf_counter()
        for ep in parsed:
            with ref_db.session() as s:
                service.add_episode(session=s, user_id=ref_uid, episode=ep, source="import")
        per_row_s = time.perf_counter() - t0

        # a 2-year diary in the database: read it and run the trigger analysis
        d = make_diary(seed=1, days=730, planted=Planted("hand_use_hours", 3.0))
        an_db = open_database(Settings.from_env({"CRAMPCHECK_DATA_DIR": str(root / "two_years")}))
        with an_db.session() as s:
            a_uid = service.ensure_user(session=s, name="local").id
            for r in d.episodes.to_dict("records"):
                service.add_episode(session=s, user_id=a_uid, episode=EpisodeCreate.model_validate(r))
            for r in d.exposures.to_dict("records"):
                r["medicines"] = []
                service.put_exposure(session=s, user_id=a_uid, exposure=ExposureIn.model_validate(r))
        with an_db.session() as s:
            service.trigger_report(session=s, user_id=a_uid)  # warm-up (imports)
        t0 = time.perf_counter()
        with an_db.session() as s:
            report = service.trigger_report(session=s, user_id=a_uid)
        analysis_s = time.perf_counter() - t0
        close_all()

    import_rate = args.rows / import_s
    per_row_rate = args.reference_rows / per_row_s
    print(f"{'step':<52} {'rows':>9} {'seconds':>8} {'rows/s':>10}")
    print(
        f"{'CSV import, one transaction (SQLite WAL, NORMAL)':<52} {args.rows:>9} {import_s:>8.2f} {import_rate:>10.0f}"
    )
    print(
        f"{'reference: add_episode, one commit per row':<52} {args.reference_rows:>9} {per_row_s:>8.2f} {per_row_rate:>10.0f}"
    )
    print(f"ratio: {import_rate / per_row_rate:.1f}x")
    print(
        f"2-year diary ({len(d.episodes)} episodes, 730 days) read + trigger analysis: {analysis_s:.3f} s;"
        f" triggers found: {[e.exposure for e in report.triggers]}"
    )
    print(
        json.dumps(
            {
                "import_rows": args.rows,
                "import_s": round(import_s, 3),
                "import_rows_per_s": round(import_rate),
                "per_row_commit_rows_per_s": round(per_row_rate),
                "import_speedup_vs_per_row_commit": round(import_rate / per_row_rate, 1),
                "analysis_s": round(analysis_s, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
