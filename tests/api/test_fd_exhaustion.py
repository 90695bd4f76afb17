"""Running out of file descriptors (issue 15: 186,365 tracebacks in 40 s at about 19,700 connections).

A server process with a low open-file limit (RLIMIT_NOFILE, set in the child) gets far more connections than
it can hold. With asyncio's own accept loop every failed ``accept()`` logs a traceback, thousands a second;
with ``crampcheck.api.loop`` it is one line per interval. With the connection cap of
``crampcheck serve`` (``limit_concurrency`` from the open-file limit, enforced when a connection is made) the
descriptors never run out: connections beyond the cap get 503 and are closed, and the server stays usable.

The servers here run a tiny ASGI app behind crampcheck's protocol and loop (``crampcheck serve``'s; the
uncapped one to reach exhaustion), so that they start in a second;
``test_serve_uses_the_loop_and_the_cap`` checks that ``crampcheck serve`` runs with the same.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from crampcheck.api.server import connection_cap
from support.server import free_port, stop

NOFILE = 160
CLIENTS = 420
HOLD_S = 4.0

SERVER = """
import resource, sys, uvicorn
from crampcheck.api.protocol import LimitedHttpToolsProtocol
from crampcheck.api.server import connection_cap

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})

port, loop, capped = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "cap"
uvicorn.run(app, host="127.0.0.1", port=port, loop=loop, http=LimitedHttpToolsProtocol, log_level="warning",
            limit_concurrency=connection_cap() if capped else None, backlog=2048)
"""


def _limit_files() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))


def _flood(loop: str, cap: bool, log: Path) -> tuple[int, list[bytes], bool]:
    """Start the server with ``loop``, open CLIENTS connections and hold them HOLD_S seconds; return (log
    lines written meanwhile, first bytes answered on a few connections, whether /healthz answered after)."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port), loop, "cap" if cap else "nocap"],
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_limit_files,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + "/", timeout=1).status_code == 200:
                        break
                time.sleep(0.1)
            else:
                raise RuntimeError(log.read_text())
            before = len(log.read_bytes().splitlines())
            socks: list[socket.socket] = []
            try:
                for _ in range(CLIENTS):
                    s = socket.socket()
                    s.settimeout(5)
                    s.connect(("127.0.0.1", port))  # completed by the kernel even when not accepted
                    socks.append(s)
                time.sleep(HOLD_S)
                answers = []
                for s in socks[-5:]:  # the last ones: beyond any cap
                    s.settimeout(0.5)
                    try:
                        answers.append(s.recv(64))
                    except OSError:
                        answers.append(b"")
                lines = len(log.read_bytes().splitlines()) - before
            finally:
                for s in socks:
                    s.close()
            healthy = False
            # the server recovers once the connections are gone (slowly on a busy machine)
            deadline = time.monotonic() + 45
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + "/", timeout=5).status_code == 200:
                        healthy = True
                        break
                time.sleep(0.2)
            return lines, answers, healthy
        finally:
            stop(proc)


def test_descriptor_exhaustion_is_logged_once_per_interval(tmp_path: Path) -> None:
    stock, _, _ = _flood("asyncio", cap=False, log=tmp_path / "stock.log")
    quiet, _, healthy = _flood("crampcheck.api.loop:uncapped_loop_factory", cap=False, log=tmp_path / "quiet.log")
    text = (tmp_path / "quiet.log").read_text()
    print(f"\nlog lines in {HOLD_S:.0f} s at descriptor exhaustion: asyncio's loop {stock}, crampcheck's {quiet}")
    assert stock > 100  # the storm this guards against (thousands of lines on a quiet machine)
    assert 1 <= quiet <= 3, text[-2000:]  # one line per 10 s interval
    assert "cannot accept new connections" in text and "Too many open files" in text
    assert "Traceback" not in text
    assert healthy


def test_connection_cap_keeps_descriptors_free(tmp_path: Path) -> None:
    lines, answers, healthy = _flood("crampcheck.api.loop:loop_factory", cap=True, log=tmp_path / "cap.log")
    print(f"\nwith the connection cap: {lines} log lines, answers beyond it {answers[:1]}")
    text = (tmp_path / "cap.log").read_text()
    assert "cannot accept" not in text, text[-2000:]  # the descriptors never ran out
    assert lines <= 3 and "refusing connections beyond the cap" in text, text[-2000:]
    assert answers and all(a.startswith(b"HTTP/1.1 503 ") for a in answers), answers
    assert healthy


CAP_CHECK = """
import resource
from crampcheck.api.server import FD_RESERVE, connection_cap
resource.setrlimit(resource.RLIMIT_NOFILE, (100, 300))
assert connection_cap({}) == 300 - FD_RESERVE  # the soft limit is first raised to the hard one
assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == 300
resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))
assert connection_cap({}) == 200 - FD_RESERVE
assert connection_cap({"CRAMPCHECK_MAX_CONNECTIONS": "50"}) == 50
assert connection_cap({"CRAMPCHECK_MAX_CONNECTIONS": "5000"}) == 200 - FD_RESERVE
print("ok")
"""


def test_connection_cap_follows_the_open_file_limit() -> None:
    # in a child: a hard limit once lowered cannot be raised again without CAP_SYS_RESOURCE
    out = subprocess.run([sys.executable, "-c", CAP_CHECK], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
    with pytest.raises(ValueError, match="CRAMPCHECK_MAX_CONNECTIONS"):
        connection_cap({"CRAMPCHECK_MAX_CONNECTIONS": "many"})


def test_serve_uses_the_loop_and_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from crampcheck.api import server

    seen: dict[str, object] = {}

    def fake_run(self: uvicorn.Server, *args: object, **kwargs: object) -> None:
        seen["loop"] = self.config.loop
        seen["limit"] = self.config.limit_concurrency

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    server.run("127.0.0.1", free_port())
    assert seen["loop"] == server.LOOP
    assert isinstance(seen["limit"], int) and 1 <= seen["limit"] <= server.MAX_CONNECTIONS
