"""FHIR R4 (R4B) export: a ``collection`` Bundle with the latest assessment as a
QuestionnaireResponse (the answers) and a RiskAssessment (the ranked causes, ICD-10 coded), and
each cramp episode as an Observation (SNOMED CT 55300003 "Cramp", ICD-10 R25.2, body site,
laterality and 0-10 severity).

Built only through ``fhir.resources.R4B`` models, so an export cannot be structurally invalid.
Diary times are local wall-clock times; FHIR requires a zone with a time of day, so the machine's
local offset is attached. :func:`episodes_from_bundle` reads the episodes back (round-trip tests).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.observation import Observation, ObservationComponent
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.riskassessment import RiskAssessment, RiskAssessmentPrediction
from sqlalchemy.orm import Session

from crampcheck.diary import bounds, service
from crampcheck.diary.schemas import EpisodeCreate, EpisodePublic
from crampcheck.schema import Assessment

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CC = "urn:crampcheck"  # our own code system for findings, answer states and diary fields

CRAMP = [
    Coding(system=SNOMED, code="55300003", display="Cramp"),
    Coding(system=ICD10, code="R25.2", display="Cramp and spasm"),
]
BODY_SITES = {  # SNOMED CT body structures
    "hand": ("85562004", "Hand structure"),
    "forearm": ("14975008", "Forearm structure"),
    "calf": ("53840002", "Calf of leg structure"),
    "foot": ("56459004", "Foot structure"),
    "thigh": ("68367000", "Thigh structure"),
    "trunk": ("22943007", "Trunk structure"),
    "jaw_face": ("89545001", "Face structure"),
}
LATERALITY = {"left": ("7771000", "Left"), "right": ("24028007", "Right"), "both": ("51440002", "Bilateral")}
SEVERITY_LOINC = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.astimezone()


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def episode_observation(ep: EpisodePublic, patient_ref: str) -> Observation:
    components = [
        ObservationComponent(
            code=CodeableConcept(coding=[Coding(system=LOINC, code=SEVERITY_LOINC[0], display=SEVERITY_LOINC[1])]),
            valueInteger=ep.severity,
        )
    ]
    if ep.duration_s is not None:
        components.append(
            ObservationComponent(
                code=CodeableConcept(coding=[Coding(system=CC, code="duration")], text="duration"),
                valueQuantity=Quantity(value=Decimal(ep.duration_s), unit="s", system=UCUM, code="s"),
            )
        )
    for field in ("activity", "relief"):
        value = getattr(ep, field)
        if value:
            components.append(
                ObservationComponent(
                    code=CodeableConcept(coding=[Coding(system=CC, code=field)], text=field), valueString=value
                )
            )
    codings = [Coding(system=CC, code=f"muscle:{ep.muscle}")]
    if ep.muscle in BODY_SITES:
        code, display = BODY_SITES[ep.muscle]
        codings.insert(0, Coding(system=SNOMED, code=code, display=display))
    if ep.side:
        code, display = LATERALITY[ep.side]
        codings.append(Coding(system=SNOMED, code=code, display=display))
        codings.append(Coding(system=CC, code=f"side:{ep.side}"))
    return Observation(
        id=f"episode-{ep.id}",
        identifier=[Identifier(system=f"{CC}:episode", value=str(ep.id))],
        status="final",
        category=[
            CodeableConcept(
                coding=[Coding(system="http://terminology.hl7.org/CodeSystem/observation-category", code="survey")]
            )
        ],
        code=CodeableConcept(coding=CRAMP, text="Muscle cramp"),
        subject=Reference(reference=patient_ref),
        effectiveDateTime=_aware(ep.started_at),
        bodySite=CodeableConcept(coding=codings, text=f"{ep.side or ''} {ep.muscle}".strip()),
        component=components,
        note=[Annotation(text=ep.note)] if ep.note else None,
    )


def assessment_resources(
    a: Assessment, when: dt.datetime, patient_ref: str
) -> tuple[tuple[str, QuestionnaireResponse], tuple[str, RiskAssessment]]:
    items = [
        QuestionnaireResponseItem(
            linkId="age", text="age", answer=[QuestionnaireResponseItemAnswer(valueInteger=a.age)]
        ),
        QuestionnaireResponseItem(
            linkId="sex",
            text="sex",
            answer=[
                QuestionnaireResponseItemAnswer(
                    valueCoding=Coding(system="http://hl7.org/fhir/administrative-gender", code=a.sex)
                )
            ],
        ),
    ]
    for ans in a.answers:
        items.append(
            QuestionnaireResponseItem(
                linkId=ans.finding,
                text=ans.finding,
                answer=[
                    QuestionnaireResponseItemAnswer(
                        valueCoding=Coding(system=f"{CC}:answer-state", code=ans.state)
                    )
                ],
            )
        )
    qr_url = _urn()
    qr = QuestionnaireResponse(
        status="completed",
        authored=_aware(when),
        subject=Reference(reference=patient_ref),
        item=items,
        meta=Meta(tag=[Coding(system=f"{CC}:kb-version", code=a.kb_version)]),
    )
    predictions = []
    for c in a.conditions:
        coding = [Coding(system=f"{CC}:condition", code=c.id, display=c.name)]
        if c.icd10:
            coding.insert(0, Coding(system=ICD10, code=c.icd10))
        why = "; ".join(x.text for x in c.raised_by[:5])
        predictions.append(
            RiskAssessmentPrediction(
                outcome=CodeableConcept(coding=coding, text=c.name),
                probabilityDecimal=Decimal(str(round(min(max(c.probability, 0.0), 1.0), 6))),
                rationale=why or None,
            )
        )
    ra = RiskAssessment(
        status="final",
        subject=Reference(reference=patient_ref),
        occurrenceDateTime=_aware(when),
        method=CodeableConcept(text=f"crampcheck {a.engine.method}, knowledge base {a.kb_version}"),
        code=CodeableConcept(coding=[Coding(system=f"{CC}:triage", code=a.triage.level, display=a.triage.label)]),
        basis=[Reference(reference=qr_url)],
        prediction=predictions or None,
        note=[Annotation(text=f"Triage: {a.triage.label}. {a.triage.message}")],
    )
    return (qr_url, qr), (_urn(), ra)


def build_bundle(
    *,
    episodes: list[EpisodePublic],
    assessment: tuple[dt.datetime, Assessment] | None,
    timestamp: dt.datetime | None = None,
) -> Bundle:
    patient_url = _urn()
    patient_kw: dict[str, Any] = {}
    if assessment is not None:
        patient_kw["gender"] = assessment[1].sex
    entries = [BundleEntry(fullUrl=patient_url, resource=Patient(**patient_kw))]
    if assessment is not None:
        (qr_url, qr), (ra_url, ra) = assessment_resources(assessment[1], assessment[0], patient_url)
        entries += [BundleEntry(fullUrl=qr_url, resource=qr), BundleEntry(fullUrl=ra_url, resource=ra)]
    for ep in episodes:
        entries.append(BundleEntry(fullUrl=_urn(), resource=episode_observation(ep, patient_url)))
    return Bundle(type="collection", timestamp=_aware(timestamp or dt.datetime.now()), entry=entries)


def export_bundle(*, session: Session, user_id: int) -> Bundle:
    """The user's episodes and latest assessment as a FHIR Bundle."""
    latest = service.latest_assessment(session=session, user_id=user_id)
    return build_bundle(
        # within the diary's bounds only: a row stored before them (year 1) has no FHIR dateTime
        episodes=service.list_episodes(
            session=session, user_id=user_id, since=bounds.MIN_TIME, until=bounds.latest_time()
        ),
        assessment=(latest[0].created_at, latest[1]) if latest else None,
    )


def episodes_from_bundle(bundle: Bundle) -> list[EpisodeCreate]:
    """Read the cramp episodes back out of a Bundle made by :func:`build_bundle`."""
    out: list[EpisodeCreate] = []
    for entry in bundle.entry or []:
        res = entry.resource
        if not isinstance(res, Observation):
            continue
        codes = {c.code for c in res.bodySite.coding} if res.bodySite and res.bodySite.coding else set()
        muscle = next((c.split(":", 1)[1] for c in codes if c and c.startswith("muscle:")), "other")
        side = next((c.split(":", 1)[1] for c in codes if c and c.startswith("side:")), None)
        data: dict[str, Any] = {"muscle": muscle, "side": side, "note": res.note[0].text if res.note else None}
        when = res.effectiveDateTime
        assert isinstance(when, dt.datetime)
        data["started_at"] = when.astimezone().replace(tzinfo=None) if when.tzinfo else when
        for comp in res.component or []:
            code = comp.code.coding[0].code if comp.code.coding else None
            if code == SEVERITY_LOINC[0]:
                data["severity"] = comp.valueInteger
            elif code == "duration" and comp.valueQuantity is not None:
                data["duration_s"] = int(comp.valueQuantity.value or 0)
            elif code in ("activity", "relief"):
                data[str(code)] = comp.valueString
        out.append(EpisodeCreate.model_validate(data))
    return out
