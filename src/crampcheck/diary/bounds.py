"""The bounds every diary value keeps, wherever it comes from (API, web form, CSV import, command line), so
that storage, the report and the FHIR export never see what they cannot hold:

* times and days from 1900-01-01 to now plus a small allowance (the widest time-zone gap between a phone and
  the server, 14 h; a day may be tomorrow somewhere);
* ids and offsets below 2^31 (PostgreSQL ``integer``);
* text without NUL or other control characters (PostgreSQL refuses NUL; escape sequences would reach a
  terminal through ``diary list``), tab and line breaks allowed.

Times are **local wall-clock times without a time-zone offset** (``2024-05-01T03:10``), everywhere: the API,
CSV import and the command line. A cramp at 3 am is a night cramp wherever it happened, and the diary's
analysis reads the clock time; an offset (``Z``, ``+02:00``) would have to be either dropped, which silently
shifts the time a browser sends as UTC, or converted to the server's zone, which is not the person's. So a
time with an offset is refused with a message saying what to send, and the OpenAPI document says the same
(a ``pattern``, not ``format: date-time``, which RFC 3339 defines with an offset). Days are ``2024-05-01``.
Only strings in these forms are taken (never a number read as a Unix timestamp).

Each check raises ValueError with a message naming the bound; pydantic turns it into a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

MIN_DAY = dt.date(1900, 1, 1)
MIN_TIME = dt.datetime(1900, 1, 1)
FUTURE_SLACK = dt.timedelta(hours=14)
MAX_DB_INT = 2**31 - 1
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def latest_time() -> dt.datetime:
    return dt.datetime.now() + FUTURE_SLACK


def latest_day() -> dt.date:
    return (dt.datetime.now() + FUTURE_SLACK).date()


def time_within(v: dt.datetime) -> bool:
    """Whether a stored time is within the bounds (rows stored before the bounds existed may not be)."""
    return MIN_TIME <= v.replace(tzinfo=None) <= latest_time()


def day_within(v: dt.date) -> bool:
    """Whether a stored day is within the bounds."""
    return MIN_DAY <= v <= latest_day()


def check_time(v: dt.datetime) -> dt.datetime:
    naive = v.replace(tzinfo=None)
    if naive < MIN_TIME:
        raise ValueError(f"the time must be on or after {MIN_TIME:%Y-%m-%d}")
    if naive > latest_time():
        raise ValueError("the time is in the future; enter when it happened")
    return v


def check_day(v: dt.date) -> dt.date:
    if v < MIN_DAY:
        raise ValueError(f"the day must be on or after {MIN_DAY:%Y-%m-%d}")
    if v > latest_day():
        raise ValueError("the day is in the future; enter today or an earlier day")
    return v


def check_text(v: str) -> str:
    m = CONTROL.search(v)
    if m:
        raise ValueError(f"the text contains a control character (U+{ord(m.group()):04X}); remove it")
    return v


def check_optional_text(v: str | None) -> str | None:
    return None if v is None else check_text(v)


_YMD = r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_HMS = r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"
LOCAL_TIME_PATTERN = r"^[0-9]{4}" + _YMD + _HMS  # the form (queries, lookups, what is stored)
DAY_PATTERN = r"^[0-9]{4}" + _YMD + "$"
# a value to store: also the years of the bounds (the schema cannot say "not after now"; the server does)
DIARY_TIME_PATTERN = r"^(19|20)[0-9]{2}" + _YMD + _HMS
DIARY_DAY_PATTERN = r"^(19|20)[0-9]{2}" + _YMD + "$"
_LOCAL_TIME = re.compile(LOCAL_TIME_PATTERN)
_DAY = re.compile(DAY_PATTERN)
_OFFSET = re.compile(r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)$", re.IGNORECASE)
TIME_EXAMPLE = "2024-05-01T03:10"


class OffsetError(ValueError):
    """A time was given with a time-zone offset; the diary takes local wall-clock time."""


def whole_number(v: object) -> object:
    """A JSON number with no fraction (5.0) as the integer it is (JSON Schema's "integer" includes it); every
    other value unchanged, for strict validation to refuse (true, "5", 5.5)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def parse_local_time(v: object) -> dt.datetime:
    """A local wall-clock time from ``2024-05-01T03:10[:SS[.ffffff]]`` (or a naive datetime); ValueError
    saying what to send otherwise (an offset, a number, another form)."""
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            raise OffsetError(f"give the local time without a time-zone offset, like {TIME_EXAMPLE}")
        return v
    if not isinstance(v, str):
        raise ValueError(f"must be a local date-time string like {TIME_EXAMPLE}")
    text = v.strip()
    if not _LOCAL_TIME.match(text):
        if "T" in text and _OFFSET.search(text):
            raise OffsetError(
                f"give the local time without a time-zone offset, like {TIME_EXAMPLE} (the diary keeps the "
                "clock time where the cramp happened)"
            )
        raise ValueError(f"{text[:40]!r} is not a local date-time like {TIME_EXAMPLE}")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a real date and time") from None


def parse_day(v: object) -> dt.date:
    """A day from ``2024-05-01`` (or a date); ValueError saying what to send otherwise."""
    if isinstance(v, dt.datetime):
        raise ValueError("must be a day like 2024-05-01, without a time")
    if isinstance(v, dt.date):
        return v
    if not isinstance(v, str) or not _DAY.match(v.strip()):
        shown = repr(v.strip()[:40]) if isinstance(v, str) else "the value"
        raise ValueError(f"{shown} is not a day like 2024-05-01")
    try:
        return dt.date.fromisoformat(v.strip())
    except ValueError:
        raise ValueError(f"{v.strip()!r} is not a real day") from None


def _time_schema(pattern: str) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "type": "string",
            "pattern": pattern,
            "examples": [TIME_EXAMPLE],
            "description": "local wall-clock time without a time-zone offset",
        }
    )


def _day_schema(pattern: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "format": "date", "pattern": pattern, "examples": ["2024-05-01"]})


_TIME_SCHEMA = _time_schema(LOCAL_TIME_PATTERN)
_DAY_SCHEMA = _day_schema(DAY_PATTERN)

# a local time or day in any form accepted (query filters, path lookups: no range bound)
LocalTime = Annotated[dt.datetime, BeforeValidator(parse_local_time), _TIME_SCHEMA]
LocalDay = Annotated[dt.date, BeforeValidator(parse_day), _DAY_SCHEMA]
# a value to be stored: also within the diary's bounds
DiaryTime = Annotated[
    dt.datetime, BeforeValidator(parse_local_time), AfterValidator(check_time), _time_schema(DIARY_TIME_PATTERN)
]
DiaryDay = Annotated[
    dt.date, BeforeValidator(parse_day), AfterValidator(check_day), _day_schema(DIARY_DAY_PATTERN)
]
# what is stored, as it is shown (responses)
StoredTime = Annotated[dt.datetime, _TIME_SCHEMA]
CleanText = Annotated[str, AfterValidator(check_text)]
