#!/usr/bin/env bash
# Sets up everything crampcheck needs on a fresh machine with Python 3.11+, pip and apt:
#   - Debian packages (with --system): chromium (browser tests), fonts-noto-cjk (Chinese in PDF and pages),
#     poppler-utils (PDF -> PNG in tests), postgresql (storage tests), wrk (API benchmark)
#   - a virtual environment in .venv with crampcheck and its development tools
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--system" ]]; then
  pkgs=(chromium fonts-noto-cjk poppler-utils postgresql wrk)
  missing=()
  for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    SUDO=""; [[ "$(id -u)" != "0" ]] && SUDO="sudo"
    echo "== installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.crampcheck-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  echo "== installing crampcheck and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi
