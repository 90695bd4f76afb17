"""The diary's request and response models (one vocabulary per resource: Create, Update, Public).

Their fields are those of :mod:`crampcheck.diary.fields` (``fields.yaml``), declared into each model by
:func:`~crampcheck.diary.fields.declare`; a field added there appears here, with the request rules of its type
(strict JSON types, times and days within the bounds and without an offset, text without control characters). The few fields other code reads
by name are also declared for the type checker.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from crampcheck.diary.fields import EPISODE_FIELDS, EXPOSURE_FIELDS, declare

Source = str  # one of crampcheck.diary.fields.SOURCES


class EpisodeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    declare(locals(), EPISODE_FIELDS, "create")

    if TYPE_CHECKING:
        started_at: dt.datetime
        muscle: str
        severity: int
        duration_s: int | None
        side: str | None
        activity: str | None
        relief: str | None
        note: str | None


class EpisodeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    declare(locals(), EPISODE_FIELDS, "update")

    if TYPE_CHECKING:
        started_at: dt.datetime | None
        muscle: str | None
        severity: int | None


class EpisodePublic(BaseModel):
    # what is stored is shown as it is (rows written before the bounds existed stay readable)
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    id: int
    declare(locals(), EPISODE_FIELDS, "public")
    source: Source = "manual"

    if TYPE_CHECKING:
        started_at: dt.datetime
        muscle: str
        severity: int
        duration_s: int | None
        side: str | None
        activity: str | None
        relief: str | None
        note: str | None


class ExposureIn(BaseModel):
    """What one day was like; every field but the day is optional (unknown stays empty)."""

    model_config = ConfigDict(extra="forbid")
    declare(locals(), EXPOSURE_FIELDS, "create")

    if TYPE_CHECKING:
        day: dt.date
        medicines: list[str]
        note: str | None


class ExposurePublic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    declare(locals(), EXPOSURE_FIELDS, "public")

    if TYPE_CHECKING:
        day: dt.date
        medicines: list[str]
        note: str | None


class AssessmentSaved(BaseModel):
    id: int
    created_at: dt.datetime
    kb_version: str
    lang: str
    triage_level: str
    record_version: int = Field(default=1, description="the version of the stored record's layout")
