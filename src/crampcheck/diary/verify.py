"""Saved assessments are checked against the knowledge base before they go into the diary (and from there into
the doctor report and the FHIR export): a client sends an assessment, the server keeps only one it can vouch
for.

The check: the knowledge-base version is the one this server runs; age, sex and answers form a valid request
(known finding ids, valid states, age 1..110, no pregnancy for a man); and assessing those answers again gives
the same causes with the same probabilities and levels, the same chance of none of them, and the same triage
level. What is stored is then the server's own result for those answers (its texts, names and advice), so no
label, probability or version in the diary is taken from the client.
"""

from __future__ import annotations

import math

from pydantic import ValidationError

from crampcheck.assess import Assessor
from crampcheck.diary.errors import FieldError
from crampcheck.schema import Assessment, AssessRequest

TOLERANCE = 1e-6


def _field(loc: tuple[object, ...]) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out or "body"


def verified_assessment(assessor: Assessor, claimed: Assessment) -> Assessment:
    """The server's assessment for ``claimed``'s answers, if ``claimed`` is what this knowledge base gives for
    them; otherwise raise :class:`FieldError` naming the first field that does not fit."""
    kb = assessor.kb
    if claimed.kb_version != kb.version:
        raise FieldError(
            "kb_version", f"'{claimed.kb_version[:80]}' is not this server's knowledge base ({kb.version})"
        )
    try:
        req = AssessRequest(age=claimed.age, sex=claimed.sex, answers=claimed.answers, lang=claimed.lang)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise FieldError(_field(tuple(err["loc"])), str(err["msg"])) from None
    for k, a in enumerate(claimed.answers):
        if a.finding not in kb.findings:
            raise FieldError(f"answers[{k}].finding", f"unknown finding '{a.finding[:80]}'")
    for k, c in enumerate(claimed.conditions):
        if c.id not in kb.conditions:
            raise FieldError(f"conditions[{k}].id", f"unknown condition '{c.id[:80]}'")
        if not (math.isfinite(c.probability) and 0 <= c.probability <= 1):
            raise FieldError(f"conditions[{k}].probability", "must be a probability from 0 to 1")
    if not (math.isfinite(claimed.none_of_the_above) and 0 <= claimed.none_of_the_above <= 1):
        raise FieldError("none_of_the_above", "must be a probability from 0 to 1")
    ours = assessor.assess(req)
    theirs = {c.id: c for c in claimed.conditions}
    mine = {c.id: c for c in ours.conditions}
    if set(theirs) != set(mine):
        raise FieldError("conditions", "the causes listed are not the ones these answers give")
    for k, c in enumerate(claimed.conditions):
        m = mine[c.id]
        if abs(m.probability - c.probability) > TOLERANCE:
            raise FieldError(f"conditions[{k}].probability", "is not what these answers give")
        if m.level != c.level:
            raise FieldError(f"conditions[{k}].level", f"is '{m.level}' for these answers")
    if abs(ours.none_of_the_above - claimed.none_of_the_above) > TOLERANCE:
        raise FieldError("none_of_the_above", "is not what these answers give")
    if ours.triage.level != claimed.triage.level:
        raise FieldError("triage.level", f"is '{ours.triage.level}' for these answers")
    return ours
