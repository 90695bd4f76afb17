"""The diary API under schemathesis's own engine, in process (issue 15): every check, the examples, fuzzing
and stateful phases, on SQLite as the tokenless local user and on PostgreSQL with a bearer token. Not one
server error, and no check fails (the document says what the server takes and answers).

Bounded by default (about half a minute per database); ``CRAMPCHECK_FUZZ_CASES=2000`` runs at least that many
cases per database with every phase (the coverage phase too), e.g.::

    CRAMPCHECK_FUZZ_CASES=2000 pytest -q -s tests/storage/test_diary_schemathesis.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crampcheck.api import create_app
from crampcheck.diary import service
from crampcheck.settings import get_settings
from crampcheck.storage.db import close_all, open_database
from support.fuzz import FuzzResult, run_engine

LONG_RUN = int(os.environ.get("CRAMPCHECK_FUZZ_CASES", "0") or 0)
DEFAULT_EXAMPLES = 6
# rendering a PDF per case is slow; its inputs are two enums (tests/diary/test_diary_report.py)
SKIP = ("GET /v1/diary/report",)
# Requests their schema allows that the server may still refuse with 422, for rules JSON Schema cannot state:
WHY_422 = {
    "POST /v1/diary/episodes": "a time after now, or a day that does not exist (2023-02-30)",
    "PATCH /v1/diary/episodes/{episode_id}": "the same",
    "PUT /v1/diary/exposures": "a day after today, or one that does not exist",
    "POST /v1/diary/assessments": "an assessment the knowledge base does not give for its answers",
    "POST /v1/diary/import": "a string that is not a CSV file of the diary's columns",
}


@pytest.fixture
def app(empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRAMPCHECK_DATABASE_URL", empty_url)
    monkeypatch.setenv("CRAMPCHECK_LOCAL_NO_TOKEN", "1")
    get_settings.cache_clear()
    authorization = None
    if empty_url.startswith("postgresql"):
        with open_database().session() as s:
            authorization = "Bearer " + service.issue_token(session=s, name="alice")
    a = create_app()
    with TestClient(a):
        yield _caller(a, authorization), "postgresql" if authorization else "sqlite"
    close_all()
    get_settings.cache_clear()


def _caller(app: FastAPI, authorization: str | None) -> Any:
    """The app as one caller reaches it: with a token, every request carries alice's (replacing a generated
    Authorization header); without, a request from this computer with none (the tokenless local user)."""
    auth = [(b"authorization", authorization.encode())] if authorization else []

    async def asgi(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"] + auth
            scope = {**scope, "headers": headers, "client": ("127.0.0.1", 50000)}
        await app(scope, receive, send)

    return asgi


def _run(app: Any, max_examples: int, seed: int, coverage: bool) -> FuzzResult:
    return run_engine(
        app,
        max_examples=max_examples,
        include_path_regex="^/v1/diary",
        exclude_operations=SKIP,
        seed=seed,
        valid_may_be_refused=WHY_422,
        coverage=coverage,
    )


@pytest.mark.timeout(0 if LONG_RUN else 600)  # a long run takes as long as it needs
def test_diary_api_under_schemathesis(app: tuple[Any, str]) -> None:
    application, backend = app
    results: list[FuzzResult] = []
    if LONG_RUN:  # every phase, seeds added until the number of cases is reached
        seed = 15
        while sum(r.cases for r in results) < LONG_RUN:
            results.append(_run(application, max_examples=max(20, LONG_RUN // 25), seed=seed, coverage=True))
            seed += 1
    else:
        results.append(_run(application, max_examples=DEFAULT_EXAMPLES, seed=15, coverage=False))
    total = FuzzResult()
    for r in results:
        total.cases += r.cases
        total.seconds += r.seconds
        total.by_phase.update(r.by_phase)
        total.statuses.update(r.statuses)
        total.server_errors += r.server_errors
        total.errors += r.errors
        for k, v in r.failures.items():
            total.failures.setdefault(k, []).extend(v)
    print(f"\nschemathesis (diary, {backend}): {total.summary()}")
    assert not total.server_errors, "\n".join(total.server_errors[:10])
    failed = [f"{k}: {t}" for k, v in total.failures.items() for t in v]
    assert not failed, "\n\n".join(failed[:10])
    assert not total.errors, "\n".join(total.errors[:5])
    assert total.cases >= (LONG_RUN or 100), total.cases
    assert total.by_phase["stateful"] > 0, total.by_phase  # the stateful phase ran (links inferred)
    ok = sum(n for code, n in total.statuses.items() if 200 <= code < 300)
    assert ok >= total.cases / 10 and total.statuses.get(401, 0) == 0, total.statuses  # requests reached the diary
