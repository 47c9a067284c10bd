"""The journal's state machine, file and lock, without a wiki."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from emailuserlib import journal
from emailuserlib.journal import Journal, JournalError


def open_journal(path, subject='Hi', body='Body', ccme=False, lock=True):
    j = Journal(path)
    j.open_campaign('localwiki:en', 'Sender', subject, body, ccme, lock=lock)
    return j


def test_journal_files_are_private(tmp_path):
    j = open_journal(tmp_path / 'j.sqlite3')
    j.plan(['Alice'])
    j.record('Alice', journal.SENDING)
    for f in tmp_path.iterdir():
        assert f.stat().st_mode & 0o777 == 0o600, f.name
    j.close()


def test_schema_is_versioned_and_a_newer_one_is_refused(tmp_path):
    path = tmp_path / 'j.sqlite3'
    open_journal(path).close()
    db = sqlite3.connect(path)
    assert db.execute('PRAGMA user_version').fetchone()[0] == journal.SCHEMA_VERSION
    db.execute(f'PRAGMA user_version={journal.SCHEMA_VERSION + 1}')
    db.commit()
    db.close()
    with pytest.raises(JournalError, match='newer release'):
        Journal(path)


def test_the_same_message_is_the_same_campaign_and_a_changed_one_is_new(tmp_path):
    path = tmp_path / 'j.sqlite3'
    ids = []
    for subject, body, ccme in [
        ('Hi', 'Body', False),
        ('Hi', 'Body', False),
        ('Hi', 'Body!', False),
        ('Hi', 'Body', True),
    ]:
        j = open_journal(path, subject, body, ccme)
        ids.append(j.campaign)
        j.close()
    assert ids[0] == ids[1]
    assert len({ids[0], ids[2], ids[3]}) == 3


def test_states_move_as_a_rerun_needs(tmp_path):
    j = open_journal(tmp_path / 'j.sqlite3')
    j.plan(['Sent', 'Sending', 'Failed', 'Refused', 'Checked', 'Planned'])
    j.record('Sent', journal.SENT)
    j.record('Sending', journal.SENDING)
    j.record('Failed', journal.FAILED, 'pear-mail-error')
    j.record('Refused', journal.SKIPPED, 'not-emailable:nowikiemail', final=True)
    j.record('Checked', journal.SKIPPED, 'not-emailable')
    j.plan(['Sent', 'Sending', 'Failed', 'Refused', 'Checked', 'Planned', 'New'])
    states = {name: state for name, (state, _, _) in j.states().items()}
    assert states == {
        'Sent': 'sent',  # never again
        'Sending': 'sending',  # uncertain: not again unless asked
        'Failed': 'planned',  # a failure is retried
        'Refused': 'skipped',  # refused for good
        'Checked': 'planned',
        'Planned': 'planned',
        'New': 'planned',
    }
    assert j.resend(uncertain_only=True) == 1
    assert j.states()['Sending'][0] == 'planned'
    assert j.states()['Sent'][0] == 'sent'
    assert j.resend(uncertain_only=False) == 7
    assert j.states() == {}
    j.close()


def test_a_second_run_of_the_campaign_is_refused_while_the_first_holds_it(tmp_path):
    first = open_journal(tmp_path / 'j.sqlite3')
    with pytest.raises(JournalError, match=rf'Another run .*\(PID {os.getpid()}\)'):
        open_journal(tmp_path / 'j.sqlite3')
    other = open_journal(tmp_path / 'j.sqlite3', body='Another message')  # other campaign
    other.close()
    first.close()
    open_journal(tmp_path / 'j.sqlite3').close()


def test_a_killed_process_leaves_no_stale_lock(tmp_path):
    scripts = os.path.join(os.path.dirname(__file__), '..', 'scripts')
    holder = subprocess.Popen(
        [
            sys.executable,
            '-c',
            textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {scripts!r})
            from emailuserlib.journal import Journal
            j = Journal({str(tmp_path / 'j.sqlite3')!r})
            j.open_campaign('localwiki:en', 'Sender', 'Hi', 'Body', False)
            print('locked', flush=True)
            time.sleep(60)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == 'locked'
    with pytest.raises(JournalError):
        open_journal(tmp_path / 'j.sqlite3')
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    open_journal(tmp_path / 'j.sqlite3').close()
