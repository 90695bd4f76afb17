"""Choosing advice for the likely causes and the triage level, each item with its evidence grade and sources.

Order: what the triage level means (call an ambulance, see a doctor today, book an appointment), then what to
do now, how to prevent it, when to see whom, and what does not help. Each kind has a quota, so the honest
"this does not help" items (magnesium, quinine, calcium tablets) are never crowded out. Within a kind, items for
the more likely causes come first, then those with stronger evidence. Items tied to a condition are shown when
that condition is among the likely causes; general items (no condition) are shown for every cramp.
Pure: works on the knowledge base and the ranking.
"""

from __future__ import annotations

from crampcheck.kb.schema import Advice, KnowledgeBase

KIND_ORDER = {"now": 0, "prevent": 1, "see": 2, "avoid": 3}
QUOTA = {"now": 5, "prevent": 4, "see": 3, "avoid": 3}
GRADE_ORDER = {"strong": 0, "moderate": 1, "contradicted": 2, "weak": 3, "none": 4}
LIKELY = 0.10  # a condition this probable (or in the top three) gets its own advice
GENERAL = 50  # rank of items that apply to any cramp: after condition-specific ones


def likely_conditions(ranked: list[tuple[str, float]]) -> tuple[str, ...]:
    """The conditions that get their own advice, most likely first."""
    return tuple(c for k, (c, p) in enumerate(ranked) if p >= LIKELY or (k < 3 and p >= 0.02))


def select_advice(
    kb: KnowledgeBase, ranked: list[tuple[str, float]], level: str
) -> list[tuple[Advice, list[str]]]:
    """Advice items (with the likely conditions each one is for), most important first."""
    return advice_for(kb, likely_conditions(ranked), level)


def advice_for(kb: KnowledgeBase, likely: tuple[str, ...], level: str) -> list[tuple[Advice, list[str]]]:
    """The advice of :func:`select_advice`, given the likely conditions (a function of its arguments only,
    so callers may keep the result)."""
    rank = {c: k for k, c in enumerate(likely)}
    level_items: list[tuple[Advice, list[str]]] = []
    by_kind: dict[str, list[tuple[tuple[int, int, str], Advice, list[str]]]] = {k: [] for k in KIND_ORDER}
    for a in kb.advice.values():
        if a.levels:
            if level in a.levels and not a.conditions:
                level_items.append((a, []))
            elif level in a.levels and any(c in rank for c in a.conditions):
                level_items.append((a, [c for c in a.conditions if c in rank]))
            continue
        if a.conditions:
            hits = [c for c in a.conditions if c in rank]
            if not hits:
                continue
            best = min(rank[c] for c in hits)
        else:
            hits, best = [], GENERAL
        by_kind[a.kind].append(((best, GRADE_ORDER[a.evidence], a.id), a, hits))
    out = list(level_items)
    for kind in sorted(KIND_ORDER, key=KIND_ORDER.__getitem__):
        items = sorted(by_kind[kind], key=lambda x: x[0])[: QUOTA[kind]]
        out += [(a, hits) for _, a, hits in items]
    return out
