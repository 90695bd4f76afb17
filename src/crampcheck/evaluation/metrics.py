"""The metrics of shared/spec/evaluation.md, computed from per-vignette outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from crampcheck.schema import triage_rank

BINS = 10  # equal-width bins of the expected calibration error


@dataclass(frozen=True)
class Turn:
    """One question put to the simulated patient and the answers given (finding -> yes / no / unknown)."""

    question: str
    kind: str
    answers: dict[str, bool | None]
    unanswered: tuple[str, ...] = ()  # put to the person but left unanswered (a red flag left unticked)


@dataclass(frozen=True)
class Outcome:
    id: str
    ranked: list[str]
    triage: str
    turns: int | None
    gold_condition: str
    acceptable: list[str]
    gold_triage: str
    p_top1: float | None = None  # the first-ranked condition's marginal probability
    items: int | None = None  # findings put to the person (every checklist item; asked again counts again)
    top5: list[tuple[str, float]] = field(default_factory=list)
    given: dict[str, bool | None] = field(default_factory=dict)  # before any question (presenting, facts)
    transcript: list[Turn] = field(default_factory=list)

    @property
    def top1(self) -> bool:
        return bool(self.ranked) and self.ranked[0] in {self.gold_condition, *self.acceptable}

    @property
    def top3(self) -> bool:
        return bool({self.gold_condition, *self.acceptable} & set(self.ranked[:3]))


def calibration(probs: list[float], correct: list[bool], bins: int = BINS) -> tuple[float, float]:
    """(Brier score, expected calibration error) of probabilities against what turned out right.

    ECE: bin k holds the probabilities in [k/bins, (k+1)/bins) (the last bin also holds 1.0); it is the sum over
    bins of the bin's share of all cases times |mean probability in the bin - share correct in the bin|.
    """
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    brier = float(np.mean((p - y) ** 2))
    n = len(p)
    ece = sum(
        c / n * abs(mp - sc)
        for c, mp, sc in reliability_bins(probs, correct, bins)
        if mp is not None and sc is not None
    )
    return brier, ece


def reliability_bins(
    probs: list[float], correct: list[bool], bins: int = BINS
) -> list[tuple[int, float | None, float | None]]:
    """Per bin: (count, mean probability, share correct); None when the bin is empty (same bins as the ECE)."""
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    k = np.minimum(np.floor(p * bins).astype(np.intp), bins - 1)
    out: list[tuple[int, float | None, float | None]] = []
    for b in range(bins):
        m = k == b
        n = int(m.sum())
        out.append((n, float(p[m].mean()) if n else None, float(y[m].mean()) if n else None))
    return out


def metrics(outcomes: list[Outcome], mode: str) -> dict[str, object]:
    n = len(outcomes)

    def share(xs: list[bool]) -> float:
        return round(sum(xs) / len(xs), 4) if xs else 0.0

    def pct(xs: list[int], q: int) -> float | None:
        return round(float(np.percentile(xs, q)), 4) if xs and mode != "facts" else None

    emerg = [o for o in outcomes if o.gold_triage == "emergency"]
    turns = [o.turns for o in outcomes if o.turns is not None]
    items = [o.items for o in outcomes if o.items is not None]
    scored = [o for o in outcomes if o.p_top1 is not None]
    brier = ece = None
    if scored:
        b, e = calibration([o.p_top1 for o in scored if o.p_top1 is not None], [o.top1 for o in scored])
        brier, ece = round(b, 4), round(e, 4)
    return {
        "n": n,
        "mode": mode,
        "top1": share([o.top1 for o in outcomes]),
        "top3": share([o.top3 for o in outcomes]),
        "triage_exact": share([o.triage == o.gold_triage for o in outcomes]),
        "triage_safe": share([triage_rank(o.triage) >= triage_rank(o.gold_triage) for o in outcomes]),
        "over_triage": share([triage_rank(o.triage) > triage_rank(o.gold_triage) for o in outcomes]),
        "emergency_recall": share([o.triage == "emergency" for o in emerg]) if emerg else None,
        "median_turns": pct(turns, 50),
        "p90_turns": pct(turns, 90),
        "median_items": pct(items, 50),
        "brier_top1": brier,
        "ece_top1": ece,
    }
