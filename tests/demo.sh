#!/usr/bin/env bash
# The demo: a throwaway local wiki with sample users, one real run of
# pwb emailuser over a category, and the emails that arrived, decoded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
exec .venv/bin/python tests/demo.py "$@"
