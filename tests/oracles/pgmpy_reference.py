"""The same two-layer model built in pgmpy (full CPD tables, VariableElimination): an independent oracle.

pgmpy knows nothing of noisy-OR or leak inhibitors: each observed finding gets a TabularCPD over its parents
computed from the model's definition (fact base 1.4), and we run one VariableElimination query per condition
(never a joint query, which would build a 2^n table). Only observed findings are added: unobserved ones are
barren and would be pruned anyway. A diagnosis of exclusion is reported as its label: an extra node L_t with
parents t and its explaining causes, P(L_t = 1) = the smallest factor r of the causes present (1 when none is)
if t is present, 0 otherwise; the query for t is then the query for L_t.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np


def _p_no(stated_col: np.ndarray, leak: float, parents: list[int], states: tuple[int, ...]) -> float:
    act, inh = 1.0, 1.0
    for i, on in zip(parents, states, strict=True):
        if not on:
            continue
        p_stated = float(stated_col[i])
        if p_stated >= leak:
            act *= (1.0 - p_stated) / (1.0 - leak)
        else:
            inh *= p_stated / leak
    return (1.0 - leak * inh) * act


def build_model(  # type: ignore[no-untyped-def]
    stated: np.ndarray,
    leak: np.ndarray,
    prior: np.ndarray,
    observed: list[int],
    exclusions: Sequence[tuple[int, Sequence[int], float]] = (),
):
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    n, _ = stated.shape
    edges = []
    cpds = []
    for i in range(n):
        cpds.append(TabularCPD(f"c{i}", 2, [[1 - prior[i]], [prior[i]]]))
    groups: dict[int, list[tuple[set[int], float]]] = {}
    for t, cs, r in exclusions:
        groups.setdefault(t, []).append((set(cs), r))
    for t, gs in groups.items():
        causes = sorted(set().union(*(cs for cs, _ in gs)))
        parents = [t, *causes]
        edges += [(f"c{c}", f"L{t}") for c in parents]
        yes = []
        for states in itertools.product([0, 1], repeat=len(parents)):
            present = {c for c, on in zip(parents, states, strict=True) if on}
            yes.append(min([r for cs, r in gs if cs & present], default=1.0) if t in present else 0.0)
        cpds.append(
            TabularCPD(
                f"L{t}",
                2,
                [[1 - p for p in yes], yes],
                evidence=[f"c{c}" for c in parents],
                evidence_card=[2] * len(parents),
            )
        )
    for j in observed:
        parents = [i for i in range(n) if not np.isnan(stated[i, j])]
        edges += [(f"c{i}", f"f{j}") for i in parents]
        cols_no, cols_yes = [], []
        for states in itertools.product([0, 1], repeat=len(parents)):
            pn = _p_no(stated[:, j], float(leak[j]), parents, states)
            cols_no.append(pn)
            cols_yes.append(1 - pn)
        cpds.append(
            TabularCPD(
                f"f{j}",
                2,
                [cols_no, cols_yes],
                evidence=[f"c{i}" for i in parents] or None,
                evidence_card=[2] * len(parents) or None,
            )
        )
    model = DiscreteBayesianNetwork(edges)
    model.add_nodes_from([f"c{i}" for i in range(n)] + [f"f{j}" for j in observed] + [f"L{t}" for t in groups])
    model.add_cpds(*cpds)
    return model


def pgmpy_marginals(
    stated: np.ndarray,
    leak: np.ndarray,
    prior: np.ndarray,
    evidence: Mapping[int, bool],
    exclusions: Sequence[tuple[int, Sequence[int], float]] = (),
) -> np.ndarray:
    from pgmpy.inference import VariableElimination

    model = build_model(stated, leak, prior, sorted(evidence), exclusions)
    ve = VariableElimination(model)
    ev = {f"f{j}": int(v) for j, v in evidence.items()}
    out = np.zeros(stated.shape[0])
    labelled = {t for t, _, _ in exclusions}
    for i in range(stated.shape[0]):
        q = ve.query([f"L{i}" if i in labelled else f"c{i}"], evidence=ev, show_progress=False)
        out[i] = float(q.values[1])
    return out
