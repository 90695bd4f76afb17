"""Rich rendering of an assessment in the terminal: triage banner first, then causes with bars and "why",
then advice with evidence grades and sources, then the caution that this is not a diagnosis."""

from __future__ import annotations

from collections.abc import Callable

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


def render(console: Console, a: Assessment) -> None:
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
        t.add_row(c.name, f"{bar(c.probability, 12)} {percent(c.probability)}", why_text(c, _))
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
    for item in a.advice:
        grade = Text(grades[item.evidence], style=GRADE_STYLE.get(item.evidence, ""))
        grade.append("\n" + item.evidence_note, style="dim")
        srcs = "\n".join(s.citation[:90] + ("…" if len(s.citation) > 90 else "") for s in item.sources[:2])
        adv.add_row(Group(Text(kinds[item.kind], style="bold"), Text(item.text)), grade, srcs)
    console.print(adv)
    console.print(Panel(a.disclaimer, style="dim"))
    console.print(Text(_("Knowledge base version") + f": {a.kb_version}", style="dim"))
