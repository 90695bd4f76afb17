"""The one definition of each diary field, read from ``fields.yaml`` and checked when first used.

A field has a name, a type, its bounds, its unit (and the unit people type it in), its allowed values with
their words in English and Chinese, the words of its web form label and hint, its command-line option, and
how the trigger analysis reads it. Everything else reads the fields from here:

* :func:`declare` puts them into the pydantic request and response models (:mod:`crampcheck.diary.schemas`);
* :func:`parse_text` reads a typed value (a CSV cell, a web form field, a command-line option) with the
  same bounds, raising :class:`FieldProblem` with a reason that names the bound;
* :meth:`DiaryField.match` turns what a person typed ("小腿", "Calf", "calf") into the stored value.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from crampcheck.diary.bounds import (
    TIME_EXAMPLE,
    DiaryDay,
    DiaryTime,
    OffsetError,
    StoredTime,
    check_day,
    check_text,
    check_time,
    parse_day,
    parse_local_time,
    whole_number,
)

FieldType = Literal["datetime", "date", "int", "number", "choice", "bool", "text", "list"]
Mode = Literal["create", "update", "public"]
FIELDS_FILE = Path(__file__).with_name("fields.yaml")
# what separates the items of a typed list: commas (also the full-width and the enumeration comma) and semicolons
LIST_SEPARATORS = re.compile(r"[,，、;；]")
TRUE_WORDS = frozenset({"true", "yes", "1", "y", "是", "有"})
FALSE_WORDS = frozenset({"false", "no", "0", "n", "否", "没有", "无"})


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Words(_Frozen):
    en: str
    zh: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Unit(Words):
    ucum: str


class Entry(_Frozen):
    """The unit a stored value is typed in (duration: stored in seconds, typed in minutes)."""

    name: str
    per: float = Field(gt=0)
    unit: Unit


class Choice(_Frozen):
    value: str
    en: str
    zh: str
    aliases: tuple[str, ...] = ()
    snomed: tuple[str, str] | None = None

    def word(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Cli(_Frozen):
    option: str
    help: Words
    negative: str | None = None
    short: str | None = None


class Trigger(_Frozen):
    id: str | None = None
    when: str | None = None
    words: Words | None = None
    each: Words | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Trigger:
        if (self.words is None) == (self.each is None):
            raise ValueError("a trigger has either 'words' or 'each'")
        if self.when is not None and self.id is None:
            raise ValueError("a trigger with 'when' needs its own 'id'")
        return self


class FieldProblem(ValueError):
    """A typed value outside a field's definition; ``code`` says which rule (for messages in each language)."""

    def __init__(self, field: str, code: str, reason: str, **values: Any) -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.code = code
        self.reason = reason
        self.values = values


class DiaryField(_Frozen):
    name: str
    type: FieldType
    required: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    max_items: int | None = None
    unit: Unit | None = None
    entry: Entry | None = None
    choices: tuple[Choice, ...] = ()
    label: Words | None = None
    hint: Words | None = None
    cli: Cli | None = None
    relevant: Literal["cycle"] | None = None
    trigger: Trigger | None = None

    @model_validator(mode="after")
    def _complete(self) -> DiaryField:
        if self.type in ("int", "number") and (self.min is None or self.max is None):
            raise ValueError(f"{self.name}: a number needs min and max")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"{self.name}: a choice needs choices")
        if self.type in ("text", "list") and self.max_length is None:
            raise ValueError(f"{self.name}: a text needs max_length")
        if self.type == "list" and self.max_items is None:
            raise ValueError(f"{self.name}: a list needs max_items")
        if self.trigger is not None:
            t = self.trigger
            if t.each is not None and self.type != "list":
                raise ValueError(f"{self.name}: 'each' is for a list")
            if t.when is not None and t.when not in self.values:
                raise ValueError(f"{self.name}: trigger 'when' {t.when!r} is not a choice")
            if t.when is None and self.type not in ("number", "int", "bool", "list"):
                raise ValueError(f"{self.name}: only a number or yes/no field is analysed as it is")
        return self

    # ---- words and choices --------------------------------------------------------------------------

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    def word(self, value: str, lang: str) -> str:
        """The word of a stored choice in ``lang`` (the value itself if it is not a choice)."""
        c = self.choice(value)
        return c.word(lang) if c else value

    def match(self, text: str) -> str | None:
        """The stored value meant by ``text``: the value, or its word or an alias in either language."""
        key = text.strip().casefold()
        for c in self.choices:
            if key in {c.value.casefold(), c.en.casefold(), c.zh, *(a.casefold() for a in c.aliases)}:
                return c.value
        return None

    def label_text(self, lang: str) -> str:
        return self.label(lang) if self.label else self.name

    # ---- the unit it is typed in --------------------------------------------------------------------

    @property
    def entry_name(self) -> str:
        return self.entry.name if self.entry else self.name

    @property
    def entry_max(self) -> float:
        assert self.max is not None
        return self.max / self.entry.per if self.entry else self.max

    def to_entry(self, stored: float | None) -> float | None:
        return None if stored is None or self.entry is None else stored / self.entry.per

    def from_entry(self, typed: float) -> float:
        return typed * self.entry.per if self.entry else typed

    # ---- pydantic -----------------------------------------------------------------------------------

    def annotation(self, mode: Mode) -> tuple[Any, Any]:
        """``(type, default or FieldInfo)`` of this field in a request (``create``, ``update``) or response model.

        A request takes exactly what the JSON schema says (``strict``: a number is a JSON number, not ``true``
        or ``"5"``; an integer may be written ``5.0``), times and days within the diary's bounds as local
        wall-clock times without an offset (:mod:`crampcheck.diary.bounds`), and text without control
        characters. A response shows what is stored as it is (rows from before the bounds stay readable)."""
        checked = mode != "public"
        t: Any
        kw: dict[str, Any] = {}
        if checked and self.type != "choice":  # (a choice is one of its strings already)
            kw["strict"] = True
        if self.label:
            kw["description"] = self.label.en
        if self.type == "datetime":
            t = DiaryTime if checked else StoredTime
        elif self.type == "date":
            t = DiaryDay if checked else dt.date
        elif self.type in ("int", "number"):
            assert self.min is not None and self.max is not None
            whole = self.type == "int"  # (an integer's bounds are written as integers in the schema)
            limits = Field(ge=int(self.min) if whole else self.min, le=int(self.max) if whole else self.max)
            if self.type == "number":
                t = Annotated[float, limits]
            elif checked:  # 5.0 is the integer 5 (JSON Schema's "integer" includes it), true and "5" are not
                t = Annotated[int, limits, BeforeValidator(whole_number)]
            else:
                t = Annotated[int, limits]
            if self.unit:
                kw["description"] = f"{kw.get('description', self.name)}, in {self.unit.en}"
        elif self.type == "choice":
            t = Literal[self.values]  # type: ignore[valid-type]
            kw["description"] = f"{kw.get('description', self.name)}: {', '.join(self.values)}"
        elif self.type == "bool":
            t = bool
        elif self.type == "text":
            t = Annotated[
                str | None, BeforeValidator(_blank_to_none), AfterValidator(_clean_text if checked else _same)
            ]
            return t, Field(default=None, max_length=self.max_length, **kw)
        else:  # list
            item = Annotated[str, Field(max_length=self.max_length)]
            t = Annotated[list[item], AfterValidator(_clean_list if checked else _same)]  # type: ignore[valid-type]
            return t, Field(default_factory=list, max_length=self.max_items, **kw)
        if self.required and mode != "update":
            return t, Field(**kw)
        if self.required:  # an update: left out it keeps its value, and null (emptying it) is refused
            kw["json_schema_extra"] = _not_nullable
        return t | None, Field(default=None, **kw)


def _not_nullable(schema: dict[str, Any]) -> None:
    """Document a required field of an update without null and without a default (see ``annotation``)."""
    schema.pop("default", None)
    options = [o for o in schema.pop("anyOf", []) if o.get("type") != "null"]
    if options:
        schema.update(options[0])


def _same(v: Any) -> Any:
    return v


def _blank_to_none(v: object) -> object:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _clean_text(v: str | None) -> str | None:
    return None if v is None else check_text(v)


def _clean_list(v: list[str]) -> list[str]:
    out: list[str] = []
    for name in v:
        name = check_text(name.strip())
        if ";" in name:
            raise ValueError(f"name {name!r} must not contain ';'")
        if name and name not in out:
            out.append(name)
    return out


def split_list(text: str) -> list[str]:
    """The items of a typed list: separated by commas (also ， and 、) or semicolons, blanks dropped."""
    return [p.strip() for p in LIST_SEPARATORS.split(text) if p.strip()]


class Registry(_Frozen):
    episode: tuple[DiaryField, ...]
    exposure: tuple[DiaryField, ...]

    @model_validator(mode="after")
    def _unique(self) -> Registry:
        for kind in (self.episode, self.exposure):
            names = [f.name for f in kind]
            if len(set(names)) != len(names):
                raise ValueError(f"a field name is repeated: {names}")
            options = [f.cli.option for f in kind if f.cli]
            if len(set(options)) != len(options):
                raise ValueError(f"a command-line option is repeated: {options}")
        return self


@functools.cache
def registry() -> Registry:
    with FIELDS_FILE.open(encoding="utf-8") as fh:
        return Registry.model_validate(yaml.safe_load(fh))


EPISODE_FIELDS: tuple[DiaryField, ...] = registry().episode
EXPOSURE_FIELDS: tuple[DiaryField, ...] = registry().exposure
EPISODE = {f.name: f for f in EPISODE_FIELDS}
EXPOSURE = {f.name: f for f in EXPOSURE_FIELDS}
# the provenance of an episode: kept with it, never typed by the person
SOURCES = ("manual", "import", "api")
EPISODE_COLUMNS = [*EPISODE, "source"]
EXPOSURE_COLUMNS = list(EXPOSURE)


def declare(namespace: MutableMapping[str, Any], fields: tuple[DiaryField, ...], mode: Mode) -> None:
    """Add ``fields`` to the body of a pydantic model being defined (call with ``locals()``), in their order."""
    notes = namespace.setdefault("__annotations__", {})
    for f in fields:
        if f.name in notes:  # declared by hand in the class (e.g. with a stricter validator)
            continue
        notes[f.name], namespace[f.name] = f.annotation(mode)


# ---- reading a typed value --------------------------------------------------------------------------


def parse_text(f: DiaryField, raw: str) -> Any:
    """The stored value of a typed text (None when empty), with the field's bounds; raises :class:`FieldProblem`.

    Numbers accept a decimal comma ("0,5"); yes/no accepts true/false, yes/no, 1/0, 是/否.
    """
    text = raw.strip()
    if not text and f.type != "list":
        if f.required:
            raise FieldProblem(f.name, "required", "is required")
        return None
    return _PARSERS[f.type](f, text)


def _bound_code(exc: ValueError) -> str:
    return "future" if "future" in str(exc) else "early"


def parse_entry(f: DiaryField, raw: str) -> Any:
    """Like :func:`parse_text`, for a value typed in the field's entry unit (a duration in minutes): the bounds
    are checked in that unit and the stored value is returned."""
    if f.entry is None:
        return parse_text(f, raw)
    assert f.min is not None and f.max is not None
    typed = parse_text(
        f.model_copy(update={"type": "number", "min": f.min / f.entry.per, "max": f.entry_max}), raw
    )
    if typed is None:
        return None
    stored = f.from_entry(typed)
    return round(stored) if f.type == "int" else stored


def _p_datetime(f: DiaryField, text: str) -> dt.datetime:
    # local wall-clock time, as the API takes it (crampcheck.diary.bounds); a spreadsheet's space is fine
    try:
        value = parse_local_time(text.replace(" ", "T", 1))
    except OffsetError:
        raise FieldProblem(
            f.name, "offset", f"{text!r}: give the local time without a time-zone offset, like {TIME_EXAMPLE}"
        ) from None
    except ValueError:
        raise FieldProblem(f.name, "datetime", f"{text!r} is not a date-time like 2024-05-01T03:10:00") from None
    try:
        return check_time(value)
    except ValueError as exc:
        raise FieldProblem(f.name, _bound_code(exc), f"{text!r}: {exc}") from None


def _p_date(f: DiaryField, text: str) -> dt.date:
    try:
        value = parse_day(text)
    except ValueError:
        raise FieldProblem(f.name, "date", f"{text!r} is not a date like 2024-05-01") from None
    try:
        return check_day(value)
    except ValueError as exc:
        raise FieldProblem(f.name, _bound_code(exc), f"{text!r}: {exc}") from None


def _p_int(f: DiaryField, text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise FieldProblem(f.name, "int", f"{text!r} is not a whole number", low=f.min, high=f.max) from None
    assert f.min is not None and f.max is not None
    if not f.min <= v <= f.max:
        raise FieldProblem(f.name, "range", f"{v} is outside {f.min:g} to {f.max:g}", low=f.min, high=f.max)
    return v


def _p_number(f: DiaryField, text: str) -> float:
    try:
        v = float(text.replace(",", ".").replace("，", "."))
    except ValueError:
        raise FieldProblem(f.name, "number", f"{text!r} is not a number", low=f.min, high=f.max) from None
    assert f.min is not None and f.max is not None
    if not (math.isfinite(v) and f.min <= v <= f.max):
        raise FieldProblem(f.name, "range", f"{text} is outside {f.min:g} to {f.max:g}", low=f.min, high=f.max)
    return v


def _p_choice(f: DiaryField, text: str) -> str:
    value = f.match(text)
    if value is None:
        raise FieldProblem(f.name, "choice", f"{text!r} is not one of {', '.join(f.values)}")
    return value


def _p_bool(f: DiaryField, text: str) -> bool:
    v = text.casefold()
    if v in TRUE_WORDS:
        return True
    if v in FALSE_WORDS:
        return False
    raise FieldProblem(f.name, "bool", f"{text!r} is not true or false")


def _p_text(f: DiaryField, text: str) -> str:
    try:
        check_text(text)
    except ValueError as exc:
        raise FieldProblem(f.name, "control", str(exc)) from None
    assert f.max_length is not None
    if len(text) > f.max_length:
        raise FieldProblem(f.name, "length", f"is longer than {f.max_length} characters", n=f.max_length)
    return text


def _p_list(f: DiaryField, text: str) -> list[str]:
    items: list[str] = []
    for part in split_list(text):
        _p_text(f, part)
        if part not in items:
            items.append(part)
    assert f.max_items is not None
    if len(items) > f.max_items:
        raise FieldProblem(f.name, "items", f"lists more than {f.max_items} items", n=f.max_items)
    return items


_PARSERS: dict[str, Callable[[DiaryField, str], Any]] = {
    "datetime": _p_datetime,
    "date": _p_date,
    "int": _p_int,
    "number": _p_number,
    "choice": _p_choice,
    "bool": _p_bool,
    "text": _p_text,
    "list": _p_list,
}
