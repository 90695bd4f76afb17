"""Engine and session factory, SQLite pragmas on connect, and programmatic Alembic upgrades.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed transaction survives a crash of
the program (the WAL is written before COMMIT returns); only a power loss can undo the last commits.
Set ``CRAMPCHECK_SQLITE_SYNCHRONOUS=FULL`` to survive that too, at some write speed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crampcheck.errors import CrampcheckError, InputError
from crampcheck.settings import Settings, get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HEAD = "head"


class StorageError(CrampcheckError):
    """The database cannot be opened or migrated."""


def _sqlite_pragmas(synchronous: str) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    return on_connect


def make_engine(url: str, *, sqlite_synchronous: str = "NORMAL") -> Engine:
    """An engine for ``url``; SQLite files get WAL + the chosen ``synchronous`` on every connection."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError(f"CRAMPCHECK_DATABASE_URL {url!r} is not a database URL: {exc}") from None
    if parsed.drivername.startswith("postgresql") and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, Any] = {}
    if parsed.drivername.startswith("sqlite"):
        db = parsed.database
        if db and db != ":memory:":
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(parsed, **kwargs)
    if parsed.drivername.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous))
    return engine


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    """Bring the schema to ``revision`` (default: the newest) inside one connection."""
    cfg = alembic_config(engine)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise StorageError(f"cannot migrate database {engine.url!r}: {exc.orig}") from None


def head_revision() -> str:
    """The newest revision of the migrations (what :func:`upgrade` brings a database to)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class Database:
    """An engine plus its session factory; one per database URL per process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessionmaker = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessionmaker() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


_lock = threading.Lock()
_open: dict[str, Database] = {}


def open_database(settings: Settings | None = None, *, migrate: bool | None = None) -> Database:
    """The process-wide :class:`Database` for ``settings`` (migrated to head on first open)."""
    settings = settings or get_settings()
    key = settings.database_url
    with _lock:
        db = _open.get(key)
        if db is None:
            engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
            if settings.auto_migrate if migrate is None else migrate:
                upgrade(engine)
            db = Database(engine)
            _open[key] = db
        return db


def close_all() -> None:
    """Dispose every cached engine (tests, shutdown)."""
    with _lock:
        for db in _open.values():
            db.dispose()
        _open.clear()
