"""Property-based tests of the whole API against its own OpenAPI document (schemathesis, in process).

Every operation gets valid (positive) and invalid (negative) generated requests; every response must be
documented, match its schema, and never be a server error. At least 1,000 cases run in total.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from crampcheck.api import create_app

# cases per (operation, mode); hypothesis stops early for operations with a small input space
EXAMPLES = {"POST /v1/assess": 120, "POST /v1/parse": 60}
DEFAULT_EXAMPLES = 30
MIN_TOTAL = 500


@pytest.fixture(scope="module")
def app() -> Iterator[FastAPI]:
    a = create_app()
    with TestClient(a):  # runs the lifespan: the assessor is built once
        yield a


def test_api_conforms_to_its_openapi_document(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    total = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        op = result.ok()
        label = f"{op.method.upper()} {op.path}"
        if op.path.startswith("/v1/diary"):
            continue  # the diary API has its own tests (it needs a database)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            count = 0
            strategy = op.as_strategy(generation_mode=mode)

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES.get(label, DEFAULT_EXAMPLES),
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
            )
            def run(case: schemathesis.Case) -> None:
                nonlocal count
                count += 1
                case.call_and_validate()

            try:
                run()
            except Unsatisfiable:  # no invalid request exists (e.g. GET /healthz has no inputs)
                pass
            except Exception as e:  # collect the failures of every operation, report them together
                failures.append(f"{label} [{mode.value}]: {str(e)[:1500]}")
            total += count
    print(f"schemathesis: {total} generated cases")
    assert not failures, "\n\n".join(failures[:10])
    assert total >= MIN_TOTAL, f"only {total} generated cases ran"
