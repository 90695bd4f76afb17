"""The simulated patient of shared/spec/evaluation.md: answers from facts, unknown, or closed-world "no".

With noise ``P`` (the spec's "Noisy answers"), every answer to a question is, independently, "unknown" with
probability ``P``, the opposite of the truth with probability ``P/2`` and the truth otherwise; a finding listed
in ``unknown`` stays unknown. The draws come from a generator seeded by (seed, vignette id) through SHA-256
(never Python's salted ``hash``), so a run repeats exactly and one vignette's draws do not depend on the others.
"""

from __future__ import annotations

import hashlib

import numpy as np

from crampcheck.errors import N_, InputError
from crampcheck.evaluation.vignettes import Vignette

MAX_NOISE = 2 / 3  # P + P/2 must not exceed 1


def check_noise(noise: float) -> None:
    """Refuse a noise level outside [0, 2/3] (the chances P and P/2 must add up to at most 1)."""
    if not 0.0 <= noise <= MAX_NOISE:
        raise InputError(
            N_(
                "--noise must be between 0 and 0.667 (the chance of a 'don't know'; half of it is the chance "
                "of the opposite answer), not {value}"
            ),
            value=noise,
        )


def vignette_seed(seed: int, vignette_id: str) -> int:
    """A stable 128-bit seed for one vignette's draws (the same on every machine and every run)."""
    digest = hashlib.sha256(f"{seed}:{vignette_id}".encode()).digest()
    return int.from_bytes(digest[:16], "big")


class SimulatedPatient:
    def __init__(self, v: Vignette, noise: float = 0.0, seed: int = 0) -> None:
        check_noise(noise)
        self.facts = v.facts
        self.unknown = set(v.unknown)
        self.noise = noise
        self.rng = np.random.default_rng(vignette_seed(seed, v.id)) if noise > 0 else None

    def truth(self, finding: str) -> bool | None:
        """The answer the vignette gives (closed world: not listed means no)."""
        if finding in self.facts:
            return self.facts[finding]
        if finding in self.unknown:
            return None
        return False  # closed world

    def answer(self, finding: str) -> bool | None:
        """The answer to a question about ``finding``: the truth, or with noise a fresh draw around it."""
        true = self.truth(finding)
        if self.rng is None:
            return true
        u = float(self.rng.random())  # one draw per answer, even when it cannot change it (keeps draws aligned)
        if true is None or u >= 1.5 * self.noise:
            return true
        return None if u < self.noise else not true
