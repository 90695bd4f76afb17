"""Compiling the knowledge base into the arrays of a two-layer noisy-OR network with leak inhibitors.

Each link P(f | c alone) is stated at the finding's reference leak L0 (fact base 1.4). When P >= L0 it is an
ordinary noisy-OR activation p = 1 - (1 - P) / (1 - L0); when P < L0 the condition *inhibits* the leak with
s = P / L0, so that for a set S of present conditions

    P(f = no | S) = (1 - L * prod_{c in S} s_c) * prod_{c in S} (1 - p_c).

The network also enumerates the joint states with at most ``max_causes`` simultaneous conditions and
precomputes, for every state and finding, ``A = sum log(1 - p)`` and ``B = prod s``; inference is then one
gather and a few vectorised operations (see :mod:`crampcheck.engine.posterior`). Knows nothing of queries.

Diagnoses of exclusion (``model/exclusions.yaml``) are labels, not mechanisms: the network's node for an
excluded condition t stands for its kind of cramps, and what is reported for t is the label "t, and no
explaining cause": an unobserved child L_t of t and its explaining causes with P(L_t | t present, state S) =
min of r_c over the explaining causes c in S (1 when none is present) and 0 without t. P(L_t | answers) is then
a weighted sum over the enumerated states; the other conditions' probabilities, the evidence and every
doctor-level probability are untouched (a present specific cause is never made less likely). The network keeps,
for each excluded condition, which states contain it and that factor per state (``label``: membership with the
excluded columns weighted).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from crampcheck.kb.schema import BANDS, KnowledgeBase

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Exclusion:
    """A diagnosis of exclusion, compiled: in a state containing ``target`` and explaining causes (``factors``:
    cause -> r), the target's label holds with probability r, the smallest r of the causes present.
    ``has_target`` flags the enumerated states (S,) containing the target; ``state_factor`` (S,) is that r per
    state (1 for none)."""

    target: int
    factors: dict[int, float]
    has_target: NDArray[np.bool_] = field(repr=False)
    state_factor: Array = field(repr=False)


@dataclass(frozen=True)
class Network:
    """Arrays of one knowledge base (n conditions, m findings, S enumerated states)."""

    conditions: tuple[str, ...]
    findings: tuple[str, ...]
    cidx: dict[str, int]
    fidx: dict[str, int]
    stated: Array  # (n, m) stated P(f | c alone); nan where no link
    log1mp: Array  # (n, m) log(1 - p) of activations (0 where none)
    log_s: Array  # (n, m) log of leak inhibitors (0 where none)
    leak_ref: Array  # (m,)
    leaks: dict[tuple[str, str], Array]  # (band, sex) -> (m,)
    priors: dict[tuple[str, str], Array]  # (band, sex) -> (n,)
    preg_set: Array  # (n,) prior to set when pregnant (nan = no setting)
    preg_mult: Array  # (n,) prior multiplier when pregnant (1 = none)
    pregnancy_condition: int | None
    pregnancy_q: dict[str, float]  # P(pregnant | female, age band), used when the answer is unknown
    requires_any: tuple[tuple[int, tuple[int, ...]], ...]
    exclusions: tuple[Exclusion, ...]  # diagnoses of exclusion (target, explaining causes, factor)
    max_causes: int
    states: NDArray[np.intp]  # (S, k) condition indices, padded with n
    state_size: NDArray[np.intp]  # (S,)
    A: Array = field(repr=False)  # (S, m) sum over members of log(1 - p)
    EB: Array = field(repr=False)  # (S, m) product over members of s
    member: Array = field(repr=False)  # (S, n) 0/1 membership (float for matrix products)
    member32: NDArray[np.float32] = field(repr=False)  # the same in single precision (question scoring)
    label: Array = field(repr=False)  # (S, n) membership, excluded conditions weighted by their factor
    _tables: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def _cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """The derived table under ``key``, built on first use and kept with the network."""
        t = self._tables.get(key)
        if t is None:
            t = self._tables[key] = build()
        return t

    def log_p0_t(self, band: str, sex: str) -> Array:
        """(m, S) log P(finding = no | state) for one age band and sex, built once and cached.

        Stored finding-major so that gathering the rows of the answered findings is a contiguous copy.
        """

        def build() -> Array:
            with np.errstate(divide="ignore"):
                t = np.ascontiguousarray((self.A + np.log1p(-self.leaks[(band, sex)][None, :] * self.EB)).T)
            return np.maximum(t, -1e4)

        return self._cached((band, sex), build)  # type: ignore[no-any-return]

    def p0_t(self, band: str, sex: str) -> NDArray[np.float32]:
        """(m, S) P(finding = no | state) in single precision, for scoring questions (where six digits are
        plenty and half the memory traffic halves the time); cached like the others."""
        return self._cached(  # type: ignore[no-any-return]
            ("p0", band, sex),
            lambda: np.ascontiguousarray(np.exp(self.log_p0_t(band, sex)), dtype=np.float32),
        )

    def log_p1_t(self, band: str, sex: str) -> Array:
        """(m, S) log P(finding = yes | state), the complement of :meth:`log_p0_t`, cached likewise."""

        def build() -> Array:
            with np.errstate(divide="ignore"):
                t = np.log(-np.expm1(np.minimum(self.log_p0_t(band, sex), -1e-300)))
            return np.ascontiguousarray(np.maximum(t, -1e4))

        return self._cached(("yes", band, sex), build)  # type: ignore[no-any-return]

    def loglik_t(self, band: str, sex: str) -> Array:
        """(2m, S) log P(answer | state): rows 0..m-1 for "no", rows m..2m-1 for "yes" (finding j answered
        yes is row m + j), so the rows of any set of answers are one gather. Built once and cached."""
        return self._cached(  # type: ignore[no-any-return]
            ("both", band, sex),
            lambda: np.ascontiguousarray(np.vstack([self.log_p0_t(band, sex), self.log_p1_t(band, sex)])),
        )

    def pinv32_t(self, band: str, sex: str) -> NDArray[np.float32]:
        """(2m, S) 1 / P(answer | state) in single precision, rows as in :meth:`loglik_t` (inf where the
        answer is impossible in that state). Leave-one-out explanations use it: dropping answer j divides
        each state's weight by P(answer j | state). Cached like the others."""

        def build() -> NDArray[np.float32]:
            ll = self.loglik_t(band, sex)
            with np.errstate(over="ignore"):
                t = np.ascontiguousarray(np.exp(-ll), dtype=np.float32)
            t[ll <= -1e4] = np.inf
            return t

        return self._cached(("pinv", band, sex), build)  # type: ignore[no-any-return]

    @property
    def member_t32(self) -> NDArray[np.float32]:
        """(n, S) membership, condition-major, single precision (cached)."""
        return self._cached("member_t32", lambda: np.ascontiguousarray(self.member32.T))  # type: ignore[no-any-return]

    @property
    def label_t32(self) -> NDArray[np.float32]:
        """(n, S) the reported labels' weights per state (membership, excluded conditions weighted by their
        factor), condition-major, single precision (cached)."""
        return self._cached(  # type: ignore[no-any-return]
            "label_t32", lambda: np.ascontiguousarray(self.label.T, dtype=np.float32)
        )

    @property
    def state_bits(self) -> NDArray[np.uint64] | None:
        """(S,) each state's members as bits of one integer (None with more than 64 conditions); cached."""
        if self.n > 64:
            return None

        def build() -> NDArray[np.uint64]:
            bit = np.append(np.left_shift(np.uint64(1), np.arange(self.n, dtype=np.uint64)), np.uint64(0))
            return np.bitwise_or.reduce(bit[self.states], axis=1)  # type: ignore[no-any-return]

        return self._cached("state_bits", build)  # type: ignore[no-any-return]

    @property
    def cond_states(self) -> NDArray[np.intp]:
        """(n, K) the indices of the states containing each condition (every condition is in the same
        number of enumerated states, so the table is rectangular); cached."""
        return self._cached(  # type: ignore[no-any-return]
            "cond_states", lambda: np.ascontiguousarray(np.nonzero(self.member.T)[1].reshape(self.n, -1))
        )

    @property
    def n(self) -> int:
        return len(self.conditions)

    @property
    def m(self) -> int:
        return len(self.findings)


def link_params(P: float, L0: float) -> tuple[float, float]:
    """(activation p, inhibitor s) of a link stated as P at reference leak L0 (fact base 1.4)."""
    if P >= L0:
        p = 1.0 - (1.0 - P) / (1.0 - L0) if L0 < 1.0 else 0.0
        return min(max(p, 0.0), 1.0 - 1e-12), 1.0
    return 0.0, P / L0


def enumerate_states(n: int, k: int) -> NDArray[np.intp]:
    """All subsets of range(n) with at most k members, as rows padded with n (the empty slot)."""
    rows: list[tuple[int, ...]] = []
    for size in range(0, min(k, n) + 1):
        for combo in itertools.combinations(range(n), size):
            rows.append(combo + (n,) * (k - size))
    return np.array(rows, dtype=np.intp).reshape(len(rows), k)


def compile_network(kb: KnowledgeBase, max_causes: int = 3) -> Network:
    conds = tuple(kb.conditions)
    finds = tuple(f for f in kb.findings if f not in kb.context_findings)
    cidx = {c: i for i, c in enumerate(conds)}
    fidx = {f: j for j, f in enumerate(finds)}
    n, m = len(conds), len(finds)
    leak_ref = np.array([kb.findings[f].leak.ref or 0.0 for f in finds])
    stated = np.full((n, m), np.nan)
    log1mp = np.zeros((n, m))
    log_s = np.zeros((n, m))
    for c, cond in kb.conditions.items():
        i = cidx[c]
        for f, link in cond.links.items():
            if f not in fidx:
                continue
            j = fidx[f]
            stated[i, j] = link.p
            p, s = link_params(link.p, float(leak_ref[j]))
            log1mp[i, j] = np.log1p(-p)
            log_s[i, j] = np.log(s) if s > 0 else -np.inf
    leaks: dict[tuple[str, str], Array] = {}
    priors: dict[tuple[str, str], Array] = {}
    for band in BANDS:
        for sex in ("female", "male"):
            leaks[(band, sex)] = np.array([kb.findings[f].leak.at(band, sex) for f in finds])
            priors[(band, sex)] = np.array(
                [getattr(kb.conditions[c].prior.by_age[band], sex) for c in conds], dtype=float
            )
    preg_set = np.full(n, np.nan)
    preg_mult = np.ones(n)
    preg_cond: int | None = None
    for c, cond in kb.conditions.items():
        rule = cond.prior.if_pregnant
        if rule is None:
            continue
        if rule.set is not None:
            preg_set[cidx[c]] = rule.set
            preg_cond = cidx[c]
        if rule.multiply is not None:
            preg_mult[cidx[c]] = rule.multiply
    requires = tuple(
        (cidx[c], tuple(fidx[f] for f in cond.requires_any if f in fidx))
        for c, cond in kb.conditions.items()
        if cond.requires_any
    )
    exclusions = [
        (cidx[t], [cidx[e] for e in ex.explained_by], ex.factor)
        for t, groups in kb.exclusions.items()
        for ex in groups
        if t in cidx
    ]
    return _assemble(
        conds,
        finds,
        stated,
        log1mp,
        log_s,
        leak_ref,
        leaks,
        priors,
        preg_set,
        preg_mult,
        preg_cond,
        dict(kb.pregnancy_q),
        requires,
        max_causes,
        exclusions,
    )


def from_arrays(
    stated: Array,
    leak: Array,
    prior: Array,
    max_causes: int | None = None,
    exclusions: Sequence[tuple[int, Sequence[int], float]] = (),
) -> Network:
    """A network from raw arrays (n conditions x m findings), the same leak and prior for everyone.

    Used by tests and benchmarks to build random networks; ``stated`` holds P(f | c alone) at leak ``leak``
    (nan for no link); ``exclusions`` lists (target, explaining causes, factor) groups as in
    ``model/exclusions.yaml`` (several groups may share a target; a state takes the smallest factor present).
    """
    n, m = stated.shape
    log1mp = np.zeros((n, m))
    log_s = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            if not np.isnan(stated[i, j]):
                p, s = link_params(float(stated[i, j]), float(leak[j]))
                log1mp[i, j] = np.log1p(-p)
                log_s[i, j] = np.log(s) if s > 0 else -np.inf
    leaks = {(b, x): leak.astype(float) for b in BANDS for x in ("female", "male")}
    priors = {(b, x): prior.astype(float) for b in BANDS for x in ("female", "male")}
    return _assemble(
        tuple(f"c{i}" for i in range(n)),
        tuple(f"f{j}" for j in range(m)),
        stated,
        log1mp,
        log_s,
        leak.astype(float),
        leaks,
        priors,
        np.full(n, np.nan),
        np.ones(n),
        None,
        {},
        (),
        n if max_causes is None else max_causes,
        exclusions,
    )


def _assemble(
    conds: tuple[str, ...],
    finds: tuple[str, ...],
    stated: Array,
    log1mp: Array,
    log_s: Array,
    leak_ref: Array,
    leaks: dict[tuple[str, str], Array],
    priors: dict[tuple[str, str], Array],
    preg_set: Array,
    preg_mult: Array,
    preg_cond: int | None,
    preg_q: dict[str, float],
    requires: tuple[tuple[int, tuple[int, ...]], ...],
    max_causes: int,
    exclusions: Sequence[tuple[int, Sequence[int], float]] = (),
) -> Network:
    n, m = stated.shape
    cidx = {c: i for i, c in enumerate(conds)}
    fidx = {f: j for j, f in enumerate(finds)}
    states = enumerate_states(n, max_causes)
    pad_log1mp = np.vstack([log1mp, np.zeros((1, m))])
    pad_log_s = np.vstack([log_s, np.zeros((1, m))])
    A = pad_log1mp[states].sum(axis=1)
    with np.errstate(invalid="ignore"):
        EB = np.exp(pad_log_s[states].sum(axis=1))
    member = np.zeros((len(states), n + 1))
    np.put_along_axis(member, states, 1.0, axis=1)
    member = np.ascontiguousarray(member[:, :n])
    compiled = _compile_exclusions(n, member, exclusions)
    label = member.copy()
    for ex in compiled:
        label[:, ex.target] *= ex.state_factor
    return Network(
        conditions=conds,
        findings=finds,
        cidx=cidx,
        fidx=fidx,
        stated=stated,
        log1mp=log1mp,
        log_s=log_s,
        leak_ref=leak_ref,
        leaks=leaks,
        priors=priors,
        preg_set=preg_set,
        preg_mult=preg_mult,
        pregnancy_condition=preg_cond,
        pregnancy_q=preg_q,
        requires_any=requires,
        exclusions=compiled,
        max_causes=max_causes,
        states=states,
        state_size=(states < n).sum(axis=1),
        A=np.ascontiguousarray(A),
        EB=np.ascontiguousarray(EB),
        member=member,
        member32=member.astype(np.float32),
        label=label,
    )


def _compile_exclusions(
    n: int, member: Array, exclusions: Sequence[tuple[int, Sequence[int], float]]
) -> tuple[Exclusion, ...]:
    """Group (target, causes, factor) entries by target; check them; compute each state's factor."""
    by_target: dict[int, dict[int, float]] = {}
    for t, causes, r in exclusions:
        if not 0 <= t < n or not causes or any(not 0 <= c < n for c in causes):
            raise ValueError(f"exclusion of condition {t}: condition indices out of range")
        if not 0.0 < r <= 1.0:
            raise ValueError(f"exclusion of condition {t}: the factor must be in (0, 1], got {r}")
        fac = by_target.setdefault(int(t), {})
        for c in causes:
            fac[int(c)] = min(fac.get(int(c), 1.0), float(r))
    out: list[Exclusion] = []
    for t, fac in sorted(by_target.items()):
        if t in fac or set(fac) & set(by_target):
            raise ValueError(f"exclusion of condition {t}: an explaining cause must not itself be excluded")
        rvec = np.ones(n + 1)
        for c, r in fac.items():
            rvec[c] = r
        # the smallest factor among each state's members (1 for states without an explaining cause)
        state_factor = np.where(member > 0, rvec[:n][None, :], 1.0).min(axis=1)
        out.append(Exclusion(target=t, factors=dict(fac), has_target=member[:, t] > 0, state_factor=state_factor))
    return tuple(out)
