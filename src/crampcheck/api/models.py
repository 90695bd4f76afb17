"""The public vocabulary of the HTTP API that is not already in :mod:`crampcheck.schema`: knowledge-base
listings (conditions, findings, advice, questions), the free-text parse request and its answer, health."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crampcheck.schema import AdviceItem, Answer, Question, Source, TriageLevel


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ConditionPublic(BaseModel):
    """A condition as listed: name and one-line summary."""

    id: str
    name: str
    summary: str
    icd10: str | None = None
    default_level: TriageLevel = Field(description="triage level when nothing raises or lowers it")


class ConditionDetail(ConditionPublic):
    """A condition with its description, what a doctor may check, warning signs and sources."""

    description: str
    doctor_checks: list[str]
    warning_signs: list[str]
    sources: list[Source]
    findings: list[str] = Field(description="finding ids linked to this condition in the model")


class ConditionList(BaseModel):
    kb_version: str
    lang: Literal["en", "zh"]
    conditions: list[ConditionPublic]


class ConditionOne(BaseModel):
    kb_version: str
    lang: Literal["en", "zh"]
    condition: ConditionDetail


class FindingPublic(BaseModel):
    id: str
    group: str
    question: str
    label: str
    plain: str


class FindingList(BaseModel):
    kb_version: str
    lang: Literal["en", "zh"]
    findings: list[FindingPublic]


class AdviceList(BaseModel):
    kb_version: str
    lang: Literal["en", "zh"]
    advice: list[AdviceItem]


class QuestionOne(BaseModel):
    kb_version: str
    lang: Literal["en", "zh"]
    question: Question


class ParseRequest(BaseModel):
    """Free text in English or Chinese."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        max_length=5000,
        description="a description of the cramps in your own words",
        examples=["I'm 67, my calves cramp every night, no swelling"],
    )
    lang: Literal["en", "zh"] | None = Field(default=None, description="the text's language; detected if absent")


class MentionPublic(BaseModel):
    finding: str
    state: Literal["present", "absent", "uncertain"]
    start: int
    end: int
    text: str


class ParseResponse(BaseModel):
    kb_version: str
    lang: Literal["en", "zh"]
    age: int | None = None
    sex: Literal["female", "male"] | None = None
    mentions: list[MentionPublic]
    answers: list[Answer] = Field(description="evidence to send to /v1/assess (uncertain -> unknown)")
