#!/usr/bin/env bash
# The benchmark: emailuser against the raw floor and the naive Pywikibot loop on the
# local wiki. Not part of the test suite. Usage: bash tests/benchmark.sh [N] [--repeat R]
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
exec .venv/bin/python tests/benchmark.py "$@"
