"""Inference routes: ``POST /v1/assess`` (the stateless interview step) and ``POST /v1/parse`` (free text
to evidence).

``/v1/assess`` is ``async def``: it is pure CPU work of about a millisecond that the GIL would serialise
anyway, and running it on the event loop saves the thread-pool hand-off (about 10% more requests per second
and a lower p99 in ``benchmarks/bench_api.py``). ``/v1/parse`` stays a plain ``def`` in the thread pool: the
first parse of a language loads its lexicon."""

from __future__ import annotations

import difflib

from fastapi import APIRouter, Response

from crampcheck.api.models import MentionPublic, ParseRequest, ParseResponse
from crampcheck.api.problems import FieldError, ProblemError
from crampcheck.api.routes_common import AssessorDep, LangDep
from crampcheck.assess import Assessor
from crampcheck.errors import CrampcheckError, InputError
from crampcheck.schema import Answer, Assessment, AssessRequest

router = APIRouter(prefix="/v1", tags=["assessment"])


def _hint(value: str, known: list[str]) -> str:
    """ "; did you mean 'site_calf'?" for 'calf_pian': the closest id by spelling, else by a shared word."""
    close = difflib.get_close_matches(value, known, n=1)
    if not close:
        words = set(value.lower().split("_"))
        sharing = [k for k in known if words & set(k.split("_"))]
        close = sorted(
            sharing,
            key=lambda k: (
                -len(words & set(k.split("_"))),
                len(k.split("_")),
                -difflib.SequenceMatcher(None, value, k).ratio(),
            ),
        )[:1]
    return f"; did you mean '{close[0]}'?" if close else ""


def check_ids(a: Assessor, req: AssessRequest) -> list[FieldError]:
    """Every unknown finding or question id of a request, each named by its field."""
    errors: list[FieldError] = []
    findings = list(a.kb.findings)
    for k, ans in enumerate(req.answers):
        if ans.finding not in a.kb.findings:
            errors.append(
                FieldError(
                    field=f"answers[{k}].finding",
                    message=f"unknown finding '{ans.finding}'{_hint(ans.finding, findings)}",
                )
            )
    questions = list(a.selector.questions)
    for k, q in enumerate(req.asked):
        if q not in a.selector.questions:
            errors.append(FieldError(field=f"asked[{k}]", message=f"unknown question '{q}'{_hint(q, questions)}"))
    return errors


@router.post(
    "/assess",
    response_model=Assessment,
    summary="Assess: ranked causes, triage, advice and the next question",
    description=(
        "Stateless: send age, sex and every answer so far, with the ids of the questions already asked "
        "(`asked`). The response holds `next_question` (null when `should_stop` is true). The language is "
        "the body's `lang`, else the `lang` query parameter, else `Accept-Language`. Information, not a "
        "diagnosis."
    ),
)
async def assess(req: AssessRequest, a: AssessorDep, lang: LangDep) -> Response:
    if "lang" not in req.model_fields_set:
        req = req.model_copy(update={"lang": lang})
    errors = check_ids(a, req)
    if errors:
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        raise ProblemError(422, detail, "urn:crampcheck:problem:unknown-id", errors, title="Unknown id")
    # The core returns a validated Assessment: serialise it once here instead of letting FastAPI validate
    # and serialise it a second time through response_model (about half of the route's own cost).
    return Response(a.assess(req).model_dump_json(), media_type="application/json")


@router.post(
    "/parse",
    response_model=ParseResponse,
    summary="Understand a free-text description: findings (with spans), age and sex",
    description="English or Simplified Chinese. The `answers` can be sent as they are to `/v1/assess`.",
)
def parse_text(body: ParseRequest, a: AssessorDep) -> ParseResponse:
    try:
        from crampcheck.nlp import parse
    except ImportError:
        raise ProblemError(503, "free-text understanding is not installed on this server") from None
    try:
        res = parse(body.text, body.lang)
    except InputError as e:
        raise ProblemError(
            422,
            f"text: {e}",
            "urn:crampcheck:problem:validation",
            [FieldError(field="text", message=str(e))],
            title="Invalid request",
        ) from None
    except CrampcheckError as e:
        raise ProblemError(503, f"free-text understanding is not available for this text: {e}") from None
    mentions = [
        MentionPublic(finding=m.id, state=m.state, start=m.start, end=m.end, text=m.text)
        for m in res.findings
        if m.id in a.kb.findings
    ]
    states: dict[str, str] = {}
    for m in mentions:
        states[m.finding] = "unknown" if m.state == "uncertain" else m.state
    answers = [Answer(finding=f, state=s, source="text") for f, s in states.items()]  # type: ignore[arg-type]
    if res.sex == "male":
        answers = [x for x in answers if x.finding != "pregnant"]
    return ParseResponse(
        kb_version=a.kb.version, lang=res.lang, age=res.age, sex=res.sex, mentions=mentions, answers=answers
    )
