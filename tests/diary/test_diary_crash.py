"""No lost data: every write the server acknowledged survives a SIGKILL of the server.

A real uvicorn process serves a minimal app with the diary router on the embedded SQLite database
(WAL, synchronous=NORMAL). Eight client threads write episodes concurrently; once a few hundred are
acknowledged the server is killed with SIGKILL mid-stream, and every acknowledged entry must be in
the database, intact.
"""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import sqlalchemy as sa

from support.server import server_env, start_uvicorn

HERE = Path(__file__).parent


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    env = server_env(tmp_path, CRAMPCHECK_LOCAL_NO_TOKEN="1")
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115
    try:
        server, root = start_uvicorn(
            "diary_http_app:app", app_dir=HERE, env=env, probe="/v1/diary/episodes", log=log
        )
    except RuntimeError as e:
        raise AssertionError(f"{e}\n" + (tmp_path / "server.log").read_text()) from None
    base = f"{root}/v1/diary"
    try:
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
