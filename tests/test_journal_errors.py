"""A journal that cannot be read or written: one sentence naming it, and nothing sent.

The unit tests damage a real journal file table by table and call each public
method; the end-to-end tests run the script against the test wiki with a
damaged journal and check what the operator sees and that nobody got mail.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emailuserlib.core.errors import JournalError
from emailuserlib.journal import store as journal
from emailuserlib.journal.schema import State
from emailuserlib.journal.store import Journal
from harness import oldjournals
from harness.checks import exactly_once, received
from harness.pwbconfig import SCRIPT

WIKI = '//wiki.example/w wikidb'
FP = journal.fingerprint('Hi', 'Body', False)


def open_journal(path: Path) -> Journal:
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


def damage(path: Path, *tables: str) -> None:
    """Overwrite the first page of each of *tables* (tables or indexes) with junk.

    SQLite notices only when a statement reaches that page, so the file still
    opens: the damage is found partway, by whichever method reads it first.
    """
    with sqlite3.connect(path) as db:
        (size,) = db.execute('PRAGMA page_size').fetchone()
        roots = dict(db.execute('SELECT name, rootpage FROM sqlite_master'))
    db.close()
    data = bytearray(path.read_bytes())
    for table in tables:
        start = (roots[table] - 1) * size
        data[start : start + size] = b'\xa5' * size
    path.write_bytes(bytes(data))


def one_sentence(error: JournalError, path: Path) -> None:
    text = str(error)
    assert str(path) in text and text.endswith('.') and '\n' not in text, text
    assert text.count('. ') == 0, text  # one sentence (paths and numbers aside)


# The journal's own methods ----------------------------------------------

READS = {
    'states': (('recipient',), lambda j: j.states()),
    'reached_elsewhere': (('recipient',), lambda j: j.reached_elsewhere(WIKI, ['Alice'], 0)),
    'unresolved_names': (
        ('recipient', 'recipient_by_name'),
        lambda j: j.unresolved_names(WIKI),
    ),
    'sends_since': (('send', 'send_by_account'), lambda j: j.sends_since(0, 'Sender', WIKI)),
    'sends_since_family': (
        ('send', 'send_by_account'),
        lambda j: j.sends_since(0, 'Sender', family='wikimedia'),
    ),
}

WRITES = {
    'plan': (('recipient', 'recipient_by_name'), lambda j: j.plan(['Carol'])),
    'record': (('recipient', 'recipient_by_name'), lambda j: j.record('Bob', State.SENDING)),
    'record_sent': (('send', 'send_by_account'), lambda j: j.record('Bob', State.SENT, 'sent')),
    'count_send': (('send', 'send_by_account'), lambda j: j.count_send()),
    'resend': (('recipient',), lambda j: j.resend(uncertain_only=True)),
    'adopt_ids': (('recipient',), lambda j: j.adopt_ids(WIKI, {'Bob': (2, None, 'Bob')})),
    'open_campaign': (('campaign', 'version'), lambda j: j.open_campaign(WIKI, 'Hi', FP)),
}


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
    j = open_journal(path)
    with pytest.raises(JournalError, match=r"is damaged \('maybe' is not a valid State\)") as e:
        j.states()
    one_sentence(e.value, path)
    j.close()


V1_WITH_JUNK = """
INSERT INTO campaign VALUES (1, 'localwiki:en', 'Sender', 'aaa', 'Hi', 1);
INSERT INTO recipient VALUES (1, 'Alice', 'sent', '', 0, 10);
INSERT INTO recipient VALUES (1, 'Bob', 'gone fishing', '', 0, 11);
"""


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
    j = open_journal(path)
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


# The script, against the test wiki ----------------------------------------------

RUN = ('-page:User:Alice', '-page:User:Bob', '-subject:Hi', '-text:Hello.', '-always')


def broken_journal(sender, mailbox, tmp_path, kind: str) -> Path:
    """A journal of *kind*, after a run that emailed Alice where the kind needs one."""
    path = tmp_path / 'j.sqlite3'
    if kind == 'text':
        path.write_text('username\nAlice\nBob\n' * 300)
    elif kind == 'folder':
        path.mkdir()
    else:
        first = sender.run('-page:User:Alice', *RUN[2:], f'-journal:{path}')
        assert first.returncode == 0, first.output
        assert received(mailbox) == exactly_once(['Alice'])
        mailbox.clear()
        if kind == 'truncated':
            path.write_bytes(path.read_bytes()[:6000])
        else:  # the table of the recipients, or of the sends the rate limit counts
            damage(path, *READS[kind.split('-')[0]][0])
    return path


def refused_naming(result, path: Path) -> None:
    """Exit 1, no traceback, and one error line naming the journal."""
    assert result.returncode == 1, result.output
    assert 'Traceback' not in result.output, result.output
    lines = [line for line in result.output.splitlines() if f'The journal {path} ' in line]
    assert len(lines) == 1, result.output
    assert lines[0].rstrip().endswith('.'), lines[0]


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')  # a file's damage does not depend on the wiki's version
@pytest.mark.parametrize(
    'kind', ['text', 'folder', 'truncated', 'states-damaged', 'sends_since-damaged']
)
def test_a_broken_journal_stops_every_run_before_any_mail(sender, mailbox, tmp_path, kind):
    path = broken_journal(sender, mailbox, tmp_path, kind)
    before = path.read_bytes() if path.is_file() else None
    simulated = sender.pwb('-simulate', str(SCRIPT), *RUN, f'-journal:{path}')
    refused_naming(simulated, path)
    real = sender.run(*RUN, f'-journal:{path}')
    refused_naming(real, path)
    test = sender.run(*RUN, '-test', f'-journal:{path}')
    refused_naming(test, path)
    assert mailbox.messages() == []
    if before is not None:
        assert path.read_bytes() == before  # kept as it was, for whoever repairs it


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_check_does_not_need_the_journal(sender, mailbox, tmp_path):
    path = broken_journal(sender, mailbox, tmp_path, 'text')
    result = sender.run('-page:User:Alice', '-page:User:Bob', '-check', f'-journal:{path}')
    assert result.returncode == 0, result.output
    assert 'Traceback' not in result.output and str(path) not in result.output
    assert '2 users checked' in result.output
    assert mailbox.messages() == []


# Any bytes at all ---------------------------------------------------------------


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
