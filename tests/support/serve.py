"""``crampcheck serve`` as a user starts it, for tests of the real server (limits, stalls)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from support.server import free_port, server_env, stop


def start_serve(data: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    """``crampcheck serve`` as a user starts it, on a free port, once /healthz answers."""
    port = free_port()
    cmd = [
        sys.executable,
        "-c",
        "from crampcheck.cli.main import main; main()",
        "serve",
        "--port",
        str(port),
        *args,
    ]
    proc = subprocess.Popen(cmd, env=server_env(data), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(proc.stdout.read().decode() if proc.stdout else "exited")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop(proc)
    raise RuntimeError("the server did not start")
