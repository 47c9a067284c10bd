"""The journal's tables, and the migration of journals written by earlier releases.

Schema 4 keys each recipient of a campaign by the wiki's account: its user id
(``userid``) and its registration time (``registered``, '' where the wiki does
not give it), since a wiki installed again gives the same user ids to other
people. A row keeps the name the account had when last seen, for display and
reports, and the central id of the global account it is attached to
(``centralid``), where the wiki has global accounts. Each campaign remembers
its central-id domain (``provider``, and ``central``, the sending account's
central id under it, with ``sender``, its name): rows of campaigns of the same
name on other wikis are matched by central id only within one domain.

Schema 5 journals each channel of a recipient on its own: ``state`` is the
email (or the post of -fallback:talk), ``talk`` the post that -alsotalk adds to
every email (``''`` until it is made, then ``sending`` and ``posted``,
``uncertain`` or ``failed``, with its ``talk_detail``), so that neither is
delivered twice whatever stops a run; ``reached`` is when the campaign first
reached the recipient by either, which -after: and -afterdays: read. An older
journal gains the three columns; a row that was reached takes its last update
as the time. A campaign's ``resend_from`` is when a -resend of it began that
has not reached everyone yet (None when there is none): rows written since
then are this resend's, and a rerun of it does not deliver to them again;
``resend_round`` is when its last resend began, and ``resend_ended`` when that
one reached everyone it was to reach on this wiki.

Schema 3 rows lack the registration (they are matched by user id alone, and
take the account's registration the first time a run meets it) and their
central ids were read without asking whether the account was attached to that
global account: the migration forgets them, and a run gives each row it meets
its central id again.

A row of schema 2 or 1 knew only a name: it is carried over with an empty
``userid``, keeping its state, and :meth:`.Journal.adopt_ids` gives it the id
of the account that has that name, the first time a run on that wiki starts.
A row whose name no account has any more (renamed since, or deleted) keeps
its name as its key, so that whoever that name reached stays reached.

Schema 2 keyed recipients by name; schema 1 also keyed campaigns by
Pywikibot's name of the site, the account and the text. A campaign of schema 1
keeps Pywikibot's name of its site (prefixed :data:`LEGACY`) until the first run
of it writes the journal, which moves it under the wiki's own identity
(:func:`adopt_legacy`).

A campaign is found by its name as :func:`campaign_key` reads it, so that a
name written with other spaces, underscores or case is the same campaign; the
first campaign made under a key keeps its name as it was first written, and
campaigns an earlier release kept apart under one key become one
(:func:`merge_campaigns`) the first time a run of it writes the journal.

What writes here writes inside the caller's transaction
(:meth:`.Journal._transaction`); none commits.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import time
import unicodedata
from pathlib import Path

from ..core.accounts import Word
from ..core.errors import NotAJournal


class State(Word):
    """A recipient's state in the journal of a campaign.

    ``planned`` → ``sending`` (committed before the POST) → ``sent``,
    ``uncertain``, ``failed``, ``skipped`` or, for a talk page message,
    ``posted``. A ``sending`` row found by a later run is uncertain too.
    """

    PLANNED = 'planned'
    SENDING = 'sending'
    SENT = 'sent'
    UNCERTAIN = 'uncertain'
    FAILED = 'failed'
    SKIPPED = 'skipped'
    POSTED = 'posted'


SCHEMA_VERSION = 5
#: Prefix of wiki keys migrated from schema 1, which named a wiki as Pywikibot does.
LEGACY = 'pywikibot:'

SCHEMA = """
CREATE TABLE campaign (
    id INTEGER PRIMARY KEY,
    wiki TEXT NOT NULL,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    provider TEXT,
    central INTEGER,
    sender TEXT,
    resend_from REAL,
    resend_round REAL,
    resend_ended REAL,
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
    registered TEXT NOT NULL DEFAULT '',
    centralid INTEGER,
    username TEXT NOT NULL,
    state TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    final INTEGER NOT NULL DEFAULT 0,
    version INTEGER,
    account TEXT NOT NULL DEFAULT '',
    updated REAL NOT NULL,
    talk TEXT NOT NULL DEFAULT '',
    talk_detail TEXT NOT NULL DEFAULT '',
    reached REAL
);
CREATE UNIQUE INDEX recipient_by_account ON recipient (campaign, userid, registered)
    WHERE userid IS NOT NULL;
CREATE INDEX recipient_by_central ON recipient (centralid) WHERE centralid IS NOT NULL;
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

#: How far along a recipient is: a merge keeps the furthest.
RANK = {
    State.PLANNED: 0,
    State.SKIPPED: 1,
    State.FAILED: 2,
    State.UNCERTAIN: 5,
    State.SENDING: 5,
    State.SENT: 6,
    State.POSTED: 6,
}

_COLUMNS = 'state, status, detail, final, version, account, updated'
#: The columns schema 5 added: the talk page post of -alsotalk, and when the row was
#: first reached. A row from before has none of them.
CHANNEL_COLUMNS = 'talk, talk_detail, reached'
NO_CHANNELS = ('', '', None)
#: The states of the ``talk`` column, besides '' (not posted yet).
TALK_STATES = ('sending', 'posted', 'uncertain', 'failed')


#: The first bytes of every SQLite database.
SQLITE_HEADER = b'SQLite format 3\0'
#: The schemas releases of emailuser wrote, and the tables every one of them has.
KNOWN_SCHEMAS = range(1, SCHEMA_VERSION + 1)
JOURNAL_TABLES = frozenset({'campaign', 'recipient'})


def identify(path: Path) -> bool:
    """Whether *path* is a journal of emailuser (True) or new (False), reading only.

    Nothing is written, created or changed, so that a -journal: path at another
    program's file leaves it as it was. A missing or empty file is new, and so is
    a SQLite database of schema 0 without any table (a journal created by a run
    that ended before writing its tables). A journal whose tables cannot be read
    is left to :class:`.Journal`'s own checks, which call it damaged.

    :raises NotAJournal: another program's file
    :raises NotAJournal: a journal of a newer release (its ``newer`` is set)
    :raises OSError: the file cannot be read
    """
    # O_NONBLOCK: a FIFO put there must not hang the run.
    flags = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAJournal('it is not a plain file')
        if st.st_size == 0:
            return False
        head = os.read(fd, 100)
    finally:
        os.close(fd)
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        raise NotAJournal('it is not a SQLite database')
    found = int.from_bytes(head[60:64], 'big', signed=True)  # PRAGMA user_version
    tables = _tables(path)
    if found == 0 and tables == set():
        return False
    if found in KNOWN_SCHEMAS and tables is None:
        return True  # damaged, which the journal's checks say
    if tables is None:
        raise NotAJournal('it is a SQLite database without the tables of a journal')
    if not JOURNAL_TABLES.issubset(tables):
        raise NotAJournal('it is a SQLite database of another program')
    if found > SCHEMA_VERSION:
        raise NotAJournal('newer', newer=found)
    if found not in KNOWN_SCHEMAS:
        raise NotAJournal(f'its schema {found} is none that emailuser writes')
    return True


def _tables(path: Path) -> set[str] | None:
    """The tables of the SQLite database *path*, read without writing anything; None
    when they cannot be read.

    ``immutable`` makes SQLite neither lock the file nor create files beside it;
    tables only in a ``-wal`` file left beside it are not seen, which makes a new
    journal whose first run ended early look empty, as it is to a new run.
    """
    uri = Path(os.path.abspath(path)).as_uri() + '?mode=ro&immutable=1&nofollow=1'
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except (sqlite3.Error, ValueError):  # ValueError: a name that is not UTF-8
        return None
    return {name for (name,) in rows}


def version(db: sqlite3.Connection) -> int:
    """The schema of the journal in *db*.

    :raises NotAJournal: a newer release wrote it (its ``newer`` says which schema)
    """
    found = db.execute('PRAGMA user_version').fetchone()[0]
    if found > SCHEMA_VERSION:
        raise NotAJournal('newer', newer=found)
    return found


def migrate(db: sqlite3.Connection) -> int:
    """Bring the journal in *db* to :data:`SCHEMA_VERSION`; return the schema it had.

    The caller holds a write transaction, so that the whole migration is
    committed or none of it, and no other process migrates at the same time.

    :raises NotAJournal: a newer release wrote it
    """
    old = version(db)
    if old == SCHEMA_VERSION:
        return old  # another process migrated it meanwhile
    if old == 1:
        db.execute('ALTER TABLE campaign RENAME TO v1_campaign')
        db.execute('ALTER TABLE recipient RENAME TO v1_recipient')
    if old == 2:
        db.execute('ALTER TABLE recipient RENAME TO v2_recipient')
    if old in (2, 3):
        has = {row[1] for row in db.execute('PRAGMA table_info(campaign)')}
        for column in ('provider TEXT', 'central INTEGER', 'sender TEXT'):
            if column.split()[0] not in has:
                db.execute(f'ALTER TABLE campaign ADD COLUMN {column}')
    if old == 3:
        _from_schema_3(db)
    for statement in SCHEMA.split(';'):
        if statement.strip():
            # Tables an older schema has already are kept as they are.
            db.execute(
                re.sub(r'^(\s*CREATE (?:UNIQUE )?(?:TABLE|INDEX))', r'\1 IF NOT EXISTS', statement)
            )
    if old == 1:
        _from_schema_1(db)
    if old == 2:
        _from_schema_2(db)
    _with_channels(db)
    has = {row[1] for row in db.execute('PRAGMA table_info(campaign)')}
    for column in ('resend_from', 'resend_round', 'resend_ended'):
        if column not in has:
            db.execute(f'ALTER TABLE campaign ADD COLUMN {column} REAL')
    db.execute(f'PRAGMA user_version={SCHEMA_VERSION}')
    return old


def remove_stale_files(path: Path, old: int) -> None:
    """Remove what a journal of schema *old* left beside *path*, once it is migrated."""
    if old == 1:  # schema 1 left one lock file per campaign behind
        for stale in path.parent.glob(f'{path.name}.campaign-*.lock'):
            with contextlib.suppress(OSError):
                stale.unlink()


def _from_schema_3(db: sqlite3.Connection) -> None:
    """Schema 3 keyed recipients by user id alone, and took a name's central id whether
    or not the account was attached to that global account."""
    db.execute("ALTER TABLE recipient ADD COLUMN registered TEXT NOT NULL DEFAULT ''")
    db.execute('UPDATE recipient SET centralid = NULL')
    db.execute('DROP INDEX recipient_by_account')


def _with_channels(db: sqlite3.Connection) -> None:
    """Schemas up to 4 journaled one channel: the talk page column and the reached time come.

    A row that was reached (an email sent, a -fallback:talk post made) takes its
    last update as the time it was reached: no later write changes such a row.
    """
    have = {row[1] for row in db.execute('PRAGMA table_info(recipient)')}
    for column, kind in (
        ('talk', "TEXT NOT NULL DEFAULT ''"),
        ('talk_detail', "TEXT NOT NULL DEFAULT ''"),
        ('reached', 'REAL'),
    ):
        if column not in have:
            db.execute(f'ALTER TABLE recipient ADD COLUMN {column} {kind}')
    db.execute(
        'UPDATE recipient SET reached = updated WHERE reached IS NULL AND state IN (?, ?)',
        (State.SENT.value, State.POSTED.value),
    )


def _from_schema_2(db: sqlite3.Connection) -> None:
    """Schema 2 keyed recipients by name: each row keeps its state, its id comes later."""
    db.execute(
        f'INSERT INTO recipient (campaign, userid, centralid, username, {_COLUMNS})'
        f' SELECT campaign, NULL, NULL, username, {_COLUMNS} FROM v2_recipient'
    )
    db.execute('DROP TABLE v2_recipient')


def _from_schema_1(db: sqlite3.Connection) -> None:
    """Schema 1 keyed campaigns by Pywikibot's site name, account and text."""
    rows = db.execute(
        'SELECT c.wiki, c.subject, c.account, c.created, r.username, r.state, r.detail,'
        ' r.final, r.updated FROM v1_campaign c LEFT JOIN v1_recipient r'
        ' ON r.campaign = c.id ORDER BY c.created'
    ).fetchall()
    for wiki, name, account, created, user, state, detail, final, updated in rows:
        campaign = campaign_id(db, LEGACY + wiki, name, created)
        if user is None:
            continue
        status = ''
        if state == State.SKIPPED and ':' in detail:
            status, _, detail = detail.partition(':')
        merge_row(
            db,
            campaign,
            (None, '', None, user),
            (State(state), status, detail, bool(final), None, account, updated),
        )
        if state == State.SENT:
            db.execute(
                'INSERT INTO send (wiki, account, at) VALUES (?, ?, ?)',
                (LEGACY + wiki, account, updated),
            )
    db.execute('DROP TABLE v1_recipient')
    db.execute('DROP TABLE v1_campaign')


def campaign_key(name: str) -> str:
    """What a campaign's name is known by: Unicode NFC, in lower case, with runs of
    spaces and underscores read as one space and none at either end.

    ``Meet up 2025``, ``meet_up  2025 `` and ``Meet Up 2025`` are one campaign.
    Lower case, not case folding: folding makes ``Maße`` and ``Masse`` one
    campaign, and the second's recipients would be skipped as already emailed.
    """
    text = unicodedata.normalize('NFC', name).replace('_', ' ')
    return unicodedata.normalize('NFC', ' '.join(text.split()).lower())


def campaigns_named(db: sqlite3.Connection, wiki: str, name: str) -> list[int]:
    """The ids of the campaigns on *wiki* whose name has *name*'s :func:`campaign_key`.

    The first made comes first; there is more than one only in a journal that an
    earlier release wrote.
    """
    key = campaign_key(name)
    rows = db.execute(
        'SELECT id, name FROM campaign WHERE wiki = ? ORDER BY created, id', (wiki,)
    ).fetchall()
    return [campaign for campaign, found in rows if campaign_key(found) == key]


def campaign_id(db: sqlite3.Connection, wiki: str, name: str, created: float | None = None) -> int:
    """The id of campaign *name* on *wiki* (see :func:`campaigns_named`), made if none."""
    found = campaigns_named(db, wiki, name)
    if found:
        return found[0]
    return db.execute(
        'INSERT INTO campaign (wiki, name, created) VALUES (?, ?, ?)',
        (wiki, name, created or time.time()),
    ).lastrowid


def merge_campaigns(db: sqlite3.Connection, keep: int, others: list[int]) -> None:
    """Move the versions and recipients of the campaigns *others* into *keep*, and drop them.

    Of two rows for one account, the one further along stays (:func:`merge_row`);
    a version whose text *keep* has too becomes that version.
    """
    for other in others:
        versions = db.execute(
            'SELECT id, fingerprint FROM version WHERE campaign = ?', (other,)
        ).fetchall()
        for version_id, fp in versions:
            same = db.execute(
                'SELECT id FROM version WHERE campaign = ? AND fingerprint = ?', (keep, fp)
            ).fetchone()
            if same is None:
                db.execute('UPDATE version SET campaign = ? WHERE id = ?', (keep, version_id))
                continue
            db.execute(
                'UPDATE recipient SET version = ? WHERE campaign = ? AND version = ?',
                (same[0], other, version_id),
            )
            db.execute('DELETE FROM version WHERE id = ?', (version_id,))
        rows = db.execute(
            'SELECT userid, registered, centralid, username, state, status, detail, final,'
            f' version, account, updated, {CHANNEL_COLUMNS} FROM recipient WHERE campaign = ?',
            (other,),
        ).fetchall()
        for row in rows:
            merge_row(db, keep, row[:4], row[4:11], row[11:])
        db.execute('DELETE FROM recipient WHERE campaign = ?', (other,))
        db.execute('DELETE FROM campaign WHERE id = ?', (other,))


def _key(userid: int | None, registered: str, name: str) -> tuple[str, tuple]:
    if userid is None:
        return 'userid IS NULL AND username = ?', (name,)
    return 'userid = ? AND registered = ?', (userid, registered)


def _talk_rank(talk: str) -> int:
    return {'': 0, 'failed': 1, 'sending': 2, 'uncertain': 2, 'posted': 3}.get(talk, 0)


def merge_row(
    db: sqlite3.Connection,
    campaign: int,
    who: tuple,
    row: tuple,
    channels: tuple = NO_CHANNELS,
) -> None:
    """Add a recipient row, keeping whichever of two rows for one account is further along,
    on each channel: the email's state and the talk page post's.

    :param who: (userid, registered, centralid, username); userid None for a row
        known by name only
    :param row: (state, status, detail, final, version, account, updated)
    :param channels: (talk, talk_detail, reached): the talk page post and when the row
        was first reached
    """
    userid, registered, centralid, name = who
    where, params = _key(userid, registered, name)
    old = db.execute(
        f'SELECT rowid, state, {CHANNEL_COLUMNS} FROM recipient WHERE campaign = ? AND {where}',
        (campaign, *params),
    ).fetchone()
    state, status, detail, final, version, account, updated = row
    talk, talk_detail, reached = channels
    if old:
        # Neither row's post nor its first reach may be forgotten.
        if _talk_rank(old[2]) > _talk_rank(talk):
            talk, talk_detail = old[2], old[3]
        reached = min((t for t in (reached, old[4]) if t is not None), default=None)
        if RANK[State(old[1])] >= RANK[State(state)]:
            db.execute(
                'UPDATE recipient SET talk = ?, talk_detail = ?, reached = ? WHERE rowid = ?',
                (talk, talk_detail, reached, old[0]),
            )
            return
        db.execute('DELETE FROM recipient WHERE rowid = ?', (old[0],))
    db.execute(
        f'INSERT INTO recipient (campaign, userid, registered, centralid, username, {_COLUMNS},'
        f' {CHANNEL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        (
            campaign,
            userid,
            registered,
            centralid,
            name,
            State(state).value,
            status,
            detail,
            int(final),
            version,
            account,
            updated,
            talk,
            talk_detail,
            reached,
        ),
    )


def legacy_campaigns(db: sqlite3.Connection, legacy: str, name: str) -> list[int]:
    """The ids of campaign *name* migrated from schema 1 for the site Pywikibot calls *legacy*."""
    return campaigns_named(db, LEGACY + legacy, name)


def adopt_legacy(db: sqlite3.Connection, wiki: str, legacy: str, name: str) -> None:
    """Move a schema-1 campaign of this wiki, and its sends, under the wiki's own identity.

    :param legacy: Pywikibot's name of the site, which schema 1 used
    """
    old = legacy_campaigns(db, legacy, name)
    db.execute('UPDATE send SET wiki = ? WHERE wiki = ?', (wiki, LEGACY + legacy))
    if old:
        # A campaign made by this wiki's identity only now keeps the name first written.
        first, created = db.execute(
            'SELECT name, created FROM campaign WHERE id = ?', (old[0],)
        ).fetchone()
        merge_campaigns(db, campaign_id(db, wiki, first, created), old)


def names_without_id(db: sqlite3.Connection, wiki: str) -> list[str]:
    """Names of rows on *wiki* that an earlier schema kept without a user id."""
    rows = db.execute(
        'SELECT DISTINCT r.username FROM recipient r JOIN campaign c ON c.id = r.campaign'
        ' WHERE c.wiki = ? AND r.userid IS NULL',
        (wiki,),
    ).fetchall()
    return [name for (name,) in rows]


def adopt_ids(db: sqlite3.Connection, wiki: str, accounts: dict) -> None:
    """Give rows on *wiki* known by name only the account that has that name.

    :param accounts: {name as kept: (userid, registered, centralid, canonical name)}
    """
    rows = db.execute(
        'SELECT r.rowid, r.campaign, r.username, r.state, r.status, r.detail,'
        ' r.final, r.version, r.account, r.updated, r.talk, r.talk_detail, r.reached'
        ' FROM recipient r JOIN campaign c ON c.id = r.campaign WHERE c.wiki = ?'
        ' AND r.userid IS NULL',
        (wiki,),
    ).fetchall()
    for rowid, campaign, name, *row in rows:
        if name not in accounts:
            continue  # no account has this name: it stays reached by name
        db.execute('DELETE FROM recipient WHERE rowid = ?', (rowid,))
        merge_row(db, campaign, accounts[name], tuple(row[:7]), tuple(row[7:]))
