"""Running a vignette set in one of the three modes (interview, text, facts).

Text mode follows the product: the narrative is parsed, the person is shown what was understood and corrects
it in one turn (the terminal interview's "what I understood" step), then the interview goes on.
"""

from __future__ import annotations

from collections.abc import Callable

from crampcheck.assess import Assessor
from crampcheck.evaluation.metrics import Outcome
from crampcheck.evaluation.patient import SimulatedPatient
from crampcheck.evaluation.vignettes import Vignette
from crampcheck.interview.select import MAX_TURNS

TextParser = Callable[[str], dict[str, bool]]
CONFIRM_TURN = "confirm-understood"


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
            turns = 0
        else:
            assert parser is not None
            understood = parser(v.narrative)
            # One confirmation turn, as the terminal and web interviews do: "this is what I understood;
            # is it right?" The person corrects what was misread (each finding answered as the patient would).
            answers = {f: patient.answer(f) for f in understood}
            turns = 0
            if understood:
                asked.append(CONFIRM_TURN)
                turns = 1
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
