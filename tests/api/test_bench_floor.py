"""The ceiling route of ``benchmarks/bench_api.py`` is a fair bound: it answers each benchmark body with
exactly the bytes ``/v1/assess`` sends, and refuses what it was not prepared for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def floor_client(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch_module.syspath_prepend(str(BENCH))
    monkeypatch_module.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path_factory.mktemp("floor-data")))
    monkeypatch_module.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    from crampcheck.settings import get_settings

    get_settings.cache_clear()
    from floor_app import create_floor_app

    with TestClient(create_floor_app(), raise_server_exceptions=False) as c:
        yield c
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_floor_sends_the_same_bytes_as_assess(floor_client: TestClient) -> None:
    from bench_api import interview_bodies
    from floor_app import FLOOR_PATH, body_bytes

    bodies = interview_bodies()
    assert len(bodies) >= 16
    headers = {"content-type": "application/json"}
    for b in bodies[:: max(1, len(bodies) // 8)]:
        data = body_bytes(b)
        real = floor_client.post("/v1/assess", content=data, headers=headers)
        floor = floor_client.post(FLOOR_PATH, content=data, headers=headers)
        assert real.status_code == floor.status_code == 200
        assert floor.content == real.content


def test_floor_refuses_a_body_it_has_not_prepared(floor_client: TestClient) -> None:
    from floor_app import FLOOR_PATH

    r = floor_client.post(
        FLOOR_PATH,
        json={"age": 30, "sex": "male", "lang": "en", "answers": [{"finding": "site_hand", "state": "present"}]},
    )
    assert r.status_code == 404


def test_floor_is_not_in_the_api_document(floor_client: TestClient) -> None:
    from floor_app import FLOOR_PATH

    assert FLOOR_PATH not in floor_client.get("/openapi.json").json()["paths"]
