#!/usr/bin/env bash
# The version matrix of tests/versions.txt, which tests/run.sh runs beside the suite:
# the unit tests and the core end-to-end tests (delivery, -check, resume, name lists)
# on MediaWiki 1.39, in each venv that tests/setup.sh made (.venvs/pyX.Y), all at once.
# A Python this machine lacks is skipped with a line that says so. Prints one line per
# run, and the whole output of a run that failed; exits non-zero when one failed.
# Arguments go to every run's pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

tests=(
    tests/test_units.py
    tests/test_namelist_units.py
    tests/test_options.py
    tests/test_options_properties.py
    tests/test_door_units.py
    tests/test_respect_units.py
    tests/test_editors_units.py
    tests/test_journal.py
    tests/test_help.py
    tests/test_emailuser.py
    tests/test_operator_tools.py::test_check_gives_each_user_status_and_sends_nothing
    tests/test_resume.py
    tests/test_name_lists.py
)

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
names=()
pids=()
while read -r python_version pywikibot_version; do
    [[ -z $python_version || $python_version == \#* ]] && continue
    name="Python $python_version with Pywikibot $pywikibot_version"
    venv=.venvs/py$python_version
    if [[ ! -x $venv/bin/python ]]; then
        echo "SKIPPED: $name: no Python $python_version on this machine (see tests/setup.sh)."
        continue
    fi
    names+=("$name")
    "$venv/bin/python" -m pytest -p no:cacheprovider -q --mw 1.39 "${tests[@]}" "$@" \
        >"$logs/${#pids[@]}.log" 2>&1 &
    pids+=($!)
done <tests/versions.txt

status=0
for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
        echo "${names[$i]}: $(tail -n 1 "$logs/$i.log" | tr -d '=' | xargs)"
    else
        status=1
        echo "FAILED: ${names[$i]}:"
        cat "$logs/$i.log"
    fi
done
exit "$status"
