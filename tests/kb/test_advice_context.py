"""Advice that fits the person (issue 10 item 4; clinical review 2026-12 section 6), through the public
Assessor / AssessRequest API.

The cases are written from the sources, not from the evaluation vignettes:

* comfort measures are not offered beside a danger they would harm: heatstroke is an emergency that needs
  cooling (fact base 3.31, [61][69]); one swollen, red calf after immobility may be a clot, and with
  breathlessness or chest pain a clot in the lung (3.35, [44]); dark urine with very painful muscles after
  unaccustomed effort is muscle breakdown (3.33, [62]); a suddenly cold, pale foot is a leg short of blood
  (rule R22); lockjaw after a wound is tetanus (3.28, [38]);
* a young child with diarrhoea and vomiting gets oral rehydration solution and a child's dehydration warning
  signs, and no sports drinks, fruit juice, salt or heat-acclimatisation tips (NICE CG84; NHS "Diarrhoea and
  vomiting");
* an item about a medicine or an illness is not shown to someone who answered no to it (review 6.4);
* the general "a cramp is brief" safety item is not crowded out by quotas (review 6.3);
* general stretching is not shown beside writer's cramp, where stretching does little (review 6.5, [46]).

Each case first checks that the engine puts the danger among the likely causes at the expected level, so a
change in the model shows up as a failed precondition rather than as a test that passes for no reason.
"""

from __future__ import annotations

import pytest

from crampcheck.advice import QUOTA, advice_context, advice_for, likely_conditions
from crampcheck.assess import Assessor
from crampcheck.kb import load_kb
from crampcheck.schema import Answer, Assessment, AssessRequest

# Comfort and self-care measures: warmth, massage, stretching, walking, painkillers, keeping warm.
COMFORT = {
    "heat_for_relief",
    "massage",
    "stretch_during_cramp",
    "walk_after_cramp",
    "get_up_and_walk",
    "painkiller_for_soreness",
    "keep_warm",
    "stretch_before_bed",
    "warm_the_cold_limb",
    "restless_legs_self_help",
    "pregnancy_stretch_and_move",
    "change_position_shake_limb",
    "stop_and_stretch_during_exercise",
    "hand_rest_and_stretch",
    "rest_when_tired",
}
# Adult sport, salt, heat and adult-drink tips (review 6.2).
ADULT_FLUID_AND_SPORT = {
    "rehydrate_with_salt",
    "potassium_fluids_during_diarrhoea",
    "acclimatise_to_heat",
    "salt_for_salty_sweaters",
    "pace_and_train",
    "drink_to_thirst",
    "pickle_juice",
    "no_overdrinking",
}
CHILD_ITEMS = {"child_oral_rehydration", "child_dehydration_warning_signs"}


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor()


def assess(a: Assessor, age: int, sex: str, answers: dict[str, bool | None], lang: str = "en") -> Assessment:
    state = {True: "present", False: "absent", None: "unknown"}
    req = AssessRequest(
        age=age,
        sex=sex,  # type: ignore[arg-type]
        answers=[Answer(finding=f, state=state[v]) for f, v in answers.items()],  # type: ignore[arg-type]
        lang=lang,  # type: ignore[arg-type]
    )
    return a.assess(req)


def ids(r: Assessment) -> set[str]:
    return {x.id for x in r.advice}


def likely(r: Assessment, condition: str, p: float = 0.10) -> bool:
    return any(c.id == condition and c.probability >= p for c in r.conditions)


# --- comfort measures beside dangers -------------------------------------------------------------------

DANGERS = {
    # name: (age, sex, answers, the danger, the levels it must reach, a safety item that must be shown)
    "heatstroke": (
        30,
        "male",
        {
            "hot_environment": True,
            "during_exercise": True,
            "heavy_sweating": True,
            "confusion": True,
            "hot_dry_skin_no_sweat": True,
            "site_calf": True,
            "sudden_painful_hardening": True,
        },
        "heat_illness",
        {"emergency"},
        "heatstroke_emergency",
    ),
    "clot in the leg": (
        50,
        "female",
        {
            "calf_swelling_one_leg": True,
            "calf_red_warm": True,
            "site_calf": True,
            "recent_long_immobility_or_surgery": True,
            "lasts_hours_or_constant": True,
        },
        "deep_vein_thrombosis",
        {"urgent", "emergency"},
        "one_swollen_calf_same_day",
    ),
    "clot in the lung": (
        50,
        "female",
        {
            "calf_swelling_one_leg": True,
            "site_calf": True,
            "recent_long_immobility_or_surgery": True,
            "breathing_difficulty": True,
            "chest_pain": True,
        },
        "deep_vein_thrombosis",
        {"emergency"},
        "no_massage_swollen_calf",
    ),
    "muscle breakdown": (
        25,
        "male",
        {
            "dark_urine": True,
            "severe_muscle_pain_tenderness": True,
            "hard_training_or_unaccustomed_effort": True,
            "after_exercise": True,
            "site_thigh": True,
            "during_exercise": True,
        },
        "rhabdomyolysis",
        {"emergency"},
        "dark_urine_emergency",
    ),
    "leg short of blood": (
        72,
        "male",
        {
            "foot_cold_pale_or_rest_pain": True,
            "sudden_severe_weakness": True,
            "site_calf": True,
            "smoker": True,
            "at_night_in_bed": True,
        },
        "peripheral_artery_disease",
        {"emergency"},
        "walking_pain_see_doctor",
    ),
    "tetanus": (
        40,
        "male",
        {
            "jaw_stiffness_trismus": True,
            "recent_wound": True,
            "tetanus_vaccine_not_current": True,
            "many_muscles_at_once": True,
            "site_calf": True,
        },
        "tetanus",
        {"emergency"},
        "tetanus_call_emergency",
    ),
}


@pytest.mark.parametrize("name", sorted(DANGERS))
def test_no_comfort_measure_beside_a_danger(assessor: Assessor, name: str) -> None:
    age, sex, answers, danger, levels, safety = DANGERS[name]
    r = assess(assessor, age, sex, answers)
    assert r.triage.level in levels, f"{name}: precondition: level {r.triage.level}, expected {levels}"
    assert likely(r, danger), f"{name}: precondition: {danger} not among the likely causes: {r.conditions}"
    shown = ids(r)
    assert not shown & COMFORT, f"{name}: comfort measures shown beside {danger}: {sorted(shown & COMFORT)}"
    assert safety in shown, f"{name}: the safety item {safety} is missing: {sorted(shown)}"
    # Nothing at all for a benign cause should tell the person to warm, rub or walk off the leg.
    for x in r.advice:
        if x.kind == "now" and not x.id.startswith(("heat_cool", "rhabdomyolysis", "seizure", "rabies")):
            text = x.text.lower()
            assert "rub" not in text and "massag" not in text and "walk around" not in text, (name, x.id)


def test_the_same_comfort_measures_are_shown_without_the_danger(assessor: Assessor) -> None:
    """The filter hides comfort measures because of the danger, not always: an ordinary night cramp gets them."""
    r = assess(
        assessor,
        60,
        "female",
        {
            "at_night_in_bed": True,
            "site_calf": True,
            "sudden_painful_hardening": True,
            "relieved_by_stretching": True,
        },
    )
    assert r.triage.level == "self_care", r.triage
    assert {"stretch_during_cramp", "massage", "heat_for_relief"} <= ids(r)


def test_comfort_items_list_the_dangers_they_would_harm() -> None:
    kb = load_kb()
    dangers = {"deep_vein_thrombosis", "peripheral_artery_disease", "heat_illness", "rhabdomyolysis"}
    for aid in sorted(COMFORT):
        a = kb.advice[aid]
        assert a.not_with is not None and dangers <= set(a.not_with), f"{aid}: not_with {a.not_with}"


# --- children --------------------------------------------------------------------------------------------

GASTRO = {
    "vomiting_diarrhea": True,
    "low_fluid_intake": True,
    "sudden_painful_hardening": True,
    "site_calf": True,
    "hot_environment": False,
    "during_exercise": False,
}


@pytest.mark.parametrize("age", [1, 3, 11])
def test_a_child_with_gastroenteritis_gets_child_advice(assessor: Assessor, age: int) -> None:
    r = assess(assessor, age, "female", GASTRO)
    assert likely(r, "dehydration_heat_cramps"), f"precondition: {r.conditions}"
    shown = ids(r)
    assert shown >= CHILD_ITEMS, f"age {age}: child items missing: {sorted(shown)}"
    assert not shown & ADULT_FLUID_AND_SPORT, f"age {age}: adult tips: {sorted(shown & ADULT_FLUID_AND_SPORT)}"
    for x in r.advice:
        text = x.text.lower()
        assert "sports drink" not in text and "salty snack" not in text, (age, x.id)
        assert "fruit juice" not in text or "do not give fruit juice" in text, (age, x.id, x.text)
    ors = next(x for x in r.advice if x.id == "child_oral_rehydration")
    assert "oral rehydration solution" in ors.text
    signs = next(x for x in r.advice if x.id == "child_dehydration_warning_signs").text
    for sign in ("drowsy", "wet nappies", "sunken eyes", "cold hands"):
        assert sign in signs, sign
    assert "emergency services" in signs


def test_a_child_gets_the_child_items_in_chinese(assessor: Assessor) -> None:
    r = assess(assessor, 1, "male", GASTRO, lang="zh")
    by_id = {x.id: x.text for x in r.advice}
    assert "口服补液盐" in by_id["child_oral_rehydration"]
    assert "果汁" in by_id["child_oral_rehydration"]  # 不要给孩子喝果汁
    for sign in ("嗜睡", "尿布", "眼窝凹陷", "手脚冰凉", "急救电话"):
        assert sign in by_id["child_dehydration_warning_signs"], sign
    for text in by_id.values():
        assert "运动饮料" not in text and "咸的零食" not in text


def test_an_adult_with_the_same_illness_gets_the_adult_items(assessor: Assessor) -> None:
    r = assess(assessor, 30, "female", GASTRO)
    shown = ids(r)
    assert not shown & CHILD_ITEMS, sorted(shown)
    assert shown & {"rehydrate_with_salt", "potassium_fluids_during_diarrhoea"}, sorted(shown)


def test_teenagers_are_past_the_child_items() -> None:
    kb = load_kb()
    ctx11, ctx12 = advice_context(kb, 11, {}), advice_context(kb, 12, {})
    for aid in CHILD_ITEMS:
        assert kb.advice[aid].fits_age(ctx11.age) and not kb.advice[aid].fits_age(ctx12.age), aid
    for aid in ADULT_FLUID_AND_SPORT:
        assert not kb.advice[aid].fits_age(ctx11.age), aid


# --- medicines and illnesses the person does not have ---------------------------------------------------

NIGHT = {"at_night_in_bed": True, "site_calf": True, "new_medicine_before_onset": True}


def test_no_statin_or_stomach_acid_item_for_someone_who_takes_neither(assessor: Assessor) -> None:
    r = assess(
        assessor, 65, "female", {**NIGHT, "takes_diuretic": True, "takes_statin": False, "takes_ppi": False}
    )
    assert likely(r, "medication_induced"), f"precondition: {r.conditions}"
    shown = ids(r)
    about_statin_or_ppi = {"statin_do_not_stop_alone", "statin_severe_pain_same_day", "review_long_term_ppi"}
    assert not shown & about_statin_or_ppi, sorted(shown & about_statin_or_ppi)
    assert "review_medicines" in shown  # the diuretic is still worth reviewing


def test_the_statin_items_are_shown_to_someone_who_takes_one(assessor: Assessor) -> None:
    r = assess(
        assessor, 65, "female", {**NIGHT, "takes_statin": True, "takes_diuretic": False, "takes_ppi": False}
    )
    assert likely(r, "medication_induced"), f"precondition: {r.conditions}"
    shown = ids(r)
    assert {"statin_do_not_stop_alone", "statin_severe_pain_same_day"} <= shown, sorted(shown)
    assert "review_long_term_ppi" not in shown


def test_an_unanswered_medicine_keeps_its_item() -> None:
    """'Not answered' is not 'no': the item stays until the person says they do not take it."""
    kb = load_kb()
    items = {a.id for a, _ in advice_for(kb, ("medication_induced",), "doctor", advice_context(kb, 65, {}))}
    assert "statin_do_not_stop_alone" in items
    no = advice_context(kb, 65, {"takes_statin": False})
    assert "statin_do_not_stop_alone" not in {
        a.id for a, _ in advice_for(kb, ("medication_induced",), "doctor", no)
    }


def test_no_diabetes_item_when_diabetes_is_answered_no() -> None:
    kb = load_kb()
    for answer, shown in ((None, True), (True, True), (False, False)):
        ctx = advice_context(kb, 60, {"known_diabetes": answer})
        items = {a.id for a, _ in advice_for(kb, ("diabetes_neuropathy",), "doctor", ctx)}
        assert ("diabetes_see_team" in items) is shown, (answer, sorted(items))


# --- quotas and contradictions ----------------------------------------------------------------------------


def test_the_general_safety_item_is_shown_in_an_ordinary_night_cramp(assessor: Assessor) -> None:
    r = assess(
        assessor,
        62,
        "male",
        {
            "at_night_in_bed": True,
            "site_calf": True,
            "sudden_painful_hardening": True,
            "lasts_seconds_to_minutes": True,
            "relieved_by_stretching": True,
            "disrupts_sleep": True,
        },
    )
    assert r.conditions[0].id == "nocturnal_leg_cramps", r.conditions
    shown = ids(r)
    assert "cramps_are_brief" in shown
    kb = load_kb()
    for kind, quota in QUOTA.items():
        others = [
            x.id for x in r.advice if x.kind == kind and not kb.advice[x.id].safety and not kb.advice[x.id].levels
        ]
        assert len(others) <= quota, (kind, others)
    now_others = [x for x in r.advice if x.kind == "now" and not kb.advice[x.id].safety]
    assert len(now_others) == QUOTA["now"], (
        "precondition: the 'now' quota is full, so the safety item had to compete"
    )


def test_safety_items_are_never_crowded_out() -> None:
    """Every safety item whose condition is likely is shown, whatever else competes, at every level."""
    kb = load_kb()
    for a in kb.advice.values():
        if not a.safety:
            continue
        for level in ("self_care", "doctor", "urgent", "emergency"):
            crowd = ("nocturnal_leg_cramps", "exercise_associated_cramps", "inactivity_poor_circulation")
            likely_ = (*crowd, *a.conditions)
            age = a.min_age if a.min_age is not None else min(a.max_age or 40, 40)
            ctx = advice_context(kb, age, {}, {})
            assert a.id in {x.id for x, _ in advice_for(kb, likely_, level, ctx)}, (a.id, level)


def test_writers_cramp_gets_no_general_stretching(assessor: Assessor) -> None:
    r = assess(
        assessor,
        35,
        "male",
        {
            "during_specific_hand_task": True,
            "hand_posture_abnormal_task_only": True,
            "site_hand": True,
            "writes_or_plays_instrument_a_lot": True,
        },
    )
    assert r.conditions[0].id == "focal_hand_dystonia", r.conditions
    shown = ids(r)
    assert "writers_cramp_stop_task" in shown
    assert not shown & {"stretch_during_cramp", "hand_rest_and_stretch"}, sorted(shown)


def test_no_shown_item_is_replaced_by_another_shown_item(assessor: Assessor) -> None:
    kb = load_kb()
    cases = [(d[0], d[1], d[2]) for d in DANGERS.values()] + [(1, "female", GASTRO), (65, "female", NIGHT)]
    for age, sex, answers in cases:
        shown = ids(assess(assessor, age, sex, answers))
        for aid in shown:
            assert not shown & set(kb.advice[aid].replaced_by), (aid, kb.advice[aid].replaced_by)


# --- the context is small and is the cache key ----------------------------------------------------------


def test_the_context_keeps_only_what_the_advice_data_mentions() -> None:
    kb = load_kb()
    a = advice_context(kb, 30, {"site_calf": True, "fever": False, "takes_statin": False, "takes_ppi": None})
    assert a.answered_no == frozenset({"takes_statin"})
    assert advice_context(kb, 25, {}) == advice_context(kb, 35, {})  # one age class
    assert advice_context(kb, 11, {}) != advice_context(kb, 12, {})
    levels = {"deep_vein_thrombosis": "urgent", "nocturnal_leg_cramps": "self_care"}
    assert advice_context(kb, 50, {}, levels).urgent == frozenset({"deep_vein_thrombosis"})


def test_the_cache_tells_a_child_from_an_adult(assessor: Assessor) -> None:
    kb = assessor.kb
    lk = likely_conditions([("dehydration_heat_cramps", 0.7), ("febrile_illness", 0.2)])
    adult = assessor._advice_list(lk, "doctor", advice_context(kb, 30, GASTRO), "en")
    child = assessor._advice_list(lk, "doctor", advice_context(kb, 1, GASTRO), "en")
    assert "child_oral_rehydration" in {x.id for x in child}
    assert "child_oral_rehydration" not in {x.id for x in adult}
