"""HTTP throughput and latency of ``POST /v1/assess`` against the trivial ``GET /healthz``, measured in the
same run: ``crampcheck serve`` (uvicorn) in a second process on 127.0.0.1, Debian's ``wrk`` (Lua script for the POST bodies) as
the load generator in a third, at a few concurrencies.

    .venv/bin/python benchmarks/bench_api.py [--duration 5] [--workers 1] [--conc 1,4,16,64] [--no-floor]

Prints a table, then as its last line one JSON object: assess_rps, trivial_rps and assess_p99_ms at the
concurrency where assess throughput peaks, and the ratio assess_rps / trivial_rps (target >= 0.5, with
p99 <= 25 ms). Bodies are realistic interview states (0 to 8 questions answered) built with the core.

A second table measures the ceiling in the same run (``floor_app.py``): the same app serving the same
bodies with their assessments computed beforehand, so each request only reads, validates and serialises.
No assessment can beat it; its ratio (floor_ratio) bounds the reachable ratio, and assessment_budget_ms is
the time per request the assessment itself may take for the ratio to reach 0.5.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from floor_app import FLOOR_PATH, body_bytes

ROOT = Path(__file__).resolve().parents[1]
# As `crampcheck serve` does: one BLAS thread per request thread. Concurrent requests each starting a BLAS
# thread pool on a 2-core machine cut assess throughput by about a third at concurrency 2-4.
SERVER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def interview_bodies(n_steps: int = 8) -> list[dict]:
    """Request bodies of real interview states: site and text answers, then questions answered in turn."""
    from crampcheck.assess import default_assessor
    from crampcheck.schema import Answer, AssessRequest

    a = default_assessor()
    people = [
        (67, "female", ["site_calf", "at_night_in_bed"]),
        (34, "male", ["site_hand"]),
        (52, "female", ["site_foot_toes"]),
        (45, "male", ["site_thigh", "during_exercise"]),
    ]
    bodies = []
    for age, sex, initial in people:
        answers = [Answer(finding=f, state="present", source="text") for f in initial]
        asked: list[str] = []
        for step in range(n_steps):
            req = AssessRequest(age=age, sex=sex, lang="en" if step % 2 else "zh", answers=answers, asked=asked)
            bodies.append(req.model_dump(mode="json"))
            res = a.assess(req)
            q = res.next_question
            if q is None or res.should_stop:
                break
            asked = [*asked, q.id]
            # a plausible person: tick the first option of a grouped question, say no to a single one
            ticked = {q.findings[0]} if q.kind == "multiple" and not q.danger else set()
            answers = answers + [
                Answer(finding=f, state="present" if f in ticked else "absent") for f in q.findings
            ]
    return bodies


def lua_script(bodies: list[dict], path: str = "/v1/assess") -> str:
    items = ",\n".join(f"[==[{body_bytes(b).decode()}]==]" for b in bodies)
    return (
        "local bodies = {\n" + items + "\n}\n"
        "local n = #bodies\nlocal i = 0\n"
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        "request = function()\n  i = i % n + 1\n"
        f'  return wrk.format("POST", "{path}", nil, bodies[i])\nend\n'
    )


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    if not m:
        raise ValueError(f"cannot read a latency from {text!r}")
    return float(m.group(1)) * _UNIT[m.group(2)]


def run_wrk(url: str, conc: int, duration: int, script: Path | None) -> dict[str, float]:
    threads = max(1, min(2, conc))
    cmd = ["wrk", f"-t{threads}", f"-c{conc}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = {p: _ms(v) for p, v in re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if errors:
        raise RuntimeError(f"{errors.group(1)} error responses at concurrency {conc}:\n{out}")
    return {"rps": rps, "p50_ms": lat["50"], "p99_ms": lat["99"]}


def start_server(cmd: list[str], base: str) -> subprocess.Popen[bytes]:
    """Start a server process and wait until its /healthz answers."""
    server = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
        env={
            **SERVER_ENV,
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH")])),
        },
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            sys.exit(f"bench_api: the server did not start within 60 s: {' '.join(cmd)}")
        time.sleep(0.2)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


def measure(
    base: str, path: str, bodies: list[dict], concs: list[int], duration: int
) -> list[tuple[int, dict[str, float], dict[str, float]]]:
    """(concurrency, /healthz figures, figures of POST ``path`` with the bodies) at each concurrency."""
    for b in bodies:  # every body must be accepted, and warms the server
        r = httpx.post(
            base + path, content=body_bytes(b), headers={"content-type": "application/json"}, timeout=30
        )
        r.raise_for_status()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(lua_script(bodies, path), encoding="utf-8")
        run_wrk(base + "/healthz", 8, 1, None)  # warm-up
        for conc in concs:
            t = run_wrk(base + "/healthz", conc, duration, None)
            a = run_wrk(base + path, conc, duration, script)
            rows.append((conc, t, a))
    return rows


def print_rows(title: str, label: str, rows: list[tuple[int, dict[str, float], dict[str, float]]]) -> None:
    print(title)
    print(
        f"{'conc':>5} | {'healthz req/s':>13} {'p50 ms':>7} {'p99 ms':>7} | {label + ' req/s':>12} {'p50 ms':>7} "
        f"{'p99 ms':>7} | ratio"
    )
    for conc, t, a in rows:
        print(
            f"{conc:>5} | {t['rps']:>13.0f} {t['p50_ms']:>7.2f} {t['p99_ms']:>7.2f} | {a['rps']:>12.0f} "
            f"{a['p50_ms']:>7.2f} {a['p99_ms']:>7.2f} | {a['rps'] / t['rps']:.3f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=5, help="seconds per measurement (default 5)")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    ap.add_argument("--conc", default="1,4,16,64", help="concurrencies (default 1,4,16,64)")
    ap.add_argument("--no-floor", action="store_true", help="skip the ceiling measurement (floor_app.py)")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench_api: Debian's 'wrk' is not installed (apt-get install -y wrk)")
    concs = [int(c) for c in args.conc.split(",")]
    bodies = interview_bodies()
    exe = str(Path(sys.executable).with_name("crampcheck"))
    common = ["--log-level", "error"]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(
        [exe, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers), *common], base
    )
    try:
        rows = measure(base, "/v1/assess", bodies, concs, args.duration)
    finally:
        stop_server(server)
    floor_rows: list[tuple[int, dict[str, float], dict[str, float]]] = []
    if not args.no_floor:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        launch = (
            "from crampcheck.api.server import run; "
            f"run('127.0.0.1', {port}, workers={args.workers}, log_level='error', app='floor_app:create_floor_app')"
        )
        server = start_server([sys.executable, "-c", launch], base)
        try:
            floor_rows = measure(base, FLOOR_PATH, bodies, concs, args.duration)
        finally:
            stop_server(server)

    head = (
        f"uvicorn workers={args.workers}, {os.cpu_count()} CPUs, {len(bodies)} interview bodies, "
        f"{args.duration} s per cell, wrk on the same machine"
    )
    print_rows(f"crampcheck serve: {head}", "assess", rows)
    conc, t_peak, a_peak = max(rows, key=lambda r: r[2]["rps"])
    trivial_best = max(r[1]["rps"] for r in rows)
    out: dict[str, float | int | None] = {
        "peak_concurrency": conc,
        "assess_rps": round(a_peak["rps"], 1),
        "assess_p50_ms": round(a_peak["p50_ms"], 2),
        "assess_p99_ms": round(a_peak["p99_ms"], 2),
        "trivial_rps": round(trivial_best, 1),
        "trivial_rps_same_concurrency": round(t_peak["rps"], 1),
        "ratio": round(a_peak["rps"] / trivial_best, 4),
        "target_ratio": 0.5,
        "target_p99_ms": 25,
        "workers": args.workers,
    }
    if floor_rows:
        print()
        print_rows(
            "ceiling (floor_app.py): the same app and bodies, the assessment computed before the run, so that "
            "each request only reads, validates and serialises",
            "floor",
            floor_rows,
        )
        floor_best = max(r[2]["rps"] for r in floor_rows)
        floor_trivial = max(r[1]["rps"] for r in floor_rows)
        # The time per request left for the assessment itself if it is to reach half of /healthz's rate:
        # 1/assess <= 2/trivial, with 1/assess = 1/floor + compute (per worker, at saturation).
        budget = (2.0 / floor_trivial - 1.0 / floor_best) * 1000.0 * args.workers
        print(
            f"ceiling ratio {floor_best / floor_trivial:.3f}: reaching 0.5 leaves {budget:.3f} ms per request "
            f"for the assessment itself"
        )
        out |= {
            "floor_rps": round(floor_best, 1),
            "floor_ratio": round(floor_best / floor_trivial, 4),
            "assessment_budget_ms": round(budget, 3),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
