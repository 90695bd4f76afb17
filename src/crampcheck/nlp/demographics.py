"""Age and sex of the person the text is about (the writer, or the relative they describe), en and zh."""

from __future__ import annotations

import re

_FEMALE_REL_EN = (
    "mum|mom|mother|mummy|wife|daughter|grandma|grandmother|granny|nan|nana|sister|girlfriend|aunt|girl"
)
_MALE_REL_EN = "dad|father|daddy|husband|son|grandad|granddad|grandpa|grandfather|brother|boyfriend|uncle|boy"
_NEUTRAL_REL_EN = (
    "friend|partner|child|kid|teen|teenager|toddler|baby|neighbour|neighbor|patient|colleague|flatmate"
)
_UNITS_EN = (
    r"weeks?|wks?|days?|months?|hours?|hrs?|minutes?|mins?|times?|%|kg|kgs|lbs?|km|miles?|mg|cm|degrees?|"
    r"pints?|units?|years? (?:ago|of|since)|am|pm|o'?clock|th|st|nd|rd"
)

_EN_AGE = [
    re.compile(r"\b(\d{1,3})\s*(?:-|\s)?\s*(?:years?|yrs?|yr|y)\s*(?:-|\s)?\s*olds?\b", re.I),
    re.compile(r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.)(?!\w)", re.I),
    re.compile(
        r"\b(?:i am|i'm|im|i’m|he's|she's|he is|she is|aged|age:?|at age)\s+(?:an?\s+)?(\d{1,3})\b(?!\s*(?:-|\s)?(?:"
        + _UNITS_EN
        + r")\b)",
        re.I,
    ),
    re.compile(
        r"\b(?:my|our)\s+(?:\w+\s+)?(?:"
        + "|".join([_FEMALE_REL_EN, _MALE_REL_EN, _NEUTRAL_REL_EN])
        + r")(?:\s*,|\s+is|\s+who\s+is|\s*\(|\s+aged)\s*(\d{1,3})\b(?!\s*(?:"
        + _UNITS_EN
        + r")\b)",
        re.I,
    ),
    re.compile(  # "Mum's 70", "Grandpa is 88" at the start of a sentence, without "my"
        r"(?:^|[.!?]\s+)(?:"
        + "|".join([_FEMALE_REL_EN, _MALE_REL_EN])
        + r")(?:'s|\s+is|\s*,)\s*(\d{1,3})\b(?!\s*(?:"
        + _UNITS_EN
        + r")\b)",
        re.I,
    ),
    re.compile(r"\b(\d{1,3})\s*(?:m|f)\b(?!\s*(?:" + _UNITS_EN + r"))", re.I),
    re.compile(r"\b(?:male|female|man|woman|guy|lady)\s*,\s*(\d{1,3})\b", re.I),
    re.compile(r"^[^.!?\n\d]{0,60},\s*(\d{1,3})\s*[.,;](?!\d)", re.I),
]

_EN_SELF_SEX = re.compile(
    r"\b(?:i am|i'm|im|as)\s+(?:a|an)\s+(?:\d{1,3}\s*(?:-|\s)?(?:years?|yrs?)\s*(?:-|\s)?old\s+|[a-z]+\s+){0,2}?"
    r"(man|woman|male|female|guy|lady|girl|boy|mother|mum|mom|father|dad|grandmother|grandfather|wife|husband)\b",
    re.I,
)
_EN_AGE_SEX = re.compile(
    r"\b\d{1,3}\s*(?:(?:-|\s)?(?:years?|yrs?)\s*(?:-|\s)?old|yo|y/o|y\.o\.)\s+(man|woman|male|female|guy|lady|boy|girl)\b",
    re.I,
)
_EN_LIST_SEX = re.compile(
    r"\b(?:i'm|i am|im)\s+\d{1,3}\s*(?:,|and)\s*(?:an?\s+)?(male|female|man|woman|guy|lady|boy|girl)\b", re.I
)
# the writer speaks of their own body or compares themself with the relative: the text is about the writer
_EN_SELF_STRONG = re.compile(
    r"\b(?:myself|my (?:calf|calves|legs?|feet|foot|toes|hands?|fingers|thighs?|arms?|muscles|jaw)|i (?:get|have|take)|"
    r"i'm on|too)\b",
    re.I,
)
_EN_REL_BARE = re.compile(
    r"^\s*(?:(?:hi|hello|hey)\W+)?("
    + "|".join([r"mum|mom|grandma|granny|nan|nana", r"dad|grandpa|grandad"])
    + r")\b",
    re.I,
)
_EN_BARE_SEX = re.compile(r"(?:^|[.,;:(]\s*)(male|female|m|f)\s*(?=[,.;:)]|\s+\d|\s*$)", re.I)
_EN_CODE_SEX = re.compile(r"\b\d{1,3}\s*(m|f)\b(?!\s*(?:" + _UNITS_EN + r"))", re.I)
_EN_FEMALE_ONLY = re.compile(r"\b(?:pregnant|pregnancy|my period|periods|menopaus\w*|postpartum)\b", re.I)
_EN_REL = re.compile(
    r"\b(?:my|our)\s+(?:\d{1,3}\s*(?:-|\s)?(?:years?|yrs?)\s*(?:-|\s)?old\s+)?(?:little\s+|elderly\s+|old\s+|teenage\s+)?("
    + "|".join(
        [_FEMALE_REL_EN, _MALE_REL_EN, _NEUTRAL_REL_EN, r"\d{1,3}\s*(?:-|\s)?(?:years?|yrs?)\s*(?:-|\s)?old"]
    )
    + r")\b",
    re.I,
)
_EN_HE = re.compile(r"\b(?:he|him|his|he's|he'd|himself)\b", re.I)
_EN_SHE = re.compile(r"\b(?:she|her|hers|she's|she'd|herself)\b", re.I)

_ZH_NUM = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_FEMALE_REL = (
    "妈妈|我妈|母亲|老妈|老婆|妻子|媳妇|爱人|女儿|闺女|奶奶|外婆|姥姥|婆婆|姐姐|妹妹|女朋友|阿姨|老太太|女孩|姑娘|"
    "阿妈|阿嫲|嫲嫲|家婆|老母|妈"
)
_ZH_MALE_REL = (
    "爸爸|我爸|父亲|老爸|老公|丈夫|儿子|爷爷|外公|姥爷|公公|哥哥|弟弟|男朋友|叔叔|老头|老爷子|男孩|小伙子|"
    "阿爸|老豆|阿爷|爸"
)
_ZH_NEUTRAL_REL = "孩子|小孩|朋友|同事|邻居|病人|宝宝|老人"
_ZH_AGE = re.compile(
    r"([0-9０-９]{1,3}|[一二三四五六七八九十两百]{1,4})\s*(?:周岁|岁)(?!时|的时候|起|开始|那年|以前|之前|以后|左右时)"
)
_ZH_AGE2 = re.compile(r"(?:今年|年龄|年纪)\s*[:：]?\s*([0-9０-９]{1,3}|[一二三四五六七八九十两百]{1,4})")
_ZH_SELF_SEX = re.compile(
    r"(?:我是|本人|患者|性别)\s*[:：]?\s*(男|女)|(男性|女性|男士|女士)|(?:^|[，,。\s])(男|女)\s*[，,、\s]?\s*(?:\d{1,3}|[一二三四五六七八九十两百]{1,4})\s*岁"
    r"|岁\s*[，,、\s]?\s*(男|女)(?:性|的)?\s*(?:[，,。、\s]|$)|我是[^，,。]{0,8}?(女生|男生|女孩|男孩|女士|先生)"
)
_ZH_FEMALE_ONLY = re.compile(r"怀孕|孕期|孕\d|孕妇|月经|例假|绝经|更年期|产后|坐月子|哺乳")
_ZH_REL = re.compile(
    "("
    + "|".join([_ZH_FEMALE_REL, _ZH_MALE_REL, _ZH_NEUTRAL_REL])
    + r")(?:今年|已经|现在)?(?:都|也)?\s*(?:([0-9０-９]{1,3}|[一二三四五六七八九十两百]{1,4})\s*岁|"
    r"([0-9０-９]{2,3}|[一二三四五六七八九]?十[一二三四五六七八九]?|一百[零一二三四五六七八九十]*)\s*了)"
)
_ZH_REL_START = re.compile(
    r"^\s*(?:[^，,。]{0,4}?(?:替|帮|幫|为))?\s*(?:我(?:的|家)?)?("
    + "|".join([_ZH_FEMALE_REL, _ZH_MALE_REL, _ZH_NEUTRAL_REL])
    + ")"
)
_ZH_SELF_STRONG = re.compile(
    r"我自己|我本人|(?:和|跟)我一样|我(?:今年)?\s*(?:[0-9０-９]{1,3}|[一二三四五六七八九十两百]{1,4})\s*岁|我是(?:男|女)"
)


def _zh_number(s: str) -> int | None:
    s = s.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in _ZH_NUM:
            cur = _ZH_NUM[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


def _valid(age: int | None) -> int | None:
    return age if age is not None and 0 <= age <= 120 else None


def _rel_sex_en(word: str) -> str | None:
    w = word.lower()
    if re.fullmatch(_FEMALE_REL_EN, w):
        return "female"
    if re.fullmatch(_MALE_REL_EN, w):
        return "male"
    return None


def extract_en(text: str) -> tuple[int | None, str | None]:
    """Age and sex from English text."""
    age: int | None = None
    for rx in _EN_AGE:
        m = rx.search(text)
        if m and _valid(int(m.group(1))) is not None:
            age = int(m.group(1))
            break
    sex: str | None = None
    rel = _EN_REL.search(text) or _EN_REL_BARE.search(text)
    third_party = bool(rel and (rel.start() < 40 or re.search(r"\d", text[rel.end() : rel.end() + 8])))
    if (
        third_party
        and rel
        and _EN_SELF_STRONG.search(text)
        and not re.search(r"\d", text[rel.end() : rel.end() + 8])
    ):
        third_party = False  # "my sister has cramps too", "my uncle had it. My muscles give out"
    if third_party and rel:
        sex = _rel_sex_en(rel.group(1))
        if sex is None:
            he, she = len(_EN_HE.findall(text)), len(_EN_SHE.findall(text))
            sex = "male" if he > she else "female" if she > he else None
        return age, sex
    m = _EN_SELF_SEX.search(text) or _EN_AGE_SEX.search(text) or _EN_LIST_SEX.search(text)
    if m:
        w = m.group(1).lower()
        sex = "male" if w in {"man", "male", "guy", "boy", "father", "dad", "grandfather", "husband"} else "female"
    elif (c := _EN_CODE_SEX.search(text) or _EN_BARE_SEX.search(text)) is not None:
        sex = "male" if c.group(1).lower() in ("m", "male") else "female"
    elif _EN_FEMALE_ONLY.search(text):
        sex = "female"
    elif (pm := re.match(r"\s*(he|she|his|her)\b", text, re.I)) is not None:  # someone else, named by a pronoun
        sex = "male" if pm.group(1).lower() in ("he", "his") else "female"
    return age, sex


def extract_zh(text: str) -> tuple[int | None, str | None]:
    """Age and sex from Chinese text."""
    age: int | None = None
    sex: str | None = None
    rel = _ZH_REL.search(text)
    rel_start = _ZH_REL_START.search(text)
    for rx in (_ZH_AGE, _ZH_AGE2):
        m = rx.search(text)
        if m:
            age = _valid(_zh_number(m.group(1)))
            if age is not None:
                break
    word = rel.group(1) if rel else rel_start.group(1) if rel_start else None
    thirds = sum(text.count(p) for p in "他她佢")
    if word is not None and _ZH_SELF_STRONG.search(text) and not rel and thirds < 2:
        word = None  # "我姐姐有肌营养不良，我自己腿也常抽筋": the writer is described
    if word is not None:
        if re.fullmatch(_ZH_FEMALE_REL, word):
            sex = "female"
        elif re.fullmatch(_ZH_MALE_REL, word):
            sex = "male"
        else:
            he, she = text.count("他"), text.count("她")
            sex = "male" if he > she else "female" if she > he else None
        if rel:
            age = _valid(_zh_number(rel.group(2) or rel.group(3))) or age
        return age, sex
    m = _ZH_SELF_SEX.search(text)
    if m:
        w = next(g for g in m.groups() if g)
        sex = "male" if w.startswith("男") else "female"
    elif _ZH_FEMALE_ONLY.search(text):
        sex = "female"
    elif re.match(r"\s*(他|她)", text):  # the text is about someone else, named by a pronoun
        sex = "male" if text.strip()[0] == "他" else "female"
    return age, sex
