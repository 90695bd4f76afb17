"""The ``crampcheck diary`` command group: a thin shell over :mod:`crampcheck.diary.service`.

Every command opens the database named by the settings (migrating it on first use), acts as the
user given by ``--user`` (default: the local user) and prints a domain error's message, never a
traceback. Messages are in the language of ``--lang`` (``crampcheck diary --lang zh list`` or
``crampcheck diary list --lang zh``; default: the locale's).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from crampcheck.cli.output import FoldTable, failure, out_console
from crampcheck.diary.bounds import MAX_DB_INT
from crampcheck.errors import N_, CrampcheckError
from crampcheck.i18n import LANGS, default_lang, translator
from crampcheck.settings import get_settings

Translate = Callable[[str], str]

# words shown in messages and tables, marked for extraction (the stored values stay English ids)
_KIND_WORD = {"episodes": N_("episodes"), "exposures": N_("exposures")}
_WORDS = (
    N_("hand"), N_("forearm"), N_("calf"), N_("foot"), N_("thigh"), N_("trunk"), N_("jaw_face"), N_("other"),
    N_("left"), N_("right"), N_("both"),
    N_("time-stratified case-crossover (calendar-month strata), conditional logistic regression"),
)  # fmt: skip

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
    if value is None or value == "now":
        return dt.datetime.now().replace(microsecond=0)
    from crampcheck.diary.bounds import OffsetError, parse_local_time

    try:
        return parse_local_time(value.strip().replace(" ", "T", 1))
    except OffsetError:
        raise failure(
            _("--when {value!r}: give the local time without a time-zone offset, like 2024-05-01T03:10").format(
                value=value
            ),
            _,
        ) from None
    except ValueError:
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


# ---- episodes ---------------------------------------------------------------------------------


@diary_app.command(help=N_("Record a cramp."))
def add(
    ctx: typer.Context,
    muscle: Annotated[str, typer.Argument(help=N_("hand, forearm, calf, foot, thigh, trunk, jaw_face, other"))],
    severity: Annotated[int, typer.Option("--severity", "-s", help=N_("0 (none) to 10 (worst)"))] = 5,
    when: Annotated[str | None, typer.Option(help=N_("start time, e.g. 2024-05-01T03:10 (default: now)"))] = None,
    duration: Annotated[int | None, typer.Option(help=N_("how long, in seconds"))] = None,
    side: Annotated[str | None, typer.Option(help=N_("left, right or both"))] = None,
    activity: Annotated[str | None, typer.Option(help=N_("what you were doing"))] = None,
    relief: Annotated[str | None, typer.Option(help=N_("what relieved it"))] = None,
    note: Annotated[str | None, typer.Option()] = None,
    lang: LangOption = None,
) -> None:
    """Record a cramp."""
    from crampcheck.diary import service
    from crampcheck.diary.schemas import EpisodeCreate

    _ = _tr(ctx, lang)
    started = _parse_when(when, _)
    with _session(ctx) as (session, uid):
        ep = EpisodeCreate.model_validate(
            {
                "started_at": started,
                "muscle": muscle,
                "severity": severity,
                "duration_s": duration,
                "side": side,
                "activity": activity,
                "relief": relief,
                "note": note,
            }
        )
        saved = service.add_episode(session=session, user_id=uid, episode=ep)
    out_console().print(
        _("added episode {id}: {muscle} at {when}, severity {severity}").format(
            id=saved.id,
            muscle=_(saved.muscle),
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
    table = FoldTable(
        _("id"), _("when"), _("muscle"), _("side"), _("severity"), _("seconds"), _("doing"), _("relief"),
        title=_("Recorded cramps"),
    )  # fmt: skip
    for e in eps:
        table.add_row(
            str(e.id),
            f"{e.started_at:%Y-%m-%d %H:%M}",
            _(e.muscle),
            _(e.side) if e.side else "",
            str(e.severity),
            "" if e.duration_s is None else str(e.duration_s),
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
def edit(
    ctx: typer.Context,
    episode_id: Annotated[
        int, typer.Argument(min=1, max=MAX_DB_INT, help=N_("the episode's id (see `diary list`)"))
    ],
    muscle: Annotated[str | None, typer.Option()] = None,
    severity: Annotated[int | None, typer.Option("--severity", "-s")] = None,
    when: Annotated[str | None, typer.Option()] = None,
    duration: Annotated[int | None, typer.Option()] = None,
    side: Annotated[str | None, typer.Option()] = None,
    activity: Annotated[str | None, typer.Option()] = None,
    relief: Annotated[str | None, typer.Option()] = None,
    note: Annotated[str | None, typer.Option()] = None,
    lang: LangOption = None,
) -> None:
    """Change fields of a recorded cramp."""
    from crampcheck.diary import service
    from crampcheck.diary.schemas import EpisodeUpdate

    _ = _tr(ctx, lang)
    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "muscle": muscle,
            "severity": severity,
            "duration_s": duration,
            "side": side,
            "activity": activity,
            "relief": relief,
            "note": note,
        }.items()
        if v is not None
    }
    if when is not None:
        changes["started_at"] = _parse_when(when, _)
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
def day(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Argument(help=N_("the day, e.g. 2024-05-01 (default: today)"))] = None,
    exercise: Annotated[
        str | None, typer.Option(help=N_("exercise intensity: none, light, moderate, hard"))
    ] = None,
    exercise_minutes: Annotated[float | None, typer.Option()] = None,
    sleep: Annotated[float | None, typer.Option(help=N_("hours slept the night before"))] = None,
    fluids: Annotated[float | None, typer.Option(help=N_("litres drunk"))] = None,
    alcohol: Annotated[float | None, typer.Option(help=N_("units of alcohol"))] = None,
    caffeine: Annotated[float | None, typer.Option(help=N_("mg of caffeine (a coffee is about 90)"))] = None,
    cold: Annotated[bool | None, typer.Option("--cold/--no-cold", help=N_("exposed to cold"))] = None,
    hand_use: Annotated[float | None, typer.Option(help=N_("hours of typing, writing or gripping"))] = None,
    medicine: Annotated[list[str] | None, typer.Option(help=N_("a medicine taken (repeat for several)"))] = None,
    cycle: Annotated[str | None, typer.Option(help=N_("menstruation, follicular, ovulation, luteal"))] = None,
    pregnant: Annotated[bool | None, typer.Option("--pregnant/--not-pregnant")] = None,
    note: Annotated[str | None, typer.Option()] = None,
    lang: LangOption = None,
) -> None:
    """Record what a day was like (exercise, sleep, fluids, ...); replaces that day's record."""
    from crampcheck.diary import service
    from crampcheck.diary.schemas import ExposureIn

    _ = _tr(ctx, lang)
    the_day = _parse_day(date, _)
    with _session(ctx) as (session, uid):
        exp = ExposureIn.model_validate(
            {
                "day": the_day,
                "exercise_intensity": exercise,
                "exercise_minutes": exercise_minutes,
                "sleep_hours": sleep,
                "fluids_l": fluids,
                "alcohol_units": alcohol,
                "caffeine_mg": caffeine,
                "cold": cold,
                "hand_use_hours": hand_use,
                "medicines": medicine or [],
                "menstrual_phase": cycle,
                "pregnant": pregnant,
                "note": note,
            }
        )
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
    with _session(ctx) as (session, uid):
        result = csvio.import_csv(session=session, user_id=uid, source=path)
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
    from crampcheck.diary import service

    _ = _tr(ctx, lang)
    lang = ctx.ensure_object(_Ctx).lang
    with _session(ctx) as (session, uid):
        summary = service.diary_summary(session=session, user_id=uid)
        report = service.trigger_report(session=session, user_id=uid, lang=lang)
        if charts is not None:
            import crampcheck.diary.charts as charts_mod

            episodes = service.episode_table(session=session, user_id=uid)
            files = charts_mod.draw_all(episodes, report, charts, lang=lang)
    if as_json:
        typer.echo(
            json.dumps(
                {"summary": summary.model_dump(mode="json"), "triggers": report.to_dict()},
                ensure_ascii=False,
                indent=1,
            )
        )
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
        by_muscle = ", ".join(f"{_(k)} {v}" for k, v in summary.by_muscle.items())
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
    with _session(ctx) as (session, uid):
        data = report_mod.gather(session=session, user_id=uid, lang=lang)
    try:
        if out.suffix.lower() == ".pdf":
            out.write_bytes(report_mod.render_pdf(data))
        else:
            out.write_text(report_mod.render_html(data), encoding="utf-8")
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
                _("cannot write {path}: {reason}; nothing removed").format(path=path, reason=exc.strerror or exc), _
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
