"""How the diary pages answer: the router, its dependencies (database session, user, submitted form), the CSRF
check of every form, and the one place where the diary's domain errors become plain pages in the page's language
(never a traceback or a bare 500).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import pass_context
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crampcheck.api.diary import TOKEN_COOKIE, current_user, get_session
from crampcheck.api.guard import CSRF_FIELD, csrf_input, csrf_valid
from crampcheck.api.ratelimit import RateLimited
from crampcheck.diary.bounds import MAX_DB_INT
from crampcheck.diary.errors import AuthError, ConflictError, NotFoundError
from crampcheck.errors import CrampcheckError
from crampcheck.web.diary.texts import choice_word, diary_texts
from crampcheck.web.views import _lang, _page, templates

log = logging.getLogger(__name__)

# {{ csrf_field() }} in a form posting to the diary: the hidden CSRF token of this browser session
templates.env.globals["csrf_field"] = pass_context(lambda ctx: csrf_input(ctx["request"]))
# {{ e.muscle | diary_word('episode', 'muscle', lang) }}: a stored choice in the page's words
templates.env.filters["diary_pair"] = lambda v: (v, v)
templates.env.filters["diary_word"] = lambda value, kind, field, lang: choice_word(kind, field, value, lang)


def request_lang(request: Request) -> str:
    return _lang(request.query_params.get("lang"), request)


def render_page(
    request: Request, name: str, lang: str, status: int = 200, switch_path: str = "/diary", **ctx: Any
) -> HTMLResponse:
    return _page(request, name, lang, status=status, d=diary_texts(lang), switch_path=switch_path, **ctx)


def message_page(request: Request, lang: str, status: int, title: str, text: str) -> HTMLResponse:
    return render_page(request, "diary_message.html", lang, status=status, title=title, text=text)


def limited_page(request: Request, lang: str, exc: RateLimited, template: str) -> HTMLResponse:
    """429 after too many wrong tokens from this address (crampcheck.api.ratelimit), saying when to retry."""
    d = diary_texts(lang)
    text = d["signin_limited"].format(seconds=exc.retry_after)
    page = render_page(
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
                return limited_page(request, request_lang(request), exc, "diary_message.html")
            except CsrfError as exc:
                lg = exc.lang
                d = diary_texts(lg)
                log.warning("diary form without a valid CSRF token: %s", request.url.path)
                return message_page(request, lg, 403, d["csrf_title"], d["csrf_text"])
            except AuthError:
                lg = request_lang(request)
                d = diary_texts(lg)
                page = render_page(
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
                lg = request_lang(request)
                d = diary_texts(lg)
                return message_page(request, lg, 404, d["not_found_episode"], d["back_to_diary"])
            except ConflictError:
                lg = request_lang(request)
                d = diary_texts(lg)
                return message_page(request, lg, 409, d["conflict"], d["back_to_diary"])
            except (CrampcheckError, OperationalError) as exc:  # the database cannot be opened, is locked, full
                log.warning("diary page %s: %s", request.url.path, exc)
                lg = request_lang(request)
                d = diary_texts(lg)
                return message_page(request, lg, 503, d["storage_error"], d["back_to_diary"])

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


def entry_id(raw: str) -> int:
    """An episode id from the address; anything else is simply "not found"."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or int(raw) > MAX_DB_INT:
        raise NotFoundError("episode", raw[:20])
    return int(raw)


def redirect_to_diary(lang: str, done: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/diary?{urlencode({'lang': lang, 'done': done})}{anchor}", status_code=303)
