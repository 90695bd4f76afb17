"""Where the command line writes: one console for results, one for errors, one way to fail, one way to write an
output file, and one progress bar for long work.

Error messages are never hard-wrapped (``soft_wrap``): a terminal folds a long line itself, and in a log or a
pipe the message stays on one line, whatever ``COLUMNS`` says. The message is plain text, never Rich markup, so
brackets in it (a file name, ``[y]``) are printed as they are.

Long work (``eval`` over many vignettes, ``diary import`` of a big file, the doctor report) shows a progress
bar on standard error when that is a terminal, and nothing at all when it is a pipe, a file or a log: the bar
never mixes with the results on standard output, and a script that reads them sees no control codes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from crampcheck.errors import N_, CrampcheckError, InputError

Translate = Callable[[str], str]


def out_console(stderr: bool = False) -> Console:
    """The console for results on standard output (or standard error): text is folded to the width, never cut."""
    return Console(stderr=stderr)


def progress_console() -> Console:
    """Where progress bars are drawn: standard error (looked up when a bar starts, so tests can replace it)."""
    return Console(stderr=True)


class Step:
    """One progress bar's handle: ``advance()`` after each item, ``to(n)`` to set how far it is, ``say(text)``."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress, self._task = progress, task

    def advance(self, n: float = 1) -> None:
        self._progress.advance(self._task, n)

    def to(self, completed: float) -> None:
        self._progress.update(self._task, completed=completed)

    def say(self, description: str) -> None:
        self._progress.update(self._task, description=description)


@contextmanager
def progress_bar(description: str, total: float | None, in_bytes: bool = False) -> Iterator[Step]:
    """A progress bar on a terminal (removed when done), nothing when standard error is not a terminal.

    It counts items ("7/12"), or with ``in_bytes`` the share of a file read ("40%")."""
    console = progress_console()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn() if in_bytes else MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        yield Step(progress, progress.add_task(description, total=total))


def write_text_file(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``; a folder, a missing folder or a refusal is an :class:`InputError`."""
    write_file(path, text.encode("utf-8"))


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``; a folder, a missing folder or a refusal is an :class:`InputError`."""
    check_target(path)
    try:
        path.write_bytes(data)
    except OSError as e:
        raise InputError(
            N_("{path}: cannot write the file ({reason})"), path=path, reason=e.strerror or str(e)
        ) from None


def check_target(path: Path) -> None:
    """Refuse, before any work, an output path that cannot be a file: a folder, or in a folder that is missing."""
    if path.is_dir():
        raise InputError(N_("{path} is a folder; give a file name in it"), path=path)
    if not path.parent.is_dir():
        raise InputError(N_("{path}: the folder {folder} does not exist"), path=path, folder=path.parent)


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
