#!/usr/bin/env bash
# The test command: installs what is missing, checks style, runs the whole suite on every
# core (pytest-xdist), on the newest Python this machine has with the newest Pywikibot,
# and, beside it, the version matrix of tests/versions.txt: the unit tests and the core
# end-to-end tests on the oldest Python with the oldest Pywikibot. A Python this machine
# lacks is skipped with a line that says so.
# Arguments go to pytest, e.g. tests/run.sh -k ratelimit -x; with arguments the matrix
# is left out (bash tests/matrix.sh runs it alone).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# The script runs on Python 3.9 and later (setup.cfg). Its modules start with
# "from __future__ import annotations", so annotations stay strings that Python never
# evaluates: vermin leaves them out (--no-eval-annotations) and checks what runs.
.venv/bin/vermin --target=3.9- --violations --no-tips --no-eval-annotations scripts/

# Two workers a core: a wiki test spends much of its time waiting (for the wiki, for a
# rate limit's window, for a signal to land), which the other worker fills. A third
# worker a core filled no more of it than its own start-up cost (its wikis, its logins).
workers=(-n "$(($(nproc) * 2))" --dist worksteal)
if (($#)); then
    exec .venv/bin/pytest "${workers[@]}" "$@"
fi

# The matrix runs beside the suite, its output kept until the suite is done.
matrix_log=$(mktemp)
trap 'rm -f "$matrix_log"' EXIT
bash tests/matrix.sh >"$matrix_log" 2>&1 &
matrix=$!
status=0
# The slowest tests are listed, so that the suite stays within its time.
.venv/bin/pytest "${workers[@]}" --durations=25 || status=$?
wait "$matrix" || status=$((status ? status : 1))
cat "$matrix_log"
exit "$status"
