"""Storage fixtures: every test taking ``db`` runs once on SQLite and once on a real PostgreSQL.

The PostgreSQL server is started for the session from the machine's own binaries
(/usr/lib/postgresql/*/bin): ``initdb`` into a temporary folder and ``postgres`` on a free
loopback port, as the unprivileged user ``nobody`` when the tests run as root (postgres refuses
root). The PostgreSQL half is skipped, with the reason, only when those binaries are absent.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from crampcheck.settings import Settings
from crampcheck.storage.db import Database, make_engine, upgrade


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "nobody", "--", *cmd]
    return cmd


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A running PostgreSQL; yields a URL template with ``{db}`` for the database name."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="crampcheck-pg-"))
    data = root / "data"
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "nobody", "nogroup")
    subprocess.run(
        _as_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "crampcheck",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = open(root / "log.txt", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        _as_user(
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                # TCP only: a Unix socket under a long temporary path would exceed the 107-byte limit
                "-k",
                "",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
            ]
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    import psycopg

    base = f"host=127.0.0.1 port={port} user=crampcheck dbname=postgres"
    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(base, connect_timeout=2).close()
            break
        except psycopg.OperationalError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"postgres did not start: {(root / 'log.txt').read_text()[-2000:]}") from None
            time.sleep(0.1)
    try:
        yield f"postgresql+psycopg://crampcheck@127.0.0.1:{port}/{{db}}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def _create_pg_database(template: str) -> str:
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    url = template.format(db="postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return template.format(db=name)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'diary.sqlite'}"
    template = request.getfixturevalue("postgres_server")
    return _create_pg_database(template)


@pytest.fixture
def db(empty_url: str) -> Iterator[Database]:
    """A migrated database on each backend."""
    engine = make_engine(empty_url)
    upgrade(engine)
    database = Database(engine)
    yield database
    database.dispose()


@pytest.fixture
def settings_for(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(url: str) -> Settings:
        return Settings.from_env({"CRAMPCHECK_DATA_DIR": str(tmp_path), "CRAMPCHECK_DATABASE_URL": url})

    return make
