"""The diary services on real storage (SQLite and PostgreSQL): ownership, round trips, atomic imports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from crampcheck.diary import csvio, service
from crampcheck.diary.errors import CsvImportError, FieldError, NotFoundError
from crampcheck.diary.fields import EPISODE_COLUMNS, EXPOSURE_COLUMNS
from crampcheck.diary.schemas import EpisodeCreate, EpisodeUpdate, ExposureIn
from crampcheck.schema import Assessment, EngineInfo, RankedCondition, Triage, TriageReason
from crampcheck.storage.db import Database


def make_assessment(kb_version: str = "2024.05-test") -> Assessment:
    return Assessment(
        kb_version=kb_version,
        lang="en",
        age=64,
        sex="female",
        answers=[],
        conditions=[
            RankedCondition(
                id="idiopathic_nocturnal_leg_cramps",
                name="Night-time leg cramps",
                probability=0.62,
                level="self_care",
                icd10="R25.2",
            )
        ],
        none_of_the_above=0.1,
        triage=Triage(
            level="doctor",
            label="See a doctor",
            message="Book a visit.",
            reasons=[TriageReason(rule="r1", level="doctor", text="new medicine")],
        ),
        next_question=None,
        should_stop=True,
        advice=[],
        disclaimer="Not a diagnosis.",
        engine=EngineInfo(method="quickscore", max_causes=3, states=10, neglected_mass_bound=0.0),
    )


def users(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return service.ensure_user(session=s, name="ann").id, service.ensure_user(session=s, name="bob").id


def ep(**kw: object) -> EpisodeCreate:
    base: dict[str, object] = {"started_at": dt.datetime(2024, 5, 1, 3, 10), "muscle": "calf", "severity": 6}
    base.update(kw)
    return EpisodeCreate.model_validate(base)


def test_one_user_can_never_touch_another_users_entries(db: Database) -> None:
    ann, bob = users(db)
    with db.session() as s:
        e = service.add_episode(session=s, user_id=ann, episode=ep(side="left"))
        service.put_exposure(session=s, user_id=ann, exposure=ExposureIn(day=dt.date(2024, 5, 1), sleep_hours=6))
    with db.session() as s:
        assert service.list_episodes(session=s, user_id=bob) == []
        assert service.list_exposures(session=s, user_id=bob) == []
        with pytest.raises(NotFoundError):
            service.get_episode(session=s, user_id=bob, episode_id=e.id)
        with pytest.raises(NotFoundError):
            service.update_episode(session=s, user_id=bob, episode_id=e.id, changes=EpisodeUpdate(severity=1))
        with pytest.raises(NotFoundError):
            service.delete_episode(session=s, user_id=bob, episode_id=e.id)
        with pytest.raises(NotFoundError):
            service.delete_exposure(session=s, user_id=bob, day=dt.date(2024, 5, 1))
    with db.session() as s:
        again = service.get_episode(session=s, user_id=ann, episode_id=e.id)
        assert again.severity == 6 and again.side == "left"
        assert len(service.list_exposures(session=s, user_id=ann)) == 1


def test_episode_crud(db: Database) -> None:
    ann, _ = users(db)
    with db.session() as s:
        e = service.add_episode(session=s, user_id=ann, episode=ep(activity="sleeping", note="  "))
    assert e.note is None and e.source == "manual"
    with db.session() as s:
        u = service.update_episode(
            session=s, user_id=ann, episode_id=e.id, changes=EpisodeUpdate(severity=9, relief="stood up")
        )
    assert (u.severity, u.relief, u.activity) == (9, "stood up", "sleeping")
    with db.session() as s, pytest.raises(FieldError, match="muscle"):
        service.update_episode(session=s, user_id=ann, episode_id=e.id, changes=EpisodeUpdate(muscle=None))
    with db.session() as s:
        service.delete_episode(session=s, user_id=ann, episode_id=e.id)
    with db.session() as s:
        assert service.list_episodes(session=s, user_id=ann) == []


def test_exposure_upsert_replaces_the_day(db: Database) -> None:
    ann, _ = users(db)
    day = dt.date(2024, 5, 2)
    with db.session() as s:
        service.put_exposure(
            session=s, user_id=ann, exposure=ExposureIn(day=day, sleep_hours=5, medicines=["a", "b"])
        )
    with db.session() as s:
        service.put_exposure(session=s, user_id=ann, exposure=ExposureIn(day=day, sleep_hours=8, cold=True))
    with db.session() as s:
        got = service.get_exposure(session=s, user_id=ann, day=day)
    assert (got.sleep_hours, got.cold, got.medicines) == (8, True, [])


def test_assessment_is_saved_with_its_kb_version(db: Database) -> None:
    ann, bob = users(db)
    with db.session() as s:
        service.save_assessment(
            session=s, user_id=ann, assessment=make_assessment("kb-old"), created_at=dt.datetime(2024, 1, 1)
        )
        saved = service.save_assessment(
            session=s, user_id=ann, assessment=make_assessment("kb-new"), created_at=dt.datetime(2024, 2, 1)
        )
    with db.session() as s:
        latest = service.latest_assessment(session=s, user_id=ann)
        assert service.latest_assessment(session=s, user_id=bob) is None
    assert latest is not None
    meta, a = latest
    assert meta.id == saved.id and meta.kb_version == "kb-new" and a.kb_version == "kb-new"
    assert a.conditions[0].icd10 == "R25.2" and meta.triage_level == "doctor"


EPISODES_CSV = (
    "started_at,duration_s,muscle,side,severity,activity,relief,note,source\n"
    '2024-05-01T03:10:00,90,calf,left,7,sleeping,stretching,"woke me, twice",manual\n'
    "2024-05-02T22:15:30.250000,,foot,,3,,,,import\n"
    '2024-05-03T14:00:00,600,hand,right,10,writing,"shook it\nout",line\u00e9 \u6296,api\n'
)
EXPOSURES_CSV = (
    "day,exercise_minutes,exercise_intensity,sleep_hours,fluids_l,alcohol_units,caffeine_mg,cold,hand_use_hours,"
    "medicines,menstrual_phase,pregnant,note\n"
    "2024-05-01,45.0,hard,6.25,1.1,0.0,180.0,true,2.5,amlodipine;salbutamol,luteal,false,\n"
    "2024-05-02,,,,,,,,,,,,\n"
    "2024-05-03,0.0,none,8.0,2.3333333333333335,3.0,0.0,false,7.0,,menstruation,,rainy\n"
)


def with_every_column(text: str, columns: list[str]) -> str:
    """``text`` as an export writes it: every defined column (crampcheck/diary/fields.yaml), in their order, those
    the file does not have left empty; the cells it has exactly as they are."""
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[row.get(c, "") for c in columns] for row in rows])
    return out.getvalue()


def test_csv_round_trip_is_lossless(db: Database) -> None:
    ann, bob = users(db)
    for text in (EPISODES_CSV, EXPOSURES_CSV):
        with db.session() as s:
            csvio.import_csv(session=s, user_id=ann, source=io.StringIO(text, newline=""))
    with db.session() as s:
        out_e = csvio.export_csv(session=s, user_id=ann, kind="episodes")
        out_x = csvio.export_csv(session=s, user_id=ann, kind="exposures")
    assert out_e == with_every_column(EPISODES_CSV, EPISODE_COLUMNS)  # byte-identical
    assert out_x == with_every_column(EXPOSURES_CSV, EXPOSURE_COLUMNS)
    # and once more through another user's empty diary
    with db.session() as s:
        csvio.import_csv(session=s, user_id=bob, source=io.StringIO(out_e, newline=""))
        csvio.import_csv(session=s, user_id=bob, source=io.StringIO(out_x, newline=""))
    with db.session() as s:
        assert csvio.export_csv(session=s, user_id=bob, kind="episodes") == out_e
        assert csvio.export_csv(session=s, user_id=bob, kind="exposures") == out_x


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("2024-05-09T01:00:00,60,calf,left,11,,,,", "severity 11 is outside 0 to 10"),
        ("2024-13-09T01:00:00,60,calf,left,5,,,,", "started_at '2024-13-09T01:00:00' is not a date-time"),
        ("2024-05-09T01:00:00,60,calve,left,5,,,,", "muscle 'calve' is not one of"),
        ("2024-05-09T01:00:00,60,calf,left,5,,", "has 7 fields, the header has 9"),
    ],
)
def test_bad_import_names_line_and_reason_and_writes_nothing(db: Database, bad_line: str, reason: str) -> None:
    ann, _ = users(db)
    good = [f"2024-05-0{i}T01:00:00,60,calf,left,5,,,," for i in range(1, 6)]
    text = "started_at,duration_s,muscle,side,severity,activity,relief,note,source\n" + "\n".join(
        [*good, bad_line, good[0]]
    )
    with pytest.raises(CsvImportError) as info, db.session() as s:
        csvio.import_csv(session=s, user_id=ann, source=io.StringIO(text), name="cramps.csv")
    assert "cramps.csv" in str(info.value) and "line 7" in str(info.value) and reason in str(info.value)
    assert info.value.problems[0][0] == 7
    with db.session() as s:
        assert service.list_episodes(session=s, user_id=ann) == []


def test_import_rolls_back_rows_already_inserted_in_earlier_batches(db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ann, _ = users(db)
    monkeypatch.setattr(csvio, "BATCH", 3)
    rows = [f"2024-05-01T0{i}:00:00,60,calf,left,5,,,," for i in range(8)]
    text = "started_at,duration_s,muscle,side,severity,activity,relief,note,source\n" + "\n".join(rows)
    text += "\nnot-a-date,60,calf,left,5,,,,\n"
    with pytest.raises(CsvImportError, match="line 10"), db.session() as s:
        csvio.import_csv(session=s, user_id=ann, source=io.StringIO(text))
    with db.session() as s:
        assert service.list_episodes(session=s, user_id=ann) == []


def test_exposure_import_refuses_a_day_already_in_the_diary(db: Database) -> None:
    ann, _ = users(db)
    with db.session() as s:
        service.put_exposure(session=s, user_id=ann, exposure=ExposureIn(day=dt.date(2024, 5, 3)))
    with pytest.raises(CsvImportError, match="line 4: day 2024-05-03 is already in your diary"), db.session() as s:
        csvio.import_csv(session=s, user_id=ann, source=io.StringIO(EXPOSURES_CSV))
    with db.session() as s:
        assert len(service.list_exposures(session=s, user_id=ann)) == 1


def test_unknown_column_is_named(db: Database) -> None:
    ann, _ = users(db)
    with pytest.raises(CsvImportError, match="line 1: unknown column.*musle"), db.session() as s:
        csvio.import_csv(session=s, user_id=ann, source=io.StringIO("started_at,musle,severity\n"))
