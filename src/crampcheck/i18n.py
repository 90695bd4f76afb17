"""Interface strings in every language, gettext-style: ``_ = translator(lang)``; ``_("Yes")``.

Messages are extracted from the code with Babel (``pybabel extract -F babel.cfg -o messages.pot src``) into
``locale/<lang>/LC_MESSAGES/crampcheck.po``; the catalogue is read with Babel's PO reader when first needed,
so no compiled file has to be built or committed. Knowledge-base texts are translated in the data files, not
here. The language defaults to the locale (LANG / LC_ALL / LC_MESSAGES starting with "zh" -> Chinese).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

LANGS = ("en", "zh")
LOCALE_DIR = Path(__file__).parent / "locale"


def default_lang() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        v = os.environ.get(var, "")
        if v:
            return "zh" if v.lower().startswith("zh") else "en"
    return "en"


@functools.lru_cache(maxsize=4)
def catalog(lang: str) -> dict[str, str]:
    """msgid -> msgstr of one language (empty for English, the source language)."""
    if lang == "en":
        return {}
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / lang / "LC_MESSAGES" / "crampcheck.po"
    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in cat if m.id and m.string}


def translator(lang: str) -> Callable[[str], str]:
    table = catalog(lang)

    def _(msg: str) -> str:
        return table.get(msg, msg)

    return _
