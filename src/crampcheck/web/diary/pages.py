"""The diary page and its forms: record, change and delete a cramp, record a day, and keep an interview result
("Save to my diary"). Every form is a plain HTML form (POST, then a redirect); htmx only makes it smoother.
The page is drawn from one read of the diary (:func:`crampcheck.diary.readmodel.read_diary`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import Form, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from crampcheck.api.diary import TOKEN_COOKIE
from crampcheck.assess import Assessor
from crampcheck.diary import service
from crampcheck.diary.readmodel import read_diary
from crampcheck.diary.schemas import EpisodeUpdate
from crampcheck.errors import CrampcheckError
from crampcheck.web.diary.charts import chart_view
from crampcheck.web.diary.forms import (
    episode_values,
    exposure_values,
    now_value,
    parse_episode,
    parse_exposure,
)
from crampcheck.web.diary.routing import (
    FormDep,
    SessionDep,
    UserDep,
    entry_id,
    message_page,
    redirect_to_diary,
    render_page,
    router,
)
from crampcheck.web.diary.texts import diary_texts, episode_views, exposure_views
from crampcheck.web.state import InterviewState, StateError
from crampcheck.web.views import _lang

log = logging.getLogger(__name__)

RECENT = 10


def diary_context(session: Session, user_id: int, lang: str, day: dt.date) -> dict[str, Any]:
    """The list, the day's record and the charts of the diary page, from one read of the diary."""
    view = read_diary(session=session, user_id=user_id, lang=lang)
    male = view.latest is not None and view.latest[1].sex == "male"
    return {
        "recent": view.recent(RECENT),
        "total": view.summary.episodes,
        "charts": chart_view(
            view.analysed_episodes, view.triggers, view.summary.by_hour, view.summary.by_muscle, lang
        ),
        "xv": exposure_values(view.exposure_on(day), day),
        "show_cycle": not male,
    }


def form_layout(lang: str, show_cycle: bool) -> list[tuple[str, list[Any]]]:
    """The day form's fields in their order, grouped for the page: numbers side by side ("grid"), fields
    that apply only to some people folded ("relevant", shown only when they may apply), the rest one by one."""
    rows: list[tuple[str, list[Any]]] = []
    for v in exposure_views(lang).values():
        if v.type == "date":
            continue
        kind = "relevant" if v.relevant else ("grid" if v.type in ("int", "number") else "one")
        if kind == "relevant" and not show_cycle:
            continue
        if rows and rows[-1][0] == kind and kind != "one":
            rows[-1][1].append(v)
        else:
            rows.append((kind, [v]))
    return rows


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
    return render_page(
        request,
        "diary.html",
        lang,
        status=status,
        signed_in=TOKEN_COOKIE in request.cookies,
        done=done_text,
        ev=ev if ev is not None else {"started_at": now_value()},
        ee=ee or {},
        xe=xe or {},
        ef=episode_views(lang),
        xf=exposure_views(lang),
        day_rows=form_layout(lang, ctx["show_cycle"]),
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
    return redirect_to_diary(lg, "episode", "#recent")


def _edit_page(
    request: Request, lang: str, episode_id: int, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    return render_page(
        request,
        "diary_edit.html",
        lang,
        status=status,
        episode_id=episode_id,
        ev=values,
        ee=errors,
        ef=episode_views(lang),
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
    e = service.get_episode(session=session, user_id=user_id, episode_id=entry_id(episode_id))
    return _edit_page(request, lg, e.id, episode_values(e), {})


@router.post("/episodes/{episode_id}", response_class=HTMLResponse)
def update_episode(
    request: Request, episode_id: str, session: SessionDep, user_id: UserDep, form: FormDep
) -> Response:
    lg = _lang(form.get("lang"), request)
    service.get_episode(session=session, user_id=user_id, episode_id=entry_id(episode_id))  # 404 before any check
    episode, errors = parse_episode(form, lg)
    if episode is None:
        return _edit_page(request, lg, entry_id(episode_id), dict(form), errors, status=422)
    changes = EpisodeUpdate.model_validate(episode.model_dump())
    service.update_episode(session=session, user_id=user_id, episode_id=entry_id(episode_id), changes=changes)
    session.commit()
    return redirect_to_diary(lg, "changed", "#recent")


@router.get("/episodes/{episode_id}/delete", response_class=HTMLResponse)
def confirm_delete(
    request: Request,
    episode_id: str,
    session: SessionDep,
    user_id: UserDep,
    lang: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    lg = _lang(lang, request)
    e = service.get_episode(session=session, user_id=user_id, episode_id=entry_id(episode_id))
    return render_page(request, "diary_delete.html", lg, e=e)


@router.post("/episodes/{episode_id}/delete", response_class=HTMLResponse)
def delete_episode(
    request: Request,
    episode_id: str,
    session: SessionDep,
    user_id: UserDep,
    lang: Annotated[str | None, Form()] = None,
) -> Response:
    lg = _lang(lang, request)
    service.delete_episode(session=session, user_id=user_id, episode_id=entry_id(episode_id))
    session.commit()
    return redirect_to_diary(lg, "deleted", "#recent")


@router.post("/exposures", response_class=HTMLResponse)
def put_exposure(request: Request, session: SessionDep, user_id: UserDep, form: FormDep) -> Response:
    lg = _lang(form.get("lang"), request)
    exposure, errors = parse_exposure(form, lg)
    if exposure is None:
        return _render_diary(request, session, user_id, lg, status=422, xv=dict(form), xe=errors)
    service.put_exposure(session=session, user_id=user_id, exposure=exposure)
    session.commit()
    return redirect_to_diary(lg, "day", "#day")


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
        return message_page(request, lg, 400, d["err_state"], d["back_to_diary"])
    service.save_assessment(session=session, user_id=user_id, assessment=result)
    session.commit()
    return redirect_to_diary(lg, "assessment")
