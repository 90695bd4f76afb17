"""The terminal interview: one question at a time (yes / no / don't know, go back, quit), then the result.

Free text, when given, is parsed first; the person sees what was understood and can correct it before the
questions continue. Each question lists only what is not yet answered, and what an answer means (ticked,
unticked, none, don't know) is decided by the core (crampcheck.interview.answers), as in the web pages. The
state is the same plain answer list the API uses.

What is typed is read as a Chinese input method types it too: full-width digits, commas and question marks are
folded to their ASCII forms (NFKC) and "、" or "；" separate numbers, and "没有", "无", "none" mean none of them.
Everything shown, prompts included, is plain text, never Rich markup: "[y]" and "[f/m]" are printed as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from rich.console import Console
from rich.text import Text

from crampcheck.assess import Assessor
from crampcheck.cli.output import FoldTable
from crampcheck.i18n import translator
from crampcheck.interview.answers import Response, policy_for
from crampcheck.interview.select import CONFIRM
from crampcheck.schema import MAX_AGE, MIN_AGE, Answer, Assessment, AssessRequest

YES = {"y", "yes", "是", "有", "对"}
NO = {"n", "no", "none", "nothing", "否", "没有", "没", "无", "不", "都没有", "都不是"}
UNKNOWN = {"?", "d", "dk", "don't know", "不知道", "不清楚"}
BACK = {"b", "back", "返回"}
QUIT = {"q", "quit", "exit", "退出"}
_SEPARATORS = re.compile(r"[\s,，、;；]+")  # option numbers may be separated as a Chinese input method types them
Before = tuple[bool, bool | None, str | None]  # (was answered, the answer, its source) before a question


def _ask(console: Console, prompt: str) -> str:
    """One line typed in answer to ``prompt`` (shown as it is), folded to a plain form: "１，３" -> "1,3"."""
    try:
        raw = console.input(Text(prompt))
    except EOFError:
        return "q"
    return unicodedata.normalize("NFKC", raw).strip().lower().rstrip("。.")


def _warn(console: Console, message: str) -> None:
    console.print(Text(message, style="red"))


def _numbers(raw: str) -> list[str]:
    """The items of a typed list: "1 3", "1,3", "1，3", "1、3" -> ["1", "3"]."""
    return _SEPARATORS.sub(" ", raw).split()


def _ask_age(console: Console, _: Callable[[str], str]) -> int | None:
    while True:
        raw = _ask(console, _("Your age in years") + f" ({MIN_AGE}-{MAX_AGE}): ")
        if raw in QUIT:
            return None
        if raw.isdigit() and MIN_AGE <= int(raw) <= MAX_AGE:
            return int(raw)
        _warn(console, _("Please type a whole number of years from 1 to 110."))


def _ask_sex(console: Console, _: Callable[[str], str]) -> str | None:
    while True:
        raw = _ask(console, _("Sex") + " [f/m]: ")
        if raw in QUIT:
            return None
        if raw in ("f", "female", "女", "woman"):
            return "female"
        if raw in ("m", "male", "男", "man"):
            return "male"
        _warn(console, _("Please type f (female) or m (male)."))


def run_interview(
    a: Assessor,
    console: Console,
    lang: str,
    text: str | None = None,
    age: int | None = None,
    sex: str | None = None,
) -> Assessment | None:
    _ = translator(lang)
    console.print(
        Text.assemble(
            ("crampcheck", "bold"),
            " — " + _("information, not a diagnosis. In an emergency call your local emergency number."),
        )
    )
    answers: dict[str, bool | None] = {}
    sources: dict[str, str] = {}
    if text:
        try:
            from crampcheck.nlp import parse
        except ImportError:  # pragma: no cover
            parse = None  # type: ignore[assignment]
        if parse is not None:
            r = parse(text)
            age = age or r.age
            sex = sex or r.sex
            understood = [m for m in r.findings if m.state in ("present", "absent")]
            if understood:
                t = FoldTable(title=_("What I understood"))
                t.add_column("#")
                t.add_column(_("Finding"))
                t.add_column(_("Answer"))
                t.add_column(_("From your words"))
                for k, m in enumerate(understood, 1):
                    fd = a.kb.findings[m.id]
                    t.add_row(
                        str(k),
                        Text(fd.plain.get(lang)),
                        _("yes") if m.state == "present" else _("no"),
                        Text(m.text),
                    )
                console.print(t)
                wrong = _ask_wrong_lines(console, _, len(understood))
                if wrong is None:
                    return None
                for k, m in enumerate(understood, 1):
                    if k in wrong:
                        answers[m.id] = m.state != "present"  # flip what was misunderstood
                        sources[m.id] = "correction"
                    else:
                        answers[m.id] = m.state == "present"
                        sources[m.id] = "text"
    if age is None or not MIN_AGE <= age <= MAX_AGE:
        age = _ask_age(console, _)
        if age is None:
            return None
    if sex not in ("female", "male"):
        sex = _ask_sex(console, _)
        if sex is None:
            return None
    asked: list[str] = []
    history: list[tuple[str, dict[str, Before]]] = []
    policy = policy_for(a.kb, a.selector)
    stopped = False
    while True:
        own = {f for f in answers if sources.get(f, "question") != "question"}
        st = a.step(age, sex, answers, asked, own=own)
        q = st.choice.question
        if q is None or st.choice.should_stop:
            break
        if st.triage.level == "emergency" and q.kind != CONFIRM:
            break  # the banner at once; only an implausible answer that decides it is asked again first
        qm = a.question_model(q.id, lang)
        console.rule(_("Question") + f" {len(asked) + 1}")
        console.print(Text(qm.text, style="bold"))
        spec = a.selector.spec(q.id)
        shown = spec.asks(answers)  # what is already answered (typed or earlier) is not asked again
        response: Response
        if qm.kind != "multiple":  # a yes/no question, or a confirmation of one answer
            raw = _ask(
                console,
                "[y] "
                + _("yes")
                + "  [n] "
                + _("no")
                + "  [?] "
                + _("don't know")
                + "  [b] "
                + _("back")
                + "  [q] "
                + _("quit")
                + ": ",
            )
            if raw in QUIT:
                stopped = True
                break
            if raw in BACK:
                _go_back(history, answers, sources, asked)
                continue
            if raw in YES:
                response = Response.of(shown)
            elif raw in NO:
                response = Response.of(none=True)
            elif raw in UNKNOWN:
                response = Response.of(unknown=True)
            else:
                _warn(console, _("Please answer y, n, ? (don't know), b (back) or q (quit)."))
                continue
        else:
            numbers = {k: o.finding for k, o in enumerate(qm.options, 1) if o.finding in shown}
            for k in numbers:
                console.print(Text(f"  [{k}] {qm.options[k - 1].label}"))
            console.print(Text(f"  [0] {a.kb.groups[a.selector.followup_of.get(q.home, q.home)].none.get(lang)}"))
            raw = _ask(
                console,
                _(
                    "Type the numbers that apply (e.g. 1 3; add 0 if none of the others applies), 0 for none, "
                    "? if unsure, b to go back, q to quit: "
                ),
            )
            if raw in QUIT:
                stopped = True
                break
            if raw in BACK:
                _go_back(history, answers, sources, asked)
                continue
            picks = _numbers(raw)
            if raw in UNKNOWN:
                response = Response.of(unknown=True)
            elif raw in NO or picks == ["0"]:
                response = Response.of(none=True)
            elif picks and all(p.isdigit() and (int(p) in numbers or p == "0") for p in picks):
                # "1 3" ticks 1 and 3; "1 3 0" also says that none of the others applies
                response = Response.of((numbers[int(p)] for p in picks if p != "0"), none="0" in picks)
            else:
                _warn(console, _("Please type option numbers from the list."))
                continue
        vals = policy.meaning(spec, response, answers, age)
        history.append((q.id, {f: (f in answers, answers.get(f), sources.get(f)) for f in vals}))
        answers.update(vals)
        for f in vals:
            sources[f] = "question"
        asked.append(q.id)
    if stopped:
        console.print(Text(_("You stopped before the end: this is what your answers so far show."), style="bold"))
    state = {True: "present", False: "absent", None: "unknown"}
    req = AssessRequest(
        age=age,
        sex=sex,  # type: ignore[arg-type]
        lang=lang,  # type: ignore[arg-type]
        answers=[Answer(finding=f, state=state[v], source=sources.get(f, "question")) for f, v in answers.items()],  # type: ignore[arg-type]
        asked=asked,
    )
    return a.assess(req)


def _ask_wrong_lines(console: Console, _: Callable[[str], str], lines: int) -> set[int] | None:
    """The numbers of the lines of "What I understood" that are wrong (none: Enter or "没有"); None to quit."""
    while True:
        raw = _ask(console, _("Press Enter if this is right, or type the numbers of lines that are wrong: "))
        if raw in QUIT:
            return None
        if not raw or raw in NO or raw in YES:
            return set()
        picks = _numbers(raw)
        if all(p.isdigit() and 1 <= int(p) <= lines for p in picks):
            return {int(p) for p in picks}
        _warn(console, _("Please type line numbers from 1 to {last}, or press Enter.").format(last=lines))


def _go_back(
    history: list[tuple[str, dict[str, Before]]],
    answers: dict[str, bool | None],
    sources: dict[str, str],
    asked: list[str],
) -> None:
    """Undo the last question: its answers go back to what they were before it (unanswered, or typed)."""
    if not history:
        return
    qid, before = history.pop()
    for f, (had, value, source) in before.items():
        if had:
            answers[f] = value
            if source is not None:
                sources[f] = source
        else:
            answers.pop(f, None)
            sources.pop(f, None)
    if qid in asked:
        asked.remove(qid)
