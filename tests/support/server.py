"""Starting a real uvicorn server on a free loopback port for a test, and waiting until it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a test server: a temporary data directory, never the user's real diary."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPCHECK_")}
    env.update({"PYTHONUNBUFFERED": "1", "CRAMPCHECK_DATA_DIR": str(data_dir), **extra})
    return env


def start_uvicorn(
    app: str,
    *,
    env: dict[str, str],
    probe: str,
    factory: bool = False,
    app_dir: Path | None = None,
    log: IO[bytes] | int = subprocess.PIPE,
    attempts: int = 600,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``uvicorn app`` and return (process, base URL) once ``probe`` answers 200.

    Waiting is bounded by a number of attempts (0.1 s apart), not asserted as a timing.
    """
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    if factory:
        cmd.insert(3, "--factory")
    if app_dir is not None:
        cmd += ["--app-dir", str(app_dir)]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(attempts):
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise RuntimeError(f"the server exited at start:\n{out}")
        try:
            if httpx.get(base + probe, timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop(proc)
    raise RuntimeError(f"the server did not answer {probe}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
