"""Checks the hand-written texts of the knowledge base: advice items, finding texts, grouped
checklist questions and triage texts, in English and Simplified Chinese.

The files are read with yaml.safe_load straight from the package, so these tests do not depend on
the loader or the engine; they pin the data contract those rely on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

KNOWLEDGE = Path(__file__).resolve().parents[2] / "src" / "crampcheck" / "knowledge"
ADVICE_DIR = KNOWLEDGE / "advice"
TEXT_DIR = KNOWLEDGE / "text"
LANGS = ("en", "zh")

KINDS = {"now", "prevent", "see", "avoid"}
GRADES = {"strong", "moderate", "weak", "none", "contradicted"}
ARTICLE_CLAIMS = {f"A{i}" for i in range(1, 18)} | {f"R{i}" for i in range(1, 8)}
TRIAGE_LEVELS = ("self_care", "doctor", "urgent", "emergency")

# Other modules reference these ids by name.
REQUIRED_ADVICE = {
    "calcium_supplements",
    "sunlight_vitamin_d",
    "avoid_pressure_posture",
    "loose_bedcovers",
    "heat_for_relief",
    "massage",
    "see_doctor_if_no_improvement",
    "stretch_during_cramp",
    "stretch_before_bed",
    "cramps_are_brief",
    "no_lactic_acid_myth",
    "magnesium_not_for_idiopathic",
    "quinine_caution",
    "review_medicines",
    "call_emergency_now",
    "same_day_doctor",
    "book_doctor",
}

# The grouped checklist questions and their members, as agreed with the interview module.
QUESTION_GROUPS = {
    "danger": [
        "chest_pain",
        "breathing_difficulty",
        "confusion",
        "seizure_or_collapse",
        "fever",
        "stiff_neck",
        "jaw_stiffness_trismus",
        "difficulty_swallowing",
        "dark_urine",
        "calf_swelling_one_leg",
        "calf_red_warm",
        "sudden_severe_weakness",
        "foot_cold_pale_or_rest_pain",
        "stroke_signs",
    ],
    "site": [
        "site_hand",
        "site_forearm",
        "site_calf",
        "site_foot_toes",
        "site_thigh",
        "site_trunk",
        "site_jaw_face",
        "many_muscles_at_once",
    ],
    "timing": [
        "at_night_in_bed",
        "during_exercise",
        "after_exercise",
        "during_specific_hand_task",
        "during_long_hand_use",
        "in_cold",
        "in_heat_sweating",
        "after_long_rest",
        "after_posture_pressure",
    ],
    "character": [
        "sudden_painful_hardening",
        "lasts_seconds_to_minutes",
        "lasts_hours_or_constant",
        "relieved_by_stretching",
        "relieved_by_shaking_hand",
        "both_sides",
    ],
    "course": ["frequent_episodes", "recent_onset", "getting_worse", "no_improvement_self_care", "disrupts_sleep"],
    "hand": [
        "wrist_fingers_drawn_in",
        "hand_posture_abnormal_task_only",
        "finger_locks_or_clicks",
        "fingers_white_blue_in_cold",
        "palm_lump_or_cord",
        "joint_swelling_stiffness",
    ],
    "sensation": [
        "numbness_tingling_thumb_fingers",
        "numbness_tingling_little_finger",
        "tingling_around_mouth",
        "tingling_hands_feet_both",
        "numbness_feet_stocking",
        "neck_pain_into_arm",
    ],
    "muscle": [
        "muscle_weakness",
        "muscle_wasting",
        "muscle_twitching",
        "severe_muscle_pain_tenderness",
        "exercise_intolerance_second_wind",
        "tremor_slowness",
    ],
    "legs": ["pain_walking_relieved_rest", "urge_to_move_legs_evening"],
    "general": [
        "fatigue_tiredness",
        "cold_intolerance_weight_gain",
        "thirst_frequent_urination",
        "vomiting_diarrhea",
        "heavy_sweating",
        "dizziness_headache_nausea",
        "hot_dry_skin_no_sweat",
        "palpitations",
        "rapid_breathing_anxiety",
        "fear_of_water_or_air",
    ],
    "history": [
        "known_diabetes",
        "known_kidney_disease_or_dialysis",
        "known_liver_disease",
        "known_thyroid_underactive",
        "neck_surgery_thyroid_parathyroid",
        "known_parkinsons",
        "known_epilepsy",
        "family_history_muscle_disease",
        "heavy_alcohol_use",
        "smoker",
    ],
    "exposure": [
        "recent_wound",
        "tetanus_vaccine_not_current",
        "animal_bite_exposure",
        "recent_long_immobility_or_surgery",
    ],
    "medicines": [
        "takes_diuretic",
        "takes_statin",
        "takes_beta_agonist",
        "takes_ppi",
        "takes_other_cramp_drug",
        "new_medicine_before_onset",
    ],
    "activity": [
        "hard_training_or_unaccustomed_effort",
        "long_walking_or_standing",
        "manual_gripping_work",
        "writes_or_plays_instrument_a_lot",
        "prolonged_bed_rest_or_sitting",
        "short_sleep",
    ],
    "surroundings": [
        "low_dairy_calcium_diet",
        "little_sun_exposure",
        "low_fluid_intake",
        "cold_environment",
        "hot_environment",
    ],
}

HAN = re.compile(r"[\u4e00-\u9fff]")


def _load(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def vocabulary() -> dict:
    return _load(KNOWLEDGE / "vocabulary.yaml")


@pytest.fixture(scope="module")
def condition_ids(vocabulary) -> set[str]:
    return {c["id"] for c in vocabulary["conditions"]}


@pytest.fixture(scope="module")
def finding_ids(vocabulary) -> list[str]:
    return [f["id"] for f in vocabulary["findings"]]


@pytest.fixture(scope="module")
def reference_ids() -> set[str]:
    refs = _load(KNOWLEDGE / "references.yaml")
    entries = refs if isinstance(refs, list) else refs.get("references", refs)
    if isinstance(entries, dict):
        return set(entries)
    return {r["id"] for r in entries}


@pytest.fixture(scope="module")
def advice_files() -> dict[str, list[dict]]:
    files = sorted(ADVICE_DIR.glob("*.yaml"))
    assert files, f"no advice files in {ADVICE_DIR}"
    return {p.name: _load(p) for p in files}


@pytest.fixture(scope="module")
def advice(advice_files) -> list[dict]:
    items: list[dict] = []
    for name, data in advice_files.items():
        assert isinstance(data, list), f"{name}: an advice file must be a YAML list of items"
        items.extend(data)
    return items


def _assert_bilingual(value, where: str) -> None:
    assert isinstance(value, dict), f"{where}: expected a mapping with keys {LANGS}, got {value!r}"
    assert set(value) == set(LANGS), f"{where}: languages must be exactly {LANGS}, got {sorted(value)}"
    for lang in LANGS:
        text = value[lang]
        assert isinstance(text, str) and text.strip(), f"{where}.{lang}: empty text"
        assert text == text.strip(), f"{where}.{lang}: leading or trailing whitespace"
    assert HAN.search(value["zh"]), f"{where}.zh: no Chinese characters: {value['zh']!r}"
    assert not HAN.search(value["en"]), f"{where}.en: Chinese characters in the English text"


# --- advice ------------------------------------------------------------------------------


def test_advice_ids_are_unique(advice):
    seen: dict[str, int] = {}
    for item in advice:
        seen[item["id"]] = seen.get(item["id"], 0) + 1
    dupes = sorted(i for i, n in seen.items() if n > 1)
    assert not dupes, f"advice ids used more than once: {dupes}"


def test_required_advice_ids_exist(advice):
    missing = REQUIRED_ADVICE - {item["id"] for item in advice}
    assert not missing, f"required advice ids missing: {sorted(missing)}"


def test_advice_items_have_the_full_shape(advice):
    expected = {
        "id",
        "kind",
        "text",
        "evidence",
        "evidence_note",
        "sources",
        "conditions",
        "levels",
        "article_claim",
    }
    optional = {"not_with", "min_age", "max_age", "requires_any", "replaced_by", "safety"}  # who it fits
    for item in advice:
        missing, unknown = expected - set(item), set(item) - expected - optional
        assert not missing and not unknown, f"{item.get('id')}: keys {sorted(missing | unknown)} wrong"
        assert re.fullmatch(r"[a-z][a-z0-9_]*", item["id"]), f"bad advice id {item['id']!r}"
        assert item["kind"] in KINDS, f"{item['id']}: kind {item['kind']!r} not in {sorted(KINDS)}"
        assert item["evidence"] in GRADES, f"{item['id']}: evidence {item['evidence']!r} not in {sorted(GRADES)}"
        _assert_bilingual(item["text"], f"{item['id']}.text")
        _assert_bilingual(item["evidence_note"], f"{item['id']}.evidence_note")
        assert isinstance(item["levels"], list)
        bad_levels = set(item["levels"]) - set(TRIAGE_LEVELS)
        assert not bad_levels, f"{item['id']}: unknown triage levels {sorted(bad_levels)}"
        claim = item["article_claim"]
        assert claim is None or claim in ARTICLE_CLAIMS, f"{item['id']}: article_claim {claim!r} unknown"


def test_every_advice_item_cites_known_sources(advice, reference_ids):
    for item in advice:
        sources = item["sources"]
        assert isinstance(sources, list) and sources, f"{item['id']}: needs at least one source"
        unknown = [s for s in sources if s not in reference_ids]
        assert not unknown, f"{item['id']}: sources {unknown} are not in references.yaml"
        assert len(set(sources)) == len(sources), f"{item['id']}: a source is listed twice"


def test_advice_conditions_exist_in_vocabulary(advice, condition_ids):
    for item in advice:
        assert isinstance(item["conditions"], list), f"{item['id']}: conditions must be a list"
        unknown = sorted(set(item["conditions"]) - condition_ids)
        assert not unknown, f"{item['id']}: unknown condition ids {unknown}"
        assert len(set(item["conditions"])) == len(item["conditions"]), f"{item['id']}: duplicate condition"


def test_every_condition_has_specific_now_or_see_advice(advice, condition_ids):
    covered = {c for item in advice if item["kind"] in {"now", "see"} for c in item["conditions"]}
    missing = sorted(condition_ids - covered)
    assert not missing, f"conditions without a condition-specific 'now' or 'see' advice item: {missing}"


def test_every_triage_level_has_a_see_item(advice):
    for level in TRIAGE_LEVELS:
        items = [i["id"] for i in advice if i["kind"] == "see" and level in i["levels"]]
        assert items, f"no 'see' advice item tied to triage level {level!r}"


def test_level_items_point_the_right_way(advice):
    by_id = {item["id"]: item for item in advice}
    assert by_id["call_emergency_now"]["levels"] == ["emergency"]
    assert by_id["same_day_doctor"]["levels"] == ["urgent"]
    assert by_id["book_doctor"]["levels"] == ["doctor"]
    assert "emergency" not in by_id["see_doctor_if_no_improvement"]["levels"]
    assert by_id["see_doctor_if_no_improvement"]["levels"], "must not be shown at every level"


def test_classic_remedies_are_graded_honestly(advice):
    """The article's home remedies must not be oversold (fact base section 4, R1-R5)."""
    by_id = {item["id"]: item for item in advice}
    assert by_id["calcium_supplements"]["evidence"] in {"none", "weak"}
    assert by_id["sunlight_vitamin_d"]["evidence"] in {"none", "weak"}
    for remedy in ("avoid_pressure_posture", "loose_bedcovers", "heat_for_relief", "massage"):
        assert by_id[remedy]["evidence"] == "weak", remedy
    # Good trials show magnesium does not help ordinary cramps; the lactic-acid idea is contradicted.
    assert by_id["magnesium_not_for_idiopathic"]["kind"] == "avoid"
    assert by_id["magnesium_not_for_idiopathic"]["evidence"] in {"contradicted", "strong"}
    assert by_id["no_lactic_acid_myth"]["evidence"] == "contradicted"
    assert by_id["quinine_caution"]["kind"] == "avoid"
    assert by_id["see_doctor_if_no_improvement"]["article_claim"] == "R6"


def test_no_advice_presents_a_cause_as_certain(advice):
    banned = re.compile(r"\b(definitely|certainly|guaranteed|always cures|will cure)\b", re.IGNORECASE)
    for item in advice:
        for field in ("text", "evidence_note"):
            assert not banned.search(item[field]["en"]), f"{item['id']}.{field}: overclaiming wording"


# --- finding texts -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def finding_texts() -> dict:
    return _load(TEXT_DIR / "findings.yaml")


def test_every_vocabulary_finding_has_texts(finding_texts, finding_ids):
    missing = [f for f in finding_ids if f not in finding_texts]
    assert not missing, f"findings without texts: {missing}"
    extra = sorted(set(finding_texts) - set(finding_ids))
    assert not extra, f"texts for findings that are not in the vocabulary: {extra}"
    for fid in finding_ids:
        entry = finding_texts[fid]
        assert set(entry) == {"question", "label", "plain", "negative"}, f"{fid}: keys {sorted(entry)}"
        for key in ("question", "label", "plain", "negative"):
            _assert_bilingual(entry[key], f"{fid}.{key}")


def test_finding_questions_are_questions_and_labels_are_short(finding_texts):
    for fid, entry in finding_texts.items():
        assert entry["question"]["en"].endswith("?"), f"{fid}: English question must end with '?'"
        assert entry["question"]["zh"].endswith(("？", "?")), f"{fid}: Chinese question must end with '？'"
        words = len(entry["label"]["en"].split())
        assert 1 <= words <= 8, f"{fid}: label has {words} words (1-8 allowed)"
        assert len(entry["label"]["zh"]) <= 24, f"{fid}: Chinese label too long"


def test_medicine_labels_name_examples(finding_texts):
    examples = {
        "takes_diuretic": ("furosemide", "呋塞米"),
        "takes_statin": ("atorvastatin", "阿托伐他汀"),
        "takes_beta_agonist": ("salbutamol", "沙丁胺醇"),
        "takes_ppi": ("omeprazole", "奥美拉唑"),
    }
    for fid, (en, zh) in examples.items():
        assert en in finding_texts[fid]["label"]["en"], fid
        assert zh in finding_texts[fid]["label"]["zh"], fid


# --- grouped questions -------------------------------------------------------------------


@pytest.fixture(scope="module")
def question_groups() -> dict:
    return _load(TEXT_DIR / "questions.yaml")


def test_question_groups_have_exact_members(question_groups, finding_ids):
    assert set(question_groups) == set(QUESTION_GROUPS)
    for gid, members in QUESTION_GROUPS.items():
        group = question_groups[gid]
        assert set(group) == {"text", "none", "findings"}, f"{gid}: keys {sorted(group)}"
        assert group["findings"] == members, f"{gid}: members differ from the agreed list"
        assert set(members) <= set(finding_ids), f"{gid}: member not in vocabulary"
        _assert_bilingual(group["text"], f"{gid}.text")
        _assert_bilingual(group["none"], f"{gid}.none")


def _expr_ids(e: Any) -> set[str]:
    """The finding ids a rule expression mentions (ages and named sets left out)."""
    if isinstance(e, str):
        return {e}
    ((k, v),) = e.items()
    if k in ("all", "any"):
        return set().union(*(_expr_ids(x) for x in v))
    if k in ("not", "maybe"):
        return _expr_ids(v)
    return set()


def test_each_finding_is_in_at_most_one_group_and_only_pregnant_is_alone(question_groups, finding_ids):
    members = [f for g in question_groups.values() for f in g["findings"]]
    assert len(members) == len(set(members)), "a finding appears in two groups"
    # alone: pregnant, and the findings that decide a red-flag rule's narrow exception (a strict rule that
    # replaces another), which are only asked when that rule has fired
    rules = _load(KNOWLEDGE / "model" / "rules.yaml")["rules"]
    exceptions = {f for r in rules if r.get("suppresses") for f in _expr_ids(r["when"])} - set(members)
    assert exceptions, "no exception findings found: the test no longer checks what it says"
    assert set(finding_ids) - set(members) == {"pregnant"} | exceptions


# --- triage texts ------------------------------------------------------------------------


def test_triage_texts(vocabulary):
    triage = _load(TEXT_DIR / "triage.yaml")
    assert tuple(vocabulary["triage_levels"]) == TRIAGE_LEVELS
    assert set(triage) == set(TRIAGE_LEVELS) | {"disclaimer", "reasons"}
    for key, text in triage["reasons"].items():
        _assert_bilingual(text, f"reasons.{key}")
    for level in TRIAGE_LEVELS:
        _assert_bilingual(triage[level]["label"], f"{level}.label")
        _assert_bilingual(triage[level]["message"], f"{level}.message")
    _assert_bilingual(triage["disclaimer"], "disclaimer")
    assert "not a diagnosis" in triage["disclaimer"]["en"]
    assert "不是诊断" in triage["disclaimer"]["zh"]
    assert "today" in triage["urgent"]["message"]["en"]
    assert "120" in triage["emergency"]["message"]["zh"]
