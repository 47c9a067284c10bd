"""Reports and lines true after any stop: signals, a mail in flight, a reader that went away.

A second signal while an email is in flight leaves that recipient uncertain, in the
report and the end lines as in the journal; a stop before anything is sent writes the
report of what was known; output that nobody reads ends the run quietly, as a stop.
Whatever the number of signals, no traceback.
"""

from __future__ import annotations

import contextlib
import shlex
import signal
import subprocess
import time

import pytest

from harness import population as pop
from harness.checks import (
    JOURNAL,
    exactly_once,
    journal_states,
    read_report,
    received,
    report_rows,
)
from harness.pwbconfig import SCRIPT, env_for, pwb_command

# Signals and pipes do not depend on the MediaWiki version.
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

CROWD = [*pop.CROWD_CAMPAIGN, '-text:Hello {username}.']
#: What no stop may print.
NEVER = ('Traceback', 'Exception ignored', 'KeyboardInterrupt', 'cannot be reached')


def until(condition, proc, limit: float = 60) -> None:
    """Wait until *condition()* holds while *proc* runs; never a timing assertion."""
    deadline = time.monotonic() + limit
    while not condition():
        assert proc.poll() is None, 'the run ended first'
        assert time.monotonic() < deadline, 'the run never got there'
        time.sleep(0.02)


def signal_until_it_ends(proc, signals) -> None:
    """Send *signals*, one every 10 ms, for as long as *proc* runs."""
    for signum in signals:
        if proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signum)
        time.sleep(0.01)


def assert_quiet(output: str) -> None:
    for never in NEVER:
        assert never not in output, output


def test_a_second_signal_leaves_the_mail_in_flight_uncertain_where_the_operator_reads(
    sender_via_proxy, proxy, mailbox, tmp_path
):
    report = tmp_path / 'report.csv'
    proxy.arm('emailuser', 'hold-after', at=3)  # the wiki sends the third; its answer waits
    proc = sender_via_proxy.start(*CROWD, f'-report:{report}')
    until(lambda: any(e.fault == 'hold-after' for e in proxy.log), proc)
    proc.send_signal(signal.SIGTERM)
    until(lambda: 'Finishing the delivery to Crowd 03 first' in sender_via_proxy.log(), proc)
    time.sleep(1.1)  # a second signal, not the first one delivered twice (as timeout does)
    # Ctrl-C, then more of everything while the run writes its report and ends.
    signal_until_it_ends(proc, [signal.SIGINT, *[signal.SIGHUP, signal.SIGTERM, signal.SIGINT] * 5])
    proc.wait(60)
    log = sender_via_proxy.log()
    print(log)
    assert proc.returncode == 75, log
    assert_quiet(log)
    assert 'Stopped by SIGTERM: run the same command again to go on.' in log
    assert (
        'WARNING: 1 recipient is uncertain: the wiki may or may not have sent them the '
        'message, and it keeps no record to ask (Crowd 03).'
    ) in log
    assert '2 sent operations\n1 uncertain operation\n57 pending operations\n' in log
    rows = read_report(report)
    assert rows['Crowd 03'] == (
        'uncertain',
        'the run was stopped while emailing this user: it may or may not have gone out',
    )
    assert [s for s, _ in rows.values()].count('sent') == 2
    # As the journal has it: a rerun does not email Crowd 03 again by itself.
    assert journal_states(sender_via_proxy.config_dir / JOURNAL)['sending'] == 1


def test_a_stop_while_reading_histories_replaces_the_old_report_with_what_was_known(
    sender_via_proxy, proxy, mailbox, tmp_path
):
    report = tmp_path / 'report.csv'
    report.write_text('username,status,detail,edits,pages\nEarlier Run,sent,,3,Blue jay\n')
    proxy.arm('query:revisions', 'hold-after')
    proc = sender_via_proxy.start(
        '-editors',
        f'-page:{pop.ARTICLE}',
        '-subject:Thanks',
        '-text:Thank you for your {edits}.',
        '-always',
        f'-report:{report}',
    )
    until(lambda: any(e.fault == 'hold-after' for e in proxy.log), proc)
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    log = sender_via_proxy.log()
    print(log)
    assert proc.returncode == 75, log
    assert_quiet(log)
    assert (
        'Stopped by SIGTERM while reading the histories of the pages, before anything was '
        'sent: run the same command again.'
    ) in log
    # Nobody was known yet: the earlier run's rows are gone, not left looking current.
    assert report.read_text().splitlines() == ['username,status,detail,edits,pages']
    assert mailbox.messages() == []


def shell(sender, args: list[str], pipe: str) -> tuple[int, subprocess.CompletedProcess]:
    """Run ``pwb emailuser ARGS PIPE`` in bash as an operator types it; the script's own
    exit status, and what reached the terminal besides the pipe."""
    command = shlex.join([*pwb_command(), str(SCRIPT), *args])
    result = subprocess.run(
        ['bash', '-c', f'{command} {pipe}; echo "status=${{PIPESTATUS[0]}}" >&2'],
        cwd=sender.config_dir,
        env=env_for(sender.config_dir),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    status = int(result.stderr.rsplit('status=', 1)[1])
    return status, result


def test_output_nobody_reads_ends_the_run_quietly_with_its_report(sender, mailbox, tmp_path):
    status, shown = shell(sender, ['-help'], '| head -n 2')
    assert status == 0, shown.stderr
    assert shown.stdout.splitlines()[0].startswith('Email many wiki users')
    assert_quiet(shown.stderr)

    # -check's list goes to a reader that is gone at once: the report is written whole.
    report = tmp_path / 'check.csv'
    args = [f'-cat:{pop.CATEGORY}', '-check', f'-report:{report}']
    status, shown = shell(sender, args, '| head -n 0')
    print(shown.stderr)
    assert status == 75, shown.stderr
    assert_quiet(shown.stderr)
    assert 'Stopped as its output was closed while listing who can be emailed' in shown.stderr
    assert len(report_rows(report)) == 10

    # A run whose lines go to head: it stops as for a signal, its report true.
    report = tmp_path / 'run.csv'
    args = [f'-cat:{pop.CATEGORY}', '-subject:Meetup', '-text:Hi {username}.', '-always']
    status, shown = shell(sender, [*args, f'-report:{report}'], '2>&1 | head -n 3')
    assert status == 75, shown.stdout
    assert_quiet(shown.stdout + shown.stderr)
    rows = read_report(report)
    sent = [name for name, (state, _) in rows.items() if state == 'sent']
    assert len(mailbox.messages()) == len(sent) <= 1  # at most the mail in flight
    assert received(mailbox) == exactly_once(sent)
    assert sorted(state for state, _ in rows.values()).count('pending') == 6 - len(sent)
