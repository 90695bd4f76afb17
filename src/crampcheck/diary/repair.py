"""Rows stored before the diary had bounds (issue 15: a cramp dated 0001 or 9999 from an early API, CSV import
or command line): find them, keep a copy, remove them (``crampcheck diary repair``).

Until they are removed they are harmless: the analyses, the doctor report and the FHIR export read only rows
within the bounds (``crampcheck.diary.service.episode_table``, ``crampcheck.diary.fhir``), and the lists show
them so that they can be seen and deleted one by one.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from crampcheck.diary.bounds import MIN_DAY, MIN_TIME, latest_day, latest_time
from crampcheck.storage.models import Episode, Exposure, User


@dataclass(frozen=True)
class BadRow:
    table: str  # "episodes" or "exposures"
    id: int
    user: str
    when: str  # the stored time or day, as text
    row: dict[str, Any]


def _row(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in obj.__table__.columns:
        v = getattr(obj, col.key)
        out[col.key] = v.isoformat() if isinstance(v, dt.date | dt.datetime) else v
    return out


def find(session: Session) -> list[BadRow]:
    """Every episode and daily record, of every user, whose time or day is outside the diary's bounds."""
    names = dict(session.execute(select(User.id, User.name)).all())
    out: list[BadRow] = []
    late = latest_time()
    for e in session.scalars(
        select(Episode).where(or_(Episode.started_at < MIN_TIME, Episode.started_at > late)).order_by(Episode.id)
    ):
        out.append(
            BadRow("episodes", e.id, names.get(e.user_id, str(e.user_id)), e.started_at.isoformat(), _row(e))
        )
    last_day = latest_day()
    for x in session.scalars(
        select(Exposure).where(or_(Exposure.day < MIN_DAY, Exposure.day > last_day)).order_by(Exposure.id)
    ):
        out.append(BadRow("exposures", x.id, names.get(x.user_id, str(x.user_id)), x.day.isoformat(), _row(x)))
    return out


def quarantine(rows: list[BadRow], path: Path) -> None:
    """Write ``rows`` to a CSV file (table, id, user, when, and the whole row as JSON) before they go."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["table", "id", "user", "when", "row"])
        for r in rows:
            w.writerow([r.table, r.id, r.user, r.when, json.dumps(r.row, ensure_ascii=False)])


def remove(session: Session, rows: list[BadRow]) -> int:
    """Delete ``rows`` (the caller commits); how many went."""
    n = 0
    for table, model in (("episodes", Episode), ("exposures", Exposure)):
        ids = [r.id for r in rows if r.table == table]
        if ids:
            n += session.execute(delete(model).where(model.id.in_(ids))).rowcount or 0  # type: ignore[attr-defined]
    return n
