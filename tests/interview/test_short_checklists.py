"""Shorter interviews: a checklist is shown cut to the options worth asking (its id names them), and the
interview stops when no answer is likely to change what the result shows. The lookahead figures are checked
against the posterior recomputed from scratch with the answer added (an independent computation)."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from crampcheck.assess import Assessor, default_assessor
from crampcheck.engine.posterior import Context, prob_any
from crampcheck.interview.answers import Response, policy_for
from crampcheck.interview.select import SUBSET, Stakes, change_chance, finding_values
from crampcheck.triage import OTHER_DANGEROUS_THRESHOLD, PROBABLY_NEEDS_DOCTOR, RANK


@pytest.fixture(scope="module")
def a() -> Assessor:
    return default_assessor()


def test_a_cut_checklist_id_names_its_options(a: Assessor) -> None:
    sel = a.selector
    whole = sel.questions["timing"]
    two = [whole.findings[2], whole.findings[0]]
    q = sel.spec("timing" + SUBSET + SUBSET.join(two))
    assert q.findings == (whole.findings[0], whole.findings[2])  # the checklist's order, whatever the id's
    assert q.home == "timing" and q.kind == "multiple"
    assert sel.spec(q.id) == q and sel.cut(whole, whole.findings) is whole
    assert sel.spec("timing+" + whole.findings[0] + "+" + whole.findings[0]).findings == (whole.findings[0],)
    for bad in ["timing+", "timing+chest_pain", "nothing+at_night_in_bed", "chest_pain+chest_pain", "timing++x"]:
        assert not sel.known(bad)
        with pytest.raises(KeyError):
            sel.spec(bad)


def test_the_api_pattern_accepts_exactly_the_ids_the_selector_knows(a: Assessor) -> None:
    sel = a.selector
    pattern = re.compile(sel.id_pattern())
    rng = np.random.default_rng(7)
    groups = [q for q in sel.questions.values() if q.kind == "multiple"]
    every = sorted(a.kb.findings)
    tried = 0
    for _ in range(400):
        g = groups[int(rng.integers(len(groups)))]
        pool = list(g.findings) + every[:5]  # sometimes options of another checklist
        parts = [pool[int(k)] for k in rng.integers(len(pool), size=int(rng.integers(0, 4)))]
        qid = SUBSET.join([g.id, *parts])
        assert bool(pattern.match(qid)) == sel.known(qid), qid
        tried += 1
    for qid in sel.questions:
        assert pattern.match(qid) and sel.known(qid)
    assert tried == 400


def test_options_not_shown_stay_unanswered_and_can_be_asked_later(a: Assessor) -> None:
    sel = a.selector
    policy = policy_for(a.kb, sel)
    whole = sel.questions["timing"]
    plain = [f for f in whole.findings if policy.unticked_is_no("timing", f, {}, 40)]
    first = sel.cut(whole, plain[:2])
    said = policy.meaning(first, Response.of([plain[0]]), {}, 40)
    # the shown box left unticked is "no" (this is its home question); the options not shown are not answered
    assert said == {plain[0]: True, plain[1]: False}
    open_qs = {q.home: q for q in sel.open_questions(said, {first.id}, 40, "female")}
    assert set(open_qs["timing"].asks(said)) == set(whole.findings) - set(plain[:2])


def _margin(
    a: Assessor, ctx: Context, answers: dict[str, bool | None], doctor: np.ndarray, urgent: set[str]
) -> float:
    """How far what is shown is from changing (the lookahead ignores states lighter than KEEP_MASS and works
    in single precision, so a quantity within a hair of its threshold may fall either way)."""
    post, ranked, _, _ = a._triage(ctx, answers, False)
    marg = dict(ranked)
    gaps = [ranked[0][1] - ranked[1][1], abs(prob_any(a.net, post, doctor) - PROBABLY_NEEDS_DOCTOR)]
    gaps += [abs(marg[c] - OTHER_DANGEROUS_THRESHOLD) for c in urgent]
    return min(gaps)


def _shown(
    a: Assessor, ctx: Context, answers: dict[str, bool | None], doctor: np.ndarray, urgent: set[str]
) -> tuple[str, bool, frozenset[str]]:
    """What the result shows, from the posterior recomputed from scratch (each cause's own level held as it is
    now, as the lookahead does): the top cause, "probably needs a doctor", the urgent-level causes that count."""
    post, ranked, _, _ = a._triage(ctx, answers, False)
    marg = dict(ranked)
    return (
        ranked[0][0],
        prob_any(a.net, post, doctor) >= PROBABLY_NEEDS_DOCTOR,
        frozenset(c for c in urgent if marg[c] >= OTHER_DANGEROUS_THRESHOLD),
    )


@pytest.mark.parametrize(
    ("age", "sex", "answers"),
    [
        (68, "female", {"site_calf": True, "at_night_in_bed": True}),
        (30, "male", {"site_hand": True, "during_specific_hand_task": True}),
        (55, "female", {"site_calf": True, "low_dairy_calcium_diet": True, "takes_diuretic": True}),
    ],
)
def test_change_chance_agrees_with_the_posterior_recomputed(
    a: Assessor, age: int, sex: str, answers: dict[str, bool | None]
) -> None:
    ctx = Context(age=age, sex=sex, pregnant=answers.get("pregnant"))
    post, _, levels, _ = a._triage(ctx, answers, False)
    stakes = Stakes(
        doctor=np.array(a.rules.needs_doctor(a.net.conditions, answers, age, levels), dtype=bool),
        urgent=np.array([RANK[levels[c][0]] >= RANK["urgent"] for c in a.net.conditions], dtype=bool),
        probable=PROBABLY_NEEDS_DOCTOR,
        other=OTHER_DANGEROUS_THRESHOLD,
    )
    cands = [f for f in sorted(a.net.fidx) if f not in answers][:40]
    got = change_chance(a.net, ctx, post, [a.net.fidx[f] for f in cands], stakes)
    urgent = {c for c, u in zip(a.net.conditions, stakes.urgent, strict=True) if u}
    now = _shown(a, ctx, answers, stakes.doctor, urgent)
    _, pyes = finding_values(a.net, ctx, post, [a.net.fidx[f] for f in cands])
    checked = 0
    for k, f in enumerate(cands):
        if min(_margin(a, ctx, {**answers, f: v}, stakes.doctor, urgent) for v in (True, False)) < 0.01:
            continue
        checked += 1
        want = 0.0
        for value, p in ((True, float(pyes[k])), (False, 1.0 - float(pyes[k]))):
            want += p * (_shown(a, ctx, {**answers, f: value}, stakes.doctor, urgent) != now)
        assert got[k] == pytest.approx(want, abs=0.02), f
    assert checked >= 30


def test_an_escalation_line_needing_several_answers_is_still_asked(a: Assessor) -> None:
    """Night-time leg cramps need a doctor when frequent, waking the person and not helped by self-care: no
    single answer raises the level, yet the interview must ask all three before it stops."""
    line_fs = {"frequent_episodes", "disrupts_sleep", "no_improvement_self_care"}
    answers: dict[str, bool | None] = {"site_calf": True, "at_night_in_bed": True}
    asked: list[str] = []
    policy = policy_for(a.kb, a.selector)
    for _ in range(30):
        st = a.step(68, "female", answers, asked)
        q = st.choice.question
        if q is None or st.choice.should_stop:
            break
        shown = q.asks(answers)
        answers.update(policy.meaning(q, Response.of([f for f in shown if f in line_fs], none=True), answers, 68))
        asked.append(q.id)
    assert line_fs <= {f for f, v in answers.items() if v is True}
    assert a.step(68, "female", answers, asked).triage.level == "doctor"


def test_subset_ids_round_trip_through_every_checklist(a: Assessor) -> None:
    sel = a.selector
    for q in sel.questions.values():
        if q.kind != "multiple" or len(q.findings) < 2:
            continue
        for r in (1, 2):
            for members in itertools.islice(itertools.combinations(q.findings, r), 5):
                cut = sel.cut(q, members)
                assert sel.spec(cut.id) == cut and set(cut.findings) == set(members)
