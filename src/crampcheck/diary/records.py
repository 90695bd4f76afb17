"""The stored assessment record: what the diary keeps of an assessment, separate from the API's response model.

:class:`crampcheck.schema.Assessment` is the answer of ``/v1/assess``; it may change with the API (a new required
field, a renamed one). The diary stores a :class:`StoredAssessment` instead, with a ``record_version``: the
report and the FHIR export read only this record, and :func:`load` reads every version ever written, upgrading
older ones step by step (version 0 is the bare ``Assessment`` JSON written before records had a version;
migration 0003 converts such rows in place, and :func:`load` still reads any that remain).

Fields a later version adds get defaults here, and fields a record holds that this version does not know are
ignored, so a record never stops loading because the models moved on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crampcheck.errors import InputError
from crampcheck.schema import Assessment

RECORD_VERSION = 1


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StoredAnswer(_Record):
    finding: str
    state: str
    source: str = "question"


class StoredContribution(_Record):
    finding: str
    state: str
    text: str
    delta: float = 0.0
    factor: float = 1.0


class StoredCondition(_Record):
    id: str
    name: str
    probability: float
    level: str = "self_care"
    summary: str = ""
    raised_by: list[StoredContribution] = Field(default_factory=list)
    lowered_by: list[StoredContribution] = Field(default_factory=list)
    icd10: str | None = None


class StoredReason(_Record):
    rule: str = ""
    level: str = "self_care"
    text: str


class StoredTriage(_Record):
    level: str
    label: str
    message: str = ""
    reasons: list[StoredReason] = Field(default_factory=list)


class StoredAdvice(_Record):
    id: str
    kind: str
    text: str
    evidence: str = "none"


class StoredAssessment(_Record):
    """One saved assessment, as the diary keeps it (layout version :data:`RECORD_VERSION`)."""

    record_version: Literal[1] = 1  # RECORD_VERSION
    kb_version: str
    lang: str = "en"
    age: int
    sex: str
    answers: list[StoredAnswer] = Field(default_factory=list)
    conditions: list[StoredCondition] = Field(default_factory=list)
    none_of_the_above: float = 0.0
    triage: StoredTriage
    advice: list[StoredAdvice] = Field(default_factory=list)
    disclaimer: str = ""
    engine_method: str = ""

    @classmethod
    def from_assessment(cls, a: Assessment) -> StoredAssessment:
        return cls.model_validate(from_v0(a.model_dump(mode="json")))


class RecordError(InputError):
    """A stored assessment that no version of the record layout can read."""


def from_v0(data: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (the ``Assessment`` response JSON) -> version 1."""
    out = {k: v for k, v in data.items() if k not in ("engine", "next_question", "should_stop", "none_fits_well")}
    out["engine_method"] = (data.get("engine") or {}).get("method", "")
    out["record_version"] = 1
    return out


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: from_v0}


def load(payload: str) -> StoredAssessment:
    """Read a stored record of any version (upgrading it to the current one)."""
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise RecordError(f"a saved assessment is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise RecordError("a saved assessment is not a JSON object")
    version = data.get("record_version", 0)
    if not isinstance(version, int) or version > RECORD_VERSION or version < 0:
        raise RecordError(
            f"a saved assessment has record version {version!r}; this program reads up to {RECORD_VERSION}"
        )
    while version < RECORD_VERSION:
        data = UPGRADES[version](data)
        version = data["record_version"]
    try:
        return StoredAssessment.model_validate(data)
    except ValidationError as exc:
        raise RecordError(f"a saved assessment cannot be read: {exc.errors()[0]['msg']}") from None


def dump(record: StoredAssessment) -> str:
    return record.model_dump_json()
