"""No single request stalls the server (issue 15): a body of 500 long unknown ids is answered fast and
/healthz keeps answering meanwhile; a CSV import while another process holds the SQLite write lock waits in
the thread pool (not on the event loop) and ends in a clear 503 when the lock outlasts the busy timeout.
Real ``crampcheck serve`` on a free loopback port."""

from __future__ import annotations

import json
import sqlite3
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crampcheck.api.routes_assess import HINTED_IDS, check_ids
from crampcheck.assess import default_assessor
from crampcheck.schema import AssessRequest
from support.serve import start_serve
from support.server import stop

CSV = "started_at,muscle,severity\n2024-05-01T03:10,calf,5\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("stall")
    try:
        proc, base = start_serve(data)
    except RuntimeError as e:
        pytest.fail(str(e))
    try:
        yield base, data
    finally:
        stop(proc)


def dos_body() -> bytes:
    """The review's body: 500 unknown ids of 400+ characters made of the words of real ids."""
    findings = list(default_assessor().kb.findings)
    words = "_".join(sorted({p for f in findings for p in f.split("_")})) * 3
    answers = [{"finding": words[:400] + str(i), "state": "present"} for i in range(500)]
    return json.dumps({"age": 40, "sex": "female", "answers": answers}).encode()


def test_hints_are_bounded_but_still_given_for_the_first_ids() -> None:
    a = default_assessor()
    typos = [{"finding": "site_calff", "state": "present"} for _ in range(20)]
    long_ = [{"finding": "site_calf" + "x" * 500, "state": "present"}]
    errors = check_ids(a, AssessRequest.model_validate({"age": 40, "sex": "female", "answers": typos + long_}))
    hinted = [e for e in errors if "did you mean 'site_calf'" in e.message]
    assert len(errors) == 21 and len(hinted) == HINTED_IDS
    assert errors[0].message == "unknown finding 'site_calff'; did you mean 'site_calf'?"
    assert len(errors[-1].message) < 120  # an overlong id is shown cut, with no hint


def test_one_request_of_long_unknown_ids_does_not_stall_the_server(served: tuple[str, Path]) -> None:
    base, _ = served
    body = dos_body()
    assert len(body) > 200_000
    took: list[float] = []
    health: list[float] = []
    done = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            while not done.is_set():
                t = time.perf_counter()
                assert c.get("/healthz").status_code == 200
                health.append(time.perf_counter() - t)
                time.sleep(0.005)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        with httpx.Client(base_url=base, timeout=60) as c:
            while (len(took) < 5 or len(health) < 10) and len(took) < 100:
                t = time.perf_counter()
                r = c.post("/v1/assess", content=body, headers={"content-type": "application/json"})
                took.append(time.perf_counter() - t)
                assert r.status_code == 422 and r.json()["type"] == "urn:crampcheck:problem:unknown-id"
    finally:
        done.set()
        prober.join()
    assert statistics.median(took) < 0.5, f"assess took {took}"
    assert statistics.quantiles(health, n=10)[-1] < 0.05, f"healthz {sorted(health)[-5:]}"


@pytest.mark.parametrize(
    "body", ["[" * 5000 + "]" * 5000, '{"age": ' + "9" * 5000 + ', "sex": "female"}'], ids=["deep", "huge-int"]
)
def test_deep_or_huge_json_is_a_client_error(served: tuple[str, Path], body: str) -> None:
    base, _ = served
    r = httpx.post(base + "/v1/assess", content=body, headers={"content-type": "application/json"}, timeout=30)
    # 422 naming the problem (issue 15), before any parser spends time on it
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["field"] == "body"


def _hold_write_lock(db: Path, seconds: float, held: threading.Event) -> None:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    con.execute("COMMIT")
    con.close()


def _import_while_locked(base: str, db: Path, seconds: float) -> tuple[httpx.Response, list[float]]:
    assert httpx.post(base + "/v1/diary/episodes", json={"started_at": "2024-04-01T03:10", "muscle": "calf",
                                                          "severity": 3}).status_code == 201  # fmt: skip
    held = threading.Event()
    locker = threading.Thread(target=_hold_write_lock, args=(db, seconds, held))
    locker.start()
    held.wait(10)
    result: list[httpx.Response] = []
    importer = threading.Thread(
        target=lambda: result.append(httpx.post(base + "/v1/diary/import", content=CSV, timeout=60))
    )
    importer.start()
    health: list[float] = []
    time.sleep(0.3)
    with httpx.Client(base_url=base, timeout=30) as c:  # one connection: only the server's time is measured
        while importer.is_alive():
            t = time.perf_counter()
            assert c.get("/healthz").status_code == 200
            health.append(time.perf_counter() - t)
            time.sleep(0.1)
    importer.join()
    locker.join()
    return result[0], health


def test_an_import_waits_for_a_short_lock_without_stalling_others(served: tuple[str, Path]) -> None:
    base, data = served
    r, health = _import_while_locked(base, data / "crampcheck.sqlite", 3)
    assert r.status_code == 200 and r.json()["rows"] == 1
    assert len(health) >= 10 and max(health) < 0.25 and statistics.median(health) < 0.05, health


def test_an_import_behind_a_lock_held_too_long_gets_a_clear_503(served: tuple[str, Path]) -> None:
    base, data = served

    def imported() -> int:
        return sum(e["source"] == "import" for e in httpx.get(base + "/v1/diary/episodes").json())

    before = imported()
    r, health = _import_while_locked(base, data / "crampcheck.sqlite", 12)
    assert r.status_code == 503 and r.headers["retry-after"]
    assert "busy" in r.json()["detail"] and "nothing was changed" in r.json()["detail"]
    assert len(health) >= 30 and statistics.median(health) < 0.05, health
    assert imported() == before
