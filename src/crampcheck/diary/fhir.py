"""FHIR R4 (R4B) export: a ``collection`` Bundle with the latest assessment as a
QuestionnaireResponse (the answers) and a RiskAssessment (the ranked causes, ICD-10 coded), both read from the
stored assessment record,
each cramp episode as an Observation (SNOMED CT 55300003 "Cramp", ICD-10 R25.2, body site,
laterality and 0-10 severity), and each recorded day as an Observation with one component per
recorded exposure field (coded ``urn:crampcheck`` + the field's name; numbers with their UCUM unit).
Body sites, laterality and units come from the field definitions (:mod:`crampcheck.diary.fields`).

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
from crampcheck.diary.fields import EPISODE, EXPOSURE_FIELDS, DiaryField
from crampcheck.diary.records import StoredAssessment
from crampcheck.diary.schemas import EpisodeCreate, EpisodePublic, ExposureIn, ExposurePublic

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CC = "urn:crampcheck"  # our own code system for findings, answer states and diary fields

CRAMP = [
    Coding(system=SNOMED, code="55300003", display="Cramp"),
    Coding(system=ICD10, code="R25.2", display="Cramp and spasm"),
]
# SNOMED CT body structures and laterality, from the field definitions
BODY_SITES = {c.value: c.snomed for c in EPISODE["muscle"].choices if c.snomed}
LATERALITY = {c.value: c.snomed for c in EPISODE["side"].choices if c.snomed}
DURATION = EPISODE["duration_s"]
DAY_CODE = "diary-day"
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
    if ep.duration_s is not None and DURATION.unit is not None:
        components.append(
            ObservationComponent(
                code=CodeableConcept(coding=[Coding(system=CC, code="duration")], text="duration"),
                valueQuantity=Quantity(
                    value=Decimal(ep.duration_s), unit=DURATION.unit.ucum, system=UCUM, code=DURATION.unit.ucum
                ),
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
        code, display = BODY_SITES[ep.muscle]  # type: ignore[misc]
        codings.insert(0, Coding(system=SNOMED, code=code, display=display))
    if ep.side:
        code, display = LATERALITY[ep.side]  # type: ignore[misc]
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


def _component(f: DiaryField, value: Any) -> ObservationComponent:
    code = CodeableConcept(coding=[Coding(system=CC, code=f.name)], text=f.label_text("en"))
    if f.type in ("int", "number"):
        unit = f.unit
        q = Quantity(value=Decimal(repr(value)), unit=unit.en, system=UCUM, code=unit.ucum) if unit else None
        return ObservationComponent(code=code, valueQuantity=q or Quantity(value=Decimal(repr(value))))
    if f.type == "bool":
        return ObservationComponent(code=code, valueBoolean=bool(value))
    if f.type == "choice":
        coding = Coding(system=f"{CC}:{f.name}", code=value, display=f.word(value, "en"))
        return ObservationComponent(code=code, valueCodeableConcept=CodeableConcept(coding=[coding]))
    return ObservationComponent(code=code, valueString=str(value))


def exposure_observation(x: ExposurePublic, patient_ref: str) -> Observation:
    """One recorded day: a component per recorded field (one per item of a list), in the order of the fields."""
    components: list[ObservationComponent] = []
    for f in EXPOSURE_FIELDS:
        if f.type == "date":
            continue
        value = getattr(x, f.name)
        if f.type == "list":
            components += [_component(f, item) for item in value or []]
        elif value is not None:
            components.append(_component(f, value))
    return Observation(
        id=f"exposure-{x.id}",
        identifier=[Identifier(system=f"{CC}:exposure", value=str(x.id))],
        status="final",
        category=[
            CodeableConcept(
                coding=[
                    Coding(
                        system="http://terminology.hl7.org/CodeSystem/observation-category", code="social-history"
                    )
                ]
            )
        ],
        code=CodeableConcept(coding=[Coding(system=CC, code=DAY_CODE)], text="What the day was like"),
        subject=Reference(reference=patient_ref),
        effectiveDateTime=x.day,  # type: ignore[arg-type]  # a FHIR dateTime may be a date alone
        component=components or None,
    )


def assessment_resources(
    a: StoredAssessment, when: dt.datetime, patient_ref: str
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
        method=CodeableConcept(text=f"crampcheck {a.engine_method}, knowledge base {a.kb_version}"),
        code=CodeableConcept(coding=[Coding(system=f"{CC}:triage", code=a.triage.level, display=a.triage.label)]),
        basis=[Reference(reference=qr_url)],
        prediction=predictions or None,
        note=[Annotation(text=f"Triage: {a.triage.label}. {a.triage.message}")],
    )
    return (qr_url, qr), (_urn(), ra)


def build_bundle(
    *,
    episodes: list[EpisodePublic],
    assessment: tuple[dt.datetime, StoredAssessment] | None,
    exposures: list[ExposurePublic] | None = None,
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
    for x in exposures or []:
        entries.append(BundleEntry(fullUrl=_urn(), resource=exposure_observation(x, patient_url)))
    return Bundle(type="collection", timestamp=_aware(timestamp or dt.datetime.now()), entry=entries)


def export_bundle(*, session: Session, user_id: int) -> Bundle:
    """The user's episodes, recorded days and latest assessment as a FHIR Bundle."""
    latest = service.latest_assessment(session=session, user_id=user_id)
    return build_bundle(
        # within the diary's bounds only: a row stored before them (year 1) has no FHIR dateTime or date
        episodes=service.list_episodes(
            session=session, user_id=user_id, since=bounds.MIN_TIME, until=bounds.latest_time()
        ),
        assessment=(latest[0].created_at, latest[1]) if latest else None,
        exposures=service.list_exposures(
            session=session,
            user_id=user_id,
            since=bounds.MIN_DAY,
            until=bounds.latest_day() + dt.timedelta(days=1),
        ),
    )


def episodes_from_bundle(bundle: Bundle) -> list[EpisodeCreate]:
    """Read the cramp episodes back out of a Bundle made by :func:`build_bundle`."""
    out: list[EpisodeCreate] = []
    for entry in bundle.entry or []:
        res = entry.resource
        if not isinstance(res, Observation) or _is_day(res):
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


def _is_day(res: Observation) -> bool:
    return any(c.code == DAY_CODE for c in res.code.coding or [])


def exposures_from_bundle(bundle: Bundle) -> list[ExposureIn]:
    """Read the recorded days back out of a Bundle made by :func:`build_bundle`."""
    by_name = {f.name: f for f in EXPOSURE_FIELDS}
    day_field = next(f.name for f in EXPOSURE_FIELDS if f.type == "date")
    out: list[ExposureIn] = []
    for entry in bundle.entry or []:
        res = entry.resource
        if not isinstance(res, Observation) or not _is_day(res):
            continue
        data: dict[str, Any] = {day_field: res.effectiveDateTime}
        for comp in res.component or []:
            name = comp.code.coding[0].code if comp.code.coding else None
            f = by_name.get(str(name))
            if f is None:
                continue
            if f.type in ("int", "number") and comp.valueQuantity is not None:
                data[f.name] = float(comp.valueQuantity.value or 0)
            elif f.type == "bool":
                data[f.name] = comp.valueBoolean
            elif f.type == "choice" and comp.valueCodeableConcept is not None and comp.valueCodeableConcept.coding:
                data[f.name] = comp.valueCodeableConcept.coding[0].code
            elif f.type == "list":
                data.setdefault(f.name, []).append(comp.valueString)
            else:
                data[f.name] = comp.valueString
        out.append(ExposureIn.model_validate(data))
    return out
