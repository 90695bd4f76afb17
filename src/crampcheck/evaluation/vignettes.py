"""Reading vignette files (JSON Lines) into validated models, with messages that name the line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crampcheck.errors import N_, AnswersFileError
from crampcheck.kb.schema import KnowledgeBase


class Gold(BaseModel):
    model_config = ConfigDict(extra="ignore")

    condition: str
    acceptable: list[str] = Field(default_factory=list)
    triage: Literal["self_care", "doctor", "urgent", "emergency"]


class Vignette(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    age: int = Field(ge=1, le=110)
    sex: Literal["female", "male"]
    narrative: str = ""
    presenting: list[str] = Field(default_factory=list)
    facts: dict[str, bool] = Field(default_factory=dict)
    unknown: list[str] = Field(default_factory=list)
    gold: Gold
    lang: str | None = None


def load_vignettes(path: Path, kb: KnowledgeBase) -> list[Vignette]:
    if not path.exists():
        raise AnswersFileError(N_("{path}: file not found"), path=path)
    out: list[Vignette] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise AnswersFileError(N_("{path}: not UTF-8 text ({reason})"), path=path, reason=e.reason) from None
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            v = Vignette.model_validate(json.loads(line))
        except json.JSONDecodeError as e:
            raise AnswersFileError(
                N_("{path} line {line}: not valid JSON ({reason}, column {column})"),
                path=path,
                line=no,
                reason=e.msg,
                column=e.colno,
            ) from None
        except ValidationError as e:
            d = e.errors()[0]
            loc = ".".join(str(x) for x in d["loc"])
            raise AnswersFileError(
                N_("{path} line {line}: field '{field}': {reason}"), path=path, line=no, field=loc, reason=d["msg"]
            ) from None
        for f in [*v.presenting, *v.facts, *v.unknown]:
            if f not in kb.findings:
                import difflib

                close = difflib.get_close_matches(f, list(kb.findings), n=1)
                if close:
                    raise AnswersFileError(
                        N_("{path} line {line}: unknown finding '{value}'; did you mean '{suggestion}'?"),
                        path=path,
                        line=no,
                        value=f,
                        suggestion=close[0],
                    )
                raise AnswersFileError(
                    N_("{path} line {line}: unknown finding '{value}'"), path=path, line=no, value=f
                )
        for c in [v.gold.condition, *v.gold.acceptable]:
            if c not in kb.conditions:
                raise AnswersFileError(
                    N_("{path} line {line}: unknown condition '{value}' in gold"), path=path, line=no, value=c
                )
        out.append(v)
    if not out:
        raise AnswersFileError(N_("{path}: no vignettes in the file"), path=path)
    return out
