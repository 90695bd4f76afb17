"""The database schema as SQLAlchemy 2 models (the head revision of the Alembic migrations).

Times are the person's local wall-clock time without a zone (a diary is about "at 3 am", not UTC).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The allowed values, bounds and words of every diary column are defined once, in crampcheck/diary/fields.yaml;
# these models only say how each is stored.


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # sha256 hex of the bearer token; the token itself is never stored
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class Episode(Base):
    __tablename__ = "episodes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    duration_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    muscle: Mapped[str] = mapped_column(String(16))
    side: Mapped[str | None] = mapped_column(String(8), nullable=True)
    severity: Mapped[int] = mapped_column(Integer)
    activity: Mapped[str | None] = mapped_column(String(200), nullable=True)
    relief: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # added in migration 0002: where the entry came from (manual, import, api)
    source: Mapped[str] = mapped_column(String(16), server_default="manual", default="manual")


class Exposure(Base):
    """What one day was like: one row per user and diary day."""

    __tablename__ = "exposures"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_exposures_user_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    exercise_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    exercise_intensity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    sleep_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    fluids_l: Mapped[float | None] = mapped_column(Float, nullable=True)
    alcohol_units: Mapped[float | None] = mapped_column(Float, nullable=True)
    caffeine_mg: Mapped[float | None] = mapped_column(Float, nullable=True)
    cold: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    hand_use_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    # medicine names separated by ';'
    medicines: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # added in migration 0002
    menstrual_phase: Mapped[str | None] = mapped_column(String(16), nullable=True)
    pregnant: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class AssessmentRecord(Base):
    """A saved assessment (``crampcheck.diary.records.StoredAssessment``, JSON in ``payload``) with the
    knowledge-base version that produced it and the version of the record's layout."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    kb_version: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    triage_level: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    # added in migration 0003: 0 = the bare API response of earlier versions, 1 = StoredAssessment
    record_version: Mapped[int] = mapped_column(Integer, server_default="0", default=0)
