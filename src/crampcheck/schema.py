"""The plain, replayable contract of an assessment: what goes in (answers) and what comes out.

An assessment is a pure function of (age, sex, answers, language, knowledge base). The answers are a
list of ``{finding, state, source}`` that a client resends on every call, so no server keeps state
(Infermedica's evidence contract).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Sex = Literal["female", "male"]
AnswerState = Literal["present", "absent", "unknown"]
TriageLevel = Literal["self_care", "doctor", "urgent", "emergency"]
Lang = Literal["en", "zh"]
EvidenceGrade = Literal["strong", "moderate", "weak", "none", "contradicted"]

TRIAGE_ORDER: tuple[TriageLevel, ...] = ("self_care", "doctor", "urgent", "emergency")
MIN_AGE = 1
MAX_AGE = 110


def percent(p: float) -> str:
    """A probability as people read it, never as certain: 0.537 -> '54%', under 0.5% -> '<1%', over 99.5% ->
    '>99%' (never '0%' or '100%')."""
    if p < 0.005:
        return "<1%"
    if p > 0.995:
        return ">99%"
    return f"{round(p * 100)}%"


def whole_number(v: object) -> object:
    """A JSON number with no fraction (40.0) as the integer it is (JSON Schema's "integer" includes it); any
    other value unchanged, for strict validation to refuse (true, "40", 40.5)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def triage_rank(level: str) -> int:
    """0 for self_care up to 3 for emergency."""
    return TRIAGE_ORDER.index(level)  # type: ignore[arg-type]


class Answer(BaseModel):
    """One answer about one finding."""

    model_config = ConfigDict(extra="forbid", strict=True)

    finding: str = Field(description="a finding id of the vocabulary", examples=["site_calf"])
    state: AnswerState = Field(description="present, absent or unknown")
    source: Literal["initial", "question", "text", "facts", "correction"] = Field(
        "question",
        description="where the answer came from: 'question' (a question put to the person; one that would "
        "raise the level to urgent or emergency although the other answers make it unlikely is asked again "
        "first, as a 'confirm' next_question), or the person's own words, never asked again: 'initial' "
        "(what they said first), 'text' (read from what they typed), 'correction' (they corrected it), "
        "'facts' (given all at once)",
    )


class Patient(BaseModel):
    """Demographics; pregnancy is the finding ``pregnant``."""

    model_config = ConfigDict(extra="forbid")

    age: int = Field(ge=MIN_AGE, le=MAX_AGE, description="age in whole years, 1 to 110")
    sex: Sex


class AssessRequest(BaseModel):
    """Everything an assessment needs; resend all answers on every call."""

    # strict: age is a JSON integer (true is not 1, "40" is not 40; 40.0 is 40), as the schema says
    model_config = ConfigDict(extra="forbid", strict=True)

    age: Annotated[int, Field(ge=MIN_AGE, le=MAX_AGE), BeforeValidator(whole_number)] = Field(
        description="age in whole years, 1 to 110"
    )
    sex: Sex
    answers: list[Answer] = Field(default_factory=list, max_length=500)
    lang: Lang = "en"
    asked: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="ids of questions already put to the person (so the interview does not repeat them)",
    )


class Contribution(BaseModel):
    """One of the person's answers as evidence for or against one condition (Infermedica's ``/explain``)."""

    finding: str
    state: AnswerState
    text: str = Field(description="the finding in plain words")
    delta: float = Field(description="change in probability (0..1 scale) that this answer caused")
    factor: float = Field(description="likelihood ratio of this answer for the condition")


class RankedCondition(BaseModel):
    id: str
    name: str
    probability: float
    level: TriageLevel = Field(description="this condition's own triage level given the answers")
    summary: str = ""
    raised_by: list[Contribution] = Field(
        default_factory=list,
        description="supporting evidence: answers 'yes' that make this condition at least 1.2 times more likely",
    )
    lowered_by: list[Contribution] = Field(
        default_factory=list,
        description="conflicting evidence: answers that make it at least 1.2 times less likely (a 'no' only "
        "when the finding is typical of it)",
    )
    icd10: str | None = None


class TriageReason(BaseModel):
    rule: str
    level: TriageLevel
    text: str
    findings: list[str] = Field(default_factory=list)
    conditions: list[str] = Field(
        default_factory=list,
        description="the condition ids this reason is about; each is among the result's conditions, whatever its "
        "probability",
    )
    outside_model: str | None = Field(
        default=None,
        description="a danger this tool does not model (e.g. a stroke), named in words, when the "
        "reason is about one",
    )


class Triage(BaseModel):
    level: TriageLevel
    label: str
    message: str
    reasons: list[TriageReason]


class QuestionOption(BaseModel):
    finding: str
    label: str


class Question(BaseModel):
    id: str
    kind: Literal["single", "multiple", "confirm"] = Field(
        description="single: yes / no / don't know; multiple: tick all that apply; confirm: an answer already "
        "given is asked again (yes / no / don't know) because it would decide the level but the other answers "
        "make it unlikely; the new answer replaces the earlier one"
    )
    text: str
    options: list[QuestionOption]
    findings: list[str]
    danger: bool = False


class Source(BaseModel):
    id: str
    citation: str
    url: str | None = None
    pmid: str | None = None
    doi: str | None = None


class AdviceItem(BaseModel):
    id: str
    kind: Literal["now", "prevent", "see", "avoid"]
    text: str
    evidence: EvidenceGrade
    evidence_note: str = ""
    sources: list[Source] = Field(default_factory=list)
    for_conditions: list[str] = Field(default_factory=list)
    article_claim: str | None = None


class EngineInfo(BaseModel):
    method: str
    max_causes: int
    states: int
    neglected_mass_bound: float


class Assessment(BaseModel):
    """The result of one assessment call."""

    kb_version: str
    lang: Lang
    age: int
    sex: Sex
    answers: list[Answer]
    conditions: list[RankedCondition]
    none_of_the_above: float = Field(description="probability that no modelled cause is present")
    none_fits_well: bool = Field(
        default=False,
        description="true when none_of_the_above is large enough that the causes listed may all be wrong; "
        "interfaces then say so before the list",
    )
    triage: Triage
    next_question: Question | None
    should_stop: bool = Field(
        description="true when the interview should end: no question is worth asking, or the level is emergency "
        "and no answer still to come can lower it (an implausible answer that decides it is confirmed first, "
        "as next_question)"
    )
    advice: list[AdviceItem]
    disclaimer: str
    engine: EngineInfo
