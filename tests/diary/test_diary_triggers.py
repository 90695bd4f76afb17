"""Trigger analysis: its pieces, and its power and false-trigger rate on synthetic diaries."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from crampcheck.diary.synthetic import Planted, make_diary
from crampcheck.diary.triggers import (
    analyse,
    analyse_tables,
    benjamini_hochberg,
    build_day_table,
    holm,
)
from crampcheck.errors import InputError


def test_holm_and_bh_match_hand_computed_values() -> None:
    p = [0.01, 0.04, 0.03, 0.2]
    assert holm(p) == pytest.approx([0.04, 0.09, 0.09, 0.2])
    assert benjamini_hochberg(p) == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2])


def test_a_night_cramp_counts_for_the_evening_before() -> None:
    episodes = pd.DataFrame({"started_at": [dt.datetime(2024, 1, 2, 3, 0), dt.datetime(2024, 1, 2, 7, 0)]})
    exposures = pd.DataFrame({"day": [dt.date(2024, 1, 1), dt.date(2024, 1, 2)], "sleep_hours": [6.0, 7.0]})
    days = build_day_table(episodes, exposures)
    assert days["episodes"].tolist() == [1, 1]
    assert days["case"].tolist() == [1, 1]


def test_medicines_become_yes_no_exposures() -> None:
    exposures = pd.DataFrame({"day": [dt.date(2024, 1, 1), dt.date(2024, 1, 2)], "medicines": ["a;b", None]})
    days = build_day_table(pd.DataFrame(), exposures)
    assert days["medicine:a"].tolist() == [1.0, 0.0] and days["medicine:b"].tolist() == [1.0, 0.0]


def test_oversized_strata_are_refused() -> None:
    idx = pd.date_range("2024-01-01", periods=40)
    days = pd.DataFrame({"case": [0, 1] * 20, "episodes": [0, 1] * 20, "x": np.arange(40.0)}, index=idx)
    with pytest.raises(InputError, match="at most 31"):
        analyse(days, strata=pd.Series(1, index=idx))


def test_too_little_data_gives_a_warning_and_no_effects() -> None:
    d = make_diary(seed=3, days=15, planted=Planted("hand_use_hours"))
    report = analyse_tables(d.episodes, d.exposures)
    assert report.effects == []
    assert any("Too little data" in w for w in report.warnings)


def test_planted_trigger_gets_a_plain_sentence_and_a_caution() -> None:
    d = make_diary(seed=11, days=240, planted=Planted("hard_training", odds_ratio=4.0))
    report = analyse_tables(d.episodes, d.exposures)
    eff = {e.exposure: e for e in report.effects}["hard_training"]
    assert eff.verdict == "possible_trigger"
    assert eff.ci_low is not None and eff.ci_high is not None and eff.odds_ratio is not None
    assert eff.ci_low < eff.odds_ratio < eff.ci_high
    assert eff.sentence.startswith("After days with hard training, cramps were about")
    assert "tested 8 things at once" in report.caution and "hard training" in report.caution
    zh = analyse_tables(d.episodes, d.exposures, lang="zh")
    assert "高强度训练" in zh.caution


def test_less_sleep_reads_the_natural_way_round() -> None:
    d = make_diary(seed=5, days=180, planted=Planted("sleep_hours", odds_ratio=3.0, direction=-1))
    eff = {e.exposure: e for e in analyse_tables(d.episodes, d.exposures).effects}["sleep_hours"]
    assert eff.verdict == "possible_trigger" and eff.direction == "less"
    assert eff.sentence.startswith("With each 1 hour less sleep, cramps were about")


MEASURED_TRIGGERS = [("hand_use_hours", 1), ("sleep_hours", -1), ("fluids_l", -1), ("exercise_minutes", 1)]


def power_and_false_rate(n: int = 100, days: int = 120) -> tuple[float, float]:
    """Share of diaries whose planted trigger (OR 3 per SD) is found, and of null exposures called triggers."""
    found = false = nulls = 0
    for i in range(n):
        name, direction = MEASURED_TRIGGERS[i % len(MEASURED_TRIGGERS)]
        d = make_diary(seed=10_000 + i, days=days, planted=Planted(name, 3.0, direction))
        report = analyse_tables(d.episodes, d.exposures)
        named = {e.exposure for e in report.triggers}
        found += name in named
        others = [e for e in report.effects if e.exposure != name]
        nulls += len(others)
        false += sum(e.exposure in named for e in others)
    return found / n, false / nulls


@pytest.mark.slow
def test_power_and_false_trigger_rate_on_100_synthetic_diaries() -> None:
    power, false_rate = power_and_false_rate()
    assert power >= 0.90, f"planted triggers found in only {power:.0%} of diaries"
    assert false_rate <= 0.05, f"null exposures called triggers {false_rate:.1%} of the time"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorised_fit_matches_statsmodels_conditional_logit(seed: int) -> None:
    from statsmodels.discrete.conditional_models import ConditionalLogit

    from crampcheck.diary.triggers import clogit_fit

    rng = np.random.default_rng(seed)
    n = 200
    X = rng.normal(size=(n, 4))
    groups = np.repeat(np.arange(8), 25)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-0.7 + 1.1 * X[:, 0] - 0.5 * X[:, 2])))).astype(float)
    params, bse, loglik = clogit_fit(y, X, groups)
    ref = ConditionalLogit(y, X, groups=groups).fit(disp=0, method="newton", maxiter=100)
    assert params == pytest.approx(np.asarray(ref.params), abs=1e-4)
    assert bse == pytest.approx(np.asarray(ref.bse), rel=1e-3)
    assert loglik == pytest.approx(ref.llf, abs=1e-6)
