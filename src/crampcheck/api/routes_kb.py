"""Read-only knowledge-base routes: conditions, findings, advice and questions, each with its sources
and the knowledge-base version, in the asked language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from crampcheck.api.models import (
    AdviceList,
    ConditionDetail,
    ConditionList,
    ConditionOne,
    ConditionPublic,
    FindingList,
    FindingPublic,
    QuestionOne,
)
from crampcheck.api.problems import T_NOT_FOUND, ProblemError
from crampcheck.api.routes_common import AssessorDep, LangDep
from crampcheck.assess import Assessor
from crampcheck.errors import UnknownIdError
from crampcheck.schema import AdviceItem, Source

router = APIRouter(prefix="/v1", tags=["knowledge"])

IdPath = Path(max_length=1000, description="an id of the knowledge base")


def _not_found(kind: str, value: str, known: list[str]) -> ProblemError:
    return ProblemError(404, str(UnknownIdError(kind, value, known)), T_NOT_FOUND)


def _sources(a: Assessor, ids: list[str]) -> list[Source]:
    out = []
    for s in ids:
        ref = a.kb.references.get(s)
        if ref is not None:
            out.append(Source(id=s, citation=ref.citation, url=ref.url, pmid=ref.pmid, doi=ref.doi))
    return out


@router.get("/conditions", response_model=ConditionList, summary="Every modelled cause of cramps")
def list_conditions(a: AssessorDep, lang: LangDep) -> ConditionList:
    items = [
        ConditionPublic(
            id=c.id,
            name=c.name.get(lang),
            summary=c.summary.get(lang),
            icd10=c.icd10,
            default_level=c.triage.default,
        )
        for c in a.kb.conditions.values()
    ]
    return ConditionList(kb_version=a.kb.version, lang=lang, conditions=items)


@router.get("/conditions/{condition_id}", response_model=ConditionOne, summary="One cause, with its sources")
def get_condition(condition_id: Annotated[str, IdPath], a: AssessorDep, lang: LangDep) -> ConditionOne:
    c = a.kb.conditions.get(condition_id)
    if c is None:
        raise _not_found("condition", condition_id, list(a.kb.conditions))
    detail = ConditionDetail(
        id=c.id,
        name=c.name.get(lang),
        summary=c.summary.get(lang),
        icd10=c.icd10,
        default_level=c.triage.default,
        description=c.description.get(lang),
        doctor_checks=c.doctor_checks.get(lang),
        warning_signs=c.warning_signs.get(lang),
        sources=_sources(a, c.references),
        findings=list(c.links),
    )
    return ConditionOne(kb_version=a.kb.version, lang=lang, condition=detail)


@router.get("/findings", response_model=FindingList, summary="Every finding (symptom or fact) the model knows")
def list_findings(a: AssessorDep, lang: LangDep) -> FindingList:
    items = [
        FindingPublic(
            id=f.id, group=f.group, question=f.question.get(lang), label=f.label.get(lang), plain=f.plain.get(lang)
        )
        for f in a.kb.findings.values()
    ]
    return FindingList(kb_version=a.kb.version, lang=lang, findings=items)


@router.get("/advice", response_model=AdviceList, summary="Every advice item, graded, with sources")
def list_advice(a: AssessorDep, lang: LangDep) -> AdviceList:
    items = [
        AdviceItem(
            id=x.id,
            kind=x.kind,
            text=x.text.get(lang),
            evidence=x.evidence,
            evidence_note=x.evidence_note.get(lang),
            sources=_sources(a, x.sources),
            for_conditions=list(x.conditions),
            article_claim=x.article_claim,
        )
        for x in a.kb.advice.values()
    ]
    return AdviceList(kb_version=a.kb.version, lang=lang, advice=items)


@router.get("/questions/{question_id}", response_model=QuestionOne, summary="One interview question")
def get_question(question_id: Annotated[str, IdPath], a: AssessorDep, lang: LangDep) -> QuestionOne:
    if not a.selector.known(question_id):
        raise _not_found("question", question_id, list(a.selector.questions))
    return QuestionOne(kb_version=a.kb.version, lang=lang, question=a.question_model(question_id, lang))
