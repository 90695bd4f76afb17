"""The diary's request and response models (one vocabulary per resource: Create, Update, Public)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crampcheck.diary.bounds import DiaryDay, DiaryTime, check_optional_text, check_text

Muscle = Literal["hand", "forearm", "calf", "foot", "thigh", "trunk", "jaw_face", "other"]
Side = Literal["left", "right", "both"]
Intensity = Literal["none", "light", "moderate", "hard"]
CyclePhase = Literal["menstruation", "follicular", "ovulation", "luteal"]
Source = Literal["manual", "import", "api"]


def _blank_to_none(v: object) -> object:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


class EpisodeBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duration_s: int | None = Field(default=None, ge=0, le=86_400, description="how long it lasted, seconds")
    side: Side | None = Field(default=None, description="left, right or both")
    activity: str | None = Field(default=None, max_length=200, description="what you were doing")
    relief: str | None = Field(default=None, max_length=200, description="what relieved it")
    note: str | None = Field(default=None, max_length=2000)

    _blank = field_validator("activity", "relief", "note", mode="before")(_blank_to_none)
    _clean = field_validator("activity", "relief", "note")(check_optional_text)


class EpisodeCreate(EpisodeBase):
    started_at: DiaryTime = Field(
        description="local time the cramp began, e.g. 2024-05-01T03:10 (from 1900-01-01 to now)"
    )
    muscle: Muscle = Field(description="which muscle: hand, forearm, calf, foot, thigh, trunk, jaw_face, other")
    severity: int = Field(ge=0, le=10, description="0 (none) to 10 (worst imaginable)")

    @field_validator("started_at")
    @classmethod
    def _naive_local(cls, v: dt.datetime) -> dt.datetime:
        # the diary keeps local wall-clock time; an aware time is converted to its own local reading
        return v.replace(tzinfo=None)


class EpisodeUpdate(EpisodeBase):
    started_at: DiaryTime | None = None
    muscle: Muscle | None = None
    severity: int | None = Field(default=None, ge=0, le=10)


class EpisodePublic(EpisodeCreate):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    # what is stored is shown as it is (rows written before the bounds existed stay readable)
    started_at: dt.datetime = Field(description="local time the cramp began")
    _clean = field_validator("activity", "relief", "note")(lambda v: v)
    id: int
    source: Source = "manual"


class ExposureIn(BaseModel):
    """What one day was like; every field is optional (unknown stays empty)."""

    model_config = ConfigDict(extra="forbid")

    day: DiaryDay = Field(description="the day, from 1900-01-01 to today")
    exercise_minutes: float | None = Field(default=None, ge=0, le=1440)
    exercise_intensity: Intensity | None = None
    sleep_hours: float | None = Field(default=None, ge=0, le=24)
    fluids_l: float | None = Field(default=None, ge=0, le=20, description="litres drunk")
    alcohol_units: float | None = Field(default=None, ge=0, le=100)
    caffeine_mg: float | None = Field(default=None, ge=0, le=5000)
    cold: bool | None = Field(default=None, description="exposed to cold (cold room, cold water, winter outdoors)")
    hand_use_hours: float | None = Field(
        default=None, ge=0, le=24, description="hours of typing, writing, gripping"
    )
    medicines: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    menstrual_phase: CyclePhase | None = None
    pregnant: bool | None = None
    note: str | None = Field(default=None, max_length=2000)

    _blank = field_validator("note", mode="before")(_blank_to_none)
    _clean = field_validator("note")(check_optional_text)

    @field_validator("medicines")
    @classmethod
    def _clean_medicines(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for name in v:
            name = check_text(name.strip())
            if ";" in name:
                raise ValueError(f"medicine name {name!r} must not contain ';'")
            if name and name not in out:
                out.append(name)
        return out


class ExposurePublic(ExposureIn):
    day: dt.date  # as stored
    _clean = field_validator("note")(lambda v: v)
    id: int


class AssessmentSaved(BaseModel):
    id: int
    created_at: dt.datetime
    kb_version: str
    lang: str
    triage_level: str
