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
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

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
SUBSET = "+"  # "<checklist>+<f1>+<f2>": the checklist showing only those of its options
STOP_CHANGE = 0.04  # stop when no question has this much chance of changing the top cause or the level
MAX_STAKE = 8  # a rule with more open findings than this is left to the questions' own value
ITEM_VALUE = 0.06  # bits: an option worth less than this is not shown on a checklist (it stays unanswered)


@dataclass(frozen=True)
class QuestionSpec:
    """A question the interview can ask: a checklist group or a single finding."""

    id: str
    kind: str  # "multiple" | "single" | "confirm"
    findings: tuple[str, ...]
    base: str = ""  # the catalogue question this one shows part of ("" = itself)

    @property
    def home(self) -> str:
        """The catalogue question this is (a checklist cut to some of its options is still that checklist)."""
        return self.base or self.id

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


def _lookahead(
    net: Network, ctx: Context, post: Posterior, candidates: list[int]
) -> tuple[Array, Array, Array, Array, Array, Array, Array]:
    """For the candidate findings: P(no, state), membership of the kept states, current marginals, P(no),
    marginals after "no" and after "yes", the kept states' weights."""
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
    return np.asarray(wp0), np.asarray(mem), cur, pno, post_no, post_yes, np.asarray(wk)


def finding_values(net: Network, ctx: Context, post: Posterior, candidates: list[int]) -> tuple[Array, Array]:
    """(expected information gain in bits, P(yes)) for each candidate finding index."""
    if not candidates:
        return np.zeros(0), np.zeros(0)
    _, _, cur, pno, post_no, post_yes, _ = _lookahead(net, ctx, post, candidates)
    pyes = 1.0 - pno
    h_now = float(_bin_entropy(cur).sum())
    h_no = _bin_entropy(post_no).sum(axis=0)
    h_yes = _bin_entropy(post_yes).sum(axis=0)
    eig = h_now - (pno * h_no + pyes * h_yes)
    return np.maximum(eig, 0.0), np.clip(pyes, 0.0, 1.0)


@dataclass(frozen=True)
class Stakes:
    """What the result shows that an answer could change: the conditions needing at least a doctor (their
    joint probability decides "probably needs a doctor", ``probable``) and those whose own level is urgent or
    above (shown as a reason from ``other``)."""

    doctor: NDArray[np.bool_]
    urgent: NDArray[np.bool_]
    probable: float
    other: float


def change_chance(net: Network, ctx: Context, post: Posterior, candidates: list[int], stakes: Stakes) -> Array:
    """For each candidate finding, the chance that its answer changes what the result shows: the most likely
    cause, whether a doctor is probably needed, or whether a cause needing urgent care passes the level at
    which it counts (one answer ahead, the others as they are)."""
    if not candidates:
        return np.zeros(0)
    wp0, mem, _, pno, _, _, wk = _lookahead(net, ctx, post, candidates)
    pyes = np.clip(1.0 - pno, 0.0, 1.0)
    # what is shown for each cause is its label (a diagnosis of exclusion weighted down when explained)
    lab = net.label_t32[:, np.flatnonzero(post.weights > KEEP_MASS)].T  # (K_states, n)
    cur = (wk @ lab).astype(np.float64)
    joint_no = (wp0 @ lab).T.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        post_no = np.where(pno > 1e-12, joint_no / pno, cur[:, None])
        post_yes = np.where(pyes > 1e-12, (cur[:, None] - joint_no) / pyes, cur[:, None])
    top = int(np.argmax(cur))
    flip_no = np.argmax(post_no, axis=0) != top
    flip_yes = np.argmax(post_yes, axis=0) != top
    if stakes.doctor.any():
        hit = mem[:, stakes.doctor].any(axis=1).astype(np.float32)  # (K_states,) a cause needing a doctor
        d_now = float(wk @ hit)
        d_joint_no = (wp0 @ hit).astype(np.float64)  # (C,)
        with np.errstate(divide="ignore", invalid="ignore"):
            d_no = np.where(pno > 1e-12, d_joint_no / pno, d_now)
            d_yes = np.where(pyes > 1e-12, (d_now - d_joint_no) / pyes, d_now)
        now = d_now >= stakes.probable
        flip_no |= (d_no >= stakes.probable) != now
        flip_yes |= (d_yes >= stakes.probable) != now
    if stakes.urgent.any():
        rows = np.flatnonzero(stakes.urgent)
        now_u = cur[rows] >= stakes.other
        flip_no |= ((post_no[rows] >= stakes.other) != now_u[:, None]).any(axis=0)
        flip_yes |= ((post_yes[rows] >= stakes.other) != now_u[:, None]).any(axis=0)
    return np.asarray(pno * flip_no + pyes * flip_yes)


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

    def spec(self, qid: str) -> QuestionSpec:
        """The question with id ``qid``: a catalogue question, or a checklist cut to some of its options
        (``<checklist>+<f1>+<f2>``; the options are shown in the checklist's order). ``KeyError`` when there is
        none."""
        q = self.questions.get(qid)
        if q is not None:
            return q
        base, sep, rest = qid.partition(SUBSET)
        whole = self.questions.get(base)
        if not sep or whole is None or whole.kind != "multiple" or not rest:
            raise KeyError(qid)
        parts = set(rest.split(SUBSET))  # in any order, repeats ignored: the id names a set of options
        if not parts <= set(whole.findings):
            raise KeyError(qid)
        return self.cut(whole, parts)

    def known(self, qid: str) -> bool:
        """Is ``qid`` a question of this catalogue (a checklist cut to some of its options included)?"""
        try:
            self.spec(qid)
        except KeyError:
            return False
        return True

    def cut(self, q: QuestionSpec, members: Iterable[str]) -> QuestionSpec:
        """Checklist ``q`` showing only ``members`` (in its own order); ``q`` itself when that is all of them."""
        q = self.questions[q.home]
        want = set(members)
        keep = tuple(f for f in q.findings if f in want)
        if keep == q.findings:
            return q
        return QuestionSpec(q.id + SUBSET + SUBSET.join(keep), q.kind, keep, base=q.id)

    def id_pattern(self) -> str:
        """A regular expression matching exactly the ids ``spec`` accepts (for the API's schema)."""
        alts = [re.escape(q) for q in sorted(self.questions)]
        for qid, q in sorted(self.questions.items()):
            if q.kind == "multiple":
                opts = "|".join(re.escape(f) for f in q.findings)
                alts.append(f"{re.escape(qid)}(?:\\{SUBSET}(?:{opts}))+")
        return "^(?:" + "|".join(alts) + ")$"

    def shown(self, asked: Iterable[str]) -> dict[str, set[str]]:
        """Catalogue checklist -> the options already shown on it, in any cut of it."""
        out: dict[str, set[str]] = {}
        for qid in asked:
            try:
                q = self.spec(qid)
            except KeyError:
                continue
            if q.kind == "multiple":
                out.setdefault(q.home, set()).update(q.findings)
        return out

    def open_questions(
        self, answers: Mapping[str, bool | None], asked: set[str], age: int, sex: str
    ) -> list[QuestionSpec]:
        """The questions still worth a turn, each cut to the options it can still ask: a checklist's options
        not answered and never shown; a follow-up's, those its checklist showed that are still unanswered."""
        shown = self.shown(asked)
        out = []
        for q in self.questions.values():
            if q.kind == CONFIRM or not self.eligible(q, age, sex):
                continue
            if q.kind != "multiple":
                if q.id not in asked and q.findings[0] not in answers:
                    out.append(q)
                continue
            group = self.followup_of.get(q.id)
            if group is not None:
                if group not in shown or q.id in shown:
                    continue
                cands = [f for f in q.findings if f in shown[group] and f not in answers]
            else:
                cands = [f for f in q.findings if f not in answers and f not in shown.get(q.id, ())]
            if cands:
                out.append(q if q.id not in shown and len(cands) == len(q.asks(answers)) else self.cut(q, cands))
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
        stakes: Stakes | None = None,
    ) -> Choice:
        open_qs = self.open_questions(answers, asked, age, sex)
        if not open_qs or turns >= MAX_TURNS:
            return Choice(None, True, "no questions left" if not open_qs else "turn limit", {})
        if current_level == EMERGENCY and self.emergency_settled(answers, age):
            return Choice(None, True, "emergency: get help now", {})
        by_id = {q.home: q for q in open_qs}
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
                keep = [f for f in best_q.asks(answers) if f in pend]
                return Choice(
                    self._worth(best_q, keep, post, ctx, answers), False, "completing a warning-sign rule", {}
                )

        # a rule that has fired may be replaced by a narrower, lower one (R9d): ask what decides it
        lower = self.triage.pending_deescalation(answers, age)
        if lower:
            best_q, most = None, 0
            for q in open_qs:
                n = sum(f in lower and f not in answers for f in q.findings)
                if n > most:
                    best_q, most = q, n
            if best_q is not None:
                keep = [f for f in best_q.asks(answers) if f in lower]
                return Choice(
                    self._worth(best_q, keep, post, ctx, answers),
                    False,
                    "checking whether a warning sign's exception applies",
                    {},
                )

        # expected value of every unanswered finding of every open question
        cand_f = sorted({f for q in open_qs for f in q.findings if f not in answers and f in self.net.fidx})
        idx = [self.net.fidx[f] for f in cand_f]
        eig, pyes = finding_values(self.net, ctx, post, idx)
        cur = RANK[current_level]
        value: dict[str, float] = {}
        risks: dict[str, float] = {}
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
            risks[f] = risk
        # a checklist shows only the options worth asking (the others stay unanswered); it is worth their sum
        # (and always the open findings of a likely cause's escalation line, which may need several answers)
        lines = {
            f
            for cid in top
            for line in self.triage.escalate[cid]
            if RANK[line.level] > cur and line.fn(answers, age) is None
            for f in line.findings
        }
        shown_q: dict[str, QuestionSpec] = {}
        scores: dict[str, float] = {}
        for q in open_qs:
            ask = q.asks(answers)
            keep = (
                [f for f in ask if value.get(f, 0.0) >= ITEM_VALUE or f in lines]
                if q.kind == "multiple"
                else list(ask)
            )
            if not keep:
                continue
            shown_q[q.id] = self.cut(q, keep) if len(keep) < len(ask) else q
            scores[q.id] = sum(value.get(f, 0.0) for f in keep)
        if not scores:
            return Choice(None, True, "further questions are unlikely to change the result", scores)
        best = max(scores, key=lambda q: scores[q])
        if scores[best] < STOP_VALUE:
            return Choice(None, True, "further questions are unlikely to change the result", scores)
        if stakes is not None:
            # stop when no question's answers are likely to change what the result shows (the top cause, the
            # level): what is left to learn would only refine causes that are not in question
            kept = sorted({f for q in shown_q.values() for f in q.asks(answers) if f in self.net.fidx})
            flips = change_chance(self.net, ctx, post, [self.net.fidx[f] for f in kept], stakes)
            chance = dict(zip(kept, flips.tolist(), strict=True))
            matters = max(
                sum(chance.get(f, 0.0) + risks.get(f, 0.0) for f in q.asks(answers)) for q in shown_q.values()
            )
            if matters < STOP_CHANGE:
                # ... unless a warning-sign rule or a likely cause's escalation line needing several answers
                # could still apply: then ask what decides the likeliest of them
                need = self._open_stake(post, ctx, answers, age, current_level, top)
                if not need:
                    return Choice(None, True, "further answers are unlikely to change the result", scores)
                best_q, most = None, 0
                for q in open_qs:
                    n = sum(f in need for f in q.asks(answers))
                    if n > most:
                        best_q, most = q, n
                if best_q is not None:
                    keep = [f for f in best_q.asks(answers) if f in need]
                    return Choice(
                        self._worth(best_q, keep, post, ctx, answers),
                        False,
                        "a warning sign could still apply",
                        scores,
                    )
                return Choice(None, True, "further answers are unlikely to change the result", scores)
        return Choice(shown_q[best], False, "most informative question", scores)

    def _open_stake(
        self,
        post: Posterior,
        ctx: Context,
        answers: Mapping[str, bool | None],
        age: int,
        current_level: str,
        top: list[str],
    ) -> set[str]:
        """The unanswered findings of the open rule (or likely cause's escalation line) above the current level
        that is likeliest to apply once they are answered, if that chance times the levels it adds is at least
        STOP_CHANGE; else nothing. The chance is exact under the model (every answer to the rule's open
        findings, weighted by the posterior; the findings are independent given the causes)."""
        cur = RANK[current_level]
        lines: list[tuple[int, Callable[..., bool | None], frozenset[str] | tuple[str, ...]]] = [
            (RANK[r.level], r.fn, r.findings) for r in self.triage.rules if RANK[r.level] > cur
        ]
        for cid in top:
            lines += [(RANK[x.level], x.fn, x.findings) for x in self.triage.escalate[cid] if RANK[x.level] > cur]
        w = post.weights
        keep = np.flatnonzero(w > KEEP_MASS)
        wk = w[keep] / w[keep].sum()
        p0_all = self.net.p0_t(age_band(ctx.age), ctx.sex)
        best, best_open = 0.0, set()
        for level, fn, found in lines:
            if fn(answers, age) is not None:
                continue
            open_fs = sorted(f for f in found if f not in answers and f in self.net.fidx)
            if not open_fs or len(open_fs) > MAX_STAKE:
                continue
            # P(each assignment of the open findings): rows of a 2^k x states table built one finding at a time
            table = np.ones((1, len(keep)))
            for f in open_fs:
                p0 = p0_all[self.net.fidx[f], keep]
                table = np.concatenate([table * p0, table * (1.0 - p0)])
            probs = table @ wk
            a = dict(answers)
            fire = 0.0
            for k, bits in enumerate(itertools.product((False, True), repeat=len(open_fs))):
                a.update(zip(open_fs, bits[::-1], strict=True))
                if fn(a, age) is True:
                    fire += float(probs[k])
            stake = fire * (level - cur)
            if stake > best:
                best, best_open = stake, set(open_fs)
        return best_open if best >= STOP_CHANGE else set()

    def _worth(
        self, q: QuestionSpec, keep: list[str], post: Posterior, ctx: Context, answers: Mapping[str, bool | None]
    ) -> QuestionSpec:
        """Checklist ``q`` cut to ``keep`` (the options a warning-sign rule needs) and its other options worth
        asking."""
        if q.kind != "multiple":
            return q
        ask = q.asks(answers)
        rest = [f for f in ask if f not in keep and f in self.net.fidx]
        if rest:
            eig, _ = finding_values(self.net, ctx, post, [self.net.fidx[f] for f in rest])
            keep = keep + [f for f, v in zip(rest, eig, strict=True) if v >= ITEM_VALUE]
        return q if len(keep) == len(ask) else self.cut(q, keep)
