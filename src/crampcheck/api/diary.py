"""The diary HTTP API: ``router = APIRouter(prefix="/v1/diary")`` over :mod:`crampcheck.diary.service`.

Authentication: ``Authorization: Bearer <token>`` (issue one with ``crampcheck diary token NAME``;
only its sha256 is stored), or the same token in the web diary's sign-in cookie. When ``CRAMPCHECK_LOCAL_NO_TOKEN`` is on (the default with the embedded
SQLite database) and the server listens on loopback, a request from a loopback address that carries no
token and no proxy header (``Forwarded``, ``Via``, ``X-Forwarded-*``, ``X-Real-IP``, ``*-Client-IP``, ...)
acts as the single local user. Every query is scoped to the caller, so a request can never read, change
or delete another user's entries: another user's entry is simply "not found".

Errors are RFC 9457 problem details naming the field. Write routes commit before they answer, so a
write the client has seen acknowledged is durable (see ``crampcheck.storage.db``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from crampcheck.api.guard import has_proxy_header
from crampcheck.api.problems import FieldError as ProblemField
from crampcheck.api.problems import ProblemError, problem_response
from crampcheck.api.ratelimit import RateLimited, client_key, signin_failures
from crampcheck.api.routes_common import get_assessor
from crampcheck.diary import csvio, service
from crampcheck.diary.bounds import MAX_DB_INT, LocalDay, LocalTime
from crampcheck.diary.errors import AuthError, ConflictError, CsvImportError, FieldError, NotFoundError
from crampcheck.diary.schemas import (
    AssessmentSaved,
    EpisodeCreate,
    EpisodePublic,
    EpisodeUpdate,
    ExposureIn,
    ExposurePublic,
)
from crampcheck.schema import Assessment
from crampcheck.settings import get_settings
from crampcheck.storage.db import StorageError, open_database

log = logging.getLogger(__name__)
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# The web diary's sign-in cookie: the user's own bearer token, HttpOnly and SameSite=Strict (so no other site
# can make a browser send it), set by the sign-in page (crampcheck.web.diary_views).
TOKEN_COOKIE = "crampcheck_diary"
T_AUTH = "urn:crampcheck:problem:unauthorized"
T_NOT_FOUND = "urn:crampcheck:problem:not-found"
T_CONFLICT = "urn:crampcheck:problem:conflict"
T_VALIDATION = "urn:crampcheck:problem:validation"
T_IMPORT = "urn:crampcheck:problem:csv-import"
T_BUSY = "urn:crampcheck:problem:storage-busy"
T_RATE = "urn:crampcheck:problem:too-many-sign-in-failures"
BUSY_RETRY_S = 5


class DiaryRoute(APIRoute):
    """Turns the diary's domain errors into problem+json responses with the right status and field."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            path = request.url.path
            try:
                return await handler(request)
            except AuthError as exc:
                return problem_response(
                    401,
                    str(exc),
                    type_=T_AUTH,
                    instance=path,
                    errors=[ProblemField(field="header.authorization", message=str(exc))],
                    headers={"WWW-Authenticate": "Bearer"},
                )
            except RateLimited as exc:
                return problem_response(
                    429,
                    f"too many wrong tokens from your address; try again in {exc.retry_after} s",
                    type_=T_RATE,
                    instance=path,
                    errors=[ProblemField(field="header.authorization", message="too many wrong tokens")],
                    headers={"Retry-After": str(exc.retry_after)},
                )
            except NotFoundError as exc:
                return problem_response(404, str(exc), type_=T_NOT_FOUND, instance=path)
            except ConflictError as exc:
                return problem_response(409, str(exc), type_=T_CONFLICT, instance=path)
            except FieldError as exc:
                return problem_response(
                    422,
                    str(exc),
                    type_=T_VALIDATION,
                    title="Invalid request",
                    instance=path,
                    errors=[ProblemField(field=exc.field, message=str(exc))],
                )
            except (OperationalError, StorageError) as exc:
                # a write lock held too long by another process ("database is locked"), a full disk, a
                # read-only or unreachable database: the diary is unavailable for now, nothing was written
                log.warning("diary storage unavailable on %s: %s", path, exc)
                busy = "locked" in str(exc) or "busy" in str(exc)
                return problem_response(
                    503,
                    "the diary is busy (another program is writing to it); nothing was changed, try again in a few seconds"
                    if busy
                    else "the diary's storage is not available right now; nothing was changed, try again later",
                    type_=T_BUSY,
                    title="Diary unavailable",
                    instance=path,
                    headers={"Retry-After": str(BUSY_RETRY_S)},
                )
            except CsvImportError as exc:
                return problem_response(
                    422,
                    str(exc),
                    type_=T_IMPORT,
                    title="CSV file rejected",
                    instance=path,
                    errors=[
                        ProblemField(field=f"body.line[{line}]", message=reason) for line, reason in exc.problems
                    ],
                )

        return route


router = APIRouter(prefix="/v1/diary", tags=["diary"], route_class=DiaryRoute)


def get_session() -> Iterator[Session]:
    """A session per request; write routes commit explicitly before answering."""
    db = open_database(get_settings())
    session = db.sessionmaker()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
EpisodeId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="the episode's id")]


def _is_local(request: Request) -> bool:
    """The local-user rule (with :attr:`Settings.local_user_enabled`: configured, and the server listens on
    loopback): the peer is a loopback address and no proxy header of any kind is present."""
    if request.client is None or request.client.host not in LOOPBACK:
        return False
    return not has_proxy_header(request.headers)


def user_for_token(request: Request, session: Session, token: str) -> int:
    """The user of a token, counting a wrong one against the client's address (crampcheck.api.ratelimit):
    after too many, :class:`RateLimited` (429) before the token is even looked up."""
    key = client_key(request.client.host if request.client else None)
    signin_failures.check(key)
    try:
        return service.user_for_token(session=session, token=token).id
    except AuthError:
        signin_failures.failed(key)
        raise


def current_user(
    request: Request,
    session: SessionDep,
    authorization: Annotated[str | None, Header(description="Bearer <token>")] = None,
) -> int:
    """The caller's user id: from the bearer token, else the web sign-in cookie, else (on loopback, if allowed)
    the local user."""
    if authorization:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("the Authorization header must be 'Bearer <token>'")
        return user_for_token(request, session, token.strip())
    cookie = request.cookies.get(TOKEN_COOKIE)
    if cookie:
        return user_for_token(request, session, cookie)
    settings = get_settings()
    if settings.local_user_enabled and _is_local(request):
        try:
            user = service.ensure_user(session=session, name=settings.local_user)
            session.commit()
        except IntegrityError:  # created by a concurrent first request: use that one
            session.rollback()
            user = service.ensure_user(session=session, name=settings.local_user)
        return user.id
    raise AuthError("missing bearer token: send 'Authorization: Bearer <token>'")


UserDep = Annotated[int, Depends(current_user)]


# ---- episodes ----------------------------------------------------------------------------------


@router.post("/episodes", status_code=201, response_model=EpisodePublic, summary="Record a cramp")
def create_episode(episode: EpisodeCreate, session: SessionDep, user_id: UserDep) -> EpisodePublic:
    saved = service.add_episode(session=session, user_id=user_id, episode=episode, source="api")
    session.commit()
    return saved


@router.get("/episodes", response_model=list[EpisodePublic], summary="List cramps, oldest first")
def list_episodes(
    session: SessionDep,
    user_id: UserDep,
    since: Annotated[LocalTime | None, Query(description="from this local time on")] = None,
    until: Annotated[LocalTime | None, Query(description="up to this local time")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
) -> list[EpisodePublic]:
    return service.list_episodes(
        session=session, user_id=user_id, since=since, until=until, limit=limit, offset=offset
    )


@router.get("/episodes/{episode_id}", response_model=EpisodePublic, summary="One cramp")
def get_episode(episode_id: EpisodeId, session: SessionDep, user_id: UserDep) -> EpisodePublic:
    return service.get_episode(session=session, user_id=user_id, episode_id=episode_id)


@router.patch("/episodes/{episode_id}", response_model=EpisodePublic, summary="Change fields of a cramp")
def update_episode(
    episode_id: EpisodeId, changes: EpisodeUpdate, session: SessionDep, user_id: UserDep
) -> EpisodePublic:
    saved = service.update_episode(session=session, user_id=user_id, episode_id=episode_id, changes=changes)
    session.commit()
    return saved


@router.delete("/episodes/{episode_id}", status_code=204, summary="Delete a cramp")
def delete_episode(episode_id: EpisodeId, session: SessionDep, user_id: UserDep) -> Response:
    service.delete_episode(session=session, user_id=user_id, episode_id=episode_id)
    session.commit()
    return Response(status_code=204)


# ---- exposures ---------------------------------------------------------------------------------


@router.put("/exposures", response_model=ExposurePublic, summary="Record (or replace) what a day was like")
def put_exposure(exposure: ExposureIn, session: SessionDep, user_id: UserDep) -> ExposurePublic:
    saved = service.put_exposure(session=session, user_id=user_id, exposure=exposure)
    session.commit()
    return saved


@router.get("/exposures", response_model=list[ExposurePublic], summary="List daily records")
def list_exposures(
    session: SessionDep,
    user_id: UserDep,
    since: Annotated[LocalDay | None, Query(description="from this day on")] = None,
    until: Annotated[LocalDay | None, Query(description="up to this day")] = None,
) -> list[ExposurePublic]:
    return service.list_exposures(session=session, user_id=user_id, since=since, until=until)


@router.get("/exposures/{day}", response_model=ExposurePublic, summary="One day's record")
def get_exposure(day: Annotated[LocalDay, Path()], session: SessionDep, user_id: UserDep) -> ExposurePublic:
    return service.get_exposure(session=session, user_id=user_id, day=day)


@router.delete("/exposures/{day}", status_code=204, summary="Delete one day's record")
def delete_exposure(day: Annotated[LocalDay, Path()], session: SessionDep, user_id: UserDep) -> Response:
    service.delete_exposure(session=session, user_id=user_id, day=day)
    session.commit()
    return Response(status_code=204)


# ---- assessments -------------------------------------------------------------------------------


@router.post("/assessments", status_code=201, response_model=AssessmentSaved, summary="Save an assessment result")
def save_assessment(
    request: Request, assessment: Assessment, session: SessionDep, user_id: UserDep
) -> AssessmentSaved:
    """Only an assessment this server's knowledge base gives for its answers is kept (422 naming the field
    otherwise); what is stored is the server's own result (see :mod:`crampcheck.diary.verify`)."""
    from crampcheck.diary.verify import verified_assessment

    checked = verified_assessment(get_assessor(request), assessment)
    saved = service.save_assessment(session=session, user_id=user_id, assessment=checked)
    session.commit()
    return saved


@router.delete("/assessments/{assessment_id}", status_code=204, summary="Delete a saved assessment")
def delete_assessment(
    assessment_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)], session: SessionDep, user_id: UserDep
) -> Response:
    service.delete_assessment(session=session, user_id=user_id, assessment_id=assessment_id)
    session.commit()
    return Response(status_code=204)


@router.get("/assessments", response_model=list[AssessmentSaved], summary="Saved assessments, newest first")
def list_assessments(session: SessionDep, user_id: UserDep) -> list[AssessmentSaved]:
    return service.list_assessments(session=session, user_id=user_id)


# ---- analysis and files ------------------------------------------------------------------------


@router.get("/stats", summary="Diary summary and personal trigger analysis")
def stats(session: SessionDep, user_id: UserDep, lang: Literal["en", "zh"] = "en") -> dict[str, Any]:
    from crampcheck.diary.readmodel import read_diary

    return read_diary(session=session, user_id=user_id, lang=lang).stats()  # one read of the diary


@router.get("/charts", summary="The numbers behind every diary chart")
def charts(session: SessionDep, user_id: UserDep, lang: Literal["en", "zh"] = "en") -> dict[str, Any]:
    return service.chart_data(session=session, user_id=user_id, lang=lang)


@router.get("/report", summary="Doctor report as PDF or HTML", response_class=Response)
def report(
    session: SessionDep,
    user_id: UserDep,
    lang: Literal["en", "zh"] = "en",
    format: Literal["pdf", "html"] = "pdf",
) -> Response:
    import crampcheck.diary.report as report_mod

    data = report_mod.gather(session=session, user_id=user_id, lang=lang)
    if format == "html":
        return HTMLResponse(report_mod.render_html(data))
    return Response(
        report_mod.render_pdf(data),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="crampcheck-report.pdf"'},
    )


@router.get("/fhir", summary="FHIR R4 Bundle of the diary and latest assessment", response_class=Response)
def fhir_bundle(session: SessionDep, user_id: UserDep) -> Response:
    import crampcheck.diary.fhir as fhir_mod

    bundle = fhir_mod.export_bundle(session=session, user_id=user_id)
    return Response(bundle.model_dump_json(), media_type="application/fhir+json")


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


CSV_TYPES = ("text/csv", "text/plain")  # what an import takes (text/plain: a file sent as plain text)
IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "description": "A CSV file with a header row: the columns of an episodes or an exposures export. "
        "UTF-8; all rows are imported or none (422 naming each bad line).",
        "content": {
            t: {"schema": {"type": "string"}, "example": "started_at,muscle,severity\n2024-05-01T03:10,calf,5\n"}
            for t in CSV_TYPES
        },
    },
    "responses": {
        "415": {
            "description": "The body is not sent as text/csv or text/plain",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    },
}


@router.get("/export", summary="Episodes or exposures as CSV", response_class=CsvResponse)
def export(
    session: SessionDep, user_id: UserDep, kind: Literal["episodes", "exposures"] = "episodes"
) -> CsvResponse:
    return CsvResponse(csvio.export_csv(session=session, user_id=user_id, kind=kind))


@router.post("/import", summary="Import a CSV body (text/csv): all rows or none", openapi_extra=IMPORT_BODY)
async def import_csv(request: Request, session: SessionDep, user_id: UserDep) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype and ctype not in CSV_TYPES:
        shown = "".join(c for c in ctype[:60] if c.isprintable())
        raise ProblemError(
            415,
            f"the body is sent as {shown!r}; send the CSV file as text/csv (curl: -H 'Content-Type: text/csv')",
            "urn:crampcheck:problem:unsupported-media-type",
            [ProblemField(field="header.content-type", message="must be text/csv (or text/plain)")],
        )
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError("request body", [(0, f"not UTF-8 text ({exc.reason})")]) from None
    # the parsing and the database work run in the thread pool: a slow disk or a write lock held by another
    # process never holds up the event loop (and with it every other request)
    return await run_in_threadpool(_import_text, session, user_id, text)


def _import_text(session: Session, user_id: int, text: str) -> dict[str, Any]:
    import io

    try:
        result = csvio.import_csv(
            session=session, user_id=user_id, source=io.StringIO(text, newline=""), name="request body"
        )
    except CsvImportError:
        session.rollback()
        raise
    session.commit()
    return {"kind": result.kind, "rows": result.rows}
