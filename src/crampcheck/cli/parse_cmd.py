"""`crampcheck parse`: show what the free-text parser understood (table, JSON, or JSON Lines in bulk).

The lead registers :func:`parse_command` on the main Typer app (``app.command("parse")(parse_command)``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import typer

from crampcheck.cli.output import FoldTable, failure, out_console
from crampcheck.errors import N_, InputError
from crampcheck.i18n import default_lang, translator
from crampcheck.nlp import ParseResult, parse

Translate = Callable[[str], str]

_STATE_WORD = {"present": N_("yes"), "absent": N_("no"), "uncertain": N_("uncertain")}
_STATE_STYLE = {"present": "green", "absent": "red", "uncertain": "yellow"}
_SEX_WORD = {"female": N_("female"), "male": N_("male")}


def _ui_lang(lang: str | None) -> str:
    """The interface language: the parse language when it names English or Chinese, else the locale's."""
    value = (lang or "").strip().lower().replace("_", "-")
    if value.startswith("zh") or value in ("cn", "chinese"):
        return "zh"
    if value.startswith("en") or value == "english":
        return "en"
    return default_lang()


def _table(result: ParseResult, _: Translate) -> FoldTable:
    age = result.age if result.age is not None else "?"
    sex = _(_SEX_WORD.get(result.sex, result.sex)) if result.sex else "?"
    title = _("Understood (language {lang}, age {age}, sex {sex})").format(lang=result.lang, age=age, sex=sex)
    table = FoldTable(title=title)
    table.add_column(_("finding"))
    table.add_column(_("answer"))
    table.add_column(_("span"))
    table.add_column(_("text"))
    for m in result.findings:
        style = _STATE_STYLE[m.state]
        table.add_row(m.id, f"[{style}]{_(_STATE_WORD[m.state])}[/]", f"{m.start}-{m.end}", m.text)
    return table


def _run_jsonl(path: Path, lang: str | None, _: Translate) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise failure(_("cannot read {path}: no such file").format(path=path), _) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise failure(_("cannot read {path}: {reason}").format(path=path, reason=exc), _) from None
    out: list[str] = []
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise failure(
                _("{path} line {line}: not valid JSON ({reason})").format(path=path, line=no, reason=exc.msg), _
            ) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise failure(
                _("{path} line {line}: expected an object with a string field 'text'").format(path=path, line=no),
                _,
            )
        line_lang = record.get("lang", lang)
        try:
            result = parse(record["text"], lang=line_lang if isinstance(line_lang, str) else lang)
        except InputError as exc:
            raise failure(
                _("{path} line {line}: {reason}").format(path=path, line=no, reason=exc.localized(_)), _
            ) from None
        out.append(json.dumps(result.model_dump(), ensure_ascii=False))
    for line_out in out:
        typer.echo(line_out)


def parse_command(
    text: str | None = typer.Argument(None, help=N_("The description to read (English or Chinese).")),
    json_out: bool = typer.Option(False, "--json", help=N_("Print one JSON object instead of a table.")),
    jsonl: Path | None = typer.Option(
        None,
        "--jsonl",
        help=N_("Read JSON Lines with a 'text' field; write one result object per line, in order."),
    ),
    lang: str | None = typer.Option(None, "--lang", help=N_("'en' or 'zh'; detected when omitted.")),
) -> None:
    """Show which findings, age and sex the parser understands in a free-text description.

    Messages and table headers are in the language given by ``--lang`` (else the locale's).
    """
    _ = translator(_ui_lang(lang))
    if jsonl is not None:
        if text is not None:
            raise failure(_("give either TEXT or --jsonl FILE, not both"), _)
        _run_jsonl(jsonl, lang, _)
        return
    if text is None:
        raise failure(_('nothing to parse: give a TEXT, e.g. crampcheck parse "my calves cramp at night"'), _)
    try:
        result = parse(text, lang=lang)
    except InputError as exc:
        raise failure(exc, _) from None
    if json_out:
        typer.echo(json.dumps(result.model_dump(), ensure_ascii=False))
        return
    console = out_console()
    if not result.findings:
        console.print(
            _("Nothing recognised (language {lang}). Try describing where and when the cramps come.").format(
                lang=result.lang
            )
        )
        return
    console.print(_table(result, _))
