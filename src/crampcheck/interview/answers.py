"""What an answer to a question means for each finding it asks: one definition for every interface.

The web pages, the terminal and the evaluation's simulated patient all turn what the person did on a
question (ticked boxes, "none of these", "don't know", or yes / no to a single question) into answers here.
The HTTP API takes explicit states (present / absent / unknown per finding); its ``POST /v1/assess``
description tells a client how to send a checklist with the same meaning.

The rules (issue 11, item 3):

- a ticked box (or "yes") is yes; "none of these" (or "no") is no for every finding shown; with boxes ticked
  it reads "none of the others" (the terminal's ``1 3 0``): the ticked ones yes and every other one shown no,
  an explicit answer the person gives, not one inferred from a box left unticked;
- "don't know" is its own answer: unknown for every finding shown that was not answered before;
- a box left unticked when others were ticked (or when nothing was ticked) is "no" only where this question
  is the finding's natural place to say yes (its home question in the catalogue, e.g. a site in "where are
  the cramps?") and the finding is not a red flag: a finding whose "yes" can still fire an urgent or
  emergency triage rule is never made "no" by a box left unticked (it stays unanswered, and the interview
  may ask about it again in the checklist's one follow-up, ``<group>_more``);
- a finding already answered (typed in the description, or answered earlier) is never overwritten by a box
  left unticked; only a tick, "none of these", or unticking a box that was shown ticked changes it.

The red flags are derived from the triage rules of the knowledge base (no list by hand): every finding that
appears un-negated in a rule at "urgent" or "emergency" that is not a de-escalation (strict or suppressing).
A red flag stays one while one of its rules can still fire given the age and the answers so far (the
compiled rules of :class:`crampcheck.triage.Triage` decide): once the other answers rule all of them out
(e.g. "none of these" on the danger signs), an unticked box means "no" for it as for any finding.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from crampcheck.errors import N_, InputError
from crampcheck.interview.select import CONFIRM, QuestionSpec, Selector
from crampcheck.kb.schema import KnowledgeBase
from crampcheck.triage import Fn, Triage

Answers = Mapping[str, bool | None]
RED_LEVELS = ("urgent", "emergency")


def _triggers(e: Any, sets: Mapping[str, Any], positive: bool = True) -> set[str]:
    """The findings of a rule expression whose "yes" can make it true (under an even number of ``not``)."""
    if isinstance(e, str):
        return {e} if positive else set()
    ((k, v),) = e.items()
    if k in ("all", "any"):
        out: set[str] = set()
        for x in v:
            out |= _triggers(x, sets, positive)
        return out
    if k == "not":
        return _triggers(v, sets, not positive)
    if k == "set" and v in sets:
        return _triggers(sets[v], sets, positive)
    return set()


def red_flag_rules(kb: KnowledgeBase, triage: Triage) -> dict[str, tuple[Fn, ...]]:
    """Red-flag finding -> the compiled urgent or emergency rules a "yes" to it can fire (de-escalations, strict
    or suppressing, excluded)."""
    out: dict[str, list[Fn]] = {}
    for rule, compiled in zip(kb.rules, triage.rules, strict=True):
        if compiled.id != rule.id:  # pragma: no cover - Triage compiles kb.rules in order
            raise ValueError(f"triage rule {compiled.id} does not match knowledge-base rule {rule.id}")
        if rule.level in RED_LEVELS and not rule.strict and not rule.suppresses:
            for f in sorted(_triggers(rule.when, kb.rule_sets) & set(kb.findings)):
                out.setdefault(f, []).append(compiled.fn)
    return {f: tuple(fns) for f, fns in out.items()}


@dataclass(frozen=True)
class Response:
    """What the person did on one question screen.

    ``ticked``: boxes ticked (for a single question, ``{finding}`` is "yes"); ``none``: "none of these" (or
    "no"; with boxes ticked, "none of the others"); ``unknown``: "don't know"; ``unticked``: boxes that were
    shown ticked (already "yes") and that the person unticked, an explicit "no".
    """

    ticked: frozenset[str] = frozenset()
    none: bool = False
    unknown: bool = False
    unticked: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        ticked: Iterable[str] = (),
        none: bool = False,
        unknown: bool = False,
        unticked: Iterable[str] = (),
    ) -> Response:
        return cls(frozenset(ticked), none, unknown, frozenset(unticked))


@dataclass(frozen=True)
class AnswerPolicy:
    """Where an unticked box may mean "no".

    ``home`` maps a finding to the question that is its natural place to say yes; ``alarms`` maps each red-flag
    finding to the urgent or emergency rules a "yes" to it can fire. An unticked red flag is never "no" while one
    of those rules could still fire (given the age and the answers, with this question's ticks); once every one
    of them is already ruled out by other answers (for example "none of these" on the danger signs), it is an
    ordinary finding again.
    """

    home: Mapping[str, str]
    alarms: Mapping[str, tuple[Fn, ...]]

    @classmethod
    def of(cls, kb: KnowledgeBase, selector: Selector) -> AnswerPolicy:
        return cls(dict(selector.question_of), red_flag_rules(kb, selector.triage))

    @property
    def red(self) -> frozenset[str]:
        """Every finding that can be a red flag."""
        return frozenset(self.alarms)

    def is_red(self, finding: str, answers: Answers, age: int | None = None) -> bool:
        """Can a "yes" to ``finding`` still fire an urgent or emergency rule? (Always, for a red flag, when the
        age is not given.)"""
        fns = self.alarms.get(finding, ())
        if not fns or age is None:
            return bool(fns)
        with_yes = ChainMap[str, bool | None]({finding: True}, dict(answers))
        return any(fn(with_yes, age) is not False for fn in fns)

    def unticked_is_no(self, qid: str, finding: str, answers: Answers, age: int | None = None) -> bool:
        """Does a box left unticked for ``finding`` on question ``qid`` mean "no"?"""
        return self.home.get(finding) == qid and not self.is_red(finding, answers, age)

    def meaning(
        self, q: QuestionSpec, r: Response, answers: Answers, age: int | None = None
    ) -> dict[str, bool | None]:
        """The answers that response ``r`` to question ``q`` gives, given the answers so far (and the age, which
        some red-flag rules need; without it every red flag is treated as possible).

        Only the findings the question puts to the person (``q.asks(answers)``) are answered; the result holds
        only what changes (merge it into the answers with ``update``).
        """
        shown = q.asks(answers)
        if r.unknown and (r.none or r.ticked or r.unticked):
            raise InputError(N_("choose either options, 'none of these' or 'don't know', not several"))
        if r.unknown:  # a confirmation's "don't know" replaces the earlier answer; elsewhere it never does
            return {f: None for f in shown if f not in answers or q.kind == CONFIRM}
        if r.none:  # "none of these", or with boxes ticked "none of the others": an explicit answer for each
            return {f: f in r.ticked for f in shown}
        if q.kind == "single" and not r.ticked and not r.unticked:
            raise InputError(N_("answer yes, no or don't know"))
        out: dict[str, bool | None] = {}
        now = {**answers, **{f: True for f in shown if f in r.ticked}}
        for f in shown:
            if f in r.ticked:
                out[f] = True
            elif f in r.unticked:
                out[f] = False
            elif f in answers:
                continue  # typed or answered before: an unticked box does not overwrite it
            elif q.kind != "single" and self.unticked_is_no(q.home, f, now, age):
                out[f] = False
        return out


_POLICIES: WeakKeyDictionary[Selector, AnswerPolicy] = WeakKeyDictionary()


def policy_for(kb: KnowledgeBase, selector: Selector) -> AnswerPolicy:
    """The answer policy of one knowledge base and its question catalogue (built once per selector)."""
    p = _POLICIES.get(selector)
    if p is None:
        p = _POLICIES[selector] = AnswerPolicy.of(kb, selector)
    return p
