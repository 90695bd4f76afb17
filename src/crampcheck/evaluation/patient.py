"""The simulated patient of shared/spec/evaluation.md: answers from facts, unknown, or closed-world "no"."""

from __future__ import annotations

from crampcheck.evaluation.vignettes import Vignette


class SimulatedPatient:
    def __init__(self, v: Vignette) -> None:
        self.facts = v.facts
        self.unknown = set(v.unknown)

    def answer(self, finding: str) -> bool | None:
        if finding in self.facts:
            return self.facts[finding]
        if finding in self.unknown:
            return None
        return False  # closed world
