"""``crampcheck serve``: the shared socket of several workers keeps TCP_NODELAY, and the command serves."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from crampcheck.api.server import bind_tcp_socket
from support.server import free_port, server_env


def _accepted_nodelay(sock: socket.socket) -> int:
    """TCP_NODELAY of a connection accepted by an asyncio server listening on ``sock``."""

    async def main() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                s = transport.get_extra_info("socket")
                seen.set_result(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(seen, 10)
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    return asyncio.run(main())


def test_bound_socket_names_tcp_so_connections_get_nodelay() -> None:
    sock = bind_tcp_socket("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    assert _accepted_nodelay(sock) != 0


def test_a_socket_without_the_protocol_loses_nodelay() -> None:
    """The failure the module works around: a socket bound as uvicorn binds it (proto 0)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    assert _accepted_nodelay(sock) == 0


def test_serve_with_two_workers_answers(tmp_path: Path) -> None:
    port = free_port()
    exe = Path(sys.executable).with_name("crampcheck")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", "2", "--log-level", "error"],
        env={**server_env(tmp_path), "OPENBLAS_NUM_THREADS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # bounded wait for start-up, not a timing assertion
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=30) as c:  # one keep-alive connection
            body = {"age": 40, "sex": "male", "answers": [{"finding": "site_calf", "state": "present"}]}
            for _ in range(3):
                r = c.post("/v1/assess", json=body)
                assert r.status_code == 200
                assert r.json()["kb_version"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    out = proc.stdout.read().decode() if proc.stdout else ""
    assert f"serving on http://127.0.0.1:{port}/" in out


def test_run_parses_http_in_c_on_asyncio_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """One worker: uvicorn gets httptools and asyncio's loop (uvloop starves connections under load)."""
    import uvicorn

    seen: list[uvicorn.Config] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: seen.append(self.config))
    from crampcheck.api.server import run

    run("127.0.0.1", free_port(), workers=1)
    (config,) = seen
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    # httptools (C), with the head-size and slow-client limits of crampcheck.api.protocol
    assert isinstance(config.http, type) and issubclass(config.http, HttpToolsProtocol)
    # asyncio's selector loop (crampcheck.api.loop: quiet at descriptor exhaustion, with the connection cap)
    import asyncio

    from crampcheck.api.server import LOOP

    loop = config.get_loop_factory()()  # type: ignore[misc]
    try:
        assert config.loop == LOOP and type(loop).__mro__[1] is asyncio.SelectorEventLoop
    finally:
        loop.close()
    assert config.factory and config.app == "crampcheck.api.app:create_app"
