"""The noisy simulated patient (evaluation.md, "Noisy answers") and how a run answers questions: the draws'
distribution, their seeding by (seed, vignette id), unknown findings, confirmations, and median_items."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from crampcheck.assess import Assessor, default_assessor
from crampcheck.errors import InputError
from crampcheck.evaluation.metrics import metrics
from crampcheck.evaluation.patient import SimulatedPatient
from crampcheck.evaluation.run import run_one
from crampcheck.evaluation.vignettes import Vignette, load_vignettes
from crampcheck.interview.answers import AnswerPolicy, policy_for
from crampcheck.interview.select import CONFIRM, QuestionSpec

DEV = Path(__file__).resolve().parents[3] / "shared" / "vignettes" / "dev.jsonl"
DATA = Path(__file__).parent / "data"


def _vignette(vid: str = "fake-1", **kw: Any) -> Vignette:
    base: dict[str, Any] = {
        "id": vid,
        "age": 40,
        "sex": "female",
        "presenting": ["site_calf"],
        "facts": {"site_calf": True, "at_night": True},
        "unknown": ["family_history_muscle_disease"],
        "gold": {"condition": "nocturnal_leg_cramps", "triage": "self_care"},
    }
    base.update(kw)
    return Vignette.model_validate(base)


@pytest.mark.parametrize("p", [0.1, 0.3, 0.6])
def test_noise_draws_follow_p_and_half_p(p: float) -> None:
    patient = SimulatedPatient(_vignette(), noise=p, seed=7)
    n = 20_000
    for finding, truth in (("at_night", True), ("fever", False)):  # a listed yes, and a closed-world no
        got = [patient.answer(finding) for _ in range(n)]
        unknown = sum(x is None for x in got) / n
        flipped = sum(x is (not truth) for x in got) / n
        # standard error at most sqrt(0.25 / 20000) = 0.0035; 0.015 is more than four of them
        assert abs(unknown - p) < 0.015, (finding, unknown)
        assert abs(flipped - p / 2) < 0.015, (finding, flipped)
        assert (
            abs((n - sum(x is None for x in got) - sum(x is (not truth) for x in got)) / n - (1 - 1.5 * p)) < 0.02
        )


def test_unknown_stays_unknown_and_no_noise_is_the_plain_patient() -> None:
    noisy = SimulatedPatient(_vignette(), noise=0.6, seed=1)
    assert {noisy.answer("family_history_muscle_disease") for _ in range(2000)} == {None}
    plain = SimulatedPatient(_vignette(), noise=0.0, seed=1)
    assert [plain.answer(f) for f in ("at_night", "fever", "family_history_muscle_disease")] == [True, False, None]


def test_noise_out_of_range_is_refused() -> None:
    for bad in (-0.1, 0.7, 1.0):
        with pytest.raises(InputError, match="--noise must be between 0 and 0.667"):
            SimulatedPatient(_vignette(), noise=bad)


def _draws(vid: str, seed: int, k: int = 40) -> list[bool | None]:
    patient = SimulatedPatient(_vignette(vid), noise=0.4, seed=seed)
    return [patient.answer("at_night") for _ in range(k)]


def test_draws_depend_on_seed_and_vignette_id_only() -> None:
    assert _draws("a", 0) == _draws("a", 0)
    assert _draws("a", 0) != _draws("a", 1)
    assert _draws("a", 0) != _draws("b", 0)


def test_draws_repeat_across_processes_with_different_hash_salts() -> None:
    code = (
        "from crampcheck.evaluation.patient import SimulatedPatient;"
        "from crampcheck.evaluation.vignettes import Vignette;"
        "v = Vignette.model_validate({'id': 'x-9', 'age': 30, 'sex': 'male', 'facts': {'at_night': True},"
        " 'gold': {'condition': 'nocturnal_leg_cramps', 'triage': 'self_care'}});"
        "p = SimulatedPatient(v, noise=0.4, seed=3);"
        "print([p.answer('at_night') for _ in range(30)])"
    )
    outs = []
    for salt in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": salt}
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        outs.append(r.stdout)
    assert outs[0] == outs[1] and "None" in outs[0]


def test_a_vignettes_run_does_not_depend_on_the_others_or_their_order() -> None:
    a = default_assessor()
    vs = load_vignettes(DEV, a.kb)[:4]

    def run(order: list[Vignette], seed: int) -> dict[str, Any]:
        return {
            o.id: (o.ranked[:5], o.triage, o.transcript)
            for o in (run_one(a, v, "interview", None, 0.2, seed) for v in order)
        }

    first = run(vs, 0)
    assert run(list(reversed(vs)), 0) == first
    assert run(vs[2:3], 0)[vs[2].id] == first[vs[2].id]
    assert run(vs, 1) != first  # another seed, other answers somewhere among four interviews


def test_presenting_findings_are_not_noisy() -> None:
    a = default_assessor()
    v = load_vignettes(DEV, a.kb)[0]
    for seed in range(5):
        o = run_one(a, v, "interview", None, 0.6, seed)
        assert o.given == {f: True for f in v.presenting}
        assert not any(set(t.answers) & set(v.presenting) for t in o.transcript)  # never asked again


# --- how a run answers questions, on a scripted interview ------------------------------------------------


# what an answer means for the stand-in's questions: each finding at home in its question, no red flags
STUB_POLICY = AnswerPolicy(
    home={"site_calf": "site", "site_foot_toes": "site", "site_thigh": "site", "at_night": "at_night"}, alarms={}
)


class ScriptedInterview:
    """Stands in for the Assessor: asks a fixed list of questions and records the answers it was given."""

    def __init__(self, questions: list[QuestionSpec]) -> None:
        self.questions = questions
        self.seen: list[dict[str, bool | None]] = []

    def step(self, age: int, sex: str, answers: dict[str, bool | None], asked: list[str], own: Any = ()) -> Any:
        self.seen.append(dict(answers))
        q = self.questions[len(asked)] if len(asked) < len(self.questions) else None
        return SimpleNamespace(
            choice=SimpleNamespace(question=q, should_stop=q is None),
            ranked=[("nocturnal_leg_cramps", 0.8), ("exercise_associated_cramps", 0.15)],
            triage=SimpleNamespace(level="self_care"),
        )


def test_questions_ask_what_is_unanswered_and_a_confirmation_asks_again() -> None:
    questions = [
        QuestionSpec("site", "multiple", ("site_calf", "site_foot_toes", "site_thigh")),  # calf was presented
        QuestionSpec("check", CONFIRM, ("site_calf", "site_thigh")),
        QuestionSpec("at_night", "single", ("at_night",)),
    ]
    assert questions[0].asks({"site_calf": True}) == ("site_foot_toes", "site_thigh")
    assert questions[1].asks({"site_calf": True, "site_thigh": False}) == ("site_calf", "site_thigh")
    # presented as a calf cramp, but the vignette's facts say no calf: the confirmation corrects it
    v = _vignette(presenting=["site_calf"], facts={"at_night": True})
    stub = ScriptedInterview(questions)
    o = run_one(cast(Assessor, stub), v, "interview", policy=STUB_POLICY)
    assert [t.question for t in o.transcript] == ["site", "check", "at_night"]
    assert o.transcript[0].answers == {"site_foot_toes": False, "site_thigh": False}
    assert o.transcript[1].answers == {"site_calf": False, "site_thigh": False}
    assert stub.seen[-1] == {"site_calf": False, "site_foot_toes": False, "site_thigh": False, "at_night": True}
    assert o.turns == 3 and o.items == 2 + 2 + 1  # a finding asked again counts again
    assert o.p_top1 == 0.8 and o.top5[0] == ("nocturnal_leg_cramps", 0.8)


def test_median_items_on_tiny_runs() -> None:
    one = [QuestionSpec("site", "multiple", ("site_calf", "site_foot_toes", "site_thigh"))]
    two = [*one, QuestionSpec("check", CONFIRM, ("site_calf",))]
    three = [*two, QuestionSpec("at_night", "single", ("at_night",))]
    outs = [
        run_one(
            cast(Assessor, ScriptedInterview(qs)),
            _vignette(f"t{k}", presenting=[]),
            "interview",
            policy=STUB_POLICY,
        )
        for k, qs in enumerate([one, two, three])
    ]
    assert [o.items for o in outs] == [3, 4, 5]
    m = metrics(outs, "interview")
    assert m["median_items"] == 4.0 and m["median_turns"] == 2.0
    facts = run_one(cast(Assessor, ScriptedInterview(three)), _vignette(), "facts")
    assert facts.items is None and facts.transcript == []
    assert metrics([facts], "facts")["median_items"] is None


def test_noiseless_interview_matches_the_vignette() -> None:
    # with no noise every answer given is the vignette's truth (closed world), on a real interview
    a = default_assessor()
    for v in load_vignettes(DATA / "fourth_set.jsonl", a.kb)[:3]:
        o = run_one(a, v, "interview")
        plain = SimulatedPatient(v)
        for t in o.transcript:
            for f, said in t.answers.items():
                # the truth, except that a "don't know" left unticked at its home question can read "no"
                home = a.selector.question_of[f] == t.question
                assert said == plain.truth(f) or (plain.truth(f) is None and said is False and home), f
            # only red flags are left unanswered, and only when the patient could not say "none of the others"
            # because it did not know one of the findings put to it
            if t.unanswered:
                assert set(t.unanswered) <= policy_for(a.kb, a.selector).red
                assert any(plain.truth(f) is None for f in [*t.answers, *t.unanswered])
        assert o.items == sum(len(t.answers) + len(t.unanswered) for t in o.transcript)
        json.dumps([t.answers for t in o.transcript])  # plain data
