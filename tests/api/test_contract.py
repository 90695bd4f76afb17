"""What the OpenAPI document promises is what the server does (issue 15, schemathesis's findings): diary times
are local wall-clock times without an offset (the same rule in the API, CSV import and the command line);
integers are JSON integers (true is not 1); CSV goes both ways as text/csv; a 405 names every method of the
path; a body that cannot be parsed gets a 400 naming the body; JSON nested too deep or with a number too long
gets 422 before any parser, on every route that reads JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crampcheck.api import create_app
from crampcheck.api.problems import MAX_JSON_DEPTH, json_shape_problem
from crampcheck.settings import get_settings
from crampcheck.storage.db import close_all

LOCAL = ("127.0.0.1", 50000)
EPISODE = {"started_at": "2024-05-01T03:10", "muscle": "calf", "severity": 5}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the module (its checks are independent of what the others stored)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path_factory.mktemp("contract")))
    mp.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    with TestClient(create_app(), client=LOCAL) as c:
        yield c
    close_all()
    mp.undo()
    get_settings.cache_clear()


def _fields(r: Any) -> list[str]:
    return [e["field"] for e in r.json().get("errors", [])]


@pytest.mark.parametrize("when", ["2024-05-01T03:10Z", "2024-05-01T03:10:00+02:00", "2024-05-01T03:10-0500"])
def test_time_with_an_offset_is_refused_naming_the_field(client: TestClient, when: str) -> None:
    r = client.post("/v1/diary/episodes", json={**EPISODE, "started_at": when})
    assert r.status_code == 422 and _fields(r) == ["started_at"], r.text
    assert "without a time-zone offset" in r.json()["detail"]
    q = client.get("/v1/diary/episodes", params={"since": when})
    assert q.status_code == 422 and _fields(q) == ["query.since"], q.text


@pytest.mark.parametrize("when", ["2024-05-01T03:10", "2024-05-01T03:10:59", "2024-05-01T03:10:59.123456"])
def test_local_times_are_taken_and_given_back_in_the_documented_form(client: TestClient, when: str) -> None:
    import re

    r = client.post("/v1/diary/episodes", json={**EPISODE, "started_at": when})
    assert r.status_code == 201, r.text
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    created = schemas["EpisodeCreate"]["properties"]["started_at"]
    shown = schemas["EpisodePublic"]["properties"]["started_at"]
    assert "format" not in created and "format" not in shown  # RFC 3339 date-time has an offset; ours not
    assert re.match(created["pattern"], when) and re.match(shown["pattern"], r.json()["started_at"])
    assert not re.match(created["pattern"], "2024-05-01T03:10Z")


@pytest.mark.parametrize("value", [1714530000, "1714530000", True, "2024-05-01 03:10:00+00:00"])
def test_only_iso_strings_are_times_and_days(client: TestClient, value: object) -> None:
    r = client.post("/v1/diary/episodes", json={**EPISODE, "started_at": value})
    assert r.status_code == 422 and _fields(r) == ["started_at"], r.text
    d = client.put("/v1/diary/exposures", json={"day": value})
    assert d.status_code == 422 and _fields(d) == ["day"], d.text
    q = client.get("/v1/diary/exposures", params={"until": str(value)})
    assert q.status_code == 422, q.text


def test_csv_and_cli_take_the_same_times(client: TestClient, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from crampcheck.cli.main import app

    body = "started_at,muscle,severity\n2024-05-01T03:10+02:00,calf,5\n"
    r = client.post("/v1/diary/import", content=body, headers={"Content-Type": "text/csv"})
    assert r.status_code == 422 and "without a time-zone offset" in r.text and "line[2]" in r.text
    ok = "started_at,muscle,severity\n2023-05-01 03:10,calf,5\n"  # a spreadsheet's space is fine
    assert client.post("/v1/diary/import", content=ok, headers={"Content-Type": "text/csv"}).json()["rows"] == 1
    res = CliRunner().invoke(app, ["diary", "add", "calf", "--severity", "4", "--when", "2024-05-01T03:10Z"])
    assert res.exit_code == 2 and "without a time-zone offset" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["diary", "add", "calf", "--severity", "4", "--when", "2024-05-01T04:10"])
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("age", [True, "40", 40.5, False])
def test_age_is_a_json_integer(client: TestClient, age: object) -> None:
    r = client.post("/v1/assess", json={"age": age, "sex": "female"})
    assert r.status_code == 422 and _fields(r) == ["age"], r.text


def test_a_whole_number_written_with_a_point_is_an_integer(client: TestClient) -> None:
    assert client.post("/v1/assess", json={"age": 40.0, "sex": "female"}).status_code == 200
    assert client.post("/v1/diary/episodes", json={**EPISODE, "severity": 5.0}).status_code == 201
    r = client.post("/v1/diary/episodes", json={**EPISODE, "severity": True})
    assert r.status_code == 422 and _fields(r) == ["severity"]
    r = client.put("/v1/diary/exposures", json={"day": "2024-05-01", "cold": 1})
    assert r.status_code == 422 and _fields(r) == ["cold"]


def test_patch_does_not_offer_null_for_fields_that_cannot_be_emptied(client: TestClient) -> None:
    props = client.get("/openapi.json").json()["components"]["schemas"]["EpisodeUpdate"]["properties"]
    for name in ("started_at", "muscle", "severity"):
        assert "anyOf" not in props[name] and props[name]["type"] in ("string", "integer"), props[name]
    assert any(o.get("type") == "null" for o in props["note"]["anyOf"])  # a note can be emptied


def test_csv_is_text_csv_both_ways(client: TestClient) -> None:
    client.post("/v1/diary/episodes", json=EPISODE)
    r = client.get("/v1/diary/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    paths = client.get("/openapi.json").json()["paths"]
    assert list(paths["/v1/diary/export"]["get"]["responses"]["200"]["content"]) == ["text/csv"]
    body = paths["/v1/diary/import"]["post"]["requestBody"]["content"]
    assert "text/csv" in body and "415" in paths["/v1/diary/import"]["post"]["responses"]
    wrong = client.post("/v1/diary/import", content=r.text, headers={"Content-Type": "application/json"})
    assert wrong.status_code == 415 and _fields(wrong) == ["header.content-type"]
    again = client.post("/v1/diary/import", content=r.text, headers={"Content-Type": "text/csv; charset=utf-8"})
    assert again.status_code in (200, 422)  # 422: the same day again is a duplicate; not a 415


def test_405_names_every_method_of_the_path(client: TestClient) -> None:
    r = client.put("/v1/diary/episodes/1")
    assert r.status_code == 405 and r.headers["allow"] == "GET, PATCH, DELETE"
    assert client.post("/v1/diary/exposures/2024-05-01").headers["allow"] == "GET, DELETE"
    assert client.delete("/v1/diary/episodes").headers["allow"] == "GET, POST"


def test_a_body_that_is_not_json_gets_400_naming_the_body(client: TestClient) -> None:
    r = client.post(
        "/v1/diary/episodes", content=b'{"muscle": "calf",', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400 and _fields(r) == ["body"] and "character" in r.json()["detail"]


DEEP = ("[" * 5000 + "]" * 5000).encode()
HUGE = b'{"age": ' + b"9" * 5000 + b', "sex": "female"}'


@pytest.mark.parametrize("path", ["/v1/assess", "/v1/parse", "/v1/diary/episodes", "/v1/diary/assessments"])
@pytest.mark.parametrize("body,word", [(DEEP, "nested"), (HUGE, "digits")])
def test_deep_or_huge_json_is_422_everywhere(client: TestClient, path: str, body: bytes, word: str) -> None:
    for ctype in ("application/json", None):
        headers = {"Content-Type": ctype} if ctype else {}
        r = client.post(path, content=body, headers=headers)
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        assert r.headers["content-type"] == "application/problem+json"
        assert word in r.json()["detail"] and _fields(r) == ["body"]


def test_the_json_screen_leaves_strings_and_ordinary_bodies_alone() -> None:
    note = json.dumps({"note": "[" * 500 + "9" * 500}).encode()
    assert json_shape_problem(note) is None
    ordinary = json.dumps({"answers": [{"finding": f"f{k}", "state": "present"} for k in range(500)]}).encode()
    assert json_shape_problem(ordinary) is None
    nested = ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)).encode()
    assert json_shape_problem(nested) is not None
    flat = ("[" + "[]," * 1000 + "[]]").encode()  # many brackets, shallow
    assert json_shape_problem(flat) is None
