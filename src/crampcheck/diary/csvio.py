"""CSV import and export of episodes and daily exposures, lossless both ways.

The kind of file is told by its header (``started_at`` -> episodes, ``day`` -> exposures). Export
writes every stored field (floats in their shortest exact form, times in ISO 8601), so an export
imported into an empty diary exports byte-for-byte the same file.

Import checks every row (with the same limits as the API) and inserts in batches of one
``executemany`` each, inside the caller's single transaction: a bad row anywhere raises
:class:`CsvImportError` with its line and reason, the transaction rolls back, and nothing is
written in part. Rows are parsed by hand, not through pydantic, because a million rows must load
in well under a minute.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from sqlalchemy.orm import Session

from crampcheck.diary import bounds
from crampcheck.diary.errors import CsvImportError
from crampcheck.diary.fields import (
    EPISODE_COLUMNS,
    EPISODE_FIELDS,
    EXPOSURE_COLUMNS,
    EXPOSURE_FIELDS,
    SOURCES,
    DiaryField,
)
from crampcheck.storage import repo
from crampcheck.storage.models import Episode, Exposure

Kind = Literal["episodes", "exposures"]
BATCH = 20_000
MAX_PROBLEMS = 20


@dataclass
class ImportResult:
    kind: Kind
    rows: int


# ---- field parsers: return the value or raise ValueError with a reason naming the field --------


def _opt(parse: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    def inner(raw: str, field: str) -> Any:
        return None if raw == "" else parse(raw, field)

    return inner


def _datetime(raw: str, field: str) -> dt.datetime:
    # local wall-clock time, as the API takes it (crampcheck.diary.bounds); a spreadsheet's space is fine
    try:
        value = bounds.parse_local_time(raw.strip().replace(" ", "T", 1))
    except bounds.OffsetError:
        raise ValueError(
            f"{field} {raw!r}: give the local time without a time-zone offset, like 2024-05-01T03:10:00"
        ) from None
    except ValueError:
        raise ValueError(f"{field} {raw!r} is not a date-time like 2024-05-01T03:10:00") from None
    try:
        return bounds.check_time(value)
    except ValueError as exc:
        raise ValueError(f"{field} {raw!r}: {exc}") from None


def _date(raw: str, field: str) -> dt.date:
    try:
        value = bounds.parse_day(raw)
    except ValueError:
        raise ValueError(f"{field} {raw!r} is not a date like 2024-05-01") from None
    try:
        return bounds.check_day(value)
    except ValueError as exc:
        raise ValueError(f"{field} {raw!r}: {exc}") from None


def _clean(raw: str, field: str) -> str:
    try:
        return bounds.check_text(raw)
    except ValueError as exc:
        raise ValueError(f"{field}: {exc}") from None


def _int_range(lo: float, hi: float) -> Callable[[str, str], int]:
    def parse(raw: str, field: str) -> int:
        try:
            v = int(raw)
        except ValueError:
            raise ValueError(f"{field} {raw!r} is not a whole number") from None
        if not lo <= v <= hi:
            raise ValueError(f"{field} {v} is outside {lo:g} to {hi:g}")
        return v

    return parse


def _float_range(lo: float, hi: float) -> Callable[[str, str], float]:
    def parse(raw: str, field: str) -> float:
        try:
            v = float(raw)
        except ValueError:
            raise ValueError(f"{field} {raw!r} is not a number") from None
        if not (math.isfinite(v) and lo <= v <= hi):
            raise ValueError(f"{field} {raw} is outside {lo:g} to {hi:g}")
        return v

    return parse


def _choice(options: tuple[str, ...]) -> Callable[[str, str], str]:
    allowed = frozenset(options)

    def parse(raw: str, field: str) -> str:
        if raw not in allowed:
            raise ValueError(f"{field} {raw!r} is not one of {', '.join(options)}")
        return raw

    return parse


def _text(limit: int) -> Callable[[str, str], str | None]:
    def parse(raw: str, field: str) -> str | None:
        v = unneutralise(_clean(raw.strip(), field))
        if len(v) > limit:
            raise ValueError(f"{field} is longer than {limit} characters")
        return v or None

    return parse


_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def _bool(raw: str, field: str) -> bool:
    v = raw.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError(f"{field} {raw!r} is not true or false")


def _list(limit: int, items: int) -> Callable[[str, str], str | None]:
    """A list is stored as its items joined by ';' (and so written in a CSV cell)."""

    def parse(raw: str, field: str) -> str | None:
        names: list[str] = []
        for part in unneutralise(raw).split(";"):
            part = _clean(part.strip(), field)
            if len(part) > limit:
                raise ValueError(f"{field}: an item is longer than {limit} characters")
            if part and part not in names:
                names.append(part)
        if len(names) > items:
            raise ValueError(f"{field} lists more than {items} items")
        return ";".join(names) or None

    return parse


def parser(f: DiaryField) -> Callable[[str, str], Any]:
    """The CSV cell reader of a field (a fast one: a million rows must load in well under a minute)."""
    p: Callable[[str, str], Any]
    if f.type == "datetime":
        p = _datetime
    elif f.type == "date":
        p = _date
    elif f.type in ("int", "number"):
        assert f.min is not None and f.max is not None
        p = (_int_range if f.type == "int" else _float_range)(f.min, f.max)
    elif f.type == "choice":
        p = _choice(f.values)
    elif f.type == "bool":
        p = _bool
    elif f.type == "text":
        assert f.max_length is not None
        return _text(f.max_length)
    else:
        assert f.max_length is not None and f.max_items is not None
        return _list(f.max_length, f.max_items)
    return p if f.required else _opt(p)


EPISODE_PARSERS: dict[str, Callable[[str, str], Any]] = {f.name: parser(f) for f in EPISODE_FIELDS}
EPISODE_PARSERS["source"] = _opt(_choice(SOURCES))
EPISODE_REQUIRED = tuple(f.name for f in EPISODE_FIELDS if f.required)
EXPOSURE_PARSERS: dict[str, Callable[[str, str], Any]] = {f.name: parser(f) for f in EXPOSURE_FIELDS}
EXPOSURE_REQUIRED = tuple(f.name for f in EXPOSURE_FIELDS if f.required)


def detect_kind(header: list[str], where: str) -> Kind:
    cols = {h.strip() for h in header}
    if "started_at" in cols:
        return "episodes"
    if "day" in cols:
        return "exposures"
    raise CsvImportError(
        where, [(1, "the header names neither 'started_at' (an episodes file) nor 'day' (an exposures file)")]
    )


def import_csv(
    *,
    session: Session,
    user_id: int,
    source: str | Path | TextIO,
    name: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import an episodes or exposures CSV for ``user_id`` inside the caller's transaction.

    Raises :class:`CsvImportError` (with line numbers) before the caller commits; the caller's
    rollback then leaves the diary exactly as it was. ``progress``, for a file, is told now and then how many
    bytes of it have been read.
    """
    if isinstance(source, (str, Path)):
        where = name or str(source)
        try:
            with open(source, newline="", encoding="utf-8-sig") as fh:
                return _import(session, user_id, fh if progress is None else _reporting(fh, progress), where)
        except FileNotFoundError:
            raise CsvImportError(where, [(0, "file not found")]) from None
        except UnicodeDecodeError as exc:
            raise CsvImportError(where, [(0, f"not UTF-8 text ({exc.reason})")]) from None
    return _import(session, user_id, source, name or "<csv>")


def _reporting(fh: TextIO, progress: Callable[[int], None], every: int = 2048) -> Iterator[str]:
    """The lines of ``fh``, telling ``progress`` the bytes read so far every ``every`` lines and at the end."""
    for k, line in enumerate(fh, 1):
        if k % every == 0:
            progress(fh.buffer.tell())
        yield line
    progress(fh.buffer.tell())


def _import(session: Session, user_id: int, fh: Iterable[str], where: str) -> ImportResult:
    reader = csv.reader(fh, strict=True)  # a stray quote is an error, never rows swallowed into one cell
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CsvImportError(where, [(1, "the file is empty")]) from None
    except csv.Error as exc:
        raise CsvImportError(where, [(1, f"not CSV: {exc}")]) from None
    kind = detect_kind(header, where)
    parsers, required = (
        (EPISODE_PARSERS, EPISODE_REQUIRED) if kind == "episodes" else (EXPOSURE_PARSERS, EXPOSURE_REQUIRED)
    )
    unknown = [h for h in header if h not in parsers and h != "id"]
    missing = [r for r in required if r not in header]
    dupes = {h for h in header if header.count(h) > 1}
    if unknown or missing or dupes:
        reasons = []
        if unknown:
            reasons.append(f"unknown column(s) {', '.join(unknown)}; known: {', '.join(parsers)}")
        if missing:
            reasons.append(f"missing required column(s) {', '.join(missing)}")
        if dupes:
            reasons.append(f"repeated column(s) {', '.join(sorted(dupes))}")
        raise CsvImportError(where, [(1, "; ".join(reasons))])
    table = Episode.__table__ if kind == "episodes" else Exposure.__table__
    fields = [h for h in header if h in parsers]
    steps = []
    for field in fields:
        parse, conv = parsers[field], repo.storage_converter(session, table, field)  # type: ignore[arg-type]
        if field == "source":
            parse = _source
        steps.append((header.index(field), field, _then(parse, conv) if conv else parse))
    columns = [*fields, "user_id"]
    const: tuple[Any, ...] = (user_id,)
    if kind == "episodes" and "source" not in fields:
        columns.append("source")
        const = (user_id, "import")
    day_at = header.index("day") if kind == "exposures" else -1
    width = len(header)
    problems: list[tuple[int, str]] = []
    batch: list[tuple[Any, ...]] = []
    total = 0
    seen_days: set[dt.date] = set()
    existing_days = repo.exposure_days(session, user_id) if kind == "exposures" else set()
    insert = repo.bulk_insert_episodes if kind == "episodes" else repo.bulk_insert_exposures

    for line, cells in _lines(reader, where):
        if len(cells) != width:
            if not cells or (len(cells) == 1 and cells[0] == ""):
                continue
            problems.append((line, f"has {len(cells)} fields, the header has {width}"))
        else:
            try:
                values = tuple([parse(cells[i], field) for i, field, parse in steps]) + const
            except ValueError as exc:
                problems.append((line, str(exc)))
            else:
                if day_at >= 0:
                    day = _date(cells[day_at], "day")
                    if day in seen_days:
                        problems.append((line, f"day {day} appears twice in the file"))
                    elif day in existing_days:
                        problems.append((line, f"day {day} is already in your diary (edit it instead)"))
                    seen_days.add(day)
                if not problems:
                    batch.append(values)
        if len(problems) >= MAX_PROBLEMS:
            break
        if len(batch) >= BATCH:
            insert(session, batch, columns)
            total += len(batch)
            batch = []
    if problems:
        raise CsvImportError(where, problems)
    insert(session, batch, columns)
    total += len(batch)
    return ImportResult(kind=kind, rows=total)


def _then(parse: Callable[[str, str], Any], conv: Callable[[Any], Any]) -> Callable[[str, str], Any]:
    def inner(raw: str, field: str) -> Any:
        return conv(parse(raw, field))

    return inner


def _source(raw: str, field: str) -> str:
    if raw == "":
        return "import"
    if raw not in SOURCES:
        raise ValueError(f"{field} {raw!r} is not one of {', '.join(SOURCES)}")
    return raw


def _lines(reader: Any, where: str) -> Iterator[tuple[int, list[str]]]:
    start = reader.line_num + 1  # the line the row being read begins on
    try:
        for cells in reader:
            yield reader.line_num, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        reason = (
            f"a quoted field that begins on line {start} is not closed properly ({exc}); a stray double quote? "
            'Put the whole field in double quotes and write each " inside it as ""'
        )
        raise CsvImportError(where, [(start, reason)]) from None


# ---- export -------------------------------------------------------------------------------------


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A cell a spreadsheet would run as a formula (starting with = + - @ tab or CR) gets a leading
    apostrophe (OWASP CSV injection); a text already starting with apostrophes before such a character gets one
    more, so that :func:`unneutralise` gives back exactly the stored text."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def unneutralise(text: str) -> str:
    """The stored text of an exported cell (the inverse of :func:`neutralise`)."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START) else text


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return neutralise(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


def export_rows(*, session: Session, user_id: int, kind: Kind) -> Iterable[list[str]]:
    if kind == "episodes":
        yield EPISODE_COLUMNS
        for e in repo.episodes(session, user_id):
            yield [_cell(getattr(e, c)) for c in EPISODE_COLUMNS]
    else:
        yield EXPOSURE_COLUMNS
        for x in repo.exposures(session, user_id):
            yield [_cell(getattr(x, c)) for c in EXPOSURE_COLUMNS]


def export_csv(*, session: Session, user_id: int, kind: Kind, out: TextIO | None = None) -> str:
    """Write the user's ``kind`` rows as CSV to ``out`` (or return them as a string)."""
    buf = out if out is not None else io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(export_rows(session=session, user_id=user_id, kind=kind))
    return buf.getvalue() if isinstance(buf, io.StringIO) else ""
