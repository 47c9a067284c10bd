"""The journal's schema 4: each channel of a recipient on its own, and when it was reached.

A journal of schema 3 (the tables as the release before wrote them) is migrated
in place, keeping every row; a row that was reached takes its last update as the
time. Merged rows keep each channel's furthest state.
"""

from __future__ import annotations

import sqlite3

from emailuserlib.journal import schema
from emailuserlib.journal.schema import SCHEMA_VERSION, State, merge_row
from emailuserlib.journal.store import Journal

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

WIKI = '//wiki.test wikiid'


def schema_3_journal(path) -> None:
    db = sqlite3.connect(path)
    try:
        with db:
            db.executescript(SCHEMA_3)
            db.execute(
                "INSERT INTO campaign (id, wiki, name, created) VALUES (1, ?, 'Old', 1.0)", (WIKI,)
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
        assert journal.db.execute('PRAGMA user_version').fetchone()[0] == SCHEMA_VERSION == 4
        journal.open_campaign(WIKI, 'Old', 'fp', create=False)
        states = journal.states()
        assert {k: (e.state, e.talk, e.reached) for k, e in states.items()} == {
            11: (State.SENT, '', 100.0),
            12: (State.POSTED, '', 200.0),
            13: (State.PLANNED, '', None),
            'By name': (State.SENT, '', 400.0),
        }
        assert journal.reached_by(WIKI, 'old') == ('Old', {11: 100.0, 12: 200.0, 'By name': 400.0})
        assert journal.reached_by(WIKI, 'Another') is None
        assert journal.campaigns(WIKI) == ['Old']
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
        journal.open_campaign(WIKI, 'Notice', 'fp')
        journal.for_run('Sender', WIKI)
        olga = Recipient('Olga', Status.EMAILABLE, userid=5)
        quentin = Recipient('Quentin', Status.NOT_EMAILABLE, userid=6)
        journal.plan([olga, quentin])
        journal.record(olga, State.SENDING)
        journal.record(olga, State.SENT, Status.SENT)
        journal.record_talk(olga, 'sending')
        journal.record_talk(olga, 'posted', 'User talk:Olga')
        journal.record_talk(quentin, 'sending')
        states = journal.states()
        assert (states[5].state, states[5].talk, states[5].talk_detail) == (
            State.SENT,
            'posted',
            'User talk:Olga',
        )
        assert (states[6].state, states[6].talk, states[6].reached) == (
            State.PLANNED,
            'sending',
            None,
        )
        reached = states[5].reached
        journal.record_talk(olga, 'posted', 'again')  # the first reach stays
        assert journal.states()[5].reached == reached
        # -resend:uncertain: the post in flight is made again, the email stays sent.
        assert journal.resend(uncertain_only=True) == 1
        states = journal.states()
        assert (states[6].talk, states[5].state, states[5].talk) == ('', State.SENT, 'posted')
    finally:
        journal.close()


def test_a_merged_row_keeps_each_channels_furthest_state_and_first_reach():
    db = sqlite3.connect(':memory:')
    with db:
        schema.migrate(db)
        row = ('planned', '', '', 0, None, 'Sender', 10.0)
        merge_row(
            db, 1, (7, None, 'A'), ('sent', 'sent', '', 0, None, 'Sender', 5.0), ('', '', 5.0)
        )
        merge_row(db, 1, (7, None, 'A'), row, ('posted', 'User talk:A', 3.0))
    found = db.execute('SELECT state, talk, talk_detail, reached FROM recipient').fetchall()
    assert found == [('sent', 'posted', 'User talk:A', 3.0)]
