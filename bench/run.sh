#!/usr/bin/env sh
# The benchmark in one command, from a fresh clone:
#   bench/run.sh                 # 500 feeds x 50 entries, 3 rounds, all sections (about 15 minutes)
#   bench/run.sh --quick         # a smoke test
#   bench/run.sh --help          # every option
# Creates .venv if missing, installs the project with its benchmark extras, then runs `python -m bench`.
# The HTTP load generator is wrk when installed (Debian: apt-get install wrk), else a Python one.
set -eu
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet -e '.[bench]'
command -v wrk >/dev/null 2>&1 || echo "note: wrk not found (apt-get install wrk); using the Python load generator" >&2
exec "$VENV/bin/python" -m bench "$@"
