"""Triage: the fact base's tuples that escalate together, three-valued logic, and condition-level lines."""

from __future__ import annotations

import pytest

from crampcheck.assess import default_assessor
from crampcheck.triage import Triage, compile_expr


@pytest.fixture(scope="module")
def tri() -> Triage:
    return default_assessor().rules


def level(tri: Triage, age: int, yes: list[str], no: list[str] = (), ranked=None) -> str:  # type: ignore[assignment]
    answers: dict[str, bool | None] = {f: True for f in yes}
    answers.update({f: False for f in no})
    return tri.assess(answers, age, ranked or [("nocturnal_leg_cramps", 0.5)]).level


@pytest.mark.parametrize(
    ("age", "yes", "no", "expected"),
    [
        (40, ["recent_wound", "jaw_stiffness_trismus"], [], "emergency"),
        (40, ["jaw_stiffness_trismus"], ["recent_wound", "tetanus_vaccine_not_current"], "urgent"),
        (30, ["animal_bite_exposure", "fear_of_water_or_air"], [], "emergency"),
        (30, ["animal_bite_exposure"], [], "urgent"),
        # symptomatic low calcium after neck surgery is an emergency (ref43; clinical review 2026-12 section 5)
        (50, ["neck_surgery_thyroid_parathyroid", "tingling_around_mouth"], [], "emergency"),
        (50, ["neck_surgery_thyroid_parathyroid", "recent_onset"], [], "urgent"),
        (
            50,
            ["neck_surgery_thyroid_parathyroid", "tingling_around_mouth", "wrist_fingers_drawn_in"],
            [],
            "emergency",
        ),
        (30, ["tingling_around_mouth", "wrist_fingers_drawn_in"], ["rapid_breathing_anxiety"], "emergency"),
        (25, ["rapid_breathing_anxiety", "tingling_around_mouth", "wrist_fingers_drawn_in"], [], "self_care"),
        (
            35,
            ["hard_training_or_unaccustomed_effort", "severe_muscle_pain_tenderness", "dark_urine"],
            [],
            "emergency",
        ),
        (60, ["takes_statin", "severe_muscle_pain_tenderness", "muscle_weakness"], [], "urgent"),
        (60, ["takes_statin", "severe_muscle_pain_tenderness", "muscle_weakness", "dark_urine"], [], "emergency"),
        (40, ["vomiting_diarrhea", "muscle_weakness"], [], "urgent"),
        (40, ["vomiting_diarrhea", "muscle_weakness", "palpitations"], [], "emergency"),
        (40, ["vomiting_diarrhea", "sudden_severe_weakness"], [], "emergency"),
        (60, ["takes_ppi", "palpitations"], [], "urgent"),
        (60, ["calf_swelling_one_leg", "calf_red_warm", "recent_long_immobility_or_surgery"], [], "urgent"),
        (60, ["calf_swelling_one_leg", "breathing_difficulty"], [], "emergency"),
        (70, ["foot_cold_pale_or_rest_pain", "pain_walking_relieved_rest"], [], "urgent"),
        (
            70,
            ["foot_cold_pale_or_rest_pain", "recent_onset", "lasts_hours_or_constant"],
            ["pain_walking_relieved_rest"],
            "emergency",
        ),
        (30, ["hot_environment", "confusion"], [], "emergency"),
        (30, ["hot_environment", "hot_dry_skin_no_sweat"], [], "emergency"),
        (80, ["hot_environment", "dizziness_headache_nausea"], [], "urgent"),
        (30, ["fever", "stiff_neck"], [], "emergency"),
        (30, ["fever", "severe_muscle_pain_tenderness"], [], "urgent"),
        (50, ["known_diabetes", "thirst_frequent_urination"], [], "doctor"),
        # the ketoacidosis picture is an emergency (ref81; clinical review 2026-12 section 5)
        (50, ["known_diabetes", "thirst_frequent_urination", "vomiting_diarrhea"], [], "emergency"),
        (50, ["known_diabetes", "thirst_frequent_urination", "dizziness_headache_nausea"], [], "urgent"),
        (60, ["muscle_weakness", "muscle_wasting", "muscle_twitching"], [], "doctor"),
        (22, ["fingers_white_blue_in_cold", "both_sides"], [], "self_care"),
        (50, ["fingers_white_blue_in_cold", "both_sides"], [], "doctor"),
        (60, ["frequent_episodes", "disrupts_sleep"], [], "self_care"),
        (60, ["frequent_episodes", "disrupts_sleep", "no_improvement_self_care"], [], "doctor"),
        (30, ["seizure_or_collapse"], [], "emergency"),
        (30, ["seizure_or_collapse", "known_epilepsy"], [], "urgent"),
        (30, ["chest_pain"], [], "emergency"),
    ],
)
def test_fact_base_tuples(tri: Triage, age: int, yes: list[str], no: list[str], expected: str) -> None:
    assert level(tri, age, yes, no) == expected


def test_over_breathing_de_escalation_needs_every_risk_marker_answered(tri: Triage) -> None:
    yes = ["breathing_difficulty", "rapid_breathing_anxiety", "tingling_around_mouth"]
    markers = [
        "smoker",
        "known_diabetes",
        "known_kidney_disease_or_dialysis",
        "takes_statin",
        "takes_beta_agonist",
        "takes_other_cramp_drug",
        "calf_swelling_one_leg",
        "calf_red_warm",
        "recent_long_immobility_or_surgery",
        "pregnant",
        "neck_surgery_thyroid_parathyroid",
        "fever",
        "sudden_severe_weakness",
        "seizure_or_collapse",
    ]
    assert level(tri, 25, yes) == "emergency"  # risk markers not known: stays emergency
    assert level(tri, 25, yes, markers) == "urgent"  # young, no risk marker: same day (R9d)
    assert level(tri, 55, yes, markers) == "emergency"  # age is a risk marker


def test_unanswered_negation_never_hides_a_danger() -> None:
    fn = compile_expr({"all": ["seizure_or_collapse", {"not": "known_epilepsy"}]}, {}, strict=False)
    assert fn({"seizure_or_collapse": True}, 30) is True
    strict = compile_expr({"all": ["seizure_or_collapse", {"not": "known_epilepsy"}]}, {}, strict=True)
    assert strict({"seizure_or_collapse": True}, 30) is None
    assert strict({"seizure_or_collapse": True, "known_epilepsy": False}, 30) is True


def test_dangerous_second_cause_raises_level(tri: Triage) -> None:
    ranked = [("nocturnal_leg_cramps", 0.5), ("deep_vein_thrombosis", 0.35)]
    assert tri.assess({}, 60, ranked).level == "urgent"
    assert tri.assess({}, 60, [("nocturnal_leg_cramps", 0.5), ("deep_vein_thrombosis", 0.2)]).level == "self_care"


def test_reasons_name_rule_and_findings(tri: Triage) -> None:
    r = tri.assess({"fever": True, "stiff_neck": True}, 30, [("febrile_illness", 0.6)])
    assert r.level == "emergency"
    assert any(x.rule == "R8" and set(x.findings) == {"fever", "stiff_neck"} for x in r.reasons)
