"""Forged and rebound requests (issue 15, CSRF): writes from another origin, from another port of the same
host, or without the page's CSRF token are refused; a foreign Host is refused; the local-user rule holds only
on loopback, without any proxy header. In-process (TestClient); the browser attacks are in test_csrf_browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crampcheck.api import create_app
from crampcheck.api.guard import is_proxy_header
from crampcheck.diary import service
from crampcheck.settings import Settings, get_settings
from crampcheck.storage.db import close_all, open_database
from support.forms import BrowserClient, csrf_token

LOCAL = ("127.0.0.1", 50000)
SELF = "http://testserver"
EPISODE = {"lang": "en", "started_at": "2024-05-01T03:10", "muscle": "calf", "severity": "7"}
CSV = "started_at,muscle,severity\n2024-01-03T03:04,calf,9\n"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    for var in ("CRAMPCHECK_DATABASE_URL", "CRAMPCHECK_LOCAL_USER", "CRAMPCHECK_LOCAL_NO_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("CRAMPCHECK_LISTEN_HOST", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    close_all()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app()


@pytest.fixture
def client(app: Any, data_dir: Path) -> Iterator[BrowserClient]:
    with BrowserClient(app, client=LOCAL, raise_server_exceptions=False) as c:
        yield c


def count() -> int:
    with open_database().session() as s:
        user = service.ensure_user(session=s, name="local").id
        return len(service.list_episodes(session=s, user_id=user))


def add_one(client: TestClient) -> int:
    r = client.post("/v1/diary/episodes", json={"started_at": "2024-05-01T03:10", "muscle": "calf", "severity": 5})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


CROSS = [
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver:8198"},  # another port of this host
    {"Origin": "http://evil.example"},  # a browser without fetch metadata
    {"Origin": "http://testserver:8198"},
    {"Origin": "null"},  # a sandboxed frame or a data: page
    {"Referer": "http://evil.example/page"},
]


@pytest.mark.parametrize("headers", CROSS, ids=lambda h: ",".join(f"{k}={v}" for k, v in h.items()))
def test_the_three_forged_writes_are_refused(client: BrowserClient, headers: dict[str, str]) -> None:
    victim = add_one(client)
    before = count()
    token = csrf_token(client)  # even a valid token does not help a request from elsewhere
    add = client.post("/diary/episodes", data={**EPISODE, "csrf_token": token}, headers=headers)
    imp = client.post("/v1/diary/import", content=CSV, headers={**headers, "Content-Type": "text/plain"})
    delete = client.post(
        f"/diary/episodes/{victim}/delete", data={"lang": "en", "csrf_token": token}, headers=headers
    )
    api = client.delete(f"/v1/diary/episodes/{victim}", headers=headers)
    assert [add.status_code, imp.status_code, delete.status_code, api.status_code] == [403] * 4
    assert "another web site" in add.text and "其他网站" in add.text
    assert imp.headers["content-type"] == "application/problem+json"
    assert count() == before


def test_same_origin_pages_and_plain_clients_still_write(client: BrowserClient) -> None:
    ok = {"Sec-Fetch-Site": "same-origin", "Origin": SELF}
    r = client.post("/diary/episodes", data=EPISODE, headers=ok, follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/diary/episodes", data=EPISODE, headers={"Origin": SELF}, follow_redirects=False)
    assert r.status_code == 303  # an older browser without Sec-Fetch-Site
    assert client.post("/v1/diary/import", content=CSV, headers={"Origin": SELF}).status_code == 200
    add_one(client)  # curl, scripts: no browser headers at all
    assert count() == 4


def test_a_diary_form_without_the_sessions_token_is_refused(app: Any, client: BrowserClient) -> None:
    same = {"Sec-Fetch-Site": "same-origin"}
    victim = add_one(client)
    no_token = client.post("/diary/episodes", data={**EPISODE, "csrf_token": ""}, headers=same)
    assert no_token.status_code == 403 and "could not be accepted" in no_token.text
    forged = client.post("/diary/episodes", data={**EPISODE, "csrf_token": "0" * 64}, headers=same)
    assert forged.status_code == 403
    # a token of another browser session (another csrf cookie) does not fit this one
    with BrowserClient(app, client=LOCAL, raise_server_exceptions=False) as other:
        foreign = csrf_token(other)
    assert foreign != csrf_token(client)
    r = client.post(f"/diary/episodes/{victim}/delete", data={"lang": "en", "csrf_token": foreign}, headers=same)
    assert r.status_code == 403
    # a cookie tossed by a page of the same host, with a token the attacker cannot sign
    client.cookies.set("crampcheck_csrf", "A" * 43)
    r = client.post("/diary/episodes", data={**EPISODE, "csrf_token": foreign}, headers=same)
    assert r.status_code == 403
    zh = client.post("/diary/episodes", data={**EPISODE, "lang": "zh", "csrf_token": "x"}, headers=same)
    assert zh.status_code == 403 and "无法接受" in zh.text
    assert count() == 1


def test_the_csrf_cookie_is_httponly_strict_and_set_with_the_form(app: Any, data_dir: Path) -> None:
    with TestClient(app, client=LOCAL) as c:
        r = c.get("/diary")
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("crampcheck_csrf=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert r.text.count('name="csrf_token"') == 2  # the cramp and the day forms
        again = c.get("/diary")
        assert "crampcheck_csrf" not in again.headers.get("set-cookie", "")  # the session keeps its id
        assert "set-cookie" not in c.get("/healthz").headers


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:8000", "10.0.0.5", "localhost.evil.example"]
)
def test_a_foreign_host_is_refused(client: BrowserClient, host: str) -> None:
    add_one(client)
    r = client.get("/v1/diary/export", headers={"Host": host})
    assert r.status_code == 400 and "calf" not in r.text
    assert "--allowed-host" in r.json()["detail"]
    page = client.get("/diary", headers={"Host": host, "Accept": "text/html"})
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]


def test_allowed_hosts_setting() -> None:
    s = Settings.from_env({"CRAMPCHECK_DATA_DIR": "/tmp/x", "CRAMPCHECK_ALLOWED_HOSTS": "diary.example.org, .lan"})
    assert s.allowed_hosts == ("diary.example.org", ".lan")
    for ok in ("localhost", "127.0.0.1", "::1", "diary.example.org", "pi.lan", "lan"):
        assert s.host_allowed(ok), ok
    for bad in ("example.org", "evil.example", "xlan", "diary.example.org.evil", ""):
        assert not s.host_allowed(bad), bad
    served = Settings.from_env({"CRAMPCHECK_DATA_DIR": "/tmp/x", "CRAMPCHECK_LISTEN_HOST": "192.168.1.20"})
    assert served.host_allowed("192.168.1.20") and not served.host_allowed("192.168.1.21")


@pytest.mark.parametrize(
    "header",
    ["X-Forwarded-For", "Forwarded", "X-Real-IP", "Via", "X-Client-IP", "True-Client-IP", "CF-Connecting-IP",
     "X-Original-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Cluster-Client-IP", "Fastly-Client-IP"],
)  # fmt: skip
def test_any_proxy_header_switches_the_local_user_off(client: BrowserClient, header: str) -> None:
    assert is_proxy_header(header)
    r = client.get("/v1/diary/episodes", headers={header: "203.0.113.9"})
    assert r.status_code == 401


def test_ordinary_headers_are_not_proxy_headers() -> None:
    for h in ("Accept", "User-Agent", "Origin", "Cookie", "Sec-Fetch-Site", "Authorization", "X-Requested-With"):
        assert not is_proxy_header(h)


def test_the_local_user_exists_only_when_served_on_loopback(
    client: BrowserClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/v1/diary/episodes").status_code == 200
    monkeypatch.setenv("CRAMPCHECK_LISTEN_HOST", "0.0.0.0")
    get_settings.cache_clear()
    assert client.get("/v1/diary/episodes").status_code == 401
    monkeypatch.setenv("CRAMPCHECK_LISTEN_HOST", "127.0.0.1")
    monkeypatch.setenv("CRAMPCHECK_LOCAL_NO_TOKEN", "0")
    get_settings.cache_clear()
    assert client.get("/v1/diary/episodes").status_code == 401
    monkeypatch.delenv("CRAMPCHECK_LOCAL_NO_TOKEN")
    get_settings.cache_clear()
    assert client.get("/v1/diary/episodes").status_code == 200


def test_a_bearer_client_without_browser_headers_writes(app: Any, data_dir: Path) -> None:
    with open_database().session() as s:
        token = service.issue_token(session=s, name="alice")
    with TestClient(app, client=("203.0.113.9", 5000)) as remote:
        auth = {"Authorization": f"Bearer {token}"}
        r = remote.post("/v1/diary/import", content=CSV, headers=auth)
        assert r.status_code == 200 and r.json()["rows"] == 1
        r = remote.post("/v1/diary/import", content=CSV, headers={**auth, "Sec-Fetch-Site": "cross-site"})
        assert r.status_code == 403


def test_signing_out_revokes_the_token(app: Any, data_dir: Path) -> None:
    with open_database().session() as s:
        token = service.issue_token(session=s, name="alice")
    with BrowserClient(app, client=("203.0.113.9", 5000), raise_server_exceptions=False) as web:
        assert (
            web.post("/diary/signin", data={"lang": "en", "token": token}, follow_redirects=False).status_code
            == 303
        )
        page = web.get("/diary?lang=en")
        assert "ends your token everywhere" in page.text
        api = {"Authorization": f"Bearer {token}"}
        assert web.get("/v1/diary/episodes", headers=api).status_code == 200
        out = web.post("/diary/signout", data={"lang": "en"}, follow_redirects=False)
        assert out.status_code == 303
        assert web.get("/v1/diary/episodes", headers=api).status_code == 401  # a copied cookie is worthless now
        web.cookies.set("crampcheck_diary", token)
        assert web.get("/diary").status_code == 401
