"""The adaptive interview: danger signs first, rule completion, grouped questions, stopping, any person."""

from __future__ import annotations

import json

import pytest

from crampcheck.assess import Assessor, default_assessor
from crampcheck.errors import InputError, UnknownIdError
from crampcheck.schema import Answer, AssessRequest


@pytest.fixture(scope="module")
def a() -> Assessor:
    return default_assessor()


def test_danger_signs_are_asked_first(a: Assessor) -> None:
    st = a.step(45, "male", {"site_calf": True}, [])
    assert st.choice.question is not None and st.choice.question.id == "danger"
    assert "chest_pain" in st.choice.question.findings


def test_pregnancy_is_asked_of_women_of_childbearing_age_only(a: Assessor) -> None:
    answers = {"site_calf": True}
    st = a.step(30, "female", answers, ["danger"])
    assert st.choice.question is not None and st.choice.question.id == "pregnant"
    st = a.step(30, "male", answers, ["danger"])
    assert st.choice.question is None or st.choice.question.id != "pregnant"
    st = a.step(70, "female", answers, ["danger"])
    assert st.choice.question is None or st.choice.question.id != "pregnant"


def test_partly_satisfied_rule_is_completed_next(a: Assessor) -> None:
    # jaw stiffness is known (urgent); the tetanus rule R1 (emergency) needs a wound, a vaccine not current,
    # etc.: their group must come next (with a wound already known R1 has fired and the interview stops)
    answers: dict[str, bool | None] = {"jaw_stiffness_trismus": True}
    st = a.step(40, "male", answers, ["danger"], own=set(answers))  # said first: never asked again
    assert st.triage.level == "urgent"
    q = st.choice.question
    assert q is not None and {"tetanus_vaccine_not_current", "many_muscles_at_once", "recent_wound"} & set(
        q.findings
    )


def test_grouped_question_answers_several_findings(a: Assessor) -> None:
    st = a.step(60, "female", {"at_night_in_bed": True}, ["danger"])
    q = st.choice.question
    assert q is not None
    r = a.assess(
        AssessRequest(
            age=60, sex="female", answers=[Answer(finding="at_night_in_bed", state="present")], asked=["danger"]
        )
    )
    assert r.next_question is not None and len(r.next_question.options) == len(r.next_question.findings)
    # a checklist puts several findings in one turn: answering it answers each of them
    multi = next(qs for qs in a.selector.questions.values() if qs.kind == "multiple" and qs.id != "danger")
    assert len(multi.findings) > 1 and set(multi.asks({})) == set(multi.findings)


def test_interview_stops_and_never_repeats_a_question(a: Assessor) -> None:
    answers: dict[str, bool | None] = {"site_calf": True, "at_night_in_bed": True}
    asked: list[str] = []
    for _ in range(41):
        st = a.step(68, "male", answers, asked)
        if st.choice.should_stop or st.choice.question is None:
            break
        q = st.choice.question
        assert q.id not in asked
        asked.append(q.id)
        for f in q.findings:
            answers.setdefault(
                f, f in {"sudden_painful_hardening", "relieved_by_stretching", "lasts_seconds_to_minutes"}
            )
    assert st.choice.should_stop
    assert len(asked) <= 15
    assert st.ranked[0][0] == "nocturnal_leg_cramps"


def test_state_is_a_plain_serializable_value(a: Assessor) -> None:
    req = AssessRequest(
        age=50, sex="female", answers=[Answer(finding="site_hand", state="present")], asked=["danger"]
    )
    again = AssessRequest.model_validate(json.loads(req.model_dump_json()))
    assert a.assess(again).model_dump() == a.assess(req).model_dump()


@pytest.mark.parametrize("age", [1, 5, 11, 12, 17, 18, 39, 40, 59, 60, 74, 75, 110])
@pytest.mark.parametrize("sex", ["female", "male"])
def test_everyone_is_covered(a: Assessor, age: int, sex: str) -> None:
    answers = [
        Answer(finding="site_calf", state="present"),
        Answer(finding="takes_statin", state="present"),
        Answer(finding="known_diabetes", state="present"),
        Answer(finding="fever", state="unknown"),
    ]
    if sex == "female" and 14 <= age <= 45:
        answers.append(Answer(finding="pregnant", state="present"))
    r = a.assess(AssessRequest(age=age, sex=sex, answers=answers))  # type: ignore[arg-type]
    assert r.conditions and 0 < r.conditions[0].probability < 1
    probs = [c.probability for c in r.conditions]
    assert probs == sorted(probs, reverse=True)
    # a statin with diabetes in anyone makes the statin or diabetes causes worth a doctor's check
    assert r.triage.level != "self_care"
    assert r.kb_version == a.kb.version
    assert r.disclaimer


def test_pregnancy_makes_pregnancy_cramps_likely(a: Assessor) -> None:
    base = [Answer(finding="site_calf", state="present"), Answer(finding="at_night_in_bed", state="present")]
    preg = a.assess(
        AssessRequest(age=30, sex="female", answers=[*base, Answer(finding="pregnant", state="present")])
    )
    assert preg.conditions[0].id == "pregnancy_cramps"
    notp = a.assess(
        AssessRequest(age=30, sex="female", answers=[*base, Answer(finding="pregnant", state="absent")])
    )
    assert all(c.id != "pregnancy_cramps" or c.probability < 0.05 for c in notp.conditions)


def test_bad_input_gets_a_clear_message(a: Assessor) -> None:
    with pytest.raises(UnknownIdError, match="did you mean 'site_calf'"):
        a.assess(AssessRequest(age=50, sex="male", answers=[Answer(finding="site_calff", state="present")]))
    with pytest.raises(InputError, match="pregnant"):
        a.assess(AssessRequest(age=50, sex="male", answers=[Answer(finding="pregnant", state="present")]))
    with pytest.raises(ValueError, match="less than or equal to 110"):
        AssessRequest(age=111, sex="male")


def test_explanations_say_what_raised_and_lowered(a: Assessor) -> None:
    r = a.assess(
        AssessRequest(
            age=34,
            sex="female",
            answers=[
                Answer(finding="site_hand", state="present"),
                Answer(finding="during_specific_hand_task", state="present"),
                Answer(finding="writes_or_plays_instrument_a_lot", state="present"),
                Answer(finding="hand_posture_abnormal_task_only", state="present"),
                Answer(finding="numbness_tingling_thumb_fingers", state="absent"),
            ],
        )
    )
    top = r.conditions[0]
    assert top.id == "focal_hand_dystonia"
    assert any(c.finding == "during_specific_hand_task" and c.delta > 0 for c in top.raised_by)
    assert top.probability < 1.0  # never certain


def test_reach_bounds_the_level_a_yes_can_bring(a: Assessor) -> None:
    """The selector skips evaluating rules for a finding whose reach is not above the current level; the
    reach must be an upper bound of what a "yes" can bring, for any answers and any top conditions."""
    import random

    from crampcheck.triage import RANK

    sel = a.selector
    rng = random.Random(7)
    findings = list(a.kb.findings)
    conditions = list(a.kb.conditions)
    checked = 0
    for _ in range(60):
        answers: dict[str, bool | None] = {f: rng.choice([True, False, None]) for f in rng.sample(findings, 25)}
        top = rng.sample(conditions, 3)
        for f in findings:
            reached = sel.level_if_yes(f, answers, rng.randint(5, 90), top)
            assert reached <= max(sel.reach.get(f, -1), 0), f
            checked += reached > 0
    assert checked > 0  # some answers do raise the level, so the bound was really tested
    assert max(sel.reach.values()) == RANK["emergency"]


def test_the_narrow_exception_for_young_over_breathing_is_asked_for(a: Assessor) -> None:
    """Chest pain is an emergency (R9a) unless the fact base's narrow exception R9d applies (young, over-
    breathing with tingling, no risk marker). The interview asks what decides the exception; the emergency
    stands until every risk marker is answered "no", and any "yes" keeps it."""
    panic: dict[str, bool | None] = {
        "chest_pain": True,
        "breathing_difficulty": True,
        "rapid_breathing_anxiety": True,
        "tingling_around_mouth": True,
        "site_hand": True,
    }

    reasons: list[str] = []

    def run(age: int, say_yes: frozenset[str] = frozenset()) -> tuple[str, list[str], set[str]]:
        answers = dict(panic)
        asked = ["danger"]
        reasons.clear()
        for f in a.selector.questions["danger"].findings:
            answers.setdefault(f, False)
        markers = a.rules.pending_deescalation(answers, age)
        for _ in range(40):  # a whole interview; every other answer is "no"
            st = a.step(age, "female", answers, asked)
            q = st.choice.question
            if q is None or st.choice.should_stop:
                break
            reasons.append(st.choice.reason)
            asked.append(q.id)
            for f in q.findings:
                answers.setdefault(f, f in say_yes)
        return a.step(age, "female", answers, asked).triage.level, asked, markers

    level, asked, markers = run(22)
    assert {"smoker", "known_diabetes", "takes_statin"} <= markers
    assert any("smoker" in a.selector.spec(q).findings for q in asked) and level == "urgent"
    assert any("exception" in r for r in reasons)
    level, _, _ = run(22, frozenset({"smoker"}))
    assert level == "emergency"
    level, asked, markers = run(45)  # over 40: the exception cannot apply, so nothing is asked for it
    assert markers == set() and level == "emergency" and not any("exception" in r for r in reasons)
    st = a.step(22, "female", panic, ["danger"])
    assert st.triage.level == "emergency"  # before the answers, the higher level stands
