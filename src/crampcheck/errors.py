"""The documented exception tree: every error a user can cause names the problem and the fix.

    CrampcheckError
     ├── KnowledgeBaseError        a knowledge file is missing, malformed or inconsistent
     ├── InputError                bad input from a person or a client
     │    ├── UnknownIdError       a condition or finding id that the knowledge base does not know
     │    └── AnswersFileError     an answers / vignette file that cannot be read
     └── EngineError               the inference failed a numerical check (never expected)

Interfaces catch ``CrampcheckError`` and print its message; no traceback reaches a user.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CrampcheckError(Exception):
    """Base of every error crampcheck raises on purpose."""


class KnowledgeBaseError(CrampcheckError):
    """A knowledge-base file is missing, malformed or inconsistent."""


class InputError(CrampcheckError, ValueError):
    """Bad input: an out-of-range age, an unknown sex, a malformed request."""


class UnknownIdError(InputError):
    """An id that the knowledge base does not define."""

    def __init__(self, kind: str, value: str, known: Iterable[str], where: str = "") -> None:
        close = difflib.get_close_matches(value, list(known), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        loc = f" in {where}" if where else ""
        super().__init__(f"unknown {kind} '{value}'{loc}{hint}")
        self.kind = kind
        self.value = value


class AnswersFileError(InputError):
    """An answers or vignette file that cannot be read."""


class EngineError(CrampcheckError):
    """The inference failed a numerical check."""
