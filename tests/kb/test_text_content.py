"""Structure and honesty checks for the human-readable knowledge-base text.

Owns the checks on ``knowledge/conditions/*.yaml``, ``knowledge/references.yaml`` and
``knowledge/article.yaml``: every vocabulary condition has a bilingual entry with exactly the
agreed keys, every cited reference exists, the article's claims are all present with an evidence
grade, and sources the fact base marks "not verified" are not presented as verified.
The files are read with ``yaml.safe_load`` only, so these tests do not depend on the loader.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

KNOWLEDGE = Path(__file__).resolve().parents[2] / "src" / "crampcheck" / "knowledge"
CONDITIONS_DIR = KNOWLEDGE / "conditions"

# The 38 condition ids of the canonical vocabulary (shared/spec/vocabulary.yaml, version 2).
VOCABULARY_CONDITIONS = frozenset(
    {
        "nocturnal_leg_cramps",
        "exercise_associated_cramps",
        "hand_overuse",
        "positional_compression",
        "cold_exposure",
        "dehydration_heat_cramps",
        "inactivity_poor_circulation",
        "fatigue_sleep_loss",
        "pregnancy_cramps",
        "medication_induced",
        "low_calcium_vitamin_d_intake",
        "hypocalcemia",
        "hypomagnesemia",
        "hypokalemia",
        "hyperventilation",
        "hypothyroidism",
        "kidney_disease",
        "liver_cirrhosis",
        "diabetes_neuropathy",
        "focal_hand_dystonia",
        "carpal_tunnel",
        "cervical_radiculopathy",
        "motor_neuron_disease",
        "parkinsons_dystonia",
        "seizure",
        "cramp_fasciculation_syndrome",
        "stiff_person_syndrome",
        "tetanus",
        "rabies",
        "febrile_illness",
        "heat_illness",
        "metabolic_myopathy",
        "rhabdomyolysis",
        "peripheral_artery_disease",
        "deep_vein_thrombosis",
        "restless_legs",
        "hand_joint_tendon",
        "raynaud",
    }
)

# Where the vocabulary may be found, for the finding-id cross-check (first existing wins).
VOCABULARY_CANDIDATES = (
    KNOWLEDGE / "vocabulary.yaml",
    Path(__file__).resolve().parents[2] / "spec" / "vocabulary.yaml",
    Path("/work/shared/spec/vocabulary.yaml"),
)

# Numbered sources of section 9 of the fact base; ids keep its numbers.
FACT_BASE_REFERENCE_NUMBERS = (
    list(range(1, 3)) + list(range(4, 55)) + [57, 58, 61, 62, 63, 64, 65, 66, 67, 69, 70, 74]
)
# Sources the fact base marks "Not verified" (cited from memory).
NOT_VERIFIED = frozenset(
    f"ref{n}" for n in (16, 18, 43, 44, 45, 47, 48, 49, 50, 51, 52, 57, 58, 61, 62, 63, 64, 65, 66, 67, 69, 70)
)

ADVICE_IDS = frozenset(
    {
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
    }
)
GRADES = frozenset({"strong", "moderate", "weak", "none", "contradicted"})
ARTICLE_IDS = [f"A{i}" for i in range(1, 18)] + [f"R{i}" for i in range(1, 8)] + ["S1"]

CONDITION_KEYS = {
    "id",
    "name",
    "summary",
    "description",
    "icd10",
    "doctor_checks",
    "warning_signs",
    "references",
}
REFERENCE_KEYS = {"id", "citation", "pmid", "doi", "url", "verified", "note"}
ARTICLE_KEYS = {"id", "claim", "grade", "verdict", "represented_by", "sources"}

# Conditions for which the fact base gives no published source (expert knowledge only).
UNSOURCED_CONDITIONS = frozenset({"hyperventilation", "febrile_illness"})

CJK = re.compile(r"[\u4e00-\u9fff]")
# Common traditional-only characters: the Chinese text must be Simplified.
TRADITIONAL = re.compile("[這們發問醫腳經療邊時會說與應當動過數點體變還對實壓縮鬆轉傷風痙攣腦腎臟藥節頸復運熱觸]")
ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{1,2})?$")
REF_ID = re.compile(r"^(ref[0-9]+|refX_[a-z0-9_]+|ref_expert)$")  # ref_expert: expert opinion, not a publication
OVERCONFIDENT_EN = re.compile(r"\b(definitely|certainly|guaranteed|always caused|100%)\b", re.IGNORECASE)
OVERCONFIDENT_ZH = re.compile("肯定是|一定是|毫无疑问|百分之百")


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def conditions() -> dict[str, dict[str, Any]]:
    return {path.stem: _load(path) for path in sorted(CONDITIONS_DIR.glob("*.yaml"))}


@cache
def references() -> list[dict[str, Any]]:
    data = _load(KNOWLEDGE / "references.yaml")
    assert isinstance(data, list), "references.yaml must be a list of entries"
    return data


@cache
def reference_ids() -> frozenset[str]:
    return frozenset(entry["id"] for entry in references())


@cache
def article() -> list[dict[str, Any]]:
    data = _load(KNOWLEDGE / "article.yaml")
    assert isinstance(data, list), "article.yaml must be a list of claims"
    return data


@cache
def known_advice_ids() -> frozenset[str]:
    """The advice ids agreed in the brief plus any the advice files define."""
    ids = set(ADVICE_IDS)
    for path in sorted((KNOWLEDGE / "advice").glob("*.yaml")):
        ids.update(item["id"] for item in _load(path) or [] if isinstance(item, dict) and "id" in item)
    return frozenset(ids)


@cache
def vocabulary_findings() -> frozenset[str] | None:
    for candidate in VOCABULARY_CANDIDATES:
        if candidate.exists():
            return frozenset(item["id"] for item in _load(candidate)["findings"])
    return None


def _check_pair(value: Any, where: str) -> None:
    """A bilingual text: {en: non-empty English, zh: non-empty Simplified Chinese}."""
    assert isinstance(value, dict) and set(value) == {"en", "zh"}, f"{where}: needs exactly en and zh"
    en, zh = value["en"], value["zh"]
    assert isinstance(en, str) and en.strip(), f"{where}.en is empty"
    assert isinstance(zh, str) and zh.strip(), f"{where}.zh is empty"
    _check_texts(en, zh, where)


def _check_texts(en: str, zh: str, where: str) -> None:
    assert not CJK.search(en), f"{where}.en contains Chinese characters: {en!r}"
    assert CJK.search(zh), f"{where}.zh contains no Chinese characters: {zh!r}"
    assert not TRADITIONAL.search(zh), f"{where}.zh uses traditional characters: {zh!r}"
    assert not OVERCONFIDENT_EN.search(en), f"{where}.en presents something as certain: {en!r}"
    assert not OVERCONFIDENT_ZH.search(zh), f"{where}.zh presents something as certain: {zh!r}"


def _check_list_pair(value: Any, where: str) -> None:
    """Parallel bilingual lists: same length, every item non-empty."""
    assert isinstance(value, dict) and set(value) == {"en", "zh"}, f"{where}: needs exactly en and zh"
    en, zh = value["en"], value["zh"]
    assert isinstance(en, list) and en, f"{where}.en must be a non-empty list"
    assert isinstance(zh, list) and zh, f"{where}.zh must be a non-empty list"
    assert len(en) == len(zh), f"{where}: {len(en)} English items but {len(zh)} Chinese items"
    for index, (item_en, item_zh) in enumerate(zip(en, zh, strict=True)):
        assert isinstance(item_en, str) and item_en.strip(), f"{where}.en[{index}] is empty"
        assert isinstance(item_zh, str) and item_zh.strip(), f"{where}.zh[{index}] is empty"
        _check_texts(item_en, item_zh, f"{where}[{index}]")


# --- conditions -----------------------------------------------------------------------------


def test_every_vocabulary_condition_has_exactly_one_file() -> None:
    present = set(conditions())
    missing = sorted(VOCABULARY_CONDITIONS - present)
    extra = sorted(present - VOCABULARY_CONDITIONS)
    assert not missing, f"condition files missing for: {missing}"
    assert not extra, f"condition files for ids not in the vocabulary: {extra}"


@pytest.mark.parametrize("condition_id", sorted(VOCABULARY_CONDITIONS))
def test_condition_file_structure(condition_id: str) -> None:
    path = CONDITIONS_DIR / f"{condition_id}.yaml"
    if not path.exists():
        pytest.fail(f"missing {path.name}")
    entry = conditions()[condition_id]
    assert isinstance(entry, dict), f"{path.name} must be a mapping"
    assert set(entry) == CONDITION_KEYS, f"{path.name}: keys {sorted(entry)} != {sorted(CONDITION_KEYS)}"
    assert entry["id"] == condition_id, f"{path.name}: id {entry['id']!r} does not match the file name"
    for key in ("name", "summary", "description"):
        _check_pair(entry[key], f"{condition_id}.{key}")
    for key in ("doctor_checks", "warning_signs"):
        _check_list_pair(entry[key], f"{condition_id}.{key}")
    icd10 = entry["icd10"]
    assert icd10 is None or (isinstance(icd10, str) and ICD10.match(icd10)), (
        f"{condition_id}.icd10 {icd10!r} is neither null nor an ICD-10 code like 'R25.2'"
    )


@pytest.mark.parametrize("condition_id", sorted(VOCABULARY_CONDITIONS))
def test_condition_references_exist(condition_id: str) -> None:
    refs = conditions()[condition_id]["references"]
    assert isinstance(refs, list), f"{condition_id}.references must be a list"
    assert len(refs) == len(set(refs)), f"{condition_id}.references has duplicates: {refs}"
    unknown = sorted(set(refs) - reference_ids())
    assert not unknown, f"{condition_id} cites unknown references {unknown}"
    if condition_id not in UNSOURCED_CONDITIONS:
        assert refs, f"{condition_id} cites no source although the fact base gives one"


def test_summaries_are_one_sentence_and_descriptions_several() -> None:
    for condition_id, entry in conditions().items():
        summary = entry["summary"]["en"].strip()
        assert summary.count(". ") == 0 and summary.endswith("."), (
            f"{condition_id}.summary.en should be one sentence: {summary!r}"
        )
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", entry["description"]["en"].strip()) if s]
        assert 3 <= len(sentences) <= 5, (
            f"{condition_id}.description.en has {len(sentences)} sentences; write 3-5 plain ones"
        )
        zh_sentences = [s for s in re.split("[。！？]", entry["description"]["zh"]) if s.strip()]
        assert 2 <= len(zh_sentences) <= 7, f"{condition_id}.description.zh has {len(zh_sentences)} sentences"


def test_emergency_conditions_tell_the_reader_to_get_help() -> None:
    # Conditions whose default triage is emergency must carry warning signs that name emergency help.
    for condition_id in ("tetanus", "rabies", "seizure"):
        signs = " ".join(conditions()[condition_id]["warning_signs"]["en"]).lower()
        assert "emergency" in signs or "ambulance" in signs, (
            f"{condition_id}: warning signs never mention emergency help"
        )


# --- references -----------------------------------------------------------------------------


def test_reference_entries_are_well_formed() -> None:
    seen: set[str] = set()
    for entry in references():
        assert isinstance(entry, dict) and set(entry) == REFERENCE_KEYS, f"bad reference entry {entry!r}"
        rid = entry["id"]
        assert REF_ID.match(rid), f"reference id {rid!r} must look like ref12 (fact base) or refX_short (added)"
        assert rid not in seen, f"reference id {rid} appears twice"
        seen.add(rid)
        citation = entry["citation"]
        assert isinstance(citation, str) and len(citation) > 20, f"{rid}: citation too short"
        pmid, doi, url = entry["pmid"], entry["doi"], entry["url"]
        assert pmid is None or (isinstance(pmid, str) and pmid.isdigit()), f"{rid}: pmid must be digits"
        assert doi is None or (isinstance(doi, str) and doi.startswith("10.")), f"{rid}: doi must start 10."
        assert url is None or (isinstance(url, str) and url.startswith("https://")), f"{rid}: url not https"
        assert isinstance(entry["verified"], bool), f"{rid}: verified must be true or false"
        assert isinstance(entry["note"], str), f"{rid}: note must be a string (may be empty)"


def test_every_fact_base_source_is_listed_with_its_number() -> None:
    missing = [f"ref{n}" for n in FACT_BASE_REFERENCE_NUMBERS if f"ref{n}" not in reference_ids()]
    assert not missing, f"fact-base sources missing from references.yaml: {missing}"
    unknown_numbers = sorted(
        rid
        for rid in reference_ids()
        if re.fullmatch(r"ref[0-9]+", rid) and int(rid[3:]) not in FACT_BASE_REFERENCE_NUMBERS
    )
    assert not unknown_numbers, f"numeric ids not in the fact base (use refX_<short>): {unknown_numbers}"


def test_unverified_sources_are_not_marked_verified() -> None:
    by_id = {entry["id"]: entry for entry in references()}
    wrongly_verified = sorted(rid for rid in NOT_VERIFIED if by_id[rid]["verified"])
    assert not wrongly_verified, f"fact base says 'not verified' but marked verified: {wrongly_verified}"
    for rid in NOT_VERIFIED:
        assert by_id[rid]["note"].strip(), f"{rid} is unverified: say so in its note"


def test_key_identifiers_match_the_fact_base() -> None:
    by_id = {entry["id"]: entry for entry in references()}
    assert by_id["ref14"]["pmid"] == "22341378"
    assert by_id["ref14"]["doi"] == "10.1016/S1836-9553(12)70068-1"
    assert by_id["ref8"]["doi"] == "10.1002/14651858.CD009402.pub3"
    assert by_id["ref24"]["doi"] == "10.1016/S0140-6736(22)01545-8"
    assert by_id["ref5"]["pmid"] == "22963024"


# --- article --------------------------------------------------------------------------------


def test_article_covers_every_claim_and_remedy_once() -> None:
    ids = [claim["id"] for claim in article()]
    assert len(ids) == len(set(ids)), f"duplicate article ids: {ids}"
    assert sorted(ids) == sorted(ARTICLE_IDS), f"article ids {ids} != {ARTICLE_IDS}"


def test_article_entries_are_well_formed() -> None:
    findings = vocabulary_findings()
    for claim in article():
        cid = claim["id"]
        assert set(claim) == ARTICLE_KEYS, f"{cid}: keys {sorted(claim)} != {sorted(ARTICLE_KEYS)}"
        _check_pair(claim["claim"], f"{cid}.claim")
        _check_pair(claim["verdict"], f"{cid}.verdict")
        assert claim["grade"] in GRADES, f"{cid}: grade {claim['grade']!r} not in {sorted(GRADES)}"
        rep = claim["represented_by"]
        assert isinstance(rep, dict) and set(rep) == {"conditions", "findings", "advice"}, (
            f"{cid}.represented_by needs conditions, findings and advice lists"
        )
        assert any(rep[key] for key in rep), f"{cid}: represented by nothing in the knowledge base"
        unknown_conditions = set(rep["conditions"]) - VOCABULARY_CONDITIONS
        assert not unknown_conditions, f"{cid}: unknown conditions {sorted(unknown_conditions)}"
        unknown_advice = set(rep["advice"]) - known_advice_ids()
        assert not unknown_advice, f"{cid}: unknown advice ids {sorted(unknown_advice)}"
        if findings is not None:
            unknown_findings = set(rep["findings"]) - findings
            assert not unknown_findings, f"{cid}: unknown findings {sorted(unknown_findings)}"
        assert claim["sources"], f"{cid}: cite at least one source"
        unknown_sources = set(claim["sources"]) - reference_ids()
        assert not unknown_sources, f"{cid}: unknown sources {sorted(unknown_sources)}"


def test_every_advice_id_is_used_by_some_claim() -> None:
    used = {advice for claim in article() for advice in claim["represented_by"]["advice"]}
    assert used >= ADVICE_IDS, f"advice ids never linked to an article claim: {sorted(ADVICE_IDS - used)}"


def test_article_grades_stay_honest() -> None:
    grade = {claim["id"]: claim["grade"] for claim in article()}
    # Lactic acid and CO2 are not supported; the article's mechanisms must not be upgraded.
    assert grade["A16"] == "contradicted"
    assert grade["A17"] == "none"
    for weak_claim in ("A1", "A3", "A12", "A13", "A14", "A15", "R2", "R3", "R4", "R5"):
        assert grade[weak_claim] in {"weak", "none"}, f"{weak_claim} graded {grade[weak_claim]}"
    assert grade["R6"] == "strong"  # see a doctor if no improvement: good practice
    assert grade["A10"] == "strong"  # intense exercise
    lactic = next(claim for claim in article() if claim["id"] == "A16")
    assert "no_lactic_acid_myth" in lactic["represented_by"]["advice"]


def test_added_sources_say_they_are_not_from_the_fact_base() -> None:
    added = [entry for entry in references() if entry["id"].startswith("refX_")]
    for entry in added:
        assert entry["note"].startswith("Not in the fact base"), f"{entry['id']}: say where it came from"
        assert entry["doi"] or entry["url"] or entry["pmid"], f"{entry['id']}: give an identifier or URL"
