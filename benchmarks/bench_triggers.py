"""Trigger analysis on synthetic 120-day diaries with planted triggers: power and false-trigger rate.

    .venv/bin/python benchmarks/bench_triggers.py [--diaries 100]

Scenarios (one planted exposure per diary, every other exposure null):
  measured  -- a measured exposure (hand use, less sleep, less fluid, exercise minutes) with odds
               ratio 3 per standard deviation: the headline `power`
  yes/no    -- hard training or cold with odds ratio 3 (yes vs no): reported as `power_yes_no`
               (a day-level yes/no outcome over 120 days cannot reach 90% here; see the caveat)
  none      -- no trigger at all: share of diaries with any false trigger (`any_false_trigger_null`)
`false_trigger_rate` is the share of null exposures (in the measured scenario) called a trigger.
Prints a table, then one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from crampcheck.diary.synthetic import Planted, make_diary  # noqa: E402
from crampcheck.diary.triggers import analyse_tables  # noqa: E402

MEASURED = [("hand_use_hours", 1), ("sleep_hours", -1), ("fluids_l", -1), ("exercise_minutes", 1)]
YES_NO = ["hard_training", "cold"]


def run(scenario: str, n: int, days: int) -> dict[str, float]:
    found = false = nulls = any_false = 0
    t0 = time.perf_counter()
    for i in range(n):
        if scenario == "measured":
            name, direction = MEASURED[i % len(MEASURED)]
            planted = Planted(name, 3.0, direction)
        elif scenario == "yes/no":
            planted = Planted(YES_NO[i % 2], 3.0)
        else:
            planted = Planted(None)
        d = make_diary(seed=20_000 + i, days=days, planted=planted)
        report = analyse_tables(d.episodes, d.exposures)
        named = {e.exposure for e in report.triggers}
        found += planted.exposure in named
        others = [e for e in report.effects if e.exposure != planted.exposure]
        nulls += len(others)
        wrong = sum(e.exposure in named for e in others)
        false += wrong
        any_false += wrong > 0
    return {
        "power": found / n if scenario != "none" else float("nan"),
        "false_rate": false / max(nulls, 1),
        "any_false": any_false / n,
        "seconds": time.perf_counter() - t0,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--diaries", type=int, default=100)
    ap.add_argument("--days", type=int, default=120)
    args = ap.parse_args()
    rows = {s: run(s, args.diaries, args.days) for s in ("measured", "yes/no", "none")}
    # one 2-year diary, timed (analysis only, tables already in memory)
    two_years = make_diary(seed=7, days=730, planted=Planted("hand_use_hours", 3.0))
    analyse_tables(two_years.episodes.head(50), two_years.exposures.head(60))  # warm imports
    t0 = time.perf_counter()
    analyse_tables(two_years.episodes, two_years.exposures)
    analysis_s = time.perf_counter() - t0
    # reference in the same run: the same fit through statsmodels' ConditionalLogit
    import numpy as np
    from statsmodels.discrete.conditional_models import ConditionalLogit

    from crampcheck.diary.triggers import build_day_table, clogit_fit

    days_tab = build_day_table(two_years.episodes, two_years.exposures).dropna()
    cols = [c for c in days_tab.columns if c not in ("case", "episodes")]
    X = days_tab[cols].to_numpy(float)
    X = (X - X.mean(0)) / X.std(0)
    y = days_tab["case"].to_numpy(float)
    idx = days_tab.index
    g = np.asarray(idx.year * 100 + idx.month)
    t0 = time.perf_counter()
    ours = clogit_fit(y, X, g)[0]
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = ConditionalLogit(y, X, groups=g).fit(disp=0)
    statsmodels_s = time.perf_counter() - t0
    max_diff = float(np.max(np.abs(ours - np.asarray(ref.params))))

    print(f"{args.diaries} synthetic diaries of {args.days} days; planted odds ratio 3")
    print(f"{'scenario':<10} {'power':>7} {'null exposures called':>22} {'diaries with any false':>23} {'s':>6}")
    for name, r in rows.items():
        power = "-" if name == "none" else f"{r['power']:.2f}"
        print(f"{name:<10} {power:>7} {r['false_rate']:>22.3f} {r['any_false']:>23.2f} {r['seconds']:>6.1f}")
    print(f"2-year diary (730 days): whole analysis {analysis_s:.3f} s")
    print(
        f"  model fit: vectorised Newton {fit_s * 1000:.1f} ms vs statsmodels ConditionalLogit"
        f" {statsmodels_s * 1000:.0f} ms ({statsmodels_s / fit_s:.0f}x), max coefficient difference {max_diff:.1e}"
    )
    figures = {
        "power": rows["measured"]["power"],
        "false_trigger_rate": rows["measured"]["false_rate"],
        "power_yes_no": rows["yes/no"]["power"],
        "false_trigger_rate_yes_no": rows["yes/no"]["false_rate"],
        "any_false_trigger_null": rows["none"]["any_false"],
        "analysis_s": round(analysis_s, 4),
        "fit_s": round(fit_s, 5),
        "statsmodels_fit_s": round(statsmodels_s, 4),
        "fit_speedup_vs_statsmodels": round(statsmodels_s / fit_s, 1),
        "diaries": args.diaries,
        "days": args.days,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
