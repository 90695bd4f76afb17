"""Diary test fixtures: a fresh embedded SQLite data dir per test, read through the real settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crampcheck.settings import get_settings
from crampcheck.storage.db import close_all


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRAMPCHECK_LOCAL_USER", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    close_all()
    get_settings.cache_clear()


@pytest.fixture
def saved_assessment():  # type: ignore[no-untyped-def]
    """The API response (``Assessment``) that :func:`filled` saves in the diary."""
    from crampcheck.schema import (
        Answer,
        Assessment,
        Contribution,
        EngineInfo,
        RankedCondition,
        Triage,
        TriageReason,
    )

    return Assessment(
        kb_version="2024.05-test",
        lang="en",
        age=64,
        sex="female",
        answers=[Answer(finding="site_calf", state="present"), Answer(finding="pregnant", state="absent")],
        conditions=[
            RankedCondition(
                id="idiopathic_nocturnal_leg_cramps",
                name="Night-time leg cramps",
                probability=0.62,
                level="self_care",
                icd10="R25.2",
                raised_by=[
                    Contribution(
                        finding="site_calf", state="present", text="cramps in the calf", delta=0.2, factor=3.0
                    )
                ],
            ),
            RankedCondition(
                id="medication_induced",
                name="Side effect of a medicine",
                probability=0.3,
                level="doctor",
                icd10="Y52.5",
            ),
        ],
        none_of_the_above=0.1,
        triage=Triage(
            level="doctor",
            label="See a doctor",
            message="Book a visit.",
            reasons=[TriageReason(rule="r1", level="doctor", text="a new medicine before the cramps")],
        ),
        next_question=None,
        should_stop=True,
        advice=[],
        disclaimer="Not a diagnosis.",
        engine=EngineInfo(method="quickscore", max_causes=3, states=10, neglected_mass_bound=0.0),
    )


@pytest.fixture
def filled(data_dir: Path, saved_assessment):  # type: ignore[no-untyped-def]
    """A database with a 120-day synthetic diary (planted trigger: hand use), medicines and an assessment."""
    import datetime as dt

    from crampcheck.diary import service
    from crampcheck.diary.schemas import EpisodeCreate, ExposureIn
    from crampcheck.diary.synthetic import Planted, make_diary
    from crampcheck.storage.db import open_database

    d = make_diary(seed=2, planted=Planted("hand_use_hours"))
    db = open_database()
    assessment = saved_assessment
    with db.session() as s:
        uid = service.ensure_user(session=s, name="local").id
        for r in d.episodes.to_dict("records"):
            service.add_episode(session=s, user_id=uid, episode=EpisodeCreate.model_validate(r))
        for r in d.exposures.to_dict("records"):
            r["medicines"] = ["amlodipine"] if r["day"].day % 3 == 0 else []
            service.put_exposure(session=s, user_id=uid, exposure=ExposureIn.model_validate(r))
        service.save_assessment(
            session=s, user_id=uid, assessment=assessment, created_at=dt.datetime(2024, 5, 1, 9, 0)
        )
    return db, uid, d
