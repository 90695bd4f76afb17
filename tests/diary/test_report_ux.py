"""The doctor report as people read it (issue 14): readable on a phone (viewport, ``<main>``), a list of the
episodes in the HTML and the PDF, the rate per week over the days the diary covers, whole-number count axes, no
empty chart, everything in the report's language whatever the assessment was saved in, and a forest plot in
plain words whose labels are whole."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from crampcheck.cli.diary_cmd import diary_app
from crampcheck.diary import charts, report, service
from crampcheck.diary.schemas import EpisodeCreate
from crampcheck.schema import Answer, AssessRequest

runner = CliRunner(env={"LC_ALL": "C.UTF-8"})
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing (poppler-utils)")
NOW = dt.datetime.now().replace(second=0, microsecond=0)


def _three_recent(db, uid: int) -> list[dt.datetime]:  # type: ignore[no-untyped-def]
    """Cramps at 03:10 on each of the last three days (a diary begun three days ago)."""
    today = dt.datetime.combine(dt.date.today(), dt.time(3, 10))
    times = [today - dt.timedelta(days=d) for d in (3, 2, 1)]
    with db.session() as s:
        for k, t in enumerate(times):
            ep = EpisodeCreate.model_validate(
                {"started_at": t, "muscle": "calf", "severity": 4 + k, "duration_s": 90 + 60 * k, "side": "left"}
            )
            service.add_episode(session=s, user_id=uid, episode=ep)
    return times


@pytest.fixture
def recent(data_dir: Path):  # type: ignore[no-untyped-def]
    from crampcheck.storage.db import open_database

    db = open_database()
    with db.session() as s:
        uid = service.ensure_user(session=s, name="local").id
    return db, uid, _three_recent(db, uid)


def _html(db, uid: int, lang: str) -> str:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return report.render_html(report.gather(session=s, user_id=uid, lang=lang))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_html_has_a_viewport_and_a_main_landmark(recent, lang: str) -> None:  # type: ignore[no-untyped-def]
    db, uid, _ = recent
    html = _html(db, uid, lang)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert html.count("<main>") == 1 and html.count("</main>") == 1
    assert html.index("<main>") < html.index("<h1>") and html.index("</main>") > html.rindex("</ol>")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_episode_is_listed_with_date_time_muscle_severity_duration(recent, lang: str) -> None:  # type: ignore[no-untyped-def]
    db, uid, times = recent
    html = _html(db, uid, lang)
    t = report.TEXTS[lang]
    assert t["episode_list"] in html
    table = html[html.index('<table class="episodes">') :]
    table = table[: table.index("</table>")]
    for head in ("date", "time", "muscle", "severity_short", "duration_short"):
        assert f">{t[head]}</th>" in table
    muscle = "小腿" if lang == "zh" else "calf"
    minutes = t["minutes"].format(m="2") if lang == "en" else "2 分钟"
    for when in times:
        row = rf"<td[^>]*>{when:%Y-%m-%d}</td><td[^>]*>{when:%H:%M}</td><td>{muscle}</td>"
        assert re.search(row, table), row
    assert t["seconds"].format(s="90") in table and minutes in table and ">6<" in table


@pytest.mark.parametrize("most", [20, 1000])
def test_a_long_diary_lists_its_most_recent_episodes(filled, monkeypatch: pytest.MonkeyPatch, most: int) -> None:  # type: ignore[no-untyped-def]
    db, uid, d = filled
    monkeypatch.setattr(report, "MAX_EPISODE_ROWS", most)
    html = _html(db, uid, "en")
    rows = re.findall(r'<tr><td class="nowrap">(\d{4}-\d\d-\d\d)</td><td class="nowrap">(\d\d:\d\d)</td>', html)
    assert len(rows) == min(len(d.episodes), most)
    newest = pd.to_datetime(d.episodes["started_at"]).sort_values(ascending=False).head(len(rows))
    assert [f"{a} {b}" for a, b in rows] == [f"{t:%Y-%m-%d %H:%M}" for t in newest]
    recent = report.TEXTS["en"]["episode_list_recent"].format(shown=len(rows), total=len(d.episodes))
    assert (recent in html) == (len(d.episodes) > most)
    assert (report.TEXTS["en"]["episode_list"] in html) == (len(d.episodes) <= most)


def _episodes(times: list[dt.datetime]) -> pd.DataFrame:
    return pd.DataFrame({"started_at": times, "muscle": ["calf"] * len(times), "severity": [5] * len(times)})


def test_the_rate_per_week_is_over_the_days_the_diary_covers() -> None:
    now = dt.datetime(2026, 12, 7, 10, 0)
    no_exposures = pd.DataFrame({"day": []})
    # begun 3 days ago, 3 cramps: about 7 a week (not 3 over 4 weeks)
    three = [dt.datetime(2026, 12, d, 3, 10) for d in (4, 5, 6)]
    r = report.weekly_rate(_episodes(three), no_exposures, now)
    assert r is not None and r["per_week"] == 7.0 and r["n"] == 3 and r["days"] == 3
    # a long diary kept up to now: the last 28 days
    daily = [dt.datetime(2026, 12, 6, 3, 0) - dt.timedelta(days=k) for k in range(90)]
    r = report.weekly_rate(_episodes(daily), no_exposures, now)
    assert r is not None and r["n"] == 28 and r["days"] == 28 and r["per_week"] == 7.0
    # exposures recorded before the first cramp extend what the diary covers
    exposures = pd.DataFrame({"day": [dt.date(2026, 11, 23)]})
    r = report.weekly_rate(_episodes(three), exposures, now)
    assert r is not None and r["days"] == 14 and r["per_week"] == 1.5
    # a diary left a year ago: its own last 4 weeks, not zero
    old = [t - dt.timedelta(days=365) for t in daily]
    r = report.weekly_rate(_episodes(old), no_exposures, now)
    assert r is not None and r["per_week"] == 7.0 and r["end"] == f"{old[0]:%Y-%m-%d}"
    assert report.weekly_rate(_episodes([]), no_exposures, now) is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_says_the_rate_over_the_days_covered(recent, lang: str) -> None:  # type: ignore[no-untyped-def]
    db, uid, times = recent
    html = _html(db, uid, lang)
    t = report.TEXTS[lang]
    line = t["rate_detail"].format(
        rate=7.0, n=3, days=3, start=f"{times[0]:%Y-%m-%d}", end=f"{times[-1]:%Y-%m-%d}"
    )
    assert f"<td>{t['per_week']}</td><td>{line}</td>" in html


@pytest.mark.parametrize("draw", [charts.over_time, charts.by_hour, charts.by_muscle])
def test_count_axes_have_whole_numbers(draw) -> None:  # type: ignore[no-untyped-def]
    fig = draw(_episodes([dt.datetime(2026, 12, d, 3, 10) for d in (4, 5, 6)]), "en")
    charts.png(fig)  # lay it out
    ax = fig.axes[0]
    ticks = ax.get_xticks() if draw is charts.by_muscle else ax.get_yticks()
    shown = [v for v in ticks if ax.get_xlim()[0] <= v <= ax.get_xlim()[1]] if draw is charts.by_muscle else ticks
    assert len(shown) >= 2 and all(float(v).is_integer() for v in shown), list(shown)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_empty_chart_takes_a_page(recent, data_dir: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    db, uid, _ = recent
    t = report.TEXTS[lang]
    html = _html(db, uid, lang)  # cramps but no exposures: no trigger can be estimated
    assert html.count("data:image/png;base64,") == 3
    assert t["no_forest"] in html and charts.LABELS[lang]["empty"] not in html
    with db.session() as s:
        other = service.ensure_user(session=s, name="someone-else").id
    html = _html(db, other, lang)
    assert html.count("data:image/png;base64,") == 0 and t["no_charts"] in html


def _saved_english_assessment(db, uid: int) -> None:  # type: ignore[no-untyped-def]
    from crampcheck.assess import default_assessor
    from crampcheck.diary.verify import verified_assessment

    a = default_assessor()
    answers = [Answer(finding=f, state="present") for f in ("site_calf", "at_night_in_bed", "takes_diuretic")]
    result = a.assess(AssessRequest(age=70, sex="female", lang="en", answers=answers))
    with db.session() as s:
        service.save_assessment(session=s, user_id=uid, assessment=verified_assessment(a, result))


def test_the_chinese_report_renders_an_english_assessment_in_chinese(recent) -> None:  # type: ignore[no-untyped-def]
    from crampcheck.kb import load_kb

    db, uid, _ = recent
    _saved_english_assessment(db, uid)
    kb = load_kb()
    with db.session() as s:
        saved = service.latest_assessment(session=s, user_id=uid)
    assert saved is not None and saved[1].lang == "en"
    html = _html(db, uid, "zh")
    for c in saved[1].conditions[:6]:
        assert kb.conditions[c.id].name.get("zh") in html
        assert c.name not in html, c.name
    shown = [x for x in saved[1].advice if x.kind in ("see", "now", "prevent")][:8]
    for x in shown:
        assert kb.advice[x.id].text.get("zh") in html
        assert x.text not in html
    assert saved[1].triage.label not in html and saved[1].triage.message not in html
    for r in saved[1].triage.reasons:
        assert r.text not in html
    assert "(evidence" not in html and ": strong)" not in html
    assert report.TEXTS["zh"]["partly_saved"].split("{")[0] not in html  # all of it could be rendered again


def test_an_assessment_of_another_knowledge_base_is_translated_by_its_ids(filled) -> None:  # type: ignore[no-untyped-def]
    from crampcheck.kb import load_kb

    db, uid, _ = filled  # saved with knowledge base "2024.05-test": one cause this one knows, one it does not
    kb = load_kb()
    html = _html(db, uid, "zh")
    assert kb.conditions["medication_induced"].name.get("zh") in html and "Side effect of a medicine" not in html
    assert kb.triage_text["doctor"].label.get("zh") in html and "See a doctor" not in html
    assert "Night-time leg cramps" in html  # an id this knowledge base does not know: shown as saved, and said
    assert report.TEXTS["zh"]["partly_saved"].format(version="2024.05-test") in html


def test_the_forest_plot_speaks_plainly_and_its_labels_are_whole(filled) -> None:  # type: ignore[no-untyped-def]
    db, uid, _ = filled
    with db.session() as s:
        trig = service.trigger_report(session=s, user_id=uid)
    rows = charts.forest_rows(trig, "en")
    assert rows
    by_exposure = {e.exposure: e for e in trig.effects if e.odds_ratio is not None}
    for label, orr, lo, hi, _v in rows:
        assert "per 1 " not in label and "(/" not in label and lo <= orr <= hi
    for e in by_exposure.values():
        label = charts.effect_label(e, "less" if e.kind == "continuous" and e.odds_ratio < 1 else "more", "en")
        row = next(r for r in rows if r[0] == label)
        if e.kind == "continuous":  # drawn the way round its sentence reads: a ratio of at least 1
            assert row[1] >= 1 and (" less " in label) == (e.odds_ratio < 1)
    for e in by_exposure.values():
        if e.kind == "continuous" and e.step == 1:  # "each hour", never "each 1 hours"
            assert f"each {e.unit.rstrip('s')} " in charts.effect_label(e, "more", "en")
    fig = charts.forest(trig, "en")
    charts.png(fig)
    ax = fig.axes[0]
    box = fig.bbox
    for tick in ax.get_yticklabels():
        ext = tick.get_window_extent()
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1, tick.get_text()
    assert {t.get_text() for t in ax.get_yticklabels()} and all(
        t.get_text().replace("\n", " ") in {r[0] for r in rows} for t in ax.get_yticklabels()
    )
    assert "times as likely" in ax.get_xlabel()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_explains_the_ratios_in_plain_words(filled, lang: str) -> None:  # type: ignore[no-untyped-def]
    db, uid, _ = filled
    html = _html(db, uid, lang)
    assert report.TEXTS[lang]["how_to_read"] in html
    assert "odds ratio" not in html.lower() and "比值比" not in html


@needs_pdftotext
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_pdf_holds_the_episode_table(recent, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    db, uid, times = recent
    out = tmp_path / f"r-{lang}.pdf"
    r = runner.invoke(diary_app, ["report", str(out), "--lang", lang])
    assert r.exit_code == 0, r.output
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    t = report.TEXTS[lang]
    assert t["episode_list"] in text
    muscle = "小腿" if lang == "zh" else "calf"
    for when in times:
        assert re.search(rf"{when:%Y-%m-%d}\s+{when:%H:%M}\s+{muscle}", text), when
