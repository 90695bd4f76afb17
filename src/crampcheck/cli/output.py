"""Where the command line writes: one console for results, one for errors, and one way to fail.

Error messages are never hard-wrapped (``soft_wrap``): a terminal folds a long line itself, and in a log or a
pipe the message stays on one line, whatever ``COLUMNS`` says. The message is plain text, never Rich markup, so
brackets in it (a file name, ``[y]``) are printed as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from crampcheck.errors import CrampcheckError

Translate = Callable[[str], str]


def out_console() -> Console:
    """The console for results on standard output: text is folded to the width, never cut off."""
    return Console()


def error_text(message: str | CrampcheckError, _: Translate) -> Text:
    """``error: <message>`` in the language of ``_`` (a crampcheck error is localised with it)."""
    text = message.localized(_) if isinstance(message, CrampcheckError) else message
    return Text.assemble((_("error:"), "bold red"), " ", text)


def print_error(message: str | CrampcheckError, _: Translate) -> None:
    """Print ``error: <message>`` on standard error, on one line however narrow the terminal."""
    Console(stderr=True, soft_wrap=True).print(error_text(message, _), highlight=False)


def failure(message: str | CrampcheckError, _: Translate, code: int = 2) -> typer.Exit:
    """Print the error and return the exit to raise (``raise failure(...)``)."""
    print_error(message, _)
    return typer.Exit(code)


class FoldTable(Table):
    """A table whose cells fold onto the next line when the terminal is narrow: text is never cut off with '…'."""

    def add_column(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)
