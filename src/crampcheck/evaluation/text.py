"""Text mode of the evaluation: the narrative is parsed into yes/no answers by the free-text parser.

A narrative the parser refuses (too long, not text) gives no answers rather than stopping the whole run: the
interview then starts from nothing, as it would for a person whose description was not understood.
"""

from __future__ import annotations

from collections.abc import Callable

from crampcheck.errors import CrampcheckError


def text_parser() -> Callable[[str], dict[str, bool]]:
    from crampcheck.nlp import parse

    def run(narrative: str) -> dict[str, bool]:
        try:
            r = parse(narrative)
        except CrampcheckError:
            return {}
        return {m.id: m.state == "present" for m in r.findings if m.state in ("present", "absent")}

    return run
