"""Brute-force reference inference: enumerate all 2^n joint states, straight from the model's definition.

Independent of the precomputed arrays of :mod:`crampcheck.engine.network`: it evaluates, for every subset S
of conditions, P(f = no | S) = (1 - L * prod s) * prod (1 - p) link by link. A diagnosis of exclusion t
is reported as its label: a state containing t counts for t with weight r, the smallest factor among the groups
with an explaining cause in the state (1 when none is) (fact base 3.1: "idiopathic" is a diagnosis of exclusion). For tests (n <= 16) and as the brute-force baseline of
``benchmarks/bench_interview.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from crampcheck.engine.network import Array, link_params


def brute_force_marginals(
    stated: Array,
    leak: Array,
    prior: Array,
    evidence: Mapping[int, bool],
    exclusions: Sequence[tuple[int, Sequence[int], float]] = (),
) -> tuple[Array, float]:
    """Posterior marginals and P(evidence) by full enumeration (n conditions, stated P at leak).

    ``exclusions`` lists (target, explaining causes, factor r) groups: the target's marginal counts each state
    containing it with weight r when one of a group's causes is present (the smallest such r when several
    apply), 1 otherwise; nothing else changes."""
    n, m = stated.shape
    if n > 20:
        raise ValueError("brute force is for n <= 20")
    links = {}
    for i in range(n):
        for j in range(m):
            if not np.isnan(stated[i, j]):
                links[(i, j)] = link_params(float(stated[i, j]), float(leak[j]))
    marg = np.zeros(n)
    total = 0.0
    for mask in range(1 << n):
        present = [i for i in range(n) if mask >> i & 1]
        pr = 1.0
        for i in range(n):
            pr *= prior[i] if mask >> i & 1 else 1.0 - prior[i]
        if pr == 0.0:
            continue
        lik = 1.0
        for j, yes in evidence.items():
            act, inh = 1.0, 1.0
            for i in present:
                p, s = links.get((i, j), (0.0, 1.0))
                act *= 1.0 - p
                inh *= s
            p_no = (1.0 - leak[j] * inh) * act
            lik *= (1.0 - p_no) if yes else p_no
        w = pr * lik
        total += w
        for i in present:
            hits = [r for t, causes, r in exclusions if t == i and any(mask >> c & 1 for c in causes)]
            marg[i] += w * min(hits, default=1.0)
    return marg / total, total
