"""Posterior marginals of every condition given yes/no answers, by weighted enumeration of joint states.

Conditions are independent roots, so a joint state S (the set of conditions present) has prior
prod_{i in S} pi_i prod_{i not in S} (1 - pi_i), and given S the findings are independent. The network
enumerates every state with at most k causes (k = 3: 9,178 states for 38 conditions); each state's weight is
prior x likelihood, computed for all states at once from the precomputed arrays. The mass of the states
left out (more than k causes) is bounded by their prior mass, which this module reports with the result.
Unanswered and "unknown" findings are barren and drop out. Pregnancy is context: when it is unknown, the
state prior is the mixture q * prior(pregnant) + (1 - q) * prior(not pregnant) (fact base 2.3).

A diagnosis of exclusion t (``model/exclusions.yaml``) is reported as its label, "t and no explaining cause":
the sum over states of weight x (membership of t) x the state's factor (the smallest factor of the explaining
causes present, 1 when none is). The states' weights, the evidence and every other marginal are those of the
network; as the label never exceeds membership, the truncation bound holds for it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from crampcheck.engine.network import Array, Network
from crampcheck.errors import EngineError
from crampcheck.kb.schema import age_band

LOG_FLOOR = -1e4  # stands for log(0) inside sums, so leave-one-out differences stay finite
# States whose log weight is more than PRUNE below the heaviest are left out of sums: each weighs less than
# e^-40 (4e-18) of the heaviest, so all of them together change no probability by more than S x 4e-18
# (below 1e-13 for 9,178 states). Exact in double precision, and most states drop out after a few answers.
PRUNE = 40.0

PREGNANCY_ABSENT_PRIOR = 0.003  # fact base 2.3: weeks after delivery, females 12-49 (estimate)


@dataclass(frozen=True)
class Context:
    """Who the person is: the parts of the case that set the priors and leaks."""

    age: int
    sex: str
    pregnant: bool | None  # None: not known


@dataclass
class Posterior:
    marginals: Array  # (n,)
    none: float  # probability that no modelled condition is present
    weights: Array  # (S,) normalised state weights
    loglik: Array  # (len(obs), S) per-answer log-likelihood of each state (floored)
    logw: Array  # (S,) unnormalised log weight of each state (log prior + log-likelihood)
    keep: NDArray[np.intp]  # indices of the states within PRUNE of the heaviest (ascending)
    obs: list[tuple[int, bool]]  # (finding index, answered yes?)
    log_evidence: float
    neglected_bound: float
    leak: Array  # (m,) leaks used for this case


def pregnancy_q(kb_q: Mapping[str, float], ctx: Context) -> float:
    """P(pregnant | female user of that age) used when the answer is not known."""
    if ctx.sex != "female":
        return 0.0
    return float(kb_q.get(age_band(ctx.age), 0.0))


def condition_priors(net: Network, ctx: Context, pregnant: bool) -> Array:
    """Prior of every condition for this person, pregnant or not (fact base 2.2-2.3)."""
    pri = net.priors[(age_band(ctx.age), ctx.sex)].copy()
    pc = net.pregnancy_condition
    if pregnant:
        pri = np.minimum(pri * net.preg_mult, 0.9)
        has_set = ~np.isnan(net.preg_set)
        pri[has_set] = net.preg_set[has_set]
    elif pc is not None:
        pri[pc] = PREGNANCY_ABSENT_PRIOR if ctx.sex == "female" and 12 <= ctx.age <= 49 else 0.0
    return pri


def _state_log_prior(net: Network, pri: Array) -> Array:
    pri = np.clip(pri, 0.0, 0.999)
    with np.errstate(divide="ignore"):
        logit = np.log(pri) - np.log1p(-pri)
    base = float(np.log1p(-pri).sum())
    pad = np.append(logit, 0.0)
    return pad[net.states].sum(axis=1) + base


def _tail_mass(pri: Array, k: int) -> float:
    """P(more than k conditions present) under independent priors (Poisson-binomial recursion)."""
    dist = np.zeros(k + 2)
    dist[0] = 1.0
    for p in pri:
        new = dist * (1 - p)
        new[1:] += dist[:-1] * p
        new[-1] += dist[-1] * p  # the last cell accumulates "more than k"
        dist = new
    return float(dist[-1])


def state_log_prior(net: Network, ctx: Context, ruled_out: set[int] | None = None) -> tuple[Array, float]:
    """Log prior of every enumerated state for this person, and the prior mass of the states left out."""
    key = ("prior", age_band(ctx.age), ctx.sex, ctx.pregnant, ctx_q(net, ctx), tuple(sorted(ruled_out or ())))
    hit = net._tables.get(key)  # type: ignore[call-overload]
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    res = _state_log_prior_uncached(net, ctx, ruled_out)
    if len(net._tables) < 512:
        net._tables[key] = res  # type: ignore[index]
    return res


def _state_log_prior_uncached(net: Network, ctx: Context, ruled_out: set[int] | None) -> tuple[Array, float]:
    comps: list[tuple[float, Array]] = []
    if ctx.pregnant is True:
        comps = [(1.0, condition_priors(net, ctx, True))]
    elif ctx.pregnant is False:
        comps = [(1.0, condition_priors(net, ctx, False))]
    else:
        q = ctx_q(net, ctx)
        comps = [(1 - q, condition_priors(net, ctx, False))]
        if q > 0:
            comps.append((q, condition_priors(net, ctx, True)))
    out: Array | None = None
    tail = 0.0
    for wt, pri in comps:
        if ruled_out:
            pri = pri.copy()
            pri[list(ruled_out)] = 0.0
        lp = _state_log_prior(net, pri) + np.log(wt)
        out = lp if out is None else np.logaddexp(out, lp)
        tail += wt * _tail_mass(pri, net.max_causes)
    assert out is not None
    return out, tail


def ctx_q(net: Network, ctx: Context) -> float:
    return pregnancy_q(net.pregnancy_q, ctx)


def finding_loglik(
    net: Network, ctx: Context, cols: np.ndarray, yes: np.ndarray, rows: np.ndarray | None = None
) -> Array:
    """(len(cols), S) log P(answer | state) for the given finding columns (floored at LOG_FLOOR)."""
    table = net.loglik_t(age_band(ctx.age), ctx.sex)
    picked = np.asarray(cols, dtype=np.intp) + net.m * np.asarray(yes, dtype=np.intp)
    if rows is None:
        return table[picked]
    return table[np.ix_(picked, rows)]


def ruled_out_by_constraints(net: Network, evidence: Mapping[int, bool]) -> set[int]:
    out: set[int] = set()
    for ci, fis in net.requires_any:
        if fis and all(evidence.get(f) is False for f in fis):
            out.add(ci)
    return out


def posterior(net: Network, ctx: Context, evidence: Mapping[int, bool], keep_rows: bool = True) -> Posterior:
    """Exact (up to the reported bound) posterior marginals given answers {finding index: yes?}.

    ``keep_rows`` keeps each answer's log-likelihood row (needed for explanations); without it only their
    sum is kept.
    """
    leak = net.leaks[(age_band(ctx.age), ctx.sex)]
    logprior, tail = state_log_prior(net, ctx, ruled_out_by_constraints(net, evidence))
    obs = sorted(evidence.items())
    cols = np.array([j for j, _ in obs], dtype=np.intp)
    yes = np.array([v for _, v in obs], dtype=bool)
    if not obs:
        ll = np.zeros((0, len(net.states)))
        logw = logprior
    else:
        ll = finding_loglik(net, ctx, cols, yes)
        logw = logprior + ll.sum(axis=0)
        if not keep_rows:
            ll = np.zeros((0, len(net.states)))
    mx = float(np.max(logw))
    if not np.isfinite(mx):
        raise EngineError("the answers are impossible under every modelled state (check the knowledge base)")
    w = np.exp(logw - mx)
    Z = float(w.sum())
    w /= Z
    keep = np.flatnonzero(logw > mx - PRUNE)
    marg = label_sums(net, w, keep)
    if np.any(marg < -1e-9) or np.any(marg > 1 + 1e-9) or not np.all(np.isfinite(marg)):
        raise EngineError("posterior failed its range check")
    log_z = mx + float(np.log(Z))
    bound = float(min(1.0, tail / np.exp(log_z))) if log_z > -700 else 1.0
    return Posterior(
        marginals=np.clip(marg, 0.0, 1.0),
        none=float(w[0]),
        weights=w,
        loglik=ll,
        logw=logw,
        keep=keep,
        obs=obs,
        log_evidence=log_z,
        neglected_bound=bound,
        leak=leak,
    )


def state_sums(net: Network, w: Array, keep: NDArray[np.intp]) -> Array:
    """(n,) for each condition, the summed weight of the kept states that contain it."""
    if len(keep) * 4 > len(w):  # most states kept: sum each condition's states over all of them
        return np.asarray(w[net.cond_states].sum(axis=1))
    k = net.states.shape[1]
    sums = np.bincount(net.states[keep].ravel(), weights=np.repeat(w[keep], k), minlength=net.n + 1)
    return np.asarray(sums[: net.n])


def label_sums(net: Network, w: Array, keep: NDArray[np.intp]) -> Array:
    """(n,) the reported probability of each condition: :func:`state_sums`, with each diagnosis of exclusion
    replaced by its label (its states' weights times their factor)."""
    marg = state_sums(net, w, keep)
    for ex in net.exclusions:
        marg[ex.target] = float(w[keep] @ net.label[keep, ex.target])
    return marg


def prob_any(net: Network, post: Posterior, conditions: NDArray[np.bool_]) -> float:
    """P(at least one of the flagged conditions is present | answers). A flagged diagnosis of exclusion counts
    with its kind of cramps (membership), whatever its label: a need for a doctor is never explained away."""
    flags = np.asarray(conditions, dtype=bool)
    bits = net.state_bits
    if bits is not None:
        mask = np.uint64(sum(1 << int(i) for i in np.flatnonzero(flags)))
        hit = (bits & mask) != 0
    else:
        hit = np.append(flags, False)[net.states].any(axis=1)  # the padding slot n is never a condition
    return float(post.weights[hit].sum())


def leave_one_out(net: Network, ctx: Context, post: Posterior, conditions: np.ndarray | None = None) -> Array:
    """(n or len(conditions), len(obs)) marginals with each answer removed in turn (for explanations).

    Removing answer j divides each state's weight by P(answer j | state), so with W = weights x membership
    the marginals are (1/P)_J @ W over (1/P)_J @ weights (W with the labels' weights, as the marginals): one gather of the answers' rows of the cached
    1/P table and one matrix product. Single precision (about 1e-5): these numbers are shown rounded, as
    explanations. A row with an impossible answer (1/P infinite) is computed in logs instead.
    """
    cond = np.arange(net.n) if conditions is None else np.asarray(conditions, dtype=np.intp)
    if not post.obs:
        return np.zeros((len(cond), 0))
    if post.loglik.shape[0] != len(post.obs):
        raise EngineError("leave-one-out needs the posterior's per-answer rows (keep_rows=True)")
    cols = np.array([j for j, _ in post.obs], dtype=np.intp)
    yes = np.array([v for _, v in post.obs], dtype=np.intp)
    pinv = net.pinv32_t(age_band(ctx.age), ctx.sex)[cols + net.m * yes]  # (J, S)
    w32 = post.weights.astype(np.float32)
    wt = np.empty((len(cond) + 1, len(w32)), dtype=np.float32)
    np.multiply(net.label_t32[cond], w32, out=wt[:-1])
    wt[-1] = w32
    num = (pinv @ wt.T).astype(np.float64)  # (J, C + 1)
    out = num[:, :-1] / num[:, -1:]
    bad = ~np.isfinite(num).all(axis=1)
    for j in np.flatnonzero(bad):  # an answer impossible in some state: the same sum in logs
        lo = post.logw - post.loglik[j]
        wl = np.exp(lo - lo.max())
        out[j] = (net.label[:, cond].T @ wl) / wl.sum()
    return np.asarray(out.T)


def single_fault_factor(net: Network, ctx: Context, post: Posterior) -> Array:
    """(n, len(obs)) likelihood ratio of each answer: P(answer | condition alone) / P(answer | none)."""
    if not post.obs:
        return np.zeros((net.n, 0))
    rows = np.arange(0, net.n + 1)  # row 0: empty state; rows 1..n: singletons
    cols = np.array([j for j, _ in post.obs], dtype=np.intp)
    yes = np.array([v for _, v in post.obs], dtype=bool)
    ll = finding_loglik(net, ctx, cols, yes, rows=rows)  # (len(obs), n + 1)
    return np.asarray(np.exp(ll[:, 1:] - ll[:, :1]).T)
