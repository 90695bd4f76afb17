"""The CSRF attacks of the security review (issue 15), run in Debian's chromium against a real server on
127.0.0.1: a page on ``http://localhost:<other port>`` (another site) and on ``http://127.0.0.1:<other port>``
(the same site, another origin) tries a form POST that adds a cramp, a ``no-cors`` text/plain fetch that
imports a CSV, and a form POST that deletes a cramp; against the tokenless local user and against a user
signed in with a token. Nothing may change. A page of the app itself (same origin) can still do the same."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crampcheck.diary import service
from crampcheck.settings import Settings
from crampcheck.storage.db import open_database
from support.server import free_port, server_env, start_uvicorn, stop

pytestmark = pytest.mark.browser

ATTACK_JS = """async ([target, victim]) => {
  const post = (path, fields) => new Promise(resolve => {
    const frame = document.createElement('iframe');
    frame.name = 'f' + Math.random().toString(36).slice(2);
    document.body.appendChild(frame);
    const form = document.createElement('form');
    form.method = 'POST'; form.action = target + path; form.target = frame.name;
    for (const [k, v] of Object.entries(fields)) {
      const i = document.createElement('input'); i.name = k; i.value = v; form.appendChild(i);
    }
    document.body.appendChild(form);
    frame.addEventListener('load', () => resolve(true));
    form.submit();
  });
  await post('/diary/episodes', {started_at: '2024-01-02T03:04', muscle: 'calf', severity: '9', note: 'CSRF', lang: 'en'});
  let imported = 'sent';
  try {
    await fetch(target + '/v1/diary/import', {method: 'POST', mode: 'no-cors',
      headers: {'Content-Type': 'text/plain'}, body: 'started_at,muscle,severity\\n2024-01-03T03:04,calf,9\\n'});
  } catch (e) { imported = String(e); }
  await post('/diary/episodes/' + victim + '/delete', {lang: 'en'});
  return imported;
}"""


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("csrf-target")
    try:
        proc, base = start_uvicorn(
            "crampcheck.api.app:create_app", factory=True, env=server_env(data), probe="/healthz"
        )
    except RuntimeError as e:
        pytest.fail(str(e))
    try:
        yield base, data
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def attacker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A static page server on another port of this host: the attacker's pages."""
    www = tmp_path_factory.mktemp("evil")
    (www / "index.html").write_text("<!doctype html><title>cute cats</title><body><p>cats</p></body>")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(www)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                import time

                time.sleep(0.1)
        yield port
    finally:
        stop(proc)  # type: ignore[arg-type]


def _diary(data: Path, user: str) -> list[tuple[int, str | None]]:
    settings = Settings.from_env({"CRAMPCHECK_DATA_DIR": str(data)})
    db = open_database(settings)
    try:
        with db.session() as s:
            uid = service.ensure_user(session=s, name=user).id
            return [(e.id, e.note) for e in service.list_episodes(session=s, user_id=uid)]
    finally:
        db.dispose()


def _plant(base: str, headers: dict[str, str] | None = None) -> int:
    body = {"started_at": "2024-05-01T03:10", "muscle": "calf", "severity": 5, "note": "mine"}
    r = httpx.post(base + "/v1/diary/episodes", json=body, headers=headers or {})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.mark.parametrize("origin", ["localhost", "127.0.0.1"], ids=["other-site", "same-host-other-port"])
def test_forged_writes_fail_for_the_local_user(browser, target, attacker, origin: str) -> None:  # type: ignore[no-untyped-def]
    base, data = target
    victim = _plant(base)
    before = _diary(data, "local")
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(base + "/diary")  # the user has the diary open (its cookies exist)
        page.goto(f"http://{origin}:{attacker}/index.html")
        page.evaluate(ATTACK_JS, [base, victim])
        page.wait_for_timeout(300)
    finally:
        ctx.close()
    assert _diary(data, "local") == before, "a page of another origin changed the diary"


def test_forged_writes_fail_for_a_signed_in_user(browser, target, attacker) -> None:  # type: ignore[no-untyped-def]
    base, data = target
    settings = Settings.from_env({"CRAMPCHECK_DATA_DIR": str(data)})
    db = open_database(settings)
    with db.session() as s:
        token = service.issue_token(session=s, name="alice")
    db.dispose()
    victim = _plant(base, {"Authorization": f"Bearer {token}"})
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(base + "/diary/signin?lang=en")
        page.fill("#token", token)
        page.click("#signin-button")
        page.wait_for_url("**/diary?lang=en")
        before = _diary(data, "alice")
        for origin in ("127.0.0.1", "localhost"):
            page.goto(f"http://{origin}:{attacker}/index.html")
            page.evaluate(ATTACK_JS, [base, victim])
            page.wait_for_timeout(300)
        assert _diary(data, "alice") == before, "a page of another origin changed alice's diary"
        # control: the app's own page (same origin) can do the same writes
        page.goto(base + "/diary?lang=en")
        page.evaluate(
            """async (target) => (await fetch(target + '/v1/diary/import', {method: 'POST',
              headers: {'Content-Type': 'text/plain'},
              body: 'started_at,muscle,severity\\n2024-01-05T03:04,calf,4\\n'})).status""",
            base,
        )
        after = _diary(data, "alice")
        assert len(after) == len(before) + 1
        page.fill("#started_at", "2024-01-06T03:04")
        page.check("input[name=muscle][value=calf]", force=True)
        page.check("input[name=severity][value='3']", force=True)
        page.click("#save-episode")
        for _ in range(50):  # the form is sent by htmx or by the browser; wait for the write
            if len(_diary(data, "alice")) == len(before) + 2:
                break
            page.wait_for_timeout(100)
        assert len(_diary(data, "alice")) == len(before) + 2
    finally:
        ctx.close()
