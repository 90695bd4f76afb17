"""Running a vignette set in one of the three modes (interview, text, facts).

Text mode follows the product: the narrative is parsed, the person is shown what was understood and corrects
it in one turn (the terminal interview's "what I understood" step), then the interview goes on.

Each question is answered for the findings it puts to the person (``QuestionSpec.asks``): those not yet
answered, or all of them for a confirmation; a later answer replaces an earlier one. With noise, those answers
(and the "what I understood" turn's) are noisy; the presenting findings and the narrative are not.
"""

from __future__ import annotations

from collections.abc import Callable

from crampcheck.assess import Assessor
from crampcheck.evaluation.metrics import Outcome, Turn
from crampcheck.evaluation.patient import SimulatedPatient
from crampcheck.evaluation.vignettes import Vignette
from crampcheck.interview.select import CONFIRM, MAX_TURNS

TextParser = Callable[[str], dict[str, bool]]
CONFIRM_TURN = "confirm-understood"


def run_one(
    a: Assessor, v: Vignette, mode: str, parser: TextParser | None = None, noise: float = 0.0, seed: int = 0
) -> Outcome:
    patient = SimulatedPatient(v, noise, seed)
    answers: dict[str, bool | None] = {}
    given: dict[str, bool | None] = {}
    asked: list[str] = []
    own: set[str] = set()  # what the person said in their own words: never held for confirmation
    transcript: list[Turn] = []
    turns: int | None = None
    items: int | None = None
    if mode == "facts":
        answers = {f: val for f, val in v.facts.items()}
        answers.update({f: None for f in v.unknown})
        given = dict(answers)
        st = a.step(v.age, v.sex, answers, asked)
    else:
        if mode == "interview":
            answers = {f: True for f in v.presenting}
            given = dict(answers)
            own = set(v.presenting)
            turns = items = 0
        else:
            assert parser is not None
            understood = parser(v.narrative)
            # One confirmation turn, as the terminal and web interviews do: "this is what I understood;
            # is it right?" The person corrects what was misread (each finding answered as the patient would).
            answers = {f: patient.answer(f) for f in understood}
            own = set(understood)  # the person's own words, as they corrected them
            turns = items = 0
            if understood:
                asked.append(CONFIRM_TURN)
                transcript.append(Turn(CONFIRM_TURN, CONFIRM, dict(answers)))
                turns, items = 1, len(understood)
        while True:
            st = a.step(v.age, v.sex, answers, asked, own=own)
            q = st.choice.question
            if q is None or st.choice.should_stop or turns >= MAX_TURNS:
                break
            asked.append(q.id)
            turns += 1
            said = {f: patient.answer(f) for f in q.asks(answers)}
            items += len(said)
            answers.update(said)
            transcript.append(Turn(q.id, q.kind, said))
    return Outcome(
        id=v.id,
        ranked=[c for c, _ in st.ranked],
        triage=st.triage.level,
        turns=turns,
        gold_condition=v.gold.condition,
        acceptable=list(v.gold.acceptable),
        gold_triage=v.gold.triage,
        p_top1=st.ranked[0][1] if st.ranked else None,
        items=items,
        top5=list(st.ranked[:5]),
        given=given,
        transcript=transcript,
    )
