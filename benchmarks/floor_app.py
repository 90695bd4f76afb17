"""The ceiling of ``POST /v1/assess`` for ``bench_api.py``: the real app plus one route, ``POST
/bench/floor``, that does everything the assessment call does except the assessment itself.

It reads and validates the same request body, then serialises an assessment computed for that body before
the server started. Whatever the engine, triage and texts cost, ``/v1/assess`` cannot be faster than this
route. The ratio floor / ``/healthz`` therefore bounds the ratio any assessment returning this response can
reach on this server. Used by the benchmark only; never part of the served app.

    python -c "from crampcheck.api.server import run; run('127.0.0.1', 8001, app='floor_app:create_floor_app')"
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request, Response

from crampcheck.api.app import create_app
from crampcheck.assess import default_assessor
from crampcheck.schema import Assessment, AssessRequest

FLOOR_PATH = "/bench/floor"


def body_bytes(body: dict) -> bytes:
    """A request body as the benchmark sends it (the key under which its assessment is kept)."""
    return json.dumps(body, ensure_ascii=False).encode()


def create_floor_app() -> FastAPI:
    from bench_api import interview_bodies

    app = create_app()
    a = default_assessor()
    done: dict[bytes, Assessment] = {}
    for b in interview_bodies():
        done[body_bytes(b)] = a.assess(AssessRequest.model_validate(b))

    async def floor(request: Request) -> Response:
        body = await request.body()
        req = AssessRequest.model_validate_json(body)  # the same validation as /v1/assess
        res = done.get(body)
        if res is None or res.lang != req.lang:
            return Response(status_code=404)
        return Response(res.model_dump_json(), media_type="application/json")

    app.add_api_route(FLOOR_PATH, floor, methods=["POST"], include_in_schema=False)
    app.router.routes.insert(0, app.router.routes.pop())  # matched first, like a route of its own
    return app
