"""Bounds at the schema (issue 15): dates outside 1900-01-01 .. now, NUL and control characters, ids and
offsets of 2^31 and more get 422 naming the field, never 500, on SQLite and on PostgreSQL; nothing is stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crampcheck.api import create_app
from crampcheck.settings import get_settings
from crampcheck.storage.db import close_all

LOCAL = ("127.0.0.1", 50000)
GOOD = {"started_at": "2024-05-01T03:10", "muscle": "calf", "severity": 5}


@pytest.fixture
def client(empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRAMPCHECK_DATABASE_URL", empty_url)
    monkeypatch.setenv("CRAMPCHECK_LOCAL_NO_TOKEN", "1")
    monkeypatch.delenv("CRAMPCHECK_LISTEN_HOST", raising=False)
    get_settings.cache_clear()
    with TestClient(create_app(), client=LOCAL, raise_server_exceptions=False) as c:
        yield c
    close_all()
    get_settings.cache_clear()


def _in_future(**delta: float) -> str:
    return (dt.datetime.now() + dt.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


BAD_EPISODES = {
    "year 1": ({"started_at": "0001-01-01T00:00"}, "started_at"),
    "year 24": ({"started_at": "0024-05-01T03:10"}, "started_at"),
    "1899": ({"started_at": "1899-12-31T23:59"}, "started_at"),
    "year 9999": ({"started_at": "9999-12-31T23:59"}, "started_at"),
    "tomorrow night": ({"started_at": _in_future(days=1, hours=1)}, "started_at"),
    "NUL in note": ({"note": "a\u0000b"}, "note"),
    "escape in activity": ({"activity": "\u001b[2J\u001b[31mRED"}, "activity"),
    "bell in relief": ({"relief": "x\u0007"}, "relief"),
}


@pytest.mark.parametrize("case", BAD_EPISODES, ids=list(BAD_EPISODES))
def test_out_of_bounds_episodes_get_422_naming_the_field(client: TestClient, case: str) -> None:
    change, field = BAD_EPISODES[case]
    r = client.post("/v1/diary/episodes", json={**GOOD, **change})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field
    saved = client.post("/v1/diary/episodes", json=GOOD).json()["id"]
    r = client.patch(f"/v1/diary/episodes/{saved}", json=change)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    assert client.get(f"/v1/diary/episodes/{saved}").json()["started_at"] == "2024-05-01T03:10:00"


def test_the_bounds_themselves_are_accepted(client: TestClient) -> None:
    for when in ("1900-01-01T00:00", _in_future(minutes=-1), _in_future(hours=13)):
        assert client.post("/v1/diary/episodes", json={**GOOD, "started_at": when}).status_code == 201, when
    note = "tab\tand\nnew line, 中文, émoji 🙂"
    assert client.post("/v1/diary/episodes", json={**GOOD, "note": note}).json()["note"] == note
    assert client.put("/v1/diary/exposures", json={"day": "1900-01-01"}).status_code == 200


@pytest.mark.parametrize(
    "body,field",
    [
        ({"day": "0001-01-01"}, "day"),
        ({"day": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "day"),
        ({"day": "2024-05-01", "note": "\u0000"}, "note"),
        ({"day": "2024-05-01", "medicines": ["ibuprofen\u0000"]}, "medicines"),
        ({"day": "2024-05-01", "medicines": ["x" * 201]}, "medicines[0]"),
    ],
)
def test_out_of_bounds_days_get_422(client: TestClient, body: dict[str, Any], field: str) -> None:
    r = client.put("/v1/diary/exposures", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field
    assert client.get("/v1/diary/exposures").json() == []


@pytest.mark.parametrize("big", [2**31, 2**63, 2**64, 10**20])
def test_huge_ids_and_offsets_get_422(client: TestClient, big: int) -> None:
    for method in ("GET", "DELETE"):
        r = client.request(method, f"/v1/diary/episodes/{big}")
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "path.episode_id", r.text
    r = client.patch(f"/v1/diary/episodes/{big}", json={"severity": 3})
    assert r.status_code == 422
    r = client.get(f"/v1/diary/episodes?offset={big}")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.offset"
    assert client.get(f"/v1/diary/episodes/{2**31 - 1}").status_code == 404  # the largest id: just not there
    assert client.get(f"/diary/episodes/{big}/edit").status_code == 404  # the web page: not found


@pytest.mark.parametrize(
    "line,reason",
    [
        ("0024-05-01T03:10,calf,5,", "on or after 1900-01-01"),
        ("9999-05-01T03:10,calf,5,", "in the future"),
        ("2024-05-01T03:10,calf,5,a\u0000b", "control character"),
        ("2024-05-01T03:10,calf,5,\u001b]0;title\u0007", "control character"),
    ],
)
def test_csv_import_refuses_out_of_bounds_rows_with_their_line(client: TestClient, line: str, reason: str) -> None:
    body = f"started_at,muscle,severity,note\n2024-05-02T03:10,calf,5,fine\n{line}\n"
    r = client.post("/v1/diary/import", content=body.encode())
    assert r.status_code == 422, r.text
    err = r.json()["errors"][0]
    assert err["field"] == "body.line[3]" and reason in err["message"]
    assert client.get("/v1/diary/episodes").json() == []


def test_csv_exposures_refuse_old_days(client: TestClient) -> None:
    r = client.post("/v1/diary/import", content=b"day,medicines\n0204-01-01,\n")
    assert r.status_code == 422 and "1900-01-01" in r.json()["errors"][0]["message"]
