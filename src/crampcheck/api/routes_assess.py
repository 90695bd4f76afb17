"""Inference routes: ``POST /v1/assess`` (the stateless interview step) and ``POST /v1/parse`` (free text
to evidence).

``/v1/assess`` is ``async def``: it is pure CPU work of about a millisecond that the GIL would serialise
anyway, and running it on the event loop saves the thread-pool hand-off (about 10% more requests per second
and a lower p99 in ``benchmarks/bench_api.py``). ``/v1/parse`` stays a plain ``def`` in the thread pool: the
first parse of a language loads its lexicon."""

from __future__ import annotations

import difflib
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from crampcheck.api.models import MentionPublic, ParseRequest, ParseResponse
from crampcheck.api.problems import FieldError, ProblemError
from crampcheck.api.routes_common import AssessorDep, LangCode, get_assessor, get_lang
from crampcheck.assess import Assessor
from crampcheck.errors import HINT_MAX_LEN, CrampcheckError, InputError, closest_id
from crampcheck.schema import Answer, Assessment, AssessRequest

router = APIRouter(prefix="/v1", tags=["assessment"])


HINTED_IDS = 5  # "did you mean" for the first few unknown ids only: one request cannot buy seconds of CPU
SHOWN_ID_LEN = 80


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_ID_LEN else value[:SHOWN_ID_LEN] + "…"


def _hint(value: str, known: list[str]) -> str:
    """ "; did you mean 'site_calf'?" for 'calf_pian': the closest id by spelling, else by a shared word.
    Bounded: no hint for a value longer than any id could plausibly be misspelt (HINT_MAX_LEN)."""
    if len(value) > HINT_MAX_LEN:
        return ""
    suggestion = closest_id(value, known)
    close = [suggestion] if suggestion else []
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

    def hint(value: str, known: list[str]) -> str:
        return _hint(value, known) if len(errors) < HINTED_IDS else ""

    for k, ans in enumerate(req.answers):
        if ans.finding not in a.kb.findings:
            errors.append(
                FieldError(
                    field=f"answers[{k}].finding",
                    message=f"unknown finding '{_shown(ans.finding)}'{hint(ans.finding, findings)}",
                )
            )
    questions = list(a.selector.questions)
    for k, q in enumerate(req.asked):
        if not a.selector.known(q):
            errors.append(
                FieldError(field=f"asked[{k}]", message=f"unknown question '{_shown(q)}'{hint(q, questions)}")
            )
    return errors


def _invalid_body(body: bytes, err: ValidationError) -> RequestValidationError:
    """The pydantic errors of a request body in FastAPI's form (locations under "body"; a JSON syntax error
    with its character position, as FastAPI reports it), for the shared problem+json handler."""
    errs = err.errors(include_url=False)
    if any(e["type"] == "json_invalid" for e in errs):
        try:
            json.loads(body)
        except json.JSONDecodeError as je:
            pos, msg = je.pos, je.msg
        except UnicodeDecodeError as ue:
            pos, msg = ue.start, "the body is not UTF-8 text"
        except RecursionError:
            pos, msg = 0, "the JSON is nested too deeply"
        except ValueError as ve:  # e.g. an integer of more than 4300 digits
            pos, msg = 0, str(ve).split(";")[0]
        else:  # pragma: no cover - pydantic and json disagree on the syntax
            pos, msg = 0, str(errs[0].get("msg", "not valid JSON"))
        return RequestValidationError(
            [{"type": "json_invalid", "loc": ("body", pos), "msg": "JSON decode error", "ctx": {"error": msg}}]
        )
    return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errs])


ASSESS_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AssessRequest"}}},
    }
}


@router.post(
    "/assess",
    response_model=Assessment,
    summary="Assess: ranked causes, triage, advice and the next question",
    description=(
        "Stateless: send age, sex and every answer so far, with the ids of the questions already asked "
        "(`asked`). The response holds `next_question` (null when `should_stop` is true). The language is "
        "the body's `lang`, else the `lang` query parameter, else `Accept-Language`. Information, not a "
        "diagnosis.\n\n"
        "Answers are explicit states, one per finding (`present`, `absent`, `unknown`); a later answer about a "
        "finding replaces an earlier one. When a person answers a checklist (`kind: multiple`), send what they "
        "said, as the web pages and the terminal do: a ticked box is `present`; 'none of these' is `absent` for "
        "every option shown ('none of the others' when boxes are ticked); 'don't know' is `unknown` for every "
        "option not answered before. A box merely left unticked is `absent` only for an option whose home "
        "question this is and which is not a warning sign; leave a warning sign out (unanswered): the interview "
        "then offers it again in the checklist's follow-up (`<group>_more`). Show only the options of "
        "`next_question` not answered yet, and never send `absent` for a finding the person stated from a box "
        "they did not tick. (crampcheck.interview.answers defines this once for every interface.)"
    ),
    openapi_extra=ASSESS_BODY,
)
async def assess(
    request: Request,
    lang: Annotated[
        LangCode | None, Query(description="language of the texts: en or zh (default: from Accept-Language)")
    ] = None,
) -> Response:
    # The body (an AssessRequest, documented through ASSESS_BODY) is validated here straight from the bytes
    # by pydantic-core, and the route needs no dependency injection: together about a quarter more requests
    # per second than FastAPI's parse-then-validate path (benchmarks/bench_api.py).
    body = await request.body()
    try:
        req = AssessRequest.model_validate_json(body)
    except ValidationError as e:
        raise _invalid_body(body, e) from None
    a = get_assessor(request)
    if "lang" not in req.model_fields_set:
        req = req.model_copy(update={"lang": get_lang(request, lang)})
    errors = check_ids(a, req)
    if errors:
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        raise ProblemError(422, detail, "urn:crampcheck:problem:unknown-id", errors, title="Unknown id")
    # The core returns a validated Assessment: serialise it once here instead of letting FastAPI validate
    # and serialise it a second time through response_model.
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
