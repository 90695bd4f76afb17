"""The metrics of shared/spec/evaluation.md, computed from per-vignette outcomes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crampcheck.schema import triage_rank


@dataclass(frozen=True)
class Outcome:
    id: str
    ranked: list[str]
    triage: str
    turns: int | None
    gold_condition: str
    acceptable: list[str]
    gold_triage: str

    @property
    def top1(self) -> bool:
        return bool(self.ranked) and self.ranked[0] in {self.gold_condition, *self.acceptable}

    @property
    def top3(self) -> bool:
        return bool({self.gold_condition, *self.acceptable} & set(self.ranked[:3]))


def metrics(outcomes: list[Outcome], mode: str) -> dict[str, object]:
    n = len(outcomes)

    def share(xs: list[bool]) -> float:
        return round(sum(xs) / len(xs), 4) if xs else 0.0

    emerg = [o for o in outcomes if o.gold_triage == "emergency"]
    turns = [o.turns for o in outcomes if o.turns is not None]
    return {
        "n": n,
        "mode": mode,
        "top1": share([o.top1 for o in outcomes]),
        "top3": share([o.top3 for o in outcomes]),
        "triage_exact": share([o.triage == o.gold_triage for o in outcomes]),
        "triage_safe": share([triage_rank(o.triage) >= triage_rank(o.gold_triage) for o in outcomes]),
        "over_triage": share([triage_rank(o.triage) > triage_rank(o.gold_triage) for o in outcomes]),
        "emergency_recall": share([o.triage == "emergency" for o in emerg]) if emerg else None,
        "median_turns": round(float(np.percentile(turns, 50)), 4) if turns and mode != "facts" else None,
        "p90_turns": round(float(np.percentile(turns, 90)), 4) if turns and mode != "facts" else None,
    }
