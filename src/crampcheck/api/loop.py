"""Quiet, bounded behaviour when the server runs out of file descriptors (issue 15: 186,365 tracebacks in 40 s).

asyncio's accept loop (``BaseSelectorEventLoop._accept_connection``, CPython 3.11-3.13) logs a traceback for
an EMFILE/ENFILE/ENOBUFS/ENOMEM from ``accept()`` and schedules a retry, but then goes on calling ``accept()``
up to the backlog (2,048 with uvicorn) times in the same tick: thousands of tracebacks and retry timers per
second while the descriptors stay exhausted. :class:`QuietAcceptLoop` stops at the first such error, retries
after ``ACCEPT_RETRY_DELAY`` (1 s) as asyncio does, and logs one line per ``LOG_INTERVAL_S`` with the number of
failures since the last line (no traceback). uvicorn takes it with ``loop="crampcheck.api.loop:loop_factory"``.

:class:`RepeatFilter` does the same for uvicorn's per-request warnings that a flood repeats ("Exceeded
concurrency limit.", "Invalid HTTP request received.").

The connection cap (``crampcheck.api.server.connection_cap``: at most 2,000, and never more than the open-file
limit leaves room for) is enforced here too, at ``accept()``: a connection beyond it gets 503 and is closed in
the same tick, so the descriptors do not run out in the first place.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import inspect
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("crampcheck.server")

LOG_INTERVAL_S = 10.0
RESOURCE_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
QUIETED = ("Exceeded concurrency limit.", "Invalid HTTP request received.")


class Throttle:
    """``ready()`` is True at most once per interval; ``missed`` counts the calls in between."""

    def __init__(self, interval_s: float = LOG_INTERVAL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self.clock = clock
        self._last = -float("inf")
        self.missed = 0
        self._lock = threading.Lock()

    def ready(self) -> tuple[bool, int]:
        """(whether to log now, how many were not logged since the last time)."""
        with self._lock:
            now = self.clock()
            if now - self._last >= self.interval_s:
                self._last, missed, self.missed = now, self.missed, 0
                return True, missed
            self.missed += 1
            return False, 0


_accept_throttle = Throttle()


def report_accept_error(exc: OSError, throttle: Throttle = _accept_throttle) -> None:
    go, missed = throttle.ready()
    if go:
        more = f" ({missed} more since the last report)" if missed else ""
        log.error(
            "cannot accept new connections: %s (errno %s)%s; retrying each second, existing connections go on",
            exc.strerror or exc,
            errno.errorcode.get(exc.errno or 0, exc.errno),
            more,
        )


_BASE = asyncio.SelectorEventLoop
_EXPECTED = [
    "self",
    "protocol_factory",
    "sock",
    "sslcontext",
    "server",
    "backlog",
    "ssl_handshake_timeout",
    "ssl_shutdown_timeout",
]
_COMPATIBLE = (
    list(inspect.signature(_BASE._accept_connection).parameters) == _EXPECTED  # type: ignore[attr-defined]
    and hasattr(_BASE, "_accept_connection2")
    and hasattr(_BASE, "_start_serving")
)


_refusal_throttle = Throttle()


class QuietAcceptLoop(_BASE):  # type: ignore[misc,valid-type]
    """asyncio's selector loop whose accept loop stops at the first out-of-resources error, and which answers
    a connection beyond ``max_connections`` with 503 and closes it at once, in the same tick, so that its
    descriptor is free again before the next ``accept()`` (see the module)."""

    def __init__(self, max_connections: int | None = None) -> None:
        super().__init__()
        self.max_connections = max_connections
        self._accepting = 0  # accepted, transport not made yet

    def _over_cap(self) -> bool:
        cap = self.max_connections
        return cap is not None and len(self._transports) + self._accepting >= cap  # type: ignore[attr-defined]

    def _refuse(self, conn: Any) -> None:
        from crampcheck.api.protocol import raw_response

        with contextlib.suppress(OSError):
            conn.send(raw_response(503, "the server has too many connections open; try again in a moment"))
        conn.close()
        go, missed = _refusal_throttle.ready()
        if go:
            log.warning(
                "refusing connections beyond the cap of %s open ones (503)%s",
                self.max_connections,
                f"; {missed} more since the last report" if missed else "",
            )

    async def _tracked(self, accept: Any) -> None:
        try:
            await accept
        finally:
            self._accepting -= 1

    def _accept_connection(  # type: ignore[override]
        self,
        protocol_factory: Any,
        sock: Any,
        sslcontext: Any = None,
        server: Any = None,
        backlog: int = 100,
        ssl_handshake_timeout: Any = None,
        ssl_shutdown_timeout: Any = None,
    ) -> None:
        if not _COMPATIBLE:  # another Python: its own loop, and only the log filter below
            super()._accept_connection(  # type: ignore[misc]
                protocol_factory, sock, sslcontext, server, backlog, ssl_handshake_timeout, ssl_shutdown_timeout
            )
            return
        from asyncio import constants

        for _ in range(backlog):
            try:
                conn, addr = sock.accept()
                conn.setblocking(False)
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return  # nothing more to accept now
            except OSError as exc:
                if exc.errno not in RESOURCE_ERRNOS:
                    raise  # the event loop logs and ignores it
                report_accept_error(exc)
                self._remove_reader(sock.fileno())  # type: ignore[attr-defined]
                self.call_later(
                    constants.ACCEPT_RETRY_DELAY,
                    self._start_serving,  # type: ignore[attr-defined]
                    protocol_factory,
                    sock,
                    sslcontext,
                    server,
                    backlog,
                    ssl_handshake_timeout,
                    ssl_shutdown_timeout,
                )
                return  # the fix: not another accept() (and another log line and timer) in this tick
            else:
                if self._over_cap():
                    self._refuse(conn)
                    continue
                self._accepting += 1
                accept = self._accept_connection2(  # type: ignore[attr-defined]
                    protocol_factory,
                    conn,
                    {"peername": addr},
                    sslcontext,
                    server,
                    ssl_handshake_timeout,
                    ssl_shutdown_timeout,
                )
                self.create_task(self._tracked(accept))


def loop_factory() -> asyncio.AbstractEventLoop:
    """A new :class:`QuietAcceptLoop` with the connection cap of ``crampcheck serve`` (uvicorn calls the object
    a custom ``loop`` string names to make its loop: ``loop="crampcheck.api.loop:loop_factory"``)."""
    from crampcheck.api.server import connection_cap

    return QuietAcceptLoop(max_connections=connection_cap())


def uncapped_loop_factory() -> asyncio.AbstractEventLoop:
    """The quiet accept loop without a connection cap."""
    return QuietAcceptLoop()


class RepeatFilter(logging.Filter):
    """Lets each of ``messages`` through at most once per interval, with the count of the ones held back."""

    def __init__(self, messages: tuple[str, ...] = QUIETED, interval_s: float = LOG_INTERVAL_S) -> None:
        super().__init__()
        self.throttles = {m: Throttle(interval_s) for m in messages}

    def filter(self, record: logging.LogRecord) -> bool:
        throttle = self.throttles.get(str(record.msg))
        if throttle is None:
            return True
        go, missed = throttle.ready()
        if go and missed:
            record.msg = f"{record.msg} ({missed} more since the last report)"
        return go


def quiet_uvicorn_logs() -> None:
    """Install :class:`RepeatFilter` on uvicorn's error logger (once per process)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, RepeatFilter) for f in logger.filters):
        logger.addFilter(RepeatFilter())
