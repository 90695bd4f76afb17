"""A minimal FastAPI app holding only the diary router and the problem handlers (for tests and the
crash test's uvicorn process: ``uvicorn diary_http_app:app --app-dir tests/diary``)."""

from __future__ import annotations

from fastapi import FastAPI

from crampcheck.api.diary import router
from crampcheck.api.problems import install_problem_handlers


def build() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    return app


app = build()
