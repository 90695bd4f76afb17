"""Regenerate ``t2s.txt`` (traditional -> simplified, one character each) from OpenCC's TSCharacters.txt.

OpenCC (Apache-2.0) ships ``dictionary/TSCharacters.txt``: a traditional character, a tab, then one or
more simplified candidates.  Only one-character-to-one-character mappings are kept (first candidate),
so folding keeps every offset; the parser then works on simplified text without a runtime dependency.

    pip download --no-deps -d /tmp/occ opencc-python-reimplemented
    unzip -o /tmp/occ/*.whl 'opencc/dictionary/TSCharacters.txt' -d /tmp/occ
    python src/crampcheck/nlp/lexicons/make_t2s.py /tmp/occ/opencc/dictionary/TSCharacters.txt
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(source: str) -> None:
    pairs: list[str] = []
    for line in Path(source).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or len(parts[0]) != 1:
            continue
        simple = parts[1].split()[0]
        if len(simple) == 1 and simple != parts[0]:
            pairs.append(parts[0] + simple)
    out = Path(__file__).with_name("t2s.txt")
    header = (
        "# traditional->simplified character pairs from OpenCC TSCharacters.txt (Apache-2.0); see make_t2s.py\n"
    )
    out.write_text(header + "\n".join(pairs) + "\n", encoding="utf-8")
    print(f"{len(pairs)} pairs -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
