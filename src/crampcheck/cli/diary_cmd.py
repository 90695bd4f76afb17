"""The ``crampcheck diary`` command group: a thin shell over :mod:`crampcheck.diary.service`.

Every command opens the database named by the settings (migrating it on first use), acts as the
user given by ``--user`` (default: the local user) and prints a domain error's message, never a
traceback. Messages are in the language of ``--lang`` (``crampcheck diary --lang zh list`` or
``crampcheck diary list --lang zh``; default: the locale's).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from crampcheck.cli.output import FoldTable, check_target, failure, out_console, progress_bar, write_file
from crampcheck.diary.bounds import MAX_DB_INT
from crampcheck.diary.fields import EPISODE, EPISODE_FIELDS, EXPOSURE_FIELDS, DiaryField, FieldProblem, parse_entry
from crampcheck.errors import N_, CrampcheckError
from crampcheck.i18n import LANGS, default_lang, translator
from crampcheck.settings import get_settings

Translate = Callable[[str], str]

# words shown in messages and tables, marked for extraction (the stored values stay English ids)
_KIND_WORD = {"episodes": N_("episodes"), "exposures": N_("exposures")}
_WORDS = (N_("time-stratified case-crossover (calendar-month strata), conditional logistic regression"),)
# a field's words (muscle names, ...) come from the field definitions (crampcheck/diary/fields.yaml); the help of
# a field's option is shown in the locale's language, like the rest of the help screens
HELP_LANG = default_lang()
DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")

diary_app = typer.Typer(
    help=N_("Keep a cramp diary, find your personal triggers, and make a report for your doctor."),
    no_args_is_help=True,
)


LangOption = Annotated[
    str | None, typer.Option("--lang", help=N_("language of the messages: en or zh (default: from the locale)"))
]


@dataclass
class _Ctx:
    user: str
    lang: str = "en"


def _check_lang(value: str | None, fallback: str) -> str:
    if value is None:
        return fallback
    if value not in LANGS:
        _ = translator(fallback)
        raise failure(_("--lang {value!r} must be en or zh").format(value=value), _)
    return value


def _tr(ctx: typer.Context, lang: str | None = None) -> Translate:
    """The translator of the command: its own ``--lang``, else the group's, else the locale's."""
    obj = ctx.find_object(_Ctx)
    if obj is None:  # a command invoked without the group callback (not through the CLI)
        obj = ctx.obj = _Ctx(user=get_settings().local_user, lang=default_lang())
    obj.lang = _check_lang(lang, obj.lang)
    return translator(obj.lang)


@contextmanager
def _session(ctx: typer.Context) -> Iterator[tuple[Session, int]]:
    """One transaction for the command, as the chosen user; domain errors become clean exits."""
    from crampcheck.diary import service
    from crampcheck.storage.db import open_database

    _ = _tr(ctx)
    try:
        db = open_database(get_settings())
        with db.session() as session:
            user = service.ensure_user(session=session, name=ctx.ensure_object(_Ctx).user)
            yield session, user.id
    except ValidationError as exc:
        from crampcheck.diary.service import first_error

        raise failure(first_error(exc), _) from None
    except CrampcheckError as exc:
        raise failure(exc, _) from None


@diary_app.callback()
def _main(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option(help=N_("whose diary (default: the local user)"))] = None,
    lang: LangOption = None,
) -> None:
    language = _check_lang(lang, default_lang())
    try:
        default = get_settings().local_user
    except CrampcheckError as exc:
        raise failure(exc, translator(language)) from None
    ctx.obj = _Ctx(user=user or default, lang=language)


def _parse_when(value: str | None, _: Translate) -> dt.datetime:
    """The start of a cramp: 'now' (the default) or a date with its time of day. A date alone is refused rather
    than read as midnight: a cramp logged later from memory would silently move to 00:00 (and so to the day
    before, by the diary's 06:00 rule)."""
    if value is None or value.strip() == "now":
        return dt.datetime.now().replace(microsecond=0)
    text = value.strip().replace(" ", "T")
    if DATE_ONLY.fullmatch(text):
        raise failure(
            _(
                "--when {value!r} has no time of day; give it too, e.g. {value}T03:10 ({value}T00:00 for midnight)"
            ).format(value=text),
            _,
        )
    try:
        return parse_entry(EPISODE["started_at"], text)  # type: ignore[no-any-return]
    except FieldProblem as problem:
        if problem.code == "future":
            raise failure(
                _("--when {value!r} is in the future; enter when the cramp began").format(value=value), _
            ) from None
        if problem.code == "offset":
            raise failure(
                _(
                    "--when {value!r}: give the local time without a time-zone offset, like 2024-05-01T03:10"
                ).format(value=value),
                _,
            ) from None
        if problem.code == "early":
            raise failure(_("--when {value!r} is before 1900").format(value=value), _) from None
        raise failure(
            _("--when {value!r} is not a date-time like 2024-05-01T03:10 (or 'now')").format(value=value), _
        ) from None


def _parse_day(value: str | None, _: Translate) -> dt.date:
    if value is None or value == "today":
        return dt.date.today()
    if value == "yesterday":
        return dt.date.today() - dt.timedelta(days=1)
    from crampcheck.diary.bounds import parse_day

    try:
        return parse_day(value)
    except ValueError:
        raise failure(
            _("DAY {value!r} is not a date like 2024-05-01 (or 'today', 'yesterday')").format(value=value), _
        ) from None


# ---- options made from the field definitions ---------------------------------------------------------------


def _help(f: DiaryField) -> str:
    assert f.cli is not None
    text = f.cli.help(HELP_LANG)
    if f.choices:
        sep = "、" if HELP_LANG == "zh" else ", "
        text += ("：" if HELP_LANG == "zh" else ": ") + sep.join(c.word(HELP_LANG) for c in f.choices)
    return text


def _option(f: DiaryField) -> inspect.Parameter:
    """The command-line option of a field (text, parsed by :func:`_values` with the field's own rules)."""
    assert f.cli is not None
    decls = [f"--{f.cli.option}"]
    if f.type == "bool":
        decls = [f"--{f.cli.option}/--{f.cli.negative or 'no-' + f.cli.option}"]
        kind: Any = bool | None
    elif f.type == "list":
        kind = list[str] | None
    else:
        kind = str | None
    if f.cli.short:
        decls.append(f"-{f.cli.short}")
    return inspect.Parameter(
        f.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[kind, typer.Option(*decls, help=_help(f), show_default=False)],
    )


def with_field_options(fields: tuple[DiaryField, ...], skip: tuple[str, ...] = ()) -> Callable[[Any], Any]:
    """Give a command one option per field (before its ``**values``); the command reads them with :func:`_values`."""

    def decorate(command: Any) -> Any:
        sig = inspect.signature(command, eval_str=True)
        params = [p for p in sig.parameters.values() if p.kind != inspect.Parameter.VAR_KEYWORD]
        own = [_option(f) for f in fields if f.cli is not None and f.name not in skip]
        lang_at = next(i for i, p in enumerate(params) if p.name == "lang")
        params[lang_at] = params[lang_at].replace(kind=inspect.Parameter.KEYWORD_ONLY)
        command.__signature__ = sig.replace(parameters=[*params[:lang_at], *own, *params[lang_at:]])
        return command

    return decorate


def _problem_text(f: DiaryField, problem: FieldProblem, raw: str, _: Translate, lang: str) -> str:
    option = f"--{f.cli.option}" if f.cli else f.name
    if problem.code == "choice":
        words = ", ".join(c.word(lang) for c in f.choices) if lang != "zh" else "、".join(c.zh for c in f.choices)
        return _("{option} {value!r} is not one of: {choices}").format(option=option, value=raw, choices=words)
    if problem.code in ("range", "number", "int"):
        low, high = problem.values.get("low"), problem.values.get("high")
        return _("{option} {value!r} must be a number from {low} to {high}").format(
            option=option, value=raw, low=f"{low:g}", high=f"{high:g}"
        )
    if problem.code == "length":
        return _("{option} is longer than {n} characters").format(option=option, n=problem.values["n"])
    if problem.code == "items":
        return _("{option} lists more than {n} items").format(option=option, n=problem.values["n"])
    if problem.code == "control":
        return _("{option} contains an invisible control character; remove it").format(option=option)
    return _("{option} {value!r} is not valid").format(option=option, value=raw)


def _values(fields: tuple[DiaryField, ...], given: dict[str, Any], _: Translate, lang: str) -> dict[str, Any]:
    """The stored values of the options given (None ones left out), each read by its field's rules (words in
    either language for a choice, the entry unit for a number, commas also full-width for a list)."""
    out: dict[str, Any] = {}
    for f in fields:
        raw = given.get(f.name)
        if raw is None or f.type in ("datetime", "date"):
            continue
        if f.type == "bool":
            out[f.name] = raw
            continue
        text = ",".join(raw) if isinstance(raw, list) else str(raw)
        try:
            out[f.name] = parse_entry(f, text)
        except FieldProblem as problem:
            raise failure(_problem_text(f, problem, text, _, lang), _) from None
    return out


def _word(field: str, value: str | None, lang: str) -> str:
    return "" if value is None else EPISODE[field].word(value, lang)


def _minutes(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.4g}"


# ---- episodes ---------------------------------------------------------------------------------


@diary_app.command(help=N_("Record a cramp."))
@with_field_options(EPISODE_FIELDS, skip=("muscle",))
def add(
    ctx: typer.Context,
    muscle: Annotated[str, typer.Argument(help=N_("which muscle, in English or Chinese (e.g. calf, foot)"))],
    lang: LangOption = None,
    **fields: Any,
) -> None:
    """Record a cramp."""
    from crampcheck.diary import service
    from crampcheck.diary.schemas import EpisodeCreate

    _ = _tr(ctx, lang)
    lang = ctx.ensure_object(_Ctx).lang
    started = _parse_when(fields.get("started_at"), _)
    values = _values(EPISODE_FIELDS, {**fields, "muscle": muscle}, _, lang)
    if values.get("severity") is None:  # never a silent default: how bad it was is the person's to say
        raise failure(_("give how bad the cramp was with --severity, from 0 (no pain) to 10 (the worst)"), _)
    with _session(ctx) as (session, uid):
        ep = EpisodeCreate.model_validate({**values, "started_at": started})
        saved = service.add_episode(session=session, user_id=uid, episode=ep)
    out_console().print(
        _("added episode {id}: {muscle} at {when}, severity {severity}").format(
            id=saved.id,
            muscle=_word("muscle", saved.muscle, lang),
            when=f"{saved.started_at:%Y-%m-%d %H:%M}",
            severity=saved.severity,
        )
    )


@diary_app.command("list", help=N_("List recent cramps."))
def list_(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=MAX_DB_INT, help=N_("how many, newest first"))] = 20,
    as_json: Annotated[bool, typer.Option("--json", help=N_("print JSON"))] = False,
    lang: LangOption = None,
) -> None:
    """List recent cramps."""
    from crampcheck.diary import service

    _ = _tr(ctx, lang)
    with _session(ctx) as (session, uid):
        eps = service.list_episodes(session=session, user_id=uid, limit=limit, newest_first=True)
    if as_json:
        typer.echo(json.dumps([e.model_dump(mode="json") for e in eps], ensure_ascii=False, indent=1))
        return
    if not eps:
        out_console().print(_("No cramps recorded yet. Add one with `crampcheck diary add calf --severity 6`."))
        return
    lang = ctx.ensure_object(_Ctx).lang
    table = FoldTable(
        _("id"), _("when"), _("muscle"), _("side"), _("severity"), _("minutes"), _("doing"), _("relief"),
        title=_("Recorded cramps"),
    )  # fmt: skip
    for e in eps:
        table.add_row(
            str(e.id),
            f"{e.started_at:%Y-%m-%d %H:%M}",
            _word("muscle", e.muscle, lang),
            _word("side", e.side, lang),
            str(e.severity),
            _minutes(e.duration_s),
            _shown(e.activity),
            _shown(e.relief),
        )
    out_console().print(table)


def _shown(text: str | None) -> str:
    """Stored text for the terminal: control characters (escape sequences) dropped, rich markup escaped."""
    from rich.markup import escape

    from crampcheck.diary.bounds import CONTROL

    return escape(CONTROL.sub("", text or ""))


def _regular_file(path: Path, _: Translate) -> None:
    """Refuse a folder, a device (/dev/zero) or a pipe as an input file: reading it would fail or never end."""
    if path.exists() and not path.is_file():
        raise failure(_("{path}: not a regular file (a folder or a device)").format(path=path), _)


@diary_app.command(help=N_("Change fields of a recorded cramp."))
@with_field_options(EPISODE_FIELDS)
def edit(
    ctx: typer.Context,
    episode_id: Annotated[
        int, typer.Argument(min=1, max=MAX_DB_INT, help=N_("the episode's id (see `diary list`)"))
    ],
    lang: LangOption = None,
    **fields: Any,
) -> None:
    """Change fields of a recorded cramp."""
    from crampcheck.diary import service
    from crampcheck.diary.schemas import EpisodeUpdate

    _ = _tr(ctx, lang)
    lang = ctx.ensure_object(_Ctx).lang
    changes = _values(EPISODE_FIELDS, fields, _, lang)
    if fields.get("started_at") is not None:
        changes["started_at"] = _parse_when(fields["started_at"], _)
    if not changes:
        raise failure(_("nothing to change; give at least one option such as --severity 4"), _)
    with _session(ctx) as (session, uid):
        saved = service.update_episode(
            session=session, user_id=uid, episode_id=episode_id, changes=EpisodeUpdate.model_validate(changes)
        )
    out_console().print(_("updated episode {id}").format(id=saved.id))


@diary_app.command(help=N_("Delete a recorded cramp."))
def delete(
    ctx: typer.Context,
    episode_id: Annotated[
        int, typer.Argument(min=1, max=MAX_DB_INT, help=N_("the episode's id (see `diary list`)"))
    ],
    lang: LangOption = None,
) -> None:
    """Delete a recorded cramp."""
    from crampcheck.diary import service

    _ = _tr(ctx, lang)
    with _session(ctx) as (session, uid):
        service.delete_episode(session=session, user_id=uid, episode_id=episode_id)
    out_console().print(_("deleted episode {id}").format(id=episode_id))


# ---- daily exposures --------------------------------------------------------------------------


@diary_app.command(
    help=N_("Record what a day was like (exercise, sleep, fluids, ...); replaces that day's record.")
)
@with_field_options(EXPOSURE_FIELDS)
def day(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Argument(help=N_("the day, e.g. 2024-05-01 (default: today)"))] = None,
    lang: LangOption = None,
    **fields: Any,
) -> None:
    """Record what a day was like (exercise, sleep, fluids, ...); replaces that day's record."""
    from crampcheck.diary import service
    from crampcheck.diary.schemas import ExposureIn

    _ = _tr(ctx, lang)
    lang = ctx.ensure_object(_Ctx).lang
    the_day = _parse_day(date, _)
    values = _values(EXPOSURE_FIELDS, fields, _, lang)
    day_field = next(f.name for f in EXPOSURE_FIELDS if f.type == "date")
    with _session(ctx) as (session, uid):
        exp = ExposureIn.model_validate({**values, day_field: the_day})
        service.put_exposure(session=session, user_id=uid, exposure=exp)
    out_console().print(_("recorded {day}").format(day=the_day))


# ---- files ------------------------------------------------------------------------------------


@diary_app.command("import", help=N_("Import a CSV file: all rows or none."))
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help=N_("an episodes or exposures CSV (told apart by the header)"))],
    lang: LangOption = None,
) -> None:
    """Import a CSV file: all rows or none."""
    from crampcheck.diary import csvio

    _ = _tr(ctx, lang)
    _regular_file(path, _)
    size = path.stat().st_size if path.is_file() else None
    with (
        progress_bar(_("Importing {path}").format(path=path.name), total=size, in_bytes=True) as step,
        _session(ctx) as (session, uid),
    ):
        result = csvio.import_csv(session=session, user_id=uid, source=path, progress=step.to)
        step.say(_("Saving"))
    out_console().print(
        _("imported {rows} {kind} from {path}").format(
            rows=result.rows, kind=_(_KIND_WORD[result.kind]), path=path
        )
    )


@diary_app.command(help=N_("Export episodes or exposures as CSV."))
def export(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help=N_("output file (default: standard output)"))] = None,
    kind: Annotated[str, typer.Option(help=N_("episodes or exposures"))] = "episodes",
    lang: LangOption = None,
) -> None:
    """Export episodes or exposures as CSV."""
    from crampcheck.diary import csvio

    _ = _tr(ctx, lang)
    if kind not in ("episodes", "exposures"):
        raise failure(_("--kind {value!r} must be episodes or exposures").format(value=kind), _)
    with _session(ctx) as (session, uid):
        if path is None:
            csvio.export_csv(session=session, user_id=uid, kind=kind, out=sys.stdout)  # type: ignore[arg-type]
            return
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csvio.export_csv(session=session, user_id=uid, kind=kind, out=fh)  # type: ignore[arg-type]
    out_console().print(_("wrote {kind} to {path}").format(kind=_(_KIND_WORD[kind]), path=path))


# ---- analysis ---------------------------------------------------------------------------------


@diary_app.command(help=N_("Summarise the diary and look for personal triggers."))
def stats(
    ctx: typer.Context,
    lang: LangOption = None,
    as_json: Annotated[bool, typer.Option("--json", help=N_("print JSON"))] = False,
    charts: Annotated[Path | None, typer.Option(help=N_("also draw the charts (PNG) into this folder"))] = None,
) -> None:
    """Summarise the diary and look for personal triggers."""
    from crampcheck.diary.readmodel import read_diary

    _ = _tr(ctx, lang)
    lang = ctx.ensure_object(_Ctx).lang
    with _session(ctx) as (session, uid):
        view = read_diary(session=session, user_id=uid, lang=lang)
        summary, report = view.summary, view.triggers
        if charts is not None:
            import crampcheck.diary.charts as charts_mod

            files = charts_mod.draw_all(view.episode_table, report, charts, lang=lang)
    if as_json:
        typer.echo(json.dumps(view.stats(), ensure_ascii=False, indent=1))
        return
    con = out_console()
    con.print(
        _("[bold]{episodes}[/bold] cramps recorded, {days} days with exposures.").format(
            episodes=summary.episodes, days=summary.days_recorded
        )
    )
    if summary.episodes:
        con.print(
            _("Mean severity {mean}; in the last 4 weeks {per_week} a week.").format(
                mean=summary.mean_severity, per_week=summary.per_week_last_4
            )
        )
        by_muscle = ", ".join(f"{_word('muscle', k, lang)} {v}" for k, v in summary.by_muscle.items())
        con.print(_("By muscle: {counts}").format(counts=by_muscle))
    con.print("\n" + _("[bold]Triggers[/bold] ({method})").format(method=_(report.method)))
    for w in report.warnings:
        con.print(f"[yellow]! {w}[/yellow]")
    from crampcheck.diary.triggers import spec_for

    for column, reason in report.skipped.items():
        spec = spec_for(column)
        name = spec.zh if lang == "zh" else spec.en
        con.print("  " + _("(not analysed: {name}: {reason})").format(name=name, reason=reason))
    trigger, hint = _("TRIGGER?"), _("hint")
    for e in report.effects:
        mark = {"possible_trigger": f"[red]{trigger}[/red] ", "weak_hint": f"[yellow]{hint}[/yellow] "}.get(
            e.verdict, ""
        )
        con.print(f"- {mark}{e.sentence}")
    if report.caution:
        con.print(f"\n{report.caution}")
    if charts is not None:
        con.print("\n" + _("Charts: {files}").format(files=", ".join(str(f) for f in files)))


@diary_app.command(help=N_("Write a report for your doctor (PDF or HTML), in the language of --lang."))
def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help=N_("output file: .pdf or .html"))],
    lang: LangOption = None,
) -> None:
    """Write a report for your doctor (PDF or HTML), in the language of --lang."""
    import crampcheck.diary.report as report_mod

    _ = _tr(ctx, lang)
    lang = ctx.ensure_object(_Ctx).lang
    if out.suffix.lower() not in (".pdf", ".html", ".htm"):
        raise failure(_("{path}: the report file must end in .pdf or .html").format(path=out), _)
    pdf = out.suffix.lower() == ".pdf"
    try:
        check_target(out)  # a missing folder is said before the work, not as a traceback after it
        with progress_bar(_("Reading the diary"), total=3 if pdf else 2) as step:
            with _session(ctx) as (session, uid):
                data = report_mod.gather(session=session, user_id=uid, lang=lang)
            step.advance()
            step.say(_("Writing the report"))
            html = report_mod.render_html(data)
            step.advance()
            if pdf:
                step.say(_("Making the PDF"))
                write_file(out, report_mod.html_to_pdf(html))
                step.advance()
            else:
                write_file(out, html.encode("utf-8"))
    except CrampcheckError as exc:
        raise failure(exc, _) from None
    out_console().print(_("wrote {path}").format(path=out))


@diary_app.command(help=N_("Export the diary and latest assessment as a FHIR R4 Bundle (JSON)."))
def fhir(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Argument(help=N_("output .json file (default: standard output)"))] = None,
    lang: LangOption = None,
) -> None:
    """Export the diary and latest assessment as a FHIR R4 Bundle (JSON)."""
    import crampcheck.diary.fhir as fhir_mod

    _ = _tr(ctx, lang)
    with _session(ctx) as (session, uid):
        bundle = fhir_mod.export_bundle(session=session, user_id=uid)
    text = bundle.model_dump_json(indent=1)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text, encoding="utf-8")
    out_console().print(_("wrote {path}").format(path=out))


@diary_app.command(
    "save-assessment", help=N_("Save an assessment result in the diary (it goes into the doctor report).")
)
def save_assessment(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help=N_("an assessment JSON (as printed by `crampcheck assess --json`)"))
    ],
    lang: LangOption = None,
) -> None:
    """Save an assessment result in the diary (it goes into the doctor report)."""
    from crampcheck.diary import service
    from crampcheck.schema import Assessment

    _ = _tr(ctx, lang)
    _regular_file(path, _)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise failure(_("{path}: {reason}").format(path=path, reason=exc.strerror), _) from None
    try:
        assessment = Assessment.model_validate_json(text)
    except ValidationError as exc:
        raise failure(
            _("{path}: not an assessment: {reason}").format(
                path=path, reason=service.first_error(exc).localized(_)
            ),
            _,
        ) from None
    from crampcheck.assess import default_assessor
    from crampcheck.diary.verify import verified_assessment

    with _session(ctx) as (session, uid):
        checked = verified_assessment(default_assessor(), assessment)  # only what this knowledge base gives
        saved = service.save_assessment(session=session, user_id=uid, assessment=checked)
    out_console().print(
        _("saved assessment {id} (knowledge base {version})").format(id=saved.id, version=saved.kb_version)
    )


@diary_app.command("delete-assessment", help=N_("Delete a saved assessment (see `diary assessments`)."))
def delete_assessment(
    ctx: typer.Context,
    assessment_id: Annotated[int, typer.Argument(min=1, max=MAX_DB_INT, help=N_("the saved assessment's id"))],
    lang: LangOption = None,
) -> None:
    from crampcheck.diary import service

    _ = _tr(ctx, lang)
    with _session(ctx) as (session, uid):
        service.delete_assessment(session=session, user_id=uid, assessment_id=assessment_id)
    out_console().print(_("deleted assessment {id}").format(id=assessment_id))


@diary_app.command(
    "repair",
    help=N_(
        "Find cramps and daily records of every user dated outside 1900-01-01 to now (stored before the diary "
        "had bounds), copy them to a CSV file and remove them."
    ),
)
def repair(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("only list them; change nothing"))] = False,
    quarantine: Annotated[
        Path | None,
        typer.Option(help=N_("where to copy them (default: a new file in the data folder)")),
    ] = None,
    lang: LangOption = None,
) -> None:
    from crampcheck.diary import repair as repair_mod

    _ = _tr(ctx, lang)
    with _session(ctx) as (session, _uid):
        rows = repair_mod.find(session)
        for r in rows:
            out_console().print(
                _("{table} {id} of {user}: {when}").format(
                    table=_("cramp") if r.table == "episodes" else _("daily record"),
                    id=r.id,
                    user=_shown(r.user),
                    when=_shown(r.when),
                ),
                markup=False,
            )
        if not rows:
            out_console().print(_("nothing to repair: every date is within 1900-01-01 to now"))
            return
        if dry_run:
            out_console().print(_("{n} to repair; nothing changed (--dry-run)").format(n=len(rows)))
            return
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        path = quarantine or get_settings().data_dir / f"repaired-{stamp}.csv"
        if path.exists() or (path.parent.exists() and not path.parent.is_dir()):
            raise failure(_("{path} already exists; give another --quarantine file").format(path=path), _)
        try:
            repair_mod.quarantine(rows, path)
        except OSError as exc:
            raise failure(
                _("cannot write {path}: {reason}; nothing removed").format(path=path, reason=exc.strerror or exc),
                _,
            ) from None
        n = repair_mod.remove(session, rows)
    out_console().print(_("removed {n}; a copy is in {path}").format(n=n, path=path), markup=False)


@diary_app.command("assessments", help=N_("List the saved assessments, newest first."))
def assessments(ctx: typer.Context, lang: LangOption = None) -> None:
    from crampcheck.diary import service

    _ = _tr(ctx, lang)
    with _session(ctx) as (session, uid):
        rows = service.list_assessments(session=session, user_id=uid)
    if not rows:
        out_console().print(_("no saved assessments"))
        return
    for r in rows:
        out_console().print(
            f"{r.id:>5}  {r.created_at:%Y-%m-%d %H:%M}  {r.triage_level}  "
            + _("knowledge base {version}").format(version=r.kb_version)
        )


@diary_app.command(help=N_("Issue a new API bearer token for a user (shown once; the old token stops working)."))
def token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("the user to issue an API token for"))],
    lang: LangOption = None,
) -> None:
    """Issue a new API bearer token for a user (shown once; the old token stops working)."""
    from crampcheck.diary import service

    _tr(ctx, lang)
    with _session(ctx) as (session, _uid):
        tok = service.issue_token(session=session, name=name)
    typer.echo(tok)
