"""Text mode of the evaluation: the narrative is parsed into yes/no answers by the free-text parser."""

from __future__ import annotations

from collections.abc import Callable


def text_parser() -> Callable[[str], dict[str, bool]]:
    from crampcheck.nlp import parse

    def run(narrative: str) -> dict[str, bool]:
        r = parse(narrative)
        return {m.id: m.state == "present" for m in r.findings if m.state in ("present", "absent")}

    return run
