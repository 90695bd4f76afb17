"""No lost data: every write the server acknowledged survives a SIGKILL of the server.

A real uvicorn process serves a minimal app with the diary router on the embedded SQLite database
(WAL, synchronous=NORMAL). Eight client threads write episodes concurrently; once a few hundred are
acknowledged the server is killed with SIGKILL mid-stream, and every acknowledged entry must be in
the database, intact.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import sqlalchemy as sa

HERE = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "CRAMPCHECK_DATA_DIR": str(tmp_path),
        "CRAMPCHECK_LOCAL_NO_TOKEN": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CRAMPCHECK_DATABASE_URL", None)
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "diary_http_app:app",
            "--app-dir",
            str(HERE),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1/diary"
    try:
        for _ in range(300):  # wait until it serves (bounded by attempts, not a timed assertion)
            try:
                if httpx.get(f"{base}/episodes", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None:
                raise AssertionError((tmp_path / "server.log").read_text())
            threading.Event().wait(0.1)
        else:
            raise AssertionError("the server did not start: " + (tmp_path / "server.log").read_text())

        acked: dict[int, str] = {}
        lock = threading.Lock()
        enough = threading.Event()
        stop = threading.Event()

        def writer(w: int) -> None:
            with httpx.Client(timeout=5) as client:
                i = 0
                while not stop.is_set():
                    note = f"writer {w} entry {i}"
                    body = {
                        "started_at": f"2024-05-01T{w:02d}:{i % 60:02d}:00",
                        "muscle": "calf",
                        "severity": i % 11,
                        "note": note,
                    }
                    try:
                        r = client.post(f"{base}/episodes", json=body)
                    except httpx.TransportError:
                        return  # the server is gone: this write was never acknowledged
                    if r.status_code == 201:
                        with lock:
                            acked[r.json()["id"]] = note
                            if len(acked) >= 400:
                                enough.set()
                    i += 1

        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(writer, w) for w in range(8)]
            enough.wait(timeout=120)
            server.send_signal(signal.SIGKILL)  # mid-stream: writes are in flight
            server.wait()
            stop.set()
            for f in futures:
                f.result()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()

    assert len(acked) >= 400, f"only {len(acked)} writes acknowledged before the kill"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'crampcheck.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        stored = dict(conn.execute(sa.text("SELECT id, note FROM episodes")).all())
    engine.dispose()
    lost = {i: n for i, n in acked.items() if stored.get(i) != n}
    assert not lost, f"{len(lost)} acknowledged writes lost, e.g. {list(lost.items())[:3]}"
