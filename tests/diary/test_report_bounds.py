"""A diary spanning the widest accepted dates (1900-01-01 to now) still gives its charts, report and FHIR export
quickly (issue 15: one entry dated 0024 made the report take 46 s and 1.3 GB)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pandas as pd

from crampcheck.diary import charts, fhir, report, service
from crampcheck.diary.bounds import MIN_TIME
from crampcheck.diary.schemas import EpisodeCreate, ExposureIn
from crampcheck.storage.db import open_database


def test_over_time_chart_has_a_bounded_number_of_bars() -> None:
    for first in ("2024-01-01", "2010-01-01", "1900-01-01"):
        eps = pd.DataFrame({"started_at": pd.to_datetime([first, "2026-06-01"]), "muscle": ["calf", "calf"]})
        fig = charts.over_time(eps)
        bars = len(fig.axes[0].patches)
        assert 2 <= bars <= 300, (first, bars)
        assert sum(p.get_height() for p in fig.axes[0].patches) == 2  # every episode counted once


def test_report_of_the_widest_diary_is_quick(data_dir: Path) -> None:
    db = open_database()
    with db.session() as s:
        uid = service.ensure_user(session=s, name="local").id
        now = dt.datetime.now().replace(microsecond=0) - dt.timedelta(minutes=5)
        for when in (MIN_TIME, MIN_TIME + dt.timedelta(days=1), now):
            ep = EpisodeCreate(started_at=when, muscle="calf", severity=5)
            service.add_episode(session=s, user_id=uid, episode=ep)
        for day in (MIN_TIME.date(), now.date()):
            service.put_exposure(session=s, user_id=uid, exposure=ExposureIn(day=day, sleep_hours=7))
    with db.session() as s:
        report.gather(session=s, user_id=uid, lang="en")  # imports and fonts: not part of the bound
        t = time.perf_counter()
        data = report.gather(session=s, user_id=uid, lang="en")
        html = report.render_html(data)
        pdf = report.render_pdf(data)
        bundle = fhir.export_bundle(session=s, user_id=uid)
        took = time.perf_counter() - t
    assert "1900-01-01" in html and pdf[:4] == b"%PDF" and bundle.entry
    assert took < 5, f"report took {took:.1f} s"
