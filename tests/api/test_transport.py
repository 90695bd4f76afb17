"""Transport limits of ``crampcheck serve`` (issue 15): a 1 MB header or 200 headers get 431, a client that
sends one byte every two seconds or never sends anything is disconnected, private responses are not cached;
ordinary requests (an 8 KB cookie, a 200 KB body, pipelining) still work. Real server, raw sockets."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from crampcheck.api.protocol import HEAD_TIMEOUT_S
from support.serve import start_serve
from support.server import stop


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    try:
        proc, base = start_serve(tmp_path_factory.mktemp("transport"))
    except RuntimeError as e:
        pytest.fail(str(e))
    try:
        yield base, int(base.rsplit(":", 1)[1])
    finally:
        stop(proc)


def _exchange(port: int, data: bytes, timeout: float = 20) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        with contextlib.suppress(OSError):  # the server may close while a huge head is still being sent
            s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except OSError:
            pass
        return out


def test_a_one_megabyte_header_gets_431(served: tuple[str, int]) -> None:
    _, port = served
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n"
    assert _exchange(port, head).startswith(b"HTTP/1.1 431 ")


def test_a_large_header_in_one_piece_and_too_many_headers_get_431(served: tuple[str, int]) -> None:
    _, port = served
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    assert _exchange(port, head).startswith(b"HTTP/1.1 431 ")
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(200))
    assert _exchange(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"\r\n").startswith(
        b"HTTP/1.1 431 "
    )


def test_ordinary_requests_still_work(served: tuple[str, int]) -> None:
    base, port = served
    with httpx.Client(base_url=base, timeout=30) as c:
        assert c.get("/healthz", headers={"Cookie": "a=" + "b" * 8000}).status_code == 200
        body = b"started_at,muscle,severity,note\n" + b"".join(
            b"2024-05-%02dT03:10,calf,5,%s\n" % (d % 28 + 1, b"n" * 1900) for d in range(100)
        )
        assert 150_000 < len(body) < 256 * 1024
        assert c.post("/v1/diary/import", content=body).status_code == 200
    pipelined = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 50
    out = _exchange(port, pipelined + b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert out.count(b"HTTP/1.1 200 ") == 51


def test_a_slow_client_is_disconnected(served: tuple[str, int]) -> None:
    _, port = served
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        reply = b""
        for byte in b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100:
            try:
                s.sendall(bytes([byte]))
                time.sleep(2)
                s.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    reply += s.recv(4096)
                s.setblocking(True)
            except OSError:
                break
            if reply or time.monotonic() - start > 40:
                break
    took = time.monotonic() - start
    assert reply.startswith(b"HTTP/1.1 408 "), reply[:80]
    assert HEAD_TIMEOUT_S <= took < 30


def test_a_connection_never_used_is_closed(served: tuple[str, int]) -> None:
    _, port = served
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        data = s.recv(4096)
    assert time.monotonic() - start < HEAD_TIMEOUT_S + 5
    assert data == b"" or data.startswith(b"HTTP/1.1 408 ")


def test_private_responses_are_not_cached(served: tuple[str, int]) -> None:
    base, _ = served
    with httpx.Client(base_url=base, timeout=30) as c:
        for path in ("/diary", "/v1/diary/episodes", "/v1/diary/export", "/v1/diary/fhir", "/", "/healthz"):
            assert c.get(path).headers.get("cache-control") == "no-store", path
        assert "no-store" not in c.get("/static/favicon.svg").headers.get("cache-control", "")


def test_unparseable_request_gets_a_problem_with_the_security_headers(served: tuple[str, int]) -> None:
    """httptools refuses a request it cannot parse before any application runs; the answer still carries the
    headers every response has (uvicorn's own is bare text/plain)."""
    _, port = served
    for raw in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost: localhost\r\nBad\x00Header: x\r\n\r\n"):
        reply = _exchange(port, raw)
        head, _, body = reply.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").lower().split("\r\n")
        assert lines[0].startswith("http/1.1 400 "), lines[0]
        for header in (
            "content-security-policy:",
            "x-frame-options: deny",
            "x-content-type-options: nosniff",
            "cache-control: no-store",
            "content-type: application/problem+json",
        ):
            assert any(line.startswith(header) for line in lines), (header, lines)
        assert json.loads(body)["status"] == 400
