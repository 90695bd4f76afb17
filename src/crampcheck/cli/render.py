"""Rich rendering of an assessment in the terminal: triage banner first, then causes with bars and "why",
then advice with evidence grades and numbered sources, then the caution that this is not a diagnosis, and at
the end the level and next step again (the banner has scrolled out of sight by then) with how to keep the result.

Texts from the knowledge base and the person are shown as they are (``Text``), never read as Rich markup, and
never cut: table cells fold.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from crampcheck.cli.output import FoldTable
from crampcheck.i18n import translator
from crampcheck.schema import Assessment, RankedCondition, percent

LEVEL_STYLE = {"self_care": "green", "doctor": "yellow", "urgent": "dark_orange", "emergency": "bold white on red"}
GRADE_STYLE = {"strong": "green", "moderate": "cyan", "weak": "yellow", "none": "red", "contradicted": "red"}


def bar(p: float, width: int = 20) -> str:
    full = int(round(p * width))
    return "█" * full + "░" * (width - full)


def why_text(c: RankedCondition, _: Callable[[str], str]) -> Text:
    """The "why" of one cause, as the web page gives it: the same supporting and conflicting evidence (the
    assessment's ``raised_by`` / ``lowered_by``: the person's own answers, absent findings in their own negative
    wording), under the same headings. Plain text, never Rich markup (a finding's words are not markup)."""
    out = Text()
    if c.raised_by:
        out.append(_("What fits this cause:"), style="bold")
        for x in c.raised_by:
            out.append("\n+ ", style="green")
            out.append(x.text)
    if c.lowered_by:
        if out:
            out.append("\n")
        out.append(_("What does not fit:"), style="bold")
        for x in c.lowered_by:
            out.append("\n− ", style="red")
            out.append(x.text)
    if not out:
        out.append(_("None of your answers points to or away from this cause; it is common in people like you."))
    return out


def render(console: Console, a: Assessment, saved_to: Path | None = None, rerun: str | None = None) -> None:
    """Print the assessment; ``saved_to`` is where its JSON was written (``assess --out``), if it was, and
    ``rerun`` the command that gives the same result again into a file (``... --out result.json``)."""
    _ = translator(a.lang)
    tri = a.triage
    names = {c.id: f"{c.name} ({percent(c.probability)})" for c in a.conditions}
    lines = []
    for r in tri.reasons[:5]:
        lines.append(f"• {r.text}")
        if r.conditions:
            lines.append("  " + _("Possible cause behind it:") + " " + ", ".join(names[c] for c in r.conditions))
        if r.outside_model:
            lines.append("  " + _("A cause outside what this tool covers:") + " " + r.outside_model)
    reasons = "\n".join(lines)
    banner = Text(_("Triage") + f": {tri.label}\n", style="bold")
    banner.append(tri.message + ("\n\n" + reasons if reasons else ""))
    console.print(Panel(banner, style=LEVEL_STYLE.get(tri.level, ""), title=_("What to do")))

    t = FoldTable(title=_("Possible causes (not a diagnosis)"), show_lines=False, expand=True)
    t.add_column(_("Cause"), ratio=3)
    t.add_column(_("Probability"), ratio=2)
    t.add_column(_("Why"), ratio=5)
    for c in a.conditions:
        t.add_row(Text(c.name), Text(f"{bar(c.probability, 12)} {percent(c.probability)}"), why_text(c, _))
    if a.none_fits_well:
        console.print(
            Text(
                _(
                    "None of these causes fits your answers well: the cause may be one this tool does not cover. "
                    "If the cramps go on or worry you, see a doctor."
                )
                + f" ({percent(a.none_of_the_above)})",
                style="bold",
            )
        )
    console.print(t)
    console.print(
        Text(
            _("Probabilities are estimates from your answers; several causes can be present at once."), style="dim"
        )
    )

    adv = FoldTable(title=_("Advice"), show_lines=True, expand=True)
    adv.add_column(_("What"), ratio=6)
    adv.add_column(_("Evidence"), ratio=3)
    adv.add_column(_("Sources"), ratio=3)
    grades = {
        "strong": _("strong evidence"),
        "moderate": _("moderate evidence"),
        "weak": _("weak evidence"),
        "none": _("no evidence"),
        "contradicted": _("evidence against"),
    }
    kinds = {"see": _("When to get help"), "now": _("Now"), "prevent": _("Prevent"), "avoid": _("Does not help")}
    numbers: dict[str, int] = {}  # each source once, numbered in order of first use: cited in full below
    citations: list[str] = []
    for item in a.advice:
        grade = Text(grades[item.evidence], style=GRADE_STYLE.get(item.evidence, ""))
        grade.append("\n" + item.evidence_note, style="dim")
        refs = []
        for src in item.sources[:2]:
            if src.id not in numbers:
                numbers[src.id] = len(citations) + 1
                citations.append(src.citation)
            refs.append(f"[{numbers[src.id]}]")
        adv.add_row(Group(Text(kinds[item.kind], style="bold"), Text(item.text)), grade, Text(" ".join(refs)))
    console.print(adv)
    if citations:
        console.print(Text(_("Sources"), style="bold"))
        for k, citation in enumerate(citations, 1):
            console.print(Text(f"[{k}] {citation}", style="dim"))
    console.print(Panel(Text(a.disclaimer), style="dim"))
    console.print(Text(_("Knowledge base version") + f": {a.kb_version}", style="dim"))
    render_summary(console, a, saved_to, rerun)


def render_summary(
    console: Console, a: Assessment, saved_to: Path | None = None, rerun: str | None = None
) -> None:
    """The level and the next step once more, last, where the eye is when the output ends; then how to put the
    result into the diary's report for a doctor."""
    _ = translator(a.lang)
    tri = a.triage
    text = Text(_("Triage") + f": {tri.label}\n", style="bold")
    text.append(tri.message)
    console.print(Panel(text, style=LEVEL_STYLE.get(tri.level, ""), title=_("In short")))
    if saved_to is not None:
        hint = _("Saved to {path}. To put it in the report for your doctor:").format(path=saved_to)
        commands = [f"crampcheck diary save-assessment {saved_to}"]
    else:
        hint = _("To put this result in the report for your doctor, save it to a file and then into the diary:")
        commands = [rerun or "crampcheck assess --out result.json", "crampcheck diary save-assessment result.json"]
    console.print(Text(hint))
    for command in commands:
        console.print(Text("  " + command, style="bold"), soft_wrap=True)  # a command is never broken
