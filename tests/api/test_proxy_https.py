"""``crampcheck serve --proxy-headers`` (issue 15): behind a trusted reverse proxy that ended TLS, the sign-in
and CSRF cookies are ``Secure``; the same headers from a peer that is not a trusted proxy change nothing; and
the tokenless local user is still given only to a loopback request without any proxy header. Real servers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crampcheck.diary import service
from crampcheck.settings import Settings
from crampcheck.storage.db import close_all, open_database
from support.serve import start_serve
from support.server import stop

PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def _token(data: Path) -> str:
    settings = Settings.from_env({"CRAMPCHECK_DATA_DIR": str(data)})
    with open_database(settings).session() as s:
        token = service.issue_token(session=s, name="alice")
    close_all()
    return token


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A real server that trusts 127.0.0.1 (where the tests connect from) as its proxy."""
    data = tmp_path_factory.mktemp("proxy")
    token = _token(data)
    proc, base = start_serve(data, "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1")
    try:
        yield base, token
    finally:
        stop(proc)


@pytest.fixture(params=["trusted", "untrusted"])
def through(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, httpx.Client, str]]:
    """The app in process behind uvicorn's ProxyHeadersMiddleware as ``serve --proxy-headers`` installs it,
    reached from 127.0.0.1, which is the trusted proxy or (only 10.9.9.9 trusted) not."""
    from fastapi.testclient import TestClient
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from crampcheck.api import create_app
    from crampcheck.settings import get_settings

    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRAMPCHECK_ALLOWED_HOSTS", "localhost")
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    token = _token(tmp_path)
    allow = "127.0.0.1" if request.param == "trusted" else "10.9.9.9"
    app = ProxyHeadersMiddleware(create_app(), trusted_hosts=allow)
    with TestClient(app, base_url="http://localhost", client=("127.0.0.1", 50000)) as c:  # type: ignore[arg-type]
        yield request.param, c, token
    close_all()
    get_settings.cache_clear()


def _cookies(r: httpx.Response) -> dict[str, str]:
    """name -> the whole Set-Cookie line."""
    return {line.split("=", 1)[0]: line for line in r.headers.get_list("set-cookie")}


def _sign_in(c: httpx.Client, token: str) -> tuple[str, str]:
    """(the CSRF cookie line, the sign-in cookie line) of a sign-in through the proxy."""
    page = c.get("/diary/signin?lang=en", headers=PROXIED)
    assert page.status_code == 200
    csrf_line = _cookies(page)["crampcheck_csrf"]
    sid = csrf_line.split(";", 1)[0].split("=", 1)[1]
    m = TOKEN_FIELD.search(page.text)
    assert m
    r = c.post(
        "/diary/signin",
        data={"lang": "en", "token": token, "csrf_token": m.group(1)},
        headers={**PROXIED, "Cookie": f"crampcheck_csrf={sid}"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    return csrf_line, _cookies(r)["crampcheck_diary"]


def test_real_server_behind_a_trusted_proxy_sets_secure_cookies(served: tuple[str, str]) -> None:
    base, token = served
    with httpx.Client(base_url=base) as c:
        csrf_line, signin_line = _sign_in(c, token)
    assert "; secure" in csrf_line.lower() and "; secure" in signin_line.lower(), (csrf_line, signin_line)


def test_cookies_are_secure_only_behind_a_trusted_https_proxy(through: tuple[str, httpx.Client, str]) -> None:
    kind, c, token = through
    csrf_line, signin_line = _sign_in(c, token)
    secure = kind == "trusted"
    assert ("; secure" in csrf_line.lower()) is secure, csrf_line
    assert ("; secure" in signin_line.lower()) is secure, signin_line
    assert "httponly" in signin_line.lower() and "samesite=strict" in signin_line.lower()


def test_plain_http_from_the_proxy_is_not_secure(served: tuple[str, str]) -> None:
    base, _ = served
    r = httpx.get(base + "/diary/signin?lang=en", headers={"X-Forwarded-Proto": "http"})
    assert "secure" not in _cookies(r)["crampcheck_csrf"].lower()


def test_local_user_rule_unchanged_by_proxy_headers(served: tuple[str, str]) -> None:
    base, token = served
    assert httpx.get(base + "/v1/diary/episodes").status_code == 200  # this computer, no proxy header
    for headers in (PROXIED, {"X-Forwarded-Proto": "https"}, {"X-Forwarded-For": "127.0.0.1"}):
        r = httpx.get(base + "/v1/diary/episodes", headers=headers)
        assert r.status_code == 401, (headers, r.status_code)
    ok = httpx.get(base + "/v1/diary/episodes", headers={**PROXIED, "Authorization": f"Bearer {token}"})
    assert ok.status_code == 200


def test_bad_trusted_proxy_list_is_refused(tmp_path: Path) -> None:
    import subprocess
    import sys

    from support.server import server_env

    cmd = [sys.executable, "-c", "from crampcheck.cli.main import main; main()", "serve"]
    out = subprocess.run(
        [*cmd, "--forwarded-allow-ips", "10.0.0.1,not-an-ip"],
        env=server_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "not-an-ip" in out.stderr and "Traceback" not in out.stderr
