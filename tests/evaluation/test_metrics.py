"""Metrics of shared/spec/evaluation.md: shares and turn percentiles (numpy's linear interpolation)."""

from __future__ import annotations

from crampcheck.evaluation.metrics import Outcome, metrics


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
