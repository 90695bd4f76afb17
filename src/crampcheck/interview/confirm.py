"""A mistaken tick does not decide an emergency: which answer to confirm before it counts.

People tick the wrong box. An answer given to a question (not what the person said first in their own words)
that raises the triage level is *implausible* when the model, given all the OTHER answers, thinks a "yes" to it
unlikely: its leave-one-out predictive probability

    P(f = yes | other answers) = sum_S P(S | other answers) P(f = yes | S)
                               = 1 / E[1 / P(f = yes | S) | all answers]

(removing the answer divides each state's weight by P(yes | S), so this is one pass over the states' weights)
is below ``IMPLAUSIBLE``. Such an answer is put to the person once more ("You said X: is that right, now?") when
it decides the level, i.e. when the level without the implausible answers is lower. After that confirmation
(the question id ``confirm:<finding>`` is in ``asked``) the answer counts whatever it is.

Why ``IMPLAUSIBLE = 0.056``: a tick is as likely to be mistaken as true when the chance of ticking a finding
one does not have, e, times P(no) equals the chance of ticking one that one has, s, times P(yes):
p* = e / (e + s). With the evaluation's noisy patient (10% "don't know", 5% wrong) e = 0.05 and s = 0.85, so
p* = 0.056: below it a "yes" is more likely a slip than the truth. A confirmation costs one turn; not asking
can send a person with ordinary cramps to the emergency department; asking a true "yes" again risks losing it
only if the person then answers differently. Measured on the development sets in interview mode (shared dev,
second, third, fourth, probes/dev; noiseless and noise 0.1 with seeds 0 and 1): of the deciding ticks judged,
23 of 552 true ones (4%) and 470 of 548 mistaken ones (86%) fall below 0.056 (at 0.1: 47 and 500); of the 413
confirmations asked, the 7 of true ticks were all answered yes again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import numpy as np

from crampcheck.engine.network import Network
from crampcheck.engine.posterior import Context, Posterior, finding_loglik
from crampcheck.triage import RANK

SLIP = 0.05  # chance of ticking a finding one does not have (the evaluation's noisy patient: P/2 at P = 0.1)
TICK = 0.85  # chance of ticking one that one has (1 - P - P/2)
IMPLAUSIBLE = SLIP / (SLIP + TICK)  # 0.056: below it a deciding "yes" is more likely a slip than the truth
CONFIRM_FROM = "doctor"  # only answers that raise the level to this or above are confirmed
CONFIRM_PREFIX = "confirm:"


def confirm_id(finding: str) -> str:
    """The question id of the confirmation of ``finding``."""
    return CONFIRM_PREFIX + finding


def predictive_yes(net: Network, ctx: Context, post: Posterior, finding: str) -> float | None:
    """P(finding = yes | every other answer), for a finding answered yes in ``post``; None if not modelled."""
    fi = net.fidx.get(finding)
    if fi is None:
        return None
    ll = finding_loglik(net, ctx, np.array([fi]), np.array([True]))[0]  # (S,) log P(yes | state), floored
    lw = post.logw - ll  # the weights without this answer (unnormalised)
    a, b = float(np.max(post.logw)), float(np.max(lw))
    log_with = a + float(np.log(np.exp(post.logw - a).sum()))
    log_without = b + float(np.log(np.exp(lw - b).sum()))
    return float(min(1.0, np.exp(log_with - log_without)))


def prob_yes(net: Network, ctx: Context, post: Posterior, finding: str) -> float | None:
    """P(finding = yes | the answers of ``post``), for a finding not among them; None if not modelled."""
    fi = net.fidx.get(finding)
    if fi is None:
        return None
    ll = finding_loglik(net, ctx, np.array([fi]), np.array([True]))[0]
    return float(np.clip(post.weights @ np.exp(ll), 0.0, 1.0))


@dataclass(frozen=True)
class ToConfirm:
    finding: str
    p_yes: float  # its predictive probability given the answers that are not themselves in doubt
    level_without: str  # the level if the implausible answers were not given


def to_confirm(
    net: Network,
    ctx: Context,
    post: Posterior,
    answers: Mapping[str, bool | None],
    own: Collection[str],
    asked: Collection[str],
    level: str,
    deciding: Collection[str],
    reassess: Callable[[dict[str, bool | None]], tuple[Posterior, str]],
) -> ToConfirm | None:
    """The answer to confirm next, or None.

    ``deciding``: findings that the reasons at the current level rest on; ``own``: findings the person stated
    in their own words (never delayed); ``reassess(answers)`` gives the posterior and level for other answers.

    The answers in doubt are the deciding "yes" answers to questions not yet confirmed. Each is judged on the
    answers NOT in doubt, so that two mistaken ticks cannot vouch for each other (a slip in "dark urine" and
    one in "sudden weakness" each make the other look likely); with one in doubt this is the leave-one-out
    predictive. The least plausible is asked again if, without all the implausible ones, the level is lower.
    """
    if RANK[level] < RANK[CONFIRM_FROM]:
        return None
    doubt = [f for f in sorted(deciding) if answers.get(f) is True and f not in own and confirm_id(f) not in asked]
    if not doubt:
        return None
    if len(doubt) == 1:
        probs = {doubt[0]: predictive_yes(net, ctx, post, doubt[0])}
    else:
        base, _ = reassess({f: v for f, v in answers.items() if f not in doubt})
        probs = {f: prob_yes(net, ctx, base, f) for f in doubt}
    cands = sorted((p, f) for f, p in probs.items() if p is not None and p < IMPLAUSIBLE)
    if not cands:
        return None
    _, lower = reassess({f: v for f, v in answers.items() if f not in {f for _, f in cands}})
    if RANK[lower] >= RANK[level]:
        return None  # the level stands on plausible answers too
    p, f = cands[0]
    return ToConfirm(f, p, lower)
