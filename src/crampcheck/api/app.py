"""The HTTP application: ``create_app()`` composes the API routers, the diary router (when present), the
web pages and the static files; its lifespan builds the assessor once per process.

    uvicorn --factory crampcheck.api.app:create_app      # or: crampcheck serve
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from crampcheck.api import routes_assess, routes_kb
from crampcheck.api.guard import RequestGuardMiddleware
from crampcheck.api.models import Health
from crampcheck.api.problems import (
    PROBLEM_JSON,
    BodyLimitMiddleware,
    FieldError,
    Problem,
    SecurityHeadersMiddleware,
    install_problem_handlers,
)
from crampcheck.assess import default_assessor
from crampcheck.schema import AssessRequest

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"

DESCRIPTION = (
    "Why do my muscles cramp, and what should I do? Ranked, explained causes, triage and evidence-graded "
    "advice. **Information, not a diagnosis.** Errors are RFC 9457 problem details "
    "(`application/problem+json`)."
)

DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>crampcheck API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/vendor/swagger/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger/swagger-ui-bundle.js"></script>
<script src="/static/js/docs.js"></script></body></html>
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    from crampcheck.api.loop import quiet_uvicorn_logs
    from crampcheck.runtime import configure_runtime

    configure_runtime()  # one BLAS thread per request (see crampcheck.runtime)
    quiet_uvicorn_logs()  # uvicorn's per-request warnings at most once per interval under a flood
    app.state.assessor = default_assessor()
    try:  # warm the free-text pipeline once, if it is installed
        from crampcheck.nlp import warm_up

        warm_up()
    except Exception as e:  # the API works without free text; say so once
        log.warning("free-text understanding unavailable: %s", e)
    yield


def _problem_ref(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _document_ids(schemas: dict[str, Any]) -> None:
    """Name the valid finding and question ids (enums) and the one cross-field rule in the document, so
    that clients and generated tests know what the server accepts."""
    a = default_assessor()
    answer = schemas.get("Answer", {}).get("properties", {})
    if "finding" in answer:
        answer["finding"]["enum"] = sorted(a.kb.findings)
    req = schemas.get("AssessRequest")
    if req is not None:
        # a checklist may be shown cut to some of its options: "<checklist>+<option>+<option>"
        req["properties"]["asked"]["items"]["pattern"] = a.selector.id_pattern()
        req["properties"]["asked"]["uniqueItems"] = False
        # 'pregnant' cannot be 'present' when sex is 'male'
        req["not"] = {
            "required": ["sex", "answers"],
            "properties": {
                "sex": {"const": "male"},
                "answers": {
                    "contains": {
                        "required": ["finding", "state"],
                        "properties": {"finding": {"const": "pregnant"}, "state": {"const": "present"}},
                    }
                },
            },
        }


def _custom_openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document with every error documented as a problem-details response."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["FieldError"] = FieldError.model_json_schema()
    schemas["Problem"].pop("$defs", None)
    if "AssessRequest" not in schemas:  # /v1/assess validates its body itself; document the model here
        req = AssessRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in req.pop("$defs", {}).items():
            schemas.setdefault(name, sub)
        schemas["AssessRequest"] = req
    _document_ids(schemas)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path, ops in doc.get("paths", {}).items():
        for method, op in ops.items():
            responses = op.setdefault("responses", {})
            responses.pop("422", None)
            if op.get("parameters") or op.get("requestBody"):
                responses["422"] = _problem_ref("Invalid request: the offending fields are named")
            if op.get("requestBody"):
                responses["400"] = _problem_ref("Malformed request body (not JSON)")
                responses["413"] = _problem_ref("Request body too large")
            if "{" in path:
                responses["404"] = _problem_ref("No such id")
            if path.startswith("/v1/diary"):
                responses.setdefault("401", _problem_ref("Missing or invalid bearer token"))
            if path == "/v1/parse":
                responses["503"] = _problem_ref("Free-text understanding is not available")
            responses["500"] = _problem_ref("Unexpected server error")
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault("405", _problem_ref("Method not allowed"))
    app.openapi_schema = doc
    return doc


def create_app() -> FastAPI:
    """Build the application (cheap: the knowledge base is compiled in the lifespan, once per process)."""
    app = FastAPI(
        title="crampcheck",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_problem_handlers(app)
    app.include_router(routes_assess.router)
    app.include_router(routes_kb.router)
    try:
        from crampcheck.api.diary import router as diary_router
    except ImportError as e:
        log.info("diary API not included: %s", e)
    else:
        app.include_router(diary_router)

    @app.get("/healthz", response_model=Health, tags=["meta"], summary="Liveness check")
    async def healthz() -> Health:
        return Health()

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=308)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_HTML)

    try:
        from crampcheck.web.views import router as web_router
    except ImportError as e:
        log.info("web pages not included: %s", e)
    else:
        from crampcheck.web.views import error_page

        app.include_router(web_router)
        app.state.html_error = error_page  # a browser at an unknown address gets a page, not JSON
    try:
        from crampcheck.web.diary_views import router as diary_pages
    except ImportError as e:
        log.info("diary pages not included: %s", e)
    else:
        app.include_router(diary_pages)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.openapi = lambda: _custom_openapi(app)  # type: ignore[method-assign]
    # Outermost first: headers on every response, including the 413 of the body cap.
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestGuardMiddleware)  # Host allow-list, cross-site writes, CSRF session cookie
    app.add_middleware(SecurityHeadersMiddleware)
    return app
