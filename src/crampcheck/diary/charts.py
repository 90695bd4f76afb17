"""Diary charts drawn with matplotlib's Agg backend (no display needed): episodes over time, by
hour of day, by muscle, and a forest plot of each exposure's odds ratio with its interval.

Each chart is returned as PNG bytes (for the report) or written to a folder (for the CLI). Chinese
labels use Noto Sans CJK when it is installed (Debian ``fonts-noto-cjk``). Counts are whole numbers on their
axis. The forest plot says its numbers in plain words ("times as likely") and each row the way round its
sentence reads ("each hour less sleep"): a measured exposure that goes with fewer cramps when it rises is drawn
as "less" with the ratio inverted, so that no reader has to flip a ratio below 1 in their head.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator, NullLocator  # noqa: E402

from crampcheck.diary.fields import EPISODE  # noqa: E402
from crampcheck.diary.triggers import Effect, TriggerReport, spec_for  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei")

LABELS = {
    "en": {
        "over_time": "Cramps per week",
        "week": "week",
        "count": "cramps",
        "by_hour": "Cramps by hour of day",
        "hour": "hour",
        "by_muscle": "Cramps by muscle",
        "forest": "Possible triggers: how many times as likely cramps were (95% interval)",
        "or": "times as likely (1 = no difference; right of 1 = more cramps)",
        "after": "after days with {what}",
        "each": "each {amount} {direction} {what}",
        "more": "more",
        "less": "less",
        "empty": "no data yet",
    },
    "zh": {
        "over_time": "每周抽筋次数",
        "week": "周",
        "count": "次数",
        "by_hour": "抽筋发生的时刻",
        "hour": "时",
        "by_muscle": "抽筋的部位",
        "forest": "可能的诱因：抽筋的可能性是平时的几倍（95% 区间）",
        "or": "倍数（1 = 没有差别；1 的右侧 = 抽筋更多）",
        "after": "有{what}的日子之后",
        "each": "{what}每{direction} {amount}",
        "more": "多",
        "less": "少",
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
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
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
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
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
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(t["count"])
    ax.set_title(t["by_muscle"])
    return fig


def forest_rows(report: TriggerReport, lang: str = "en") -> list[tuple[str, float, float, float, str]]:
    """The rows of the forest plot: (label in plain words, ratio, interval low, high, verdict), each measured
    exposure turned the way its ratio is above 1 ("each hour less sleep")."""
    rows: list[tuple[str, float, float, float, str]] = []
    for e in report.effects:
        if e.odds_ratio is None or e.ci_low is None or e.ci_high is None:
            continue
        orr, lo, hi = e.odds_ratio, e.ci_low, e.ci_high
        less = e.kind == "continuous" and orr < 1
        if less:
            orr, lo, hi = 1 / orr, 1 / hi, 1 / lo
        rows.append((effect_label(e, "less" if less else "more", lang), orr, lo, hi, e.verdict))
    return rows


def effect_label(e: Effect, direction: str, lang: str = "en") -> str:
    """What an effect's ratio compares, in words: "after days with cold exposure", "each hour less sleep"."""
    t = LABELS[lang]
    spec = spec_for(e.exposure)
    what = spec.zh if lang == "zh" else spec.en
    if e.kind == "binary":
        return t["after"].format(what=what)
    step = e.step or 1.0
    unit = spec.unit_zh if lang == "zh" else spec.unit_en
    if lang == "zh":
        amount = f"{step:g} {unit}".strip()
    elif step == 1:  # "each hour", never "per 1 hours"
        amount = unit[:-1] if unit.endswith("s") else unit
    else:
        amount = f"{step:g} {unit}".strip()
    return t["each"].format(amount=amount, direction=t[direction], what=what)


def forest(report: TriggerReport, lang: str = "en") -> Figure:
    t = LABELS[lang]
    rows = forest_rows(report, lang)
    # the labels are wrapped, never cut; the figure grows with the lines they take
    width = 18 if lang == "zh" else 30
    labels = [textwrap.fill(r[0], width) for r in rows[::-1]]
    lines = sum(label.count("\n") + 1 for label in labels)
    fig = _figure(lang, (7.0, 1.1 + 0.3 * max(lines, 3)))
    if not rows:
        return _empty(fig, t["forest"], lang)
    ax = fig.add_subplot()
    for i, (_label, orr, lo, hi, verdict) in enumerate(rows[::-1]):
        color = {"possible_trigger": "#c0392b", "weak_hint": "#e67e22", "possibly_protective": "#2e86c1"}.get(
            verdict, "#555555"
        )
        ax.plot([lo, hi], [i, i], color=color, lw=2)
        ax.plot([orr], [i], "s", color=color)
    ax.set_yticks(range(len(rows)), labels)
    ax.axvline(1.0, color="black", lw=0.8, ls="--")
    ax.set_xscale("log")
    low, high = min(min(r[2] for r in rows), 1.0), max(max(r[3] for r in rows), 1.0)
    ticks = [x for x in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100) if low / 1.5 <= x <= high * 1.5]
    ax.set_xticks(ticks, [f"{x:g}" for x in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(t["or"])
    ax.set_title(t["forest"])
    return fig


CHARTS: dict[str, Callable[..., Figure]] = {"over_time": over_time, "by_hour": by_hour, "by_muscle": by_muscle}


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def all_pngs(
    episodes: pd.DataFrame, report: TriggerReport, lang: str = "en", with_data_only: bool = False
) -> dict[str, bytes]:
    """Every chart as PNG bytes, keyed by name; with ``with_data_only``, only those that have something to show
    (a page in a report is not given to "no data yet")."""
    out = {}
    if len(episodes) or not with_data_only:
        out = {name: png(fn(episodes, lang)) for name, fn in CHARTS.items()}
    if forest_rows(report, lang) or not with_data_only:
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
