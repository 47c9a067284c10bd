#!/usr/bin/env bash
# The test command: installs what is missing, checks style, runs the whole suite.
# Arguments go to pytest, e.g. tests/run.sh -k ratelimit -x
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# The script runs on Python 3.9 and later (setup.cfg). Its modules start with
# "from __future__ import annotations", so annotations stay strings that Python never
# evaluates: vermin leaves them out (--no-eval-annotations) and checks what runs.
.venv/bin/vermin --target=3.9- --violations --no-tips --no-eval-annotations scripts/
exec .venv/bin/pytest "$@"
