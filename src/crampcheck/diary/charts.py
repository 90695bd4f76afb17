"""Diary charts drawn with matplotlib's Agg backend (no display needed): episodes over time, by
hour of day, by muscle, and a forest plot of each exposure's odds ratio with its interval.

Each chart is returned as PNG bytes (for the report) or written to a folder (for the CLI). Chinese
labels use Noto Sans CJK when it is installed (Debian ``fonts-noto-cjk``).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from crampcheck.diary.fields import EPISODE  # noqa: E402
from crampcheck.diary.triggers import TriggerReport  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei")

LABELS = {
    "en": {
        "over_time": "Cramps per week",
        "week": "week",
        "count": "cramps",
        "by_hour": "Cramps by hour of day",
        "hour": "hour",
        "by_muscle": "Cramps by muscle",
        "forest": "Possible triggers: odds ratio with 95% interval",
        "or": "odds ratio (log scale; right of 1 = more cramps)",
        "empty": "no data yet",
    },
    "zh": {
        "over_time": "每周抽筋次数",
        "week": "周",
        "count": "次数",
        "by_hour": "抽筋发生的时刻",
        "hour": "时",
        "by_muscle": "抽筋的部位",
        "forest": "可能的诱因：比值比及 95% 区间",
        "or": "比值比（对数刻度；1 的右侧 = 抽筋更多）",
        "empty": "暂无数据",
    },
}


def _font_family(lang: str) -> list[str]:
    if lang != "zh":
        return ["DejaVu Sans"]
    names = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in CJK_FONTS if n in names] + ["DejaVu Sans"]


def _figure(lang: str, size: tuple[float, float] = (7.0, 3.2)) -> Figure:
    fig = Figure(figsize=size, dpi=110)
    fig.set_layout_engine("tight")
    plt.rcParams["font.family"] = _font_family(lang)
    return fig


def _empty(fig: Figure, title: str, lang: str) -> Figure:
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.text(0.5, 0.5, LABELS[lang]["empty"], ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return fig


# (pandas period, date_range step, bar width in days, longest span in days for it)
OVER_TIME_BINS = (("W", "7D", 5, 5 * 365), ("M", "MS", 25, 20 * 365), ("Y", "YS", 300, 10**9))


def over_time(episodes: pd.DataFrame, lang: str = "en") -> Figure:
    t = LABELS[lang]
    fig = _figure(lang)
    if not len(episodes):
        return _empty(fig, t["over_time"], lang)
    times = pd.to_datetime(episodes["started_at"])
    span_days = (times.max() - times.min()).days
    # per week, per month or per year: at most about 250 bars, whatever the diary's span (the cost of a
    # bar chart grows with its bars: 126 years per week took 20 s)
    period, step, width = next(p for p in OVER_TIME_BINS if span_days <= p[3])[:3]
    binned = times.dt.to_period(period).dt.start_time.value_counts().sort_index()
    full = binned.reindex(pd.date_range(binned.index.min(), binned.index.max(), freq=step), fill_value=0)
    ax = fig.add_subplot()
    ax.bar(full.index, full.to_numpy(), width=width, color="#3b6ea8")
    ax.set_title(t["over_time"])
    ax.set_ylabel(t["count"])
    fig.autofmt_xdate()
    return fig


def by_hour(episodes: pd.DataFrame, lang: str = "en") -> Figure:
    t = LABELS[lang]
    fig = _figure(lang)
    if not len(episodes):
        return _empty(fig, t["by_hour"], lang)
    hours = pd.to_datetime(episodes["started_at"]).dt.hour.value_counts().reindex(range(24), fill_value=0)
    ax = fig.add_subplot()
    ax.bar(hours.index, hours.to_numpy(), color="#5a8f3c")
    ax.set_xticks(range(0, 24, 3))
    ax.set_xlabel(t["hour"])
    ax.set_ylabel(t["count"])
    ax.set_title(t["by_hour"])
    return fig


def by_muscle(episodes: pd.DataFrame, lang: str = "en") -> Figure:
    t = LABELS[lang]
    fig = _figure(lang)
    if not len(episodes):
        return _empty(fig, t["by_muscle"], lang)
    counts = episodes["muscle"].value_counts().sort_values()
    names = [EPISODE["muscle"].word(str(m), lang) for m in counts.index]
    ax = fig.add_subplot()
    ax.barh(names, counts.to_numpy(), color="#a85a3b")
    ax.set_xlabel(t["count"])
    ax.set_title(t["by_muscle"])
    return fig


def forest(report: TriggerReport, lang: str = "en") -> Figure:
    t = LABELS[lang]
    rows = [
        e for e in report.effects if e.odds_ratio is not None and e.ci_low is not None and e.ci_high is not None
    ]
    fig = _figure(lang, (7.0, 0.5 + 0.4 * max(len(rows), 3)))
    if not rows:
        return _empty(fig, t["forest"], lang)
    ax = fig.add_subplot()
    rows = rows[::-1]
    for i, e in enumerate(rows):
        assert e.odds_ratio is not None and e.ci_low is not None and e.ci_high is not None
        color = {"possible_trigger": "#c0392b", "weak_hint": "#e67e22", "possibly_protective": "#2e86c1"}.get(
            e.verdict, "#555555"
        )
        ax.plot([e.ci_low, e.ci_high], [i, i], color=color, lw=2)
        ax.plot([e.odds_ratio], [i], "s", color=color)
    labels = []
    for e in rows:
        step = f" (/{e.step:g} {e.unit})" if e.step else ""
        labels.append(e.label + step)
    ax.set_yticks(range(len(rows)), labels)
    ax.axvline(1.0, color="black", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_xlabel(t["or"])
    ax.set_title(t["forest"])
    return fig


CHARTS: dict[str, Callable[..., Figure]] = {"over_time": over_time, "by_hour": by_hour, "by_muscle": by_muscle}


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def all_pngs(episodes: pd.DataFrame, report: TriggerReport, lang: str = "en") -> dict[str, bytes]:
    """Every chart as PNG bytes, keyed by name."""
    out = {name: png(fn(episodes, lang)) for name, fn in CHARTS.items()}
    out["forest"] = png(forest(report, lang))
    return out


def draw_all(episodes: pd.DataFrame, report: TriggerReport, folder: Path, lang: str = "en") -> list[Path]:
    """Write every chart as ``<folder>/<name>.png``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in all_pngs(episodes, report, lang).items():
        path = folder / f"{name}.png"
        path.write_bytes(data)
        paths.append(path)
    return paths
