"""The bounds every diary value keeps, wherever it comes from (API, web form, CSV import, command line), so
that storage, the report and the FHIR export never see what they cannot hold:

* times and days from 1900-01-01 to now plus a small allowance (the widest time-zone gap between a phone and
  the server, 14 h; a day may be tomorrow somewhere);
* ids and offsets below 2^31 (PostgreSQL ``integer``);
* text without NUL or other control characters (PostgreSQL refuses NUL; escape sequences would reach a
  terminal through ``diary list``), tab and line breaks allowed.

Each check raises ValueError with a message naming the bound; pydantic turns it into a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator

MIN_DAY = dt.date(1900, 1, 1)
MIN_TIME = dt.datetime(1900, 1, 1)
FUTURE_SLACK = dt.timedelta(hours=14)
MAX_DB_INT = 2**31 - 1
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def latest_time() -> dt.datetime:
    return dt.datetime.now() + FUTURE_SLACK


def latest_day() -> dt.date:
    return (dt.datetime.now() + FUTURE_SLACK).date()


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


DiaryTime = Annotated[dt.datetime, AfterValidator(check_time)]
DiaryDay = Annotated[dt.date, AfterValidator(check_day)]
CleanText = Annotated[str, AfterValidator(check_text)]
