"""Migrations create the schema from empty and upgrade a database with data in it without loss."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from crampcheck.storage.db import current_revision, head_revision, make_engine, upgrade
from crampcheck.storage.models import Base


def test_upgrade_from_empty_creates_every_table_and_column(empty_url: str) -> None:
    engine = make_engine(empty_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    insp = sa.inspect(engine)
    for table in Base.metadata.sorted_tables:
        have = {c["name"] for c in insp.get_columns(table.name)}
        want = {c.name for c in table.columns}
        assert want == have, f"{table.name}: model and migrations disagree: {want ^ have}"
    upgrade(engine)  # a second run is a no-op
    engine.dispose()


def test_upgrade_0001_to_head_keeps_data(empty_url: str) -> None:
    engine = make_engine(empty_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob')"))
        conn.execute(
            sa.text(
                "INSERT INTO episodes (user_id, started_at, duration_s, muscle, side, severity, activity, relief, note)"
                " VALUES (:u, :t, 90, 'calf', 'left', 7, 'sleeping', 'stretching', 'woke me')"
            ),
            [{"u": 1, "t": dt.datetime(2024, 3, 1, 3, 10)}, {"u": 2, "t": dt.datetime(2024, 3, 2, 4, 0)}],
        )
        conn.execute(
            sa.text(
                "INSERT INTO exposures (user_id, day, sleep_hours, cold, medicines) VALUES (1, :d, 6.5, :c, 'statin')"
            ),
            {"d": dt.date(2024, 3, 1), "c": True},
        )
        conn.execute(
            sa.text(
                "INSERT INTO assessments (user_id, created_at, kb_version, lang, triage_level, payload)"
                " VALUES (1, :t, 'kb-1', 'en', 'doctor', '{}')"
            ),
            {"t": dt.datetime(2024, 3, 1, 9, 0)},
        )
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        eps = conn.execute(
            sa.text("SELECT user_id, muscle, severity, note, source FROM episodes ORDER BY id")
        ).all()
        assert [tuple(r) for r in eps] == [
            (1, "calf", 7, "woke me", "manual"),
            (2, "calf", 7, "woke me", "manual"),
        ]
        ex = conn.execute(sa.text("SELECT sleep_hours, medicines, menstrual_phase, pregnant FROM exposures")).one()
        assert tuple(ex) == (6.5, "statin", None, None)
        assert conn.execute(sa.text("SELECT kb_version FROM assessments")).scalar_one() == "kb-1"
        assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar_one() == 2
    engine.dispose()


def test_sqlite_runs_in_wal_with_normal_sync(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()


def _v0_payload() -> str:
    """A saved assessment as it was stored before records had a version: the bare API response."""
    from crampcheck.schema import Assessment, EngineInfo, RankedCondition, Triage

    return Assessment(
        kb_version="kb-0",
        lang="zh",
        age=70,
        sex="male",
        answers=[],
        conditions=[RankedCondition(id="c1", name="一个原因", probability=0.4, level="doctor", icd10="R25.2")],
        none_of_the_above=0.2,
        triage=Triage(level="doctor", label="看医生", message="请预约。", reasons=[]),
        next_question=None,
        should_stop=True,
        advice=[],
        disclaimer="不是诊断。",
        engine=EngineInfo(method="exact", max_causes=3, states=8, neglected_mass_bound=0.0),
    ).model_dump_json()


def test_upgrade_0002_converts_saved_assessments_to_versioned_records(empty_url: str) -> None:
    """Migration 0003: every unversioned payload becomes a StoredAssessment (version 1) that the report reads."""
    from crampcheck.diary import records

    engine = make_engine(empty_url)
    upgrade(engine, "0002")
    payload = _v0_payload()
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO users (id, name) VALUES (1, 'ann')"))
        conn.execute(
            sa.text(
                "INSERT INTO assessments (user_id, created_at, kb_version, lang, triage_level, payload)"
                " VALUES (1, :t, 'kb-0', 'zh', 'doctor', :p), (1, :t, 'kb-0', 'zh', 'doctor', 'not json')"
            ),
            {"t": dt.datetime(2024, 3, 1, 9, 0), "p": payload},
        )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT payload, record_version FROM assessments ORDER BY id")).all()
    engine.dispose()
    (converted, version), (untouched, old_version) = rows
    assert version == 1 and '"record_version":1' in converted.replace(" ", "")
    assert (untouched, old_version) == ("not json", 0)  # left for the reader to report, not lost
    record = records.load(converted)
    assert record.engine_method == "exact" and record.conditions[0].name == "一个原因"
    assert record == records.load(payload)  # the program's own reader of version 0 gives the same record
