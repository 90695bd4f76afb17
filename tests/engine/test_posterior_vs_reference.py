"""The engine's posterior against brute-force enumeration and against pgmpy, on random small networks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampcheck.engine.network import from_arrays
from crampcheck.engine.posterior import Context, leave_one_out, posterior
from crampcheck.engine.reference import brute_force_marginals

CTX = Context(age=30, sex="female", pregnant=False)


def random_net(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    leak = rng.uniform(0.005, 0.5, size=m)
    stated = np.full((n, m), np.nan)
    mask = rng.random((n, m)) < 0.35
    stated[mask] = rng.uniform(0.0, 0.98, size=mask.sum())  # some below the leak: inhibitors
    prior = rng.uniform(0.0005, 0.4, size=n)
    return stated, leak, prior


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 9), m=st.integers(1, 10), frac=st.floats(0.0, 1.0))
def test_exact_enumeration_matches_brute_force(seed: int, n: int, m: int, frac: float) -> None:
    rng = np.random.default_rng(seed)
    stated, leak, prior = random_net(rng, n, m)
    net = from_arrays(stated, leak, prior)  # max_causes = n: every state enumerated
    obs = {j: bool(rng.random() < frac) for j in range(m) if rng.random() < 0.8}
    post = posterior(net, CTX, obs)
    ref, total = brute_force_marginals(stated, leak, prior, obs)
    np.testing.assert_allclose(post.marginals, ref, atol=1e-10)
    assert post.log_evidence == pytest.approx(np.log(total), abs=1e-9)


def test_truncated_enumeration_within_reported_bound() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        stated, leak, prior = random_net(rng, 12, 14)
        prior = prior * 0.3
        obs = {j: bool(rng.random() < 0.3) for j in range(14)}
        post = posterior(from_arrays(stated, leak, prior, max_causes=3), CTX, obs)
        ref, _ = brute_force_marginals(stated, leak, prior, obs)
        err = float(np.max(np.abs(post.marginals - ref)))
        assert err <= post.neglected_bound + 1e-12


def test_inhibitor_lowers_and_activation_raises() -> None:
    stated = np.array([[0.9, 0.01]])
    leak = np.array([0.2, 0.3])
    net = from_arrays(stated, leak, np.array([0.2]))
    p0 = posterior(net, CTX, {}).marginals[0]
    assert posterior(net, CTX, {0: True}).marginals[0] > p0
    assert posterior(net, CTX, {1: True}).marginals[0] < p0
    assert posterior(net, CTX, {1: False}).marginals[0] > p0


def test_leave_one_out_equals_posterior_without_that_answer() -> None:
    rng = np.random.default_rng(3)
    stated, leak, prior = random_net(rng, 8, 9)
    net = from_arrays(stated, leak, prior)
    obs = {0: True, 2: False, 5: True, 7: False}
    post = posterior(net, CTX, obs)
    loo = leave_one_out(net, CTX, post)
    for k, (j, _) in enumerate(post.obs):
        rest = {jj: v for jj, v in obs.items() if jj != j}
        # single precision by design (explanations are shown rounded to 0.1 percentage points)
        np.testing.assert_allclose(loo[:, k], posterior(net, CTX, rest).marginals, atol=2e-6)


def test_leave_one_out_with_an_answer_impossible_in_some_states() -> None:
    """A link stated as P = 0 silences the finding's leak: "yes" is impossible in every state with that
    condition (1/P infinite), and leaving that answer out must bring those states back."""
    rng = np.random.default_rng(5)
    stated, leak, prior = random_net(rng, 6, 5)
    stated[:, 0] = np.nan
    stated[2, 0] = 0.0
    net = from_arrays(stated, leak, prior)
    obs = {0: True, 1: False, 3: True}
    post = posterior(net, CTX, obs)
    assert post.marginals[2] < 1e-12
    loo = leave_one_out(net, CTX, post)
    for k, (j, _) in enumerate(post.obs):
        rest = {jj: v for jj, v in obs.items() if jj != j}
        np.testing.assert_allclose(loo[:, k], posterior(net, CTX, rest).marginals, atol=2e-6)
    assert loo[2, 0] > 1e-3  # without the impossible answer, condition 2 is possible again


def test_pgmpy_variable_elimination_agrees() -> None:
    """A general-purpose library (pgmpy) on the same noisy-OR-with-inhibitor model, as full CPD tables."""
    pytest.importorskip("pgmpy")
    from oracles.pgmpy_reference import pgmpy_marginals

    rng = np.random.default_rng(11)
    stated, leak, prior = random_net(rng, 7, 8)
    obs = {0: True, 1: False, 3: True, 6: False}
    net = from_arrays(stated, leak, prior)
    ours = posterior(net, CTX, obs).marginals
    np.testing.assert_allclose(ours, pgmpy_marginals(stated, leak, prior, obs), atol=1e-9)


def test_prob_any_and_state_sums_agree_with_membership_products() -> None:
    """The fast paths (state bit masks; per-condition state lists; pruned bincount) against plain
    membership-matrix products."""
    from crampcheck.engine.posterior import prob_any, state_sums

    rng = np.random.default_rng(21)
    stated, leak, prior = random_net(rng, 9, 8)
    net = from_arrays(stated, leak, prior, max_causes=3)
    post = posterior(net, CTX, {0: True, 3: False, 4: True})
    for flags in (np.zeros(9, bool), np.eye(9, dtype=bool)[4], rng.random(9) < 0.5, np.ones(9, bool)):
        expect = float(post.weights[(net.member @ flags.astype(float)) > 0].sum())
        assert prob_any(net, post, flags) == pytest.approx(expect, abs=1e-12)
    full = post.weights @ net.member
    np.testing.assert_allclose(state_sums(net, post.weights, np.arange(len(net.states))), full, atol=1e-12)
    few = np.argsort(-post.weights)[:5]
    np.testing.assert_allclose(
        state_sums(net, post.weights, np.sort(few)), post.weights[few] @ net.member[few], atol=1e-12
    )


# --- diagnoses of exclusion ------------------------------------------------------------------------------


def random_exclusions(rng: np.random.Generator, n: int) -> list[tuple[int, list[int], float]]:
    """One or two excluded conditions, each with one or two groups of explaining causes (each group with its
    own factor) among the conditions not excluded."""
    if n < 2:
        return []
    k = 1 if n < 4 else int(rng.integers(1, 3))
    targets = [int(t) for t in rng.choice(n, size=k, replace=False)]
    others = [i for i in range(n) if i not in targets]
    out = []
    for t in targets:
        for _ in range(int(rng.integers(1, 3))):
            size = int(rng.integers(1, len(others) + 1))
            causes = [int(c) for c in rng.choice(others, size=size, replace=False)]
            out.append((t, causes, float(rng.uniform(0.01, 1.0))))
    return out


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 9), m=st.integers(1, 10), frac=st.floats(0.0, 1.0))
def test_exclusions_match_brute_force(seed: int, n: int, m: int, frac: float) -> None:
    rng = np.random.default_rng(seed)
    stated, leak, prior = random_net(rng, n, m)
    excl = random_exclusions(rng, n)
    net = from_arrays(stated, leak, prior, exclusions=excl)
    obs = {j: bool(rng.random() < frac) for j in range(m) if rng.random() < 0.8}
    post = posterior(net, CTX, obs)
    ref, total = brute_force_marginals(stated, leak, prior, obs, exclusions=excl)
    np.testing.assert_allclose(post.marginals, ref, atol=1e-10)
    assert post.log_evidence == pytest.approx(np.log(total), abs=1e-9)


def test_exclusion_label_without_answers() -> None:
    """Without answers the excluded condition's label is pi_t (P(no cause) + r P(some cause)), and every
    other condition keeps its prior."""
    prior = np.array([0.3, 0.1, 0.2, 0.05])
    stated = np.full((4, 1), np.nan)
    net = from_arrays(stated, np.array([0.1]), prior, exclusions=[(0, [1, 2], 0.1)])
    post = posterior(net, CTX, {})
    p_none = (1 - 0.1) * (1 - 0.2)
    assert post.log_evidence == pytest.approx(0.0, abs=1e-12)
    assert post.marginals[0] == pytest.approx(0.3 * (p_none + 0.1 * (1 - p_none)), abs=1e-12)
    np.testing.assert_allclose(post.marginals[1:], prior[1:], atol=1e-12)


def test_exclusions_change_only_their_targets() -> None:
    """The label is a query: the evidence and every other condition's probability (so every doctor-level
    probability) are exactly those without exclusions, and the label never exceeds the membership."""
    from crampcheck.engine.posterior import prob_any

    rng = np.random.default_rng(23)
    for _ in range(10):
        stated, leak, prior = random_net(rng, 8, 9)
        excl = random_exclusions(rng, 8)
        obs = {j: bool(rng.random() < 0.4) for j in range(9) if rng.random() < 0.8}
        plain = posterior(from_arrays(stated, leak, prior, max_causes=3), CTX, obs)
        net = from_arrays(stated, leak, prior, max_causes=3, exclusions=excl)
        post = posterior(net, CTX, obs)
        targets = sorted({t for t, _, _ in excl})
        others = [i for i in range(8) if i not in targets]
        np.testing.assert_allclose(post.marginals[others], plain.marginals[others], atol=1e-12)
        assert np.all(post.marginals[targets] <= plain.marginals[targets] + 1e-12)
        assert post.log_evidence == pytest.approx(plain.log_evidence, abs=1e-12)
        flags = np.ones(8, dtype=bool)
        assert prob_any(net, post, flags) == pytest.approx(prob_any(net, plain, flags), abs=1e-12)


def test_leave_one_out_with_exclusions_equals_posterior_without_that_answer() -> None:
    rng = np.random.default_rng(31)
    stated, leak, prior = random_net(rng, 8, 9)
    excl = [(0, [1, 2], 0.2), (0, [5], 0.5)]
    net = from_arrays(stated, leak, prior, exclusions=excl)
    obs = {0: True, 2: False, 5: True, 7: False}
    post = posterior(net, CTX, obs)
    loo = leave_one_out(net, CTX, post)
    for k, (j, _) in enumerate(post.obs):
        rest = {jj: v for jj, v in obs.items() if jj != j}
        np.testing.assert_allclose(loo[:, k], posterior(net, CTX, rest).marginals, atol=2e-6)


def test_exclusion_factor_one_changes_nothing() -> None:
    rng = np.random.default_rng(17)
    stated, leak, prior = random_net(rng, 6, 7)
    obs = {0: True, 2: False, 4: True}
    plain = posterior(from_arrays(stated, leak, prior), CTX, obs).marginals
    same = posterior(from_arrays(stated, leak, prior, exclusions=[(0, [1, 3], 1.0)]), CTX, obs).marginals
    np.testing.assert_allclose(same, plain, atol=1e-12)


def test_present_explaining_cause_takes_the_finding_from_the_excluded_condition() -> None:
    """Both conditions explain the finding equally; the second also has a finding of its own. Once that
    specific finding is present, the excluded condition falls below the explaining one."""
    stated = np.array([[0.9, np.nan], [0.9, 0.9]])
    leak = np.array([0.2, 0.01])
    prior = np.array([0.4, 0.05])
    obs = {0: True, 1: True}
    before = posterior(from_arrays(stated, leak, prior), CTX, obs).marginals
    after = posterior(from_arrays(stated, leak, prior, exclusions=[(0, [1], 0.1)]), CTX, obs).marginals
    assert after[0] < before[0] and after[0] < after[1]


def test_truncated_enumeration_with_exclusions_within_reported_bound() -> None:
    rng = np.random.default_rng(8)
    for _ in range(15):
        stated, leak, prior = random_net(rng, 11, 12)
        prior = prior * 0.4
        excl = random_exclusions(rng, 11)
        obs = {j: bool(rng.random() < 0.3) for j in range(12)}
        post = posterior(from_arrays(stated, leak, prior, max_causes=3, exclusions=excl), CTX, obs)
        ref, _ = brute_force_marginals(stated, leak, prior, obs, exclusions=excl)
        assert float(np.max(np.abs(post.marginals - ref))) <= post.neglected_bound + 1e-12


def test_several_groups_take_the_smallest_factor_present() -> None:
    prior = np.array([0.3, 0.1, 0.2])
    stated = np.full((3, 1), np.nan)
    net = from_arrays(stated, np.array([0.1]), prior, exclusions=[(0, [1], 0.1), (0, [2], 0.5)])
    p1, p2 = 0.1, 0.2
    factor = (1 - p1) * (1 - p2) + 0.5 * (1 - p1) * p2 + 0.1 * p1  # none / only cause 2 / cause 1 present
    assert posterior(net, CTX, {}).marginals[0] == pytest.approx(0.3 * factor, abs=1e-12)


def test_invalid_exclusions_are_refused() -> None:
    stated = np.full((3, 1), np.nan)
    leak, prior = np.array([0.1]), np.array([0.1, 0.1, 0.1])
    for bad in ([(0, [0], 0.5)], [(0, [1], 0.0)], [(0, [5], 0.5)], [(0, [1], 0.5), (1, [2], 0.5)]):
        with pytest.raises(ValueError):
            from_arrays(stated, leak, prior, exclusions=bad)


def test_pgmpy_agrees_with_exclusions() -> None:
    """pgmpy with the excluded condition as a child of its explaining causes (a CPD with r x prior)."""
    pytest.importorskip("pgmpy")
    from oracles.pgmpy_reference import pgmpy_marginals

    rng = np.random.default_rng(12)
    stated, leak, prior = random_net(rng, 7, 8)
    excl = [(0, [2, 4], 0.1), (0, [5, 4], 0.5), (3, [1, 6], 0.3)]
    obs = {0: True, 1: False, 3: True, 6: False, 7: True}
    ours = posterior(from_arrays(stated, leak, prior, exclusions=excl), CTX, obs).marginals
    np.testing.assert_allclose(ours, pgmpy_marginals(stated, leak, prior, obs, exclusions=excl), atol=1e-9)
