"""``crampcheck serve``: run the HTTP API and the web app with uvicorn on one address."""

from __future__ import annotations

import os

import typer

from crampcheck.errors import N_


def serve_command(
    host: str = typer.Option(
        "127.0.0.1", "--host", help=N_("Address to listen on (default: this computer only).")
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help=N_("TCP port.")),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help=N_("Worker processes (one per CPU core).")),
    log_level: str = typer.Option("warning", "--log-level", help=N_("uvicorn log level: info, warning, error.")),
    proxy_headers: bool = typer.Option(
        False,
        "--proxy-headers",
        help=N_(
            "Behind a reverse proxy: take the client address and https from X-Forwarded-For/-Proto, but only "
            "from a trusted proxy (--forwarded-allow-ips); over https the sign-in cookie is Secure."
        ),
    ),
    forwarded_allow_ips: str | None = typer.Option(
        None,
        "--forwarded-allow-ips",
        help=N_(
            "Trusted proxies for --proxy-headers: addresses or networks, comma-separated ('*' any; default "
            "CRAMPCHECK_TRUSTED_PROXIES or 127.0.0.1,::1). Implies --proxy-headers."
        ),
    ),
    allowed_host: list[str] = typer.Option(
        [],
        "--allowed-host",
        help=N_(
            "Another host name the server answers to (repeatable; '.example.org' also allows its subdomains). "
            "Loopback names and the --host address are always allowed."
        ),
    ),
) -> None:
    """Serve the web app and the HTTP API (docs at /docs). Information, not a diagnosis."""
    # Concurrency comes from requests; a BLAS thread pool per request only fights over the cores.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from crampcheck.api.server import run

    if log_level not in ("critical", "error", "warning", "info", "debug", "trace"):
        typer.echo(f"error: unknown log level '{log_level}'; use error, warning, info or debug", err=True)
        raise typer.Exit(2)
    from crampcheck.errors import InputError
    from crampcheck.settings import Settings, get_settings

    # the app factory reads these in every worker process (crampcheck.settings)
    os.environ["CRAMPCHECK_LISTEN_HOST"] = host
    if forwarded_allow_ips is not None:
        os.environ["CRAMPCHECK_TRUSTED_PROXIES"] = forwarded_allow_ips
        proxy_headers = True
    if allowed_host:
        extra = os.environ.get("CRAMPCHECK_ALLOWED_HOSTS", "")
        os.environ["CRAMPCHECK_ALLOWED_HOSTS"] = ",".join(filter(None, [extra, *allowed_host]))
    get_settings.cache_clear()
    try:
        settings = Settings.from_env()
    except InputError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    shown = f"[{host}]" if ":" in host else host
    typer.echo(
        f"crampcheck: serving on http://{shown}:{port}/  (API docs: http://{shown}:{port}/docs; Ctrl+C stops)"
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo("note: listening beyond this computer; put it behind HTTPS before others use it", err=True)
        if settings.local_no_token:
            typer.echo("note: the tokenless local user is off (it exists only on a loopback address)", err=True)
    if proxy_headers:
        typer.echo(f"note: proxy headers are believed from {settings.trusted_proxies} only", err=True)
    try:
        run(
            host,
            port,
            workers=workers,
            log_level=log_level,
            proxy_headers=proxy_headers,
            trusted_proxies=settings.trusted_proxies,
        )
    except OSError as e:
        typer.echo(f"error: cannot listen on {host}:{port}: {e.strerror or e}", err=True)
        raise typer.Exit(2) from None
    except ValueError as e:  # a bad CRAMPCHECK_MAX_CONNECTIONS
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
