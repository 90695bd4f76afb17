"""Metrics of shared/spec/evaluation.md: shares, turn percentiles (numpy's linear interpolation), median_items
and the calibration of the first-ranked cause's probability (Brier score, ECE over ten equal-width bins)."""

from __future__ import annotations

import math

import numpy as np

from crampcheck.evaluation.metrics import Outcome, calibration, metrics


def _o(k: int, turns: int, top: str, triage: str) -> Outcome:
    return Outcome(f"v{k}", [top, "b", "c"], triage, turns, "a", [], "doctor")


def test_turn_percentiles_interpolate_and_print_plainly() -> None:
    outs = [_o(k, t, "a", "doctor") for k, t in enumerate([9, 10, 11, 12, 13, 14, 14, 14, 13, 12, 10])]
    m = metrics(outs, "interview")
    assert m["median_turns"] == 12.0
    assert m["p90_turns"] == 14.0
    outs = [_o(k, t, "a", "doctor") for k, t in enumerate([10, 8, 15, 8, 12, 9, 5, 11])]
    assert metrics(outs, "interview")["p90_turns"] == 12.9  # 12 + 0.3 x (15 - 12), not 12.899999999999999


def test_shares_and_facts_mode() -> None:
    outs = [_o(0, 5, "a", "doctor"), _o(1, 5, "b", "self_care"), _o(2, 5, "a", "urgent")]
    m = metrics(outs, "facts")
    assert m["top1"] == round(2 / 3, 4)
    assert m["triage_safe"] == round(2 / 3, 4)
    assert m["over_triage"] == round(1 / 3, 4)
    assert m["median_turns"] is None and m["p90_turns"] is None


# --- calibration of the first-ranked cause's probability -------------------------------------------------


def _scored(k: int, p: float, right: bool) -> Outcome:
    return Outcome(f"c{k}", ["a" if right else "b", "c"], "doctor", 3, "a", [], "doctor", p_top1=p, items=4)


def test_brier_and_ece_by_hand() -> None:
    probs = [0.95, 0.85, 0.62, 0.35, 1.0]
    right = [True, False, True, False, True]
    m = metrics([_scored(k, p, r) for k, (p, r) in enumerate(zip(probs, right, strict=True))], "interview")
    # Brier = (0.05² + 0.85² + 0.38² + 0.35² + 0²) / 5 = (0.0025 + 0.7225 + 0.1444 + 0.1225 + 0) / 5
    #       = 0.9919 / 5 = 0.19838
    assert m["brier_top1"] == 0.1984
    # bins of 0.1: [0.9, 1.0] holds 0.95 and 1.0 (mean 0.975, both right: |0.975 - 1| = 0.025, weight 2/5)
    #              [0.8, 0.9) holds 0.85 (wrong: 0.85, weight 1/5); [0.6, 0.7) 0.62 (right: 0.38, 1/5);
    #              [0.3, 0.4) 0.35 (wrong: 0.35, 1/5)
    # ECE = 0.4 x 0.025 + 0.2 x 0.85 + 0.2 x 0.38 + 0.2 x 0.35 = 0.01 + 0.17 + 0.076 + 0.07 = 0.326
    assert m["ece_top1"] == 0.326
    assert m["median_items"] == 4.0


def _ece_by_digitize(p: np.ndarray, y: np.ndarray) -> float:
    edges = np.linspace(0.0, 1.0, 11)
    which = np.digitize(p, edges[1:-1])  # 0..9; 1.0 lands in 9
    total = 0.0
    for b in range(10):
        inside = [k for k in range(len(p)) if which[k] == b]
        if inside:
            conf = sum(p[k] for k in inside) / len(inside)
            acc = sum(y[k] for k in inside) / len(inside)
            total += len(inside) / len(p) * abs(conf - acc)
    return total


def test_calibration_matches_an_independent_computation() -> None:
    rng = np.random.default_rng(2026)
    for _ in range(20):
        n = int(rng.integers(5, 200))
        p = np.append(rng.uniform(0.05, 1.0, n - 1), 1.0)
        y = rng.uniform(size=n) < p**1.5  # somewhat over-confident
        brier, ece = calibration(list(p), list(y))
        assert math.isclose(brier, sum((pk - yk) ** 2 for pk, yk in zip(p, y, strict=True)) / n, abs_tol=1e-12)
        assert math.isclose(ece, _ece_by_digitize(p, y), abs_tol=1e-12)


def test_calibration_is_null_without_probabilities() -> None:
    m = metrics([_o(0, 5, "a", "doctor")], "interview")
    assert m["brier_top1"] is None and m["ece_top1"] is None and m["median_items"] is None
