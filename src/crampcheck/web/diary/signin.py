"""Signing in to the diary from another computer (with one's own diary token, kept in an HttpOnly, SameSite=Strict
cookie) and signing out (which revokes the token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from crampcheck.api.diary import TOKEN_COOKIE, user_for_token
from crampcheck.api.guard import CSRF_COOKIE
from crampcheck.api.ratelimit import RateLimited
from crampcheck.diary import service
from crampcheck.diary.errors import AuthError
from crampcheck.web.diary.routing import FormDep, SessionDep, limited_page, render_page, router
from crampcheck.web.diary.texts import diary_texts
from crampcheck.web.views import _lang

SIGNIN_DAYS = 30


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, lang: Annotated[str | None, Query()] = None) -> HTMLResponse:
    lg = _lang(lang, request)
    return render_page(request, "diary_signin.html", lg, switch_path="/diary/signin", error="")


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
        return render_page(request, "diary_signin.html", lg, status=401, switch_path="/diary/signin", error=wrong)
    except RateLimited as exc:
        return limited_page(request, lg, exc, "diary_signin.html")
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
