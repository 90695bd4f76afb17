#!/usr/bin/env bash
# Sets everything up (Debian's chromium, PostgreSQL, CJK fonts, poppler; the Python environment), then runs
# the whole test suite: lint, type check, architecture contract, knowledge-base check and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
export PYTHONDONTWRITEBYTECODE=1
echo "== ruff";          .venv/bin/ruff check src tests benchmarks tools
echo "== mypy";          .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== kb check";      .venv/bin/crampcheck kb check
echo "== pytest";        .venv/bin/pytest -q "$@"
