"""Choosing advice for the likely causes and the triage level, each item with its evidence grade and sources.

Order: what to do about the triage level first (call an ambulance, see a doctor today, book an appointment),
then what to do now, how to prevent it, and what does not help. Items tied to a condition are shown when that
condition is among the likely causes; general items (no condition) are shown for every true cramp; the
article's classic remedies come with their honest grade. Pure: works on the knowledge base and the ranking.
"""

from __future__ import annotations

from crampcheck.kb.schema import Advice, KnowledgeBase

KIND_ORDER = {"now": 0, "prevent": 1, "see": 2, "avoid": 3}
LIKELY = 0.10  # a condition this probable (or in the top three) gets its own advice
MAX_ITEMS = 14


def select_advice(
    kb: KnowledgeBase, ranked: list[tuple[str, float]], level: str
) -> list[tuple[Advice, list[str]]]:
    """Advice items (with the likely conditions each one is for), most important first."""
    likely = [c for k, (c, p) in enumerate(ranked) if p >= LIKELY or (k < 3 and p >= 0.02)]
    rank = {c: k for k, c in enumerate(likely)}
    chosen: list[tuple[tuple[int, int, int], Advice, list[str]]] = []
    for a in kb.advice.values():
        if a.levels and level not in a.levels:
            continue
        if a.kind == "see" and not a.conditions and not a.levels:
            continue
        if a.conditions:
            hits = [c for c in a.conditions if c in rank]
            if not hits:
                continue
            best = min(rank[c] for c in hits)
        else:
            hits = []
            best = 50
        level_item = 0 if a.levels else 1
        chosen.append(((level_item, KIND_ORDER[a.kind], best), a, hits))
    chosen.sort(key=lambda x: x[0])
    out: list[tuple[Advice, list[str]]] = []
    seen: set[str] = set()
    for _, a, hits in chosen:
        if a.id in seen:
            continue
        seen.add(a.id)
        out.append((a, hits))
    return out[:MAX_ITEMS]
