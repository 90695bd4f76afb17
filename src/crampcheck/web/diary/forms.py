"""Reading the diary's forms and filling them in again: one generic reader per field type, driven by the field
definitions (:mod:`crampcheck.diary.fields`), with each problem in plain words next to its field, and what was
typed kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from crampcheck.diary.fields import EPISODE_FIELDS, EXPOSURE_FIELDS, DiaryField, FieldProblem, parse_entry
from crampcheck.diary.schemas import EpisodeCreate, EpisodePublic, ExposureIn, ExposurePublic
from crampcheck.web.diary.texts import diary_texts

# the message of a problem: the field's own (err_<field>) if the page has one, else the problem's kind
_KIND_MESSAGE = {
    "datetime": "err_when",
    "offset": "err_when",
    "date": "err_day",
    "range": "err_number",
    "number": "err_number",
    "int": "err_number",
    "length": "err_too_long",
    "control": "err_control",
    "items": "err_items",
}
_FIELD_MESSAGE = {  # (field, kind of problem) -> page string
    ("started_at", "future"): "err_when_future",
    ("started_at", "early"): "err_when",
    ("day", "future"): "err_day_future",
    ("day", "early"): "err_day",
}
_BOOL_FORM = {"yes": "true", "no": "false"}


def message(problem: FieldProblem, lang: str) -> str:
    d = diary_texts(lang)
    key = _FIELD_MESSAGE.get((problem.field, problem.code)) or (
        f"err_{problem.field}"
        if f"err_{problem.field}" in d and problem.code in ("required", "choice", "int", "range")
        else _KIND_MESSAGE.get(problem.code, "err_choice")
    )
    values = {k: f"{v:g}" if isinstance(v, float) else v for k, v in problem.values.items()}
    return d[key].format(**values) if values else d[key]


def _typed(f: DiaryField, raw: str) -> str:
    """What was typed, in the form :func:`parse_entry` reads (a space in a date-time, yes/no)."""
    if f.type == "datetime":
        return raw.strip().replace(" ", "T")
    if f.type == "bool":
        return _BOOL_FORM.get(raw, raw if raw == "" else "?")
    if f.type == "choice" and raw and raw not in f.values:
        return "\0"  # only the offered values are accepted from a form (the words are for the command line)
    return raw


def _read(
    form: Mapping[str, str], fields: tuple[DiaryField, ...], lang: str
) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        try:
            values[f.name] = parse_entry(f, _typed(f, form.get(f.entry_name, "")))
        except FieldProblem as problem:
            errors[f.entry_name] = message(problem, lang)
    return values, errors


def _model(model: type[BaseModel], values: dict[str, Any], lang: str) -> tuple[Any, dict[str, str]]:
    try:
        return model.model_validate(values), {}
    except ValidationError as exc:  # a rule the checks above missed: name the field all the same
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else next(iter(values))
        return None, {field: diary_texts(lang)["err_choice"]}


def parse_episode(form: Mapping[str, str], lang: str) -> tuple[EpisodeCreate | None, dict[str, str]]:
    """The typed cramp, or the problems by form field name (in plain words)."""
    values, errors = _read(form, EPISODE_FIELDS, lang)
    if errors:
        return None, errors
    if isinstance(values.get("started_at"), dt.datetime):
        values["started_at"] = values["started_at"].replace(second=0, microsecond=0)
    return _model(EpisodeCreate, values, lang)  # type: ignore[no-any-return]


def parse_exposure(form: Mapping[str, str], lang: str) -> tuple[ExposureIn | None, dict[str, str]]:
    """The typed day record, or the problems by form field name (in plain words)."""
    values, errors = _read(form, EXPOSURE_FIELDS, lang)
    if errors:
        return None, errors
    return _model(ExposureIn, values, lang)  # type: ignore[no-any-return]


# ---- values shown in the forms ------------------------------------------------------------------------


def _shown(f: DiaryField, value: Any) -> str:
    if value is None:
        return ""
    if f.type == "datetime":
        return str(value.strftime("%Y-%m-%dT%H:%M"))
    if f.type == "date":
        return str(value.isoformat())
    if f.type == "bool":
        return "yes" if value else "no"
    if f.type == "list":
        return ", ".join(value)
    if f.entry is not None:
        return f"{f.to_entry(value):.4g}"
    if f.type in ("int", "number"):
        return f"{value:g}"
    return str(value)


def episode_values(e: EpisodePublic) -> dict[str, str]:
    return {f.entry_name: _shown(f, getattr(e, f.name)) for f in EPISODE_FIELDS}


def exposure_values(x: ExposurePublic | None, day: dt.date) -> dict[str, str]:
    if x is None:
        return {"day": day.isoformat()}
    return {f.entry_name: _shown(f, getattr(x, f.name)) for f in EXPOSURE_FIELDS}


def now_value() -> str:
    return dt.datetime.now().strftime("%Y-%m-%dT%H:%M")
