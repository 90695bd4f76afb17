"""uvicorn's httptools protocol with the limits a server facing other computers needs (issue 15):

* the request head (request line and headers) is at most ``MAX_HEAD_BYTES`` and ``MAX_HEADERS`` headers;
  beyond that the client gets ``431 Request Header Fields Too Large`` and the connection is closed, before
  the rest is buffered (10 unfinished 20 MB headers used to cost 237 MB);
* a client must send a complete head within ``HEAD_TIMEOUT_S`` of starting it (or of connecting), and a
  complete body within ``BODY_TIMEOUT_S`` of its head; otherwise ``408 Request Timeout`` (or, mid-body, the
  connection is closed). A client sending one byte every two seconds is disconnected, and so is a connection
  opened and never used.

Idle keep-alive connections keep uvicorn's own timeout (``timeout_keep_alive``).

Every answer the protocol writes itself, before any application runs (400 for a request httptools cannot
parse, 408, 431, 503 beyond the connection cap), is a problem+json document with the same security headers
as the application's responses (``crampcheck.api.problems.SECURITY_HEADERS``, the CSP, ``no-store``).
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from crampcheck.api.problems import CSP, SECURITY_HEADERS, T_MALFORMED

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100
HEAD_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 30.0
PROTOCOL_PROBLEMS = {
    400: T_MALFORMED,
    408: "urn:crampcheck:problem:request-timeout",
    431: "urn:crampcheck:problem:header-too-large",
    503: "urn:crampcheck:problem:too-many-connections",
}


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0
        self._raw_head_bytes = 0
        self._header_count = 0
        self._too_large = False
        self._events = 0  # message begins and head ends seen: a chunk without any is all head bytes
        self._deadline: asyncio.TimerHandle | None = None

    # -- deadlines -----------------------------------------------------------------------------------
    def _arm(self, seconds: float, in_head: bool) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired, in_head)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, in_head: bool) -> None:
        self._deadline = None
        if self.transport is None or self.transport.is_closing():
            return
        if in_head:
            self._send_and_close(408, "the request took too long to arrive")
        else:
            self.transport.close()  # mid-body: the application sees the client disconnect

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(HEAD_TIMEOUT_S, in_head=True)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # -- sizes ---------------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        events, in_head = self._events, self._in_head
        super().data_received(data)
        if (
            in_head
            and self._in_head
            and events == self._events
            and not self._too_large
            and self.parser is not None
        ):
            # the whole chunk belongs to an unfinished head: count it before the parser buffers more
            self._raw_head_bytes += len(data)
            if self._raw_head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self._send_and_close(431, "the request headers are too large")

    def send_400_response(self, msg: str) -> None:
        if self._too_large:  # raised from on_header below
            self._send_and_close(431, "the request headers are too large or too many")
        else:  # httptools could not parse the request (uvicorn's own answer is text/plain, no security headers)
            self._send_and_close(400, f"the HTTP request could not be parsed ({msg.rstrip('.')})")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._events += 1
        self._in_head = True
        self._head_bytes = self._raw_head_bytes = 0
        self._header_count = 0
        if self._deadline is None:
            self._arm(HEAD_TIMEOUT_S, in_head=True)

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._count(len(name) + len(value) + 4)
        if self._header_count > MAX_HEADERS:
            self._too_large = True
            raise ValueError("too many headers")
        super().on_header(name, value)

    def _count(self, n: int) -> None:
        self._head_bytes += n
        if self._head_bytes > MAX_HEAD_BYTES:
            self._too_large = True
            raise ValueError("request head too large")

    def on_headers_complete(self) -> None:
        self._events += 1
        self._in_head = False
        self._arm(BODY_TIMEOUT_S, in_head=False)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _send_and_close(self, status: int, msg: str) -> None:
        self._disarm()
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(raw_response(status, msg))
        self.transport.close()


def raw_response(status: int, detail: str) -> bytes:
    """A complete HTTP/1.1 problem+json response with the security headers, for answers written before any
    application runs."""
    body = json.dumps(
        {
            "type": PROTOCOL_PROBLEMS.get(status, "about:blank"),
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
        }
    ).encode()
    head = [
        STATUS_LINE[status],
        b"content-type: application/problem+json\r\n",
        b"content-length: " + str(len(body)).encode() + b"\r\n",
        b"content-security-policy: " + CSP.encode() + b"\r\n",
        *(k + b": " + v + b"\r\n" for k, v in SECURITY_HEADERS),
        b"cache-control: no-store\r\n",
        b"connection: close\r\n\r\n",
    ]
    return b"".join(head) + body
