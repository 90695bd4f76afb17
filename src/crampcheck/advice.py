"""Choosing advice for the likely causes, the triage level and the person, each item with its evidence grade
and sources.

Order: what the triage level means (call an ambulance, see a doctor today, book an appointment), then what to
do now, how to prevent it, when to see whom, and what does not help. Items tied to a condition are shown when
that condition is among the likely causes; general items (no condition) are shown for every cramp. Within a
kind, items for the more likely causes come first, then those with stronger evidence.

What fits the person (fields of :class:`~crampcheck.kb.schema.Advice`, checked by ``kb check``):

* ``not_with``: an item is not shown beside a danger it would harm or a cause it contradicts: it is hidden
  when one of its ``not_with`` conditions is a likely cause that needs urgent care (its own level, or the
  assessment's level, is urgent or emergency). So warmth, massage, stretching and walking are not offered
  beside a clot, heatstroke, muscle breakdown or a leg short of blood.
* ``replaced_by``: an item is hidden when a more specific item that contradicts it applies (general stretching
  beside writer's cramp, where stretching does little).
* ``min_age`` / ``max_age``: adult sport, salt and heat tips are not shown to young children, who get the child
  items (oral rehydration solution, a child's dehydration warning signs) instead.
* ``requires_any``: an item about a medicine or an illness (a statin, a stomach-acid medicine, diabetes) is
  shown only when one of those findings is answered yes or not answered, never when all are answered no.
* ``safety``: safety items (when to get help, what would harm) are shown whenever they apply; the per-kind
  quotas count only the other items, so the honest "this does not help" items and the safety items are
  never crowded out.

Pure: works on the knowledge base, the ranking and an :class:`AdviceContext`. The context keeps only what the
advice data mentions (an age class, the answers named in some ``requires_any`` that are no, the likely
``not_with`` conditions that need urgent care), so it is small and serves as a cache key.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from crampcheck.kb.schema import MIN_AGE, Advice, KnowledgeBase

KIND_ORDER = {"now": 0, "prevent": 1, "see": 2, "avoid": 3}
QUOTA = {"now": 5, "prevent": 4, "see": 3, "avoid": 3}  # items per kind, safety items not counted
GRADE_ORDER = {"strong": 0, "moderate": 1, "contradicted": 2, "weak": 3, "none": 4}
LIKELY = 0.10  # a condition this probable (or in the top three) gets its own advice
GENERAL = 50  # rank of items that apply to any cramp: after condition-specific ones
HIGH_LEVELS = frozenset({"urgent", "emergency"})


def likely_conditions(ranked: list[tuple[str, float]]) -> tuple[str, ...]:
    """The conditions that get their own advice, most likely first."""
    return tuple(c for k, (c, p) in enumerate(ranked) if p >= LIKELY or (k < 3 and p >= 0.02))


@dataclass(frozen=True)
class AdviceContext:
    """The person, reduced to what the advice data can tell apart (build it with :func:`advice_context`).

    ``age`` is the lowest age of the person's age class: every age between two of the data's age limits gets
    the same advice. ``answered_no`` holds the findings named in some ``requires_any`` that are answered no;
    ``urgent`` the likely causes named in some ``not_with`` whose own level is urgent or emergency.
    """

    age: int
    answered_no: frozenset[str] = frozenset()
    urgent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Mentions:
    age_limits: tuple[int, ...]  # sorted: every min_age and every max_age + 1
    findings: frozenset[str]  # named in some requires_any
    conditions: frozenset[str]  # named in some not_with


_MENTIONS: dict[int, tuple[KnowledgeBase, _Mentions]] = {}


def _mentions(kb: KnowledgeBase) -> _Mentions:
    hit = _MENTIONS.get(id(kb))
    if hit is not None and hit[0] is kb:
        return hit[1]
    limits = {MIN_AGE}
    findings: set[str] = set()
    conditions: set[str] = set()
    for a in kb.advice.values():
        if a.min_age is not None:
            limits.add(a.min_age)
        if a.max_age is not None:
            limits.add(a.max_age + 1)
        findings.update(a.requires_any)
        conditions.update(a.not_with or ())
    m = _Mentions(tuple(sorted(limits)), frozenset(findings), frozenset(conditions))
    if len(_MENTIONS) >= 8:
        _MENTIONS.clear()
    _MENTIONS[id(kb)] = (kb, m)  # the kb is kept, so its id cannot be reused while the entry lives
    return m


def advice_context(
    kb: KnowledgeBase,
    age: int,
    answers: Mapping[str, bool | None],
    own_levels: Mapping[str, str] | None = None,
) -> AdviceContext:
    """The context advice depends on: ``answers`` maps finding -> True/False/None (unknown); ``own_levels``
    maps each likely condition to its own triage level for these answers."""
    m = _mentions(kb)
    limits = m.age_limits
    cls = limits[max(bisect_right(limits, age) - 1, 0)]
    no = frozenset(f for f in m.findings if answers.get(f) is False)
    urgent = frozenset(c for c, lv in (own_levels or {}).items() if lv in HIGH_LEVELS and c in m.conditions)
    return AdviceContext(age=min(cls, age), answered_no=no, urgent=urgent)


def fits_person(a: Advice, ctx: AdviceContext) -> bool:
    """Age limits and ``requires_any`` (shown unless every finding it is about is answered no)."""
    if not a.fits_age(ctx.age):
        return False
    return not (a.requires_any and all(f in ctx.answered_no for f in a.requires_any))


def harmful_beside(a: Advice, likely: Mapping[str, int], level: str, ctx: AdviceContext) -> list[str]:
    """The likely ``not_with`` conditions that hide this item: those needing urgent care."""
    if not a.not_with:
        return []
    high = level in HIGH_LEVELS
    return [c for c in a.not_with if c in likely and (high or c in ctx.urgent)]


def advice_for(
    kb: KnowledgeBase, likely: tuple[str, ...], level: str, ctx: AdviceContext
) -> list[tuple[Advice, list[str]]]:
    """Advice items (with the likely conditions each one is for), most important first, for the likely
    conditions of :func:`likely_conditions` (a function of its arguments only, so callers may keep the result
    under the key (likely, level, ctx))."""
    rank = {c: k for k, c in enumerate(likely)}
    level_items: list[tuple[Advice, list[str]]] = []
    candidates: list[tuple[tuple[int, int, str], Advice, list[str]]] = []
    for a in kb.advice.values():
        if a.levels and level not in a.levels:
            continue
        hits = [c for c in a.conditions if c in rank]
        if a.conditions and not hits:
            continue
        if not fits_person(a, ctx) or harmful_beside(a, rank, level, ctx):
            continue
        if a.levels:
            level_items.append((a, hits))
        else:
            best = min(rank[c] for c in hits) if hits else GENERAL
            candidates.append(((best, GRADE_ORDER[a.evidence], a.id), a, hits))
    applicable = {a.id for _, a, _ in candidates}
    by_kind: dict[str, list[tuple[tuple[int, int, str], Advice, list[str]]]] = {k: [] for k in KIND_ORDER}
    for key, a, hits in candidates:
        if not any(r in applicable for r in a.replaced_by):
            by_kind[a.kind].append((key, a, hits))
    out = list(level_items)
    for kind in sorted(KIND_ORDER, key=KIND_ORDER.__getitem__):
        taken = 0
        for _, a, hits in sorted(by_kind[kind], key=lambda x: x[0]):
            if a.safety:
                out.append((a, hits))
            elif taken < QUOTA[kind]:
                out.append((a, hits))
                taken += 1
    return out
