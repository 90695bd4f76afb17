"""The interview state carried by the pages' hidden form fields (no server-side session), and the pure
steps of the protocol on it: answer a question, correct what was understood, go back, change an earlier
answer. What an answer means is decided by the core (:mod:`crampcheck.interview.answers`), not here.

Fields: ``lang``, ``age``, ``sex``, repeated ``a`` (``finding:state:source``) and repeated ``asked``
(question ids in the order asked).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from crampcheck.schema import MAX_AGE, MIN_AGE, Answer, AssessRequest

_ID = re.compile(r"^[a-z0-9_]{1,80}$")
STATES = ("present", "absent", "unknown")
SOURCES = ("initial", "question", "text", "facts", "correction")
STATE_VALUE: dict[str, bool | None] = {"present": True, "absent": False, "unknown": None}
VALUE_STATE: dict[bool | None, str] = {True: "present", False: "absent", None: "unknown"}


class StateError(ValueError):
    """The hidden state of a form is missing or malformed (a tampered or truncated form)."""


@dataclass
class InterviewState:
    lang: str
    age: int
    sex: str
    answers: list[Answer] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    # --- (de)serialisation ------------------------------------------------------------------------
    def fields(self) -> list[tuple[str, str]]:
        """The hidden fields that carry this state (``lang`` is carried separately)."""
        out = [("age", str(self.age)), ("sex", self.sex)]
        out += [("a", f"{a.finding}:{a.state}:{a.source}") for a in self.answers]
        out += [("asked", q) for q in self.asked]
        return out

    @classmethod
    def from_form(
        cls, lang: str, age: str | None, sex: str | None, a: list[str], asked: list[str]
    ) -> InterviewState:
        try:
            age_n = int(age or "")
        except ValueError:
            raise StateError("age") from None
        if not MIN_AGE <= age_n <= MAX_AGE:
            raise StateError("age")
        if sex not in ("female", "male"):
            raise StateError("sex")
        answers = []
        for item in a[:500]:
            parts = item.split(":")
            if len(parts) != 3 or not _ID.match(parts[0]) or parts[1] not in STATES or parts[2] not in SOURCES:
                raise StateError("a")
            answers.append(Answer(finding=parts[0], state=parts[1], source=parts[2]))  # type: ignore[arg-type]
        if any(not _ID.match(q) for q in asked) or len(asked) > 200:
            raise StateError("asked")
        return cls(lang=lang, age=age_n, sex=sex, answers=answers, asked=list(asked))

    def request(self) -> AssessRequest:
        return AssessRequest(age=self.age, sex=self.sex, lang=self.lang, answers=self.answers, asked=self.asked)  # type: ignore[arg-type]

    # --- protocol steps ---------------------------------------------------------------------------
    def answer_map(self) -> dict[str, bool | None]:
        """{finding: True / False / None (don't know)}; a later answer wins."""
        return {a.finding: STATE_VALUE[a.state] for a in self.answers}

    def apply(self, qid: str, vals: Mapping[str, bool | None], source: str = "question") -> None:
        """Record what the answer to question ``qid`` means (``crampcheck.interview.answers``) and mark it
        asked; findings not in ``vals`` keep their answers."""
        for f, v in vals.items():
            self.answers.append(Answer(finding=f, state=VALUE_STATE[v], source=source))  # type: ignore[arg-type]
        self.asked = [q for q in self.asked if q != qid] + [qid]

    def correct(self, finding: str, state: str) -> None:
        """The person corrected what was understood from their description: the typed answer is replaced."""
        if state not in STATES:
            raise StateError("a")
        for k, a in enumerate(self.answers):
            if a.finding == finding and a.source in ("text", "correction") and a.state != state:
                self.answers[k] = Answer(finding=finding, state=state, source="correction")  # type: ignore[arg-type]

    def drop(self, qid: str, findings: list[str]) -> dict[str, str]:
        """Remove question ``qid`` and its answers; return the removed answers (to pre-fill the form)."""
        fs = set(findings)
        removed: dict[str, str] = {
            a.finding: a.state for a in self.answers if a.source == "question" and a.finding in fs
        }
        self.answers = [a for a in self.answers if not (a.source == "question" and a.finding in fs)]
        self.asked = [q for q in self.asked if q != qid]
        return removed

    def rewind_to(self, qid: str, findings_of: dict[str, list[str]]) -> dict[str, str]:
        """Change the answer to ``qid``: forget it and every question asked after it."""
        if qid not in self.asked:
            return {}
        k = self.asked.index(qid)
        removed: dict[str, str] = {}
        for q in reversed(self.asked[k:]):
            got = self.drop(q, findings_of.get(q, []))
            if q == qid:
                removed = got
        return removed
