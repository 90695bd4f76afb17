"""Shared test set-up: make the oracles importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# Starlette's TestClient sends "Host: testserver"; the server answers only to the names it is told
# (crampcheck.api.guard), so in-process tests allow that name. Real test servers get a clean environment.
import os  # noqa: E402

os.environ.setdefault("CRAMPCHECK_ALLOWED_HOSTS", "testserver")


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_signin_limit() -> None:
    """Wrong tokens that one test sends on purpose must not rate-limit the next test (crampcheck.api.ratelimit)."""
    from crampcheck.api.ratelimit import signin_failures

    signin_failures.clear()
