"""The web pages: start (free text, body site, age, sex), one question per screen with back and change,
and the results page with a printable summary for the doctor.

Views only parse forms and render: every assessment goes through the core façade (``Assessor.assess``), and
what an answer means (ticked, unticked, "none of these", "don't know") is decided by the core
(:mod:`crampcheck.interview.answers`), as in the terminal. After a free-text start the person sees "what I
understood" (each finding yes / no / maybe) and can correct it; later checklists leave out what is already
answered, so a typed answer is never overwritten by a box left unticked.

Post/redirect/get: a form posts the page's signed state (``s``, see :mod:`crampcheck.web.state`) with the
answer; the server answers 303 with the URL of the next page, ``/interview?lang=..&s=..`` (a question),
``/interview/understood?..`` or ``/results?..``. Every page is a GET of its own URL, so reloading it, the
browser's Back (one question back) and a shared link all show the same page, with JavaScript or without.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.responses import Response as HttpResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from crampcheck.api.guard import signing_key
from crampcheck.api.routes_common import AssessorDep, lang_from_header
from crampcheck.assess import Assessor
from crampcheck.errors import CrampcheckError
from crampcheck.interview.answers import Response, policy_for
from crampcheck.schema import Answer, Assessment, Question, percent
from crampcheck.web.services import country_for
from crampcheck.web.state import STATES, InterviewState, Page, StateError, seal, unseal
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
    resp = templates.TemplateResponse(
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
    if request.method == "GET" and status == 200:
        # htmx shows the address of the page it swapped in (after a redirect too): reload and Back find it again
        resp.headers["HX-Push-Url"] = str(request.url.path) + (
            f"?{request.url.query}" if request.url.query else ""
        )
    elif status != 200:
        resp.headers["HX-Push-Url"] = "false"
    resp.headers.setdefault("Cache-Control", "no-store")  # health answers: not kept in shared caches
    return resp


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


@router.get("/start", include_in_schema=False)
@router.get("/interview/", include_in_schema=False)
def start_again(request: Request, lang: Annotated[str | None, Query()] = None) -> RedirectResponse:
    """A reload of an address that only takes a form: the start page, never a 405."""
    return RedirectResponse(f"/?lang={_lang(lang, request)}", status_code=303)


def _key() -> bytes:
    return signing_key()


def _go(st: InterviewState, view: str = "interview", **extra: Any) -> RedirectResponse:
    """303 to the page ``view`` of this state (post/redirect/get)."""
    token = seal(Page(state=st, **extra), _key())
    path = {"interview": "/interview", "understood": "/interview/understood", "results": "/results"}[view]
    return RedirectResponse(f"{path}?lang={st.lang}&s={token}", status_code=303)


def _refused(request: Request, a: Assessor, lang: str) -> HTMLResponse:
    return _start_page(request, a, lang, [page_texts(lang)["err_state"]], status=400)


@router.post("/start", response_class=HTMLResponse)
def begin(
    request: Request,
    a: AssessorDep,
    lang: Annotated[str | None, Form()] = None,
    age: Annotated[str, Form()] = "",
    sex: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    site: Annotated[list[str] | None, Form()] = None,
) -> HttpResponse:
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
            notes.append("nlp_unavailable")
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
    words: dict[str, str] = {}
    if parsed is not None:
        seen: dict[str, str] = {}
        for m in parsed.findings:
            if m.id in a.kb.findings and not (m.id == "pregnant" and st.sex == "male"):
                seen[m.id] = "unknown" if m.state == "uncertain" else m.state
                words.setdefault(m.id, m.text)
        st.answers += [Answer(finding=f, state=s, source="text") for f, s in seen.items()]  # type: ignore[arg-type]
        if not seen:
            notes.append("nothing_understood")  # "asdf": say so, and go on with the questions
    ticked = {s for s in (site or []) if s in a.kb.findings}
    if ticked:
        _answer(a, st, SITE_GROUP, Response.of(ticked))
    # a danger in the person's own words is not delayed: an emergency from the description alone shows at once
    # (its answers are listed on the result, where they can still be changed)
    if any(x.source == "text" for x in st.answers) and a.assess(st.request()).triage.level != "emergency":
        return _go(st, "understood", words={f: w for f, w in words.items() if f in seen}, notes=notes)
    return _go(st, notes=notes)


def _answer(a: Assessor, st: InterviewState, qid: str, response: Response) -> None:
    """Record the answer to question ``qid`` with the meaning the core gives it (a re-answer replaces the last)."""
    spec = a.selector.spec(qid)
    if qid in st.asked:
        st.drop(qid, list(spec.findings))
    st.apply(qid, policy_for(a.kb, a.selector).meaning(spec, response, st.answer_map(), st.age))


def _understood_rows(a: Assessor, st: InterviewState, words: dict[str, str], lang: str) -> list[dict[str, str]]:
    """One row per finding understood from the description: its words, what was understood, the current answer."""
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


def _open(request: Request, a: Assessor, lang: str | None, s: str) -> Page | HTMLResponse:
    lg = _lang(lang, request)
    try:
        pg = unseal(s, lg, _key())
        if pg.ask and not a.selector.known(pg.ask):
            raise StateError("k")
        if any(x.finding not in a.kb.findings for x in pg.state.answers):
            raise StateError("a")
    except StateError:
        return _refused(request, a, lg)
    return pg


def _notes(pg: Page, lang: str) -> list[str]:
    t = page_texts(lang)
    return [t[f"note_{n}"] for n in pg.notes if f"note_{n}" in t]


@router.get("/interview/understood", response_class=HTMLResponse)
def understood_page(
    request: Request,
    a: AssessorDep,
    s: Annotated[str, Query(max_length=8000)] = "",
    lang: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    pg = _open(request, a, lang, s)
    if isinstance(pg, HTMLResponse):
        return pg
    st = pg.state
    rows = _understood_rows(a, st, pg.words, st.lang)
    return _page(request, "understood.html", st.lang, st=st, s=s, rows=rows, notes=_notes(pg, st.lang))


@router.get("/interview", response_class=HTMLResponse)
def question_page(
    request: Request,
    a: AssessorDep,
    s: Annotated[str, Query(max_length=8000)] = "",
    lang: Annotated[str | None, Query()] = None,
) -> HttpResponse:
    if not s:
        return start_again(request, lang)
    pg = _open(request, a, lang, s)
    if isinstance(pg, HTMLResponse):
        return pg
    return _advance(request, a, pg.state, s, ask=pg.ask, prefill=pg.prefill, notes=_notes(pg, pg.state.lang))


@router.get("/results", response_class=HTMLResponse)
def results_page(
    request: Request,
    a: AssessorDep,
    s: Annotated[str, Query(max_length=8000)] = "",
    lang: Annotated[str | None, Query()] = None,
) -> HttpResponse:
    if not s:
        return start_again(request, lang)
    pg = _open(request, a, lang, s)
    if isinstance(pg, HTMLResponse):
        return pg
    return _advance(request, a, pg.state, s, force_result=True, notes=_notes(pg, pg.state.lang))


async def _form(request: Request) -> FormData:
    return await request.form()


@router.post("/interview", response_class=HTMLResponse)
def interview(
    request: Request,
    a: AssessorDep,
    form: Annotated[FormData, Depends(_form)],
    lang: Annotated[str | None, Form()] = None,
    s: Annotated[str, Form(max_length=8000)] = "",
    q: Annotated[str, Form()] = "",
    view: Annotated[str, Form()] = "",
    tick: Annotated[list[str] | None, Form()] = None,
    pre: Annotated[list[str] | None, Form()] = None,
    action: Annotated[str, Form()] = "",
) -> HttpResponse:
    pg = _open(request, a, lang, s)
    if isinstance(pg, HTMLResponse):
        return pg
    st = pg.state
    lg = st.lang
    if q and not a.selector.known(q):
        return _refused(request, a, lg)
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
            return _refused(request, a, lg)
        if action.startswith("lang:"):
            st.lang = _lang(action[5:], request)
            return _go(st, "understood", words=pg.words)
        st.forget_unsure()  # "maybe": asked in its own question, as the terminal does with what it is unsure of
        return _go(st)
    if action.startswith("lang:"):
        st.lang = _lang(action[5:], request)
        if view == "result" or not q:
            return _go(st, "results")
        return _go(st, ask=q, prefill=pg.prefill)
    if action == "back":
        if not st.asked:
            return RedirectResponse(f"/?lang={lg}", status_code=303)
        last = st.asked[-1]
        prefill = {**pg.prefill, **st.drop(last, findings_of.get(last, []))}
        return _go(st, ask=last, prefill=prefill)
    if action.startswith("change:"):
        # the questions after it are asked again (what is relevant may change), each with the earlier answer
        # already chosen: they travel with the state as ``prefill`` until answered (the page says so)
        target = action[7:]
        later = st.asked[st.asked.index(target) + 1 :] if target in st.asked else []
        before = {x.finding: x.state for k, x in enumerate(st.answers) if k < len(st.by) and st.by[k] in later}
        prefill = {**pg.prefill, **before, **st.rewind_to(target, findings_of)}
        if a.selector.known(target):
            return _go(st, ask=target, prefill=prefill)
        return _go(st, prefill=prefill)
    if action == "finish":
        return _go(st, "results")
    if action == "more":
        return _go(st)
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
            return _go(st, ask=q, prefill=pg.prefill)
        # earlier answers still to be shown again (after "Change"): those of this question are done
        return _go(st, prefill={f: v for f, v in pg.prefill.items() if f not in fs})
    return _go(st, prefill=pg.prefill)


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
    s: str,
    *,
    ask: str | None = None,
    prefill: dict[str, str] | None = None,
    force_result: bool = False,
    notes: list[str] | None = None,
) -> HttpResponse:
    """The page of this state: its question, or the results (a question URL whose interview is over is sent
    on to the results URL, so that the address says what it shows)."""
    lang = st.lang
    try:
        result = a.assess(st.request())
    except CrampcheckError as e:
        log.warning("assessment refused: %s", e)
        return _refused(request, a, lang)
    rows = _answer_rows(a, st, lang)
    common: dict[str, Any] = {"st": st, "s": s, "result": result, "rows": rows, "notes": notes or []}
    question: Question | None = a.question_model(ask, lang) if ask else result.next_question
    # at an emergency the result shows at once, unless an answer that decides it is to be confirmed first
    emergency = result.triage.level == "emergency" and not (question is not None and question.kind == "confirm")
    if force_result:
        return _result_page(request, a, st, result, common)
    if question is None or (ask is None and (result.should_stop or emergency)):
        return RedirectResponse(f"/results?lang={lang}&s={s}", status_code=303)
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


SHOWN_CAUSES = 3  # causes shown open on the results page; the others are folded
TOP_CAUSES = 3  # likely causes whose first (most important) advice item is shown open
LIKELY_FOR_ADVICE = 0.05


def top_advice(a: Assessor, result: Assessment) -> list[str]:
    """The advice shown open: the item of the triage level (except at an emergency, where the banner and its
    call button say it), the items written for something the person said yes to (``requires_any``: their
    medicine), and the most important item of each of the likely causes. Everything else is
    folded. The order of ``result.advice`` is the core's (most important first)."""
    top: list[str] = []
    level = result.triage.level
    for x in result.advice:
        spec = a.kb.advice.get(x.id)
        if spec is not None and spec.levels and level != "emergency":
            top.append(x.id)
    # an item written for something the person said yes to (a water tablet, a statin) is about them: open,
    # whatever the probability of the cause it is filed under
    said_yes = {f for f, v in {x.finding: x.state for x in result.answers}.items() if v == "present"}
    for x in result.advice:
        spec = a.kb.advice.get(x.id)
        if spec is not None and set(spec.requires_any) & said_yes and x.id not in top:
            top.append(x.id)
    by_id = {x.id: x for x in result.advice}
    for c in result.conditions[:TOP_CAUSES]:
        if c.probability < LIKELY_FOR_ADVICE or any(by_id[t].for_conditions[:1] == [c.id] for t in top):
            continue  # unlikely, or an item mainly about it is open already
        # its first item mainly about it (the cause it names first), else its first item not shown yet: an item
        # shared by several causes (stretching) is shown once, and the next cause gets its own (the medicines)
        own = (x.id for x in result.advice if x.for_conditions[:1] == [c.id] and x.id not in top)
        shared = (x.id for x in result.advice if c.id in x.for_conditions and x.id not in top)
        first = next(own, None) or next(shared, None)
        if first is not None:
            top.append(first)
    if not top:  # no cause-specific advice: the most important item of all
        top = [x.id for x in result.advice[:1]]
    return top


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
        top_ids=top_advice(a, result),
        shown_causes=SHOWN_CAUSES,
        country=country_for(request.headers.get("accept-language"), lang),
        today=dt.date.today().isoformat(),
        **common,
    )


def error_page(request: Request, status: int) -> HTMLResponse:
    """What a browser gets at an address with no page (404) or that takes only a form (405): a page, not JSON."""
    lang = _lang(request.query_params.get("lang"), request)
    t = page_texts(lang)
    title, text = (t["not_found"], t["not_found_text"]) if status == 404 else (t["form_only"], t["form_only_text"])
    return _page(request, "message.html", lang, status=status, title=title, text=text)
