"""The command line: one Typer app composed of sub-apps (assess, explain, kb, eval, parse, diary, serve).

Every command turns a crampcheck error into a clear message and a non-zero exit code; no traceback
reaches a user.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import typer

from crampcheck.cli.output import (
    FoldTable,
    check_target,
    failure,
    out_console,
    print_error,
    progress_bar,
    write_text_file,
)
from crampcheck.errors import N_, AnswersFileError, CrampcheckError
from crampcheck.i18n import default_lang, translator

app = typer.Typer(
    name="crampcheck",
    help=N_("Why do my muscles cramp, and what should I do? Information, not a diagnosis."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help=N_("Check and inspect the knowledge base."), no_args_is_help=True)
app.add_typer(kb_app, name="kb")

console = out_console()


def fail(message: str | CrampcheckError, code: int = 2, lang: str | None = None) -> None:
    """Print ``error: <message>`` on stderr in ``lang`` (default: the locale's) and exit with ``code``.

    A :class:`CrampcheckError` is shown with :meth:`~CrampcheckError.localized`; a plain string is
    printed as given (translate it before).
    """
    raise failure(message, translator(lang if lang in ("en", "zh") else default_lang()), code)


def _lang(lang: str | None) -> str:
    value = lang or default_lang()
    if value not in ("en", "zh"):
        _ = translator(default_lang())
        fail(_("unknown language '{value}'; use 'en' or 'zh'").format(value=value))
    return value


# --- assess -------------------------------------------------------------------------------------------
def _read_answers_file(path: Path) -> dict[str, Any]:
    if path.exists() and not path.is_file():  # a folder, /dev/zero, a pipe: never read without end
        raise AnswersFileError(N_("{path}: not a regular file (a folder or a device)"), path=path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnswersFileError(N_("{path}: file not found"), path=path) from None
    except UnicodeDecodeError as e:
        raise AnswersFileError(N_("{path}: not UTF-8 text ({reason})"), path=path, reason=e.reason) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise AnswersFileError(
            N_("{path} line {line}, column {column}: not valid JSON ({reason})"),
            path=path,
            line=e.lineno,
            column=e.colno,
            reason=e.msg,
        ) from None
    except (RecursionError, ValueError):  # nested thousands deep, or a number of thousands of digits
        raise AnswersFileError(
            N_("{path}: the JSON is nested too deeply or holds a number too long"), path=path
        ) from None
    if not isinstance(data, dict):
        raise AnswersFileError(N_("{path}: expected a JSON object with 'age', 'sex' and 'answers'"), path=path)
    ans = data.get("answers", [])
    if isinstance(ans, dict):  # {"site_calf": "present", ...} or {"site_calf": true}
        conv = []
        for k, v in ans.items():
            state = {True: "present", False: "absent", None: "unknown"}.get(v, v) if not isinstance(v, str) else v
            conv.append({"finding": k, "state": state, "source": "initial"})
        data["answers"] = conv
    return data


@app.command(
    "assess",
    help=N_("Run the interview in the terminal (or assess an answers file) and print causes, triage and advice."),
)
def assess_cmd(
    text: str | None = typer.Argument(
        None, help=N_("Describe your cramps in your own words (English or Chinese).")
    ),
    answers: Path | None = typer.Option(
        None, "--answers", help=N_("JSON file with age, sex and answers: no questions.")
    ),
    json_out: bool = typer.Option(False, "--json", help=N_("Print the result as JSON.")),
    lang: str | None = typer.Option(None, "--lang", help=N_("en or zh (default: from the locale).")),
    age: int | None = typer.Option(None, "--age", help=N_("Age in whole years (1-110).")),
    sex: str | None = typer.Option(None, "--sex", help=N_("female or male.")),
    out: Path | None = typer.Option(
        None,
        "--out",
        help=N_(
            "Also write the result as JSON to this file (to keep it: `crampcheck diary save-assessment FILE`)."
        ),
    ),
) -> None:
    """Run the interview in the terminal (or assess an answers file) and print causes, triage and advice."""
    from pydantic import ValidationError

    from crampcheck.assess import default_assessor
    from crampcheck.cli.render import render
    from crampcheck.schema import AssessRequest

    language = _lang(lang)
    try:
        if out is not None:
            check_target(out)  # before the interview, not after it
        a = default_assessor()
        if answers is not None:
            data = _read_answers_file(answers)
            data.setdefault("lang", language)
            if age is not None:
                data["age"] = age
            if sex is not None:
                data["sex"] = sex
            try:
                req = AssessRequest.model_validate(data)
            except ValidationError as e:
                d = e.errors()[0]
                loc = ".".join(str(x) for x in d["loc"])
                raise AnswersFileError(
                    N_("{path}: field '{field}': {reason}"), path=answers, field=loc, reason=d["msg"]
                ) from None
            result = a.assess(req)
        else:
            from crampcheck.cli.interactive import run_interview

            # with --json the questions go to standard error, so that standard output is the JSON alone
            asker = out_console(stderr=True) if json_out else console
            maybe = run_interview(a, asker, language, text=text, age=age, sex=sex)
            if maybe is None:
                raise typer.Exit(0)
            result = maybe
        if out is not None:
            write_text_file(out, result.model_dump_json(indent=2) + "\n")
    except CrampcheckError as e:
        fail(e, lang=language)
        return
    if json_out:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        rerun = ["crampcheck", "assess"]
        if answers is not None:
            rerun += ["--answers", str(answers)]
        if lang is not None:
            rerun += ["--lang", language]
        render(console, result, saved_to=out, rerun=shlex.join([*rerun, "--out", "result.json"]))


# --- explain ------------------------------------------------------------------------------------------
@app.command(
    "explain",
    help=N_("Show what the knowledge base holds about one condition: text, numbers, triage, advice, sources."),
)
def explain_cmd(
    condition: str = typer.Argument(..., help=N_("A condition id, e.g. nocturnal_leg_cramps.")),
    lang: str | None = typer.Option(None, "--lang"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Show what the knowledge base holds about one condition: text, numbers, triage, advice, sources."""

    from crampcheck.errors import UnknownIdError
    from crampcheck.kb import load_kb

    language = _lang(lang)
    _ = translator(language)
    try:
        kb = load_kb()
        if condition not in kb.conditions:
            raise UnknownIdError("condition", condition, kb.conditions)
    except CrampcheckError as e:
        fail(e, lang=language)
        return
    c = kb.conditions[condition]
    if json_out:
        sys.stdout.write(
            json.dumps({"kb_version": kb.version, **c.model_dump()}, ensure_ascii=False, indent=2) + "\n"
        )
        return
    console.rule(f"[bold]{c.name.get(language)}[/bold] ({c.id})")
    console.print(c.description.get(language))
    console.print(f"[bold]ICD-10:[/bold] {c.icd10 or '—'}   [bold]" + _("Triage") + f":[/bold] {c.triage.default}")
    if c.doctor_checks.get(language):
        console.print("[bold]" + _("What a doctor may check") + ":[/bold]")
        for x in c.doctor_checks.get(language):
            console.print(f"  • {x}")
    if c.warning_signs.get(language):
        console.print("[bold]" + _("Warning signs") + ":[/bold]")
        for x in c.warning_signs.get(language):
            console.print(f"  • {x}")
    t = FoldTable(title=_("Findings that point to it or away from it"))
    t.add_column(_("Finding"))
    t.add_column("P(f|c)")
    t.add_column(_("Background (leak)"))
    t.add_column(_("Source"))
    for fid, link in sorted(c.links.items(), key=lambda kv: -kv[1].p):
        f = kb.findings[fid]
        t.add_row(
            f.plain.get(language),
            f"{link.p:.3g}",
            f"{f.leak.ref:.3g}",
            ", ".join(link.sources) or _("estimate"),
        )
    console.print(t)
    adv = [a for a in kb.advice.values() if condition in a.conditions]
    if adv:
        console.print("[bold]" + _("Advice") + ":[/bold]")
        for a in adv:
            console.print(f"  • [{a.evidence}] {a.text.get(language)}")
    refs = [kb.references[r].citation for r in c.references if r in kb.references]
    if refs:
        console.print("[bold]" + _("Sources") + ":[/bold]")
        for r in refs:
            console.print(f"  • {r}")
    console.print("[dim]" + _("Knowledge base version") + f": {kb.version}[/dim]")


# --- kb check -----------------------------------------------------------------------------------------
@kb_app.command(
    "check", help=N_("Validate every knowledge file and report each problem with its file and location.")
)
def kb_check_cmd(
    path: Path | None = typer.Argument(None, help=N_("A knowledge directory (default: the shipped one).")),
    strict: bool = typer.Option(True, "--strict/--no-strict", help=N_("Treat warnings as failures.")),
) -> None:
    """Validate every knowledge file and report each problem with its file and location."""
    from crampcheck.kb.check import check

    problems, version = check(path)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        console.print(f"[{style}]{p}[/{style}]", highlight=False, soft_wrap=True)
    if errors or (strict and warnings):
        console.print(
            f"[red]knowledge base check failed: {len(errors)} error(s), {len(warnings)} warning(s)[/red]"
        )
        raise typer.Exit(1)
    console.print(f"[green]knowledge base OK[/green] (version {version}, {len(warnings)} warning(s))")


# --- eval ---------------------------------------------------------------------------------------------
@app.command("eval", help=N_("Run a vignette set and print the metrics; the last line is one JSON object."))
def eval_cmd(
    file: Path = typer.Argument(..., help=N_("Vignettes in JSON Lines (shared/spec/evaluation.md).")),
    mode: str = typer.Option("interview", "--mode", help=N_("interview, text or facts.")),
    details: bool = typer.Option(False, "--details", help=N_("Also list every vignette's outcome.")),
    noise: float = typer.Option(
        0.0,
        "--noise",
        help=N_("Noisy patient: each answer is 'don't know' with this chance, the opposite with half of it."),
    ),
    seed: int = typer.Option(0, "--seed", help=N_("Seed of the noisy answers (with the vignette id).")),
    cases: Path | None = typer.Option(
        None, "--cases", help=N_("Write one JSON line per vignette: questions, answers, top 5, triage, gold.")
    ),
    plot: Path | None = typer.Option(
        None, "--plot", help=N_("Write a reliability diagram (PNG) of the first-ranked cause's probability.")
    ),
) -> None:
    """Run a vignette set and print the metrics; the last line is one JSON object."""

    from crampcheck.assess import default_assessor
    from crampcheck.evaluation.metrics import metrics
    from crampcheck.evaluation.patient import check_noise
    from crampcheck.evaluation.report import check_output_path, write_cases, write_reliability_plot
    from crampcheck.evaluation.run import run_one
    from crampcheck.evaluation.vignettes import load_vignettes

    if mode not in ("interview", "text", "facts"):
        _ = translator(default_lang())
        fail(_("unknown mode '{mode}'; use interview, text or facts").format(mode=mode))
    try:
        check_noise(noise)
        for out in (cases, plot):
            if out is not None:
                check_output_path(out)
        a = default_assessor()
        vs = load_vignettes(file, a.kb)
        parser = None
        if mode == "text":
            from crampcheck.evaluation.text import text_parser

            parser = text_parser()
        _ = translator(default_lang())
        outs = []
        with progress_bar(_("Running the vignettes"), total=len(vs)) as step:
            for vignette in vs:
                outs.append(run_one(a, vignette, mode, parser, noise, seed))
                step.advance()
    except CrampcheckError as e:
        fail(e)
        return
    m = metrics(outs, mode)
    if noise > 0:
        m["noise"] = noise
        m["seed"] = seed
    try:
        if cases is not None:
            write_cases(cases, outs, mode)
        if plot is not None:
            label = f"{file.name} ({mode}" + (f", noise {noise}, seed {seed}" if noise > 0 else "") + ")"
            write_reliability_plot(plot, outs, f"crampcheck eval: {label}")
    except CrampcheckError as e:
        fail(e)
        return
    if details:
        d = FoldTable(title="vignettes")
        for col in ("id", "gold", "top 3", "p top 1", "triage (gold)", "turns"):
            d.add_column(col)
        for o in outs:
            mark = "" if o.top1 else " ✗"
            d.add_row(
                o.id,
                o.gold_condition + mark,
                ", ".join(o.ranked[:3]),
                "—" if o.p_top1 is None else f"{o.p_top1:.2f}",
                f"{o.triage} ({o.gold_triage})",
                str(o.turns),
            )
        console.print(d)
    t = FoldTable(title=f"crampcheck eval: {file.name} ({mode})")
    t.add_column("metric")
    t.add_column("value", justify="right")
    for k, v in m.items():
        t.add_row(k, "—" if v is None else str(v))
    console.print(t)
    sys.stdout.write(json.dumps(m) + "\n")


def _register_optional() -> None:
    """Commands built in their own modules (free text, diary, server)."""
    try:
        from crampcheck.cli.parse_cmd import parse_command

        app.command("parse", help=N_("Show what crampcheck understands in a free-text description."))(
            parse_command
        )
    except ImportError:  # pragma: no cover - module not present
        pass
    try:
        from crampcheck.cli.diary_cmd import diary_app

        app.add_typer(
            diary_app, name="diary", help=N_("Cramp diary: log episodes and daily exposures, find triggers.")
        )
    except ImportError:  # pragma: no cover
        pass
    try:
        from crampcheck.cli.serve_cmd import serve_command

        app.command("serve", help=N_("Start the web app and HTTP API on localhost."))(serve_command)
    except ImportError:  # pragma: no cover
        pass


_register_optional()


# Typer's own labels in help screens (typer.rich_utils) and click's --help text, marked for translation
_TYPER_LABELS = (
    ("ARGUMENTS_PANEL_TITLE", N_("Arguments")),
    ("OPTIONS_PANEL_TITLE", N_("Options")),
    ("COMMANDS_PANEL_TITLE", N_("Commands")),
    ("ERRORS_PANEL_TITLE", N_("Error")),
    ("DEFAULT_STRING", N_("[default: {}]")),
    ("REQUIRED_LONG_STRING", N_("[required]")),
    ("RICH_HELP", N_("Try [blue]'{command_path} {help_option}'[/] for help.")),
)
HELP_OPTION_TEXT = N_("Show this message and exit.")
USAGE_PREFIX = N_("Usage: ")


def localized_command(lang: str) -> Any:
    """The command tree with every help text (ours, and Typer's panel titles and labels) in ``lang``.

    Help texts are marked with ``N_`` where they are written, so the translation tool extracts them; they are
    translated here, once, when the command line starts in a Chinese locale.
    Returns Typer's (click) command, typed loosely: Typer 0.29 vendors click as a private module.
    """
    cmd = typer.main.get_command(app)
    if lang == "en":
        return cmd
    _ = translator(lang)
    from typer import rich_utils

    for name, text in _TYPER_LABELS:
        setattr(rich_utils, name, _(text))

    def walk(c: Any) -> None:
        if c.help:
            c.help = _(c.help)
        if c.short_help:
            c.short_help = _(c.short_help)
        for p in c.params:
            if getattr(p, "help", None):
                p.help = _(p.help)
        plain = c.get_help_option

        def help_option(ctx: Any, plain: Any = plain) -> Any:
            opt = plain(ctx)
            if opt is not None:
                opt.help = _(HELP_OPTION_TEXT)
            return opt

        c.get_help_option = help_option
        plain_usage = c.get_usage

        def usage(ctx: Any, plain_usage: Any = plain_usage) -> str:
            text = str(plain_usage(ctx))
            return _(USAGE_PREFIX) + text[len(USAGE_PREFIX) :] if text.startswith(USAGE_PREFIX) else text

        c.get_usage = usage
        for sub in getattr(c, "commands", {}).values():
            walk(sub)

    walk(cmd)
    return cmd


def main() -> None:
    from crampcheck.runtime import configure_runtime

    configure_runtime()
    try:
        localized_command(default_lang())(prog_name="crampcheck")
    except CrampcheckError as e:  # pragma: no cover - commands catch their own
        print_error(e, translator(default_lang()))
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except (OSError, RecursionError, ValueError, ImportError) as e:
        # the last net under every command: a folder given as a file, a missing output folder, a full disk, a
        # read-only folder, a database URL of an unsupported kind, input nested too deeply: a message, no traceback
        sys.exit(_report_unexpected(e))
    except Exception as e:
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(e, SQLAlchemyError):
            raise
        sys.exit(_report_unexpected(e))


def _report_unexpected(e: BaseException) -> int:
    _ = translator(default_lang())
    if isinstance(e, OSError) and e.filename:
        msg = _("{path}: {reason}").format(path=e.filename, reason=e.strerror or str(e))
    elif isinstance(e, OSError):
        msg = _("the file system refused: {reason}").format(reason=e.strerror or str(e))
    elif isinstance(e, RecursionError):
        msg = _("the input is nested too deeply to read")
    elif isinstance(e, ImportError):
        msg = _("this needs a component that is not installed: {reason}").format(reason=e)
    elif type(e).__module__.startswith("sqlalchemy"):
        orig = getattr(e, "orig", None) or e
        msg = _("the diary's database could not be used: {reason}").format(reason=str(orig).splitlines()[0])
    else:
        msg = str(e).split("; use sys.set_int_max_str_digits")[0]
    print_error(msg, _)
    return 2
