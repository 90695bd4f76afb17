"""Running a vignette set in one of the three modes (interview, text, facts).

Text mode follows the product: the narrative is parsed, the person is shown what was understood and corrects
it in one turn (the terminal interview's "what I understood" step), then the interview goes on.

Each question is answered as a person answers it in the product: the patient knows the truth about each finding
the question puts to them (``QuestionSpec.asks``: those not yet answered, or all of them for a confirmation),
ticks the boxes that are true, presses "none of these" when none is and "don't know" when it knows none of
them, and what that response means is decided by the same rules as in the web pages and the terminal
(:mod:`crampcheck.interview.answers`: a box left unticked is "no" only where the question is the finding's
natural place and never for a red flag). With noise, the patient's per-finding knowledge (and the "what I
understood" turn's) is noisy; the presenting findings and the narrative are not.
"""

from __future__ import annotations

from collections.abc import Callable

from crampcheck.assess import Assessor
from crampcheck.evaluation.metrics import Outcome, Turn
from crampcheck.evaluation.patient import SimulatedPatient
from crampcheck.evaluation.vignettes import Vignette
from crampcheck.interview.answers import AnswerPolicy, Response, policy_for
from crampcheck.interview.select import CONFIRM, MAX_TURNS

TextParser = Callable[[str], dict[str, bool]]
CONFIRM_TURN = "confirm-understood"


def respond(known: dict[str, bool | None]) -> Response:
    """What a person who knows ``known`` (finding -> yes / no / don't know) does on a question screen.

    As ``evaluation.md`` defines the patient, each finding is answered: it ticks the true boxes and, when it
    knows every other one to be false, says so ("none of the others"; with nothing true, "none of these");
    "don't know" when it knows none of them. When it is unsure of some, it says no to those it knows are false
    and leaves only the ones it does not know unticked (their meaning is then that of a box left unticked)."""
    ticked = [f for f, v in known.items() if v is True]
    if all(v is not None for v in known.values()):
        return Response.of(ticked, none=True)
    if not ticked and all(v is None for v in known.values()):
        return Response.of(unknown=True)
    return Response.of(ticked, unticked=[f for f, v in known.items() if v is False])


def run_one(
    a: Assessor,
    v: Vignette,
    mode: str,
    parser: TextParser | None = None,
    noise: float = 0.0,
    seed: int = 0,
    policy: AnswerPolicy | None = None,
) -> Outcome:
    """One vignette in one mode; ``policy`` (what an answer means) defaults to the assessor's own."""
    patient = SimulatedPatient(v, noise, seed)
    policy = policy or (policy_for(a.kb, a.selector) if mode != "facts" else None)
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
            known = {f: patient.answer(f) for f in q.asks(answers)}
            assert policy is not None
            said = policy.meaning(q, respond(known), answers, v.age)
            items += len(known)
            answers.update(said)
            transcript.append(Turn(q.id, q.kind, said, tuple(f for f in known if f not in said)))
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
