"""The diary's request and response models (one vocabulary per resource: Create, Update, Public)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from crampcheck.diary.bounds import (
    DiaryDay,
    DiaryTime,
    StoredTime,
    check_optional_text,
    check_text,
    whole_number,
)

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
    # strict: a number is a JSON number (not true, not "5"), a flag a JSON boolean, as the schema says
    model_config = ConfigDict(extra="forbid", strict=True)

    duration_s: Annotated[int, Field(ge=0, le=86_400), BeforeValidator(whole_number)] | None = Field(
        default=None, description="how long it lasted, seconds"
    )
    side: Side | None = Field(default=None, description="left, right or both")
    activity: str | None = Field(default=None, max_length=200, description="what you were doing")
    relief: str | None = Field(default=None, max_length=200, description="what relieved it")
    note: str | None = Field(default=None, max_length=2000)

    _blank = field_validator("activity", "relief", "note", mode="before")(_blank_to_none)
    _clean = field_validator("activity", "relief", "note")(check_optional_text)


class EpisodeCreate(EpisodeBase):
    started_at: DiaryTime = Field(
        description="local wall-clock time the cramp began, without a time-zone offset, e.g. 2024-05-01T03:10 "
        "(from 1900-01-01 to now)"
    )
    muscle: Muscle = Field(description="which muscle: hand, forearm, calf, foot, thigh, trunk, jaw_face, other")
    severity: Annotated[int, Field(ge=0, le=10), BeforeValidator(whole_number)] = Field(
        description="0 (none) to 10 (worst imaginable)"
    )


def _not_nullable(*names: str) -> Callable[[dict[str, Any]], None]:
    """A json_schema_extra that documents ``names`` without null: left out they keep their value, and null
    (emptying them) is refused."""

    def edit(schema: dict[str, Any]) -> None:
        for name in names:
            prop = schema["properties"][name]
            prop.pop("default", None)
            options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
            if options:
                prop.update(options[0])

    return edit


class EpisodeUpdate(EpisodeBase):
    model_config = ConfigDict(json_schema_extra=_not_nullable("started_at", "muscle", "severity"))

    # leave a field out to keep it; these three cannot be emptied
    started_at: DiaryTime | None = None
    muscle: Muscle | None = None
    severity: Annotated[int, Field(ge=0, le=10), BeforeValidator(whole_number)] | None = None


class EpisodePublic(EpisodeCreate):
    model_config = ConfigDict(extra="forbid", from_attributes=True, strict=False)

    # what is stored is shown as it is (rows written before the bounds existed stay readable)
    started_at: StoredTime = Field(description="local wall-clock time the cramp began")
    _clean = field_validator("activity", "relief", "note")(lambda v: v)
    id: int
    source: Source = "manual"


class ExposureIn(BaseModel):
    """What one day was like; every field is optional (unknown stays empty)."""

    model_config = ConfigDict(extra="forbid", strict=True)

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
    model_config = ConfigDict(extra="forbid", strict=False)

    day: dt.date  # as stored
    _clean = field_validator("note")(lambda v: v)
    id: int


class AssessmentSaved(BaseModel):
    id: int
    created_at: dt.datetime
    kb_version: str
    lang: str
    triage_level: str
