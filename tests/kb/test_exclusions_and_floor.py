"""model/exclusions.yaml and model/leak_floor.yaml: loaded, applied, and every mistake in them named."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from crampcheck.kb import default_dir, load_kb
from crampcheck.kb.check import check
from crampcheck.kb.schema import BANDS


@pytest.fixture()
def kbdir(tmp_path: Path) -> Path:
    d = tmp_path / "knowledge"
    shutil.copytree(default_dir(), d)
    return d


def edit_yaml(path: Path, fn: Callable[[object], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def messages(d: Path) -> list[str]:
    problems, _ = check(d)
    return [str(p) for p in problems]


def test_shipped_exclusions_and_floor_are_loaded() -> None:
    kb = load_kb()
    groups = kb.exclusions["nocturnal_leg_cramps"]
    causes = {c for g in groups for c in g.explained_by}
    assert {"kidney_disease", "hypothyroidism", "hypomagnesemia", "medication_induced"} <= causes
    assert all(g.sources and 0 < g.factor < 1 for g in groups)
    floor = kb.leak_floor
    assert floor is not None and floor.value > 0
    for f in kb.findings.values():
        if f.group in floor.groups and f.id not in kb.context_findings:
            assert f.leak.ref is not None and f.leak.ref >= floor.value, f.id
            for band in BANDS:
                for sex in ("female", "male"):
                    assert f.leak.at(band, sex) >= floor.value, (f.id, band, sex)


def test_floor_keeps_leaks_above_it(kbdir: Path) -> None:
    before = load_kb(kbdir).findings["takes_statin"].leak
    assert before.at("60-74", "male") == pytest.approx(0.35)  # a prevalence above the floor is kept
    assert before.at("1-11", "female") == pytest.approx(0.01)  # zero in the data, raised to the floor
    (kbdir / "model" / "leak_floor.yaml").unlink()
    assert load_kb(kbdir).findings["takes_statin"].leak.at("1-11", "female") == 0.0


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["nocturnal_leg_cramps"][0]["explained_by"].append("no_such_condition"), "unknown condition"),
        (
            lambda d: d["nocturnal_leg_cramps"][0]["explained_by"].append("nocturnal_leg_cramps"),
            "cannot explain itself",
        ),
        (lambda d: d["nocturnal_leg_cramps"][0].update(factor=1.5), "less than or equal to 1"),
        (lambda d: d["nocturnal_leg_cramps"][0].update(sources=[]), "at least 1 item"),
        (
            lambda d: d.update(
                no_such_condition=[{"explained_by": ["kidney_disease"], "factor": 0.2, "sources": ["ref5"]}]
            ),
            "unknown condition 'no_such_condition'",
        ),
        (
            lambda d: d.update(
                kidney_disease=[{"explained_by": ["hypokalemia"], "factor": 0.2, "sources": ["ref5"]}]
            ),
            "itself a diagnosis of exclusion",
        ),
        (lambda d: d["nocturnal_leg_cramps"][1]["explained_by"].append("kidney_disease"), "listed twice"),
        (lambda d: d["nocturnal_leg_cramps"][0].update(sources=["ref9999"]), "unknown source 'ref9999'"),
        (
            lambda d: d.update(nocturnal_leg_cramps={"explained_by": ["kidney_disease"]}),
            "non-empty list of groups",
        ),
    ],
)
def test_exclusion_mistakes_are_named(kbdir: Path, edit: Callable[[dict], None], expected: str) -> None:
    edit_yaml(kbdir / "model" / "exclusions.yaml", edit)  # type: ignore[arg-type]
    msgs = messages(kbdir)
    assert any("model/exclusions.yaml" in m and expected in m for m in msgs), msgs


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d.update(groups=["no_such_group"]), "unknown finding group 'no_such_group'"),
        (lambda d: d.update(value=0.9), "less than or equal to 0.5"),
        (lambda d: d.update(sources=["ref9999"]), "unknown source 'ref9999'"),
    ],
)
def test_floor_mistakes_are_named(kbdir: Path, edit: Callable[[dict], None], expected: str) -> None:
    edit_yaml(kbdir / "model" / "leak_floor.yaml", edit)  # type: ignore[arg-type]
    msgs = messages(kbdir)
    assert any("model/leak_floor.yaml" in m and expected in m for m in msgs), msgs
