"""Wrong sign-in tokens are limited per client address (issue 15): after ``MAX_FAILURES`` within the window,
tokens from that address get 429 with Retry-After (problem+json from the API, a page from the web form), even
a correct one; other addresses, and the tokenless local user, are not affected; the window slides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crampcheck.api import create_app
from crampcheck.api.ratelimit import MAX_FAILURES, WINDOW_S, FailureLimiter, RateLimited, client_key
from crampcheck.diary import service
from crampcheck.settings import get_settings
from crampcheck.storage.db import close_all, open_database
from support.forms import BrowserClient

ATTACKER = ("198.51.100.7", 40000)
NEIGHBOUR = ("198.51.100.8", 40000)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_sliding_window_blocks_then_lets_go() -> None:
    clock = Clock()
    lim = FailureLimiter(max_failures=3, window_s=60, clock=clock)
    for _ in range(3):
        lim.check("a")
        lim.failed("a")
        clock.t += 10
    with pytest.raises(RateLimited) as exc:
        lim.check("a")
    assert exc.value.retry_after == 30  # the first failure (t=1000) leaves the window at t=1060; now 1030
    lim.check("b")  # another key is free
    clock.t += 30
    lim.check("a")  # the oldest failure has left the window: one more try
    lim.failed("a")
    with pytest.raises(RateLimited):
        lim.check("a")


def test_keys_are_bounded_and_ipv6_counts_by_network() -> None:
    lim = FailureLimiter(max_failures=2, window_s=60, max_keys=100, clock=Clock())
    for k in range(1000):
        lim.failed(f"k{k}")
    assert len(lim._failures) == 100
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff:1") == "2001:db8::/64"
    assert client_key("2001:db8:0:1::1") != client_key("2001:db8::1")
    assert client_key("203.0.113.9") == "203.0.113.9"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[object, str]]:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    with open_database().session() as s:
        token = service.issue_token(session=s, name="alice")
    yield create_app(), token
    close_all()
    get_settings.cache_clear()


def test_api_wrong_tokens_get_429_after_the_limit(app: tuple[object, str]) -> None:
    a, token = app
    with TestClient(a, client=ATTACKER) as c:  # type: ignore[arg-type]
        for k in range(MAX_FAILURES):
            r = c.get("/v1/diary/episodes", headers={"Authorization": f"Bearer wrong-{k}"})
            assert r.status_code == 401, (k, r.status_code)
        r = c.get("/v1/diary/episodes", headers={"Authorization": "Bearer wrong-again"})
        assert r.status_code == 429
        assert r.headers["content-type"] == "application/problem+json"
        assert 1 <= int(r.headers["retry-after"]) <= WINDOW_S
        assert r.json()["errors"][0]["field"] == "header.authorization"
        # the right token is not even checked while the address is limited
        assert c.get("/v1/diary/episodes", headers={"Authorization": f"Bearer {token}"}).status_code == 429
    with TestClient(a, client=NEIGHBOUR) as c:  # type: ignore[arg-type]
        assert c.get("/v1/diary/episodes", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with TestClient(a, client=("127.0.0.1", 5000)) as c:  # type: ignore[arg-type]
        assert c.get("/v1/diary/episodes").status_code == 200  # the local user needs no token


def test_right_tokens_are_never_limited(app: tuple[object, str]) -> None:
    a, token = app
    with TestClient(a, client=ATTACKER) as c:  # type: ignore[arg-type]
        for _ in range(3 * MAX_FAILURES):
            assert c.get("/v1/diary/episodes", headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize("lang,text", [("en", "Too many wrong tokens"), ("zh", "太多错误的令牌")])
def test_web_signin_form_says_when_to_retry(app: tuple[object, str], lang: str, text: str) -> None:
    a, token = app
    with BrowserClient(a, client=ATTACKER) as web:  # type: ignore[arg-type]
        for _ in range(MAX_FAILURES):
            assert web.post("/diary/signin", data={"lang": lang, "token": "nope"}).status_code == 401
        r = web.post("/diary/signin", data={"lang": lang, "token": token}, follow_redirects=False)
        assert r.status_code == 429 and "text/html" in r.headers["content-type"]
        assert int(r.headers["retry-after"]) >= 1
        assert text in r.text and "crampcheck_diary=" not in r.headers.get("set-cookie", "")
