"""The "why" of each cause reads well: supporting and conflicting evidence as Infermedica's /explain gives
them (the person's own answers only), every absent finding in its own negative wording from
knowledge/text/findings.yaml (required by `kb check`), no double negatives, no ratio of 1 shown as lowering,
the defining features named near certainty, and the terminal saying the same as the web."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from crampcheck.assess import EVIDENCE_FACTOR, default_assessor
from crampcheck.cli.render import why_text
from crampcheck.i18n import translator
from crampcheck.kb import default_dir
from crampcheck.kb.check import check
from crampcheck.schema import Answer, Assessment, AssessRequest

DOUBLE_NEGATIVE = re.compile(r"\bno no\b|\bno not\b|\bnot no\b|没有没有|没有不|不没有", re.IGNORECASE)


def _assess(age: int, sex: str, answers: dict[str, str], lang: str = "en") -> Assessment:
    req = AssessRequest(
        age=age,
        sex=sex,  # type: ignore[arg-type]
        lang=lang,  # type: ignore[arg-type]
        answers=[Answer(finding=f, state=s, source="question") for f, s in answers.items()],  # type: ignore[arg-type]
    )
    return default_assessor().assess(req)


def _random_cases(n: int) -> list[tuple[int, str, dict[str, str], str]]:
    kb = default_assessor().kb
    ids = sorted(f for f in kb.findings if f != "pregnant")
    rng = random.Random(14)
    out = []
    for k in range(n):
        picked = rng.sample(ids, 14)
        answers = {f: rng.choice(("present", "absent", "absent", "unknown")) for f in picked}
        out.append((rng.randint(16, 90), rng.choice(("female", "male")), answers, ("en", "zh")[k % 2]))
    return out


def test_kb_check_requires_a_negative_wording_for_every_finding(tmp_path: Path) -> None:
    d = tmp_path / "knowledge"
    shutil.copytree(default_dir(), d)
    path = d / "text" / "findings.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["recent_wound"]["negative"]
    data["fever"]["negative"] = {"en": "no fever"}  # the Chinese wording missing
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems, _ = check(d)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert any("recent_wound.negative" in e for e in errors), errors
    assert any("fever.negative" in e and "'zh'" in e for e in errors), errors


def test_every_finding_has_its_own_negative_wording_in_both_languages() -> None:
    kb = default_assessor().kb
    for fid, f in kb.findings.items():
        for lang in ("en", "zh"):
            neg, plain = f.negative.get(lang), f.plain.get(lang)
            assert neg and neg != plain, f"{fid}: no negative wording in {lang}"
            assert not DOUBLE_NEGATIVE.search(neg), f"{fid}: double negative in {lang}: {neg}"
    # the reviewed cases: "no no improvement with self-care", "no a recent wound"
    assert kb.findings["no_improvement_self_care"].negative.en == "improvement with self-care"
    assert kb.findings["no_improvement_self_care"].negative.zh == "自我护理后有好转"
    assert kb.findings["recent_wound"].negative.en == "no recent wound"


@pytest.mark.parametrize(("age", "sex", "answers", "lang"), _random_cases(40))
def test_evidence_is_observed_consistent_and_readable(
    age: int, sex: str, answers: dict[str, str], lang: str
) -> None:
    kb = default_assessor().kb
    res = _assess(age, sex, answers, lang)
    for c in res.conditions:
        for x in c.raised_by:
            # supporting evidence: only what the person said yes to, and it really raises the cause
            assert x.state == "present" and answers.get(x.finding) == "present", (c.id, x)
            assert x.factor >= EVIDENCE_FACTOR - 1e-3, (c.id, x)
            assert x.text == kb.findings[x.finding].plain.get(lang)
        for x in c.lowered_by:
            assert answers.get(x.finding) == x.state and x.state in ("present", "absent"), (c.id, x)
            assert x.factor <= 1 / EVIDENCE_FACTOR + 1e-3, f"{c.id}: factor {x.factor} shown as lowering"
            want = kb.findings[x.finding].negative if x.state == "absent" else kb.findings[x.finding].plain
            assert x.text == want.get(lang)
        for x in [*c.raised_by, *c.lowered_by]:
            assert not DOUBLE_NEGATIVE.search(x.text), x.text
        assert not {x.finding for x in c.raised_by} & {x.finding for x in c.lowered_by}


def test_absent_findings_never_support_and_unrelated_findings_are_not_reasons() -> None:
    # the audit's cases: "no kidney disease" raising night cramps; lockjaw raising night cramps
    res = _assess(
        68,
        "male",
        {
            "site_calf": "present",
            "at_night_in_bed": "present",
            "known_kidney_disease_or_dialysis": "absent",
            "no_improvement_self_care": "absent",
            "jaw_stiffness_trismus": "present",
            "recent_wound": "present",
        },
    )
    night = next(c for c in res.conditions if c.id == "nocturnal_leg_cramps")
    raised = {x.finding for x in night.raised_by}
    assert "known_kidney_disease_or_dialysis" not in raised and "jaw_stiffness_trismus" not in raised
    assert {"site_calf", "at_night_in_bed"} <= raised
    tetanus = next(c for c in res.conditions if c.id == "tetanus")
    assert {"jaw_stiffness_trismus", "recent_wound"} <= {x.finding for x in tetanus.raised_by}


def test_near_certainty_still_names_the_defining_features() -> None:
    res = _assess(
        68,
        "male",
        {
            "site_calf": "present",
            "at_night_in_bed": "present",
            "frequent_episodes": "present",
            "disrupts_sleep": "present",
            "sudden_painful_hardening": "present",
            "relieved_by_stretching": "present",
            "lasts_seconds_to_minutes": "present",
            "known_kidney_disease_or_dialysis": "absent",
            "takes_diuretic": "absent",
            "known_diabetes": "absent",
            "during_exercise": "absent",
        },
    )
    top = res.conditions[0]
    assert top.id == "nocturnal_leg_cramps" and top.probability > 0.5
    raised = {x.finding for x in top.raised_by}
    assert {"sudden_painful_hardening", "relieved_by_stretching"} & raised, raised
    assert "at_night_in_bed" in raised


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_terminal_says_what_the_web_says(lang: str) -> None:
    res = _assess(
        70,
        "female",
        {
            "site_calf": "present",
            "at_night_in_bed": "present",
            "takes_diuretic": "present",
            "recent_wound": "absent",
        },
        lang,
    )
    _ = translator(lang)
    for c in res.conditions:
        console = Console(record=True, width=200)
        console.print(why_text(c, _))
        out = console.export_text()
        for x in [*c.raised_by, *c.lowered_by]:
            assert x.text in out
        if c.raised_by:
            assert _("What fits this cause:") in out
        if c.lowered_by:
            assert _("What does not fit:") in out
