"""Diary services: verbs with keyword-only arguments that every interface (CLI, API, web) calls.

Each takes a SQLAlchemy ``session`` (the caller owns the transaction) and the owner's ``user_id``,
works through :mod:`crampcheck.storage.repo` (which scopes every query to that user) and raises
domain errors from :mod:`crampcheck.diary.errors`, never HTTP errors.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crampcheck.diary import records
from crampcheck.diary.bounds import CONTROL
from crampcheck.diary.errors import AuthError, ConflictError, FieldError, NotFoundError
from crampcheck.diary.fields import EXPOSURE_COLUMNS, EXPOSURE_FIELDS
from crampcheck.diary.records import StoredAssessment
from crampcheck.diary.schemas import (
    AssessmentSaved,
    EpisodeCreate,
    EpisodePublic,
    EpisodeUpdate,
    ExposureIn,
    ExposurePublic,
)
from crampcheck.diary.triggers import TriggerReport
from crampcheck.schema import Assessment
from crampcheck.storage import repo
from crampcheck.storage.models import AssessmentRecord, Episode, Exposure, User


def first_error(exc: ValidationError) -> FieldError:
    """The first problem of a pydantic validation error as a :class:`FieldError` naming the field."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "body"
    return FieldError(field, err["msg"])


# users ------------------------------------------------------------------------------------------


def ensure_user(*, session: Session, name: str) -> User:
    """The user called ``name``, created (without a token) if new; a name is 1 to 64 characters, without
    control characters or surrounding spaces."""
    user = repo.user_by_name(session, name)
    if user is not None:
        return user
    if not name or name != name.strip() or len(name) > 64 or CONTROL.search(name):
        raise FieldError("name", "a user name is 1 to 64 characters, without control characters or outer spaces")
    return repo.add_user(session, name)


def issue_token(*, session: Session, name: str) -> str:
    """Create ``name`` if needed and give it a new bearer token (the old one stops working).

    The token is returned once; only its sha256 is stored.
    """
    user = ensure_user(session=session, name=name)
    token = secrets.token_urlsafe(32)
    user.token_hash = repo.hash_token(token)
    session.flush()
    return token


def revoke_token(*, session: Session, token: str) -> bool:
    """Make ``token`` stop working (signing out of the web diary); True if it was a live token."""
    user = repo.user_by_token_hash(session, repo.hash_token(token))
    if user is None:
        return False
    user.token_hash = None
    session.flush()
    return True


def user_for_token(*, session: Session, token: str) -> User:
    user = repo.user_by_token_hash(session, repo.hash_token(token))
    if user is None:
        raise AuthError("unknown bearer token; ask for a new one with `crampcheck diary token NAME`")
    return user


# episodes ---------------------------------------------------------------------------------------


def _episode_public(row: Episode) -> EpisodePublic:
    return EpisodePublic.model_validate(row)


def add_episode(
    *, session: Session, user_id: int, episode: EpisodeCreate, source: str = "manual"
) -> EpisodePublic:
    row = Episode(user_id=user_id, source=source, **episode.model_dump())
    session.add(row)
    session.flush()
    return _episode_public(row)


def get_episode(*, session: Session, user_id: int, episode_id: int) -> EpisodePublic:
    row = repo.episode(session, user_id, episode_id)
    if row is None:
        raise NotFoundError("episode", episode_id)
    return _episode_public(row)


def list_episodes(
    *,
    session: Session,
    user_id: int,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> list[EpisodePublic]:
    rows = repo.episodes(
        session, user_id, since=since, until=until, limit=limit, offset=offset, newest_first=newest_first
    )
    return [_episode_public(r) for r in rows]


def update_episode(*, session: Session, user_id: int, episode_id: int, changes: EpisodeUpdate) -> EpisodePublic:
    row = repo.episode(session, user_id, episode_id)
    if row is None:
        raise NotFoundError("episode", episode_id)
    data = changes.model_dump(exclude_unset=True)
    for key in ("started_at", "muscle", "severity"):
        if key in data and data[key] is None:
            raise FieldError(key, "cannot be emptied")
    for key, value in data.items():
        setattr(row, key, value)
    session.flush()
    return _episode_public(row)


def delete_episode(*, session: Session, user_id: int, episode_id: int) -> None:
    if not repo.delete_episode(session, user_id, episode_id):
        raise NotFoundError("episode", episode_id)


# exposures --------------------------------------------------------------------------------------


LIST_FIELDS = tuple(f.name for f in EXPOSURE_FIELDS if f.type == "list")  # stored as the items joined by ';'


def _exposure_public(row: Exposure) -> ExposurePublic:
    data = {c: getattr(row, c) for c in EXPOSURE_COLUMNS}
    for name in LIST_FIELDS:
        data[name] = [m for m in (data[name] or "").split(";") if m]
    return ExposurePublic(id=row.id, **data)


def exposure_row_values(exposure: ExposureIn | ExposurePublic) -> dict[str, Any]:
    data = exposure.model_dump(exclude={"id"})
    for name in LIST_FIELDS:
        data[name] = ";".join(data[name]) or None
    return data


def put_exposure(*, session: Session, user_id: int, exposure: ExposureIn) -> ExposurePublic:
    """Record (or replace) what one day was like."""
    values = exposure_row_values(exposure)
    row = repo.exposure(session, user_id, exposure.day)
    if row is None:
        row = Exposure(user_id=user_id, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    try:
        session.flush()
    except IntegrityError:
        raise ConflictError(f"an exposure record for {exposure.day} was written at the same time; retry") from None
    return _exposure_public(row)


def get_exposure(*, session: Session, user_id: int, day: dt.date) -> ExposurePublic:
    row = repo.exposure(session, user_id, day)
    if row is None:
        raise NotFoundError("exposure record for", day.isoformat())
    return _exposure_public(row)


def list_exposures(
    *, session: Session, user_id: int, since: dt.date | None = None, until: dt.date | None = None
) -> list[ExposurePublic]:
    return [_exposure_public(r) for r in repo.exposures(session, user_id, since=since, until=until)]


def delete_exposure(*, session: Session, user_id: int, day: dt.date) -> None:
    if not repo.delete_exposure(session, user_id, day):
        raise NotFoundError("exposure record for", day.isoformat())


# assessments ------------------------------------------------------------------------------------


def _saved(r: AssessmentRecord) -> AssessmentSaved:
    return AssessmentSaved(
        id=r.id,
        created_at=r.created_at,
        kb_version=r.kb_version,
        lang=r.lang,
        triage_level=r.triage_level,
        record_version=r.record_version,
    )


def save_assessment(
    *, session: Session, user_id: int, assessment: Assessment, created_at: dt.datetime | None = None
) -> AssessmentSaved:
    """Store an assessment as a versioned record (:class:`StoredAssessment`, JSON) with the knowledge-base
    version that produced it."""
    record = StoredAssessment.from_assessment(assessment)
    row = repo.add_assessment(
        session,
        AssessmentRecord(
            user_id=user_id,
            created_at=created_at or dt.datetime.now().replace(microsecond=0),
            kb_version=record.kb_version,
            lang=record.lang,
            triage_level=record.triage.level,
            payload=records.dump(record),
            record_version=record.record_version,
        ),
    )
    return _saved(row)


def delete_assessment(*, session: Session, user_id: int, assessment_id: int) -> None:
    if not repo.delete_assessment(session, user_id, assessment_id):
        raise NotFoundError("assessment", assessment_id)


def latest_assessment(*, session: Session, user_id: int) -> tuple[AssessmentSaved, StoredAssessment] | None:
    """The newest saved assessment, read back whatever version of the record it was written in."""
    rows = repo.assessments(session, user_id, limit=1)
    if not rows:
        return None
    return _saved(rows[0]), records.load(rows[0].payload)


def list_assessments(*, session: Session, user_id: int, limit: int = 50) -> list[AssessmentSaved]:
    return [_saved(r) for r in repo.assessments(session, user_id, limit=limit)]


# tables, statistics, chart data -----------------------------------------------------------------


def episode_table(*, session: Session, user_id: int) -> pd.DataFrame:
    """The episodes the analyses, charts and report read: those within the diary's bounds (a row stored
    before the bounds existed is listed, but not analysed; ``crampcheck diary repair`` removes it)."""
    from crampcheck.diary.readmodel import read_diary

    return read_diary(session=session, user_id=user_id).episode_table


def exposure_table(*, session: Session, user_id: int) -> pd.DataFrame:
    """The daily records the analyses read: those within the diary's bounds (see :func:`episode_table`)."""
    from crampcheck.diary.readmodel import read_diary

    return read_diary(session=session, user_id=user_id).exposure_table


class DiarySummary(BaseModel):
    episodes: int
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    days_recorded: int = Field(description="days with an exposure record")
    mean_severity: float | None = None
    mean_duration_s: float | None = None
    by_muscle: dict[str, int] = Field(default_factory=dict)
    by_side: dict[str, int] = Field(default_factory=dict)
    by_hour: list[int] = Field(default_factory=lambda: [0] * 24)
    by_month: dict[str, int] = Field(default_factory=dict)
    per_week_last_4: float | None = None
    medicines: dict[str, int] = Field(default_factory=dict, description="medicine -> days taken")
    activities: dict[str, int] = Field(default_factory=dict)
    reliefs: dict[str, int] = Field(default_factory=dict)


def summarize(episodes: pd.DataFrame, exposures: pd.DataFrame) -> DiarySummary:
    """Counts for the stats command, the report and the charts (pure)."""
    s = DiarySummary(episodes=len(episodes), days_recorded=len(exposures))
    if len(exposures):
        meds: Counter[str] = Counter()
        for v in exposures["medicines"]:
            if isinstance(v, str):
                meds.update(m for m in v.split(";") if m)
            elif isinstance(v, list):
                meds.update(v)
        s.medicines = dict(meds.most_common())
    if not len(episodes):
        return s
    t = pd.to_datetime(episodes["started_at"])
    s.first, s.last = t.min().to_pydatetime(), t.max().to_pydatetime()
    s.mean_severity = round(float(episodes["severity"].mean()), 2)
    dur = pd.to_numeric(episodes["duration_s"], errors="coerce").dropna()
    s.mean_duration_s = round(float(dur.mean()), 1) if len(dur) else None
    s.by_muscle = {str(k): int(v) for k, v in episodes["muscle"].value_counts().items()}
    s.by_side = {str(k): int(v) for k, v in episodes["side"].dropna().value_counts().items()}
    hours = t.dt.hour.value_counts()
    s.by_hour = [int(hours.get(h, 0)) for h in range(24)]
    s.by_month = {str(k): int(v) for k, v in t.dt.strftime("%Y-%m").value_counts().sort_index().items()}
    last = t.max()
    s.per_week_last_4 = round(float((t > last - pd.Timedelta(days=28)).sum()) / 4.0, 2)
    for col, target in (("activity", s.activities), ("relief", s.reliefs)):
        if col in episodes:
            target.update({str(k): int(v) for k, v in episodes[col].dropna().value_counts().head(10).items()})
    return s


def diary_summary(*, session: Session, user_id: int) -> DiarySummary:
    from crampcheck.diary.readmodel import read_diary

    return read_diary(session=session, user_id=user_id).summary


def trigger_report(*, session: Session, user_id: int, lang: str = "en") -> TriggerReport:
    from crampcheck.diary.readmodel import read_diary

    return read_diary(session=session, user_id=user_id, lang=lang).triggers


def chart_data(*, session: Session, user_id: int, lang: str = "en") -> dict[str, Any]:
    """The numbers behind every chart, as JSON-ready data (the web app draws them itself)."""
    from crampcheck.diary.readmodel import read_diary

    return read_diary(session=session, user_id=user_id, lang=lang).chart_data()
