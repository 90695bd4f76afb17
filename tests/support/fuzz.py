"""schemathesis's own engine (every phase: examples, coverage, fuzzing, stateful; every check) run in process
against the ASGI app, as ``schemathesis run`` would run it against a server, with counts of what it did.

Used by the diary schemathesis tests (bounded by default, ``CRAMPCHECK_FUZZ_CASES`` for a long run) and by
``python -m support.fuzz`` for a run by hand.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

Asgi = Callable[..., Any]


@dataclass
class FuzzResult:
    cases: int = 0  # generated requests sent (every phase, stateful steps included)
    by_phase: Counter[str] = field(default_factory=Counter)
    by_operation: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)  # "METHOD /path -> 500: ..." once per distinct one
    failures: dict[str, list[str]] = field(default_factory=dict)  # check name -> distinct failure texts
    errors: list[str] = field(default_factory=list)  # engine errors (a check or the engine itself crashed)
    seconds: float = 0.0

    def summary(self) -> str:
        fails = {k: len(v) for k, v in self.failures.items()}
        return (
            f"{self.cases} cases in {self.seconds:.0f} s, phases {dict(self.by_phase)}, "
            f"statuses {sorted(self.statuses.items())}, server errors {len(self.server_errors)}, "
            f"failed checks {fails}, engine errors {len(self.errors)}"
        )


def run_engine(
    app: Asgi,
    *,
    max_examples: int,
    include_path_regex: str | None = None,
    exclude_operations: Iterable[str] = (),
    seed: int = 15,
    stateful_steps: int | None = None,
    valid_may_be_refused: dict[str, str] | None = None,
    coverage: bool = True,
) -> FuzzResult:
    """Run schemathesis (all phases, all checks) against ``app`` in process and count what happened.

    ``valid_may_be_refused``: operation label -> why a request its schema allows may still get 422 (a rule
    JSON Schema cannot state); for these alone ``positive_data_acceptance`` also takes 422."""
    positive_ok = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
    cfg: dict[str, Any] = {
        "seed": seed,
        "checks": {"enabled": True},
        "generation": {"max-examples": max_examples, "database": "none", "mode": "all"},
        "phases": {"stateful": {"enabled": True}, "coverage": {"enabled": coverage}},
        "operations": [
            {
                "include-name": label,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*positive_ok, "422"]}},
            }
            for label in (valid_may_be_refused or {})
        ],
    }
    if stateful_steps is not None:
        cfg["phases"]["stateful"]["max-steps"] = stateful_steps
    # which operations run: set in the configuration, which every phase (stateful too) follows
    if include_path_regex:
        cfg["operations"].append({"exclude-path-regex": include_path_regex, "enabled": False})
    cfg["operations"] += [{"include-name": label, "enabled": False} for label in exclude_operations]
    config = SchemathesisConfig.from_dict(cfg)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    result = FuzzResult()
    seen: set[str] = set()
    start = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            rec = event.recorder
            result.by_phase[event.phase.value] += len(rec.interactions)
            result.cases += len(rec.interactions)
            for inter in rec.interactions.values():
                if inter.response is None:
                    continue
                code = inter.response.status_code
                result.statuses[code] += 1
                result.by_operation[
                    f"{inter.request.method} {inter.request.uri.split('?')[0].split('/v1/', 1)[-1]}"
                ] += 1
                if code >= 500:
                    req = inter.request
                    text = f"{req.method} {req.uri} -> {code}: {(inter.response.content or b'')[:300]!r}"
                    key = f"{req.method} {rec.label} {code}"
                    if key not in seen:
                        seen.add(key)
                        result.server_errors.append(text)
            for case_id, checks in rec.checks.items():
                for node in checks:
                    if node.status == Status.FAILURE and node.failure_info is not None:
                        f = node.failure_info.failure
                        text = f"{rec.label}: {getattr(f, 'title', '')} {str(getattr(f, 'message', ''))[:400]}"
                        inter = rec.interactions.get(case_id)
                        if inter is not None and inter.response is not None:
                            req = inter.request
                            text += (
                                f"\n  request: {req.method} {req.uri} {str(req.body)[:200]}"
                                f"\n  response: {inter.response.status_code} {inter.response.content[:300]!r}"
                            )
                        bucket = result.failures.setdefault(node.name, [])
                        if text not in bucket:
                            bucket.append(text)
                    elif node.status == Status.ERROR:
                        result.errors.append(f"{rec.label}: check {node.name} crashed")
        elif isinstance(event, events.NonFatalError):
            result.errors.append(str(getattr(event, "info", event))[:500])
        elif isinstance(event, events.FatalError):
            result.errors.append("fatal: " + str(getattr(event, "exception", event))[:500])
    result.seconds = time.monotonic() - start
    return result
