#!/usr/bin/env bash
# The version matrix of tests/versions.txt, which tests/run.sh runs beside the suite:
# the unit tests (tests/unit) and the core end-to-end tests (delivery, -check, resume,
# name lists) on MediaWiki 1.39, in each venv that tests/setup.sh made (.venvs/pyX.Y), all at once.
# A Python this machine lacks is skipped with a line that says so. Prints one line per
# run, and the whole output of a run that failed; exits non-zero when one failed.
# Arguments go to every run's pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

tests=(
    # Every module's unit tests (tests/unit), and -help, which needs no wiki.
    tests/unit
    tests/e2e/test_help.py
    # The core end-to-end tests: delivery, -check, resume, name lists. The whole suite runs
    # them on .venv's Python; here each runs once more on the other versions.
    tests/e2e/test_delivery.py::test_category_of_mixed_pages_gives_one_personal_mail_per_emailable_user
    tests/e2e/test_delivery.py::test_non_ascii_subject_and_body_survive_smtp
    tests/e2e/test_delivery.py::test_bad_input_is_one_clear_error_and_nothing_is_sent
    tests/e2e/test_rate_limits.py::test_rate_limited_sender_stops_at_its_limit_with_the_remaining_count
    tests/e2e/test_delivery.py::test_one_emailuser_post_per_recipient_and_nothing_else_per_recipient
    tests/e2e/test_delivery.py::test_library_function_emails_a_list_of_names
    tests/e2e/test_check.py::test_check_gives_each_user_status_and_sends_nothing
    tests/e2e/test_resume.py::test_rerun_after_max_emails_only_those_not_yet_emailed
    tests/e2e/test_interruptions.py::test_interrupted_runs_then_a_rerun_email_everyone_once
    tests/e2e/test_resume.py::test_simulate_reads_the_journal_but_never_writes_it
    tests/e2e/test_name_lists.py::test_a_plain_list_with_and_without_prefix_emails_each_user_once
    tests/e2e/test_name_lists.py::test_a_csv_file_personalises_subject_and_body_per_row
    tests/e2e/test_check.py::test_check_lists_the_users_of_a_list
)

# Each run on as many workers as there are cores, the slow tests first (tests/conftest.py):
# one at a time, the end-to-end tests kept the matrix going after the suite had finished.
workers=(-n "$(nproc)" --dist worksteal)

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
    "$venv/bin/python" -m pytest -p no:cacheprovider -q --mw 1.39 "${workers[@]}" "${tests[@]}" \
        "$@" >"$logs/${#pids[@]}.log" 2>&1 &
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
