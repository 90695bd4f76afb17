"""The interview state carried by the pages' hidden form fields (no server-side session), and the pure
steps of the protocol on it: answer a question, correct what was understood, go back, change an earlier
answer. What an answer means is decided by the core (:mod:`crampcheck.interview.answers`), not here.

Fields: ``lang``, ``age``, ``sex``, repeated ``a`` (``finding:state:source``, with ``:question`` when a
question gave it) and repeated ``asked`` (question ids in the order asked).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from crampcheck.schema import MAX_AGE, MIN_AGE, Answer, AssessRequest

_ID = re.compile(r"^[a-z0-9_]{1,80}$")
_QID = re.compile(
    r"^(confirm:)?[a-z0-9_]{1,80}(\+[a-z0-9_]{1,80}){0,40}$"
)  # a question id; "confirm:<finding>" asks an answer again, "<checklist>+<option>..." a checklist cut to those options
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
    # the question each answer was given to ("" for typed ones), index by index: going back or changing a
    # question forgets exactly the answers it gave (a follow-up shares its findings with its checklist)
    by: list[str] = field(default_factory=list)

    def _by(self, k: int) -> str:
        return self.by[k] if k < len(self.by) else ""

    # --- (de)serialisation ------------------------------------------------------------------------
    def fields(self) -> list[tuple[str, str]]:
        """The hidden fields that carry this state (``lang`` is carried separately)."""
        out = [("age", str(self.age)), ("sex", self.sex)]
        out += [
            ("a", f"{a.finding}:{a.state}:{a.source}" + (f":{self._by(k)}" if self._by(k) else ""))
            for k, a in enumerate(self.answers)
        ]
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
        by = []
        for item in a[:500]:
            parts = item.split(":", 3)  # the fourth part, the question, may itself be "confirm:<finding>"
            if (
                len(parts) not in (3, 4)
                or not _ID.match(parts[0])
                or parts[1] not in STATES
                or parts[2] not in SOURCES
                or (len(parts) == 4 and not _QID.match(parts[3]))
            ):
                raise StateError("a")
            answers.append(Answer(finding=parts[0], state=parts[1], source=parts[2]))  # type: ignore[arg-type]
            by.append(parts[3] if len(parts) == 4 else "")
        if any(not _QID.match(q) for q in asked) or len(asked) > 200:
            raise StateError("asked")
        return cls(lang=lang, age=age_n, sex=sex, answers=answers, asked=list(asked), by=by)

    def request(self) -> AssessRequest:
        return AssessRequest(age=self.age, sex=self.sex, lang=self.lang, answers=self.answers, asked=self.asked)  # type: ignore[arg-type]

    # --- protocol steps ---------------------------------------------------------------------------
    def answer_map(self) -> dict[str, bool | None]:
        """{finding: True / False / None (don't know)}; a later answer wins."""
        return {a.finding: STATE_VALUE[a.state] for a in self.answers}

    def apply(self, qid: str, vals: Mapping[str, bool | None], source: str = "question") -> None:
        """Record what the answer to question ``qid`` means (``crampcheck.interview.answers``) and mark it
        asked; findings not in ``vals`` keep their answers."""
        self.by = [self._by(k) for k in range(len(self.answers))]
        for f, v in vals.items():
            self.answers.append(Answer(finding=f, state=VALUE_STATE[v], source=source))  # type: ignore[arg-type]
            self.by.append(qid)
        self.asked = [q for q in self.asked if q != qid] + [qid]

    def correct(self, finding: str, state: str) -> None:
        """The person corrected what was understood from their description: the typed answer is replaced."""
        if state not in STATES:
            raise StateError("a")
        for k, a in enumerate(self.answers):
            if a.finding == finding and a.source in ("text", "correction") and a.state != state:
                self.answers[k] = Answer(finding=finding, state=state, source="correction")  # type: ignore[arg-type]

    def forget_unsure(self) -> None:
        """What the person left as "maybe" in "what I understood" is not an answer: its question asks it."""
        keep = [not (a.source in ("text", "correction") and a.state == "unknown") for a in self.answers]
        self.by = [self._by(k) for k, kept in enumerate(keep) if kept]
        self.answers = [a for a, kept in zip(self.answers, keep, strict=True) if kept]

    def drop(self, qid: str, findings: list[str]) -> dict[str, str]:
        """Remove question ``qid`` and the answers it gave; return them (to pre-fill the form). An answer from a
        form without the question's id is taken to be ``qid``'s when it is about one of its ``findings``."""
        fs = set(findings)
        mine = [
            a.source == "question" and (self._by(k) == qid or (not self._by(k) and a.finding in fs))
            for k, a in enumerate(self.answers)
        ]
        removed: dict[str, str] = {a.finding: a.state for a, m in zip(self.answers, mine, strict=True) if m}
        self.by = [self._by(k) for k, m in enumerate(mine) if not m]
        self.answers = [a for a, m in zip(self.answers, mine, strict=True) if not m]
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
