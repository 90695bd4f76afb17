"""What the diary page's charts and their tables show (drawn in the browser by ``static/js/diary-charts.js``
from a JSON data block; tables without JavaScript), with every label already in the page's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crampcheck.diary.schemas import EpisodePublic
from crampcheck.diary.triggers import TriggerReport
from crampcheck.web.diary.texts import choice_word, diary_texts

DAILY_SPAN_DAYS = 62  # longer diaries are charted per week
YEARLY_SPAN_DAYS = 366  # and longer than a year, per month
DECADES_SPAN_DAYS = 20 * 365  # and longer than twenty years, per year


def _fmt(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.3g}"


def chart_view(
    episodes: list[EpisodePublic], report: TriggerReport, by_hour: list[int], by_muscle: dict[str, int], lang: str
) -> dict[str, Any]:
    """Everything the charts and their tables show, with labels already in the page's language."""
    d = diary_texts(lang)
    over: list[dict[str, Any]] = []
    unit = d["per_day"]
    if episodes:
        days = [e.started_at.date() for e in episodes]
        span = (max(days) - min(days)).days
        if span > DECADES_SPAN_DAYS:  # per year
            unit = d["per_year"]
            years: dict[int, int] = {}
            for day in days:
                years[day.year] = years.get(day.year, 0) + 1
            for y in range(min(days).year, max(days).year + 1):
                over.append({"label": f"{y:04d}", "count": years.get(y, 0)})
        elif span > YEARLY_SPAN_DAYS:  # per month
            unit = d["per_month"]
            months: dict[str, int] = {}
            for day in days:
                months[day.strftime("%Y-%m")] = months.get(day.strftime("%Y-%m"), 0) + 1
            y, m = min(days).year, min(days).month
            while (y, m) <= (max(days).year, max(days).month):
                key = f"{y:04d}-{m:02d}"
                over.append({"label": key, "count": months.get(key, 0)})
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        else:
            weekly = span > DAILY_SPAN_DAYS
            unit = d["per_week"] if weekly else d["per_day"]
            first, last = min(days), max(days)
            if weekly:
                first = first - dt.timedelta(days=first.weekday())
            counts: dict[dt.date, int] = {}
            for day in days:
                week = day - dt.timedelta(days=day.weekday()) if weekly else day
                counts[week] = counts.get(week, 0) + 1
            cur = first
            while cur <= last:
                over.append({"label": cur.isoformat(), "count": counts.get(cur, 0)})
                cur += dt.timedelta(days=7 if weekly else 1)
    effects = []
    for e in report.effects:
        estimable = e.odds_ratio is not None and e.ci_low is not None and e.ci_high is not None
        label = e.label + (f" ({d['per']} {e.step:g} {e.unit})" if e.step else "")
        effects.append(
            {
                "label": label,
                "odds_ratio": e.odds_ratio if estimable else None,
                "ci_low": e.ci_low if estimable else None,
                "ci_high": e.ci_high if estimable else None,
                "text_or": _fmt(e.odds_ratio) if estimable and e.odds_ratio is not None else "–",
                "text_ci": (
                    f"{_fmt(e.ci_low)} – {_fmt(e.ci_high)}"
                    if estimable and e.ci_low is not None and e.ci_high is not None
                    else "–"
                ),
                "verdict": e.verdict,
                "verdict_text": d["v_" + e.verdict],
                "sentence": e.sentence,
            }
        )
    return {
        "labels": {
            "count": d["count"],
            "hour": d["hour"],
            "odds_ratio": d["odds_ratio"],
            "interval": d["interval"],
            "over_time": d["over_time"],
            "by_hour": d["by_hour"],
            "by_muscle": d["by_muscle"],
            "effects": d["effects_title"],
        },
        "over_time_unit": unit,
        "over_time": over,
        "by_hour": [{"label": f"{h:02d}:00", "count": c} for h, c in enumerate(by_hour)],
        "by_muscle": [
            {"label": choice_word("episode", "muscle", m, lang), "count": c} for m, c in by_muscle.items()
        ],
        "effects": effects,
        "warnings": list(report.warnings),
        "caution": report.caution,
    }
