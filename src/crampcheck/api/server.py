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

import socket

APP = "crampcheck.api.app:create_app"
MAX_CONNECTIONS = 2000


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


def run(host: str, port: int, workers: int = 1, log_level: str = "warning", app: str = APP) -> None:
    """Serve the app (``app``: the import string of an app factory) until interrupted (raises OSError when
    the address cannot be used)."""
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
        loop="asyncio",
        proxy_headers=False,
        server_header=False,
        limit_concurrency=MAX_CONNECTIONS,  # beyond this, new requests get 503 instead of exhausting descriptors
    )
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    sock = bind_tcp_socket(host, port)
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
