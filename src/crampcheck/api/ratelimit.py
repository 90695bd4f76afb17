"""A limit on wrong sign-in tokens (issue 15), per client address, in memory: a sliding window of failures.

Signing in takes only a token (there is no user name to count against), and every request with a bearer token
or the sign-in cookie is a sign-in too, so the failures are counted per client address: IPv4 as it is, IPv6
by its /64 network (one machine usually has a whole /64). After ``MAX_FAILURES`` wrong tokens within
``WINDOW_S`` seconds, every request from that address that carries a token gets 429 with ``Retry-After``
(problem+json from the API, a page from the web form) until the oldest failure leaves the window; a correct
token is not even checked meanwhile, so the limit cannot be stepped around. Requests without a token (the
local user, the public pages) are never limited. Behind a reverse proxy start the server with
``--proxy-headers`` so that the address is the client's, not the proxy's.

The windows live in this process (each worker of ``--workers N`` keeps its own, so the limit is at most N
times looser) and are bounded in number (``MAX_KEYS``; the stalest go first). Tokens are 256-bit random
values, so the limit is a second line: it turns a scripted guesser into a slow one and makes it visible in the
log, once per address and window.

A library such as ``limits`` would keep the same in-memory windows; its value is in shared back ends (Redis,
memcached) that a one-process diary server does not have, so the forty lines here are enough.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

log = logging.getLogger(__name__)

MAX_FAILURES = 10
WINDOW_S = 60.0
MAX_KEYS = 10_000


class RateLimited(Exception):
    """Too many wrong tokens from this client; try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many wrong tokens; try again in {retry_after} s")
        self.retry_after = retry_after


def client_key(host: str | None) -> str:
    """The address a limit counts against: IPv4 as it is, IPv6 by its /64, anything else by its text."""
    if not host:
        return "?"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class FailureLimiter:
    """Sliding windows of failure times per key (thread-safe: sync routes run in the thread pool)."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.max_keys = max_keys
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _window(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def check(self, key: str) -> None:
        """Raise :class:`RateLimited` when ``key`` has used up its failures in the window."""
        with self._lock:
            now = self.clock()
            times = self._window(key, now)
            if times is not None and len(times) >= self.max_failures:
                raise RateLimited(max(1, math.ceil(times[0] + self.window_s - now)))

    def failed(self, key: str) -> None:
        """Count one failure for ``key`` (logged when it reaches the limit)."""
        with self._lock:
            now = self.clock()
            times = self._window(key, now)
            if times is None:
                times = self._failures[key] = deque(maxlen=self.max_failures)
            times.append(now)
            self._failures.move_to_end(key)
            if len(times) == self.max_failures:
                log.warning(
                    "sign-in: %d wrong tokens from %s within %.0f s; refusing its tokens for a while",
                    len(times),
                    key,
                    self.window_s,
                )
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()


signin_failures = FailureLimiter()
