"""Free-text understanding in English and Simplified Chinese: text -> findings (present / absent /
uncertain, with spans), age and sex.

    >>> from crampcheck.nlp import parse
    >>> parse("I'm a 67-year-old man, calves cramp every night, no swelling").states()["site_calf"]
    'present'

Lexicons and context cues are data (``lexicons/en.yaml``, ``lexicons/zh.yaml``); the pipelines are built
once per process (:func:`crampcheck.nlp.pipeline.get_pipeline`).
"""

from crampcheck.nlp.models import Mention, ParseResult
from crampcheck.nlp.parse import MAX_CHARS, detect_lang, parse
from crampcheck.nlp.pipeline import warm_up

__all__ = ["MAX_CHARS", "Mention", "ParseResult", "detect_lang", "parse", "warm_up"]
