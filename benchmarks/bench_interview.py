"""Benchmark: one interview step (posterior + triage + next question, grouped questions included) on the full
knowledge base, over every step of the interviews of the development vignettes; and, in the same run, the
posterior computed by a general-purpose library (pgmpy VariableElimination, one query per condition) and by
brute-force enumeration on a reduced network (the 14 most common conditions, the same evidence), against
crampcheck's engine on that reduced network.

    .venv/bin/python benchmarks/bench_interview.py [--vignettes ../shared/vignettes/dev.jsonl]

Prints a table; the last line is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from crampcheck.assess import Assessor  # noqa: E402
from crampcheck.engine.network import from_arrays  # noqa: E402
from crampcheck.engine.posterior import Context, posterior  # noqa: E402
from crampcheck.engine.reference import brute_force_marginals  # noqa: E402
from crampcheck.evaluation.patient import SimulatedPatient  # noqa: E402
from crampcheck.evaluation.vignettes import load_vignettes  # noqa: E402
from crampcheck.kb.schema import age_band  # noqa: E402
from crampcheck.runtime import configure_runtime  # noqa: E402

SUB_N = 14
REPEATS = 3


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vignettes", type=Path, default=ROOT.parent / "shared" / "vignettes" / "dev.jsonl")
    ap.add_argument("--reference-cases", type=int, default=30)
    args = ap.parse_args()

    configure_runtime()  # as the CLI and the API do
    a = Assessor()
    vs = load_vignettes(args.vignettes, a.kb)

    # warm-up: build the per-age tables once, as a server does at start
    for v in vs[:5]:
        a.step(v.age, v.sex, {f: True for f in v.presenting}, [])

    step_ms: list[float] = []
    evidence_sets: list[tuple[Context, dict[int, bool]]] = []
    for v in vs:
        patient = SimulatedPatient(v)
        answers: dict[str, bool | None] = {f: True for f in v.presenting}
        asked: list[str] = []
        while True:
            best = float("inf")
            for _ in range(REPEATS):  # best of a few: the machine is shared, the step is deterministic
                t0 = time.perf_counter()
                st = a.step(v.age, v.sex, answers, asked)
                best = min(best, (time.perf_counter() - t0) * 1000)
            step_ms.append(best)
            ctx = Context(v.age, v.sex, answers.get("pregnant"))
            evidence_sets.append(
                (ctx, {a.net.fidx[f]: x for f, x in answers.items() if x is not None and f in a.net.fidx})
            )
            q = st.choice.question
            if q is None or st.choice.should_stop or len(asked) >= 40:
                break
            asked.append(q.id)
            for f in q.findings:
                answers.setdefault(f, patient.answer(f))

    # reduced network for the general-purpose references
    from oracles.pgmpy_reference import pgmpy_marginals

    net = a.net
    common = np.argsort(-net.priors[("60-74", "female")])[:SUB_N]
    rng = np.random.default_rng(0)
    picks = rng.choice(len(evidence_sets), size=min(args.reference_cases, len(evidence_sets)), replace=False)
    ours_ms, pg_ms, bf_ms, max_err = [], [], [], 0.0
    for k in picks:
        ctx, ev = evidence_sets[int(k)]
        cols = sorted(ev)
        stated = net.stated[np.ix_(common, cols)]
        leak = net.leaks[(age_band(ctx.age), ctx.sex)][cols]
        prior = net.priors[(age_band(ctx.age), ctx.sex)][common]
        sub_ev = {j: ev[c] for j, c in enumerate(cols)}
        sub = from_arrays(stated, leak, prior)  # exact: all 2^14 states
        sub_ctx = Context(ctx.age, ctx.sex, False)
        posterior(sub, sub_ctx, sub_ev)
        t0 = time.perf_counter()
        reps = 20
        for _ in range(reps):
            ours = posterior(sub, sub_ctx, sub_ev).marginals
        ours_ms.append((time.perf_counter() - t0) * 1000 / reps)
        t0 = time.perf_counter()
        ref = pgmpy_marginals(stated, leak, prior, sub_ev)
        pg_ms.append((time.perf_counter() - t0) * 1000)
        max_err = max(max_err, float(np.max(np.abs(ref - ours))))
        if len(bf_ms) < 5:
            t0 = time.perf_counter()
            brute_force_marginals(stated, leak, prior, sub_ev)
            bf_ms.append((time.perf_counter() - t0) * 1000)

    fig = {
        "steps": len(step_ms),
        "step_ms": round(statistics.median(step_ms), 3),
        "step_p99_ms": round(pct(step_ms, 99), 3),
        "step_max_ms": round(max(step_ms), 3),
        "sub_conditions": SUB_N,
        "ours_sub_ms": round(statistics.median(ours_ms), 3),
        "reference_ms": round(statistics.median(pg_ms), 3),
        "reference": "pgmpy VariableElimination, one query per condition",
        "speedup": round(statistics.median(pg_ms) / statistics.median(ours_ms), 1),
        "brute_force_ms": round(statistics.median(bf_ms), 3),
        "brute_force_speedup": round(statistics.median(bf_ms) / statistics.median(ours_ms), 1),
        "max_abs_diff_vs_pgmpy": max_err,
        "kb_states": int(len(net.states)),
    }
    rows = [
        ("interview step, full KB (median)", f"{fig['step_ms']} ms", f"{len(step_ms)} steps"),
        ("interview step, full KB (p99)", f"{fig['step_p99_ms']} ms", ""),
        (
            f"posterior, {SUB_N}-condition sub-network: crampcheck",
            f"{fig['ours_sub_ms']} ms",
            "exact, 2^14 states",
        ),
        (f"posterior, {SUB_N}-condition sub-network: pgmpy VE", f"{fig['reference_ms']} ms", f"x{fig['speedup']}"),
        (
            f"posterior, {SUB_N}-condition sub-network: brute force",
            f"{fig['brute_force_ms']} ms",
            f"x{fig['brute_force_speedup']}",
        ),
        ("max |crampcheck - pgmpy|", f"{max_err:.1e}", ""),
    ]
    w = max(len(r[0]) for r in rows)
    print(f"{'measure':<{w}}  {'time':>12}  note")
    for r in rows:
        print(f"{r[0]:<{w}}  {r[1]:>12}  {r[2]}")
    print(json.dumps(fig))


if __name__ == "__main__":
    main()
