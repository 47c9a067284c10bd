"""The journal's key of an account, and journals of earlier schemas brought to schema 4.

An account is the account the journal met: its user id and its registration time. A
journal of schema 1, 2 or 3 keeps everyone it reached reached; schema 3's central ids,
read without asking whether the account was attached to that global account, are
forgotten; a row that lacks a registration time is matched by user id alone and takes
the registration of the account the next run meets.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.journal.schema import SCHEMA_VERSION, State
from emailuserlib.journal.store import Journal, find, fingerprint
from harness import oldjournals

WIKI = '//wiki.example/w examplewiki'
FP = fingerprint('Hi', 'Body', False)
T = 1_700_000_000.0


def person(name: str, userid: int, registered: str = '', centralid: int | None = None):
    return Recipient(
        name, Status.EMAILABLE, userid=userid, registered=registered, centralid=centralid
    )


def opened(path: Path, name: str = 'Hi', wiki: str = WIKI) -> Journal:
    journal = Journal(path)
    journal.open_campaign(wiki, name, FP)
    journal.for_run('Sender', wiki)
    return journal


def state_of(journal: Journal, user) -> State | None:
    entry = find(journal.states(), user)
    return entry and entry.state


def columns(path: Path, table: str) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [row[1] for row in db.execute(f'PRAGMA table_info({table})')]
    finally:
        db.close()


def test_schema_is_4():
    assert SCHEMA_VERSION == 4


def test_a_user_id_that_now_has_another_registration_is_a_new_person(tmp_path):
    """The reinstall case: the same wiki (address and database name), its users made
    again in another order. The new holder of user id 7 is planned and emailed; the
    old row keeps its history."""
    path = tmp_path / 'j.sqlite3'
    journal = opened(path)
    old = person('Ada', 7, '2024-01-01T10:00:00Z')
    journal.plan([old])
    journal.record(old, State.SENT, 'sent')
    new = person('Bruno', 7, '2025-03-01T09:00:00Z')
    assert state_of(journal, new) is None
    assert state_of(journal, old) == State.SENT
    journal.remember([new])
    journal.plan([new])
    journal.record(new, State.SENT, 'sent')
    rows = sorted(
        journal.db.execute('SELECT userid, registered, username, state FROM recipient').fetchall()
    )
    assert rows == [
        (7, '2024-01-01T10:00:00Z', 'Ada', 'sent'),
        (7, '2025-03-01T09:00:00Z', 'Bruno', 'sent'),
    ]
    journal.close()


def test_an_account_whose_registration_the_wiki_does_not_give_is_matched_by_user_id(tmp_path):
    journal = opened(tmp_path / 'j.sqlite3')
    reached = person('Ada', 7, '2024-01-01T10:00:00Z')
    journal.plan([reached])
    journal.record(reached, State.SENT, 'sent')
    assert state_of(journal, person('Ada', 7, '')) == State.SENT
    # And a row without one matches any registration of that user id.
    unknown = person('Old', 8, '')
    journal.plan([unknown])
    journal.record(unknown, State.SENT, 'sent')
    assert state_of(journal, person('Old', 8, '2003-01-01T00:00:00Z')) == State.SENT
    journal.close()


def schema_3(path: Path) -> Path:
    rows = f"""
INSERT INTO campaign VALUES (1, '{WIKI}', 'Hi', {T});
INSERT INTO version VALUES (1, 1, '{FP}', {T});
INSERT INTO recipient VALUES (1, 7, 90007, 'Ada', 'sent', 'sent', '', 0, 1, 'Sender', {T});
INSERT INTO recipient VALUES (1, 8, 90008, 'Bruno', 'posted', 'posted', '', 1, 1, 'Sender', {T});
INSERT INTO recipient VALUES (1, 9, NULL, 'Cleo', 'uncertain', '', 'lost', 0, 1, 'Sender', {T});
INSERT INTO recipient VALUES (1, NULL, NULL, 'Gone Name', 'sent', '', '', 0, 1, 'Sender', {T});
INSERT INTO recipient VALUES (1, 10, 90010, 'Dora', 'planned', '', '', 0, NULL, '', {T});
INSERT INTO send VALUES ('{WIKI}', 'Sender', '', {T});
"""
    return oldjournals.write(path, oldjournals.SCHEMA_3, rows, 3)


def schema_2(path: Path) -> Path:
    rows = f"""
INSERT INTO campaign VALUES (1, '{WIKI}', 'Hi', {T});
INSERT INTO version VALUES (1, 1, '{FP}', {T});
INSERT INTO recipient VALUES (1, 'Ada', 'sent', 'sent', '', 0, 1, 'Sender', {T});
INSERT INTO recipient VALUES (1, 'Bruno', 'posted', 'posted', '', 1, 1, 'Sender', {T});
INSERT INTO recipient VALUES (1, 'Cleo', 'uncertain', '', 'lost', 0, 1, 'Sender', {T});
INSERT INTO recipient VALUES (1, 'Gone Name', 'sent', '', '', 0, 1, 'Sender', {T});
"""
    return oldjournals.write(path, oldjournals.SCHEMA_2, rows, 2)


def schema_1(path: Path) -> Path:
    rows = f"""
INSERT INTO campaign VALUES (1, 'localwiki:en', 'Sender', 'x', 'Hi', {T});
INSERT INTO recipient VALUES (1, 'Ada', 'sent', '', 0, {T});
INSERT INTO recipient VALUES (1, 'Gone Name', 'sent', '', 0, {T});
INSERT INTO recipient VALUES (1, 'Cleo', 'sending', '', 0, {T});
"""
    return oldjournals.write(path, oldjournals.SCHEMA_1, rows, 1)


@pytest.mark.parametrize('make', [schema_1, schema_2, schema_3], ids=['v1', 'v2', 'v3'])
def test_an_older_journal_keeps_everyone_it_reached_reached(tmp_path, make):
    path = make(tmp_path / 'old.sqlite3')
    journal = Journal(path)
    assert journal.db.execute('PRAGMA user_version').fetchone()[0] == 4
    assert 'registered' in columns(path, 'recipient')
    assert {'provider', 'central', 'sender'} <= set(columns(path, 'campaign'))
    journal.open_campaign(WIKI, 'Hi', FP, legacy_wiki='localwiki:en')
    journal.for_run('Sender', WIKI)
    if make is not schema_3:  # rows known by name: a run gives them their ids
        journal.adopt_ids(
            WIKI, {'Ada': (7, '2020-05-05T00:00:00Z', 90007, 'Ada'), 'Cleo': (9, '', None, 'Cleo')}
        )
    states = journal.states()
    ada = person('Ada', 7, '2020-05-05T00:00:00Z', 90007)
    assert find(states, ada).state == State.SENT
    assert find(states, 'Gone Name').state == State.SENT
    assert find(states, person('Cleo', 9)).state in (State.UNCERTAIN, State.SENDING)
    if make is not schema_1:
        bruno = person('Bruno', 8, '2020-01-01T00:00:00Z')
        if make is schema_2:
            journal.adopt_ids(WIKI, {'Bruno': (8, '2020-01-01T00:00:00Z', None, 'Bruno')})
            states = journal.states()
        assert find(states, bruno).state == State.POSTED
    # The next run that meets Ada gives her row her registration; another person
    # with her user id is then someone else.
    journal.remember([ada])
    states = journal.states()
    assert find(states, ada).state == State.SENT
    assert find(states, person('Zed', 7, '2026-01-01T00:00:00Z')) is None
    journal.close()


def test_schema_3_central_ids_are_forgotten_and_the_next_run_gives_them_again(tmp_path):
    """Schema 3 read CentralAuth's id of a name without asking whether the account was
    attached: such an id could stand for a stranger on another wiki."""
    path = schema_3(tmp_path / 'old.sqlite3')
    journal = opened(path)
    central = dict(journal.db.execute('SELECT userid, centralid FROM recipient'))
    assert set(central.values()) == {None}
    journal.remember([person('Ada', 7, '2020-05-05T00:00:00Z', 50001), person('Dora', 10)])
    central = dict(journal.db.execute('SELECT username, centralid FROM recipient'))
    assert central['Ada'] == 50001 and central['Dora'] is None
    journal.close()
