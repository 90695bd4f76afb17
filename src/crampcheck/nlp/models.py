"""The public result models of the parser: :class:`Mention` and :class:`ParseResult`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

State = Literal["present", "absent", "uncertain"]


class Mention(BaseModel):
    """One finding understood in the text, with the character span that says it."""

    model_config = ConfigDict(frozen=True)

    id: str
    state: State
    start: int
    end: int
    text: str


class ParseResult(BaseModel):
    """What was understood from one free-text description."""

    lang: Literal["en", "zh"]
    age: int | None = None
    sex: Literal["female", "male"] | None = None
    findings: list[Mention] = []

    def get(self, finding_id: str) -> Mention | None:
        """The mention of ``finding_id``, if any."""
        return next((m for m in self.findings if m.id == finding_id), None)

    def states(self) -> dict[str, str]:
        """``{finding_id: state}``: the form an evidence list is built from."""
        return {m.id: m.state for m in self.findings}
