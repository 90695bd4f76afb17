"""The doctor report on a phone, in Debian's chromium (issue 14): at 390 px wide the HTML report, in English
and in Chinese, has no horizontal scroll, text at a readable size, a main landmark and the list of episodes; and
its PDF holds the episode table. Screenshots go to artifacts/screenshots/report-phone-<lang>.png."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def diary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[object, int, list[dt.datetime]]]:
    """A diary of 12 cramps over the last 12 days with a few days of exposures and a saved assessment."""
    from crampcheck.assess import default_assessor
    from crampcheck.diary import service
    from crampcheck.diary.schemas import EpisodeCreate, ExposureIn
    from crampcheck.diary.verify import verified_assessment
    from crampcheck.schema import Answer, AssessRequest
    from crampcheck.settings import get_settings
    from crampcheck.storage.db import close_all, open_database

    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    db = open_database()
    base = dt.datetime.combine(dt.date.today(), dt.time(2, 40))
    times = [base - dt.timedelta(days=d, minutes=7 * d) for d in range(12, 0, -1)]
    a = default_assessor()
    result = a.assess(
        AssessRequest(
            age=70,
            sex="female",
            lang="en",
            answers=[
                Answer(finding=f, state="present") for f in ("site_calf", "at_night_in_bed", "takes_diuretic")
            ],
        )
    )
    with db.session() as s:
        uid = service.ensure_user(session=s, name="local").id
        for k, t in enumerate(times):
            service.add_episode(
                session=s,
                user_id=uid,
                episode=EpisodeCreate.model_validate(
                    {"started_at": t, "muscle": ("calf", "foot", "thigh")[k % 3], "severity": 3 + k % 6,
                     "duration_s": 40 + 30 * k, "side": "left", "relief": "stretching the calf against a wall"}
                ),
            )  # fmt: skip
        for d in range(12, 0, -1):
            day = dt.date.today() - dt.timedelta(days=d)
            exp = ExposureIn.model_validate({"day": day, "sleep_hours": 6 + d % 3, "medicines": ["furosemide"]})
            service.put_exposure(session=s, user_id=uid, exposure=exp)
        service.save_assessment(session=s, user_id=uid, assessment=verified_assessment(a, result))
    try:
        yield db, uid, times
    finally:
        close_all()
        get_settings.cache_clear()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_html_report_reads_on_a_phone(browser, diary, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    from crampcheck.diary import report

    db, uid, times = diary
    with db.session() as s:  # type: ignore[attr-defined]
        html = report.render_html(report.gather(session=s, user_id=uid, lang=lang))
    path = tmp_path / f"report-{lang}.html"
    path.write_text(html, encoding="utf-8")
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    try:
        page.goto(path.as_uri())
        widths = page.evaluate(
            "() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
            " view: window.innerWidth})"
        )
        assert widths["view"] == PHONE["width"]
        assert widths["doc"] <= widths["view"] and widths["body"] <= widths["view"], widths
        # nothing sticks out to the right (a wide table or image would be scrolled to)
        overflow = page.evaluate(
            "() => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right >"
            " window.innerWidth + 0.5).map(e => e.tagName + ' ' + e.textContent.slice(0, 40))"
        )
        assert overflow == []
        size = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('main p, main td')).fontSize)"
        )
        assert size >= 14
        assert page.locator("main").count() == 1
        rows = page.locator("table.episodes tbody tr")
        assert rows.count() == len(times)
        first = rows.first.inner_text()
        assert f"{times[-1]:%Y-%m-%d}" in first and f"{times[-1]:%H:%M}" in first
        for img in page.locator("main img").all():
            box = img.bounding_box()
            assert box is not None and box["width"] <= PHONE["width"]
        shot(page, f"report-phone-{lang}")
    finally:
        ctx.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing (poppler-utils)")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_pdf_report_holds_the_episode_table(diary, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    from crampcheck.diary import report

    db, uid, times = diary
    with db.session() as s:  # type: ignore[attr-defined]
        pdf = report.render_pdf(report.gather(session=s, user_id=uid, lang=lang))
    out = tmp_path / f"report-{lang}.pdf"
    out.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    t = report.TEXTS[lang]
    assert t["episode_list"] in text
    for head in ("date", "time", "muscle"):
        assert t[head] in text
    for when in times:
        assert re.search(rf"{when:%Y-%m-%d}\s+{when:%H:%M}\s+\S+", text), when
