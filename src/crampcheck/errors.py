"""The documented exception tree: every error a user can cause names the problem and the fix.

    CrampcheckError
     ├── KnowledgeBaseError        a knowledge file is missing, malformed or inconsistent
     ├── InputError                bad input from a person or a client
     │    ├── UnknownIdError       a condition or finding id that the knowledge base does not know
     │    └── AnswersFileError     an answers / vignette file that cannot be read
     └── EngineError               the inference failed a numerical check (never expected)

Interfaces catch ``CrampcheckError`` and print its message; no traceback reaches a user.

Messages are English templates with named parameters, marked for extraction with :func:`N_`
(``CrampcheckError(N_("{path}: file not found"), path=p)``): ``str(e)`` is the English text and
``e.localized(_)`` the same message in the interface's language (this module imports no i18n code;
the interface passes its translator). A parameter wrapped in :class:`Term` is a word of the interface
("finding", "condition") and is translated too; other parameters (paths, ids, library messages) are
inserted as they are.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a message for extraction (``pybabel extract -k N_``) without translating it here."""
    return message


class Term(str):
    """A parameter value that is itself an interface word, translated by :meth:`CrampcheckError.localized`."""

    __slots__ = ()


class CrampcheckError(Exception):
    """Base of every error crampcheck raises on purpose.

    ``CrampcheckError(template, **params)``: the message is ``template.format(**params)`` (the template
    as it is when there are no parameters, so literal braces need no escaping then).
    """

    def __init__(self, message: str = "", /, **params: Any) -> None:
        self.template = message
        self.params = params
        super().__init__(_format(message, params, None))

    def localized(self, translate: Callable[[str], str]) -> str:
        """The message in the language of ``translate`` (a gettext-style ``_``); English if untranslated."""
        if not self.args or self.args[0] != _format(self.template, self.params, None):
            return str(self)  # the message was replaced after construction: show it as it is
        try:
            return _format(translate(self.template), self.params, translate)
        except (KeyError, IndexError, ValueError):  # a broken translation must not hide the error
            return str(self)


def _format(template: str, params: dict[str, Any], translate: Callable[[str], str] | None) -> str:
    if not params:
        return template
    values = {k: translate(v) if translate is not None and isinstance(v, Term) else v for k, v in params.items()}
    return template.format(**values)


class KnowledgeBaseError(CrampcheckError):
    """A knowledge-base file is missing, malformed or inconsistent."""


class InputError(CrampcheckError, ValueError):
    """Bad input: an out-of-range age, an unknown sex, a malformed request."""


HINT_MAX_LEN = 64  # an id longer than this is not a misspelling of a knowledge-base id (the longest is ~40)


def closest_id(value: str, known: Iterable[str]) -> str | None:
    """The known id closest in spelling to ``value`` (difflib), or None; bounded in cost: an overlong value
    gets no hint (difflib is quadratic in the length)."""
    if not value or len(value) > HINT_MAX_LEN:
        return None
    close = difflib.get_close_matches(value, list(known), n=1)
    return close[0] if close else None


class UnknownIdError(InputError):
    """An id that the knowledge base does not define."""

    KINDS = (N_("finding"), N_("condition"), N_("question"))

    def __init__(self, kind: str, value: str, known: Iterable[str], where: str = "") -> None:
        suggestion = closest_id(value, known)
        close = [suggestion] if suggestion else []
        if close and where:
            template = N_("unknown {kind} '{value}' in {where}; did you mean '{suggestion}'?")
        elif close:
            template = N_("unknown {kind} '{value}'; did you mean '{suggestion}'?")
        elif where:
            template = N_("unknown {kind} '{value}' in {where}")
        else:
            template = N_("unknown {kind} '{value}'")
        params: dict[str, Any] = {"kind": Term(kind), "value": value}
        if where:
            params["where"] = where
        if close:
            params["suggestion"] = close[0]
        super().__init__(template, **params)
        self.kind = kind
        self.value = value


class AnswersFileError(InputError):
    """An answers or vignette file that cannot be read."""


class EngineError(CrampcheckError):
    """The inference failed a numerical check."""
