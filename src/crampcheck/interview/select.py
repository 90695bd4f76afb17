"""Choosing the next question: danger signs first, then partly satisfied red-flag rules, then the question
(a single finding or a grouped checklist) with the largest expected value, and when to stop.

Value of asking about finding f = expected information gain about the conditions (summed binary entropy of
the marginals, the QMR-style criterion) + LAMBDA x triage risk, where triage risk = P(f = yes | answers) x the
number of triage levels a "yes" would add (one-step lookahead through the red-flag rules and the likely
conditions' own escalation lines). Only the "no" branch is computed per candidate; the "yes" posterior follows
from the law of total probability (performance notes, section c). A grouped question is worth the sum of its
unanswered members (an upper bound of its joint information; it costs one turn). The interview stops when no
question is worth more than STOP_VALUE and no partly satisfied rule is open, or after MAX_TURNS, and at once
when the level is emergency (unless a narrower rule that would lower it is still undecided). Confirmations of
answers already given (kind "confirm", interview/confirm.py) are chosen by the façade, never here.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from crampcheck.engine.network import Array, Network
from crampcheck.engine.posterior import Context, Posterior
from crampcheck.interview.confirm import confirm_id
from crampcheck.kb.schema import age_band
from crampcheck.triage import RANK, Triage

LAMBDA = 2.0  # bits per triage level (a 10% chance of one level higher is worth 0.2 bits)
STOP_VALUE = 0.06  # bits: below this no question is worth a turn
MAX_TURNS = 40
KEEP_MASS = 1e-5  # states lighter than this (normalised) are ignored when scoring questions
DANGER_GROUP = "danger"
PREGNANCY = "pregnant"
CONFIRM = "confirm"  # the kind of a question that asks again about findings already answered
EMERGENCY = "emergency"  # at this level the interview stops, once no answer still to come can lower it
MAX_OPEN = 12  # a rule with more unasked findings than this is not checked answer by answer (not settled)
FOLLOW_UP = "_more"  # suffix of the follow-up of a checklist that left findings unanswered


@dataclass(frozen=True)
class QuestionSpec:
    """A question the interview can ask: a checklist group or a single finding."""

    id: str
    kind: str  # "multiple" | "single" | "confirm"
    findings: tuple[str, ...]

    def asks(self, answers: Mapping[str, bool | None]) -> tuple[str, ...]:
        """The findings this question puts to the person, given the answers so far.

        A confirmation (kind "confirm") asks all of its findings again, answered or not; any other question
        asks only those not yet answered (the terminal lists only those, and keeps the earlier answers).
        """
        if self.kind == CONFIRM:
            return self.findings
        return tuple(f for f in self.findings if f not in answers)


@dataclass(frozen=True)
class Choice:
    question: QuestionSpec | None
    should_stop: bool
    reason: str
    scores: Mapping[str, float]


def _bin_entropy(p: Array) -> Array:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.asarray(-(p * np.log2(p) + (1 - p) * np.log2(1 - p)))


def finding_values(net: Network, ctx: Context, post: Posterior, candidates: list[int]) -> tuple[Array, Array]:
    """(expected information gain in bits, P(yes)) for each candidate finding index."""
    if not candidates:
        return np.zeros(0), np.zeros(0)
    w = post.weights
    keep = np.flatnonzero(w > KEEP_MASS)
    wk = (w[keep] / w[keep].sum()).astype(np.float32)
    cols = np.asarray(candidates, dtype=np.intp)
    p0 = net.p0_t(age_band(ctx.age), ctx.sex)[np.ix_(cols, keep)]  # (C, K_states) P(no | state)
    mem = net.member32[keep]  # (K_states, n)
    cur = (wk @ mem).astype(np.float64)  # (n,)
    wp0 = p0 * wk  # (C, K_states)
    pno = wp0.sum(axis=1, dtype=np.float64)  # (C,)
    joint_no = (wp0 @ mem).T.astype(np.float64)  # (n, C)  P(d, no)
    with np.errstate(divide="ignore", invalid="ignore"):
        post_no = np.where(pno > 1e-12, joint_no / pno, cur[:, None])
        pyes = 1.0 - pno
        post_yes = np.where(pyes > 1e-12, (cur[:, None] - joint_no) / pyes, cur[:, None])
    h_now = float(_bin_entropy(cur).sum())
    h_no = _bin_entropy(post_no).sum(axis=0)
    h_yes = _bin_entropy(post_yes).sum(axis=0)
    eig = h_now - (pno * h_no + pyes * h_yes)
    return np.maximum(eig, 0.0), np.clip(pyes, 0.0, 1.0)


class Selector:
    """Question catalogue of one knowledge base and the selection policy."""

    def __init__(
        self, net: Network, triage: Triage, groups: Mapping[str, tuple[str, ...]], singles: list[str]
    ) -> None:
        self.net = net
        self.triage = triage
        self.questions: dict[str, QuestionSpec] = {}
        self.question_of: dict[str, str] = {}
        for gid, members in groups.items():
            self.questions[gid] = QuestionSpec(gid, "multiple", tuple(members))
            for f in members:
                self.question_of.setdefault(f, gid)
        for f in singles:
            if f not in self.question_of:
                self.questions[f] = QuestionSpec(f, "single", (f,))
                self.question_of[f] = f
        # A checklist can leave members unanswered (a red flag left unticked, interview/answers.py). Once it has
        # been asked, one follow-up checklist "<group>_more" may ask about those again; its own unticked boxes
        # leave them unanswered (it is not their home question), so it is asked at most once.
        self.followup_of: dict[str, str] = {}
        for gid, members in groups.items():
            fid = gid + FOLLOW_UP
            if fid not in self.questions and fid not in self.question_of:
                self.followup_of[fid] = gid
                self.questions[fid] = QuestionSpec(fid, "multiple", tuple(members))
        # "You said X: is that right, now?" for every finding a question can ask (interview/confirm.py)
        for f in list(self.question_of):
            self.questions[confirm_id(f)] = QuestionSpec(confirm_id(f), CONFIRM, (f,))
        self.rules_by_finding: dict[str, list[int]] = {}
        for k, r in enumerate(triage.rules):
            for f in r.findings:
                self.rules_by_finding.setdefault(f, []).append(k)
        # the highest level any rule, or any condition's escalation line, mentioning a finding can reach:
        # a "yes" to it cannot raise the triage above that, so no need to evaluate them when it is not higher
        self.reach: dict[str, int] = {}
        lines = [line for c in triage.escalate for line in triage.escalate[c]]
        for level, found in [(r.level, r.findings) for r in triage.rules] + [(x.level, x.findings) for x in lines]:
            for f in found:
                self.reach[f] = max(self.reach.get(f, -1), RANK[level])

    def eligible(self, q: QuestionSpec, age: int, sex: str) -> bool:
        if q.id == PREGNANCY:
            return sex == "female" and 12 <= age <= 54
        return True

    def open_questions(
        self, answers: Mapping[str, bool | None], asked: set[str], age: int, sex: str
    ) -> list[QuestionSpec]:
        out = []
        for q in self.questions.values():
            if q.kind == CONFIRM or q.id in asked or not self.eligible(q, age, sex):
                continue
            if q.id in self.followup_of and self.followup_of[q.id] not in asked:
                continue
            if any(f not in answers for f in q.findings):
                out.append(q)
        return out

    def emergency_settled(self, answers: Mapping[str, bool | None], age: int) -> bool:
        """Is the level emergency whatever the questions not yet asked would be answered?

        True when an emergency rule has fired and holds for every answer to its findings not yet asked (a rule
        with "not X" fires while X is not known; asking X could still turn it off) and no narrower rule that
        would replace it is still undecided. An emergency that rests only on a likely condition's own level
        is not settled: further answers can change what is likely.
        """
        if self.triage.pending_deescalation(answers, age):
            return False
        for r in self.triage.fired_rules(answers, age):
            if r.level != EMERGENCY:
                continue
            open_fs = sorted(f for f in r.findings if f not in answers)
            if len(open_fs) > MAX_OPEN:
                continue
            a = dict(answers)
            holds = True
            for bits in itertools.product((False, True), repeat=len(open_fs)):
                a.update(zip(open_fs, bits, strict=True))
                if r.fn(a, age) is not True:
                    holds = False
                    break
            if holds:
                return True
        return False

    def level_if_yes(self, f: str, answers: Mapping[str, bool | None], age: int, top: list[str]) -> int:
        """Triage rank reached if f were answered yes (rules mentioning f and the top conditions' lines)."""
        a = dict(answers)
        a[f] = True
        best = 0
        for k in self.rules_by_finding.get(f, ()):
            r = self.triage.rules[k]
            if RANK[r.level] > best and r.fn(a, age) is True:
                best = RANK[r.level]
        for cid in top:
            for line in self.triage.escalate[cid]:
                if f in line.findings and RANK[line.level] > best and line.fn(a, age) is True:
                    best = RANK[line.level]
        return best

    def choose(
        self,
        post: Posterior,
        ctx: Context,
        answers: Mapping[str, bool | None],
        asked: set[str],
        age: int,
        sex: str,
        current_level: str,
        top: list[str],
        turns: int,
    ) -> Choice:
        open_qs = self.open_questions(answers, asked, age, sex)
        if not open_qs or turns >= MAX_TURNS:
            return Choice(None, True, "no questions left" if not open_qs else "turn limit", {})
        if current_level == EMERGENCY and self.emergency_settled(answers, age):
            return Choice(None, True, "emergency: get help now", {})
        by_id = {q.id: q for q in open_qs}
        if DANGER_GROUP in by_id:
            return Choice(by_id[DANGER_GROUP], False, "danger signs first", {})
        if PREGNANCY in by_id:
            return Choice(by_id[PREGNANCY], False, "pregnancy changes what is likely", {})

        # partly satisfied rules (and the top conditions' escalation lines): ask their missing findings next
        pend = self.triage.pending(answers, age, current_level)
        for cid in top[:1]:
            for line in self.triage.escalate[cid]:
                if (
                    RANK[line.level] > RANK[current_level]
                    and any(answers.get(f) is True for f in line.findings)
                    and line.fn(answers, age) is None
                ):
                    for f in line.findings:
                        if f not in answers:
                            pend[f] = max(pend.get(f, 0), RANK[line.level])
        if pend:
            best_q, best_key = None, (-1, -1)
            for q in open_qs:
                hits = [pend[f] for f in q.findings if f in pend and f not in answers]
                if hits:
                    key = (max(hits), len(hits))
                    if key > best_key:
                        best_q, best_key = q, key
            if best_q is not None:
                return Choice(best_q, False, "completing a warning-sign rule", {})

        # a rule that has fired may be replaced by a narrower, lower one (R9d): ask what decides it
        lower = self.triage.pending_deescalation(answers, age)
        if lower:
            best_q, most = None, 0
            for q in open_qs:
                n = sum(f in lower and f not in answers for f in q.findings)
                if n > most:
                    best_q, most = q, n
            if best_q is not None:
                return Choice(best_q, False, "checking whether a warning sign's exception applies", {})

        # expected value of every unanswered finding of every open question
        cand_f = sorted({f for q in open_qs for f in q.findings if f not in answers and f in self.net.fidx})
        idx = [self.net.fidx[f] for f in cand_f]
        eig, pyes = finding_values(self.net, ctx, post, idx)
        cur = RANK[current_level]
        value: dict[str, float] = {}
        for k, f in enumerate(cand_f):
            risk = 0.0
            if self.reach.get(f, -1) > cur and (
                f in self.rules_by_finding
                or any(f in line.findings for cid in top for line in self.triage.escalate[cid])
            ):
                gain = self.level_if_yes(f, answers, age, top) - cur
                if gain > 0:
                    risk = float(pyes[k]) * gain
            value[f] = float(eig[k]) + LAMBDA * risk
        scores = {q.id: sum(value.get(f, 0.0) for f in q.findings if f not in answers) for q in open_qs}
        best = max(scores, key=lambda q: scores[q])
        if scores[best] < STOP_VALUE:
            return Choice(None, True, "further questions are unlikely to change the result", scores)
        return Choice(by_id[best], False, "most informative question", scores)
