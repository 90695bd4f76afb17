"""The ``crampcheck diary`` command group: a thin shell over :mod:`crampcheck.diary.service`.

Every command opens the database named by the settings (migrating it on first use), acts as the
user given by ``--user`` (default: the local user) and prints a domain error's message, never a
traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from crampcheck.errors import CrampcheckError
from crampcheck.settings import get_settings

diary_app = typer.Typer(
    help="Keep a cramp diary, find your personal triggers, and make a report for your doctor.",
    no_args_is_help=True,
)


@dataclass
class _Ctx:
    user: str


def _console() -> Console:
    return Console(soft_wrap=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    return typer.Exit(code)


@contextmanager
def _session(ctx: typer.Context) -> Iterator[tuple[Session, int]]:
    """One transaction for the command, as the chosen user; domain errors become clean exits."""
    from crampcheck.diary import service
    from crampcheck.storage.db import open_database

    try:
        db = open_database(get_settings())
        with db.session() as session:
            user = service.ensure_user(session=session, name=ctx.ensure_object(_Ctx).user)
            yield session, user.id
    except ValidationError as exc:
        from crampcheck.diary.service import first_error

        raise _fail(str(first_error(exc))) from None
    except CrampcheckError as exc:
        raise _fail(str(exc)) from None


@diary_app.callback()
def _main(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option(help="whose diary (default: the local user)")] = None,
) -> None:
    try:
        default = get_settings().local_user
    except CrampcheckError as exc:
        raise _fail(str(exc)) from None
    ctx.obj = _Ctx(user=user or default)


def _parse_when(value: str | None) -> dt.datetime:
    if value is None or value == "now":
        return dt.datetime.now().replace(microsecond=0)
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise _fail(f"--when {value!r} is not a date-time like 2024-05-01T03:10 (or 'now')") from None


def _parse_day(value: str | None, name: str = "DAY") -> dt.date:
    if value is None or value == "today":
        return dt.date.today()
    if value == "yesterday":
        return dt.date.today() - dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{name} {value!r} is not a date like 2024-05-01 (or 'today', 'yesterday')") from None


# ---- episodes ---------------------------------------------------------------------------------


@diary_app.command()
def add(
    ctx: typer.Context,
    muscle: Annotated[str, typer.Argument(help="hand, forearm, calf, foot, thigh, trunk, jaw_face, other")],
    severity: Annotated[int, typer.Option("--severity", "-s", help="0 (none) to 10 (worst)")] = 5,
    when: Annotated[str | None, typer.Option(help="start time, e.g. 2024-05-01T03:10 (default: now)")] = None,
    duration: Annotated[int | None, typer.Option(help="how long, in seconds")] = None,
    side: Annotated[str | None, typer.Option(help="left, right or both")] = None,
    activity: Annotated[str | None, typer.Option(help="what you were doing")] = None,
    relief: Annotated[str | None, typer.Option(help="what relieved it")] = None,
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record a cramp."""
    from crampcheck.diary import service
    from crampcheck.diary.schemas import EpisodeCreate

    started = _parse_when(when)
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
    _console().print(
        f"added episode {saved.id}: {saved.muscle} at {saved.started_at:%Y-%m-%d %H:%M}, severity {saved.severity}"
    )


@diary_app.command("list")
def list_(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="how many, newest first")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List recent cramps."""
    from crampcheck.diary import service

    with _session(ctx) as (session, uid):
        eps = service.list_episodes(session=session, user_id=uid, limit=limit, newest_first=True)
    if as_json:
        typer.echo(json.dumps([e.model_dump(mode="json") for e in eps], ensure_ascii=False, indent=1))
        return
    if not eps:
        _console().print("No cramps recorded yet. Add one with `crampcheck diary add calf --severity 6`.")
        return
    table = Table("id", "when", "muscle", "side", "severity", "seconds", "doing", "relief")
    for e in eps:
        table.add_row(
            str(e.id),
            f"{e.started_at:%Y-%m-%d %H:%M}",
            e.muscle,
            e.side or "",
            str(e.severity),
            "" if e.duration_s is None else str(e.duration_s),
            e.activity or "",
            e.relief or "",
        )
    _console().print(table)


@diary_app.command()
def edit(
    ctx: typer.Context,
    episode_id: Annotated[int, typer.Argument(help="the episode's id (see `diary list`)")],
    muscle: Annotated[str | None, typer.Option()] = None,
    severity: Annotated[int | None, typer.Option("--severity", "-s")] = None,
    when: Annotated[str | None, typer.Option()] = None,
    duration: Annotated[int | None, typer.Option()] = None,
    side: Annotated[str | None, typer.Option()] = None,
    activity: Annotated[str | None, typer.Option()] = None,
    relief: Annotated[str | None, typer.Option()] = None,
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Change fields of a recorded cramp."""
    from crampcheck.diary import service
    from crampcheck.diary.schemas import EpisodeUpdate

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
        changes["started_at"] = _parse_when(when)
    if not changes:
        raise _fail("nothing to change; give at least one option such as --severity 4")
    with _session(ctx) as (session, uid):
        saved = service.update_episode(
            session=session, user_id=uid, episode_id=episode_id, changes=EpisodeUpdate.model_validate(changes)
        )
    _console().print(f"updated episode {saved.id}")


@diary_app.command()
def delete(
    ctx: typer.Context,
    episode_id: Annotated[int, typer.Argument(help="the episode's id (see `diary list`)")],
) -> None:
    """Delete a recorded cramp."""
    from crampcheck.diary import service

    with _session(ctx) as (session, uid):
        service.delete_episode(session=session, user_id=uid, episode_id=episode_id)
    _console().print(f"deleted episode {episode_id}")


# ---- daily exposures --------------------------------------------------------------------------


@diary_app.command()
def day(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Argument(help="the day, e.g. 2024-05-01 (default: today)")] = None,
    exercise: Annotated[str | None, typer.Option(help="exercise intensity: none, light, moderate, hard")] = None,
    exercise_minutes: Annotated[float | None, typer.Option()] = None,
    sleep: Annotated[float | None, typer.Option(help="hours slept the night before")] = None,
    fluids: Annotated[float | None, typer.Option(help="litres drunk")] = None,
    alcohol: Annotated[float | None, typer.Option(help="units of alcohol")] = None,
    caffeine: Annotated[float | None, typer.Option(help="mg of caffeine (a coffee is about 90)")] = None,
    cold: Annotated[bool | None, typer.Option("--cold/--no-cold", help="exposed to cold")] = None,
    hand_use: Annotated[float | None, typer.Option(help="hours of typing, writing or gripping")] = None,
    medicine: Annotated[list[str] | None, typer.Option(help="a medicine taken (repeat for several)")] = None,
    cycle: Annotated[str | None, typer.Option(help="menstruation, follicular, ovulation, luteal")] = None,
    pregnant: Annotated[bool | None, typer.Option("--pregnant/--not-pregnant")] = None,
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record what a day was like (exercise, sleep, fluids, ...); replaces that day's record."""
    from crampcheck.diary import service
    from crampcheck.diary.schemas import ExposureIn

    the_day = _parse_day(date)
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
    _console().print(f"recorded {the_day}")


# ---- files ------------------------------------------------------------------------------------


@diary_app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="an episodes or exposures CSV (told apart by the header)")],
) -> None:
    """Import a CSV file: all rows or none."""
    from crampcheck.diary import csvio

    with _session(ctx) as (session, uid):
        result = csvio.import_csv(session=session, user_id=uid, source=path)
    _console().print(f"imported {result.rows} {result.kind} from {path}")


@diary_app.command()
def export(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help="output file (default: standard output)")] = None,
    kind: Annotated[str, typer.Option(help="episodes or exposures")] = "episodes",
) -> None:
    """Export episodes or exposures as CSV."""
    from crampcheck.diary import csvio

    if kind not in ("episodes", "exposures"):
        raise _fail(f"--kind {kind!r} must be episodes or exposures")
    with _session(ctx) as (session, uid):
        if path is None:
            csvio.export_csv(session=session, user_id=uid, kind=kind, out=sys.stdout)  # type: ignore[arg-type]
            return
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csvio.export_csv(session=session, user_id=uid, kind=kind, out=fh)  # type: ignore[arg-type]
    _console().print(f"wrote {kind} to {path}")


# ---- analysis ---------------------------------------------------------------------------------


@diary_app.command()
def stats(
    ctx: typer.Context,
    lang: Annotated[str, typer.Option(help="en or zh")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    charts: Annotated[Path | None, typer.Option(help="also draw the charts (PNG) into this folder")] = None,
) -> None:
    """Summarise the diary and look for personal triggers."""
    from crampcheck.diary import service

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
    con = _console()
    con.print(f"[bold]{summary.episodes}[/bold] cramps recorded, {summary.days_recorded} days with exposures.")
    if summary.episodes:
        con.print(f"Mean severity {summary.mean_severity}; in the last 4 weeks {summary.per_week_last_4} a week.")
        con.print("By muscle: " + ", ".join(f"{k} {v}" for k, v in summary.by_muscle.items()))
    con.print(f"\n[bold]Triggers[/bold] ({report.method})")
    for w in report.warnings:
        con.print(f"[yellow]! {w}[/yellow]")
    for reason_name, reason in report.skipped.items():
        con.print(f"  (not analysed: {reason_name}: {reason})")
    for e in report.effects:
        mark = {"possible_trigger": "[red]TRIGGER?[/red] ", "weak_hint": "[yellow]hint[/yellow] "}.get(
            e.verdict, ""
        )
        con.print(f"- {mark}{e.sentence}")
    if report.caution:
        con.print(f"\n{report.caution}")
    if charts is not None:
        con.print("\nCharts: " + ", ".join(str(f) for f in files))


@diary_app.command()
def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="output file: .pdf or .html")],
    lang: Annotated[str, typer.Option(help="en or zh")] = "en",
) -> None:
    """Write a report for your doctor (PDF or HTML)."""
    import crampcheck.diary.report as report_mod

    if out.suffix.lower() not in (".pdf", ".html", ".htm"):
        raise _fail(f"{out}: the report file must end in .pdf or .html")
    if lang not in ("en", "zh"):
        raise _fail(f"--lang {lang!r} must be en or zh")
    with _session(ctx) as (session, uid):
        data = report_mod.gather(session=session, user_id=uid, lang=lang)
    try:
        if out.suffix.lower() == ".pdf":
            out.write_bytes(report_mod.render_pdf(data))
        else:
            out.write_text(report_mod.render_html(data), encoding="utf-8")
    except CrampcheckError as exc:
        raise _fail(str(exc)) from None
    _console().print(f"wrote {out}")


@diary_app.command()
def fhir(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Argument(help="output .json file (default: standard output)")] = None,
) -> None:
    """Export the diary and latest assessment as a FHIR R4 Bundle (JSON)."""
    import crampcheck.diary.fhir as fhir_mod

    with _session(ctx) as (session, uid):
        bundle = fhir_mod.export_bundle(session=session, user_id=uid)
    text = bundle.model_dump_json(indent=1)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text, encoding="utf-8")
    _console().print(f"wrote {out}")


@diary_app.command("save-assessment")
def save_assessment(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="an assessment JSON (as printed by `crampcheck assess --json`)")],
) -> None:
    """Save an assessment result in the diary (it goes into the doctor report)."""
    from crampcheck.diary import service
    from crampcheck.schema import Assessment

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(f"{path}: {exc.strerror}") from None
    try:
        assessment = Assessment.model_validate_json(text)
    except ValidationError as exc:
        raise _fail(f"{path}: not an assessment: {service.first_error(exc)}") from None
    with _session(ctx) as (session, uid):
        saved = service.save_assessment(session=session, user_id=uid, assessment=assessment)
    _console().print(f"saved assessment {saved.id} (knowledge base {saved.kb_version})")


@diary_app.command()
def token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the user to issue an API token for")],
) -> None:
    """Issue a new API bearer token for a user (shown once; the old token stops working)."""
    from crampcheck.diary import service

    with _session(ctx) as (session, _uid):
        tok = service.issue_token(session=session, name=name)
    typer.echo(tok)
