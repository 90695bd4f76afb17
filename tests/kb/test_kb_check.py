"""`crampcheck kb check` passes on the shipped knowledge base and fails, naming the problem, on broken copies."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from crampcheck.cli.main import app
from crampcheck.errors import KnowledgeBaseError
from crampcheck.kb import default_dir, load_kb
from crampcheck.kb.check import check

runner = CliRunner()


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


def test_shipped_kb_passes() -> None:
    problems, version = check(None)
    assert [str(p) for p in problems] == []
    assert version and version.startswith(load_kb().version.split("+")[0])
    r = runner.invoke(app, ["kb", "check"])
    assert r.exit_code == 0, r.output
    assert "knowledge base OK" in r.output


def test_malformed_yaml_names_file_and_line(kbdir: Path) -> None:
    p = kbdir / "model" / "links.yaml"
    p.write_text(p.read_text() + "\nbroken: [unclosed\n", encoding="utf-8")
    msgs = messages(kbdir)
    assert any("model/links.yaml" in m and "malformed YAML" in m and "line" in m for m in msgs), msgs
    r = runner.invoke(app, ["kb", "check", str(kbdir)])
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    with pytest.raises(KnowledgeBaseError, match="malformed YAML"):
        load_kb(kbdir)


def test_unknown_finding_id_with_suggestion(kbdir: Path) -> None:
    edit_yaml(kbdir / "model" / "links.yaml", lambda d: d["nocturnal_leg_cramps"].update({"site_calff": 0.5}))  # type: ignore[index,union-attr]
    assert any("unknown finding 'site_calff'" in m and "nocturnal_leg_cramps" in m for m in messages(kbdir))


def test_probability_out_of_range(kbdir: Path) -> None:
    edit_yaml(kbdir / "model" / "links.yaml", lambda d: d["tetanus"].update({"jaw_stiffness_trismus": 1.5}))  # type: ignore[index,union-attr]
    msgs = messages(kbdir)
    assert any("tetanus.jaw_stiffness_trismus" in m and "less than or equal to 1" in m for m in msgs), msgs


def test_rule_without_source_or_policy(kbdir: Path) -> None:
    def strip(d: object) -> None:
        rule = d["rules"][0]  # type: ignore[index]
        rule.pop("sources", None)
        rule.pop("policy", None)

    edit_yaml(kbdir / "model" / "rules.yaml", strip)
    assert any("R1" in m and "no source" in m for m in messages(kbdir))


def test_unknown_source_id(kbdir: Path) -> None:
    p = next((kbdir / "advice").glob("*.yaml"))
    edit_yaml(p, lambda d: d[0].update({"sources": ["ref9999"]}))  # type: ignore[index]
    assert any("unknown source 'ref9999'" in m for m in messages(kbdir))


def test_vocabulary_condition_not_modelled(kbdir: Path) -> None:
    edit_yaml(kbdir / "model" / "priors.yaml", lambda d: d.pop("raynaud"))  # type: ignore[union-attr]
    assert any("'raynaud' has no prior" in m for m in messages(kbdir))


def test_missing_translation_is_reported(kbdir: Path) -> None:
    edit_yaml(kbdir / "conditions" / "tetanus.yaml", lambda d: d["summary"].update({"zh": ""}))  # type: ignore[index]
    assert any("conditions/tetanus.yaml" in m and "missing 'zh'" in m for m in messages(kbdir))
    r = runner.invoke(app, ["kb", "check", str(kbdir)])
    assert r.exit_code == 1


def test_indistinguishable_conditions(kbdir: Path) -> None:
    def copy(d: object) -> None:
        d["cold_exposure"] = dict(d["exercise_associated_cramps"])  # type: ignore[index]

    edit_yaml(kbdir / "model" / "links.yaml", copy)
    assert any("can tell these two conditions apart" in m for m in messages(kbdir))


def test_missing_file(kbdir: Path) -> None:
    (kbdir / "model" / "leaks.yaml").unlink()
    assert any("model/leaks.yaml" in m and "missing" in m for m in messages(kbdir))


def test_bad_rule_expression(kbdir: Path) -> None:
    edit_yaml(kbdir / "model" / "rules.yaml", lambda d: d["rules"][0].update({"when": {"xor": ["fever"]}}))  # type: ignore[index]
    assert any("unknown operator 'xor'" in m for m in messages(kbdir))


# --- advice that fits the person: not_with, ages, requires_any, replaced_by, safety ------------------------


def edit_advice(d: Path, aid: str, fn: Callable[[dict[str, object]], None]) -> str:
    """Apply ``fn`` to advice item ``aid`` in its file; return the file's path relative to the knowledge dir."""
    for p in sorted((d / "advice").glob("*.yaml")):
        items = yaml.safe_load(p.read_text(encoding="utf-8"))
        for item in items:
            if item["id"] == aid:
                fn(item)
                p.write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False), encoding="utf-8")
                return f"advice/{p.name}"
    raise AssertionError(f"no advice item {aid}")


def test_unknown_not_with_condition(kbdir: Path) -> None:
    file = edit_advice(kbdir, "massage", lambda a: a.update({"not_with": ["deep_vein_thrombosys"]}))
    msgs = messages(kbdir)
    assert any(
        file in m
        and "massage.not_with" in m
        and "unknown condition 'deep_vein_thrombosys'" in m
        and "did you mean 'deep_vein_thrombosis'" in m
        for m in msgs
    ), msgs


def test_comfort_item_without_not_with(kbdir: Path) -> None:
    file = edit_advice(kbdir, "heat_for_relief", lambda a: a.pop("not_with"))
    msgs = messages(kbdir)
    assert any(file in m and "heat_for_relief.not_with" in m and "needs 'not_with'" in m for m in msgs), msgs
    r = runner.invoke(app, ["kb", "check", str(kbdir)])
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_min_age_above_max_age(kbdir: Path) -> None:
    file = edit_advice(kbdir, "pickle_juice", lambda a: a.update({"max_age": 5}))
    msgs = messages(kbdir)
    assert any(file in m and "pickle_juice" in m and "min_age 12 is above max_age 5" in m for m in msgs), msgs
    with pytest.raises(KnowledgeBaseError, match="min_age 12 is above max_age 5"):
        load_kb(kbdir)


def test_age_out_of_range(kbdir: Path) -> None:
    file = edit_advice(kbdir, "pickle_juice", lambda a: a.update({"min_age": 0}))
    assert any(file in m and "pickle_juice.min_age" in m for m in messages(kbdir))


def test_unknown_requires_any_finding(kbdir: Path) -> None:
    file = edit_advice(kbdir, "statin_do_not_stop_alone", lambda a: a.update({"requires_any": ["takes_statins"]}))
    msgs = messages(kbdir)
    assert any(
        file in m
        and "statin_do_not_stop_alone.requires_any" in m
        and "unknown finding 'takes_statins'" in m
        and "did you mean 'takes_statin'" in m
        for m in msgs
    ), msgs


def test_bad_replaced_by(kbdir: Path) -> None:
    edit_advice(kbdir, "massage", lambda a: a.update({"replaced_by": ["massage"]}))
    edit_advice(kbdir, "heat_for_relief", lambda a: a.update({"replaced_by": ["writers_cramp_stop_tsk"]}))
    edit_advice(kbdir, "painkiller_for_soreness", lambda a: a.update({"replaced_by": ["stretch_during_cramp"]}))
    msgs = messages(kbdir)
    assert any("massage.replaced_by" in m and "cannot replace itself" in m for m in msgs), msgs
    assert any("heat_for_relief.replaced_by" in m and "unknown advice 'writers_cramp_stop_tsk'" in m for m in msgs)
    assert any("painkiller_for_soreness.replaced_by" in m and "is itself replaced" in m for m in msgs), msgs


def test_safety_item_with_not_with(kbdir: Path) -> None:
    edit_advice(kbdir, "cramps_are_brief", lambda a: a.update({"not_with": ["tetanus"]}))
    assert any("cramps_are_brief.not_with" in m and "safety item" in m for m in messages(kbdir))


def test_level_item_with_age_limit(kbdir: Path) -> None:
    edit_advice(kbdir, "call_emergency_now", lambda a: a.update({"min_age": 18}))
    assert any("call_emergency_now.levels" in m and "everyone at that level" in m for m in messages(kbdir))
