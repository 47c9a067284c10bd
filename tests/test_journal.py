"""The journal's state machine, file and lock, without a wiki."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from emailuserlib.core.errors import JournalError
from emailuserlib.journal import store as journal
from emailuserlib.journal.schema import State
from emailuserlib.journal.store import Journal
from harness import oldjournals

WIKI = '//wiki.example/w wikidb'


def open_journal(path, body='Body', name='Hi', wiki=WIKI, lock=True, family=''):
    j = Journal(path)
    j.open_campaign(wiki, name, journal.fingerprint(name, body, False), legacy_wiki='localwiki:en')
    j.for_run('Sender', wiki, family)
    if lock:
        j.lock()
    return j


def test_journal_files_are_private(tmp_path):
    j = open_journal(tmp_path / 'j.sqlite3')
    j.plan(['Alice'])
    j.record('Alice', State.SENDING)
    names = {f.name for f in tmp_path.iterdir()}
    assert 'j.sqlite3.lock' in names
    for f in tmp_path.iterdir():
        assert f.stat().st_mode & 0o777 == 0o600, f.name
    j.close()


def test_a_symlinked_journal_is_refused(tmp_path):
    (tmp_path / 'real.sqlite3').touch()
    (tmp_path / 'j.sqlite3').symlink_to(tmp_path / 'real.sqlite3')
    with pytest.raises(JournalError, match='symbolic link'):
        Journal(tmp_path / 'j.sqlite3')


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


def test_a_campaign_is_the_wiki_and_the_name_and_a_new_text_is_a_new_version(tmp_path):
    path = tmp_path / 'j.sqlite3'
    seen = []
    for body, name, wiki in [
        ('Body', 'Hi', WIKI),
        ('Body', 'Hi', WIKI),
        ('Body, corrected', 'Hi', WIKI),  # same campaign, another version
        ('Body', 'Hi', '//other.example/w wikidb'),  # same family name, other wiki
        ('Body', 'Other subject', WIKI),
    ]:
        j = open_journal(path, body, name, wiki, lock=False)
        seen.append((j.campaign, j.version))
        j.close()
    assert seen[0] == seen[1]
    assert seen[2][0] == seen[0][0] and seen[2][1] != seen[0][1]
    assert len({seen[0][0], seen[3][0], seen[4][0]}) == 3


def test_states_move_as_a_rerun_needs(tmp_path):
    j = open_journal(tmp_path / 'j.sqlite3')
    j.plan(['Sent', 'Sending', 'Uncertain', 'Failed', 'Refused', 'Planned'])
    j.record('Sent', State.SENT, 'sent')
    j.record('Sending', State.SENDING)
    j.record('Uncertain', State.UNCERTAIN, 'uncertain', 'the wiki gave HTTP 504')
    j.record('Failed', State.FAILED, 'failed', 'spamblacklist')
    j.record('Refused', State.SKIPPED, 'not-emailable', 'nowikiemail', final=True)
    j.plan(['Sent', 'Sending', 'Uncertain', 'Failed', 'Refused', 'Planned', 'New'])
    states = {name: entry.state for name, entry in j.states().items()}
    assert states == {
        'Sent': 'sent',  # never again
        'Sending': 'sending',  # uncertain: not again unless asked
        'Uncertain': 'uncertain',
        'Failed': 'planned',  # a failure is retried
        'Refused': 'skipped',  # refused for good
        'Planned': 'planned',
        'New': 'planned',
    }
    refused = j.states()['Refused']
    assert (refused.status, refused.detail) == ('not-emailable', 'nowikiemail')
    assert j.resend(uncertain_only=True) == 2
    assert j.states()['Sending'].state == 'planned'
    assert j.states()['Sent'].state == 'sent'
    assert j.resend(uncertain_only=False) == 7
    assert j.states() == {}
    j.close()


def test_sends_are_counted_per_account_across_campaigns(tmp_path):
    path = tmp_path / 'j.sqlite3'
    for name in ('First', 'Second'):
        j = open_journal(path, name=name, family='wikimedia')
        j.record('Alice', State.SENT, 'sent')
        j.record('Bob', State.UNCERTAIN, 'uncertain')
        j.close()
    j = open_journal(path, name='Third')
    assert len(j.sends_since(0, 'Sender', wiki=WIKI)) == 2
    assert len(j.sends_since(0, 'Sender', family='wikimedia')) == 2
    assert j.sends_since(0, 'Other', wiki=WIKI) == []
    assert set(j.reached_elsewhere(WIKI, ['Alice', 'Bob', 'Carol'], 0)) == {'First', 'Second'}
    j.close()


def test_a_second_run_is_refused_while_the_first_holds_the_journal(tmp_path):
    first = open_journal(tmp_path / 'j.sqlite3')
    with pytest.raises(JournalError, match=rf'Another run .*\(PID {os.getpid()}\)'):
        open_journal(tmp_path / 'j.sqlite3', name='Another campaign')
    first.close()
    open_journal(tmp_path / 'j.sqlite3').close()
    # One lock file per journal, however many campaigns and runs.
    assert [f.name for f in tmp_path.iterdir() if 'lock' in f.name] == ['j.sqlite3.lock']


HOLDER = """
import sys, time
sys.modules['fcntl'] = None  # as on Windows: the lock must not need it
sys.path.insert(0, {scripts!r})
from emailuserlib.journal.store import Journal
j = Journal({path!r})
j.open_campaign('w', 'Hi', 'fp')
j.lock()
print('locked', flush=True)
time.sleep(60)
"""


def test_the_lock_works_without_fcntl_and_a_killed_holder_leaves_none(tmp_path):
    scripts = os.path.join(os.path.dirname(__file__), '..', 'scripts')
    code = HOLDER.format(scripts=scripts, path=str(tmp_path / 'j.sqlite3'))
    holder = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'locked'
        with pytest.raises(JournalError, match=f'PID {holder.pid}'):
            open_journal(tmp_path / 'j.sqlite3')
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    open_journal(tmp_path / 'j.sqlite3').close()


def test_a_deleted_or_replaced_journal_stops_the_next_record_and_is_saved(tmp_path):
    path = tmp_path / 'j.sqlite3'
    j = open_journal(path)
    j.record('Alice', State.SENT, 'sent')
    path.unlink()
    with pytest.raises(JournalError, match='deleted or replaced'):
        j.record('Bob', State.SENDING)
    j.close()
    j = open_journal(path)  # written back: Alice is still known
    assert j.states()['Alice'].state == 'sent'
    assert 'Bob' not in j.states()
    path.rename(tmp_path / 'moved')
    path.write_bytes(b'')
    with pytest.raises(JournalError, match='saved its records as'):
        j.record('Bob', State.SENDING)
    j.close()
    (saved,) = tmp_path.glob('j.sqlite3.saved-*')
    assert saved.stat().st_mode & 0o777 == 0o600


def test_a_damaged_journal_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / 'j.sqlite3'
    path.write_bytes(b'this is not a database at all, just text' * 100)
    with pytest.raises(JournalError, match='is not a journal of emailuser'):
        Journal(path)


@pytest.mark.skipif(os.geteuid() == 0, reason='root writes read-only files')
def test_a_read_only_journal_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / 'j.sqlite3'
    open_journal(path).close()
    path.chmod(0o400)
    with pytest.raises(JournalError, match='cannot'):
        open_journal(path)


V1 = """
INSERT INTO campaign VALUES (1, 'localwiki:en', 'Sender', 'aaa', 'Hi', 1);
INSERT INTO campaign VALUES (2, 'localwiki:en', 'Other', 'bbb', 'Hi', 2);
INSERT INTO recipient VALUES (1, 'Alice', 'sent', '', 0, 10);
INSERT INTO recipient VALUES (2, 'Alice', 'planned', '', 0, 11);
INSERT INTO recipient VALUES (2, 'Bob', 'sending', '', 0, 12);
INSERT INTO recipient VALUES (1, 'Dave', 'skipped', 'not-emailable:nowikiemail', 1, 13);
"""


def test_a_journal_of_the_first_schema_keeps_who_was_reached(tmp_path):
    path = tmp_path / 'j.sqlite3'
    oldjournals.write(path, oldjournals.SCHEMA_1, V1, 1)
    (tmp_path / 'j.sqlite3.campaign-1.lock').touch()
    j = open_journal(path, body='A corrected body')
    states = j.states()
    assert states['Alice'].state == 'sent'  # reached by either account: not again
    assert states['Bob'].state == 'sending'
    assert (states['Dave'].status, states['Dave'].detail) == ('not-emailable', 'nowikiemail')
    assert len(j.sends_since(0, 'Sender', wiki=WIKI)) == 1
    j.close()
    assert not (tmp_path / 'j.sqlite3.campaign-1.lock').exists()


#: The rows of a journal of schema 2, which keyed recipients by name.
SCHEMA_2_ROWS = """
INSERT INTO campaign VALUES (1, '//wiki.example/w wikidb', 'Hi', 1.0);
INSERT INTO recipient (campaign, username, state, updated) VALUES (1, 'Alice', 'sent', 2.0),
    (1, 'Old Name', 'sent', 2.0), (1, 'Bob', 'uncertain', 2.0), (1, 'Carol', 'planned', 2.0);
INSERT INTO send VALUES ('//wiki.example/w wikidb', 'Sender', '', 2.0);
"""


class Account:
    def __init__(self, userid, name):
        self.userid, self.centralid, self.name = userid, None, name


def test_a_journal_of_names_migrates_keeping_who_was_reached(tmp_path):
    path = tmp_path / 'j.sqlite3'
    oldjournals.write(path, oldjournals.SCHEMA_2, SCHEMA_2_ROWS, 2)
    j = open_journal(path)
    states = j.states()
    assert {k: e.state for k, e in states.items()} == {
        'Alice': 'sent',
        'Old Name': 'sent',
        'Bob': 'uncertain',
        'Carol': 'planned',
    }
    assert j.sends_since(0, 'Sender', wiki=WIKI) == [2.0]
    assert sorted(j.unresolved_names(WIKI)) == ['Alice', 'Bob', 'Carol', 'Old Name']
    # Alice and Bob have accounts; Old Name was renamed to New Name (user page redirect);
    # Carol has no account any more.
    j.adopt_ids(
        WIKI, {'Alice': (1, None, 'Alice'), 'Bob': (2, None, 'Bob'), 'Old Name': (3, 7, 'New Name')}
    )
    states = j.states()
    assert states[1].state == 'sent' and states[2].state == 'uncertain'
    assert states[3].state == 'sent' and states[3].username == 'New Name'
    assert journal.find(states, Account(3, 'New Name')).state == 'sent'
    assert journal.find(states, Account(9, 'Carol')).state == 'planned'  # by name, as kept
    assert journal.find(states, Account(10, 'Dave')) is None
    # Recording by account keeps one row per account and its current name.
    j.record(Account(3, 'Newest Name'), State.SENT, 'sent')
    assert j.states()[3].username == 'Newest Name'
    assert j.unresolved_names(WIKI) == ['Carol']
    j.close()


def test_a_row_of_an_account_is_found_under_its_new_name_and_a_freed_name_is_new(tmp_path):
    j = open_journal(tmp_path / 'j.sqlite3')
    j.plan([Account(5, 'Rena')])
    j.record(Account(5, 'Rena'), State.SENT, 'sent')
    states = j.states()
    assert journal.find(states, Account(5, 'Rena New')).state == 'sent'
    assert journal.find(states, Account(6, 'Rena')) is None
    j.close()
