"""A mistaken tick does not decide an emergency (issue 11 item 2), and the interview stops at an emergency
(issue 10 item 5): through the façade (the API's contract), the engine's leave-one-out predictive, and the
terminal."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from crampcheck.assess import Assessor, default_assessor
from crampcheck.cli.main import app
from crampcheck.engine.posterior import Context, posterior
from crampcheck.interview.confirm import IMPLAUSIBLE, confirm_id, predictive_yes
from crampcheck.schema import Answer, AssessRequest

runner = CliRunner(env={"LC_ALL": "C.UTF-8"})
RHABDO = {  # a picture in which dark urine is expected
    "severe_muscle_pain_tenderness": True,
    "hard_training_or_unaccustomed_effort": True,
    "lasts_hours_or_constant": True,
    "site_thigh": True,
}


@pytest.fixture(scope="module")
def a() -> Assessor:
    return default_assessor()


def _req(
    a: Assessor, answers: dict[str, bool], source: dict[str, str], asked: list[str], lang: str = "en"
) -> AssessRequest:
    danger = a.selector.questions["danger"].findings
    full = {f: False for f in danger} | answers
    return AssessRequest(
        age=45,
        sex="male",
        lang=lang,  # type: ignore[arg-type]
        answers=[
            Answer(finding=f, state="present" if v else "absent", source=source.get(f, "question"))  # type: ignore[arg-type]
            for f, v in full.items()
        ],
        asked=asked,
    )


def test_predictive_is_leave_one_out(a: Assessor) -> None:
    """P(f = yes | the other answers) equals the ratio of the evidence with and without the answer."""
    ctx = Context(45, "male", None)
    ans = {"site_calf": True, "at_night_in_bed": True, "chest_pain": True}
    ev = {a.net.fidx[f]: v for f, v in ans.items()}
    with_f = posterior(a.net, ctx, ev)
    without = posterior(a.net, ctx, {k: v for k, v in ev.items() if k != a.net.fidx["chest_pain"]})
    expected = float(np.exp(with_f.log_evidence - without.log_evidence))
    assert predictive_yes(a.net, ctx, with_f, "chest_pain") == pytest.approx(expected, rel=1e-6)


def test_implausible_tick_is_confirmed_before_the_emergency_counts(a: Assessor) -> None:
    own = {"site_calf": "initial", "at_night_in_bed": "initial"}
    r = a.assess(_req(a, {"site_calf": True, "at_night_in_bed": True, "chest_pain": True}, own, ["danger"]))
    assert r.triage.level == "emergency"
    assert r.should_stop is False
    q = r.next_question
    assert (
        q is not None and q.kind == "confirm" and q.id == confirm_id("chest_pain") and q.findings == ["chest_pain"]
    )
    assert "chest pain" in q.text and "right" in q.text
    zh = a.assess(_req(a, {"site_calf": True, "at_night_in_bed": True, "chest_pain": True}, own, ["danger"], "zh"))
    assert (
        zh.next_question is not None
        and "胸痛" in zh.next_question.text
        and "You said" not in zh.next_question.text
    )
    # confirmed: the answer counts and the interview stops at once
    done = a.assess(
        _req(a, {"site_calf": True, "at_night_in_bed": True, "chest_pain": True}, own, ["danger", q.id])
    )
    assert done.triage.level == "emergency" and done.should_stop is True and done.next_question is None
    # corrected: the level falls back
    fixed = a.assess(
        _req(a, {"site_calf": True, "at_night_in_bed": True, "chest_pain": False}, own, ["danger", q.id])
    )
    assert (
        fixed.triage.level != "emergency"
        and fixed.next_question is not None
        and fixed.next_question.kind != "confirm"
    )


def test_plausible_tick_is_not_delayed(a: Assessor) -> None:
    own = {f: "initial" for f in RHABDO}
    req = _req(a, RHABDO | {"dark_urine": True}, own, ["danger"])
    st = a.step(45, "male", {x.finding: x.state == "present" for x in req.answers}, req.asked)
    assert predictive_yes(a.net, Context(45, "male", None), st.post, "dark_urine") > IMPLAUSIBLE
    r = a.assess(req)
    assert r.triage.level == "emergency" and r.should_stop is True and r.next_question is None


@pytest.mark.parametrize("source", ["initial", "text", "correction"])
def test_the_persons_own_words_are_not_delayed(a: Assessor, source: str) -> None:
    own = {"site_calf": "initial", "at_night_in_bed": "initial", "chest_pain": source}
    r = a.assess(_req(a, {"site_calf": True, "at_night_in_bed": True, "chest_pain": True}, own, ["danger"]))
    assert r.triage.level == "emergency" and r.should_stop is True and r.next_question is None


def test_stop_at_emergency_before_any_question(a: Assessor) -> None:
    req = AssessRequest(
        age=45, sex="male", answers=[Answer(finding="chest_pain", state="present", source="initial")]
    )
    r = a.assess(req)
    assert r.triage.level == "emergency" and r.should_stop is True
    # the danger questions were not asked: the result names them and never says nothing points to danger
    not_asked = [x for x in r.triage.reasons if x.rule == "not_asked"]
    assert not_asked and "confusion" in not_asked[0].findings and "chest_pain" not in not_asked[0].findings


def test_self_care_with_danger_unasked_never_says_nothing_points_to_danger(a: Assessor) -> None:
    r = a.assess(AssessRequest(age=30, sex="female", answers=[Answer(finding="site_calf", state="present")]))
    assert r.triage.level == "self_care"
    assert "Nothing you told us" not in r.triage.message and "not every warning sign" in r.triage.message.lower()
    full = a.assess(_req(a, {"site_calf": True, "at_night_in_bed": True}, {}, ["danger"]))
    assert not any(x.rule == "not_asked" for x in full.triage.reasons)


def test_asked_accepts_confirm_ids_and_refuses_others(a: Assessor) -> None:
    a.assess(AssessRequest(age=45, sex="male", asked=[confirm_id("chest_pain")]))
    with pytest.raises(Exception, match="confirm:nonsense"):
        a.assess(AssessRequest(age=45, sex="male", asked=["confirm:nonsense"]))


def test_terminal_confirms_a_mistaken_tick_then_quitting_shows_the_level() -> None:
    # age, sex; the danger checklist: 1 (chest pain) by mistake; the next prompt asks it again: no; then quit
    r = runner.invoke(app, ["assess", "--lang", "en"], input="45\nm\n1\nn\nq\n", env={"COLUMNS": "140"})
    assert r.exit_code == 0, r.output
    assert "You said yes to" in r.output and "chest pain or tightness" in r.output
    assert "You stopped before the end" in r.output and "Triage" in r.output
    assert "Emergency" not in r.output.split("You stopped before the end")[1].split("Possible causes")[0]


def test_terminal_shows_the_banner_at_once_when_the_tick_is_confirmed() -> None:
    r = runner.invoke(app, ["assess", "--lang", "en"], input="45\nm\n1\ny\n", env={"COLUMNS": "140"})
    assert r.exit_code == 0, r.output
    assert r.output.count("Question") == 2  # the checklist and the confirmation, nothing after
    assert "Emergency" in r.output


def test_terminal_end_of_input_shows_the_level_so_far() -> None:
    r = runner.invoke(app, ["assess", "--lang", "en"], input="45\nm\n0\n", env={"COLUMNS": "140"})
    assert r.exit_code == 0, r.output
    assert "You stopped before the end" in r.output and "Triage" in r.output
