"""A -journal: path at a file that is not a journal of emailuser is left as it is.

Before anything is created, changed or written, the file is identified by
reading it: a missing or empty file is a new journal; a file that is not a
SQLite database, or a database of another program, is refused with one
sentence and keeps its bytes, mode, tables and journal mode; only a journal
of emailuser that is damaged is called damaged. -simulate reads a journal
into memory and writes no file at all. Also here: the key that tells
campaigns apart, and the copy a run saves of a journal replaced under it.
"""

from __future__ import annotations

import sqlite3
import stat
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emailuserlib.core.errors import JournalError
from emailuserlib.journal import store as journal
from emailuserlib.journal.schema import State, campaign_key
from emailuserlib.journal.store import Journal
from harness import oldjournals
from harness.checks import exactly_once, received
from harness.pwbconfig import SCRIPT

WIKI = '//wiki.example/w wikidb'
FP = journal.fingerprint('Hi', 'Body', False)
PAGE = b'<html>public page</html>\n'


def one_sentence(error: JournalError, path: Path) -> str:
    text = str(error)
    assert str(path) in text and text.endswith('.') and '\n' not in text, text
    assert text.count('. ') == 0, text
    return text


def snapshot(folder: Path) -> dict:
    """Every file in *folder*: its bytes and mode."""
    return {
        p.name: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def html(folder: Path) -> Path:
    path = folder / 'index.html'
    path.write_bytes(PAGE)
    path.chmod(0o644)
    return path


def other_database(folder: Path, user_version: int = 0, *tables: str) -> Path:
    """Another program's SQLite database, readable by all."""
    path = folder / 'places.sqlite'
    db = sqlite3.connect(path)
    for table in tables or ('bookmarks',):
        db.execute(f'CREATE TABLE {table} (url TEXT)')
        db.execute(f"INSERT INTO {table} VALUES ('https://example.org')")
    db.execute(f'PRAGMA user_version={user_version}')
    db.commit()
    db.close()
    path.chmod(0o644)
    return path


def filled(path: Path) -> Path:
    j = Journal(path)
    j.open_campaign(WIKI, 'Hi', FP)
    j.for_run('Sender', WIKI)
    j.lock()
    j.plan(['Alice', 'Bob'])
    j.record('Alice', State.SENT, 'sent')
    j.close()
    return path


def short_file(folder: Path, data: bytes) -> Path:
    path = folder / 'x.db'
    path.write_bytes(data)
    return path


# Unit tests ------------------------------------------------------------------

OTHERS = {
    'html': html,
    'bookmarks': lambda f: other_database(f),
    'schema-2-of-another-program': lambda f: other_database(f, 2, 'bookmarks'),
    'schema-7': lambda f: other_database(f, 7),
    'negative-schema': lambda f: other_database(f, -1, 'campaign', 'recipient'),
    'header-only': lambda f: short_file(f, b'SQLite format 3\0' * 3),
}


@pytest.mark.parametrize('read_only', [False, True], ids=['run', 'simulate'])
@pytest.mark.parametrize('kind', list(OTHERS))
def test_another_programs_file_is_refused_and_left_as_it_is(tmp_path, kind, read_only):
    path = OTHERS[kind](tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(JournalError) as caught:
        Journal(path, read_only=read_only)
    text = one_sentence(caught.value, path)
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
    one_sentence(caught.value, path)
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
    path = filled(tmp_path / 'j.sqlite3')
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
        one_sentence(caught.value, path)


V2 = """
INSERT INTO campaign VALUES (1, '//wiki.example/w wikidb', 'Hi', 1);
INSERT INTO recipient VALUES (1, 'Alice', 'sent', 'sent', '', 1, NULL, 'Sender', 10);
"""


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
    assert sqlite3.connect(path).execute('PRAGMA user_version').fetchone()[0] == 3


def test_simulate_changes_neither_the_journal_nor_its_mode(tmp_path):
    path = filled(tmp_path / 'j.sqlite3')
    (tmp_path / 'j.sqlite3.lock').unlink()
    path.chmod(0o644)
    before = snapshot(tmp_path)
    j = Journal(path, read_only=True)
    j.open_campaign(WIKI, 'Hi', FP, create=False)
    assert journal.find(j.states(), 'Alice').state == State.SENT
    j.close()
    assert snapshot(tmp_path) == before


def test_the_saved_copy_is_never_written_through_a_link(tmp_path, monkeypatch):
    path = filled(tmp_path / 'j.sqlite3')
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
    one_sentence(caught.value, path)
    j.close()
    assert elsewhere.read_bytes() == b'not yours'
    assert saved.is_symlink()


def test_the_saved_copy_is_a_new_file_of_its_owner_only(tmp_path, monkeypatch):
    path = filled(tmp_path / 'j.sqlite3')
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


# The key of a campaign's name ---------------------------------------------------

FOLDED_OTHERWISE = ['\u00df', '\u1e9e', '\ufb01', '\u017f', '\u03c2', '\u0149']


def test_names_that_only_case_folding_makes_equal_are_two_campaigns():
    assert campaign_key('Ma\u00dfe') != campaign_key('Masse')
    assert campaign_key('Ma\u00dfe') == campaign_key('MA\u00dfE')
    assert campaign_key('Meet_up  2025 ') == campaign_key('MEET UP 2025')


def lower_form(name: str) -> str:
    """The name as a person compares it: NFC, spaces and underscores collapsed, lower case."""
    text = ' '.join(unicodedata.normalize('NFC', name).replace('_', ' ').split())
    return unicodedata.normalize('NFC', text.lower())


names = st.text(st.characters(blacklist_categories=('Cs',)), max_size=10)


@given(names, names)
def test_distinct_lower_case_forms_stay_distinct(a, b):
    if lower_form(a) != lower_form(b):
        assert campaign_key(a) != campaign_key(b)
    else:
        assert campaign_key(a) == campaign_key(b)


@given(names, st.sampled_from(FOLDED_OTHERWISE), names)
def test_a_letter_and_its_case_folding_stay_distinct(before, letter, after):
    name = before + letter + after
    if lower_form(name) != lower_form(name.casefold()):
        assert campaign_key(name) != campaign_key(name.casefold())


# The script, against the test wiki ---------------------------------------------------

RUN = ('-page:User:Alice', '-subject:Identity', '-text:Hello.', '-always')


def refused(result, path: Path) -> None:
    """Exit 1, no traceback, one sentence naming the file as not a journal of emailuser."""
    assert result.returncode == 1, result.output
    assert 'Traceback' not in result.output, result.output
    lines = [line for line in result.output.splitlines() if str(path) in line]
    assert len(lines) == 1, result.output
    assert 'is not a journal of emailuser' in lines[0], lines[0]
    assert 'damaged' not in result.output and 'keep a copy' not in result.output


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')  # the file, not the wiki, decides
@pytest.mark.parametrize('simulate', [False, True], ids=['run', 'simulate'])
@pytest.mark.parametrize('kind', ['html', 'bookmarks'])
def test_a_journal_path_at_another_programs_file(sender, mailbox, tmp_path, kind, simulate):
    path = OTHERS[kind](tmp_path)
    before = snapshot(tmp_path)
    if simulate:
        result = sender.pwb('-simulate', str(SCRIPT), *RUN, f'-journal:{path}')
    else:
        result = sender.run(*RUN, f'-journal:{path}')
    refused(result, path)
    assert mailbox.messages() == []
    assert snapshot(tmp_path) == before


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_simulate_leaves_the_journal_of_a_campaign_as_it_was(sender, mailbox, tmp_path):
    path = tmp_path / 'j.sqlite3'
    first = sender.run(*RUN, f'-journal:{path}')
    assert first.returncode == 0, first.output
    assert received(mailbox) == exactly_once(['Alice'])
    mailbox.clear()
    path.chmod(0o644)
    before = snapshot(tmp_path)
    result = sender.pwb(
        '-simulate', str(SCRIPT), *RUN[:-1], '-page:User:Bob', '-always', f'-journal:{path}'
    )
    assert result.returncode == 0, result.output
    assert 'already-sent' in result.output or 'already' in result.output, result.output
    assert mailbox.messages() == []
    assert snapshot(tmp_path) == before


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_campaign_that_only_case_folding_makes_equal_is_another_campaign(
    sender, mailbox, tmp_path
):
    path = tmp_path / 'j.sqlite3'
    first = sender.run(
        '-page:User:Alice',
        '-subject:Ma\u00dfe',
        '-text:\u00dcber Ma\u00dfe.',
        '-always',
        f'-journal:{path}',
    )
    assert first.returncode == 0, first.output
    # Another campaign for someone just reached: the overlap check asks to name it,
    # where case folding made it the same campaign and Alice "already-sent".
    second = sender.run(
        '-page:User:Alice', '-subject:Masse', '-text:Die Masse.', '-always', f'-journal:{path}'
    )
    assert second.returncode == 1, second.output
    assert 'by the campaign "Ma\u00dfe"' in second.output
    assert 'already-sent' not in second.output
    third = sender.run(
        '-page:User:Alice',
        '-subject:Masse',
        '-text:Die Masse.',
        '-always',
        '-campaign:Masse',
        f'-journal:{path}',
    )
    assert third.returncode == 0, third.output
    assert received(mailbox) == exactly_once(['Alice']) + exactly_once(['Alice'])
