"""A second vignette set, written independently of the knowledge base (see data/README.md), in all three
modes: the figures must not fall below what it measured when first run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crampcheck.cli.main import app

SET = Path(__file__).parent / "data" / "second_set.jsonl"
runner = CliRunner()


@pytest.mark.parametrize("mode", ["interview", "text", "facts"])
def test_second_set_figures_hold(mode: str) -> None:
    r = runner.invoke(app, ["eval", str(SET), "--mode", mode])
    assert r.exit_code == 0, r.output
    m = json.loads(r.output.strip().splitlines()[-1])
    assert m["n"] == 72
    assert m["top1"] >= 0.93 and m["top3"] >= 0.98, m
    assert m["emergency_recall"] == 1.0 and m["triage_safe"] >= 0.97 and m["over_triage"] <= 0.05, m
    if mode != "facts":
        assert m["median_turns"] <= 12 and m["p90_turns"] <= 16, m


def test_second_set_is_bilingual() -> None:
    rows = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sum(r["lang"] == "zh" for r in rows) == sum(r["lang"] == "en" for r in rows) == 36
