"""Delivery state on disk, so that nobody is emailed twice whatever happens to a run.

A SQLite database (WAL mode) records, per campaign, the state of every
recipient: ``planned`` → ``sending`` (committed *before* the POST) → ``sent``,
``failed``, ``skipped`` or, for a talk page message, ``posted``. A campaign is
the wiki, the sending account and a fingerprint of the subject and body
templates and ``-ccme``: running the same command again continues the same
campaign, changing the message starts another.

A recipient still ``sending`` when a run starts was in flight when an earlier
run died: the wiki may or may not have sent that mail, and MediaWiki keeps no
record to ask, so it is *uncertain* and not sent again unless the operator asks.

Each campaign is locked with ``flock`` on a lock file beside the journal while a
run works on it; the operating system releases the lock when the process ends,
however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

SCHEMA_VERSION = 1
DEFAULT_NAME = 'emailuser-journal.sqlite3'

PLANNED = 'planned'
SENDING = 'sending'
SENT = 'sent'
FAILED = 'failed'
SKIPPED = 'skipped'
POSTED = 'posted'  # -fallback:talk: the message is on the user's talk page

_SCHEMA = """
CREATE TABLE campaign (
    id INTEGER PRIMARY KEY,
    wiki TEXT NOT NULL,
    account TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    subject TEXT NOT NULL,
    created REAL NOT NULL,
    UNIQUE (wiki, account, fingerprint)
);
CREATE TABLE recipient (
    campaign INTEGER NOT NULL REFERENCES campaign(id),
    username TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    final INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL,
    PRIMARY KEY (campaign, username)
) WITHOUT ROWID;
"""


class JournalError(Exception):
    """The journal cannot be used; the text says why and what to do."""


def fingerprint(subject: str, body: str, ccme: bool) -> str:
    """What makes two runs the same campaign: the templates and -ccme."""
    data = json.dumps([subject, body, bool(ccme)], ensure_ascii=False)
    return hashlib.sha256(data.encode('utf-8')).hexdigest()


def _create_private(path: Path) -> None:
    """Create *path* readable by its owner only, unless it exists."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class Journal:
    """One journal file, holding any number of campaigns.

    :param synchronous: SQLite's ``synchronous`` setting: ``FULL`` survives a
        power cut as well as a killed process; ``NORMAL`` only the latter
    """

    def __init__(self, path: str | Path, synchronous: str = 'FULL') -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # SQLite gives its -wal and -shm files the mode of the database.
            _create_private(self.path)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute('PRAGMA journal_mode=WAL')
            self.db.execute(f'PRAGMA synchronous={synchronous}')
            self._migrate()
        except (OSError, sqlite3.Error) as e:
            raise JournalError(
                f'The journal {self.path} cannot be opened ({e}): check the '
                'path given with -journal: and its permissions.'
            ) from None
        self.campaign: int | None = None
        self._lock_fd: int | None = None

    def _migrate(self) -> None:
        version = self.db.execute('PRAGMA user_version').fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JournalError(
                f'The journal {self.path} was written by a newer release of '
                f'emailuser (schema {version}): upgrade this one.'
            )
        if version == 0:
            schema = _SCHEMA.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS')
            self.db.executescript(
                f'BEGIN IMMEDIATE; {schema}; PRAGMA user_version={SCHEMA_VERSION}; COMMIT;'
            )

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None
        self.db.close()

    # Campaigns ----------------------------------------------------------

    def open_campaign(
        self, wiki: str, account: str, subject: str, body: str, ccme: bool, lock: bool = True
    ) -> int:
        """Find or create the campaign for this message, and lock it for this run.

        :raises JournalError: another run holds the campaign's lock
        """
        fp = fingerprint(subject, body, ccme)
        with self.db:
            self.db.execute('BEGIN IMMEDIATE')
            self.db.execute(
                'INSERT OR IGNORE INTO campaign (wiki, account, fingerprint, subject, created)'
                ' VALUES (?, ?, ?, ?, ?)',
                (wiki, account, fp, subject, time.time()),
            )
            (self.campaign,) = self.db.execute(
                'SELECT id FROM campaign WHERE wiki = ? AND account = ? AND fingerprint = ?',
                (wiki, account, fp),
            ).fetchone()
        if lock:
            self._lock()
        return self.campaign

    def _lock(self) -> None:
        lock_path = self.path.with_name(f'{self.path.name}.campaign-{self.campaign}.lock')
        _create_private(lock_path)
        fd = os.open(lock_path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors='replace').strip() or 'another process'
            os.close(fd)
            raise JournalError(
                f'Another run of this campaign is sending right now (PID '
                f'{holder}): wait for it to finish, then run again.'
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    # Recipients ---------------------------------------------------------

    def states(self) -> dict[str, tuple[str, str, bool]]:
        """Every recipient of the campaign: name -> (state, detail, final)."""
        rows = self.db.execute(
            'SELECT username, state, detail, final FROM recipient WHERE campaign = ?',
            (self.campaign,),
        )
        return {name: (state, detail, bool(final)) for name, state, detail, final in rows}

    def plan(self, names: Iterable[str]) -> None:
        """Record *names* as planned, unless the journal knows them already."""
        now = time.time()
        with self.db:
            self.db.execute('BEGIN IMMEDIATE')
            self.db.executemany(
                'INSERT INTO recipient (campaign, username, state, updated) VALUES (?, ?, ?, ?)'
                ' ON CONFLICT DO UPDATE SET state = excluded.state, updated = excluded.updated'
                ' WHERE state IN (?, ?) AND final = 0',
                ((self.campaign, n, PLANNED, now, SKIPPED, FAILED) for n in names),
            )

    def record(self, name: str, state: str, detail: str = '', final: bool = False) -> None:
        """Set one recipient's state and commit it before returning."""
        self.db.execute(
            'INSERT INTO recipient (campaign, username, state, detail, final, updated)'
            ' VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET state = excluded.state,'
            ' detail = excluded.detail, final = excluded.final, updated = excluded.updated',
            (self.campaign, name, state, detail, int(final), time.time()),
        )

    def resend(self, uncertain_only: bool) -> int:
        """Make uncertain (or all) recipients plannable again; return how many."""
        with self.db:
            self.db.execute('BEGIN IMMEDIATE')
            if uncertain_only:
                cursor = self.db.execute(
                    'UPDATE recipient SET state = ?, updated = ? WHERE campaign = ? AND state = ?',
                    (PLANNED, time.time(), self.campaign, SENDING),
                )
            else:
                cursor = self.db.execute(
                    'DELETE FROM recipient WHERE campaign = ?', (self.campaign,)
                )
        return cursor.rowcount


def default_path(base_dir: str | Path) -> Path:
    """Where the journal lives when -journal: is not given."""
    return Path(base_dir) / DEFAULT_NAME
