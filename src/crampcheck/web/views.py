"""The web pages: start (free text, body site, age, sex), one question per screen with back and change,
and the results page with a printable summary for the doctor.

Views only parse forms and render: every assessment goes through the core façade (``Assessor.assess``), and
what an answer means (ticked, unticked, "none of these", "don't know") is decided by the core
(:mod:`crampcheck.interview.answers`), as in the terminal. After a free-text start the person sees "what I
understood" (each finding yes / no / maybe) and can correct it; later checklists leave out what is already
answered, so a typed answer is never overwritten by a box left unticked. The interview state travels in hidden
form fields (see :mod:`crampcheck.web.state`).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from crampcheck.api.routes_common import AssessorDep, lang_from_header
from crampcheck.assess import Assessor
from crampcheck.errors import CrampcheckError
from crampcheck.interview.answers import Response, policy_for
from crampcheck.schema import Answer, Assessment, Question, percent
from crampcheck.web.state import STATES, InterviewState, StateError
from crampcheck.web.texts import page_texts

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


templates.env.filters["pct"] = percent

MAX_TEXT = 5000
SITE_GROUP = "site"


def _lang(value: str | None, request: Request) -> str:
    if value in ("en", "zh"):
        return value
    return lang_from_header(request.headers.get("accept-language")) or "en"


def _page(request: Request, name: str, lang: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    t = page_texts(lang)
    a: Assessor = request.app.state.assessor
    return templates.TemplateResponse(
        request,
        name,
        {
            "t": t,
            "lang": lang,
            "html_lang": "zh-Hans" if lang == "zh" else "en",
            "other_lang": "zh" if lang == "en" else "en",
            "disclaimer": a.kb.disclaimer.get(lang),
            "render_id": secrets.token_hex(6),
            **ctx,
        },
        status_code=status,
    )


def _start_page(
    request: Request,
    a: Assessor,
    lang: str,
    errors: list[str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    site = a.question_model(SITE_GROUP, lang)
    return _page(request, "start.html", lang, status=status, site=site, errors=errors or [], v=values or {})


@router.get("/", response_class=HTMLResponse)
def start(request: Request, a: AssessorDep, lang: Annotated[str | None, Query()] = None) -> HTMLResponse:
    return _start_page(request, a, _lang(lang, request))


@router.post("/start", response_class=HTMLResponse)
def begin(
    request: Request,
    a: AssessorDep,
    lang: Annotated[str | None, Form()] = None,
    age: Annotated[str, Form()] = "",
    sex: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    site: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    lg = _lang(lang, request)
    t = page_texts(lg)
    notes: list[str] = []
    parsed = None
    if len(text) > MAX_TEXT:
        return _start_page(request, a, lg, [t["err_text"]], {"age": age, "sex": sex, "text": text[:MAX_TEXT]}, 422)
    if text.strip():
        try:
            from crampcheck.nlp import parse

            parsed = parse(text, None)
        except (ImportError, CrampcheckError) as e:
            log.warning("free text not understood: %s", e)
            notes.append(t["text_not_understood"])
    if not age.strip() and parsed is not None and parsed.age is not None:
        age = str(parsed.age)
    if not sex and parsed is not None and parsed.sex is not None:
        sex = parsed.sex
    errors = []
    try:
        st = InterviewState.from_form(lg, age, sex, [], [])
    except StateError as e:
        errors.append(t["err_sex"] if str(e) == "sex" else t["err_age"])
        if str(e) == "age" and sex not in ("female", "male"):
            errors.append(t["err_sex"])
        return _start_page(request, a, lg, errors, {"age": age, "sex": sex, "text": text, "site": site or []}, 422)
    if parsed is not None:
        seen: dict[str, str] = {}
        for m in parsed.findings:
            if m.id in a.kb.findings and not (m.id == "pregnant" and st.sex == "male"):
                seen[m.id] = "unknown" if m.state == "uncertain" else m.state
        st.answers += [Answer(finding=f, state=s, source="text") for f, s in seen.items()]  # type: ignore[arg-type]
    ticked = {s for s in (site or []) if s in a.kb.findings}
    if ticked:
        _answer(a, st, SITE_GROUP, Response.of(ticked))
    # a danger in the person's own words is not delayed: an emergency from the description alone shows at once
    # (its answers are listed on the result, where they can still be changed)
    if any(x.source == "text" for x in st.answers) and a.assess(st.request()).triage.level != "emergency":
        return _understood_page(request, a, st, text, notes)
    return _advance(request, a, st, notes=notes)


def _answer(a: Assessor, st: InterviewState, qid: str, response: Response) -> None:
    """Record the answer to question ``qid`` with the meaning the core gives it (a re-answer replaces the last)."""
    spec = a.selector.spec(qid)
    if qid in st.asked:
        st.drop(qid, list(spec.findings))
    st.apply(qid, policy_for(a.kb, a.selector).meaning(spec, response, st.answer_map(), st.age))


def _understood_rows(a: Assessor, st: InterviewState, text: str, lang: str) -> list[dict[str, str]]:
    """One row per finding understood from the description: its words, what was understood, the current answer."""
    words: dict[str, str] = {}
    understood: dict[str, str] = {}
    if text.strip():
        try:
            from crampcheck.nlp import parse

            for m in parse(text, None).findings:
                words.setdefault(m.id, m.text)
                understood.setdefault(m.id, "unknown" if m.state == "uncertain" else m.state)
        except (ImportError, CrampcheckError):
            pass
    rows: list[dict[str, str]] = []
    for x in st.answers:
        if x.source in ("text", "correction") and x.finding in a.kb.findings:
            rows.append(
                {
                    "finding": x.finding,
                    "label": a.kb.findings[x.finding].plain.get(lang),
                    "state": x.state,
                    "words": words.get(x.finding, ""),
                }
            )
    return rows


def _understood_page(
    request: Request, a: Assessor, st: InterviewState, text: str, notes: list[str] | None = None
) -> HTMLResponse:
    rows = _understood_rows(a, st, text, st.lang)
    return _page(request, "understood.html", st.lang, st=st, rows=rows, text=text[:MAX_TEXT], notes=notes or [])


async def _form(request: Request) -> FormData:
    return await request.form()


@router.post("/interview", response_class=HTMLResponse)
def interview(
    request: Request,
    a: AssessorDep,
    form: Annotated[FormData, Depends(_form)],
    lang: Annotated[str | None, Form()] = None,
    age: Annotated[str, Form()] = "",
    sex: Annotated[str, Form()] = "",
    a_: Annotated[list[str] | None, Form(alias="a")] = None,
    asked: Annotated[list[str] | None, Form()] = None,
    q: Annotated[str, Form()] = "",
    view: Annotated[str, Form()] = "",
    tick: Annotated[list[str] | None, Form()] = None,
    pre: Annotated[list[str] | None, Form()] = None,
    text: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
) -> HTMLResponse:
    lg = _lang(lang, request)
    try:
        st = InterviewState.from_form(lg, age, sex, a_ or [], asked or [])
        if q and not a.selector.known(q):
            raise StateError("q")
    except StateError:
        return _start_page(request, a, lg, [page_texts(lg)["err_state"]], status=400)
    findings_of = {qid: list(spec.findings) for qid, spec in a.selector.questions.items()}
    for shown_id in [*st.asked, q]:  # checklists shown cut to some of their options
        if shown_id and shown_id not in findings_of and a.selector.known(shown_id):
            findings_of[shown_id] = list(a.selector.spec(shown_id).findings)
    if view == "understood":
        # the "what I understood" step: each finding's yes / no / maybe as the person left it
        try:
            for key, value in form.multi_items():
                if key.startswith("u_") and key[2:] in a.kb.findings and isinstance(value, str):
                    if value not in STATES:
                        raise StateError("u")
                    st.correct(key[2:], value)
        except StateError:
            return _start_page(request, a, lg, [page_texts(lg)["err_state"]], status=400)
        if action.startswith("lang:"):
            st.lang = _lang(action[5:], request)
            return _understood_page(request, a, st, text)
        st.forget_unsure()  # "maybe": asked in its own question, as the terminal does with what it is unsure of
        return _advance(request, a, st)
    if action.startswith("lang:"):
        st.lang = _lang(action[5:], request)
        if view == "result" or not q:
            return _advance(request, a, st, force_result=True)
        return _advance(request, a, st, ask=q)
    if action == "back":
        if not st.asked:
            return _start_page(request, a, lg, values={"age": st.age, "sex": st.sex})
        last = st.asked[-1]
        prefill = st.drop(last, findings_of.get(last, []))
        return _advance(request, a, st, ask=last, prefill=prefill)
    if action.startswith("change:"):
        target = action[7:]
        prefill = st.rewind_to(target, findings_of)
        if a.selector.known(target):
            return _advance(request, a, st, ask=target, prefill=prefill)
        return _advance(request, a, st)
    if action == "finish":
        return _advance(request, a, st, force_result=True)
    if q and action in ("yes", "no", "unknown", "answer", "none"):
        fs = set(findings_of[q])
        ticked = {f for f in (tick or []) if f in fs}
        if action == "unknown":
            response = Response.of(unknown=True)
        elif action == "yes":
            response = Response.of(fs)
        elif action == "no":
            response = Response.of(none=True)
        elif action == "none":  # "none of these"; with boxes ticked, "none of the others"
            response = Response.of(ticked, none=True)
        else:  # boxes shown ticked (already "yes") and left unticked are an explicit "no"
            response = Response.of(ticked, unticked={f for f in (pre or []) if f in fs} - ticked)
        try:
            _answer(a, st, q, response)
        except CrampcheckError:  # a single question answered with "Continue" and nothing chosen: ask again
            return _advance(request, a, st, ask=q)
    return _advance(request, a, st)


def _answer_rows(a: Assessor, st: InterviewState, lang: str) -> list[dict[str, Any]]:
    """For the 'your answers' list: one row per question asked with the answers it gave, and first what the
    free text said (with corrections) and still stands."""
    latest = {x.finding: (k, x) for k, x in enumerate(st.answers)}
    rows: list[dict[str, Any]] = []
    for qid in st.asked:
        qm = a.question_model(qid, lang)
        fs = set(qm.findings)
        items = []
        for o in qm.options:
            k, x = latest.get(o.finding, (-1, None))
            given_by = st.by[k] if 0 <= k < len(st.by) else ""
            if (
                x is not None
                and x.source == "question"
                and (given_by == qid or (not given_by and o.finding in fs))
            ):
                items.append((o.label, x.state))
        rows.append({"qid": qid, "text": qm.text, "items": items})
    text_items = [
        (a.kb.findings[x.finding].plain.get(lang), x.state)
        for _, x in latest.values()
        if x.source in ("text", "correction") and x.finding in a.kb.findings
    ]
    if text_items:
        rows.insert(0, {"qid": None, "text": page_texts(lang)["from_text"], "items": text_items})
    return rows


def _advance(
    request: Request,
    a: Assessor,
    st: InterviewState,
    *,
    ask: str | None = None,
    prefill: dict[str, str] | None = None,
    force_result: bool = False,
    notes: list[str] | None = None,
) -> HTMLResponse:
    lang = st.lang
    try:
        result = a.assess(st.request())
    except CrampcheckError as e:
        log.warning("assessment refused: %s", e)
        return _start_page(request, a, lang, [page_texts(lang)["err_state"]], status=400)
    rows = _answer_rows(a, st, lang)
    common: dict[str, Any] = {"st": st, "result": result, "rows": rows, "notes": notes or []}
    question: Question | None = a.question_model(ask, lang) if ask else result.next_question
    # at an emergency the result shows at once, unless an answer that decides it is to be confirmed first
    emergency = result.triage.level == "emergency" and not (question is not None and question.kind == "confirm")
    if force_result or question is None or (ask is None and (result.should_stop or emergency)):
        return _result_page(request, a, st, result, common)
    # only what the question asks (never a finding already answered, unless it is a confirmation); what is
    # already known is listed above the boxes, and a confirmation shows the current "yes" answers ticked
    answers = st.answer_map()
    shown = a.selector.spec(question.id).asks(answers)
    states = {x.finding: x.state for x in st.answers}
    known = [
        (o.label, states[o.finding]) for o in question.options if o.finding in states and o.finding not in shown
    ]
    ticked = {f for f in shown if (prefill or {}).get(f) == "present" or answers.get(f) is True}
    return _page(
        request,
        "question.html",
        lang,
        question=question,
        prefill=prefill or {},
        shown=shown,
        known=known,
        ticked=ticked,
        pre=sorted(f for f in shown if answers.get(f) is True),
        **common,
    )


def _result_page(
    request: Request, a: Assessor, st: InterviewState, result: Assessment, common: dict[str, Any]
) -> HTMLResponse:
    lang = st.lang
    kinds = ["now", "prevent", "see", "avoid"]
    advice = {k: [x for x in result.advice if x.kind == k] for k in kinds}
    return _page(
        request,
        "result.html",
        lang,
        advice_by_kind=advice,
        kinds=kinds,
        today=dt.date.today().isoformat(),
        **common,
    )
