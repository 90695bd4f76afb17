"""The cramp diary pages: quick entry of a cramp and of a day's exposures, the list of recent cramps with
edit and delete, charts of the diary (drawn in the browser by ``static/js/diary-charts.js`` from a JSON data
block, shown as tables without JavaScript), links to the doctor report and the FHIR export, and "Save to my
diary" for an interview result.

Every form is a plain HTML form (POST, then a redirect); htmx only makes it smoother. Errors are shown next to
the field, in plain words, with what was typed kept. The user is the one of the diary API
(:func:`crampcheck.api.diary.current_user`): on this computer (loopback) the single local user needs no
token; from elsewhere a person signs in with their own diary token (``crampcheck diary token NAME``), which
the browser then keeps in an HttpOnly, SameSite=Strict cookie until they sign out.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from collections.abc import Callable, Coroutine, Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import pass_context
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crampcheck.api.diary import TOKEN_COOKIE, current_user, get_session, user_for_token
from crampcheck.api.guard import CSRF_COOKIE, CSRF_FIELD, csrf_input, csrf_valid
from crampcheck.api.ratelimit import RateLimited
from crampcheck.assess import Assessor
from crampcheck.diary import service
from crampcheck.diary.bounds import MAX_DB_INT, check_text, parse_local_time
from crampcheck.diary.errors import AuthError, ConflictError, NotFoundError
from crampcheck.diary.schemas import EpisodeCreate, EpisodePublic, EpisodeUpdate, ExposureIn, ExposurePublic
from crampcheck.diary.triggers import TriggerReport, analyse_tables
from crampcheck.errors import CrampcheckError
from crampcheck.i18n import translator
from crampcheck.web.state import InterviewState, StateError
from crampcheck.web.views import _lang, _page, templates

log = logging.getLogger(__name__)

MUSCLES = ("calf", "foot", "thigh", "hand", "forearm", "trunk", "jaw_face", "other")
SIDES = ("left", "right", "both")
INTENSITIES = ("none", "light", "moderate", "hard")
PHASES = ("menstruation", "follicular", "ovulation", "luteal")
VERDICTS = ("possible_trigger", "weak_hint", "possibly_protective", "no_clear_effect", "not_estimable")
RECENT = 10
DAILY_SPAN_DAYS = 62  # longer diaries are charted per week
YEARLY_SPAN_DAYS = 366  # and longer than a year, per month
DECADES_SPAN_DAYS = 20 * 365  # and longer than twenty years, per year
TEXT_MAX = 200
NOTE_MAX = 2000
FUTURE_SLACK = dt.timedelta(hours=14)  # the widest time-zone gap between a phone and the server


def _strings(_: Callable[[str], str]) -> dict[str, str]:
    return {
        "diary_title": _("My cramp diary"),
        "diary_intro": _(
            "Write down each cramp soon after it happens, and a few facts about your day. After some weeks the "
            "diary can show what tends to come before your cramps."
        ),
        "new_episode": _("Record a cramp"),
        "edit_episode": _("Change this cramp"),
        "when": _("When did it start?"),
        "when_hint": _("Date and time. It is set to now; change it if the cramp was earlier."),
        "how_long": _("How long did it last (minutes)?"),
        "how_long_hint": _("For example 2, or 0.5 for half a minute. Leave empty if you are not sure."),
        "muscle": _("Which muscle?"),
        "side": _("Which side?"),
        "side_none": _("Not sure"),
        "severity": _("How bad was it?"),
        "severity_hint": _("0 = no pain, 10 = the worst pain you can imagine."),
        "activity": _("What were you doing?"),
        "activity_hint": _("For example: sleeping, sitting, walking, running, typing."),
        "relief": _("What relieved it?"),
        "relief_hint": _("For example: stretching, walking about, massage, nothing."),
        "note": _("Anything else (optional)"),
        "save_episode": _("Save the cramp"),
        "save_changes": _("Save changes"),
        "cancel": _("Cancel"),
        "exposures_title": _("What was your day like?"),
        "exposures_hint": _(
            "Fill in what you know; leave the rest empty. Saving again for the same day replaces that day."
        ),
        "day": _("Day"),
        "exercise_minutes": _("Exercise (minutes)"),
        "intensity": _("How hard was the exercise?"),
        "int_none": _("none"),
        "int_light": _("light"),
        "int_moderate": _("moderate"),
        "int_hard": _("hard"),
        "sleep_hours": _("Sleep last night (hours)"),
        "fluids_l": _("Drinks in total (litres)"),
        "alcohol_units": _("Alcohol (units)"),
        "alcohol_hint": _("One unit is about half a pint of beer or a small glass of wine."),
        "caffeine_mg": _("Caffeine (mg)"),
        "caffeine_hint": _("A cup of coffee has about 80 to 100 mg, a cup of tea about 40 mg."),
        "cold": _("Were you in the cold (cold room, cold water, outdoors in winter)?"),
        "hand_use_hours": _("Typing, writing or gripping (hours)"),
        "medicines": _("Medicines taken that day"),
        "medicines_hint": _("Separate names with commas, for example: amlodipine, ibuprofen."),
        "if_relevant": _("Only if it applies to you"),
        "menstrual_phase": _("Menstrual cycle"),
        "phase_menstruation": _("period (bleeding)"),
        "phase_follicular": _("after the period"),
        "phase_ovulation": _("middle of the cycle"),
        "phase_luteal": _("before the next period"),
        "pregnant": _("Pregnant"),
        "not_recorded": _("not recorded"),
        "save_day": _("Save the day"),
        "recent": _("Recent cramps"),
        "no_episodes": _("No cramps recorded yet."),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "delete_title": _("Delete this cramp?"),
        "delete_text": _("This cannot be undone."),
        "delete_yes": _("Yes, delete it"),
        "keep": _("No, keep it"),
        "minutes_short": _("min"),
        "severity_short": _("severity"),
        "saved_episode": _("The cramp was saved."),
        "saved_changes": _("The changes were saved."),
        "deleted": _("The cramp was deleted."),
        "saved_day": _("The day was saved."),
        "saved_assessment": _("Your results were saved in your diary."),
        "charts_title": _("What your diary shows"),
        "over_time": _("Cramps over time"),
        "per_day": _("per day"),
        "per_week": _("per week (from Monday)"),
        "per_month": _("per month"),
        "per_year": _("per year"),
        "by_hour": _("Cramps by hour of day"),
        "hour": _("Hour"),
        "by_muscle": _("Cramps by muscle"),
        "count": _("Cramps"),
        "period": _("Period"),
        "show_table": _("Show the numbers as a table"),
        "chart_hint": _("Point at or tab to a bar to see its value; use the arrow keys to move between bars."),
        "effects_title": _("Possible triggers"),
        "effects_intro": _(
            "Each day with cramps is compared with days without cramps in the same month. A value above 1 "
            "means cramps were more likely on such days, below 1 less likely. The line shows the range the "
            "true value probably lies in (95% interval): if it crosses 1, the diary cannot tell."
        ),
        "exposure": _("Factor"),
        "odds_ratio": _("Odds ratio"),
        "interval": _("95% interval"),
        "verdict": _("What it means"),
        "v_possible_trigger": _("possible trigger"),
        "v_weak_hint": _("weak hint, may be chance"),
        "v_possibly_protective": _("possibly protective"),
        "v_no_clear_effect": _("no clear effect"),
        "v_not_estimable": _("cannot be worked out yet"),
        "per": _("per"),
        "no_effects": _("There is not enough data yet to look for triggers."),
        "nothing_yet": _("No data yet."),
        "report_title": _("For your doctor"),
        "report_html": _("Doctor report (web page)"),
        "report_pdf": _("Doctor report (PDF)"),
        "fhir": _("Export for health records (FHIR)"),
        "csv": _("Download cramps as a spreadsheet (CSV)"),
        "save_to_diary": _("Save to my diary"),
        "save_to_diary_hint": _("Keeps these results with your cramp diary, for your doctor report."),
        "open_diary": _("Open my cramp diary"),
        "fix_fields": _("Some answers need a look; see the notes next to them."),
        "not_available": _("The diary is not available here"),
        "not_available_text": _(
            "The diary keeps personal health notes, so from another computer it opens only for someone who "
            "signs in with their own diary token."
        ),
        "signin_title": _("Sign in to your diary"),
        "signin_text": _(
            "Enter your diary token. Whoever runs crampcheck can give you one with the command "
            "'crampcheck diary token YOUR-NAME'. This browser keeps it until you sign out."
        ),
        "signin_token": _("Diary token"),
        "signin_button": _("Sign in"),
        "signin_wrong": _("This token is not known. Check it, or ask for a new one."),
        "signin_limited_title": _("Too many wrong tokens"),
        "signin_limited": _(
            "Too many wrong tokens were tried from this address. Wait {seconds} seconds, then try again."
        ),
        "signin_link": _("Sign in with your diary token"),
        "signout_button": _("Sign out of the diary"),
        "signout_hint": _("Signing out ends your token everywhere; to sign in again you need a new one."),
        "storage_error": _("The diary could not be opened. Please try again later."),
        "not_found_episode": _("This cramp is not in your diary (it may have been deleted)."),
        "conflict": _("The same day was saved at the same moment elsewhere. Please save it again."),
        "back_to_diary": _("Back to my diary"),
        "csrf_title": _("This form could not be accepted"),
        "csrf_text": _(
            "It was not sent from this diary's own page, or the page was open too long. Go back to the diary, "
            "reload it and send the form again."
        ),
        # field messages
        "err_when": _("Enter the date and time the cramp began, for example 2024-05-01 03:10."),
        "err_when_future": _("That time is in the future. Enter when the cramp began."),
        "err_muscle": _("Choose which muscle cramped."),
        "err_side": _("Choose left, right, both or not sure."),
        "err_severity": _("Choose how bad it was, from 0 to 10."),
        "err_day": _("Enter the day, for example 2024-05-01."),
        "err_day_future": _("That day is in the future. Enter today or an earlier day."),
        "err_number": _("Enter a number from {low} to {high}, or leave it empty."),
        "err_too_long": _("This is too long; shorten it to {n} characters."),
        "err_choice": _("Choose one of the options."),
        "err_control": _("This contains an invisible control character; remove it or type the text again."),
        "err_medicine": _("Too many medicines; list at most 50."),
        "err_state": _("The results could not be saved: the form was incomplete. Please start again."),
        # muscles and sides
        "m_calf": _("Calf"),
        "m_foot": _("Foot"),
        "m_thigh": _("Thigh"),
        "m_hand": _("Hand"),
        "m_forearm": _("Forearm"),
        "m_trunk": _("Back or belly"),
        "m_jaw_face": _("Jaw or face"),
        "m_other": _("Other"),
        "s_left": _("Left"),
        "s_right": _("Right"),
        "s_both": _("Both"),
        "yes": _("Yes"),
        "no": _("No"),
    }


@functools.lru_cache(maxsize=4)
def diary_texts(lang: str) -> dict[str, str]:
    """The diary page strings in one language."""
    return _strings(translator(lang))


def _pair(value: str, d: Mapping[str, str], prefix: str) -> tuple[str, str]:
    return value, d[prefix + value]


templates.env.filters["diary_muscle"] = lambda v, d: _pair(v, d, "m_")
templates.env.filters["diary_side"] = lambda v, d: _pair(v, d, "s_")
templates.env.filters["diary_intensity"] = lambda v, d: _pair(v, d, "int_")
templates.env.filters["diary_phase"] = lambda v, d: _pair(v, d, "phase_")
templates.env.filters["diary_pair"] = lambda v: (v, v)
# {{ csrf_field() }} in a form posting to the diary: the hidden CSRF token of this browser session
templates.env.globals["csrf_field"] = pass_context(lambda ctx: csrf_input(ctx["request"]))


def _request_lang(request: Request) -> str:
    return _lang(request.query_params.get("lang"), request)


def _diary_page(
    request: Request, name: str, lang: str, status: int = 200, switch_path: str = "/diary", **ctx: Any
) -> HTMLResponse:
    return _page(request, name, lang, status=status, d=diary_texts(lang), switch_path=switch_path, **ctx)


def _message_page(request: Request, lang: str, status: int, title: str, text: str) -> HTMLResponse:
    return _diary_page(request, "diary_message.html", lang, status=status, title=title, text=text)


def _limited_page(request: Request, lang: str, exc: RateLimited, template: str) -> HTMLResponse:
    """429 after too many wrong tokens from this address (crampcheck.api.ratelimit), saying when to retry."""
    d = diary_texts(lang)
    text = d["signin_limited"].format(seconds=exc.retry_after)
    page = _diary_page(
        request,
        template,
        lang,
        status=429,
        switch_path="/diary/signin",
        error=text,
        title=d["signin_limited_title"],
        text=text,
        signin=False,
    )
    page.headers["Retry-After"] = str(exc.retry_after)
    return page


class CsrfError(Exception):
    """A diary form arrived without this browser session's CSRF token."""

    def __init__(self, path: str, lang: str) -> None:
        super().__init__(path)
        self.lang = lang


async def require_csrf(request: Request) -> None:
    """Every state-changing diary form must carry the session's CSRF token (crampcheck.api.guard)."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not csrf_valid(request, token if isinstance(token, str) else None):
        lang = form.get("lang")
        raise CsrfError(request.url.path, _lang(lang if isinstance(lang, str) else None, request))


class DiaryPageRoute(APIRoute):
    """Turns the diary's domain errors into plain pages (never a traceback or a bare 500)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RateLimited as exc:
                return _limited_page(request, _request_lang(request), exc, "diary_message.html")
            except CsrfError as exc:
                lg = exc.lang
                d = diary_texts(lg)
                log.warning("diary form without a valid CSRF token: %s", request.url.path)
                return _message_page(request, lg, 403, d["csrf_title"], d["csrf_text"])
            except AuthError:
                lg = _request_lang(request)
                d = diary_texts(lg)
                page = _diary_page(
                    request,
                    "diary_message.html",
                    lg,
                    status=401,
                    title=d["not_available"],
                    text=d["not_available_text"],
                    signin=True,
                )
                if TOKEN_COOKIE in request.cookies:  # a token that no longer works: forget it
                    page.delete_cookie(TOKEN_COOKIE, path="/")
                return page
            except NotFoundError:
                lg = _request_lang(request)
                d = diary_texts(lg)
                return _message_page(request, lg, 404, d["not_found_episode"], d["back_to_diary"])
            except ConflictError:
                lg = _request_lang(request)
                d = diary_texts(lg)
                return _message_page(request, lg, 409, d["conflict"], d["back_to_diary"])
            except (CrampcheckError, OperationalError) as exc:  # the database cannot be opened, is locked, full
                log.warning("diary page %s: %s", request.url.path, exc)
                lg = _request_lang(request)
                d = diary_texts(lg)
                return _message_page(request, lg, 503, d["storage_error"], d["back_to_diary"])

        return route


router = APIRouter(
    prefix="/diary", include_in_schema=False, route_class=DiaryPageRoute, dependencies=[Depends(require_csrf)]
)
SessionDep = Annotated[Session, Depends(get_session)]
UserDep = Annotated[int, Depends(current_user)]


async def form_fields(request: Request) -> dict[str, str]:
    """Every submitted field as text (the last value of a repeated field)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormDep = Annotated[dict[str, str], Depends(form_fields)]


def _id(raw: str) -> int:
    """An episode id from the address; anything else is simply "not found"."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or int(raw) > MAX_DB_INT:
        raise NotFoundError("episode", raw[:20])
    return int(raw)


def _redirect(lang: str, done: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/diary?{urlencode({'lang': lang, 'done': done})}{anchor}", status_code=303)


# ---- reading forms ------------------------------------------------------------------------------------


def _number(
    raw: str, low: float, high: float, field: str, errors: dict[str, str], d: Mapping[str, str]
) -> float | None:
    text = raw.strip().replace(",", ".").replace("，", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        errors[field] = d["err_number"].format(low=f"{low:g}", high=f"{high:g}")
        return None
    return value


def _text(raw: str, limit: int, field: str, errors: dict[str, str], d: Mapping[str, str]) -> str | None:
    text = raw.strip()
    if len(text) > limit:
        errors[field] = d["err_too_long"].format(n=limit)
    try:
        check_text(text)
    except ValueError:
        errors[field] = d["err_control"]
    return text or None


def _choice(
    raw: str, options: tuple[str, ...], field: str, errors: dict[str, str], d: Mapping[str, str]
) -> str | None:
    if not raw:
        return None
    if raw not in options:
        errors[field] = d["err_choice"]
        return None
    return raw


def _yes_no(raw: str, field: str, errors: dict[str, str], d: Mapping[str, str]) -> bool | None:
    value = _choice(raw, ("yes", "no"), field, errors, d)
    return None if value is None else value == "yes"


def parse_episode(form: Mapping[str, str], lang: str) -> tuple[EpisodeCreate | None, dict[str, str]]:
    """The typed cramp, or the problems by field name (in plain words)."""
    d = diary_texts(lang)
    errors: dict[str, str] = {}
    started: dt.datetime | None = None
    raw_when = form.get("started_at", "").strip()
    try:
        started = parse_local_time(raw_when.replace(" ", "T", 1)).replace(second=0)
        if started.year < 1900:
            raise ValueError(raw_when)
        if started > dt.datetime.now() + FUTURE_SLACK:
            errors["started_at"] = d["err_when_future"]
    except ValueError:
        errors["started_at"] = d["err_when"]
    minutes = _number(form.get("duration_min", ""), 0, 1440, "duration_min", errors, d)
    muscle = form.get("muscle", "")
    if muscle not in MUSCLES:
        errors["muscle"] = d["err_muscle"]
    side = form.get("side", "")
    if side and side not in SIDES:
        errors["side"] = d["err_side"]
    severity: int | None = None
    try:
        severity = int(form.get("severity", ""))
        if not 0 <= severity <= 10:
            raise ValueError(severity)
    except ValueError:
        errors["severity"] = d["err_severity"]
    activity = _text(form.get("activity", ""), TEXT_MAX, "activity", errors, d)
    relief = _text(form.get("relief", ""), TEXT_MAX, "relief", errors, d)
    note = _text(form.get("note", ""), NOTE_MAX, "note", errors, d)
    if errors:
        return None, errors
    try:
        episode = EpisodeCreate(
            started_at=started,  # type: ignore[arg-type]
            duration_s=None if minutes is None else round(minutes * 60),
            muscle=muscle,  # type: ignore[arg-type]
            side=side or None,  # type: ignore[arg-type]
            severity=severity,  # type: ignore[arg-type]
            activity=activity,
            relief=relief,
            note=note,
        )
    except ValidationError as exc:  # a rule the checks above missed: name the field all the same
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "started_at"
        return None, {field: d["err_choice"]}
    return episode, {}


def parse_exposure(form: Mapping[str, str], lang: str) -> tuple[ExposureIn | None, dict[str, str]]:
    """The typed day record, or the problems by field name (in plain words)."""
    d = diary_texts(lang)
    errors: dict[str, str] = {}
    day: dt.date | None = None
    try:
        day = dt.date.fromisoformat(form.get("day", "").strip())
        if day.year < 1900:
            raise ValueError(day)
        if day > (dt.datetime.now() + FUTURE_SLACK).date():
            errors["day"] = d["err_day_future"]
    except ValueError:
        errors["day"] = d["err_day"]
    values: dict[str, Any] = {
        "exercise_minutes": _number(form.get("exercise_minutes", ""), 0, 1440, "exercise_minutes", errors, d),
        "exercise_intensity": _choice(
            form.get("exercise_intensity", ""), INTENSITIES, "exercise_intensity", errors, d
        ),
        "sleep_hours": _number(form.get("sleep_hours", ""), 0, 24, "sleep_hours", errors, d),
        "fluids_l": _number(form.get("fluids_l", ""), 0, 20, "fluids_l", errors, d),
        "alcohol_units": _number(form.get("alcohol_units", ""), 0, 100, "alcohol_units", errors, d),
        "caffeine_mg": _number(form.get("caffeine_mg", ""), 0, 5000, "caffeine_mg", errors, d),
        "cold": _yes_no(form.get("cold", ""), "cold", errors, d),
        "hand_use_hours": _number(form.get("hand_use_hours", ""), 0, 24, "hand_use_hours", errors, d),
        "menstrual_phase": _choice(form.get("menstrual_phase", ""), PHASES, "menstrual_phase", errors, d),
        "pregnant": _yes_no(form.get("pregnant", ""), "pregnant", errors, d),
        "note": _text(form.get("note", ""), NOTE_MAX, "note", errors, d),
    }
    meds = [
        m.strip()
        for m in form.get("medicines", "").replace("，", ",").replace("、", ",").replace(";", ",").split(",")
    ]
    meds = [m for m in meds if m]
    if len(meds) > 50:
        errors["medicines"] = d["err_medicine"]
    elif any(len(m) > TEXT_MAX for m in meds):
        errors["medicines"] = d["err_too_long"].format(n=TEXT_MAX)
    if errors:
        return None, errors
    try:
        return ExposureIn(day=day, medicines=meds, **values), {}  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "day"
        return None, {field: d["err_choice"]}


# ---- values shown in the forms ------------------------------------------------------------------------


def _num_text(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def episode_values(e: EpisodePublic) -> dict[str, str]:
    return {
        "started_at": e.started_at.strftime("%Y-%m-%dT%H:%M"),
        "duration_min": "" if e.duration_s is None else f"{e.duration_s / 60:.4g}",
        "muscle": e.muscle,
        "side": e.side or "",
        "severity": str(e.severity),
        "activity": e.activity or "",
        "relief": e.relief or "",
        "note": e.note or "",
    }


def exposure_values(x: ExposurePublic | None, day: dt.date) -> dict[str, str]:
    if x is None:
        return {"day": day.isoformat()}

    def yn(b: bool | None) -> str:
        return "" if b is None else ("yes" if b else "no")

    return {
        "day": x.day.isoformat(),
        "exercise_minutes": _num_text(x.exercise_minutes),
        "exercise_intensity": x.exercise_intensity or "",
        "sleep_hours": _num_text(x.sleep_hours),
        "fluids_l": _num_text(x.fluids_l),
        "alcohol_units": _num_text(x.alcohol_units),
        "caffeine_mg": _num_text(x.caffeine_mg),
        "cold": yn(x.cold),
        "hand_use_hours": _num_text(x.hand_use_hours),
        "medicines": ", ".join(x.medicines),
        "menstrual_phase": x.menstrual_phase or "",
        "pregnant": yn(x.pregnant),
        "note": x.note or "",
    }


def _now_value() -> str:
    return dt.datetime.now().strftime("%Y-%m-%dT%H:%M")


# ---- chart data ---------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.3g}"


def chart_view(
    episodes: list[EpisodePublic], report: TriggerReport, by_hour: list[int], by_muscle: dict[str, int], lang: str
) -> dict[str, Any]:
    """Everything the charts and their tables show, with labels already in the page's language."""
    d = diary_texts(lang)
    over: list[dict[str, Any]] = []
    unit = d["per_day"]
    if episodes:
        days = [e.started_at.date() for e in episodes]
        span = (max(days) - min(days)).days
        if span > DECADES_SPAN_DAYS:  # per year
            unit = d["per_year"]
            years: dict[int, int] = {}
            for day in days:
                years[day.year] = years.get(day.year, 0) + 1
            for y in range(min(days).year, max(days).year + 1):
                over.append({"label": f"{y:04d}", "count": years.get(y, 0)})
        elif span > YEARLY_SPAN_DAYS:  # per month
            unit = d["per_month"]
            months: dict[str, int] = {}
            for day in days:
                months[day.strftime("%Y-%m")] = months.get(day.strftime("%Y-%m"), 0) + 1
            y, m = min(days).year, min(days).month
            while (y, m) <= (max(days).year, max(days).month):
                key = f"{y:04d}-{m:02d}"
                over.append({"label": key, "count": months.get(key, 0)})
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        else:
            weekly = span > DAILY_SPAN_DAYS
            unit = d["per_week"] if weekly else d["per_day"]
            first, last = min(days), max(days)
            if weekly:
                first = first - dt.timedelta(days=first.weekday())
            counts: dict[dt.date, int] = {}
            for day in days:
                week = day - dt.timedelta(days=day.weekday()) if weekly else day
                counts[week] = counts.get(week, 0) + 1
            cur = first
            while cur <= last:
                over.append({"label": cur.isoformat(), "count": counts.get(cur, 0)})
                cur += dt.timedelta(days=7 if weekly else 1)
    effects = []
    for e in report.effects:
        estimable = e.odds_ratio is not None and e.ci_low is not None and e.ci_high is not None
        label = e.label + (f" ({d['per']} {e.step:g} {e.unit})" if e.step else "")
        effects.append(
            {
                "label": label,
                "odds_ratio": e.odds_ratio if estimable else None,
                "ci_low": e.ci_low if estimable else None,
                "ci_high": e.ci_high if estimable else None,
                "text_or": _fmt(e.odds_ratio) if estimable and e.odds_ratio is not None else "–",
                "text_ci": (
                    f"{_fmt(e.ci_low)} – {_fmt(e.ci_high)}"
                    if estimable and e.ci_low is not None and e.ci_high is not None
                    else "–"
                ),
                "verdict": e.verdict,
                "verdict_text": d["v_" + e.verdict],
                "sentence": e.sentence,
            }
        )
    return {
        "labels": {
            "count": d["count"],
            "hour": d["hour"],
            "odds_ratio": d["odds_ratio"],
            "interval": d["interval"],
            "over_time": d["over_time"],
            "by_hour": d["by_hour"],
            "by_muscle": d["by_muscle"],
            "effects": d["effects_title"],
        },
        "over_time_unit": unit,
        "over_time": over,
        "by_hour": [{"label": f"{h:02d}:00", "count": c} for h, c in enumerate(by_hour)],
        "by_muscle": [{"label": d.get("m_" + m, m), "count": c} for m, c in by_muscle.items()],
        "effects": effects,
        "warnings": list(report.warnings),
        "caution": report.caution,
    }


def diary_context(session: Session, user_id: int, lang: str, day: dt.date) -> dict[str, Any]:
    """The list, the day's record and the charts of the diary page."""
    recent = service.list_episodes(session=session, user_id=user_id, limit=RECENT, newest_first=True)
    episodes_df = service.episode_table(session=session, user_id=user_id)
    exposures_df = service.exposure_table(session=session, user_id=user_id)
    summary = service.summarize(episodes_df, exposures_df)
    report = analyse_tables(episodes_df, exposures_df, lang=lang)
    all_eps = service.list_episodes(session=session, user_id=user_id)
    try:
        today = service.get_exposure(session=session, user_id=user_id, day=day)
    except NotFoundError:
        today = None
    latest = service.latest_assessment(session=session, user_id=user_id)
    male = latest is not None and latest[1].sex == "male"
    return {
        "recent": recent,
        "total": summary.episodes,
        "charts": chart_view(all_eps, report, summary.by_hour, summary.by_muscle, lang),
        "xv": exposure_values(today, day),
        "show_cycle": not male,
    }


# ---- pages --------------------------------------------------------------------------------------------


def _render_diary(
    request: Request,
    session: Session,
    user_id: int,
    lang: str,
    *,
    status: int = 200,
    done: str = "",
    ev: dict[str, str] | None = None,
    ee: dict[str, str] | None = None,
    xv: dict[str, str] | None = None,
    xe: dict[str, str] | None = None,
    day: dt.date | None = None,
) -> HTMLResponse:
    ctx = diary_context(session, user_id, lang, day or dt.date.today())
    if xv is not None:
        ctx["xv"] = xv
    d = diary_texts(lang)
    done_text = {
        "episode": d["saved_episode"],
        "changed": d["saved_changes"],
        "deleted": d["deleted"],
        "day": d["saved_day"],
        "assessment": d["saved_assessment"],
    }.get(done, "")
    return _diary_page(
        request,
        "diary.html",
        lang,
        status=status,
        signed_in=TOKEN_COOKIE in request.cookies,
        done=done_text,
        ev=ev if ev is not None else {"started_at": _now_value()},
        ee=ee or {},
        xe=xe or {},
        muscles=MUSCLES,
        sides=SIDES,
        intensities=INTENSITIES,
        phases=PHASES,
        **ctx,
    )


@router.get("", response_class=HTMLResponse)
def diary_page(
    request: Request,
    session: SessionDep,
    user_id: UserDep,
    lang: Annotated[str | None, Query()] = None,
    done: Annotated[str, Query()] = "",
    day: Annotated[str, Query()] = "",
) -> HTMLResponse:
    lg = _lang(lang, request)
    try:
        chosen = dt.date.fromisoformat(day[:10]) if day else None
    except ValueError:
        chosen = None
    return _render_diary(request, session, user_id, lg, done=done, day=chosen)


@router.post("/episodes", response_class=HTMLResponse)
def add_episode(request: Request, session: SessionDep, user_id: UserDep, form: FormDep) -> Response:
    lg = _lang(form.get("lang"), request)
    episode, errors = parse_episode(form, lg)
    if episode is None:
        return _render_diary(request, session, user_id, lg, status=422, ev=dict(form), ee=errors)
    service.add_episode(session=session, user_id=user_id, episode=episode, source="manual")
    session.commit()
    return _redirect(lg, "episode", "#recent")


def _edit_page(
    request: Request, lang: str, episode_id: int, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    return _diary_page(
        request,
        "diary_edit.html",
        lang,
        status=status,
        episode_id=episode_id,
        ev=values,
        ee=errors,
        muscles=MUSCLES,
        sides=SIDES,
    )


@router.get("/episodes/{episode_id}/edit", response_class=HTMLResponse)
def edit_episode(
    request: Request,
    episode_id: str,
    session: SessionDep,
    user_id: UserDep,
    lang: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    lg = _lang(lang, request)
    e = service.get_episode(session=session, user_id=user_id, episode_id=_id(episode_id))
    return _edit_page(request, lg, e.id, episode_values(e), {})


@router.post("/episodes/{episode_id}", response_class=HTMLResponse)
def update_episode(
    request: Request, episode_id: str, session: SessionDep, user_id: UserDep, form: FormDep
) -> Response:
    lg = _lang(form.get("lang"), request)
    service.get_episode(session=session, user_id=user_id, episode_id=_id(episode_id))  # 404 before any check
    episode, errors = parse_episode(form, lg)
    if episode is None:
        return _edit_page(request, lg, _id(episode_id), dict(form), errors, status=422)
    changes = EpisodeUpdate.model_validate(episode.model_dump())
    service.update_episode(session=session, user_id=user_id, episode_id=_id(episode_id), changes=changes)
    session.commit()
    return _redirect(lg, "changed", "#recent")


@router.get("/episodes/{episode_id}/delete", response_class=HTMLResponse)
def confirm_delete(
    request: Request,
    episode_id: str,
    session: SessionDep,
    user_id: UserDep,
    lang: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    lg = _lang(lang, request)
    e = service.get_episode(session=session, user_id=user_id, episode_id=_id(episode_id))
    return _diary_page(request, "diary_delete.html", lg, e=e)


@router.post("/episodes/{episode_id}/delete", response_class=HTMLResponse)
def delete_episode(
    request: Request,
    episode_id: str,
    session: SessionDep,
    user_id: UserDep,
    lang: Annotated[str | None, Form()] = None,
) -> Response:
    lg = _lang(lang, request)
    service.delete_episode(session=session, user_id=user_id, episode_id=_id(episode_id))
    session.commit()
    return _redirect(lg, "deleted", "#recent")


@router.post("/exposures", response_class=HTMLResponse)
def put_exposure(request: Request, session: SessionDep, user_id: UserDep, form: FormDep) -> Response:
    lg = _lang(form.get("lang"), request)
    exposure, errors = parse_exposure(form, lg)
    if exposure is None:
        return _render_diary(request, session, user_id, lg, status=422, xv=dict(form), xe=errors)
    service.put_exposure(session=session, user_id=user_id, exposure=exposure)
    session.commit()
    return _redirect(lg, "day", "#day")


@router.post("/assessments", response_class=HTMLResponse)
def save_assessment(
    request: Request,
    session: SessionDep,
    user_id: UserDep,
    lang: Annotated[str | None, Form()] = None,
    age: Annotated[str, Form()] = "",
    sex: Annotated[str, Form()] = "",
    a_: Annotated[list[str] | None, Form(alias="a")] = None,
    asked: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Assess the interview state of the results page again (the same answers give the same result) and
    store it, with the knowledge-base version that produced it."""
    lg = _lang(lang, request)
    d = diary_texts(lg)
    a: Assessor = request.app.state.assessor
    try:
        st = InterviewState.from_form(lg, age, sex, a_ or [], asked or [])
        result = a.assess(st.request())
    except (StateError, CrampcheckError, ValidationError) as exc:
        log.warning("assessment not saved: %s", exc)
        return _message_page(request, lg, 400, d["err_state"], d["back_to_diary"])
    service.save_assessment(session=session, user_id=user_id, assessment=result)
    session.commit()
    return _redirect(lg, "assessment")


# ---- signing in from another computer -----------------------------------------------------------------------
SIGNIN_DAYS = 30


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, lang: Annotated[str | None, Query()] = None) -> HTMLResponse:
    lg = _lang(lang, request)
    return _diary_page(request, "diary_signin.html", lg, switch_path="/diary/signin", error="")


@router.post("/signin", response_class=HTMLResponse)
def signin(request: Request, session: SessionDep, form: FormDep) -> Response:
    """Check the token; if it names a user, keep it in the browser's sign-in cookie and open the diary."""
    lg = _lang(form.get("lang"), request)
    token = form.get("token", "").strip()
    try:
        if not token or len(token) > 200:
            raise AuthError("no token")
        user_for_token(request, session, token)
    except AuthError:
        wrong = diary_texts(lg)["signin_wrong"]
        return _diary_page(request, "diary_signin.html", lg, status=401, switch_path="/diary/signin", error=wrong)
    except RateLimited as exc:
        return _limited_page(request, lg, exc, "diary_signin.html")
    response = RedirectResponse(f"/diary?lang={lg}", status_code=303)
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=SIGNIN_DAYS * 86400,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/signout", response_class=HTMLResponse)
def signout(request: Request, session: SessionDep, form: FormDep) -> Response:
    """Forget the sign-in cookie and revoke its token: a copy of the cookie left anywhere no longer opens the
    diary (a new token is issued with ``crampcheck diary token NAME``)."""
    lg = _lang(form.get("lang"), request)
    token = request.cookies.get(TOKEN_COOKIE, "")
    if token and len(token) <= 200:
        service.revoke_token(session=session, token=token)
        session.commit()
    response = RedirectResponse(f"/?lang={lg}", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, path="/", httponly=True, samesite="strict")
    return response
