"""Synthetic diaries with planted triggers, for tests, benchmarks and demos (never for a real user).

Each diary records daily exposures and cramp episodes. A *planted* exposure changes the odds of a
cramp day by a known odds ratio: for a measured exposure per one standard deviation of that
exposure (``direction=-1`` means "less of it" is the trigger, as with sleep), for a yes/no exposure
yes vs no. Every other exposure is null: it has no effect at all. Episodes of diary day ``d`` fall
between 06:00 on ``d`` and 06:00 on ``d+1``, mostly at night, as real leg cramps do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

MEASURED = ("exercise_minutes", "sleep_hours", "fluids_l", "caffeine_mg", "hand_use_hours", "alcohol_units")
YES_NO = ("hard_training", "cold")


@dataclass(frozen=True)
class Planted:
    exposure: str | None
    odds_ratio: float = 3.0
    direction: int = 1  # +1: more is worse; -1: less is worse


@dataclass
class SyntheticDiary:
    episodes: pd.DataFrame
    exposures: pd.DataFrame
    planted: Planted


def make_diary(
    *,
    seed: int,
    days: int = 120,
    planted: Planted | None = None,
    base_rate: float = 0.35,
    start: dt.date = dt.date(2024, 1, 1),
) -> SyntheticDiary:
    """A diary of ``days`` days with one planted trigger (or none)."""
    rng = np.random.default_rng(seed)
    planted = planted or Planted(None)
    day_index = pd.date_range(start, periods=days, freq="D")
    intensity = rng.choice(["none", "light", "moderate", "hard"], p=[0.3, 0.2, 0.2, 0.3], size=days)
    minutes = np.where(intensity == "none", 0.0, np.round(rng.gamma(3.0, 15.0, size=days)))
    ex = pd.DataFrame(
        {
            "day": day_index.date,
            "exercise_intensity": intensity,
            "exercise_minutes": minutes,
            "sleep_hours": np.round(np.clip(rng.normal(7.0, 1.0, days), 3, 11), 1),
            "fluids_l": np.round(np.clip(rng.normal(1.8, 0.5, days), 0.2, 5), 1),
            "alcohol_units": np.where(rng.random(days) < 0.6, 0.0, rng.integers(1, 6, days)).astype(float),
            "caffeine_mg": np.round(np.clip(rng.normal(200, 80, days), 0, 800)),
            "cold": rng.random(days) < 0.3,
            "hand_use_hours": np.round(np.clip(rng.gamma(4.0, 0.75, days), 0, 14), 1),
            "medicines": ["" for _ in range(days)],
        }
    )
    lp = np.full(days, np.log(base_rate / (1 - base_rate)))
    if planted.exposure is not None:
        beta = np.log(planted.odds_ratio)
        if planted.exposure in YES_NO:
            x = (
                (intensity == "hard").astype(float)
                if planted.exposure == "hard_training"
                else ex["cold"].astype(float)
            )
            lp += beta * x.to_numpy() if hasattr(x, "to_numpy") else beta * x
        else:
            x = ex[planted.exposure].to_numpy(dtype=float)
            z = (x - x.mean()) / x.std()
            lp += planted.direction * beta * z
    case = rng.random(days) < 1 / (1 + np.exp(-lp))
    rows = []
    muscles = np.array(["calf", "foot", "thigh", "hand"])
    for i in np.flatnonzero(case):
        for _ in range(1 + rng.poisson(0.3)):
            # hours after 06:00 of the diary day: mostly 22:00-05:00 (16-23 h later)
            offset_h = rng.uniform(16, 23.9) if rng.random() < 0.7 else rng.uniform(0, 16)
            started = pd.Timestamp(day_index[i]) + pd.Timedelta(hours=6 + offset_h)
            rows.append(
                {
                    "started_at": started.floor("s").to_pydatetime(),
                    "duration_s": int(rng.integers(20, 600)),
                    "muscle": str(rng.choice(muscles, p=[0.6, 0.2, 0.1, 0.1])),
                    "side": str(rng.choice(["left", "right", "both"])),
                    "severity": int(rng.integers(3, 10)),
                    "activity": "sleeping" if offset_h > 16 else "resting",
                    "relief": "stretching",
                }
            )
    episodes = pd.DataFrame(
        rows, columns=["started_at", "duration_s", "muscle", "side", "severity", "activity", "relief"]
    )
    return SyntheticDiary(episodes=episodes, exposures=ex, planted=planted)
