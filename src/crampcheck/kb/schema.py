"""Pydantic models of the knowledge base: what every data file must look like, and the validated whole.

The files live in ``crampcheck/knowledge`` (package data). ``load.py`` reads them into these models;
``check.py`` adds the cross-file checks a curator needs (unknown ids, missing sources, translations).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

Level = Literal["self_care", "doctor", "urgent", "emergency"]
Grade = Literal["strong", "moderate", "weak", "none", "contradicted"]
BANDS: tuple[str, ...] = ("1-11", "12-17", "18-39", "40-59", "60-74", "75+")
LANGS: tuple[str, ...] = ("en", "zh")
MIN_AGE, MAX_AGE = 1, 110  # the ages an assessment accepts (crampcheck.schema)


def age_band(age: int) -> str:
    """The fact base's age band of an age in whole years."""
    if age <= 11:
        return "1-11"
    if age <= 17:
        return "12-17"
    if age <= 39:
        return "18-39"
    if age <= 59:
        return "40-59"
    if age <= 74:
        return "60-74"
    return "75+"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Text(Strict):
    """A text in every supported language."""

    en: str
    zh: str = ""

    def get(self, lang: str) -> str:
        return (self.zh if lang == "zh" else self.en) or self.en


class TextList(Strict):
    en: list[str] = Field(default_factory=list)
    zh: list[str] = Field(default_factory=list)

    def get(self, lang: str) -> list[str]:
        return (self.zh if lang == "zh" else self.en) or self.en


class SexValue(Strict):
    female: float = Field(ge=0.0, le=1.0)
    male: float = Field(ge=0.0, le=1.0)


# --- expressions -------------------------------------------------------------------------------------
# A rule expression is kept as parsed YAML (str | dict) and compiled by crampcheck.triage; its shape is
# validated here so a curator gets a message naming the rule.

EXPR_KEYS = {"all", "any", "not", "maybe", "age_ge", "age_lt", "set"}


def validate_expr(e: Any, where: str) -> None:
    if isinstance(e, str):
        return
    if not isinstance(e, dict) or len(e) != 1:
        raise ValueError(f"{where}: an expression is a finding id or a one-key mapping, got {e!r}")
    ((k, v),) = e.items()
    if k not in EXPR_KEYS:
        raise ValueError(f"{where}: unknown operator '{k}' (use one of {sorted(EXPR_KEYS)})")
    if k in ("all", "any"):
        if not isinstance(v, list) or not v:
            raise ValueError(f"{where}: '{k}' takes a non-empty list")
        for i, x in enumerate(v):
            validate_expr(x, f"{where}.{k}[{i}]")
    elif k in ("not", "maybe"):
        validate_expr(v, f"{where}.{k}")
    elif k in ("age_ge", "age_lt"):
        if not isinstance(v, int) or not 0 <= v <= 130:
            raise ValueError(f"{where}: '{k}' takes a whole age, got {v!r}")
    elif k == "set" and not isinstance(v, str):
        raise ValueError(f"{where}: 'set' takes the name of a set")


def expr_findings(e: Any, sets: dict[str, Any] | None = None) -> set[str]:
    """Every finding id an expression mentions (sets expanded when given)."""
    if isinstance(e, str):
        return {e}
    ((k, v),) = e.items()
    if k in ("all", "any"):
        out: set[str] = set()
        for x in v:
            out |= expr_findings(x, sets)
        return out
    if k in ("not", "maybe"):
        return expr_findings(v, sets)
    if k == "set" and sets is not None and v in sets:
        return expr_findings(sets[v], sets)
    return set()


def _checked_expr(v: Any) -> Any:
    validate_expr(v, "when")
    return v


Expr = Annotated[Any, AfterValidator(_checked_expr)]  # a rule expression, shape-checked when loaded


class Rule(Strict):
    id: str
    level: Level
    when: Expr
    text: Text
    sources: list[str] = Field(default_factory=list)
    policy: bool = False
    strict: bool = False
    suppresses: list[str] = Field(default_factory=list)
    # what the rule is about: modelled condition ids, and/or the danger outside the model it names
    conditions: list[str] = Field(default_factory=list)
    outside_model: Text | None = None


class TriageLine(Strict):
    level: Level
    when: Expr


class ConditionTriage(Strict):
    default: Level
    escalate: list[TriageLine] = Field(default_factory=list)
    deescalate: list[TriageLine] = Field(default_factory=list)


class Link(Strict):
    """P(finding = yes | this condition alone), stated at the finding's reference leak."""

    p: float = Field(ge=0.0, le=1.0)
    note: str = ""
    sources: list[str] = Field(default_factory=list)

    @property
    def estimate(self) -> bool:
        return not self.sources


class PregnancyRule(Strict):
    set: float | None = Field(default=None, ge=0.0, le=1.0)
    multiply: float | None = Field(default=None, ge=0.0, le=20.0)


class Prior(Strict):
    by_age: dict[str, SexValue]
    if_pregnant: PregnancyRule | None = None

    @field_validator("by_age")
    @classmethod
    def _bands(cls, v: dict[str, SexValue]) -> dict[str, SexValue]:
        missing = [b for b in BANDS if b not in v]
        extra = [b for b in v if b not in BANDS]
        if missing or extra:
            raise ValueError(f"age bands must be exactly {list(BANDS)} (missing {missing}, unknown {extra})")
        return v


class Leak(Strict):
    ref: float | None = Field(default=None, ge=0.0, le=1.0)
    by_age: dict[str, float | SexValue] | None = None
    context: bool = False
    p_if_female_by_age: dict[str, float] | None = None

    def floored(self, floor: float) -> Leak:
        """The same leak with every value (reference and age columns) raised to at least ``floor``."""
        if self.ref is None:
            return self
        by_age: dict[str, float | SexValue] | None = None
        if self.by_age is not None:
            by_age = {
                b: (
                    SexValue(female=max(v.female, floor), male=max(v.male, floor))
                    if isinstance(v, SexValue)
                    else max(float(v), floor)
                )
                for b, v in self.by_age.items()
            }
        return self.model_copy(update={"ref": max(self.ref, floor), "by_age": by_age})

    def at(self, band: str, sex: str) -> float:
        assert self.ref is not None
        if self.by_age is None:
            return self.ref
        v = self.by_age[band]
        if isinstance(v, SexValue):
            return v.female if sex == "female" else v.male
        return float(v)


class Exclusion(Strict):
    """One group of explaining causes of a diagnosis of exclusion. What is reported for the excluded condition
    is its label, "this kind of cramps and no explaining cause": in a joint state with a cause of this group
    present, the label holds with probability ``factor`` (the smallest factor when causes of several groups are
    present), and fully when none is. The engine sums it exactly over the joint states; nothing else changes."""

    explained_by: list[str] = Field(min_length=1)
    factor: float = Field(gt=0.0, le=1.0)
    note: str = ""
    sources: list[str] = Field(min_length=1)


class LeakFloor(Strict):
    """A lower bound on the leak of every finding in ``groups`` (in every age band, and on the reference leak):
    the rate of a "yes" that no modelled condition explains can never be near zero."""

    groups: list[str] = Field(min_length=1)
    value: float = Field(ge=0.0, le=0.5)
    note: str = ""
    sources: list[str] = Field(default_factory=list)


class FindingText(Strict):
    question: Text
    label: Text
    plain: Text
    negative: Text = Text(en="")  # how the finding's absence reads in an explanation (required by `kb check`)


class Finding(Strict):
    id: str
    group: str
    question: Text
    label: Text
    plain: Text
    negative: Text = Text(en="")
    leak: Leak


class ConditionText(Strict):
    id: str
    name: Text
    summary: Text
    description: Text
    icd10: str | None = None
    doctor_checks: TextList = Field(default_factory=TextList)
    warning_signs: TextList = Field(default_factory=TextList)
    references: list[str] = Field(default_factory=list)


class Condition(Strict):
    id: str
    name: Text
    summary: Text
    description: Text
    icd10: str | None = None
    doctor_checks: TextList = Field(default_factory=TextList)
    warning_signs: TextList = Field(default_factory=TextList)
    references: list[str] = Field(default_factory=list)
    prior: Prior
    links: dict[str, Link]
    triage: ConditionTriage
    requires_any: list[str] = Field(default_factory=list)


class Reference(Strict):
    id: str
    citation: str
    pmid: str | None = None
    doi: str | None = None
    url: str | None = None
    verified: bool = False
    note: str = ""


class Advice(Strict):
    """One advice item, and who it fits (``crampcheck.advice`` applies the context fields).

    ``not_with``: the conditions beside which the item is wrong or harmful; it is hidden when one of them is
    a likely cause needing urgent care (its own level or the assessment's is urgent or emergency). ``None``
    means not yet reviewed, which ``kb check`` reports for ``now``/``prevent`` items; ``[]`` means reviewed.
    ``min_age``/``max_age``: the ages it is shown to. ``requires_any``: the findings (a medicine, an illness)
    it is about; hidden when every one of them is answered no. ``replaced_by``: more specific items that
    contradict it; hidden when one of them applies. ``safety``: when to get help or what would harm; shown
    whenever it applies, outside the per-kind quotas.
    """

    id: str
    kind: Literal["now", "prevent", "see", "avoid"]
    text: Text
    evidence: Grade
    evidence_note: Text
    sources: list[str] = Field(min_length=1)
    conditions: list[str] = Field(default_factory=list)
    levels: list[Level] = Field(default_factory=list)
    article_claim: str | None = None
    not_with: list[str] | None = None
    min_age: int | None = Field(default=None, ge=MIN_AGE, le=MAX_AGE)
    max_age: int | None = Field(default=None, ge=MIN_AGE, le=MAX_AGE)
    requires_any: list[str] = Field(default_factory=list)
    replaced_by: list[str] = Field(default_factory=list)
    safety: bool = False

    @model_validator(mode="after")
    def _ages(self) -> Advice:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}: no one could be shown it")
        return self

    def fits_age(self, age: int) -> bool:
        return (self.min_age is None or age >= self.min_age) and (self.max_age is None or age <= self.max_age)


class QuestionGroup(Strict):
    id: str
    text: Text
    none: Text
    findings: list[str] = Field(min_length=1)


class Represented(Strict):
    conditions: list[str] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)
    advice: list[str] = Field(default_factory=list)


class ArticleClaim(Strict):
    id: str
    claim: Text
    grade: str
    verdict: Text
    represented_by: Represented
    sources: list[str] = Field(default_factory=list)


class TriageText(Strict):
    label: Text
    message: Text


class KnowledgeBase(BaseModel):
    """The validated knowledge base; compiled once into arrays by ``crampcheck.engine.network``."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    version: str
    conditions: dict[str, Condition]
    findings: dict[str, Finding]
    rules: list[Rule]
    rule_sets: dict[str, Any]
    groups: dict[str, QuestionGroup]
    advice: dict[str, Advice]
    advice_files: dict[str, str] = Field(default_factory=dict)  # advice id -> its file, for kb check messages
    references: dict[str, Reference]
    article: list[ArticleClaim]
    triage_text: dict[str, TriageText]
    disclaimer: Text
    # the sentences that explain a triage reason (text/triage.yaml, `reasons`), with {placeholders}
    reason_texts: dict[str, Text] = Field(default_factory=dict)
    context_findings: list[str] = Field(default_factory=list)
    pregnancy_q: dict[str, float] = Field(default_factory=dict)
    exclusions: dict[str, list[Exclusion]] = Field(default_factory=dict)
    leak_floor: LeakFloor | None = None

    def reason_text(self, key: str, lang: str) -> str:
        """A reason sentence of text/triage.yaml in ``lang`` (``kb check`` makes sure each one exists)."""
        return self.reason_texts[key].get(lang)
