"""The one façade every interface calls: (age, sex, answers, language) -> ranked causes, triage, next
question and advice, all recording the knowledge-base version that produced them.

Stateless: the caller resends every answer on each call, so the interview state is the request itself.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from crampcheck.advice import AdviceContext, advice_context, advice_for, likely_conditions
from crampcheck.engine.network import Network, compile_network
from crampcheck.engine.posterior import (
    Context,
    Posterior,
    leave_one_out,
    posterior,
    prob_any,
    single_fault_factor,
)
from crampcheck.errors import N_, InputError, UnknownIdError
from crampcheck.i18n import translator
from crampcheck.interview.confirm import confirm_id, to_confirm
from crampcheck.interview.select import CONFIRM, DANGER_GROUP, MAX_TURNS, Choice, QuestionSpec, Selector, Stakes
from crampcheck.kb.load import load_kb
from crampcheck.kb.schema import Advice, KnowledgeBase
from crampcheck.schema import (
    AdviceItem,
    Answer,
    Assessment,
    AssessRequest,
    Contribution,
    EngineInfo,
    Question,
    QuestionOption,
    RankedCondition,
    Source,
    Triage,
    TriageReason,
    percent,
)
from crampcheck.triage import OTHER_DANGEROUS_THRESHOLD, PROBABLY_NEEDS_DOCTOR, RANK, ConditionLevels, TriageResult
from crampcheck.triage import Triage as TriageRules

SHOW_CONDITIONS = 8
EXPLAIN_CONDITIONS = 5
# an answer is shown as evidence for (against) a cause when it makes it at least this many times more (less) likely
EVIDENCE_FACTOR = 1.2
LIKELY_CAUSE = 0.5  # "the likely cause" only for a cause more likely than not; below it, "a possible cause"
MAX_SHOWN = 0.999  # no cause is ever given as certain
# crampcheck policy: from this probability that no modelled cause is present, the result says first that none of
# the listed causes may fit (clinical review 2026-12, section 5)
NONE_FITS_WELL = 0.30


def shown_probability(p: float) -> float:
    """A probability as the result carries it: four decimals, never 1 (the model is never certain)."""
    return min(round(p, 4), MAX_SHOWN)


@dataclass(frozen=True)
class Step:
    """What the engine concludes from the answers so far (no texts)."""

    post: Posterior
    ranked: list[tuple[str, float]]
    triage: TriageResult
    choice: Choice
    levels: ConditionLevels


def answers_map(answers: Iterable[Answer], kb: KnowledgeBase, sex: str) -> dict[str, bool | None]:
    """Validate answers into {finding: True (yes) / False (no) / None (unknown)}; later answers win."""
    out: dict[str, bool | None] = {}
    for k, a in enumerate(answers):
        if a.finding not in kb.findings:
            raise UnknownIdError("finding", a.finding, kb.findings, where=f"answers[{k}]")
        out[a.finding] = {"present": True, "absent": False, "unknown": None}[a.state]
    if sex == "male" and out.get("pregnant") is True:
        raise InputError(N_("answers: 'pregnant' is 'present' but sex is 'male'; check the sex or the answer"))
    return out


class Assessor:
    """The knowledge base compiled once, with the engine, triage and interview policy built on it."""

    def __init__(self, kb: KnowledgeBase | None = None, max_causes: int = 3) -> None:
        self.kb = kb or load_kb()
        self.net: Network = compile_network(self.kb, max_causes=max_causes)
        self.rules = TriageRules(self.kb)
        groups = {g.id: tuple(g.findings) for g in self.kb.groups.values()}
        grouped = {f for g in groups.values() for f in g}
        singles = [f for f in self.kb.findings if f not in grouped]
        self.selector = Selector(self.net, self.rules, groups, singles)
        # Built response parts that depend only on their key (models are never changed after building).
        self._questions: dict[tuple[str, str], Question] = {}
        self._advice: dict[tuple[tuple[str, ...], str, AdviceContext, str], list[AdviceItem]] = {}

    # --- the computation ------------------------------------------------------------------------------
    def step(
        self,
        age: int,
        sex: str,
        answers: Mapping[str, bool | None],
        asked: Iterable[str] = (),
        explain: bool = False,
        own: Collection[str] = (),
    ) -> Step:
        """``own``: findings the person stated in their own words (presenting, typed text, corrections); the
        others were answers to questions, and one that decides the level but is implausible given the rest is
        confirmed before the interview stops (interview/confirm.py)."""
        ctx = Context(age=age, sex=sex, pregnant=answers.get("pregnant"))
        post, ranked, levels, tri = self._triage(ctx, answers, explain)
        top = [c for c, p in ranked[:3] if p >= 0.2] or [ranked[0][0]]
        asked_set = set(asked)
        turns = len(asked_set)
        deciding = {f for r in tri.reasons if r.level == tri.level for f in r.findings}

        def reassess(rest: dict[str, bool | None]) -> tuple[Posterior, str]:
            p, _, _, t = self._triage(ctx, rest, False)
            return p, t.level

        conf = to_confirm(self.net, ctx, post, answers, own, asked_set, tri.level, deciding, reassess)
        if conf is not None and turns < MAX_TURNS:
            q = self.selector.questions[confirm_id(conf.finding)]
            choice = Choice(q, False, "confirming an implausible answer that decides the level", {})
        else:
            stakes = Stakes(
                doctor=np.array(self.rules.needs_doctor(self.net.conditions, answers, age, levels), dtype=bool),
                urgent=np.array([RANK[levels[c][0]] >= RANK["urgent"] for c in self.net.conditions], dtype=bool),
                probable=PROBABLY_NEEDS_DOCTOR,
                other=OTHER_DANGEROUS_THRESHOLD,
            )
            choice = self.selector.choose(post, ctx, answers, asked_set, age, sex, tri.level, top, turns, stakes)
        return Step(post, ranked, tri, choice, levels)

    def _triage(
        self, ctx: Context, answers: Mapping[str, bool | None], explain: bool
    ) -> tuple[Posterior, list[tuple[str, float]], ConditionLevels, TriageResult]:
        ev = {self.net.fidx[f]: v for f, v in answers.items() if v is not None and f in self.net.fidx}
        post = posterior(self.net, ctx, ev, keep_rows=explain)
        order = np.argsort(-post.marginals, kind="stable")
        ranked = [(self.net.conditions[i], float(post.marginals[i])) for i in order]
        levels = self.rules.levels(answers, ctx.age)
        mask = np.array(self.rules.needs_doctor(self.net.conditions, answers, ctx.age, levels), dtype=bool)
        p_doctor = prob_any(self.net, post, mask)
        tri = self.rules.assess(answers, ctx.age, ranked, p_doctor, levels)
        return post, ranked, levels, tri

    # --- the façade -----------------------------------------------------------------------------------
    def assess(self, req: AssessRequest) -> Assessment:
        kb = self.kb
        lang = req.lang
        answers = answers_map(req.answers, kb, req.sex)
        for q in req.asked:
            if not self.selector.known(q):
                raise UnknownIdError("question", q, self.selector.questions, where="asked")
        latest = {a.finding: a.source for a in req.answers}
        own = {f for f, src in latest.items() if src != "question"}
        st = self.step(req.age, req.sex, answers, req.asked, explain=True, own=own)
        ctx = Context(age=req.age, sex=req.sex, pregnant=answers.get("pregnant"))
        shown = [(c, p) for c, p in st.ranked[:SHOW_CONDITIONS] if p >= 0.01] or st.ranked[:3]
        # the conditions a triage reason is about are always shown, whatever their probability, and explained
        named = [c for r in st.triage.reasons for c in r.conditions]
        prob = dict(st.ranked)
        shown_ids = {c for c, _ in shown}
        for extra in dict.fromkeys(named):
            if extra not in shown_ids:
                shown.append((extra, prob[extra]))
                shown_ids.add(extra)
        explain_ids = list(dict.fromkeys([*(c for c, _ in shown[:EXPLAIN_CONDITIONS]), *named]))
        explained = np.array([self.net.cidx[c] for c in explain_ids], dtype=np.intp)
        loo_rows = {int(ci): k for k, ci in enumerate(explained)}
        loo = leave_one_out(self.net, ctx, st.post, explained)
        lr = single_fault_factor(self.net, ctx, st.post)
        conditions: list[RankedCondition] = []
        for cid, p in shown:
            cond = kb.conditions[cid]
            ci = self.net.cidx[cid]
            # every shown cause is explained by the likelihood ratios; the leave-one-out change is computed for
            # the first few (reported alongside, zero for the others)
            deltas = p - loo[loo_rows[ci]] if ci in loo_rows else np.zeros(len(st.post.obs))
            raised, lowered = self._evidence(st.post, lr[ci], deltas, lang)
            level, _ = st.levels[cid]
            conditions.append(
                RankedCondition(
                    id=cid,
                    name=cond.name.get(lang),
                    probability=shown_probability(p),
                    level=level,  # type: ignore[arg-type]
                    summary=cond.summary.get(lang),
                    raised_by=raised[:6],
                    lowered_by=lowered[:4],
                    icd10=cond.icd10,
                )
            )
        triage = self._not_asked(self._triage_model(st.triage, prob, lang), answers, lang)
        question = self.question_model(st.choice.question.id, lang) if st.choice.question else None
        likely = likely_conditions(st.ranked)
        person = advice_context(kb, req.age, answers, {c: st.levels[c][0] for c in likely})
        advice = self._advice_list(likely, st.triage.level, person, lang)
        return Assessment(
            kb_version=kb.version,
            lang=lang,
            age=req.age,
            sex=req.sex,
            answers=list(req.answers),
            conditions=conditions,
            none_of_the_above=round(st.post.none, 4),
            none_fits_well=st.post.none >= NONE_FITS_WELL,
            triage=triage,
            next_question=question,
            should_stop=st.choice.should_stop,
            advice=advice,
            disclaimer=kb.disclaimer.get(lang),
            engine=EngineInfo(
                method="enumeration of joint states (noisy-OR with leak inhibitors)",
                max_causes=self.net.max_causes,
                states=len(self.net.states),
                neglected_mass_bound=st.post.neglected_bound,
            ),
        )

    # --- explanations ---------------------------------------------------------------------------------------
    def _evidence(
        self, post: Posterior, factors: np.ndarray, deltas: np.ndarray, lang: str
    ) -> tuple[list[Contribution], list[Contribution]]:
        """Supporting and conflicting evidence for one condition, as Infermedica's ``/explain`` gives them: only
        the person's own answers, each judged by its likelihood ratio for this condition alone against no cause
        (``factors``), so that the features that define a cause are still named when its probability is near
        certain and the leave-one-out change (``deltas``, reported alongside) is flat.

        * supporting: a "yes" whose ratio is at least ``EVIDENCE_FACTOR`` (a "no" never supports a cause: that
          an unrelated finding is absent says nothing for it);
        * conflicting: any answer whose ratio is at most ``1 / EVIDENCE_FACTOR`` (a "no" only when the finding
          is typical of the cause, so that its absence lowers it); a ratio near 1 is never shown.

        An absent finding reads in its own negative wording (``negative`` in text/findings.yaml), never "no " +
        its plain text."""
        kb = self.kb
        raised: list[Contribution] = []
        lowered: list[Contribution] = []
        for j, (fj, yes) in enumerate(post.obs):
            factor = float(factors[j])
            if not np.isfinite(factor) or (1 / EVIDENCE_FACTOR < factor < EVIDENCE_FACTOR):
                continue
            if factor >= EVIDENCE_FACTOR and not yes:
                continue
            fid = self.net.findings[fj]
            f = kb.findings[fid]
            text = f.plain.get(lang) if yes else (f.negative.get(lang) or _negated(f.plain.get(lang), lang))
            c = Contribution(
                finding=fid,
                state="present" if yes else "absent",
                text=text,
                delta=round(float(deltas[j]), 4),
                factor=round(factor, 3),
            )
            (raised if factor > 1 else lowered).append(c)

        # strongest first: the ratio, and what the answer changed here (a defining feature keeps its place near
        # certainty, where every change is small)
        def weight(c: Contribution) -> float:
            return abs(float(np.log(c.factor))) + 10 * abs(c.delta)

        raised.sort(key=weight, reverse=True)
        lowered.sort(key=weight, reverse=True)
        return raised, lowered

    # --- texts --------------------------------------------------------------------------------------------
    def _triage_model(self, tri: TriageResult, prob: Mapping[str, float], lang: str) -> Triage:
        kb = self.kb
        reasons: list[TriageReason] = []
        rules = {r.id: r for r in kb.rules}
        for r in tri.reasons:
            outside: str | None = None
            if r.rule == "probable":
                names = "、".join if lang == "zh" else ", ".join
                causes = names(kb.conditions[c].name.get(lang) for c in r.conditions)
                text = kb.reason_text("probable", lang).format(causes=causes)
            elif r.condition is not None:
                name = kb.conditions[r.condition].name.get(lang)
                key = "likely_cause" if prob[r.condition] >= LIKELY_CAUSE else "possible_cause"
                text = kb.reason_text(key, lang).format(name=name, pct=percent(prob[r.condition]))
                if r.findings:
                    labels = ("、" if lang == "zh" else ", ").join(
                        kb.findings[f].plain.get(lang) for f in r.findings
                    )
                    sep = "" if lang == "zh" else " "
                    text += sep + kb.reason_text("because", lang).format(findings=labels)
            else:
                rule = rules[r.rule]
                text = rule.text.get(lang)
                if rule.outside_model is not None:
                    outside = rule.outside_model.get(lang)
            reasons.append(
                TriageReason(
                    rule=r.rule,
                    level=r.level,  # type: ignore[arg-type]
                    text=text,
                    findings=list(r.findings),
                    conditions=list(r.conditions),
                    outside_model=outside,
                )
            )
        tt = kb.triage_text.get(tri.level)
        return Triage(
            level=tri.level,  # type: ignore[arg-type]
            label=tt.label.get(lang) if tt else tri.level,
            message=tt.message.get(lang) if tt else "",
            reasons=reasons,
        )

    def _not_asked(self, triage: Triage, answers: Mapping[str, bool | None], lang: str) -> Triage:
        """When warning signs were not asked about (the person stopped early, or an emergency ended the
        interview), say which, and never that nothing points to a dangerous cause."""
        group = self.kb.groups.get(DANGER_GROUP)
        missing = [f for f in group.findings if f not in answers] if group is not None else []
        if not missing:
            return triage
        _ = translator(lang)
        labels = "; ".join(self.kb.findings[f].label.get(lang) for f in missing)
        text = _("Not asked about yet, so not ruled out: {signs}.").format(signs=labels)
        reason = TriageReason(rule="not_asked", level=triage.level, text=text, findings=missing)
        message = triage.message
        if triage.level == "self_care":
            message = _(
                "Not every warning sign was asked about, so this cannot say that nothing points to a dangerous "
                "cause. If you have any of the signs listed below, get help as the advice says; otherwise start "
                "with the self-care advice and see a doctor if the cramps keep coming back or get worse."
            )
        reasons = list(triage.reasons)
        reasons.insert(min(1, len(reasons)), reason)  # after the reason for the level itself
        return triage.model_copy(update={"message": message, "reasons": reasons})

    def question_model(self, qid: str, lang: str) -> Question:
        key = (qid, lang)
        q = self._questions.get(key)
        if q is None:
            q = self._questions[key] = self._question_model(self.selector.spec(qid), lang)
        return q

    def _advice_list(
        self, likely: tuple[str, ...], level: str, person: AdviceContext, lang: str
    ) -> list[AdviceItem]:
        """The advice for these likely conditions, level and person. It depends on nothing else (the context
        holds only what the advice data mentions: an age class, a few answers, the likely causes needing
        urgent care), and the built items are kept (cleared when full)."""
        key = (likely, level, person, lang)
        items = self._advice.get(key)
        if items is None:
            if len(self._advice) >= 4096:
                self._advice.clear()
            items = [self._advice_model(a, hits, lang) for a, hits in advice_for(self.kb, likely, level, person)]
            self._advice[key] = items
        return list(items)

    def _question_model(self, q: QuestionSpec, lang: str) -> Question:
        kb = self.kb
        base = self.selector.followup_of.get(q.home, q.home)  # a follow-up checklist shows its group's options
        if q.kind == "multiple":
            g = kb.groups[base]
            text = g.text.get(lang) if base == q.home else _FOLLOW_UP_TEXT[lang]
        elif q.kind == CONFIRM:
            said = kb.findings[q.findings[0]].label.get(lang)
            text = translator(lang)("You said yes to: “{finding}”. Is that right, now?").format(finding=said)
        else:
            text = kb.findings[q.findings[0]].question.get(lang)
        opts = [QuestionOption(finding=f, label=kb.findings[f].label.get(lang)) for f in q.findings]
        return Question(
            id=q.id,
            kind=q.kind if q.kind in ("multiple", CONFIRM) else "single",  # type: ignore[arg-type]
            text=text,
            options=opts,
            findings=list(q.findings),
            danger=base == "danger",
        )

    def _advice_model(self, a: Advice, hits: list[str], lang: str) -> AdviceItem:
        kb = self.kb
        sources = []
        for s in a.sources:
            ref = kb.references.get(s)
            if ref is not None:
                sources.append(Source(id=s, citation=ref.citation, url=ref.url, pmid=ref.pmid, doi=ref.doi))
        return AdviceItem(
            id=a.id,
            kind=a.kind,
            text=a.text.get(lang),
            evidence=a.evidence,
            evidence_note=a.evidence_note.get(lang),
            sources=sources,
            for_conditions=hits,
            article_claim=a.article_claim,
        )


_FOLLOW_UP_TEXT = {
    "en": "You did not tick these. Do any of them apply? Tick all that apply.",
    "zh": "以下几项您没有勾选。其中有符合的吗？请勾选所有符合的项。",
}


def _negated(text: str, lang: str) -> str:
    return f"没有{text}" if lang == "zh" else f"no {text}"


@functools.lru_cache(maxsize=1)
def default_assessor() -> Assessor:
    """The shipped knowledge base, compiled once per process."""
    return Assessor()


def assess(req: AssessRequest) -> Assessment:
    """Assess one request with the shipped knowledge base."""
    return default_assessor().assess(req)
