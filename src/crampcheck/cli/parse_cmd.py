"""`crampcheck parse`: show what the free-text parser understood (table, JSON, or JSON Lines in bulk).

The lead registers :func:`parse_command` on the main Typer app (``app.command("parse")(parse_command)``).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from crampcheck.errors import InputError
from crampcheck.nlp import ParseResult, parse

_STATE_WORD = {"present": "yes", "absent": "no", "uncertain": "uncertain"}
_STATE_STYLE = {"present": "green", "absent": "red", "uncertain": "yellow"}


def _fail(message: str, code: int = 2) -> typer.Exit:
    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _table(result: ParseResult) -> Table:
    age = result.age if result.age is not None else "?"
    sex = result.sex or "?"
    table = Table(title=f"Understood (language {result.lang}, age {age}, sex {sex})")
    table.add_column("finding")
    table.add_column("answer")
    table.add_column("span")
    table.add_column("text")
    for m in result.findings:
        style = _STATE_STYLE[m.state]
        table.add_row(m.id, f"[{style}]{_STATE_WORD[m.state]}[/]", f"{m.start}-{m.end}", m.text)
    return table


def _run_jsonl(path: Path, lang: str | None) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise _fail(f"cannot read {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {path}: {exc}") from None
    out: list[str] = []
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(f"{path} line {no}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise _fail(f"{path} line {no}: expected an object with a string field 'text'")
        line_lang = record.get("lang", lang)
        try:
            result = parse(record["text"], lang=line_lang if isinstance(line_lang, str) else lang)
        except InputError as exc:
            raise _fail(f"{path} line {no}: {exc}") from None
        out.append(json.dumps(result.model_dump(), ensure_ascii=False))
    for line_out in out:
        typer.echo(line_out)


def parse_command(
    text: str | None = typer.Argument(None, help="The description to read (English or Chinese)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    jsonl: Path | None = typer.Option(
        None, "--jsonl", help="Read JSON Lines with a 'text' field; write one result object per line, in order."
    ),
    lang: str | None = typer.Option(None, "--lang", help="'en' or 'zh'; detected when omitted."),
) -> None:
    """Show which findings, age and sex the parser understands in a free-text description."""
    if jsonl is not None:
        if text is not None:
            raise _fail("give either TEXT or --jsonl FILE, not both")
        _run_jsonl(jsonl, lang)
        return
    if text is None:
        raise _fail('nothing to parse: give a TEXT, e.g. crampcheck parse "my calves cramp at night"')
    try:
        result = parse(text, lang=lang)
    except InputError as exc:
        raise _fail(str(exc)) from None
    if json_out:
        typer.echo(json.dumps(result.model_dump(), ensure_ascii=False))
        return
    console = Console()
    if not result.findings:
        console.print(f"Nothing recognised (language {result.lang}). Try describing where and when the cramps come.")
        return
    console.print(_table(result))
