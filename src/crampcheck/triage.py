"""Triage: red-flag rules that always escalate, plus each likely condition's own level, with the reasons.

Final level = the most urgent of (fact base 1.3): every fired rule (a minimum level, whatever the
probabilities); the own level of the top-ranked condition (its default, raised by its escalation lines, lowered
only by its de-escalation lines); and the own level of any other condition with probability >= 0.30 whose
level is urgent or emergency. Expressions use three-valued logic over the answers (True = yes, False = no,
None = not known); a rule fires only when it is certainly true. In escalation rules ``not X`` means "X is not
known to be true", so an unanswered question never hides a danger; in strict rules (de-escalations) ``not X``
needs X answered "no".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crampcheck.kb.schema import KnowledgeBase, expr_findings

LEVELS = ("self_care", "doctor", "urgent", "emergency")
RANK = {lv: i for i, lv in enumerate(LEVELS)}
OTHER_DANGEROUS_THRESHOLD = 0.30  # fact base 1.3 item 3 (clinical-judgement policy)
# crampcheck policy: when it is more likely than not that at least one cause needing a doctor is present
# (the probability that the person's set of causes includes one whose own level is >= doctor), say so,
# even if the single most likely cause is a self-care one.
PROBABLY_NEEDS_DOCTOR = 0.50
# a doctor-level cause named as part of that probability when it is at least this probable on its own
PROBABLE_CAUSE_SHARE = 0.05

Answers = Mapping[str, bool | None]
Tri = bool | None
Fn = Callable[[Answers, int], Tri]


def compile_expr(e: Any, sets: Mapping[str, Any], strict: bool) -> Fn:
    """Compile a rule expression into a function (answers, age) -> True / False / None."""
    if isinstance(e, str):
        fid = e
        return lambda a, age: a.get(fid)
    ((k, v),) = e.items()
    if k == "set":
        return compile_expr(sets[v], sets, strict)
    if k == "age_ge":
        n = int(v)
        return lambda a, age: age >= n
    if k == "age_lt":
        n = int(v)
        return lambda a, age: age < n
    if k == "maybe":
        # "X is yes or not known": true unless X is answered "no" (a danger whose deciding detail is unknown)
        inner_m = compile_expr(v, sets, strict)

        def f_maybe(a: Answers, age: int) -> Tri:
            return inner_m(a, age) is not False

        return f_maybe
    if k == "not":
        inner = compile_expr(v, sets, strict)
        if strict:

            def f_not_strict(a: Answers, age: int) -> Tri:
                x = inner(a, age)
                return None if x is None else not x

            return f_not_strict

        def f_not(a: Answers, age: int) -> Tri:
            return inner(a, age) is not True

        return f_not
    parts = [compile_expr(x, sets, strict) for x in v]
    if k == "all":

        def f_all(a: Answers, age: int) -> Tri:
            unknown = False
            for p in parts:
                x = p(a, age)
                if x is False:
                    return False
                if x is None:
                    unknown = True
            return None if unknown else True

        return f_all

    def f_any(a: Answers, age: int) -> Tri:
        unknown = False
        for p in parts:
            x = p(a, age)
            if x is True:
                return True
            if x is None:
                unknown = True
        return None if unknown else False

    return f_any


@dataclass(frozen=True)
class CompiledRule:
    id: str
    level: str
    fn: Fn
    findings: frozenset[str]
    suppresses: tuple[str, ...]
    text: Any
    sources: tuple[str, ...]
    conditions: tuple[str, ...]
    outside_model: Any


@dataclass(frozen=True)
class CompiledLine:
    level: str
    fn: Fn
    findings: frozenset[str]


@dataclass(frozen=True)
class Reason:
    """Why the final level was reached: a fired rule, a condition's own level, or the 'probable' policy.

    ``conditions`` are the modelled conditions the reason is about (they are always shown with the result);
    ``outside_model`` is set when the danger is one the model does not cover (e.g. a stroke)."""

    rule: str
    level: str
    findings: tuple[str, ...]
    condition: str | None = None
    conditions: tuple[str, ...] = ()
    outside_model: bool = False


@dataclass(frozen=True)
class TriageResult:
    level: str
    reasons: tuple[Reason, ...]


class Triage:
    """Compiled rules and condition lines of one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        sets = kb.rule_sets
        self.rules = [
            CompiledRule(
                r.id,
                r.level,
                compile_expr(r.when, sets, r.strict),
                frozenset(expr_findings(r.when, sets)),
                tuple(r.suppresses),
                r.text,
                tuple(r.sources),
                tuple(r.conditions),
                r.outside_model,
            )
            for r in kb.rules
        ]
        self.default: dict[str, str] = {c: cond.triage.default for c, cond in kb.conditions.items()}
        self.escalate = {
            c: [
                CompiledLine(x.level, compile_expr(x.when, sets, False), frozenset(expr_findings(x.when, sets)))
                for x in cond.triage.escalate
            ]
            for c, cond in kb.conditions.items()
        }
        self.deescalate = {
            c: [
                CompiledLine(x.level, compile_expr(x.when, sets, True), frozenset(expr_findings(x.when, sets)))
                for x in cond.triage.deescalate
            ]
            for c, cond in kb.conditions.items()
        }
        self.rule_findings: frozenset[str] = frozenset().union(*(r.findings for r in self.rules))
        # conditions at "doctor" or above that no de-escalation line can bring below it
        self.always_doctor = frozenset(
            c
            for c, d in self.default.items()
            if RANK[d] >= RANK["doctor"] and not any(RANK[x.level] < RANK["doctor"] for x in self.deescalate[c])
        )

    def fired_rules(self, answers: Answers, age: int) -> list[CompiledRule]:
        fired = [r for r in self.rules if r.fn(answers, age) is True]
        suppressed = {s for r in fired for s in r.suppresses}
        return [r for r in fired if r.id not in suppressed]

    def levels(self, answers: Answers, age: int) -> ConditionLevels:
        """Every condition's own level for these answers, each worked out when first asked for."""
        return ConditionLevels(self, answers, age)

    def needs_doctor(
        self, conditions: tuple[str, ...], answers: Answers, age: int, levels: ConditionLevels | None = None
    ) -> list[bool]:
        """For each condition: is its own level (given the answers) at least 'doctor'?"""
        lv = levels if levels is not None else self.levels(answers, age)
        out = []
        for cid in conditions:
            if cid in self.always_doctor:
                out.append(True)
            else:
                out.append(RANK[lv[cid][0]] >= RANK["doctor"])
        return out

    def condition_level(self, cid: str, answers: Answers, age: int) -> tuple[str, tuple[str, ...]]:
        """A condition's own level given the answers, and the findings that moved it."""
        level: str = self.default[cid]
        why: tuple[str, ...] = ()
        for line in self.deescalate[cid]:
            if line.fn(answers, age) is True and RANK[line.level] < RANK[level]:
                level, why = line.level, ()
        for line in self.escalate[cid]:
            if line.fn(answers, age) is True and RANK[line.level] > RANK[level]:
                level = line.level
                why = tuple(sorted(f for f in line.findings if answers.get(f) is True))
        return level, why

    def assess(
        self,
        answers: Answers,
        age: int,
        ranked: list[tuple[str, float]],
        p_needs_doctor: float | None = None,
        levels: ConditionLevels | None = None,
    ) -> TriageResult:
        """Final level and reasons. ``ranked`` is (condition, probability), most likely first;
        ``p_needs_doctor`` the probability that some present cause needs at least a doctor."""
        lv = levels if levels is not None else self.levels(answers, age)
        reasons: list[Reason] = []
        level = "self_care"
        if p_needs_doctor is not None and p_needs_doctor >= PROBABLY_NEEDS_DOCTOR:
            # the doctor-level causes that make up that probability, most likely first
            doctor_ranked = [(c, p) for c, p in ranked if RANK[lv[c][0]] >= RANK["doctor"]]
            doctor_causes = tuple(c for c, p in doctor_ranked[:3] if p >= PROBABLE_CAUSE_SHARE) or tuple(
                c for c, _ in doctor_ranked[:1]
            )
            reasons.append(Reason("probable", "doctor", (), conditions=doctor_causes))
            level = "doctor"
        for r in self.fired_rules(answers, age):
            why = tuple(sorted(f for f in r.findings if answers.get(f) is True))
            reasons.append(
                Reason(r.id, r.level, why, conditions=r.conditions, outside_model=r.outside_model is not None)
            )
            if RANK[r.level] > RANK[level]:
                level = r.level
        for k, (cid, p) in enumerate(ranked):
            if k > 0 and p < OTHER_DANGEROUS_THRESHOLD:
                break
            clevel, why = lv[cid]
            if k > 0 and RANK[clevel] < RANK["urgent"]:
                continue
            reasons.append(Reason("condition", clevel, why, condition=cid, conditions=(cid,)))
            if RANK[clevel] > RANK[level]:
                level = clevel
        # the reasons explain the final level: a reason for a lower level is never given as why
        final = tuple(r for r in reasons if r.level == level)
        return TriageResult(level, final)

    def pending(self, answers: Answers, age: int, current: str) -> dict[str, int]:
        """Unanswered findings of rules that are partly satisfied and could raise the level.

        A rule is partly satisfied when some finding it mentions is answered yes but its value is still
        open; the fact base asks to put its missing questions next. Returns finding -> level it could reach.
        """
        out: dict[str, int] = {}
        cur = RANK[current]
        for r in self.rules:
            if RANK[r.level] <= cur or not any(answers.get(f) is True for f in r.findings):
                continue
            if r.fn(answers, age) is None:
                for f in r.findings:
                    if answers.get(f) is None:
                        out[f] = max(out.get(f, 0), RANK[r.level])
        return out

    def pending_deescalation(self, answers: Answers, age: int) -> set[str]:
        """Unanswered findings of an undecided rule that would replace a rule that has fired (a narrow,
        strict de-escalation such as R9d, which lowers chest pain with over-breathing in the young without risk
        factors from emergency to urgent). Asking them lets the fact base's own exception apply; until they
        are answered the higher level stands."""
        fired = {r.id for r in self.rules if r.fn(answers, age) is True}
        out: set[str] = set()
        for r in self.rules:
            if r.suppresses and fired.intersection(r.suppresses) and r.fn(answers, age) is None:
                out.update(f for f in r.findings if f not in answers)
        return out


class ConditionLevels(dict[str, tuple[str, tuple[str, ...]]]):
    """condition -> (own level, findings that moved it) for one set of answers, filled on first use."""

    def __init__(self, triage: Triage, answers: Answers, age: int) -> None:
        super().__init__()
        self._triage, self._answers, self._age = triage, answers, age

    def __missing__(self, cid: str) -> tuple[str, tuple[str, ...]]:
        out = self._triage.condition_level(cid, self._answers, self._age)
        self[cid] = out
        return out
