"""What an answer to a question means for each finding it asks: one definition for every interface.

The web pages, the terminal and the evaluation's simulated patient all turn what the person did on a
question (ticked boxes, "none of these", "don't know", or yes / no to a single question) into answers here;
the HTTP API takes explicit states (present / absent / unknown per finding) and can use the same function
through ``POST /v1/answer``.

The rules (issue 11, item 3):

- a ticked box (or "yes") is yes; "none of these" (or "no") is no for every finding shown;
- "don't know" is its own answer: unknown for every finding shown that was not answered before;
- a box left unticked when others were ticked (or when nothing was ticked) is "no" only where this question
  is the finding's natural place to say yes (its home question in the catalogue, e.g. a site in "where are
  the cramps?") and the finding is not a red flag: a finding whose "yes" can trigger an urgent or emergency
  triage rule is never made "no" by a box left unticked (it stays unanswered, and the interview may ask it
  on its own later);
- a finding already answered (typed in the description, or answered earlier) is never overwritten by a box
  left unticked; only a tick, "none of these", or unticking a box that was shown ticked changes it.

The red flags are derived from the triage rules of the knowledge base (no list by hand): every finding that
appears un-negated in a rule at "urgent" or "emergency" that is not a de-escalation (strict or suppressing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crampcheck.errors import N_, InputError
from crampcheck.interview.select import QuestionSpec
from crampcheck.kb.schema import KnowledgeBase

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


def red_flags(kb: KnowledgeBase) -> frozenset[str]:
    """Findings whose "yes" can fire an urgent or emergency triage rule (de-escalations excluded)."""
    out: set[str] = set()
    for r in kb.rules:
        if r.level in RED_LEVELS and not r.strict and not r.suppresses:
            out |= _triggers(r.when, kb.rule_sets)
    return frozenset(out & set(kb.findings))


@dataclass(frozen=True)
class Response:
    """What the person did on one question screen.

    ``ticked``: boxes ticked (for a single question, ``{finding}`` is "yes"); ``none``: "none of these" (or
    "no"); ``unknown``: "don't know"; ``unticked``: boxes that were shown ticked (already "yes") and that the
    person unticked, an explicit "no".
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
    """Where an unticked box may mean "no": ``home`` maps a finding to the question that is its natural place
    to say yes; ``red`` holds the red-flag findings, which an unticked box never makes "no"."""

    home: Mapping[str, str]
    red: frozenset[str]

    @classmethod
    def of(cls, kb: KnowledgeBase, question_of: Mapping[str, str]) -> AnswerPolicy:
        return cls(dict(question_of), red_flags(kb))

    def unticked_is_no(self, qid: str, finding: str) -> bool:
        return finding not in self.red and self.home.get(finding) == qid

    def meaning(self, q: QuestionSpec, r: Response, answers: Answers) -> dict[str, bool | None]:
        """The answers that response ``r`` to question ``q`` gives, given the answers so far.

        Only the findings the question puts to the person (``q.asks(answers)``) are answered; the result holds
        only what changes (merge it into the answers with ``update``).
        """
        shown = q.asks(answers)
        chose = sum((bool(r.ticked or r.unticked), r.none, r.unknown))
        if chose > 1:
            raise InputError(N_("choose either options, 'none of these' or 'don't know', not several"))
        if r.unknown:
            return {f: None for f in shown if f not in answers}
        if r.none:
            return {f: False for f in shown}
        if q.kind == "single" and not r.ticked and not r.unticked:
            raise InputError(N_("answer yes, no or don't know"))
        out: dict[str, bool | None] = {}
        for f in shown:
            if f in r.ticked:
                out[f] = True
            elif f in r.unticked:
                out[f] = False
            elif f in answers:
                continue  # typed or answered before: an unticked box does not overwrite it
            elif q.kind != "single" and self.unticked_is_no(q.id, f):
                out[f] = False
        return out
