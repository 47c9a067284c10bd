"""journal.store: the journal's states, file, lock and errors, without a wiki.

A journal that cannot be read or written is one sentence naming it: the tests damage a
real journal file table by table and call each public method. A -journal: path at a file
that is not a journal of emailuser is left as it is; -simulate reads a journal into
memory and writes no file; the files beside the journal are kept private."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emailuserlib.core.errors import JournalError
from emailuserlib.journal import store as journal
from emailuserlib.journal import store as journals
from emailuserlib.journal.schema import SCHEMA_VERSION, State
from emailuserlib.journal.store import Journal
from harness import oldjournals
from harness.journalfiles import OTHERS, READS, damage, other_database, snapshot

WIKI = '//wiki.example/w wikidb'


def open_journal(path, body='Body', name='Hi', wiki=WIKI, lock=True, family=''):
    j = Journal(path)
    j.open_campaign(wiki, name, journal.fingerprint(name, body, False), legacy_wiki='localwiki:en')
    j.for_run('Sender', wiki, family)
    if lock:
        j.lock()
    return j


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


class Account:
    def __init__(self, userid, name):
        self.userid, self.centralid, self.name = userid, None, name


FP = journal.fingerprint('Hi', 'Body', False)


def open_locked(path: Path) -> Journal:
    j = Journal(path)
    j.open_campaign(WIKI, 'Hi', FP)
    j.for_run('Sender', WIKI)
    j.lock()
    return j


def filled(path: Path) -> Path:
    """A journal of two campaigns: Alice reached by each, Bob planned, one row by name."""
    for name in ('Hi', 'Earlier'):
        j = Journal(path)
        j.open_campaign(WIKI, name, FP)
        j.for_run('Sender', WIKI)
        j.lock()
        j.plan(['Alice', 'Bob'])
        j.record('Alice', State.SENT, 'sent')
        j.close()
    return path


def one_sentence(error: JournalError, path: Path) -> None:
    text = str(error)
    assert str(path) in text and text.endswith('.') and '\n' not in text, text
    assert text.count('. ') == 0, text  # one sentence (paths and numbers aside)


WRITES = {
    'plan': (('recipient', 'recipient_by_name'), lambda j: j.plan(['Carol'])),
    'record': (('recipient', 'recipient_by_name'), lambda j: j.record('Bob', State.SENDING)),
    'record_sent': (('send', 'send_by_account'), lambda j: j.record('Bob', State.SENT, 'sent')),
    'count_send': (('send', 'send_by_account'), lambda j: j.count_send()),
    'adopt_ids': (('recipient',), lambda j: j.adopt_ids(WIKI, {'Bob': (2, None, 'Bob')})),
    'open_campaign': (('campaign', 'version'), lambda j: j.open_campaign(WIKI, 'Hi', FP)),
}


V1_WITH_JUNK = """
INSERT INTO campaign VALUES (1, 'localwiki:en', 'Sender', 'aaa', 'Hi', 1);
INSERT INTO recipient VALUES (1, 'Alice', 'sent', '', 0, 10);
INSERT INTO recipient VALUES (1, 'Bob', 'gone fishing', '', 0, 11);
"""


def read_all(path: Path) -> None:
    """What a run reads of the journal before its first email."""
    j = Journal(path)
    try:
        j.open_campaign(WIKI, 'Hi', FP, create=False)
        j.states()
        j.reached_elsewhere(WIKI, ['Alice'], 0)
        j.unresolved_names(WIKI)
        j.sends_since(0, 'Sender', WIKI)
    finally:
        j.close()


def the_sentence(error: JournalError, path: Path) -> str:
    text = str(error)
    assert str(path) in text and text.endswith('.') and '\n' not in text, text
    assert text.count('. ') == 0, text
    return text


def with_alice_sent(path: Path) -> Path:
    j = Journal(path)
    j.open_campaign(WIKI, 'Hi', FP)
    j.for_run('Sender', WIKI)
    j.lock()
    j.plan(['Alice', 'Bob'])
    j.record('Alice', State.SENT, 'sent')
    j.close()
    return path


V2 = """
INSERT INTO campaign VALUES (1, '//wiki.example/w wikidb', 'Hi', 1);
INSERT INTO recipient VALUES (1, 'Alice', 'sent', 'sent', '', 1, NULL, 'Sender', 10);
"""


def _journal(tmp_path) -> Journal:
    j = Journal(tmp_path / 'j.sqlite3')
    j.open_campaign('wiki', 'campaign', 'fp', create=True)
    return j


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


names = st.text(st.characters(blacklist_categories=('Cs',)), min_size=1, max_size=12)


def old_journal(path, *rows):
    """A journal of an earlier release, which kept one campaign under several names.

    *rows* are (campaign name, user, state); each name gets its campaign and its
    version of one text.
    """
    Journal(path).close()
    fp = journals.fingerprint('Meetup', 'Hi.', False)
    with sqlite3.connect(path) as db:
        for name, user, state in rows:
            now = time.time()
            db.execute(
                'INSERT OR IGNORE INTO campaign (wiki, name, created) VALUES (?, ?, ?)',
                (WIKI, name, now),
            )
            (campaign,) = db.execute('SELECT id FROM campaign WHERE name = ?', (name,)).fetchone()
            version = db.execute(
                'INSERT INTO version (campaign, fingerprint, created) VALUES (?, ?, ?)',
                (campaign, fp, now),
            ).lastrowid
            db.execute(
                'INSERT INTO recipient (campaign, username, state, version, updated)'
                ' VALUES (?, ?, ?, ?, ?)',
                (campaign, user, state.value, version, now),
            )
    return fp


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
    j.close()


def test_a_resend_keeps_every_row_and_goes_on_until_it_reached_everyone(tmp_path):
    j = open_journal(tmp_path / 'j.sqlite3')
    j.plan(['Ann', 'Bob'])
    j.record('Ann', State.SENT, 'sent')
    j.record('Bob', State.SENT, 'sent')
    assert j.resend_state() == (None, None)
    began = j.begin_resend()
    # A rerun of the same -resend goes on with it: the rows are as they were.
    assert j.begin_resend() == began and j.resend_state() == (began, None)
    assert {name: e.state for name, e in j.states().items()} == {'Ann': 'sent', 'Bob': 'sent'}
    j.record('Ann', State.SENT, 'sent')
    assert j.states()['Ann'].updated >= began > j.states()['Bob'].updated
    j.end_resend()
    going_on, ended = j.resend_state()
    assert going_on is None and ended >= began
    # One that another wiki of the campaign goes on with is joined, not begun anew.
    assert j.begin_resend(joined=began - 60) == began - 60
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


def test_the_lock_works_without_fcntl_and_a_killed_holder_leaves_none(tmp_path):
    scripts = os.path.join(os.path.dirname(__file__), '..', '..', 'scripts')
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


def test_a_row_of_an_account_is_found_under_its_new_name_and_a_freed_name_is_new(tmp_path):
    j = open_journal(tmp_path / 'j.sqlite3')
    j.plan([Account(5, 'Rena')])
    j.record(Account(5, 'Rena'), State.SENT, 'sent')
    states = j.states()
    assert journal.find(states, Account(5, 'Rena New')).state == 'sent'
    assert journal.find(states, Account(6, 'Rena')) is None
    j.close()


@pytest.mark.parametrize('name', [*READS, *WRITES])
def test_damage_anywhere_is_found_when_the_journal_is_opened(tmp_path, name):
    path = filled(tmp_path / 'j.sqlite3')
    damage(path, *{**READS, **WRITES}[name][0])
    with pytest.raises(JournalError, match='is damaged') as caught:
        Journal(path)
    one_sentence(caught.value, path)


@pytest.mark.parametrize('name', [*READS, *WRITES])
def test_damage_found_later_is_one_sentence_from_every_method(tmp_path, monkeypatch, name):
    # Damage the check at opening did not see (it came later, or the check missed it).
    monkeypatch.setattr(Journal, '_check_pages', lambda self: None)
    path = filled(tmp_path / 'j.sqlite3')
    tables, call = {**READS, **WRITES}[name]
    damage(path, *tables)
    j = Journal(path)
    if name != 'open_campaign':
        j.open_campaign(WIKI, 'Hi', FP, create=False)
        j.for_run('Sender', WIKI)
    with pytest.raises(JournalError, match='is damaged') as caught:
        call(j)
    one_sentence(caught.value, path)
    j.close()


@pytest.mark.parametrize(
    'make',
    [
        pytest.param(lambda p: p.write_bytes(b'username\nAlice\nBob\n' * 300), id='text'),
        pytest.param(
            lambda p: p.write_bytes(filled(p).read_bytes()[:6000]), id='truncated-partway'
        ),
        pytest.param(lambda p: p.write_bytes(b'SQLite format 3\0' + b'\xff' * 200), id='header'),
        pytest.param(lambda p: p.mkdir(), id='folder'),
    ],
)
def test_a_journal_that_is_not_one_is_one_sentence(tmp_path, make):
    path = tmp_path / 'j.sqlite3'
    make(path)
    with pytest.raises(JournalError) as caught:
        j = Journal(path)
        j.open_campaign(WIKI, 'Hi', FP, create=False)
        j.states()
        j.sends_since(0, 'Sender', WIKI)
    one_sentence(caught.value, path)


def test_a_state_no_release_writes_is_damage(tmp_path):
    path = filled(tmp_path / 'j.sqlite3')
    with sqlite3.connect(path) as db:
        db.execute("UPDATE recipient SET state = 'maybe' WHERE username = 'Bob'")
    db.close()
    j = open_locked(path)
    with pytest.raises(JournalError, match=r"is damaged \('maybe' is not a valid State\)") as e:
        j.states()
    one_sentence(e.value, path)
    j.close()


def test_a_migration_that_meets_damage_rolls_back_whole(tmp_path):
    path = tmp_path / 'j.sqlite3'
    oldjournals.write(path, oldjournals.SCHEMA_1, V1_WITH_JUNK, 1)
    (tmp_path / 'j.sqlite3.campaign-1.lock').touch()
    with pytest.raises(JournalError, match='is damaged') as caught:
        Journal(path)
    one_sentence(caught.value, path)
    db = sqlite3.connect(path)
    assert db.execute('PRAGMA user_version').fetchone()[0] == 1
    assert db.execute('SELECT count(*) FROM recipient').fetchone()[0] == 2
    db.close()
    assert (tmp_path / 'j.sqlite3.campaign-1.lock').exists()


@pytest.mark.parametrize('name', list(WRITES))
def test_every_write_stops_when_the_journal_was_replaced(tmp_path, name):
    path = filled(tmp_path / 'j.sqlite3')
    _tables, call = WRITES[name]
    j = open_locked(path)
    path.rename(tmp_path / 'moved.sqlite3')
    path.write_bytes(b'')
    with pytest.raises(JournalError, match='deleted or replaced'):
        call(j)
    j.close()
    assert path.read_bytes() == b''  # the file put there is not written to


def test_a_record_before_the_run_is_known_writes_nothing(tmp_path):
    j = Journal(tmp_path / 'j.sqlite3')
    j.open_campaign(WIKI, 'Hi', FP)
    with pytest.raises(RuntimeError, match='for_run'):
        j.record('Alice', State.SENDING)
    with pytest.raises(RuntimeError, match='for_run'):
        j.count_send()
    assert j.states() == {}
    assert j.sends_since(0, '', WIKI) == []
    j.close()


def test_the_run_values_go_with_each_send(tmp_path):
    path = tmp_path / 'j.sqlite3'
    j = Journal(path)
    j.open_campaign(WIKI, 'Hi', FP)
    assert j.for_run('Sender', WIKI, 'wikimedia') is j
    j.record('Alice', State.SENDING)
    j.record('Alice', State.SENT, 'sent')
    j.count_send()
    j.close()
    db = sqlite3.connect(path)
    assert (
        db.execute('SELECT wiki, account, family FROM send').fetchall()
        == [(WIKI, 'Sender', 'wikimedia')] * 2
    )
    assert db.execute('SELECT account FROM recipient').fetchall() == [('Sender',)]
    db.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(min_value=0, max_value=60_000),
    junk=st.binary(min_size=1, max_size=600),
)
def test_junk_anywhere_in_a_journal_is_a_journal_error_or_nothing(tmp_path_factory, start, junk):
    folder = tmp_path_factory.mktemp('junk')
    path = filled(folder / 'j.sqlite3')
    data = bytearray(path.read_bytes())
    start %= len(data)
    data[start : start + len(junk)] = junk
    path.write_bytes(bytes(data))
    try:
        read_all(path)
    except JournalError as e:
        one_sentence(e, path)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3000), st.booleans())
def test_any_file_at_the_journal_path_is_a_journal_error_or_a_journal(
    tmp_path_factory, data, header
):
    path = tmp_path_factory.mktemp('any') / 'j.sqlite3'
    path.write_bytes((b'SQLite format 3\0' if header else b'') + data)
    try:
        read_all(path)
    except JournalError as e:
        one_sentence(e, path)


@pytest.mark.parametrize('read_only', [False, True], ids=['run', 'simulate'])
@pytest.mark.parametrize('kind', list(OTHERS))
def test_another_programs_file_is_refused_and_left_as_it_is(tmp_path, kind, read_only):
    path = OTHERS[kind](tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(JournalError) as caught:
        Journal(path, read_only=read_only)
    text = the_sentence(caught.value, path)
    assert 'is not a journal of emailuser' in text
    assert 'damaged' not in text and 'keep a copy' not in text
    assert snapshot(tmp_path) == before  # no -wal, -shm or lock file either


def test_another_programs_database_keeps_its_tables_and_journal_mode(tmp_path):
    path = other_database(tmp_path)
    with pytest.raises(JournalError, match='of another program'):
        Journal(path)
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ['bookmarks']
    assert db.execute('PRAGMA user_version').fetchone()[0] == 0
    assert db.execute('PRAGMA journal_mode').fetchone()[0] == 'delete'
    db.close()


def test_a_newer_journal_is_still_told_as_newer(tmp_path):
    path = other_database(tmp_path, journal.SCHEMA_VERSION + 1, 'campaign', 'recipient')
    before = snapshot(tmp_path)
    with pytest.raises(JournalError, match='newer release') as caught:
        Journal(path, read_only=True)
    the_sentence(caught.value, path)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize('make', ['missing', 'empty', 'sqlite-without-tables'])
def test_a_missing_or_empty_file_is_a_new_journal(tmp_path, make):
    path = tmp_path / 'j.sqlite3'
    if make == 'empty':
        path.write_bytes(b'')
    elif make == 'sqlite-without-tables':
        db = sqlite3.connect(path)
        db.execute('PRAGMA journal_mode=WAL')  # writes the header and nothing else
        db.close()
        assert path.read_bytes().startswith(b'SQLite format 3\0')
    j = Journal(path)
    j.open_campaign(WIKI, 'Hi', FP)
    j.for_run('Sender', WIKI)
    j.record('Alice', State.SENT, 'sent')
    j.close()
    assert Journal(path).open_campaign(WIKI, 'Hi', FP, create=False) is not None


def test_only_a_damaged_journal_of_emailuser_is_called_damaged(tmp_path):
    path = with_alice_sent(tmp_path / 'j.sqlite3')
    with sqlite3.connect(path) as db:
        (size,) = db.execute('PRAGMA page_size').fetchone()
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name='recipient'").fetchone()
    db.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size : root * size] = b'\xa5' * size
    path.write_bytes(bytes(data))
    for read_only in (False, True):
        with pytest.raises(JournalError, match=r'is damaged.*keep a copy') as caught:
            Journal(path, read_only=read_only)
        the_sentence(caught.value, path)


def test_simulate_reads_an_older_journal_without_migrating_it(tmp_path):
    path = tmp_path / 'j.sqlite3'
    oldjournals.write(path, oldjournals.SCHEMA_2, V2, 2)
    path.chmod(0o644)
    before = snapshot(tmp_path)
    j = Journal(path, read_only=True)
    assert j.open_campaign(WIKI, 'Hi', FP, create=False) is not None
    assert journal.find(j.states(), 'Alice').state == State.SENT
    j.close()
    assert snapshot(tmp_path) == before
    j = Journal(path)  # a run migrates it
    j.close()
    assert sqlite3.connect(path).execute('PRAGMA user_version').fetchone()[0] == SCHEMA_VERSION


def test_simulate_changes_neither_the_journal_nor_its_mode(tmp_path):
    path = with_alice_sent(tmp_path / 'j.sqlite3')
    (tmp_path / 'j.sqlite3.lock').unlink()
    path.chmod(0o644)
    before = snapshot(tmp_path)
    j = Journal(path, read_only=True)
    j.open_campaign(WIKI, 'Hi', FP, create=False)
    assert journal.find(j.states(), 'Alice').state == State.SENT
    j.close()
    assert snapshot(tmp_path) == before


def test_the_saved_copy_is_never_written_through_a_link(tmp_path, monkeypatch):
    path = with_alice_sent(tmp_path / 'j.sqlite3')
    j = Journal(path)
    j.open_campaign(WIKI, 'Hi', FP)
    j.for_run('Sender', WIKI)
    j.lock()
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.write_bytes(b'not yours')
    monkeypatch.setattr(journal.time, 'time', lambda: 1000.0)
    saved = tmp_path / 'j.sqlite3.saved-1000'
    saved.symlink_to(elsewhere)
    path.rename(tmp_path / 'moved.sqlite3')
    path.write_bytes(b'')
    with pytest.raises(JournalError, match='exists already') as caught:
        j.record('Bob', State.SENDING)
    the_sentence(caught.value, path)
    j.close()
    assert elsewhere.read_bytes() == b'not yours'
    assert saved.is_symlink()


def test_the_saved_copy_is_a_new_file_of_its_owner_only(tmp_path, monkeypatch):
    path = with_alice_sent(tmp_path / 'j.sqlite3')
    j = Journal(path)
    j.open_campaign(WIKI, 'Hi', FP)
    j.for_run('Sender', WIKI)
    monkeypatch.setattr(journal.time, 'time', lambda: 1000.0)
    path.rename(tmp_path / 'moved.sqlite3')
    path.write_bytes(b'')
    with pytest.raises(JournalError, match='saved its records as'):
        j.record('Bob', State.SENDING)
    j.close()
    saved = tmp_path / 'j.sqlite3.saved-1000'
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    copy = Journal(saved, read_only=True)
    copy.open_campaign(WIKI, 'Hi', FP, create=False)
    assert journal.find(copy.states(), 'Alice').state == State.SENT
    copy.close()


def test_the_lock_file_is_private_and_junk_in_it_is_one_sentence(tmp_path):
    j = _journal(tmp_path)
    j.lock()
    assert (tmp_path / 'j.sqlite3.lock').stat().st_mode & 0o777 == 0o600
    j.close()
    (tmp_path / 'j.sqlite3.lock').write_text('not a lock at all, ' * 50)
    j = _journal(tmp_path)
    with pytest.raises(JournalError, match=r'j.sqlite3.lock of the journal holds something'):
        j.lock()
    j.close()


def test_a_symlinked_lock_file_is_refused_and_its_target_never_made(tmp_path):
    target = tmp_path / 'elsewhere'
    (tmp_path / 'j.sqlite3.lock').symlink_to(target)
    j = _journal(tmp_path)
    with pytest.raises(JournalError, match=r'is a symbolic link or not a plain file'):
        j.lock()
    j.close()
    assert not target.exists()


@given(name=names, data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_a_name_written_otherwise_opens_the_same_campaign(name, data, tmp_path_factory):
    """Spaces, underscores, case and Unicode form do not make another campaign."""
    words = name.replace('_', ' ').split()
    if not words:
        return
    gaps = st.sampled_from([' ', '  ', '_', '\t', ' _\u00a0'])
    spelt = words[0]
    for word in words[1:]:
        spelt += data.draw(gaps) + word
    spelt = data.draw(st.sampled_from(['', ' ', '__'])) + spelt + data.draw(gaps | st.just(''))
    spelt = data.draw(st.sampled_from([spelt, spelt.lower(), unicodedata.normalize('NFD', spelt)]))
    path = tmp_path_factory.mktemp('key') / 'j.sqlite3'
    j = Journal(path)
    first = j.open_campaign(WIKI, name, 'fp')
    assert j.open_campaign(WIKI, spelt, 'fp', create=False) == first
    assert j.campaign_name == name
    assert j.open_campaign(WIKI, spelt, 'other fp') == first
    j.close()


def test_campaigns_an_earlier_release_kept_apart_are_read_as_one_and_then_merged(tmp_path):
    path = tmp_path / 'j.sqlite3'
    fp = old_journal(path, ('Meet up', 'Alice', State.SENT), ('meet_up', 'Bob', State.SENT))
    j = Journal(path)
    # Only looking (-simulate, or before the run goes ahead): both are read as one.
    assert j.open_campaign(WIKI, 'MEET UP', fp, create=False) is not None
    assert j.campaign_name == 'Meet up'
    states = j.states()
    assert {k: e.state for k, e in states.items()} == {'Alice': State.SENT, 'Bob': State.SENT}
    assert all(e.version == j.version for e in states.values())
    assert j.reached_elsewhere(WIKI, ['Alice', 'Bob'], 0) == {}
    # Writing merges them into the first.
    j.open_campaign(WIKI, 'MEET UP', fp)
    j.for_run('Sender', WIKI)
    j.plan(['Alice', 'Bob', 'Carol'])
    assert {k: e.state for k, e in j.states().items()} == {
        'Alice': State.SENT,
        'Bob': State.SENT,
        'Carol': State.PLANNED,
    }
    j.close()
    with sqlite3.connect(path) as db:
        assert db.execute('SELECT name FROM campaign').fetchall() == [('Meet up',)]
        assert db.execute('SELECT count(*) FROM version').fetchone()[0] == 1


def test_the_files_beside_the_journal_are_made_private(tmp_path):
    path = tmp_path / 'j.sqlite3'
    first = Journal(path)
    first.open_campaign(WIKI, 'Hi', 'fp')
    first.for_run('Sender', WIKI)
    first.plan(['Alice'])  # while it is open, SQLite keeps -wal and -shm beside the journal
    beside = [path, path.with_name('j.sqlite3-wal'), path.with_name('j.sqlite3-shm')]
    for p in beside:
        os.chmod(p, 0o644)
    second = Journal(path)
    assert [mode(p) for p in beside] == [0o600, 0o600, 0o600]
    second.open_campaign(WIKI, 'Hi', 'fp', create=False)
    assert journals.find(second.states(), 'Alice').state == State.PLANNED
    second.close()
    first.close()


def test_a_link_beside_the_journal_is_not_followed(tmp_path):
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.write_text('not the journal')
    os.chmod(elsewhere, 0o644)
    link = tmp_path / 'j.sqlite3-wal'
    link.symlink_to(elsewhere)
    journals._keep_private(link)
    assert mode(elsewhere) == 0o644


def test_a_journal_its_owner_made_read_only_stays_read_only(tmp_path):
    path = tmp_path / 'j.sqlite3'
    Journal(path).close()
    os.chmod(path, 0o444)
    Journal(path).close()
    assert mode(path) == 0o400
