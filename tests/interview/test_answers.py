"""What an answer means (crampcheck.interview.answers): each rule of issue 11 item 3, on the shipped knowledge base."""

from __future__ import annotations

import pytest

from crampcheck.assess import Assessor, default_assessor
from crampcheck.errors import InputError
from crampcheck.interview.answers import AnswerPolicy, Response, _triggers, policy_for
from crampcheck.interview.select import CONFIRM, QuestionSpec
from crampcheck.schema import Answer, AssessRequest

AGE = 45


@pytest.fixture(scope="module")
def a() -> Assessor:
    return default_assessor()


@pytest.fixture(scope="module")
def p(a: Assessor) -> AnswerPolicy:
    return policy_for(a.kb, a.selector)


def q(a: Assessor, qid: str) -> QuestionSpec:
    return a.selector.questions[qid]


def test_ticked_is_yes_and_an_unticked_ordinary_finding_at_its_home_question_is_no(
    a: Assessor, p: AnswerPolicy
) -> None:
    said = p.meaning(q(a, "site"), Response.of(["site_hand"]), {}, AGE)
    assert said["site_hand"] is True
    ordinary = [f for f in q(a, "site").findings if f not in p.red and f != "site_hand"]
    assert ordinary and all(said[f] is False for f in ordinary)


def test_an_unticked_red_flag_stays_unanswered(a: Assessor, p: AnswerPolicy) -> None:
    # the issue's case: ticking only "calf" must not record "no" for the jaw or face (tetanus, stiff person)
    assert {"site_jaw_face", "many_muscles_at_once"} <= p.red
    said = p.meaning(q(a, "site"), Response.of(["site_calf"]), {}, AGE)
    assert "site_jaw_face" not in said and "many_muscles_at_once" not in said
    # the same without the age (every red flag is then treated as possible)
    assert "site_jaw_face" not in p.meaning(q(a, "site"), Response.of(["site_calf"]), {})
    # on the danger checklist, ticking lockjaw leaves every other danger sign unanswered
    said = p.meaning(q(a, "danger"), Response.of(["jaw_stiffness_trismus"]), {}, AGE)
    assert said == {"jaw_stiffness_trismus": True}


def test_none_of_these_is_no_for_all_shown_red_flags_included(a: Assessor, p: AnswerPolicy) -> None:
    said = p.meaning(q(a, "danger"), Response.of(none=True), {}, AGE)
    assert set(said) == set(q(a, "danger").findings) and not any(said.values())


def test_dont_know_is_its_own_answer_and_keeps_earlier_answers(a: Assessor, p: AnswerPolicy) -> None:
    answers: dict[str, bool | None] = {"at_night_in_bed": True}
    said = p.meaning(q(a, "timing"), Response.of(unknown=True), answers, AGE)
    assert "at_night_in_bed" not in said
    assert set(said) == set(q(a, "timing").findings) - {"at_night_in_bed"}
    assert all(v is None for v in said.values())


def test_a_typed_answer_is_never_overwritten_by_an_unticked_box_or_none_of_these(
    a: Assessor, p: AnswerPolicy
) -> None:
    typed: dict[str, bool | None] = {"at_night_in_bed": True, "during_exercise": False}
    for r in (Response.of(["in_cold"]), Response.of(none=True), Response.of()):
        said = p.meaning(q(a, "timing"), r, typed, AGE)
        assert "at_night_in_bed" not in said and "during_exercise" not in said


def test_a_confirmation_changes_an_answer_only_when_the_person_does(p: AnswerPolicy) -> None:
    confirm = QuestionSpec("check", CONFIRM, ("site_calf", "at_night_in_bed"))
    answers: dict[str, bool | None] = {"site_calf": True, "at_night_in_bed": True}
    assert p.meaning(confirm, Response.of(["site_calf"]), answers, AGE) == {"site_calf": True}
    # a box shown ticked and unticked by the person is an explicit "no"
    said = p.meaning(confirm, Response.of(["site_calf"], unticked=["at_night_in_bed"]), answers, AGE)
    assert said == {"site_calf": True, "at_night_in_bed": False}


def test_an_unticked_box_away_from_its_home_question_is_not_no(a: Assessor, p: AnswerPolicy) -> None:
    # the follow-up of "where" is not the home question of its members: a box left unticked there says nothing
    more = q(a, "site_more")
    assert a.selector.followup_of["site_more"] == "site"
    said = p.meaning(more, Response.of(["site_thigh"]), {"site_calf": True}, AGE)
    assert said == {"site_thigh": True}


def test_a_red_flag_whose_rules_are_ruled_out_is_an_ordinary_finding(a: Assessor, p: AnswerPolicy) -> None:
    # site_jaw_face is a red flag only through a rule that needs many muscles at once; once that is "no",
    # an unticked box is "no" for it too (the other red flag, many_muscles_at_once, was answered before)
    rules = [r for r in a.kb.rules if "site_jaw_face" in _triggers(r.when, a.kb.rule_sets)]
    assert rules and all("many_muscles_at_once" in _triggers(r.when, a.kb.rule_sets) for r in rules)
    said = p.meaning(q(a, "site"), Response.of(["site_calf"]), {"many_muscles_at_once": False}, AGE)
    assert said["site_jaw_face"] is False


def test_red_flags_come_from_the_urgent_and_emergency_rules(a: Assessor, p: AnswerPolicy) -> None:
    kb = a.kb
    raising = [r for r in kb.rules if r.level in ("urgent", "emergency") and not r.strict and not r.suppresses]
    from_rules = set().union(*(_triggers(r.when, kb.rule_sets) for r in raising)) & set(kb.findings)
    assert p.red == from_rules
    assert {"chest_pain", "jaw_stiffness_trismus", "recent_wound", "dark_urine"} <= p.red
    # a finding only ever negated (a rule's exception) is not a red flag
    negated_only = "hand_posture_abnormal_task_only"
    assert any(negated_only in str(r.when) for r in raising) and negated_only not in p.red
    # the red flags do not depend on the lower levels: a finding only in "doctor" rules is not one
    doctor_only = {
        f for r in kb.rules if r.level == "doctor" for f in _triggers(r.when, kb.rule_sets)
    } - from_rules
    assert doctor_only and not doctor_only & p.red


def test_none_of_the_others_is_an_explicit_no_for_the_rest_red_flags_included(
    a: Assessor, p: AnswerPolicy
) -> None:
    said = p.meaning(q(a, "site"), Response.of(["site_calf"], none=True), {}, AGE)
    assert said["site_calf"] is True
    assert {f for f, v in said.items() if v is False} == set(q(a, "site").findings) - {"site_calf"}
    # what was answered before is not shown, so not changed
    said = p.meaning(q(a, "site"), Response.of(["site_calf"], none=True), {"site_jaw_face": True}, AGE)
    assert "site_jaw_face" not in said


def test_contradictory_or_empty_responses_are_refused(a: Assessor, p: AnswerPolicy) -> None:
    with pytest.raises(InputError):
        p.meaning(q(a, "site"), Response.of(["site_calf"], unknown=True), {}, AGE)
    with pytest.raises(InputError):
        p.meaning(q(a, "site"), Response.of(none=True, unknown=True), {}, AGE)
    with pytest.raises(InputError):
        p.meaning(q(a, "pregnant"), Response.of(), {}, AGE)


def test_single_question_yes_no_dont_know(a: Assessor, p: AnswerPolicy) -> None:
    preg = q(a, "pregnant")
    assert p.meaning(preg, Response.of(["pregnant"]), {}, 30) == {"pregnant": True}
    assert p.meaning(preg, Response.of(none=True), {}, 30) == {"pregnant": False}
    assert p.meaning(preg, Response.of(unknown=True), {}, 30) == {"pregnant": None}


def test_follow_up_asks_only_what_its_checklist_left_unanswered(a: Assessor, p: AnswerPolicy) -> None:
    answers: dict[str, bool | None] = {}
    answers.update(p.meaning(q(a, "site"), Response.of(["site_calf"]), answers, AGE))
    assert "site_more" not in {x.id for x in a.selector.open_questions(answers, set(), AGE, "female")}
    open_now = {x.id: x for x in a.selector.open_questions(answers, {"site"}, AGE, "female")}
    assert set(open_now["site_more"].asks(answers)) == {f for f in q(a, "site").findings if f not in answers}
    assert "site_jaw_face" in open_now["site_more"].asks(answers)
    answers.update(p.meaning(open_now["site_more"], Response.of(none=True), answers, AGE))
    assert answers["site_jaw_face"] is False
    assert "site_more" not in {x.id for x in a.selector.open_questions(answers, {"site"}, AGE, "female")}


def test_calf_then_lockjaw_and_a_wound_is_an_emergency_that_lists_tetanus(a: Assessor, p: AnswerPolicy) -> None:
    answers: dict[str, bool | None] = {}
    for qid, r in [
        ("site", Response.of(["site_calf"])),
        ("danger", Response.of(["jaw_stiffness_trismus"])),
        ("pregnant", Response.of(none=True)),
        ("exposure", Response.of(["recent_wound"])),
    ]:
        answers.update(p.meaning(q(a, qid), r, answers, AGE))
    assert "site_jaw_face" not in answers and "many_muscles_at_once" not in answers
    states = {True: "present", False: "absent", None: "unknown"}
    req = AssessRequest(
        age=AGE,
        sex="female",
        answers=[Answer(finding=f, state=states[v]) for f, v in answers.items()],  # type: ignore[arg-type]
        asked=["site", "danger", "pregnant", "exposure"],
    )
    res = a.assess(req)
    assert res.triage.level == "emergency"
    assert "tetanus" in [c.id for c in res.conditions]
