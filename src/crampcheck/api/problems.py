"""Errors as RFC 9457 problem details (``application/problem+json``), and the two small ASGI guards that
keep bad requests away from the core: a request-body size cap and the security headers on every response.

Every error a client can cause names the offending field and the fix, e.g.::

    {"type": "urn:crampcheck:problem:validation", "title": "Invalid request", "status": 422,
     "detail": "answers[2].finding: unknown finding 'calf_pian'; did you mean 'site_calf'?",
     "errors": [{"field": "answers[2].finding", "message": "unknown finding 'calf_pian'; ..."}]}

No traceback and no bare 500 reaches a client: an unexpected exception becomes a 500 problem that says
only that something went wrong on the server.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crampcheck.errors import CrampcheckError, InputError, UnknownIdError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 256 * 1024

T_VALIDATION = "urn:crampcheck:problem:validation"
T_MALFORMED = "urn:crampcheck:problem:malformed-body"
T_TOO_LARGE = "urn:crampcheck:problem:body-too-large"
T_UNKNOWN_ID = "urn:crampcheck:problem:unknown-id"
T_NOT_FOUND = "urn:crampcheck:problem:not-found"
T_SERVER = "urn:crampcheck:problem:server-error"


class FieldError(BaseModel):
    """One offending field of a request."""

    field: str = Field(description="where the problem is, e.g. 'answers[2].finding' or 'query.lang'")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(description="a URI that identifies the kind of problem")
    title: str = Field(description="a short, human-readable summary of the kind of problem")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what went wrong with this request, naming the field and the fix")
    instance: str | None = Field(default=None, description="the request path")
    errors: list[FieldError] = Field(default_factory=list, description="one entry per offending field")


def problem_response(
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    title: str | None = None,
    instance: str | None = None,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=type_,
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        errors=list(errors),
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def field_path(loc: Iterable[Any]) -> str:
    """('body', 'answers', 2, 'finding') -> 'answers[2].finding'; ('query', 'lang') -> 'query.lang'."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "body"


class ProblemError(Exception):
    """Raised by routes for a problem that is not a validation error (e.g. an unknown id in a path: 404)."""

    def __init__(
        self,
        status: int,
        detail: str,
        type_: str = "about:blank",
        errors: Sequence[FieldError] = (),
        title: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.title = title
        self.status = status
        self.detail = detail
        self.type_ = type_
        self.errors = list(errors)


def validation_problem(errors: Sequence[FieldError], instance: str | None = None) -> JSONResponse:
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem_response(
        422, detail, type_=T_VALIDATION, title="Invalid request", instance=instance, errors=errors
    )


def _pydantic_message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid value"))
    if err.get("type") == "extra_forbidden":
        return "unknown field; remove it"
    if err.get("type") == "missing":
        return "field required"
    return msg[0].lower() + msg[1:] if msg else msg


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errs = list(exc.errors())
    for e in errs:
        if e.get("type") == "json_invalid":
            ctx = e.get("ctx") or {}
            reason = ctx.get("error", "not valid JSON")
            pos = e.get("loc", ("body", "?"))[-1]
            return problem_response(
                400,
                f"the request body is not valid JSON ({reason} at character {pos}); send a JSON object",
                type_=T_MALFORMED,
                title="Malformed request body",
                instance=request.url.path,
                errors=[FieldError(field="body", message=f"not valid JSON: {reason}")],
            )
    fields = [FieldError(field=field_path(e.get("loc", ())), message=_pydantic_message(e)) for e in errs]
    return validation_problem(fields, request.url.path)


ROUTE_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app takes at this path (a 405's ``Allow``; FastAPI has one route per
    method, and the router names only the first it tried). Asked of the routes themselves, method by method."""
    from starlette.routing import Match

    routes = getattr(request.app, "routes", ())
    methods = [
        m for m in ROUTE_METHODS if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)
    ]
    return methods


def _browser_page(request: Request) -> bool:
    """A browser asking for a page (not the API, not a client that wants JSON)."""
    if request.url.path.startswith(("/v1/", "/static/")):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers) if exc.headers else {}
    errors: list[FieldError] = []
    allow = ""
    if status == 405:
        # the full list, for a browser's page as for an API client
        allow = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
        if allow:
            headers["Allow"] = allow
    html_error = getattr(request.app.state, "html_error", None)
    if status in (404, 405) and html_error is not None and _browser_page(request):
        page: Response = html_error(request, status)
        if headers:
            page.headers.update(headers)
        return page
    if status == 404:
        detail = f"no resource at {request.url.path}; see /docs for the API"
        type_ = T_NOT_FOUND
    elif status == 405:
        detail = f"method {request.method} is not allowed on {request.url.path}" + (
            f"; use {allow}" if allow else ""
        )
        type_ = "about:blank"
    elif status == 400:
        # FastAPI's "There was an error parsing the body" (a form or JSON it could not read): say where
        detail = str(exc.detail) if exc.detail else HTTPStatus(status).phrase
        detail = f"the request body could not be read ({detail.rstrip('.')}); check its Content-Type and syntax"
        type_ = T_MALFORMED
        errors = [FieldError(field="body", message="could not be parsed")]
    else:
        detail = str(exc.detail) if exc.detail else HTTPStatus(status).phrase
        type_ = "about:blank"
    return problem_response(
        status, detail, type_=type_, instance=request.url.path, errors=errors, headers=headers or None
    )


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status, exc.detail, type_=exc.type_, title=exc.title, instance=request.url.path, errors=exc.errors
    )


async def _on_domain(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, UnknownIdError):
        return problem_response(
            422,
            str(exc),
            type_=T_UNKNOWN_ID,
            title="Unknown id",
            instance=request.url.path,
            errors=[FieldError(field="body", message=str(exc))],
        )
    if isinstance(exc, InputError):
        return validation_problem([FieldError(field="body", message=str(exc))], request.url.path)
    log.exception("crampcheck error on %s", request.url.path)
    return problem_response(
        500,
        "the server could not complete the assessment; please try again later",
        type_=T_SERVER,
        instance=request.url.path,
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path)
    return problem_response(
        500,
        "something went wrong on the server; the error has been logged",
        type_=T_SERVER,
        instance=request.url.path,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(CrampcheckError, _on_domain)
    app.add_exception_handler(Exception, _on_unexpected)


# --- ASGI guards --------------------------------------------------------------------------------------
def _raw_problem(
    status: int, detail: str, type_: str, path: str, errors: list[dict[str, str]] | None = None
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    title = "Invalid request" if type_ == T_VALIDATION else HTTPStatus(status).phrase
    doc: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail, "instance": path}
    if errors:
        doc["errors"] = errors
    body = json.dumps(doc).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    return body, headers


MAX_JSON_DEPTH = 64  # the deepest request schema nests 4 levels
MAX_NUMBER_DIGITS = 100  # no number any request holds comes near; Python's json refuses over 4,300
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")
_LONG_NUMBER = re.compile(rb"[0-9]{%d,}" % (MAX_NUMBER_DIGITS + 1))


def _is_json(scope: Scope) -> bool:
    """Whether a request body is read as JSON: a JSON content type, or none (FastAPI and /v1/assess read a
    body without one as JSON)."""
    for k, v in scope.get("headers", ()):
        if k == b"content-type":
            ctype = v.split(b";", 1)[0].strip().lower()
            return ctype == b"application/json" or ctype.endswith(b"+json")
    return True


def json_shape_problem(body: bytes) -> str | None:
    """What makes a JSON body too deep or a number in it too long to be a request of this API, or None.

    Checked on the bytes before any parser sees them (a parser would spend seconds or fail with a
    RecursionError or ValueError); strings are skipped, so a note may hold any brackets or digits.
    Cheap: most bodies have neither many brackets nor a long run of digits and skip the rest."""
    deep = body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH
    long_number = _LONG_NUMBER.search(body) is not None
    if not (deep or long_number):
        return None
    bare = _JSON_STRING.sub(b'""', body) if b'"' in body else body
    if long_number and _LONG_NUMBER.search(bare):
        return f"a number in the JSON body has more than {MAX_NUMBER_DIGITS} digits; no field takes one"
    if deep and bare.count(b"[") + bare.count(b"{") > MAX_JSON_DEPTH:
        depth = 0
        for m in _BRACKETS.finditer(bare):
            depth += 1 if m.group() in (b"[", b"{") else -1
            if depth > MAX_JSON_DEPTH:
                return f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep; no request is"
    return None


class BodyLimitMiddleware:
    """Refuse request bodies above ``max_bytes`` with 413, whether announced (Content-Length) or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        length = None
        for k, v in scope.get("headers", ()):
            if k == b"content-length":
                try:
                    length = int(v)
                except ValueError:
                    await self._refuse(send, 400, "the Content-Length header is not a number", T_MALFORMED, path)
                    return
        if length is not None and length > self.max_bytes:
            await self._too_large(send, path)
            return
        # Read the body (at most max_bytes) before the app sees it, then replay it.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            chunk = msg.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send, path)
                return
            chunks.append(chunk)
            more = msg.get("more_body", False)
        body = b"".join(chunks)
        problem = json_shape_problem(body) if _is_json(scope) else None
        if problem is not None:
            await self._refuse(
                send, 422, problem, T_VALIDATION, path, errors=[{"field": "body", "message": problem}]
            )
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send, path: str) -> None:
        kb = self.max_bytes // 1024
        await self._refuse(
            send, 413, f"the request body is larger than {kb} kB; send a smaller request", T_TOO_LARGE, path
        )

    @staticmethod
    async def _refuse(
        send: Send, status: int, detail: str, type_: str, path: str, errors: list[dict[str, str]] | None = None
    ) -> None:
        body, headers = _raw_problem(status, detail, type_, path, errors)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI (vendored, served from /static) sets a few styles from script; it still runs only our scripts.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
# The doctor report is a self-contained document (also saved and printed offline) with its own <style>;
# it has no scripts, and script-src stays 'self'.
INLINE_STYLE_PATHS = frozenset({"/docs", "/v1/diary/report"})

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # nothing leaves for other sites; same-origin forms keep their Origin
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy and the other protective headers to every HTTP response, and
    ``Cache-Control: no-store`` to every response but the static files (pages and API answers hold health
    information)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = (DOCS_CSP if scope.get("path") in INLINE_STYLE_PATHS else CSP).encode()
        cacheable = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = list(msg.get("headers", ()))
                headers.append((b"content-security-policy", csp))
                headers.extend(SECURITY_HEADERS)
                if not cacheable and not any(k == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))  # diaries, results: never kept in a cache
                msg["headers"] = headers
            await send(msg)

        await self.app(scope, receive, send_with_headers)
