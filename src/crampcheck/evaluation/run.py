"""Running a vignette set in one of the three modes (interview, text, facts)."""

from __future__ import annotations

from collections.abc import Callable

from crampcheck.assess import Assessor
from crampcheck.evaluation.metrics import Outcome
from crampcheck.evaluation.patient import SimulatedPatient
from crampcheck.evaluation.vignettes import Vignette
from crampcheck.interview.select import MAX_TURNS

TextParser = Callable[[str], dict[str, bool]]


def run_one(a: Assessor, v: Vignette, mode: str, parser: TextParser | None = None) -> Outcome:
    patient = SimulatedPatient(v)
    answers: dict[str, bool | None] = {}
    asked: list[str] = []
    turns: int | None = None
    if mode == "facts":
        answers = {f: val for f, val in v.facts.items()}
        answers.update({f: None for f in v.unknown})
        st = a.step(v.age, v.sex, answers, asked)
    else:
        if mode == "interview":
            answers = {f: True for f in v.presenting}
        else:
            assert parser is not None
            answers = dict(parser(v.narrative))
        turns = 0
        while True:
            st = a.step(v.age, v.sex, answers, asked)
            q = st.choice.question
            if q is None or st.choice.should_stop or turns >= MAX_TURNS:
                break
            asked.append(q.id)
            turns += 1
            for f in q.findings:
                if f not in answers:
                    answers[f] = patient.answer(f)
    return Outcome(
        id=v.id,
        ranked=[c for c, _ in st.ranked],
        triage=st.triage.level,
        turns=turns,
        gold_condition=v.gold.condition,
        acceptable=list(v.gold.acceptable),
        gold_triage=v.gold.triage,
    )
