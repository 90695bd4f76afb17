#!/usr/bin/env bash
# Sets everything up, then starts the crampcheck web app and HTTP API on http://127.0.0.1:8000
# (diary on an embedded SQLite file in the user's data directory). Extra arguments go to `crampcheck serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if .venv/bin/crampcheck serve --help >/dev/null 2>&1; then
  exec .venv/bin/crampcheck serve "$@"
fi
exec .venv/bin/crampcheck assess "$@"
