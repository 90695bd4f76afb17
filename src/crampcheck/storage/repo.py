"""Repositories: every query of the diary tables, each scoped to one user id.

Scoping lives here, in one place, so that no caller can forget it: every function takes the
owner's ``user_id`` and never returns, changes or deletes another user's rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Boolean, Date, DateTime, Table, delete, func, insert, select
from sqlalchemy.orm import Session

from crampcheck.storage.models import AssessmentRecord, Episode, Exposure, User


def hash_token(token: str) -> str:
    """sha256 hex of a bearer token (tokens are random 32-byte strings, so no salt or KDF is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# users -------------------------------------------------------------------------------------------


def user_by_name(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def user_by_token_hash(session: Session, token_hash: str) -> User | None:
    return session.scalar(select(User).where(User.token_hash == token_hash))


def add_user(session: Session, name: str, token_hash: str | None = None) -> User:
    user = User(name=name, token_hash=token_hash)
    session.add(user)
    session.flush()
    return user


# episodes ----------------------------------------------------------------------------------------


def episode(session: Session, user_id: int, episode_id: int) -> Episode | None:
    return session.scalar(select(Episode).where(Episode.id == episode_id, Episode.user_id == user_id))


def episodes(
    session: Session,
    user_id: int,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> Sequence[Episode]:
    q = select(Episode).where(Episode.user_id == user_id)
    if since is not None:
        q = q.where(Episode.started_at >= since)
    if until is not None:
        q = q.where(Episode.started_at < until)
    order = (Episode.started_at.desc(), Episode.id.desc()) if newest_first else (Episode.started_at, Episode.id)
    q = q.order_by(*order).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return session.scalars(q).all()


def count_episodes(session: Session, user_id: int) -> int:
    return int(session.scalar(select(func.count()).where(Episode.user_id == user_id)) or 0)


def _sqlite_converter(column: Any) -> Callable[[Any], Any] | None:
    """How SQLAlchemy's SQLite types store a value (ISO text for times, 0/1 for booleans)."""
    if isinstance(column.type, DateTime):
        return lambda v: None if v is None else v.isoformat(" ", "microseconds")
    if isinstance(column.type, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(column.type, Boolean):
        return lambda v: None if v is None else int(v)
    return None


def storage_converter(session: Session, table: Table, column: str) -> Callable[[Any], Any] | None:
    """How the current dialect stores a Python value of ``column`` (None: pass it as it is).

    SQLite gets the exact text SQLAlchemy's own types would write, so bulk rows handed straight to
    the driver read back like any other.
    """
    if session.connection().dialect.name != "sqlite":
        return None
    return _sqlite_converter(table.c[column])


def bulk_insert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]],
    columns: Sequence[str] | None = None,
) -> None:
    """Insert many rows with one executemany.

    ``rows`` are dicts with the same keys, or tuples in the order of ``columns`` whose values are
    already in storage form (see :func:`storage_converter`). On SQLite they go straight to the
    driver's ``executemany`` (about 3x faster than Core's per-row parameter processing); elsewhere a
    Core ``insert`` does the same job.
    """
    if not rows:
        return
    conn = session.connection()
    if columns is None:
        dict_rows = cast(list[dict[str, Any]], list(rows))
        if conn.dialect.name != "sqlite":
            conn.execute(insert(table), dict_rows)
            return
        cols = list(dict_rows[0].keys())
        convs = [_sqlite_converter(table.c[c]) for c in cols]
        pairs = list(zip(cols, convs, strict=True))
        values = [tuple(conv(r[c]) if conv else r[c] for c, conv in pairs) for r in dict_rows]
    else:
        cols = list(columns)
        if conn.dialect.name != "sqlite":
            conn.execute(insert(table), [dict(zip(cols, r, strict=True)) for r in rows])  # type: ignore[arg-type]
            return
        values = rows  # type: ignore[assignment]
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    conn.exec_driver_sql(sql, values)  # type: ignore[arg-type]


def bulk_insert_episodes(
    session: Session,
    rows: Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]],
    columns: Sequence[str] | None = None,
) -> None:
    """Insert many episode rows (each must carry ``user_id``)."""
    bulk_insert(session, Episode.__table__, rows, columns)  # type: ignore[arg-type]


def delete_episode(session: Session, user_id: int, episode_id: int) -> bool:
    result = session.execute(delete(Episode).where(Episode.id == episode_id, Episode.user_id == user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


# exposures ---------------------------------------------------------------------------------------


def exposure(session: Session, user_id: int, day: dt.date) -> Exposure | None:
    return session.scalar(select(Exposure).where(Exposure.user_id == user_id, Exposure.day == day))


def exposures(
    session: Session, user_id: int, *, since: dt.date | None = None, until: dt.date | None = None
) -> Sequence[Exposure]:
    q = select(Exposure).where(Exposure.user_id == user_id)
    if since is not None:
        q = q.where(Exposure.day >= since)
    if until is not None:
        q = q.where(Exposure.day < until)
    return session.scalars(q.order_by(Exposure.day)).all()


def exposure_days(session: Session, user_id: int) -> set[dt.date]:
    return set(session.scalars(select(Exposure.day).where(Exposure.user_id == user_id)).all())


def bulk_insert_exposures(
    session: Session,
    rows: Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]],
    columns: Sequence[str] | None = None,
) -> None:
    bulk_insert(session, Exposure.__table__, rows, columns)  # type: ignore[arg-type]


def delete_exposure(session: Session, user_id: int, day: dt.date) -> bool:
    result = session.execute(delete(Exposure).where(Exposure.user_id == user_id, Exposure.day == day))
    return bool(result.rowcount)  # type: ignore[attr-defined]


# assessments -------------------------------------------------------------------------------------


def add_assessment(session: Session, record: AssessmentRecord) -> AssessmentRecord:
    session.add(record)
    session.flush()
    return record


def assessments(session: Session, user_id: int, *, limit: int = 50) -> Sequence[AssessmentRecord]:
    q = (
        select(AssessmentRecord)
        .where(AssessmentRecord.user_id == user_id)
        .order_by(AssessmentRecord.created_at.desc(), AssessmentRecord.id.desc())
        .limit(limit)
    )
    return session.scalars(q).all()


def delete_assessment(session: Session, user_id: int, assessment_id: int) -> bool:
    result = session.execute(
        delete(AssessmentRecord).where(AssessmentRecord.id == assessment_id, AssessmentRecord.user_id == user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def assessment(session: Session, user_id: int, assessment_id: int) -> AssessmentRecord | None:
    return session.scalar(
        select(AssessmentRecord).where(AssessmentRecord.id == assessment_id, AssessmentRecord.user_id == user_id)
    )
