"""The ConText algorithm (Harkema et al., J Biomed Inform 2009), shared by both languages.

Targets (lexicon matches) and cues (negation / hedge triggers, pseudo-triggers, terminators) are
given as spans in *units* (tokens for English, characters for Chinese) together with a sentence
number.  A pre-trigger reaches forward, a post-trigger backward, within its sentence, for at most
``scope_pre`` / ``scope_post`` units and never across a terminator ("but", "但是", "，").  A
pseudo-trigger ("not only", "不由自主") hides the triggers it overlaps; among overlapping cues the
longest wins.  A cue lying inside a gapped target ("legs don't cramp", "手指不麻") applies to it unless
the cue is part of the term's own words ("don't drink milk", "不喝牛奶").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from crampcheck.nlp.models import Mention, State

STATE_RANK = {"present": 3, "absent": 2, "uncertain": 1}
# Idiomatic terms ("normal strength", "gave up smoking") beat keywords read through context cues,
# which beat weak inferences ("my right calf" -> not both sides).
STRENGTH = {"fixed": 2, "no": 2, "plain": 2, "yes": 1, "pos": 1, "neg": 1, "maybe": 1, "weak_no": 0, "weak_yes": 0}


@dataclass(frozen=True)
class TargetHit:
    """One lexicon match."""

    finding: str
    kind: str
    sent: int
    start_u: int
    end_u: int
    start_c: int
    end_c: int
    literal: object  # frozenset[str] (English tokens) or str (Chinese characters)


@dataclass(frozen=True)
class CueHit:
    """One context cue."""

    kind: str
    sent: int
    start_u: int
    end_u: int
    text: str


_MARKERS = frozenset(
    {"relative", "self", "self_strong", "anchor", "third", "ellipsis_no", "ellipsis_yes", "long_ago"}
)


_ENDS = frozenset({"terminator", "contrast"})  # a contrast ("but", "但是") is a terminator that also splits terms


def _clean_cues(cues: Iterable[CueHit]) -> list[CueHit]:
    """Longest cue wins among overlapping ones; pseudo-triggers are then dropped (they only hide).

    Context cues (negation, hedges, terminators...), cramp words, relatives and the writer are each
    cleaned separately, so "I get cramps" can be both the writer and a cramp; a pseudo-trigger hides
    both ("抽烟" is no cramp).  A negation read both ways keeps both readings: in "也没有发烧" the longer
    post-trigger "也没有" (for "肿也没有") must not hide the pre-trigger "没有" that negates what follows."""
    cues = list(cues)
    out: list[CueHit] = []
    groups = [[c for c in cues if c.kind not in _MARKERS]]
    groups += [
        [c for c in cues if c.kind in (kind, "pseudo")] for kind in ("anchor", "relative", "third", "long_ago")
    ]
    groups.append([c for c in cues if c.kind in ("ellipsis_no", "ellipsis_yes", "pseudo")])
    groups.append([c for c in cues if c.kind in ("self", "self_strong", "pseudo")])
    for group in groups:
        by_sent: dict[int, list[CueHit]] = {}
        for cue in sorted(group, key=lambda c: (-(c.end_u - c.start_u), c.start_u)):
            kept = by_sent.setdefault(cue.sent, [])
            if not any(c.start_u < cue.end_u and cue.start_u < c.end_u and not _both_ways(c, cue) for c in kept):
                kept.append(cue)
        out.extend(c for kept in by_sent.values() for c in kept if c.kind != "pseudo")
    return out


def _both_ways(a: CueHit, b: CueHit) -> bool:
    """Two overlapping cues of one kind that reach in opposite directions (neg_pre / neg_post, ...)."""
    return (
        a.kind != b.kind
        and {a.kind.rsplit("_", 1)[-1], b.kind.rsplit("_", 1)[-1]} == {"pre", "post"}
        and (a.kind.split("_")[0] == b.kind.split("_")[0])
    )


@dataclass(frozen=True)
class Rules:
    """What a language's lexicon says beyond cues: how far cues reach and which findings are special."""

    scope_pre: int
    scope_post: int
    history: frozenset[str] = frozenset()  # past cues do not end them (diagnoses, surgery)
    family: frozenset[str] = frozenset()  # a relative's clause keeps them
    anchored: frozenset[str] = frozenset()  # need a cramp word (an anchor cue) in their sentence
    fragment: int = 0  # a sentence this short (units) after one with a cramp word shares it
    recent: frozenset[str] = frozenset()  # about the last weeks: "last year" in the sentence drops them
    past_drop: frozenset[str] = frozenset()  # "prescribed, not started yet" leaves them out (not absent)


def _other_person_clauses(
    cues: list[CueHit], clause_of: Callable[[CueHit], tuple[int, int]]
) -> set[tuple[int, int]]:
    """Clauses about someone other than the person the text describes.

    The described person is the writer ("I", "我") when the writer is named first, speaks of their own
    cramps in a clause that names nobody else ("I get calf cramps", "我晚上小腿抽筋"), sets themself apart
    from a relative ("my wife has diabetes, I don't"), or insists on themself ("myself", "我自己") more
    often than the text says "he" / "she".  Otherwise it is the relative named first ("my dad is 72",
    "我替我妈问"), and the writer's own clauses ("I take omeprazole myself") are about someone else.  A
    clause naming another relative ("mum takes Lasix too") is about that person."""
    relatives = [c for c in cues if c.kind == "relative"]
    if not relatives:
        return set()
    selves = [
        c
        for c in cues
        if c.kind == "self" and not any(r.sent == c.sent and 0 <= r.start_u - c.end_u <= 1 for r in relatives)
    ]
    # a clause naming someone else, or a guess ("I think the cramps..."), is not the writer's own account
    others_here = {
        clause_of(c) for c in cues if c.kind in ("relative", "third") or c.kind.startswith(("hedge", "hypo"))
    }
    cramp_clauses = {clause_of(c) for c in cues if c.kind == "anchor"}
    strong = [c for c in cues if c.kind == "self_strong"]
    writer_replies = [c for c in cues if c.kind.startswith("ellipsis") and _is_writer(c.text)]
    own_cramps = [c for c in selves if clause_of(c) in cramp_clauses and clause_of(c) not in others_here]
    thirds = sum(1 for c in cues if c.kind == "third")
    first = min(relatives + selves, key=lambda c: (c.sent, c.start_u))
    if first.kind == "self" or own_cramps or writer_replies or (strong and thirds < len(selves) + len(strong)):
        return {clause_of(r) for r in relatives}
    main = first.text
    writer = {clause_of(c) for c in selves + strong if clause_of(c) not in others_here}
    return {clause_of(r) for r in relatives if not (r.text.endswith(main) or main.endswith(r.text))} | writer


def _is_writer(text: str) -> bool:
    """An elliptic reply spoken by the writer ("I don't", "me too", "我没有"), not about a third person."""
    return "我" in text or bool({"i", "me", "i'm"} & set(text.split()))


def resolve(
    targets: list[TargetHit],
    cues: Iterable[CueHit],
    *,
    rules: Rules,
    is_literal: Callable[[CueHit, TargetHit], bool],
    text: str,
    sent_sizes: list[int] | None = None,
) -> list[tuple[Mention, int]]:
    """Give every target a state; returns (mention, strength) pairs, not yet merged.

    ``sent_sizes`` (units per sentence) lets a short fragment after a sentence about cramps share its
    cramp ("Calf cramps. Mostly at night. 3-4 times a week.")."""
    scope_pre, scope_post = rules.scope_pre, rules.scope_post
    skips = [t for t in targets if t.kind == "skip"]
    if skips:
        targets = [
            t
            for t in targets
            if t.kind != "skip"
            and not any(
                s.finding == t.finding and s.sent == t.sent and s.start_u < t.end_u and t.start_u < s.end_u
                for s in skips
            )
        ]
    by_sent: dict[int, list[CueHit]] = {}
    cleaned = _clean_cues(cues)
    for cue in cleaned:
        by_sent.setdefault(cue.sent, []).append(cue)
    term_ends = {si: sorted(c.end_u for c in cs if c.kind in _ENDS) for si, cs in by_sent.items()}
    # a term whose gap runs over a contrast ("not swollen but red and warm" read as "swollen ... warm")
    # straddles two clauses: it is dropped, the words on each side are matched by their own terms
    contrasts = [c for c in cleaned if c.kind == "contrast"]
    if contrasts:
        targets = [
            t
            for t in targets
            if t.kind == "plain"
            or not any(c.sent == t.sent and t.start_u < c.start_u and c.end_u < t.end_u for c in contrasts)
        ]

    def clause_at(sent: int, pos: int) -> tuple[int, int]:
        return (sent, sum(1 for e in term_ends.get(sent, []) if e <= pos))

    others = _other_person_clauses(cleaned, lambda c: clause_at(c.sent, c.start_u))
    # "my wife has diabetes, I don't" / "我老公有糖尿病，我没有": the clause before an elliptic reply is
    # answered for the writer (denied or shared); the pipelines keep only replies that stand alone
    echoed: dict[tuple[int, int], State] = {}
    for c in cleaned:
        if c.kind in ("ellipsis_no", "ellipsis_yes"):
            sent, clause = clause_at(c.sent, c.end_u - 1)  # ", I don't": the terminator holds the "I"
            before = (sent, clause - 1) if clause else (sent - 1, len(term_ends.get(sent - 1, [])))
            echoed[before] = "absent" if c.kind == "ellipsis_no" else "present"
    neg_pres = [c for c in cleaned if c.kind == "neg_pre"]
    anchored_sents = {  # a denied cramp ("不是抽筋", "no cramps") anchors nothing
        c.sent
        for c in cleaned
        if c.kind == "anchor" and not any(n.sent == c.sent and 0 <= c.start_u - n.end_u <= 1 for n in neg_pres)
    }
    if sent_sizes:
        for si, size in enumerate(sent_sizes):
            if si - 1 in anchored_sents and size <= rules.fragment:
                anchored_sents.add(si)
    long_ago = {c.sent for c in cleaned if c.kind == "long_ago"}
    out: list[tuple[Mention, int]] = []
    for t in targets:
        if t.finding in rules.recent and t.sent in long_ago:
            continue  # "had my thyroid out last year" is no recent surgery
        if t.finding in rules.anchored and t.sent not in anchored_sents and t.kind != "weak_no":
            continue  # a site or timing is the cramp's; a denial ("only the right one") stands alone
        echo = echoed.get(clause_at(t.sent, t.start_u))
        if others and t.finding not in rules.family and clause_at(t.sent, t.start_u) in others and echo is None:
            continue
        sent_cues = by_sent.get(t.sent, [])
        terms = [c for c in sent_cues if c.kind in _ENDS]

        def blocked(a: int, b: int, terms: list[CueHit] = terms) -> bool:
            return any(a <= c.start_u and c.end_u <= b for c in terms)

        neg = neg_pre = hedge = hypo = past = near_neg = False
        for c in sent_cues:
            if c.kind in _ENDS or c.kind in _MARKERS:
                continue
            applies = False
            if t.start_u <= c.start_u and c.end_u <= t.end_u:
                applies = not is_literal(c, t)
            elif c.kind == "past_post" and c.start_u >= t.end_u:
                applies = c.start_u - t.end_u <= 3 * scope_post  # "smoked 40 years, quit in 2019"
            elif c.kind.endswith("_pre") and c.end_u <= t.start_u:
                reach = 2 * scope_pre if c.kind == "hypo_pre" else scope_pre
                applies = t.start_u - c.end_u <= reach and not blocked(c.end_u, t.start_u)
            elif c.kind.endswith("_post") and c.start_u >= t.end_u:
                applies = c.start_u - t.end_u <= scope_post and not blocked(t.end_u, c.start_u)
            if applies and c.kind.startswith("neg"):
                gap = t.start_u - c.end_u if c.end_u <= t.start_u else c.start_u - t.end_u
                near_neg = near_neg or 0 <= gap <= 1  # "not the calf", "唔係小腿", "大腿不抽"
            if applies:
                if c.kind.startswith("neg"):
                    neg = True
                    neg_pre = neg_pre or c.kind == "neg_pre"
                elif c.kind.startswith("hypo"):
                    hypo = True
                elif c.kind.startswith("past"):
                    past = True
                else:
                    hedge = True
        if hypo:
            continue
        state: State | None
        if t.kind == "plain":
            state = "absent" if near_neg else "present"  # a body site is denied only right next to it
        elif t.kind in ("fixed", "weak_yes"):
            state = "present"
        elif t.kind == "pos":
            state = None if neg or hedge else "present"
        elif t.kind in ("no", "weak_no"):
            state = None if neg_pre else "absent"  # "my pee isn't normal": a denied denial says nothing
        elif t.kind == "maybe":
            state = "absent" if neg and not hedge else "uncertain"  # "feverish" says no more than maybe
        elif hedge:
            state = "uncertain"
        elif neg:
            state = "absent"
        else:
            state = None if t.kind == "neg" else "present"
        if past and t.finding in rules.past_drop:
            continue  # a medicine not started yet says nothing about cramps after a new medicine
        if past and state is not None and t.kind in ("yes", "fixed") and t.finding not in rules.history:
            state = "absent"  # ended or not started: the answer about now is no
        if state is None:
            continue
        if echo is not None and state == "present" and t.finding not in rules.family:
            state = echo
        mention = Mention(id=t.finding, state=state, start=t.start_c, end=t.end_c, text=text[t.start_c : t.end_c])
        out.append((mention, STRENGTH[t.kind]))
    return out


def merge(mentions: Iterable[tuple[Mention, int]]) -> list[Mention]:
    """One mention per finding: stronger term first, then present > absent > uncertain, earliest kept."""
    best: dict[str, tuple[tuple[int, int, int], Mention]] = {}
    for m, strength in mentions:
        key = (strength, STATE_RANK[m.state], -m.start)
        if m.id not in best or key > best[m.id][0]:
            best[m.id] = (key, m)
    return sorted((m for _, m in best.values()), key=lambda m: (m.start, m.id))
