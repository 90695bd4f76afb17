"""Classes of mistakes the parser made on text nobody here wrote (issue 12), each pinned by sentences
written for this file (none is copied from the blind sets): elliptic replies and whose finding it is,
ended or unstarted states, hedges, negation and contrast, frequency and onset quantities, medicine names,
Cantonese and traditional characters, texting and typos, age and sex, danger words, recent vs long ago,
and words that affirm a finding without their denial denying it.

``None`` as the expected state means the finding must not be read at all."""

from __future__ import annotations

import pytest
import yaml

from crampcheck.nlp import parse
from crampcheck.nlp.lexicon import _UniqueKeyLoader
from crampcheck.nlp.spelling import Speller

Case = tuple[str, str, str | None]


def check(text: str, finding: str, state: str | None) -> None:
    got = parse(text).states().get(finding)
    assert got == state, f"{text!r}: {finding} is {got}, expected {state}"


ELLIPSIS: list[Case] = [
    ("My husband has diabetes, I don't.", "known_diabetes", "absent"),
    ("Dad smokes like a chimney but I don't.", "smoker", "absent"),
    ("Mum has an underactive thyroid and so do I.", "known_thyroid_underactive", "present"),
    ("我老公有糖尿病，我没有。", "known_diabetes", "absent"),
    ("我妈有甲减，我也是。", "known_thyroid_underactive", "present"),
    (
        "I take omeprazole myself but he doesn't. He is 80 and he gets thigh cramps, he says.",
        "takes_ppi",
        "absent",
    ),
]

WHOSE: list[Case] = [
    ("My sister takes Lipitor. I get cramps in my calves at night.", "takes_statin", None),
    ("My neighbour has Parkinson's, and my calves cramp in bed.", "known_parkinsons", None),
    ("我老婆在吃他汀，我晚上小腿抽筋", "takes_statin", None),
    ("我替我外公问，他八十岁，大腿抽筋，他不吃药。我自己在吃奥美拉唑。", "takes_ppi", "absent"),
    (
        "Asking about my grandad. He's 80, his thighs cramp, he takes no tablets. I'm on omeprazole myself.",
        "takes_ppi",
        "absent",
    ),
]

ENDED: list[Case] = [
    ("Was on pravastatin until last spring.", "takes_statin", "absent"),
    ("The GP took me off bendroflumethiazide in June.", "takes_diuretic", "absent"),
    ("Got a prescription for Crestor but haven't taken it yet.", "takes_statin", "absent"),
]

HEDGES: list[Case] = [
    ("I reckon my pee is a bit darker than usual.", "dark_urine", "uncertain"),
    ("Not sure whether my inhaler is salbutamol.", "takes_beta_agonist", "uncertain"),
    ("I feel like I have a temperature, no thermometer though.", "fever", "uncertain"),
    ("好像有点发烧，没有体温计", "fever", "uncertain"),
]

NEGATION_AND_CONTRAST: list[Case] = [
    ("I don't smoke and my wee is brown like cola.", "dark_urine", "present"),
    ("The calf isn't swollen but it's red and warm.", "calf_red_warm", "present"),
    ("No chest pain, just cramps in my calves while I'm cycling.", "during_exercise", "present"),
    ("Cramps in my hands, not in my feet.", "site_foot_toes", "absent"),
    ("Never been told I have thyroid problems.", "known_thyroid_underactive", "absent"),
    ("There isn't a night without cramps in my toes.", "site_foot_toes", "present"),  # double negation
    ("There isn't a night without cramps in my toes.", "frequent_episodes", "present"),
    ("没有一天晚上脚趾不抽的", "site_foot_toes", "present"),
    ("没有一天晚上脚趾不抽的", "at_night_in_bed", "present"),
    ("On 20mg Lipitor. Not on any water tablets.", "takes_ppi", None),  # a denied class is no blanket denial
    ("On 20mg Lipitor. Not on any water tablets.", "takes_diuretic", "absent"),
    ("家里没有人得过这种肌肉的病", "family_history_muscle_disease", "absent"),
]

FREQUENCY: list[Case] = [
    ("Thigh cramps about five nights out of seven.", "frequent_episodes", "present"),
    ("My calves cramp every couple of days.", "frequent_episodes", "present"),
    ("A toe cramp once a fortnight, no more.", "frequent_episodes", "absent"),
    ("小腿每隔两三天抽一次", "frequent_episodes", "present"),
    ("She plays tennis 3 times a week and gets a calf cramp in matches.", "frequent_episodes", None),
    ("一周游三次泳，游泳的时候小腿会抽筋", "frequent_episodes", None),
    ("小腿抽筋 一個禮拜三四晚", "at_night_in_bed", "present"),
]

ONSET_AND_DURATION: list[Case] = [
    ("The toe cramps began ten days ago.", "recent_onset", "present"),
    ("十天前开始大腿抽筋", "recent_onset", "present"),
    ("Calf cramps for about two weeks now.", "recent_onset", "present"),
    ("After a cramp the calf stays sore for a few hours.", "lasts_hours_or_constant", "present"),
    ("Thigh cramps on and off for the past year.", "recent_onset", "absent"),
    ("抽筋一周比一周厉害", "getting_worse", "present"),
]

MEDICINES: list[Case] = [
    ("On Dyazide for my blood pressure.", "takes_diuretic", "present"),
    ("I use Fostair twice a day.", "takes_beta_agonist", "present"),
    ("Taking Zoton for heartburn.", "takes_ppi", "present"),
    ("On furosemid 40 a day.", "takes_diuretic", "present"),
    ("在吃呋噻米", "takes_diuretic", "present"),
    ("在吃达克普隆", "takes_ppi", "present"),
    ("I'm on nothing at all, cramps in my feet.", "takes_statin", "absent"),
    ("佢冇食任何藥", "takes_diuretic", "absent"),
    # any medicine name of the lexicon can be the new medicine, not only the few listed by hand
    ("Started Lyrica last Tuesday and the cramps began two days later.", "new_medicine_before_onset", "present"),
    ("上周二开始吃普瑞巴林，两天后就开始抽筋", "new_medicine_before_onset", "present"),
    ("开了普瑞巴林还没开始吃", "new_medicine_before_onset", None),  # not started: no answer
    ("开了普瑞巴林还没开始吃", "takes_other_cramp_drug", "absent"),
]

CANTONESE: list[Case] = [
    ("我冇發燒，但係條頸好硬", "stiff_neck", "present"),
    ("跑步嗰陣大髀扯筋", "during_exercise", "present"),
    ("我唔飲酒", "heavy_alcohol_use", "absent"),
    ("食咗新藥之後就開始扯筋", "new_medicine_before_onset", "present"),
    ("我老豆大髀冇力", "muscle_weakness", "present"),
    ("細路肚痾咗兩日", "vomiting_diarrhea", "present"),
]

TYPOS: list[Case] = [
    ("cramsp in my calf evry nite", "frequent_episodes", "present"),
    ("thigh cramps after runing", "after_exercise", "present"),
    ("i dont smoke", "smoker", "absent"),
    ("cramsp in my thigh", "site_thigh", "present"),
    ("cramps in my left calve", "site_calf", "present"),
    ("hammy cramped up at the end of the game", "site_thigh", "present"),
]

DANGERS: list[Case] = [
    ("Water makes him gag and panic.", "fear_of_water_or_air", "present"),
    ("Water makes him gag and panic.", "rapid_breathing_anxiety", None),
    ("swollen left calf since the flight", "calf_swelling_one_leg", "present"),
    ("I can't keep water down since last night.", "low_fluid_intake", "present"),
    ("咽东西疼，下巴发紧", "difficulty_swallowing", "present"),
    ("咽东西疼，下巴发紧", "site_jaw_face", None),
    ("Breathing is noisy and hard.", "breathing_difficulty", "present"),
    # saying a function is normal denies the danger
    ("嘴巴张得开，吞咽没问题，喘气正常。", "breathing_difficulty", "absent"),
    ("嘴巴张得开，吞咽没问题，喘气正常。", "difficulty_swallowing", "absent"),
    ("嘴巴张得开，吞咽没问题，喘气正常。", "jaw_stiffness_trismus", "absent"),
    ("Swallowing is fine and my breathing is normal.", "difficulty_swallowing", "absent"),
    ("Swallowing is fine and my breathing is normal.", "breathing_difficulty", "absent"),
    ("呼吸很费劲，有响声", "breathing_difficulty", "present"),
    ("她一只脚又白又凉，另一只是热的", "foot_cold_pale_or_rest_pain", "present"),
    ("嘴只能张开一指宽", "jaw_stiffness_trismus", "present"),
    ("右边小腿比左边粗，还酸痛", "calf_swelling_one_leg", "present"),
]

RECENT_OR_LONG_AGO: list[Case] = [
    ("Had my thyroid out last year.", "recent_long_immobility_or_surgery", None),
    ("去年做了甲状腺切除手术", "recent_long_immobility_or_surgery", None),
    ("Cut my foot on glass two years ago.", "recent_wound", None),
    ("Scraped my knee badly last summer.", "recent_wound", None),
    ("前年被钉子扎过脚", "recent_wound", None),
    ("Had knee surgery 10 days ago.", "recent_long_immobility_or_surgery", "present"),
]

AFFIRM_ONLY: list[Case] = [
    ("The cramps don't wake me.", "at_night_in_bed", None),
    ("The cramps don't wake me.", "disrupts_sleep", "absent"),
    ("抽筋不会把我弄醒", "disrupts_sleep", "absent"),
    ("没有疼醒过，小腿抽筋", "at_night_in_bed", None),
]

ALL = (
    ELLIPSIS + WHOSE + ENDED + HEDGES + NEGATION_AND_CONTRAST + FREQUENCY + ONSET_AND_DURATION + MEDICINES
    + CANTONESE + TYPOS + DANGERS + RECENT_OR_LONG_AGO + AFFIRM_ONLY
)  # fmt: skip


@pytest.mark.parametrize(("text", "finding", "state"), ALL)
def test_unseen_class(text: str, finding: str, state: str | None) -> None:
    check(text, finding, state)


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("F, 44. Cramps in my calf.", 44, "female"),
        ("In my 60s, male, cramps in my thigh.", None, "male"),
        ("我爷爷八十八了，小腿晚上抽筋", 88, "male"),
        ("我姐姐怀孕了，她也抽筋。我45岁，男，大腿抽筋", 45, "male"),
        ("我替我妈问一下。她今年68岁，小腿抽筋。我自己在吃奥美拉唑，她没吃。", 68, "female"),
        ("我爸八十多了，腿抽筋", None, "male"),  # a decade is no age
        ("45岁女，小腿抽筋", 45, "female"),
        ("Mum's 70 and I'm worried. The cramps wake her.", 70, "female"),
        ("Grandpa is 88, cramps in his calves.", 88, "male"),
        ("cramps in my left calve", None, None),
    ],
)
def test_age_and_sex(text: str, age: int | None, sex: str | None) -> None:
    result = parse(text)
    assert (result.age, result.sex) == (age, sex)


def test_speller_common_slips() -> None:
    sp = Speller(["cramps", "furosemide", "running", "ruining", "numbness"], respell={"evry": "every"})
    assert sp.correct("cramsp") == "cramps"  # the last two letters swapped
    assert sp.correct("furosemid") == "furosemide"  # the final letter dropped from a long word
    assert sp.correct("numbnes") == "numbness"
    assert sp.correct("runing") == "running"  # the doubled letter wins the tie with "ruining"
    assert sp.correct("evry") == "every"  # texting spelling from the table
    assert sp.correct("walked") == "walked"  # an ordinary word is left alone


def test_lexicon_loader_refuses_a_key_written_twice() -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.load("findings:\n  fever:\n    neg: [a]\n    neg: [b]\n", Loader=_UniqueKeyLoader)  # noqa: S506
    assert yaml.load("a: [1]\nb: [2]\n", Loader=_UniqueKeyLoader) == {"a": [1], "b": [2]}  # noqa: S506
