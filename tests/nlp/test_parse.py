"""Tests of crampcheck.nlp.parse: interface, negation/hedging, medicines, demographics, robustness."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crampcheck.errors import InputError
from crampcheck.nlp import MAX_CHARS, Mention, ParseResult, parse
from crampcheck.nlp.lexicon import load_lexicon

VOCAB_PATHS = [
    Path("/work/shared/spec/vocabulary.yaml"),
    Path(__file__).parents[2] / "src/crampcheck/knowledge/vocabulary.yaml",
]


def states(text: str, lang: str | None = None) -> dict[str, str]:
    return parse(text, lang=lang).states()


def test_interface_and_dump_shape() -> None:
    text = "I'm a 67-year-old man, calves cramp every night, no swelling"
    r = parse(text, lang=None)
    assert isinstance(r, ParseResult)
    assert (r.lang, r.age, r.sex) == ("en", 67, "male")
    assert all(isinstance(m, Mention) for m in r.findings)
    dump = r.model_dump()
    assert set(dump) == {"lang", "age", "sex", "findings"}
    assert set(dump["findings"][0]) == {"id", "state", "start", "end", "text"}
    st = r.states()
    assert st["site_calf"] == "present"
    assert st["at_night_in_bed"] == "present"
    assert st["calf_swelling_one_leg"] == "absent"


@pytest.mark.parametrize(
    "text",
    [
        "I'm a 67-year-old man, calves cramp every night, no swelling",
        "我晚上小腿经常抽筋，没有肿，手指不麻。",
        "My 30\u2011year\u2011old wife\u2019s calf \u2014 it cramps at night!",
        "混合 text: my calves 抽筋 at night",
    ],
)
def test_spans_point_into_the_input(text: str) -> None:
    r = parse(text)
    assert r.findings
    for m in r.findings:
        assert text[m.start : m.end] == m.text
        assert 0 <= m.start < m.end <= len(text)


def test_one_mention_per_finding_and_firm_beats_uncertain() -> None:
    r = parse("Maybe my calf is a bit swollen. My left calf is swollen.")
    ids = [m.id for m in r.findings]
    assert len(ids) == len(set(ids))
    assert r.states()["calf_swelling_one_leg"] == "present"


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        ("no numbness", "numbness_tingling_thumb_fingers", "absent"),
        ("My legs are not swollen", "calf_swelling_one_leg", "absent"),
        ("I have never smoked", "smoker", "absent"),
        ("cramps without any fever", "fever", "absent"),
        ("Denies chest pain", "chest_pain", "absent"),
        ("No chest pain or shortness of breath", "breathing_difficulty", "absent"),
        ("maybe a bit swollen", "calf_swelling_one_leg", "uncertain"),
        ("I think I have a fever", "fever", "uncertain"),
        ("No fever but I feel dizzy", "dizziness_headache_nausea", "present"),
        ("I don't drink milk", "low_dairy_calcium_diet", "present"),
        ("没有麻木", "numbness_tingling_thumb_fingers", "absent"),
        ("腿不肿", "calf_swelling_one_leg", "absent"),
        ("无发热", "fever", "absent"),
        ("未发烧", "fever", "absent"),
        ("可能有点发烧", "fever", "uncertain"),
        ("好像有点肿", "calf_swelling_one_leg", "uncertain"),
        ("没有发烧，但是头晕", "dizziness_headache_nausea", "present"),
        ("我不喝牛奶", "low_dairy_calcium_diet", "present"),
        ("手指不由自主地蜷起来", "hand_posture_abnormal_task_only", "present"),
        # a negation that reads both ways ("也没有", "都没有") negates what follows as well as what precedes
        ("我也没有癫痫", "known_epilepsy", "absent"),
        ("都没有发烧", "fever", "absent"),
        ("发烧也没有", "fever", "absent"),
        ("也没有发烧，但是小腿抽筋", "site_calf", "present"),
    ],
)
def test_negation_and_hedging(text: str, finding: str, state: str) -> None:
    assert states(text).get(finding) == state


@pytest.mark.parametrize(
    ("text", "site"),
    [
        ("charley horse last night", "site_calf"),
        ("小腿肚子抽筋", "site_calf"),
        ("阿媽成日腳瓜囊抽筋", "site_calf"),
        ("打完波之後幾個鐘，大髀扯筋", "site_thigh"),
        ("手抽筋", "site_hand"),
        ("脚趾抽筋", "site_foot_toes"),
        ("my hamstrings seize up", "site_thigh"),
        ("大腿后面抽筋", "site_thigh"),
    ],
)
def test_everyday_site_words(text: str, site: str) -> None:
    assert states(text).get(site) == "present"


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("cramps in either leg", "both_sides"),
        ("两条腿都抽", "both_sides"),
        ("夜里抽筋", "at_night_in_bed"),
        ("写字时手抽筋", "during_specific_hand_task"),
        ("跑步后小腿抽筋", "after_exercise"),
        ("pins and needles in my thumb", "numbness_tingling_thumb_fingers"),
        ("I'm 30 weeks pregnant", "pregnant"),
        ("怀孕7个月", "pregnant"),
    ],
)
def test_everyday_words(text: str, finding: str) -> None:
    assert states(text).get(finding) == "present"


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("I take furosemide", "takes_diuretic"),
        ("on Lasix", "takes_diuretic"),
        ("在吃呋塞米", "takes_diuretic"),
        ("hydrochlorothiazide 25 mg", "takes_diuretic"),
        ("atorvastatin at night", "takes_statin"),
        ("Lipitor", "takes_statin"),
        ("阿托伐他汀", "takes_statin"),
        ("salbutamol inhaler", "takes_beta_agonist"),
        ("Ventolin", "takes_beta_agonist"),
        ("沙丁胺醇", "takes_beta_agonist"),
        ("omeprazole", "takes_ppi"),
        ("奥美拉唑", "takes_ppi"),
        ("raloxifene", "takes_other_cramp_drug"),
        ("普瑞巴林", "takes_other_cramp_drug"),
    ],
)
def test_medicines(text: str, finding: str) -> None:
    assert states(text).get(finding) == "present"


def test_no_medicines_means_every_medicine_absent() -> None:
    st = states("平时不吃什么药。")
    for f in ("takes_diuretic", "takes_statin", "takes_beta_agonist", "takes_ppi", "takes_other_cramp_drug"):
        assert st[f] == "absent"


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("I'm 45 and a woman", 45, "female"),
        ("My husband (42) had a fit", 42, "male"),
        ("My mum is 81 and has cramps", 81, "female"),
        ("I'm 28 weeks pregnant", None, "female"),
        ("我68岁，小腿抽筋", 68, None),
        ("我爸79岁，腿抽筋", 79, "male"),
        ("女，五十五岁，手抽筋", 55, "female"),
        ("calf cramps", None, None),
    ],
)
def test_age_and_sex(text: str, age: int | None, sex: str | None) -> None:
    r = parse(text)
    assert (r.age, r.sex) == (age, sex)


def test_language_detection_and_override() -> None:
    assert parse("my calves cramp").lang == "en"
    assert parse("小腿抽筋").lang == "zh"
    assert parse("小腿抽筋", lang="zh-CN").lang == "zh"
    with pytest.raises(InputError, match="unsupported language 'fr'"):
        parse("crampes", lang="fr")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t",
        "🙂🙂🙂",
        "\x00\x01\x02 calf \x1b[31m",
        "asdf qwer zxcv",
        "。。。！！！",
        "\ud800 lone surrogate",
        "a" * 5000,
    ],
)
def test_robust_inputs_give_valid_results(text: str) -> None:
    r = parse(text)
    assert r.lang in ("en", "zh")
    for m in r.findings:
        assert text[m.start : m.end] == m.text


def test_control_characters_do_not_hide_findings() -> None:
    assert states("calves\x00cramp\x07 at\tnight")["at_night_in_bed"] == "present"


def test_too_long_text_is_a_clear_input_error() -> None:
    with pytest.raises(InputError, match="at most 100,000"):
        parse("cramp " * (MAX_CHARS // 6 + 10))


def test_not_a_string_is_an_input_error() -> None:
    with pytest.raises(InputError, match="must be a string"):
        parse(None)  # type: ignore[arg-type]


def test_long_but_allowed_text_parses() -> None:
    text = ("My calves cramp at night, no swelling. " * 2500)[:MAX_CHARS]
    r = parse(text)
    assert r.states()["site_calf"] == "present"


def test_lexicon_ids_are_vocabulary_ids() -> None:
    paths = [p for p in VOCAB_PATHS if p.exists()]
    if not paths:
        pytest.skip("no vocabulary.yaml available")
    # the shared vocabulary plus crampcheck's own additions (knowledge/vocabulary.yaml, e.g. stroke_signs)
    vocab = {f["id"] for p in paths for f in yaml.safe_load(p.read_text(encoding="utf-8"))["findings"]}
    for lang in ("en", "zh"):
        unknown = load_lexicon(lang).finding_ids - vocab
        assert not unknown, f"{lang} lexicon uses ids outside the vocabulary: {sorted(unknown)}"
