"""The parser's front door: validate and normalise the text, pick the language, run the pipelines."""

from __future__ import annotations

import re

from crampcheck.errors import N_, InputError
from crampcheck.nlp.context import merge
from crampcheck.nlp.demographics import extract_en, extract_zh
from crampcheck.nlp.lexicon import fold_zh
from crampcheck.nlp.models import Mention, ParseResult
from crampcheck.nlp.pipeline import get_pipeline

MAX_CHARS = 100_000

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# Every replacement keeps the length, so offsets into the normalised text are offsets into the input.
_CONTROL = {i: " " for i in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)) if chr(i) not in "\n"}
_CONTROL.update({ord("\t"): " ", ord("\r"): "\n", 0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"'})
_CONTROL.update({0x2028: "\n", 0x2029: "\n", 0x00A0: " ", 0x3000: " "})
_HYPHEN = re.compile(r"(?<=\w)[-\u2010\u2011\u2012\u2013](?=\w)")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LANG_ALIASES = {
    "en": "en", "eng": "en", "english": "en", "en-gb": "en", "en-us": "en",
    "zh": "zh", "cn": "zh", "chinese": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh_cn": "zh", "zh-sg": "zh",
}  # fmt: skip


def normalise(text: str) -> str:
    """Same-length clean-up: control characters, curly quotes, word-internal hyphens, lone surrogates."""
    text = _SURROGATE.sub(" ", text.translate(_CONTROL))
    return _HYPHEN.sub(" ", text)


def detect_lang(text: str) -> str:
    """ "zh" when Chinese characters carry the text (one character is about one word), else "en"."""
    cjk = len(_CJK.findall(text))
    if cjk == 0:
        return "en"
    return "zh" if cjk * 4 >= len(_LATIN.findall(text)) else "en"


def _check_lang(lang: str | None) -> str | None:
    if lang is None or lang.strip().lower() in ("", "auto"):
        return None
    code = _LANG_ALIASES.get(lang.strip().lower())
    if code is None:
        raise InputError(
            N_("unsupported language '{lang}': use 'en' (English), 'zh' (Simplified Chinese) or omit it"),
            lang=lang,
        )
    return code


def parse(text: str, lang: str | None = None) -> ParseResult:
    """Understand a free-text description of cramps: findings with states and spans, age and sex.

    ``lang`` is "en", "zh" or None (detected).  Raises :class:`InputError` for a text that is not a
    string or is longer than ``MAX_CHARS``; any other text gives a (possibly empty) result.
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a string, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise InputError(
            N_(
                "text is {length:,} characters long; the parser reads at most {limit:,}. "
                "Describe the cramps in a shorter text."
            ),
            length=len(text),
            limit=MAX_CHARS,
        )
    code = _check_lang(lang)
    norm = normalise(text)
    primary = code or detect_lang(norm)
    if not norm.strip():
        return ParseResult(lang=primary)  # type: ignore[arg-type]
    langs = [primary]
    if code is None:  # mixed text: also read the other language's words
        if primary == "en" and len(_CJK.findall(norm)) >= 2:
            langs.append("zh")
        elif primary == "zh" and _LATIN_WORD.search(norm):
            langs.append("en")
    raw: list[tuple[Mention, int]] = []
    for lg in langs:
        raw.extend(get_pipeline(lg).findings(norm))
    findings = [m.model_copy(update={"text": text[m.start : m.end]}) for m in merge(raw)]
    age, sex = extract_zh(fold_zh(norm)) if primary == "zh" else extract_en(norm)
    if age is None and sex is None and len(langs) > 1:
        age, sex = extract_en(norm) if primary == "zh" else extract_zh(fold_zh(norm))
    if sex is None and any(m.id == "pregnant" and m.state == "present" for m in findings):
        sex = "female"
    return ParseResult(lang=primary, age=age, sex=sex, findings=findings)  # type: ignore[arg-type]
