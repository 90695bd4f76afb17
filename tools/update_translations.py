"""Extract interface strings with Babel and merge them into locale/zh/LC_MESSAGES/crampcheck.po.

    python tools/update_translations.py        # re-extract; keeps existing translations, lists missing ones

Besides Babel's default keywords (``_``, ``gettext``, ...), ``N_`` marks messages translated later: the
templates of crampcheck errors (:mod:`crampcheck.errors`), shown with ``error.localized(_)``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "src/crampcheck/locale/zh/LC_MESSAGES/crampcheck.po"


def main() -> None:
    pot = ROOT / "build" / "messages.pot"
    pot.parent.mkdir(exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "N_",
            "-o",
            str(pot),
            "--no-location",
            str(ROOT / "src/crampcheck"),
        ],
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        template = read_po(fh)
    old: dict[str, str] = {}
    if PO.exists():
        with PO.open("rb") as fh:
            old = {str(m.id): str(m.string) for m in read_po(fh, locale="zh") if m.id}
    cat = Catalog(locale="zh", project="crampcheck")
    missing = []
    for m in template:
        if not m.id:
            continue
        s = old.get(str(m.id), "")
        if not s:
            missing.append(str(m.id))
        cat.add(m.id, s)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as fh:
        write_po(fh, cat, omit_header=False, sort_output=True)
    print(f"{len(cat)} messages, {len(missing)} without a translation")
    for x in missing:
        print("  missing:", x)


if __name__ == "__main__":
    main()
