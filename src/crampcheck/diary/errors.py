"""Domain errors of the diary (subclasses of :class:`crampcheck.errors.InputError`)."""

from __future__ import annotations

from crampcheck.errors import N_, InputError, Term


class NotFoundError(InputError):
    """No such entry for this user (another user's entry is reported the same way)."""

    KINDS = (N_("episode"), N_("exposure record for"), N_("assessment"))

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(N_("no {kind} {key} in your diary"), kind=Term(kind), key=key)
        self.kind = kind
        self.key = key


class ConflictError(InputError):
    """The entry already exists (e.g. a second exposure record for the same day)."""


class FieldError(InputError):
    """One field of an entry is invalid; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class AuthError(InputError):
    """A missing or unknown bearer token."""


class CsvImportError(InputError):
    """A CSV file that cannot be imported; ``problems`` lists ``(line, reason)``; nothing was written."""

    def __init__(self, path: str, problems: list[tuple[int, str]]) -> None:
        shown = "; ".join(f"line {line}: {reason}" for line, reason in problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"{path}: nothing imported; {shown}{more}")
        self.path = path
        self.problems = problems
