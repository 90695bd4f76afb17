"""One read model of a person's diary, computed once per request and shared by everything that shows the diary:
the web page (list, day form, charts), the stats and chart endpoints, the doctor report and ``crampcheck diary
stats``.

:func:`read_diary` reads the episodes and the daily exposures once (both as models and as tables), the summary
and the latest saved assessment; the trigger analysis, the costly part (a conditional logistic fit), is done
only when first asked for, at most once per read, and remembered across reads of the same diary content (a
page shown again after a form error, or before anything changed, does not fit again).
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from crampcheck.diary import bounds, service
from crampcheck.diary.fields import EPISODE_COLUMNS, EXPOSURE_COLUMNS
from crampcheck.diary.records import StoredAssessment
from crampcheck.diary.schemas import AssessmentSaved, EpisodePublic, ExposurePublic
from crampcheck.diary.service import DiarySummary, summarize
from crampcheck.diary.triggers import TriggerReport, analyse_tables

FIT_CACHE_SIZE = 32
_fits: OrderedDict[tuple[str, str], TriggerReport] = OrderedDict()


def _fingerprint(episodes: pd.DataFrame, exposures: pd.DataFrame) -> str:
    h = hashlib.sha256()
    for table in (episodes.drop(columns=["id"], errors="ignore"), exposures):
        h.update(",".join(map(str, table.columns)).encode())
        h.update(pd.util.hash_pandas_object(table.astype(str), index=False).to_numpy().tobytes())
    return h.hexdigest()


def _fit(episodes: pd.DataFrame, exposures: pd.DataFrame, lang: str) -> TriggerReport:
    """:func:`analyse_tables`, remembered for the last few diary contents (a copy, so a caller cannot change it)."""
    key = (_fingerprint(episodes, exposures), lang)
    if key in _fits:
        _fits.move_to_end(key)
    else:
        _fits[key] = analyse_tables(episodes, exposures, lang=lang)
        while len(_fits) > FIT_CACHE_SIZE:
            _fits.popitem(last=False)
    return copy.deepcopy(_fits[key])


@dataclass
class DiaryView:
    lang: str
    episodes: list[EpisodePublic]  # oldest first, every one (listed so that any can be changed or deleted)
    exposures: list[ExposurePublic]
    # what the analyses, charts, stats and report read: the rows within the diary's bounds only (a row stored
    # before the bounds existed, dated year 1 or 9999, is listed but not analysed; ``diary repair`` removes it)
    analysed_episodes: list[EpisodePublic]
    episode_table: pd.DataFrame
    exposure_table: pd.DataFrame
    summary: DiarySummary
    latest: tuple[AssessmentSaved, StoredAssessment] | None

    @functools.cached_property
    def triggers(self) -> TriggerReport:
        return _fit(self.episode_table, self.exposure_table, self.lang)

    def recent(self, n: int) -> list[EpisodePublic]:
        """The ``n`` newest episodes, newest first."""
        return list(reversed(self.episodes[-n:])) if n > 0 else []

    def exposure_on(self, day: Any) -> ExposurePublic | None:
        return next((x for x in self.exposures if x.day == day), None)

    def stats(self) -> dict[str, Any]:
        """The stats endpoint's and ``diary stats --json``'s answer."""
        return {"summary": self.summary.model_dump(mode="json"), "triggers": self.triggers.to_dict()}

    def chart_data(self) -> dict[str, Any]:
        """The numbers behind every chart, as JSON-ready data (the web app draws them itself)."""
        report = self.triggers
        per_day: dict[str, int] = {}
        if len(self.episode_table):
            days = (
                pd.to_datetime(self.episode_table["started_at"])
                .dt.strftime("%Y-%m-%d")
                .value_counts()
                .sort_index()
            )
            per_day = {str(k): int(v) for k, v in days.items()}
        return {
            "episodes_per_day": [{"day": k, "count": v} for k, v in per_day.items()],
            "by_hour": [{"hour": h, "count": c} for h, c in enumerate(self.summary.by_hour)],
            "by_muscle": [{"muscle": k, "count": v} for k, v in self.summary.by_muscle.items()],
            "effects": [
                {
                    "exposure": e.exposure,
                    "label": e.label,
                    "odds_ratio": e.odds_ratio,
                    "ci_low": e.ci_low,
                    "ci_high": e.ci_high,
                    "p_bh": e.p_bh,
                    "verdict": e.verdict,
                    "sentence": e.sentence,
                }
                for e in report.effects
            ],
            "warnings": report.warnings,
            "caution": report.caution,
        }


def read_diary(*, session: Session, user_id: int, lang: str = "en") -> DiaryView:
    """Everything the diary shows for ``user_id``, read once."""
    episodes = service.list_episodes(session=session, user_id=user_id)
    exposures = service.list_exposures(session=session, user_id=user_id)
    analysed = [e for e in episodes if bounds.time_within(e.started_at)]
    episode_table = pd.DataFrame(
        [e.model_dump(include={"id", *EPISODE_COLUMNS}) for e in analysed], columns=["id", *EPISODE_COLUMNS]
    )
    exposure_table = pd.DataFrame(
        [service.exposure_row_values(x) for x in exposures if bounds.day_within(x.day)], columns=EXPOSURE_COLUMNS
    )
    return DiaryView(
        lang=lang,
        episodes=episodes,
        exposures=exposures,
        analysed_episodes=analysed,
        episode_table=episode_table,
        exposure_table=exposure_table,
        summary=summarize(episode_table, exposure_table),
        latest=service.latest_assessment(session=session, user_id=user_id),
    )
