"""Properties of the shipped model: no single answer (or pair of answers) forces a condition to certainty,
and a diagnosis of exclusion gives way to a present explaining cause without moving any doctor-level
probability."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from crampcheck.assess import Assessor
from crampcheck.engine.network import compile_network
from crampcheck.engine.posterior import Context, posterior, prob_any
from crampcheck.kb import load_kb

AGES = (6, 15, 30, 50, 67, 80)  # one age in every band


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    return compile_network(load_kb())


def test_no_single_answer_forces_a_condition(net) -> None:  # type: ignore[no-untyped-def]
    worst = (0.0, "")
    for age, sex in itertools.product(AGES, ("female", "male")):
        ctx = Context(age=age, sex=sex, pregnant=None)
        for j, yes in itertools.product(range(net.m), (True, False)):
            m = posterior(net, ctx, {j: yes}, keep_rows=False).marginals
            i = int(np.argmax(m))
            if m[i] > worst[0]:
                worst = (float(m[i]), f"{net.findings[j]}={yes} at {age} {sex} -> {net.conditions[i]}")
    assert worst[0] < 0.995, worst


@pytest.mark.parametrize("age", [6, 15])  # the ages where risk-factor prevalences are lowest
def test_no_pair_of_answers_gives_certainty(net, age: int) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(age=age, sex="male", pregnant=False)
    worst = (0.0, "")
    for j, k in itertools.combinations(range(net.m), 2):
        m = posterior(net, ctx, {j: True, k: True}, keep_rows=False).marginals
        i = int(np.argmax(m))
        if m[i] > worst[0]:
            worst = (float(m[i]), f"{net.findings[j]} + {net.findings[k]} -> {net.conditions[i]}")
    assert worst[0] < 0.9999, worst


def test_implausible_risk_factor_is_not_explained_by_a_disease(net) -> None:  # type: ignore[no-untyped-def]
    """A 6-year-old marked as a smoker, on a statin, drinking heavily: no condition becomes likely."""
    ctx = Context(age=6, sex="female", pregnant=False)
    for f in ("smoker", "takes_statin", "heavy_alcohol_use", "known_parkinsons", "takes_diuretic"):
        m = posterior(net, ctx, {net.fidx[f]: True}).marginals
        assert m.max() < 0.5, (f, net.conditions[int(np.argmax(m))], float(m.max()))


TYPICAL_NIGHT_CRAMPS = {
    "site_calf": True,
    "at_night_in_bed": True,
    "sudden_painful_hardening": True,
    "lasts_seconds_to_minutes": True,
    "relieved_by_stretching": True,
    "disrupts_sleep": True,
}


@pytest.mark.parametrize(
    ("cause", "answers"),
    [
        ("kidney_disease", {"known_kidney_disease_or_dialysis": True}),
        ("hypothyroidism", {"known_thyroid_underactive": True, "cold_intolerance_weight_gain": True}),
        ("medication_induced", {"new_medicine_before_onset": True, "takes_diuretic": True}),
    ],
)
def test_present_explaining_cause_outranks_the_idiopathic_label(cause: str, answers: dict[str, bool]) -> None:
    a = Assessor()
    plain = a.step(64, "female", TYPICAL_NIGHT_CRAMPS)
    assert plain.ranked[0][0] == "nocturnal_leg_cramps"
    st = a.step(64, "female", {**TYPICAL_NIGHT_CRAMPS, **answers})
    p = dict(st.ranked)
    assert p[cause] > p["nocturnal_leg_cramps"], st.ranked[:4]


def test_exclusion_moves_no_doctor_level_probability() -> None:
    """With and without the exclusions, on random answer sets: the same probability that some cause needing
    a doctor is present, the same probability for every condition but the excluded one, which only falls."""
    kb = load_kb()
    with_ex = compile_network(kb)
    without = compile_network(kb.model_copy(update={"exclusions": {}}))
    a = Assessor(kb)
    rng = np.random.default_rng(4)
    target = with_ex.cidx["nocturnal_leg_cramps"]
    for _ in range(25):
        age, sex = int(rng.integers(1, 95)), str(rng.choice(["female", "male"]))
        chosen = rng.choice(with_ex.m, size=8, replace=False)
        answers = {with_ex.findings[j]: bool(rng.random() < 0.4) for j in chosen}
        ctx = Context(age=age, sex=sex, pregnant=False if sex == "male" else None)
        ev = {with_ex.fidx[f]: v for f, v in answers.items()}
        p1, p0 = posterior(with_ex, ctx, ev), posterior(without, ctx, ev)
        flags = np.array(a.rules.needs_doctor(with_ex.conditions, answers, age), dtype=bool)
        assert prob_any(with_ex, p1, flags) == pytest.approx(prob_any(without, p0, flags), abs=1e-12)
        others = np.arange(with_ex.n) != target
        np.testing.assert_allclose(p1.marginals[others], p0.marginals[others], atol=1e-12)
        assert p1.marginals[target] <= p0.marginals[target] + 1e-12
