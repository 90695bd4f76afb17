"""The terminal interview gives answers the meaning the core gives them (crampcheck.interview.answers): typed facts
are kept and not asked again, an unticked danger sign is asked again rather than taken as "no"."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console

from crampcheck.assess import Assessor, default_assessor
from crampcheck.cli.interactive import run_interview


class Scripted(Console):
    """A console whose answers come from a function of what has been printed so far."""

    def __init__(self, reply: Callable[[str, str], str]) -> None:
        super().__init__(file=io.StringIO(), width=160, color_system=None)
        self.reply = reply
        self.turns = 0

    def input(self, prompt: Any = "", *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        self.print(prompt, end="")
        self.turns += 1
        if self.turns > 80:
            return "q"
        out = self.file.getvalue()  # type: ignore[attr-defined]
        answer = self.reply(out, str(prompt))
        self.print(answer)
        return answer

    @property
    def text(self) -> str:
        return self.file.getvalue()  # type: ignore[attr-defined,no-any-return]


@pytest.fixture(scope="module")
def a() -> Assessor:
    return default_assessor()


def number_of(out: str, label: str) -> str:
    """The option number printed before ``label`` in the last list."""
    for line in reversed(out.splitlines()):
        if line.strip().endswith(label) and line.strip().startswith("["):
            return line.strip()[1 : line.strip().index("]")]
    raise AssertionError(f"{label!r} not listed")


def test_typed_facts_are_kept_and_not_asked_again(a: Assessor) -> None:
    def reply(out: str, prompt: str) -> str:
        if "Press Enter" in prompt:
            return ""
        return "0" if "numbers" in prompt else "n"

    con = Scripted(reply)
    res = run_interview(a, con, "en", text="my calves cramp at night", age=60, sex="female")
    assert res is not None
    got = {x.finding: (x.state, x.source) for x in res.answers}
    assert got["site_calf"] == ("present", "text") and got["at_night_in_bed"] == ("present", "text")
    calf = a.kb.findings["site_calf"].label.get("en")
    night = a.kb.findings["at_night_in_bed"].label.get("en")
    after_table = con.text.split("Press Enter", 1)[1]
    assert f"] {calf}" not in after_table and f"] {night}" not in after_table


def test_an_unticked_danger_sign_is_asked_again_not_taken_as_no(a: Assessor) -> None:
    jaw = a.kb.findings["jaw_stiffness_trismus"].label.get("en")
    wound = a.kb.findings["recent_wound"].label.get("en")
    chest = a.kb.findings["chest_pain"].label.get("en")
    seen: list[str] = []

    def reply(out: str, prompt: str) -> str:
        last = out[out.rfind("Question ") :]
        if "You said yes to" in last:
            seen.append("confirm")
            return "y"  # the jaw really is stiff: a confirmation of it is answered yes again
        if "numbers" not in prompt:
            return "n"
        if "any of these right now" in last and "You did not tick" not in last:
            seen.append("danger")
            return number_of(out, jaw) + "，"  # a Chinese comma, as an input method types it
        if "You did not tick" in last and f"] {chest}" in last:
            seen.append("follow-up")
            return "0"
        if f"] {wound}" in last:
            seen.append("wound")
            return number_of(out, wound)
        return "0"

    con = Scripted(reply)
    res = run_interview(a, con, "en", age=45, sex="female")
    assert res is not None
    assert seen[:1] == ["danger"] and "wound" in seen
    got = {x.finding: x.state for x in res.answers}
    assert got["jaw_stiffness_trismus"] == "present" and got["recent_wound"] == "present"
    if "follow-up" in seen:
        assert got["chest_pain"] == "absent"  # said in the follow-up ("0"), not inferred from the first list
    else:  # the emergency was settled first: the unticked danger sign stays unanswered, never "no"
        assert "chest_pain" not in got
    assert res.triage.level == "emergency"
