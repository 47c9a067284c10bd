#!/usr/bin/env bash
# The test command: installs what is missing, checks style, runs the whole suite.
# Arguments go to pytest, e.g. tests/run.sh -k ratelimit -x
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/pytest "$@"
