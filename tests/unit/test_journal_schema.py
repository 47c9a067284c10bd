"""The journal's key of an account, and journals of earlier schemas brought to schema 4.

An account is the account the journal met: its user id and its registration time. A
journal of schema 1, 2 or 3 keeps everyone it reached reached; schema 3's central ids,
read without asking whether the account was attached to that global account, are
forgotten; a row that lacks a registration time is matched by user id alone and takes
the registration of the account the next run meets.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.journal import schema
from emailuserlib.journal import store as journal
from emailuserlib.journal.reconcile import _forget
from emailuserlib.journal.schema import SCHEMA_VERSION, State, campaign_key, merge_row
from emailuserlib.journal.store import Journal, find, fingerprint
from emailuserlib.options.table import from_caller
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


def test_schema_is_5():
    assert SCHEMA_VERSION == 5


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
    assert journal.db.execute('PRAGMA user_version').fetchone()[0] == SCHEMA_VERSION
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


OLD_WIKI = '//wiki.example/w wikidb'


def open_journal(path, body='Body', name='Hi', wiki=OLD_WIKI, lock=True, family=''):
    j = Journal(path)
    j.open_campaign(wiki, name, journal.fingerprint(name, body, False), legacy_wiki='localwiki:en')
    j.for_run('Sender', wiki, family)
    if lock:
        j.lock()
    return j


V1 = """
INSERT INTO campaign VALUES (1, 'localwiki:en', 'Sender', 'aaa', 'Hi', 1);
INSERT INTO campaign VALUES (2, 'localwiki:en', 'Other', 'bbb', 'Hi', 2);
INSERT INTO recipient VALUES (1, 'Alice', 'sent', '', 0, 10);
INSERT INTO recipient VALUES (2, 'Alice', 'planned', '', 0, 11);
INSERT INTO recipient VALUES (2, 'Bob', 'sending', '', 0, 12);
INSERT INTO recipient VALUES (1, 'Dave', 'skipped', 'not-emailable:nowikiemail', 1, 13);
"""


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


FOLDED_OTHERWISE = ['\u00df', '\u1e9e', '\ufb01', '\u017f', '\u03c2', '\u0149']


def lower_form(name: str) -> str:
    """The name as a person compares it: NFC, spaces and underscores collapsed, lower case."""
    text = ' '.join(unicodedata.normalize('NFC', name).replace('_', ' ').split())
    return unicodedata.normalize('NFC', text.lower())


names = st.text(st.characters(blacklist_categories=('Cs',)), max_size=10)


spellings = st.text(st.characters(blacklist_categories=('Cs',)), min_size=1, max_size=12)


def test_a_journal_of_the_first_schema_keeps_who_was_reached(tmp_path):
    path = tmp_path / 'j.sqlite3'
    oldjournals.write(path, oldjournals.SCHEMA_1, V1, 1)
    (tmp_path / 'j.sqlite3.campaign-1.lock').touch()
    j = open_journal(path, body='A corrected body')
    states = j.states()
    assert states['Alice'].state == 'sent'  # reached by either account: not again
    assert states['Bob'].state == 'sending'
    assert (states['Dave'].status, states['Dave'].detail) == ('not-emailable', 'nowikiemail')
    assert len(j.sends_since(0, 'Sender', wiki=OLD_WIKI)) == 1
    j.close()
    assert not (tmp_path / 'j.sqlite3.campaign-1.lock').exists()


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
    assert j.sends_since(0, 'Sender', wiki=OLD_WIKI) == [2.0]
    assert sorted(j.unresolved_names(OLD_WIKI)) == ['Alice', 'Bob', 'Carol', 'Old Name']
    # Alice and Bob have accounts; Old Name was renamed to New Name (user page redirect);
    # Carol has no account any more.
    j.adopt_ids(
        OLD_WIKI,
        {
            'Alice': (1, '', None, 'Alice'),
            'Bob': (2, '', None, 'Bob'),
            'Old Name': (3, '', 7, 'New Name'),
        },
    )
    states = j.states()
    assert states[(1, '')].state == 'sent' and states[(2, '')].state == 'uncertain'
    assert states[(3, '')].state == 'sent' and states[(3, '')].username == 'New Name'
    assert journal.find(states, Account(3, 'New Name')).state == 'sent'
    assert journal.find(states, Account(9, 'Carol')).state == 'planned'  # by name, as kept
    assert journal.find(states, Account(10, 'Dave')) is None
    # Recording by account keeps one row per account and its current name.
    j.record(Account(3, 'Newest Name'), State.SENT, 'sent')
    assert j.states()[(3, '')].username == 'Newest Name'
    assert j.unresolved_names(OLD_WIKI) == ['Carol']
    j.close()


def test_names_that_only_case_folding_makes_equal_are_two_campaigns():
    assert campaign_key('Ma\u00dfe') != campaign_key('Masse')
    assert campaign_key('Ma\u00dfe') == campaign_key('MA\u00dfE')
    assert campaign_key('Meet_up  2025 ') == campaign_key('MEET UP 2025')


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


def test_the_campaign_key():
    assert campaign_key(' Meet_up\u00a0 2025\t') == campaign_key('meet UP 2025') == 'meet up 2025'
    # Composed and decomposed forms are one name; other letters are not.
    assert campaign_key('Caf\u00e9') == campaign_key('CAFE\u0301')
    assert campaign_key('Meetup 2025') != campaign_key('Meet up 2025')
    # Lower case, not case folding: a sharp s is not "ss".
    assert campaign_key('Stra\u00dfe') != campaign_key('STRASSE')
    assert campaign_key('Stra\u00dfe') == campaign_key('STRA\u00dfE')


@given(spellings)
def test_the_campaign_key_of_a_key_is_itself(name):
    assert campaign_key(campaign_key(name)) == campaign_key(name)


#: The tables of schema 3, as the release before this one created them.
SCHEMA_3 = """
CREATE TABLE campaign (
    id INTEGER PRIMARY KEY,
    wiki TEXT NOT NULL,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    UNIQUE (wiki, name)
);
CREATE TABLE version (
    id INTEGER PRIMARY KEY,
    campaign INTEGER NOT NULL REFERENCES campaign(id),
    fingerprint TEXT NOT NULL,
    created REAL NOT NULL,
    UNIQUE (campaign, fingerprint)
);
CREATE TABLE recipient (
    campaign INTEGER NOT NULL REFERENCES campaign(id),
    userid INTEGER,
    centralid INTEGER,
    username TEXT NOT NULL,
    state TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    final INTEGER NOT NULL DEFAULT 0,
    version INTEGER,
    account TEXT NOT NULL DEFAULT '',
    updated REAL NOT NULL
);
CREATE UNIQUE INDEX recipient_by_account ON recipient (campaign, userid)
    WHERE userid IS NOT NULL;
CREATE UNIQUE INDEX recipient_by_name ON recipient (campaign, username)
    WHERE userid IS NULL;
CREATE TABLE send (
    wiki TEXT NOT NULL,
    account TEXT NOT NULL,
    family TEXT NOT NULL DEFAULT '',
    at REAL NOT NULL
);
CREATE INDEX send_by_account ON send (account, at);
CREATE TABLE holder (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    since REAL NOT NULL
);
"""

NOTICE_WIKI = '//wiki.test wikiid'


def schema_3_journal(path) -> None:
    db = sqlite3.connect(path)
    try:
        with db:
            db.executescript(SCHEMA_3)
            db.execute(
                "INSERT INTO campaign (id, wiki, name, created) VALUES (1, ?, 'Old', 1.0)",
                (NOTICE_WIKI,),
            )
            rows = [
                (1, 11, 'Sent', 'sent', 100.0),
                (1, 12, 'Posted', 'posted', 200.0),
                (1, 13, 'Planned', 'planned', 300.0),
                (1, None, 'By name', 'sent', 400.0),
            ]
            db.executemany(
                'INSERT INTO recipient (campaign, userid, username, state, updated)'
                ' VALUES (?, ?, ?, ?, ?)',
                rows,
            )
            db.execute('PRAGMA user_version=3')
    finally:
        db.close()


def test_a_schema_3_journal_keeps_every_row_and_learns_when_each_was_reached(tmp_path):
    path = tmp_path / 'journal.sqlite3'
    schema_3_journal(path)
    journal = Journal(path, lock=True)
    try:
        assert journal.db.execute('PRAGMA user_version').fetchone()[0] == SCHEMA_VERSION
        journal.open_campaign(NOTICE_WIKI, 'Old', 'fp', create=False)
        states = journal.states()
        assert {k: (e.state, e.talk, e.reached) for k, e in states.items()} == {
            (11, ''): (State.SENT, '', 100.0),
            (12, ''): (State.POSTED, '', 200.0),
            (13, ''): (State.PLANNED, '', None),
            'By name': (State.SENT, '', 400.0),
        }
        assert journal.reached_by(NOTICE_WIKI, 'old') == (
            'Old',
            {(11, ''): 100.0, (12, ''): 200.0, 'By name': 400.0},
        )
        assert journal.reached_by(NOTICE_WIKI, 'Another') is None
        assert journal.campaigns(NOTICE_WIKI) == ['Old']
    finally:
        journal.close()


def test_migrating_twice_changes_nothing(tmp_path):
    path = tmp_path / 'journal.sqlite3'
    schema_3_journal(path)
    Journal(path).close()
    db = sqlite3.connect(path)
    try:
        before = db.execute('SELECT * FROM recipient ORDER BY rowid').fetchall()
        with db:
            assert schema.migrate(db) == SCHEMA_VERSION
        assert db.execute('SELECT * FROM recipient ORDER BY rowid').fetchall() == before
    finally:
        db.close()


def test_a_talk_page_post_is_journaled_beside_the_email(tmp_path):
    from emailuserlib.core.accounts import Recipient, Status

    journal = Journal(tmp_path / 'journal.sqlite3', lock=True)
    try:
        journal.open_campaign(NOTICE_WIKI, 'Notice', 'fp')
        journal.for_run('Sender', NOTICE_WIKI)
        olga = Recipient('Olga', Status.EMAILABLE, userid=5)
        quentin = Recipient('Quentin', Status.NOT_EMAILABLE, userid=6)
        journal.plan([olga, quentin])
        journal.record(olga, State.SENDING)
        journal.record(olga, State.SENT, Status.SENT)
        journal.record_talk(olga, 'sending')
        journal.record_talk(olga, 'posted', 'User talk:Olga')
        journal.record_talk(quentin, 'sending')
        states = journal.states()
        assert (states[(5, '')].state, states[(5, '')].talk, states[(5, '')].talk_detail) == (
            State.SENT,
            'posted',
            'User talk:Olga',
        )
        assert (states[(6, '')].state, states[(6, '')].talk, states[(6, '')].reached) == (
            State.PLANNED,
            'sending',
            None,
        )
        reached = states[(5, '')].reached
        journal.record_talk(olga, 'posted', 'again')  # the first reach stays
        assert journal.states()[(5, '')].reached == reached
        # -resend:uncertain: the post in flight is made again, the email stays sent.
        settings, _ = from_caller({'resend': 'uncertain'})
        states = _forget(journal.states(), settings, None)
        assert (states[(6, '')].talk, states[(5, '')].state, states[(5, '')].talk) == (
            '',
            State.SENT,
            'posted',
        )
    finally:
        journal.close()


def test_a_merged_row_keeps_each_channels_furthest_state_and_first_reach():
    db = sqlite3.connect(':memory:')
    with db:
        schema.migrate(db)
        row = ('planned', '', '', 0, None, 'Sender', 10.0)
        merge_row(
            db, 1, (7, '', None, 'A'), ('sent', 'sent', '', 0, None, 'Sender', 5.0), ('', '', 5.0)
        )
        merge_row(db, 1, (7, '', None, 'A'), row, ('posted', 'User talk:A', 3.0))
    found = db.execute('SELECT state, talk, talk_detail, reached FROM recipient').fetchall()
    assert found == [('sent', 'posted', 'User talk:A', 3.0)]
