"""Running the app with uvicorn: one process, or several worker processes sharing one listening socket.

With ``--workers`` above 1, uvicorn (0.54) binds the shared socket itself with ``proto`` 0. Accepted
connections inherit that, and asyncio only switches on TCP_NODELAY for sockets that report IPPROTO_TCP, so
Nagle's algorithm stays on and every keep-alive request after the first waits about 40 ms for the client's
delayed ACK (uvicorn issue #3149; measured here: /healthz at 44 ms p50 with 2 workers against 0.3 ms with
one). :func:`bind_tcp_socket` binds the socket with the protocol named, and :func:`run` hands it to
uvicorn's own multiprocess supervisor.

HTTP is parsed by httptools (C). The event loop is asyncio's, never uvloop even when installed: assessments
run on the loop, and with the CPU saturated uvloop served some connections seconds late (``/v1/assess`` at
64 connections, one worker: p99 2.9-3.1 s with uvloop against 113 ms with asyncio, at the same throughput).
"""

from __future__ import annotations

import os
import socket

APP = "crampcheck.api.app:create_app"
MAX_CONNECTIONS = 2000
FD_RESERVE = 64  # descriptors kept for the database, logs, the listening socket and the thread pool
LOOP = "crampcheck.api.loop:loop_factory"  # asyncio's selector loop, quiet at descriptor exhaustion


def connection_cap(env: dict[str, str] | None = None) -> int:
    """How many connections the server keeps open at once: ``MAX_CONNECTIONS`` (or
    ``CRAMPCHECK_MAX_CONNECTIONS``), but never more than the open-file limit leaves room for. The soft limit
    is first raised to the hard one (up to 65,536), as servers do."""
    env = dict(os.environ) if env is None else env
    wanted = MAX_CONNECTIONS
    raw = env.get("CRAMPCHECK_MAX_CONNECTIONS", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise ValueError(f"CRAMPCHECK_MAX_CONNECTIONS={raw!r} is not a positive whole number")
        wanted = int(raw)
    try:
        import resource
    except ImportError:  # not on a Unix system
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    target = min(target, 65536)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - FD_RESERVE))


def bind_tcp_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on (host, port) whose accepted connections get TCP_NODELAY."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def run(
    host: str,
    port: int,
    workers: int = 1,
    log_level: str = "warning",
    app: str = APP,
    proxy_headers: bool = False,
    trusted_proxies: str = "127.0.0.1,::1",
) -> None:
    """Serve the app (``app``: the import string of an app factory) until interrupted (raises OSError when
    the address cannot be used).

    With ``proxy_headers``, uvicorn's own ProxyHeadersMiddleware takes the client address and the scheme from
    ``X-Forwarded-For`` / ``X-Forwarded-Proto`` of a peer in ``trusted_proxies`` (addresses or networks,
    comma-separated, ``*`` any) and ignores them from any other peer. A request that reached the proxy over
    https then has the scheme https, and the sign-in and CSRF cookies are ``Secure``. The headers stay in the
    request, so the tokenless local user is never granted to a proxied request (crampcheck.api.diary)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from crampcheck.api.protocol import LimitedHttpToolsProtocol

    config = uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        http=LimitedHttpToolsProtocol,  # httptools with head size, header count and slow-client limits
        loop=LOOP,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=trusted_proxies,
        server_header=False,
        # beyond this, a new connection gets 503 and is closed at once (crampcheck.api.protocol)
        limit_concurrency=connection_cap(),
    )
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    sock = bind_tcp_socket(host, port)
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
