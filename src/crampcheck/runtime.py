"""Process-wide runtime settings for the interfaces (CLI, API, benchmarks), applied once at start.

The engine's matrix products are small (a few thousand states x 38 conditions): a multi-threaded BLAS gains
nothing on them and, on a busy 2-core machine, its spinning threads made the slowest interview steps ten
times slower (measured: p90 of the question scoring 32 ms -> 2 ms). Each request therefore uses one BLAS
thread; concurrency comes from serving requests in parallel.
"""

from __future__ import annotations

import functools


@functools.cache
def configure_runtime() -> None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return
    threadpool_limits(limits=1, user_api="blas")
