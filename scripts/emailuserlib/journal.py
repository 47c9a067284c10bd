"""Delivery state on disk, so that nobody is emailed twice whatever happens to a run.

A SQLite database (WAL mode, ``synchronous=FULL``) records, per campaign, the
state of every recipient (see :class:`~.outcomes.State`); ``sending`` is
committed *before* the POST, the outcome right after it. A recipient still
``sending`` when a run starts was in flight when an earlier run died: the wiki
may or may not have sent that mail, and MediaWiki keeps no record to ask, so it
is *uncertain* and not sent again unless the operator asks.

A **campaign** is one mailing on one wiki: the wiki as it names itself (its
server, script path and database id, however the wiki is reached) and the
campaign's name, which is the subject as written unless ``-campaign:`` names it.
The sending account is not part of it, so another account continues the same
mailing. Each text that was sent in a campaign is a *version*; a recipient row
says which version reached that user.

Every email sent is also kept in the ``send`` table (wiki, account, time), for
the account's rate limit across campaigns.

While a run may send, it holds the journal's lock: an exclusive SQLite lock on
``<journal>.lock``, which SQLite takes with the operating system's file locks on
every platform and which is released when the process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .outcomes import State

SCHEMA_VERSION = 2
#: The journal's name among Pywikibot's data files when -journal: is not given.
DEFAULT_NAME = 'emailuser-journal.sqlite3'
#: Prefix of wiki keys migrated from schema 1, which named a wiki as Pywikibot does.
LEGACY = 'pywikibot:'

_SCHEMA = """
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
    username TEXT NOT NULL,
    state TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    final INTEGER NOT NULL DEFAULT 0,
    version INTEGER,
    account TEXT NOT NULL DEFAULT '',
    updated REAL NOT NULL,
    PRIMARY KEY (campaign, username)
) WITHOUT ROWID;
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

# How far along a recipient is: a merge keeps the furthest.
_RANK = {
    State.PLANNED: 0,
    State.SKIPPED: 1,
    State.FAILED: 2,
    State.UNCERTAIN: 5,
    State.SENDING: 5,
    State.SENT: 6,
    State.POSTED: 6,
}


class JournalError(Exception):
    """The journal cannot be used; the text says why and what to do."""


@dataclass(frozen=True)
class Entry:
    """One recipient's row in the journal."""

    state: State
    status: str
    detail: str
    final: bool
    version: int | None
    updated: float


def fingerprint(subject: str, body: str, ccme: bool) -> str:
    """What tells two texts of a campaign apart: the templates and -ccme."""
    data = json.dumps([subject, body, bool(ccme)], ensure_ascii=False)
    return hashlib.sha256(data.encode('utf-8')).hexdigest()


def _create_private(path: Path) -> None:
    """Create *path* readable by its owner only, unless it exists; never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, flags, 0o600))


class _LinkedLock(Exception):
    """The lock file is a symbolic link, or not a plain file."""


def _private_lock_file(path: Path) -> None:
    """Create the lock file *path* readable by its owner only, or check the one there.

    :raises _LinkedLock: it is a symbolic link or not a plain file
    """
    # O_NONBLOCK: a FIFO put there must not hang the run.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as e:
        if e.errno == errno.ELOOP or path.is_symlink():
            raise _LinkedLock from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _LinkedLock
        if st.st_mode & 0o077:  # made by hand, or by an older version
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


class Journal:
    """One journal file, holding any number of campaigns.

    :param synchronous: SQLite's ``synchronous`` setting: ``FULL`` survives a
        power cut as well as a killed process; ``NORMAL`` only the latter
    """

    def __init__(self, path: str | Path, synchronous: str = 'FULL') -> None:
        self.path = Path(path)
        self.campaign: int | None = None
        self.version: int | None = None
        self._lock_db: sqlite3.Connection | None = None
        if self.path.is_symlink():
            raise JournalError(
                f'The journal {self.path} is a symbolic link: give the real file with '
                '-journal:, so that nobody can redirect it.'
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # SQLite gives its -wal and -shm files the mode of the database.
            _create_private(self.path)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as e:
            raise self._error('cannot be opened', e) from None
        try:
            self.db.execute('PRAGMA journal_mode=WAL')
            self.db.execute(f'PRAGMA synchronous={synchronous}')
            self._migrate()
        except sqlite3.DatabaseError as e:
            self.db.close()
            raise self._error('cannot be read', e) from None
        self._identity = _identity(self.path)

    def _error(self, what: str, error: Exception) -> JournalError:
        text = str(error)
        if isinstance(error, sqlite3.DatabaseError) and (
            'malformed' in text or 'not a database' in text
        ):
            return JournalError(
                f'The journal {self.path} is damaged ({text}): keep a copy of it, and do '
                'not start the campaign again without it, since it is the record of who '
                'was emailed; a rerun with another -journal: file would email them again.'
            )
        if isinstance(error, OSError):
            text = error.strerror or text
        return JournalError(
            f'The journal {self.path} {what} ({text}): check the path given with '
            '-journal:, its permissions and the free disk space, then run the same '
            'command again.'
        )

    def _write(self, sql: str, params=()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, params)
        except sqlite3.Error as e:
            raise self._error('cannot be written', e) from None

    # Schema ---------------------------------------------------------------

    def _migrate(self) -> None:
        version = self.db.execute('PRAGMA user_version').fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JournalError(
                f'The journal {self.path} was written by a newer release of '
                f'emailuser (schema {version}): upgrade this one.'
            )
        if version == SCHEMA_VERSION:
            return
        self.db.execute('BEGIN IMMEDIATE')
        try:
            if version == 1:
                self.db.execute('ALTER TABLE campaign RENAME TO v1_campaign')
                self.db.execute('ALTER TABLE recipient RENAME TO v1_recipient')
            for statement in _SCHEMA.split(';'):
                if statement.strip():
                    self.db.execute(statement.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS'))
            if version == 1:
                self._from_schema_1()
            self.db.execute(f'PRAGMA user_version={SCHEMA_VERSION}')
            self.db.execute('COMMIT')
        except BaseException:
            self.db.execute('ROLLBACK')
            raise
        if version == 1:  # schema 1 left one lock file per campaign behind
            for stale in self.path.parent.glob(f'{self.path.name}.campaign-*.lock'):
                with contextlib.suppress(OSError):
                    stale.unlink()

    def _from_schema_1(self) -> None:
        """Schema 1 keyed campaigns by Pywikibot's site name, account and text."""
        rows = self.db.execute(
            'SELECT c.wiki, c.subject, c.account, c.created, r.username, r.state, r.detail,'
            ' r.final, r.updated FROM v1_campaign c LEFT JOIN v1_recipient r'
            ' ON r.campaign = c.id ORDER BY c.created'
        ).fetchall()
        for wiki, name, account, created, user, state, detail, final, updated in rows:
            campaign = self._campaign_id(LEGACY + wiki, name, created)
            if user is None:
                continue
            status = ''
            if state == State.SKIPPED and ':' in detail:
                status, _, detail = detail.partition(':')
            self._merge_row(
                campaign, user, State(state), status, detail, bool(final), None, account, updated
            )
            if state == State.SENT:
                self.db.execute(
                    'INSERT INTO send (wiki, account, at) VALUES (?, ?, ?)',
                    (LEGACY + wiki, account, updated),
                )
        self.db.execute('DROP TABLE v1_recipient')
        self.db.execute('DROP TABLE v1_campaign')

    def _campaign_id(self, wiki: str, name: str, created: float | None = None) -> int:
        self.db.execute(
            'INSERT OR IGNORE INTO campaign (wiki, name, created) VALUES (?, ?, ?)',
            (wiki, name, created or time.time()),
        )
        (campaign,) = self.db.execute(
            'SELECT id FROM campaign WHERE wiki = ? AND name = ?', (wiki, name)
        ).fetchone()
        return campaign

    def _merge_row(
        self, campaign, user, state, status, detail, final, version, account, updated
    ) -> None:
        """Add a recipient row, keeping whichever of two rows is further along."""
        old = self.db.execute(
            'SELECT state FROM recipient WHERE campaign = ? AND username = ?', (campaign, user)
        ).fetchone()
        if old and _RANK[State(old[0])] >= _RANK[state]:
            return
        self.db.execute(
            'INSERT OR REPLACE INTO recipient (campaign, username, state, status, detail,'
            ' final, version, account, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (campaign, user, state.value, status, detail, int(final), version, account, updated),
        )

    def _adopt_legacy(self, wiki: str, legacy: str, name: str) -> None:
        """Move a schema-1 campaign of this wiki under the wiki's own identity."""
        old = self.db.execute(
            'SELECT id FROM campaign WHERE wiki = ? AND name = ?', (LEGACY + legacy, name)
        ).fetchone()
        self.db.execute('UPDATE send SET wiki = ? WHERE wiki = ?', (wiki, LEGACY + legacy))
        if not old:
            return
        campaign = self._campaign_id(wiki, name)
        rows = self.db.execute(
            'SELECT username, state, status, detail, final, version, account, updated'
            ' FROM recipient WHERE campaign = ?',
            old,
        ).fetchall()
        for user, state, *rest in rows:
            self._merge_row(campaign, user, State(state), *rest)
        self.db.execute('DELETE FROM recipient WHERE campaign = ?', old)
        self.db.execute('DELETE FROM campaign WHERE id = ?', old)

    def close(self) -> None:
        if self._lock_db is not None:
            self._lock_db.close()  # releases the lock
            self._lock_db = None
        self.db.close()

    # Campaigns --------------------------------------------------------------

    def open_campaign(
        self, wiki: str, name: str, fp: str, legacy_wiki: str = '', create: bool = True
    ) -> int | None:
        """Find (or create) the campaign *name* on *wiki* and the version *fp*.

        :param legacy_wiki: Pywikibot's name of the site, which schema 1 used
        :param create: False to only look (``-simulate``); then None when there is none
        """
        try:
            self.db.execute('BEGIN IMMEDIATE')
            try:
                if legacy_wiki and create:
                    self._adopt_legacy(wiki, legacy_wiki, name)
                row = self.db.execute(
                    'SELECT id FROM campaign WHERE wiki = ? AND name = ?', (wiki, name)
                ).fetchone()
                if row is None and create:
                    row = (self._campaign_id(wiki, name),)
                self.campaign = row[0] if row else None
                if self.campaign is not None and create:
                    self.db.execute(
                        'INSERT OR IGNORE INTO version (campaign, fingerprint, created)'
                        ' VALUES (?, ?, ?)',
                        (self.campaign, fp, time.time()),
                    )
                if self.campaign is not None:
                    row = self.db.execute(
                        'SELECT id FROM version WHERE campaign = ? AND fingerprint = ?',
                        (self.campaign, fp),
                    ).fetchone()
                    self.version = row[0] if row else None
                self.db.execute('COMMIT')
            except BaseException:
                self.db.execute('ROLLBACK')
                raise
        except sqlite3.Error as e:
            raise self._error('cannot be written', e) from None
        return self.campaign

    def lock(self) -> None:
        """Hold the journal's lock for this run.

        The lock file is created readable by its owner only, never through a
        symbolic link, and must be a file SQLite can lock.

        :raises JournalError: another run holds it, or the lock file cannot be used
        """
        lock_path = self.path.with_name(self.path.name + '.lock')
        try:
            _private_lock_file(lock_path)
        except _LinkedLock:
            raise JournalError(
                f'The lock file {lock_path} of the journal is a symbolic link or not a plain '
                'file, which could point the lock elsewhere: remove it when no run is using '
                'the journal, then run again.'
            ) from None
        except OSError as e:
            raise self._error('cannot be locked', e) from None
        # nofollow: SQLite itself refuses a link put in its place meanwhile.
        uri = Path(os.path.abspath(lock_path)).as_uri() + '?nofollow=1'
        try:
            db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=0)
            db.execute('PRAGMA locking_mode=EXCLUSIVE')
            db.execute('BEGIN EXCLUSIVE')
        except sqlite3.OperationalError as e:
            if 'locked' not in str(e):
                raise self._error('cannot be locked', e) from None
            row = self.db.execute('SELECT pid FROM holder').fetchone()
            holder = f'PID {row[0]}' if row else 'another process'
            raise JournalError(
                f'Another run is sending with the journal {self.path} right now ({holder}): '
                'wait for it to finish, then run again.'
            ) from None
        except sqlite3.DatabaseError as e:
            raise JournalError(
                f'The lock file {lock_path} of the journal holds something else than a lock '
                f'({e}): remove it when no run is using the journal, then run again.'
            ) from None
        except OSError as e:
            raise self._error('cannot be locked', e) from None
        self._lock_db = db
        self._write(
            'INSERT OR REPLACE INTO holder (id, pid, since) VALUES (1, ?, ?)',
            (os.getpid(), time.time()),
        )

    def check_intact(self) -> None:
        """Raise :class:`JournalError` when the file was deleted or replaced meanwhile."""
        found = _identity(self.path)
        if found == self._identity:
            return
        # This run still holds the old file open: write its records back out.
        target = self.path
        if found is not None:
            target = self.path.with_name(f'{self.path.name}.saved-{int(time.time())}')
        try:
            _create_private(target)
            with contextlib.closing(sqlite3.connect(target)) as copy:
                self.db.backup(copy)
        except (OSError, sqlite3.Error):
            saved = 'and could not be saved again'
        else:
            saved = f'and this run saved its records as {target}'
        raise JournalError(
            f'The journal {self.path} was deleted or replaced while this run was using it, '
            f'{saved}: the run stops. Make sure {self.path} is the file this run saved '
            'before you run the same command again, or those already emailed get the '
            'message again.'
        )

    # Recipients ---------------------------------------------------------

    def states(self) -> dict[str, Entry]:
        """Every recipient of the campaign by name."""
        if self.campaign is None:
            return {}
        rows = self.db.execute(
            'SELECT username, state, status, detail, final, version, updated FROM recipient'
            ' WHERE campaign = ?',
            (self.campaign,),
        )
        return {
            name: Entry(State(state), status, detail, bool(final), version, updated)
            for name, state, status, detail, final, version, updated in rows
        }

    def plan(self, names: Iterable[str]) -> None:
        """Record *names* as planned, unless the journal knows them already."""
        now = time.time()
        rows = [
            (self.campaign, n, State.PLANNED.value, now, State.SKIPPED.value, State.FAILED.value)
            for n in names
        ]
        try:
            with self.db:
                self.db.execute('BEGIN IMMEDIATE')
                self.db.executemany(
                    'INSERT INTO recipient (campaign, username, state, updated)'
                    ' VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET state = excluded.state,'
                    ' updated = excluded.updated WHERE state IN (?, ?) AND final = 0',
                    rows,
                )
        except sqlite3.Error as e:
            raise self._error('cannot be written', e) from None

    def record(
        self,
        name: str,
        state: State,
        status: str = '',
        detail: str = '',
        final: bool = False,
        account: str = '',
        wiki: str = '',
        family: str = '',
    ) -> None:
        """Set one recipient's state and commit it before returning.

        A ``sent`` state is committed together with its entry in the ``send``
        table, which the account's rate limit counts.
        """
        self.check_intact()
        now = time.time()
        try:
            self.db.execute('BEGIN IMMEDIATE')
            try:
                self.db.execute(
                    'INSERT INTO recipient (campaign, username, state, status, detail, final,'
                    ' version, account, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
                    ' ON CONFLICT DO UPDATE SET state = excluded.state,'
                    ' status = excluded.status, detail = excluded.detail,'
                    ' final = excluded.final, version = excluded.version,'
                    ' account = excluded.account, updated = excluded.updated',
                    (
                        self.campaign,
                        name,
                        state.value,
                        str(status),
                        detail,
                        int(final),
                        self.version,
                        account,
                        now,
                    ),
                )
                if state == State.SENT:
                    self.db.execute(
                        'INSERT INTO send (wiki, account, family, at) VALUES (?, ?, ?, ?)',
                        (wiki, account, family, now),
                    )
                self.db.execute('COMMIT')
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute('ROLLBACK')
                raise
        except sqlite3.Error as e:
            raise self._error('cannot be written', e) from None

    def count_send(self, account: str, wiki: str, family: str = '') -> None:
        """Record an email that reached no recipient of a campaign (-test), for the rate limit."""
        self.check_intact()
        self._write(
            'INSERT INTO send (wiki, account, family, at) VALUES (?, ?, ?, ?)',
            (wiki, account, family, time.time()),
        )

    def resend(self, uncertain_only: bool) -> int:
        """Make uncertain (or all) recipients plannable again; return how many."""
        if uncertain_only:
            cursor = self._write(
                'UPDATE recipient SET state = ?, detail = ?, updated = ? WHERE campaign = ?'
                ' AND state IN (?, ?)',
                (
                    State.PLANNED.value,
                    '',
                    time.time(),
                    self.campaign,
                    State.SENDING.value,
                    State.UNCERTAIN.value,
                ),
            )
        else:
            cursor = self._write('DELETE FROM recipient WHERE campaign = ?', (self.campaign,))
        return cursor.rowcount

    # Across campaigns ------------------------------------------------------

    def sends_since(
        self, since: float, account: str, wiki: str = '', family: str = ''
    ) -> list[float]:
        """When *account* sent email since *since*: on *wiki*, or on every wiki of *family*."""
        if family:
            where, key = 'family = ?', family
        else:
            where, key = 'wiki = ?', wiki
        rows = self.db.execute(
            f'SELECT at FROM send WHERE account = ? AND {where} AND at >= ? ORDER BY at',
            (account, key, since),
        )
        return [at for (at,) in rows]

    def reached_elsewhere(
        self, wiki: str, names: Iterable[str], since: float
    ) -> dict[str, list[str]]:
        """Which of *names* other campaigns on *wiki* reached since *since*, by campaign."""
        wanted = set(names)
        rows = self.db.execute(
            'SELECT c.name, r.username FROM recipient r JOIN campaign c ON c.id = r.campaign'
            ' WHERE c.wiki = ? AND c.id != ? AND r.state IN (?, ?, ?, ?) AND r.updated >= ?'
            ' ORDER BY r.updated',
            (
                wiki,
                self.campaign or -1,
                State.SENT.value,
                State.POSTED.value,
                State.SENDING.value,
                State.UNCERTAIN.value,
                since,
            ),
        )
        found: dict[str, list[str]] = {}
        for name, user in rows:
            if user in wanted:
                found.setdefault(name, []).append(user)
        return found
