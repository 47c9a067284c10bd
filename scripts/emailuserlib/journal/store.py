"""Delivery state on disk, so that nobody is emailed twice whatever happens to a run.

A SQLite database (WAL mode, ``synchronous=FULL``) records, per campaign, the
state of every recipient (see :class:`~.schema.State`), keyed by the wiki's
account (its user id and registration time), so that a rename never makes a
second mail, and a new account under a freed name, or under a user id that a
wiki installed again gives to someone else, is a new person; the tables and
the migration of older journals are in :mod:`.schema`. ``sending`` is
committed *before* the POST, the outcome right after it. A recipient still
``sending`` when a run starts was in flight when an earlier run died: the wiki
may or may not have sent that mail, and MediaWiki keeps no record to ask, so it
is *uncertain* and not sent again unless the operator asks.

A **campaign** is one mailing on one wiki: the wiki as it names itself (its
server, script path and database id, however the wiki is reached) and the
campaign's name, which is the subject as written unless ``-campaign:`` names it,
compared without regard to case, spacing or underscores
(:func:`~.schema.campaign_key`). The campaigns of one name on several wikis
are one mailing where the wikis share global accounts: each remembers its
central-id domain, and the rows of the others of its domain tell, by central
id, who was reached or opted out elsewhere (:meth:`Journal.elsewhere`).
The sending account is not part of it, so another account continues the same
mailing, except where the campaign matches people by central id: there the
domain is the first sending account's (see :mod:`.reconcile`). Each text that
was sent in a campaign is a *version*; a recipient row says which version
reached that user.

Every email sent is also kept in the ``send`` table (wiki, account, time), for
the account's rate limit across campaigns. The account, the wiki and its family
stay the same during a run: the run gives them once (:meth:`Journal.for_run`).

Every write is one transaction of :meth:`Journal._transaction`, committed to the
disk before the caller goes on, and only while the journal is still the file
the run opened. Every error of the file, read or written, is one
:class:`JournalError` sentence naming it.

Before anything is created, changed or written, the file is identified by
reading it (:func:`~.journal_schema.identify`): a -journal: path at another
program's file is refused and left as it is. With -simulate the journal is read
into memory, and no file is written at all.

While a run may send, it holds the journal's lock: an exclusive SQLite lock on
``<journal>.lock``, which SQLite takes with the operating system's file locks on
every platform and which is released when the process ends, however it ends.

On a network filesystem (:mod:`.filesystem`), where processes on other hosts
may open the same file and WAL mode is unsafe, the journal uses SQLite's
rollback journal, and a run takes the lock before it opens the database.
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
from typing import NamedTuple

from ..core import sentences
from ..core.accounts import Status
from ..core.errors import JournalError, NotAJournal
from . import schema
from .filesystem import network_filesystem
from .schema import SCHEMA_VERSION, State

#: The journal's name among Pywikibot's data files when -journal: is not given.
DEFAULT_NAME = 'emailuser-journal.sqlite3'


#: The journal state a delivery outcome is recorded as.
JOURNAL_STATE = {
    Status.SENT: State.SENT,
    Status.POSTED: State.POSTED,
    Status.UNCERTAIN: State.UNCERTAIN,
    Status.FAILED: State.FAILED,
    # Refusals by the wiki at the send itself: final, never retried.
    Status.NOT_EMAILABLE: State.SKIPPED,
    Status.NO_SUCH_USER: State.SKIPPED,
}


@dataclass(frozen=True)
class Entry:
    """One recipient's row in the journal."""

    state: State
    status: str
    detail: str
    final: bool
    version: int | None
    updated: float
    #: The account's user id; None for a row of an older journal known by name only.
    userid: int | None = None
    #: The account's name when the journal last saw it.
    username: str = ''
    #: The account's registration time as the wiki gave it; '' when unknown.
    registered: str = ''
    #: The central id of the global account it was attached to, or None.
    centralid: int | None = None
    #: The talk page post of -alsotalk: '' until it is made, then ``sending``,
    #: ``posted``, ``uncertain`` or ``failed``; and what the wiki said.
    talk: str = ''
    talk_detail: str = ''
    #: When the campaign first reached this recipient (seconds since the epoch), or None.
    reached: float | None = None


#: What a talk page post's state in the journal makes of it in a run.
TALK_OUTCOME = {
    'posted': Status.POSTED,
    'sending': Status.UNCERTAIN,
    'uncertain': Status.UNCERTAIN,
}
#: The journal's talk state a talk page post's outcome is recorded as.
TALK_STATE = {
    Status.POSTED: 'posted',
    Status.UNCERTAIN: 'uncertain',
    Status.FAILED: 'failed',
}


@dataclass(frozen=True)
class Elsewhere:
    """What the campaign did to a person on another wiki: the furthest row there."""

    #: The other wiki, as it names itself (see :func:`~..wiki.site.wiki_identity`).
    wiki: str
    state: State
    status: str
    detail: str
    updated: float


#: Of a person's rows on other wikis, which one tells most: reached, then maybe
#: reached, then opted out.
_ELSEWHERE_RANK = {State.SENT: 3, State.POSTED: 3, State.SENDING: 2, State.UNCERTAIN: 2}


@dataclass(frozen=True)
class Domain:
    """A campaign of the same name on a wiki, with its central-id domain, if any."""

    wiki: str
    provider: str | None
    central: int | None
    sender: str | None
    #: Whether it holds recipients yet.
    rows: bool


def who(user) -> tuple[int | None, str, int | None, str]:
    """(userid, registered, centralid, name) of *user*: a
    :class:`~..core.accounts.Recipient`, or a name.

    A name alone makes a row keyed by that name, as older journals kept them.
    """
    if isinstance(user, str):
        return None, '', None, user
    return (
        getattr(user, 'userid', None),
        getattr(user, 'registered', '') or '',
        getattr(user, 'centralid', None),
        user.name,
    )


def finder(states: dict):
    """A function that gives a recipient's entry in *states* (:meth:`Journal.states`).

    An account is the account the journal met: its user id and registration
    time. A row or an account without a registration time is matched by user id
    alone; a row of an older journal known by name only, by name. Of two rows
    that match, the one further along counts.
    """
    by_id: dict[int, list[Entry]] = {}
    for key, entry in states.items():
        if isinstance(key, tuple):
            by_id.setdefault(key[0], []).append(entry)

    def find_entry(user) -> Entry | None:
        userid, registered, _, name = who(user)
        found = None
        for entry in by_id.get(userid, ()) if userid is not None else ():
            if registered and entry.registered and entry.registered != registered:
                continue  # the user id of another person: the wiki was installed again
            if found is None or schema.RANK[found.state] < schema.RANK[entry.state]:
                found = entry
        return found if found is not None else states.get(name)

    return find_entry


def find(states: dict, user) -> Entry | None:
    """*user*'s entry in :meth:`Journal.states` (see :func:`finder`)."""
    return finder(states)(user)


def fingerprint(subject: str, body: str, ccme: bool) -> str:
    """What tells two texts of a campaign apart: the templates and -ccme."""
    data = json.dumps([subject, body, bool(ccme)], ensure_ascii=False)
    return hashlib.sha256(data.encode('utf-8')).hexdigest()


def _create_private(path: Path) -> None:
    """Create *path* readable by its owner only, unless it exists; never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, flags, 0o600))


#: The journal and the files SQLite keeps beside it, which hold user names.
PRIVATE_SUFFIXES = ('', '-wal', '-shm', '-journal')


def _keep_private(path: Path) -> None:
    """Make the plain file *path* readable by its owner only, if it is not; never through a link.

    A file that is missing, a link, not a plain file or not the run's own to
    change is left as it is: the journal's own checks and SQLite refuse what cannot
    be used.
    """
    # O_NONBLOCK: a FIFO put there must not hang the run.
    flags = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode) and st.st_mode & 0o077:
            os.fchmod(fd, stat.S_IMODE(st.st_mode) & 0o700)
    except OSError:  # another user's file, shared on purpose
        pass
    finally:
        os.close(fd)


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


class _Run(NamedTuple):
    """What stays the same during a run (see :meth:`Journal.for_run`)."""

    account: str
    wiki: str
    family: str


#: The conflict target of a row keyed by its account (see the index recipient_by_account).
_BY_ACCOUNT = '(campaign, userid, registered) WHERE userid IS NOT NULL'


def _marks(values: Iterable) -> str:
    """SQL placeholders for *values*: ``?, ?`` for two."""
    return ', '.join('?' for _ in values)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:  # gone, or no longer reachable: not the file the run opened
        return None
    return st.st_dev, st.st_ino


class Journal:
    """One journal file, holding any number of campaigns.

    :param synchronous: SQLite's ``synchronous`` setting: ``FULL`` survives a
        power cut as well as a killed process; ``NORMAL`` only the latter
    """

    def __init__(
        self,
        path: str | Path,
        synchronous: str = 'FULL',
        read_only: bool = False,
        lock: bool = False,
    ) -> None:
        self.path = Path(path)
        #: Read into memory and never written (-simulate): see :meth:`_open_snapshot`.
        self.read_only = read_only
        #: The network filesystem the journal is on ('' when local): no WAL there.
        self.network = network_filesystem(self.path.parent)
        self.campaign: int | None = None
        #: The campaign's name as first written (see :meth:`open_campaign`).
        self.campaign_name = ''
        #: The campaign and those an earlier release kept apart under the same name.
        self._same: tuple[int, ...] = ()
        self._versions: set[int] = set()
        self.version: int | None = None
        self._run: _Run | None = None
        self._lock_db: sqlite3.Connection | None = None
        try:
            linked = self.path.is_symlink()
            other = self.path.exists() and not self.path.is_file()
        except OSError as e:  # a folder on the way that may not be looked into
            raise self._error('cannot be opened', e) from None
        if linked:
            raise JournalError(sentences.journal_link(self.path))
        if other:
            raise JournalError(
                f'The journal {self.path} is not a file (a folder, or something else of '
                'that name): give the path of the journal file with -journal:.'
            )
        # On a network filesystem another host may be writing: nothing is read before
        # the lock is held.
        early = lock and self.network and not read_only
        lock_path = self.path.with_name(self.path.name + '.lock')
        made = early and not lock_path.exists()
        if early:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise self._error('cannot be opened', e) from None
            self._take_lock()
        # Before anything is created, changed or written: a wrong -journal: path may
        # name another program's file, which must stay as it is.
        try:
            schema.identify(self.path)
        except NotAJournal as e:
            self._release()
            if made:  # beside another program's file: leave nothing of this run there
                with contextlib.suppress(OSError):
                    lock_path.unlink()
            if e.newer is not None:
                raise self._newer(e) from None
            raise JournalError(
                f'The journal {self.path} is not a journal of emailuser ({e}), and was left '
                "as it is: give this campaign's journal with -journal:, or the name of a "
                'new file to start one.'
            ) from None
        except OSError as e:
            self._release()
            raise self._error('cannot be opened', e) from None
        if read_only:
            self._open_snapshot()
            return
        try:
            self._open(synchronous)
        except BaseException:
            self._release()
            raise
        if lock:
            try:
                if not early:
                    self._take_lock()
                self._record_holder()
            except BaseException:
                self.close()
                raise

    def _open(self, synchronous: str) -> None:
        """Open the file (created readable by its owner only), check it and migrate it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # SQLite gives its -wal and -shm files the mode of the database.
            _create_private(self.path)
            for suffix in PRIVATE_SUFFIXES:  # copied in from a backup, say, readable by all
                _keep_private(self.path.with_name(self.path.name + suffix))
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as e:
            raise self._error('cannot be opened', e) from None
        self._identity = _identity(self.path)
        try:
            with self._reading():
                self._check_pages()
                # WAL needs memory shared by every process that opens the file.
                mode = 'DELETE' if self.network else 'WAL'
                self.db.execute(f'PRAGMA journal_mode={mode}')
                self.db.execute(f'PRAGMA synchronous={synchronous}')
            self._migrate()
        except JournalError:
            self.db.close()
            raise

    def _open_snapshot(self) -> None:
        """Read the journal into memory, writing nothing (-simulate).

        The copy is checked and brought to this release's schema like a file;
        the file itself is neither locked, nor changed, nor migrated. SQLite
        creates no file beside it, unless one a run left there (``-wal``)
        holds records not yet in the file, which are read too.
        """
        self._identity = None
        self.db = sqlite3.connect(':memory:', isolation_level=None)
        try:
            if self.path.exists():
                wal = self.path.with_name(self.path.name + '-wal').exists()
                # immutable: neither locks nor files beside it, where no run has any; on a
                # network filesystem a run on another host may be writing it.
                still = not wal and not self.network
                params = 'mode=ro&nofollow=1' + ('&immutable=1' if still else '')
                uri = Path(os.path.abspath(self.path)).as_uri() + '?' + params
                with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as source:
                    source.backup(self.db)
            with self._reading():
                self._check_pages()
            self._migrate()
        except (OSError, sqlite3.Error) as e:
            self.db.close()
            raise self._error('cannot be opened', e) from None
        except JournalError:
            self.db.close()
            raise

    def _newer(self, e: NotAJournal) -> JournalError:
        return JournalError(
            f'The journal {self.path} was written by a newer release of '
            f'emailuser (schema {e.newer}): upgrade this one.'
        )

    def _check_pages(self) -> None:
        """Look at every page of the file once, before anything is written or sent.

        SQLite finds a damaged page only when a statement reaches it: without
        this, damage in the ``send`` table would show only when the first
        ``sent`` is recorded, after that email went out. It takes a fraction of
        a second for a journal of a hundred thousand recipients.

        :raises ValueError: the first damage found
        """
        found = [row[0] for row in self.db.execute('PRAGMA quick_check(1)')]
        if found != ['ok']:
            lines = [line for line in '\n'.join(found).splitlines() if not line.startswith('***')]
            raise ValueError(lines[0] if lines else 'SQLite found damage')

    def _error(self, what: str, error: Exception) -> JournalError:
        # SQLite quotes what it found, and a damaged file may hold line breaks there.
        text = ' '.join(str(error).split())
        if isinstance(error, ValueError) or (
            isinstance(error, sqlite3.DatabaseError)
            and ('malformed' in text or 'not a database' in text)
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

    @contextlib.contextmanager
    def _transaction(self):
        """The one way this module writes: one transaction, committed whole (and,
        with ``synchronous=FULL``, on the disk) before the block's caller goes on,
        or rolled back whole.

        It first checks that the journal is still the file this run opened
        (:meth:`check_intact`); an error of SQLite's becomes one
        :class:`JournalError` sentence.
        """
        if not self.read_only:  # a copy in memory, which nothing can replace
            self.check_intact()
        try:
            self.db.execute('BEGIN IMMEDIATE')
            try:
                yield self.db
                self.db.execute('COMMIT')
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute('ROLLBACK')
                raise
        except sqlite3.Error as e:
            raise self._error('cannot be written', e) from None

    @contextlib.contextmanager
    def _reading(self):
        """Reads of the journal: an error of SQLite's, or a value no release of
        emailuser writes, becomes one :class:`JournalError` sentence.

        Rows are fetched inside the block: SQLite finds a damaged page only when
        it reaches it.
        """
        try:
            yield self.db
        except (sqlite3.Error, ValueError) as e:
            raise self._error('cannot be read', e) from None

    def _migrate(self) -> None:
        """Bring an older journal to this release's schema (see :mod:`.journal_schema`)."""
        try:
            # A value no release wrote (a state, say) is damage: the migration rolls back.
            with self._reading():
                if schema.version(self.db) == SCHEMA_VERSION:
                    return
                with self._transaction():
                    old = schema.migrate(self.db)
        except NotAJournal as e:
            raise self._newer(e) from None
        if not self.read_only:
            schema.remove_stale_files(self.path, old)

    def close(self) -> None:
        """Release the lock, if this run holds it, and close the file."""
        self._release()
        self.db.close()

    def _release(self) -> None:
        if self._lock_db is not None:
            self._lock_db.close()  # releases the lock
            self._lock_db = None

    # Campaigns --------------------------------------------------------------

    def open_campaign(
        self, wiki: str, name: str, fp: str, legacy_wiki: str = '', create: bool = True
    ) -> int | None:
        """Find (or create) the campaign *name* on *wiki* and the version *fp*.

        A campaign is found by its name as :func:`.journal_schema.campaign_key`
        reads it; :attr:`campaign_name` is then its name as first written.
        Campaigns that an earlier release kept apart under one such name are
        merged into the first when *create*, and read as one when only looking.

        :param legacy_wiki: Pywikibot's name of the site, which schema 1 used
        :param create: False to only look (``-simulate``); then None when there is none
        """
        with self._transaction():
            if legacy_wiki and create:
                schema.adopt_legacy(self.db, wiki, legacy_wiki, name)
            found = schema.campaigns_named(self.db, wiki, name)
            if create:
                if found:
                    schema.merge_campaigns(self.db, found[0], found[1:])
                found = [schema.campaign_id(self.db, wiki, name)]
            elif legacy_wiki:  # only looking: as they will be adopted
                found += schema.legacy_campaigns(self.db, legacy_wiki, name)
            self._same = tuple(found)
            self.campaign = found[0] if found else None
            self.campaign_name = name
            self.version = None
            self._versions = set()
            if self.campaign is None:
                return None
            self.campaign_name = self.db.execute(
                'SELECT name FROM campaign WHERE id = ?', (self.campaign,)
            ).fetchone()[0]
            if create:
                self.db.execute(
                    'INSERT OR IGNORE INTO version (campaign, fingerprint, created)'
                    ' VALUES (?, ?, ?)',
                    (self.campaign, fp, time.time()),
                )
            rows = self.db.execute(
                f'SELECT id FROM version WHERE campaign IN ({_marks(found)})'
                ' AND fingerprint = ? ORDER BY campaign = ? DESC, id',
                (*found, fp, self.campaign),
            ).fetchall()
            # Only looking at campaigns not merged yet: this text may have one id in each.
            self._versions = {version for (version,) in rows}
            self.version = rows[0][0] if rows else None
        return self.campaign

    @property
    def _ids(self) -> tuple[int, ...]:
        """The ids of :attr:`_same` for SQL: ``(-1,)``, no campaign's, when there are none."""
        return self._same or (-1,)

    def written(self) -> str | None:
        """The name of a campaign in the journal, on any wiki; '' when it holds only
        sends (of -test); None when it holds neither."""
        with self._reading():
            row = self.db.execute('SELECT name FROM campaign ORDER BY id LIMIT 1').fetchone()
            if row is None:
                row = self.db.execute("SELECT '' FROM send LIMIT 1").fetchone()
        return None if row is None else row[0]

    def for_run(self, account: str, wiki: str, family: str = '') -> Journal:
        """Hold what stays the same during a run, for :meth:`record` and :meth:`count_send`.

        :param account: the sending account, kept with each recipient and send
        :param wiki: the wiki as it names itself, which the rate limit counts sends on
        :param family: the family whose wikis share the limit (``wikimedia``), or ''
        :return: this journal
        """
        self._run = _Run(account, wiki, family)
        return self

    def _fixed(self) -> _Run:
        if self._run is None:  # a mistake in the calling code, never the operator's
            raise RuntimeError('Journal.for_run() must be called before the first record')
        return self._run

    def lock(self) -> None:
        """Hold the journal's lock for this run (see also the *lock* of the constructor,
        which takes it before the database is opened on a network filesystem).

        :raises JournalError: another run holds it, or the lock file cannot be used
        """
        if self._lock_db is None:
            self._take_lock()
        self._record_holder()

    def _holder(self) -> str:
        """Who holds the lock, as the journal says: ``PID 123`` or ``another process``."""
        try:
            if hasattr(self, 'db'):
                with self._reading():
                    row = self.db.execute('SELECT pid FROM holder').fetchone()
            else:  # the lock comes first here: a look that writes nothing
                uri = Path(os.path.abspath(self.path)).as_uri() + '?mode=ro&nofollow=1'
                with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5)) as db:
                    row = db.execute('SELECT pid FROM holder').fetchone()
        except (sqlite3.Error, JournalError):
            row = None
        where = ', perhaps on another host' if self.network else ''
        return f'PID {row[0]}{where}' if row else 'another process'

    def _take_lock(self) -> None:
        """Take the lock file's exclusive SQLite lock.

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
            raise JournalError(
                f'Another run is sending with the journal {self.path} right now '
                f'({self._holder()}): wait for it to finish, then run again.'
            ) from None
        except sqlite3.DatabaseError as e:
            raise JournalError(
                f'The lock file {lock_path} of the journal holds something else than a lock '
                f'({e}): remove it when no run is using the journal, then run again.'
            ) from None
        except OSError as e:
            raise self._error('cannot be locked', e) from None
        self._lock_db = db

    def _record_holder(self) -> None:
        """Write who holds the lock, for the sentence of a run that finds it taken."""
        with self._transaction():
            self.db.execute(
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
        # A new file only, readable by its owner only: never through a link put
        # there, nor over a file someone else made.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0)
        saved = False
        try:
            os.close(os.open(target, flags, 0o600))
        except FileExistsError:
            outcome = f'and its records could not be saved as {target}, which exists already'
        except OSError:
            outcome = 'and its records could not be saved again'
        else:
            uri = Path(os.path.abspath(target)).as_uri() + '?nofollow=1'
            try:
                with contextlib.closing(sqlite3.connect(uri, uri=True)) as copy:
                    self.db.backup(copy)
            except sqlite3.Error:
                outcome = 'and its records could not be saved again'
            else:
                outcome, saved = f'and this run saved its records as {target}', True
        then = (
            f'make sure {self.path} is the file this run saved'
            if saved
            else f'put the journal back at {self.path}'
        )
        raise JournalError(
            f'The journal {self.path} was deleted or replaced while this run was using it, '
            f'{outcome}: the run stops; {then} before you run the same command again, or '
            'those already emailed get the message again.'
        )

    # Recipients ---------------------------------------------------------

    def states(self) -> dict[tuple[int, str] | str, Entry]:
        """Every recipient of the campaign on this wiki: by (user id, registration
        time), or by name for a row that has no user id.

        Use :func:`find` or :func:`finder` to look a recipient up.
        """
        if self.campaign is None:
            return {}
        with self._reading():
            rows = self.db.execute(
                'SELECT userid, registered, centralid, username, state, status, detail, final,'
                f' version, updated, {schema.CHANNEL_COLUMNS} FROM recipient'
                f' WHERE campaign IN ({_marks(self._ids)})',
                self._ids,
            ).fetchall()
            found: dict[tuple[int, str] | str, Entry] = {}
            for row in rows:
                userid, registered, centralid, name, state, status, detail, final = row[:8]
                version, updated, *more = row[8:]
                if version in self._versions:
                    version = self.version
                talk, talk_detail, reached = more
                if talk and talk not in schema.TALK_STATES:
                    raise ValueError(f'a talk page state that no release writes: {talk}')
                entry = Entry(
                    State(state),
                    status,
                    detail,
                    bool(final),
                    version,
                    updated,
                    userid,
                    name,
                    registered,
                    centralid,
                    talk,
                    talk_detail,
                    reached,
                )
                key = (userid, registered) if userid is not None else name
                old = found.get(key)
                # Campaigns not merged yet may both know an account: the furthest row counts.
                if old is None or schema.RANK[old.state] < schema.RANK[entry.state]:
                    found[key] = entry
            return found

    def plan(self, users: Iterable) -> None:
        """Record *users* as planned, unless the journal knows them already.

        *users* are :class:`~.recipients.Recipient` objects (or names, see :func:`who`).
        """
        now = time.time()
        by_id, by_name = [], []
        for user in users:
            userid, registered, centralid, name = who(user)
            row = (self.campaign, userid, registered, centralid, name, State.PLANNED.value, now)
            (by_name if userid is None else by_id).append(row)
        again = (
            ' DO UPDATE SET state = excluded.state, username = excluded.username,'
            ' updated = excluded.updated WHERE state IN (?, ?) AND final = 0'
        )
        insert = (
            'INSERT INTO recipient (campaign, userid, registered, centralid, username, state,'
            ' updated) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT '
        )
        retry = (State.SKIPPED.value, State.FAILED.value)
        with self._transaction():
            self.db.executemany(
                insert + _BY_ACCOUNT + again,
                [row + retry for row in by_id],
            )
            self.db.executemany(
                insert + '(campaign, username) WHERE userid IS NULL' + again,
                [row + retry for row in by_name],
            )

    def record(
        self, user, state: State, status: str = '', detail: str = '', final: bool = False
    ) -> None:
        """Set one recipient's state and commit it before returning.

        *user* is a :class:`~.recipients.Recipient` (keyed by its user id) or a
        name (see :func:`who`). A ``sent`` state is committed together with its
        entry in the ``send`` table, which the account's rate limit counts. The
        account, wiki and family are those given to :meth:`for_run`.
        """
        account, wiki, family = self._fixed()
        now = time.time()
        userid, registered, centralid, name = who(user)
        target = '(campaign, username) WHERE userid IS NULL' if userid is None else _BY_ACCOUNT
        reached = now if state in (State.SENT, State.POSTED) else None
        with self._transaction():
            self.db.execute(
                'INSERT INTO recipient (campaign, userid, registered, centralid, username, state,'
                ' status, detail, final, version, account, updated, reached)'
                f' VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT {target}'
                ' DO UPDATE SET state = excluded.state, username = excluded.username,'
                ' centralid = excluded.centralid,'
                ' status = excluded.status, detail = excluded.detail,'
                ' final = excluded.final, version = excluded.version,'
                ' account = excluded.account, updated = excluded.updated,'
                ' reached = coalesce(reached, excluded.reached)',
                (
                    self.campaign,
                    userid,
                    registered,
                    centralid,
                    name,
                    state.value,
                    str(status),
                    detail,
                    int(final),
                    self.version,
                    account,
                    now,
                    reached,
                ),
            )
            if state == State.SENT:
                self.db.execute(
                    'INSERT INTO send (wiki, account, family, at) VALUES (?, ?, ?, ?)',
                    (wiki, account, family, now),
                )

    def record_talk(self, user, talk: str, detail: str = '') -> None:
        """Set the state of one recipient's talk page post (-alsotalk) and commit it before
        returning: ``sending`` before the edit, then ``posted``, ``uncertain`` or ``failed``.

        The email's state in the same row is left as it is; a recipient the run did
        not email has a ``planned`` row for it.
        """
        account, _wiki, _family = self._fixed()
        now = time.time()
        userid, registered, centralid, name = who(user)
        target = '(campaign, username) WHERE userid IS NULL' if userid is None else _BY_ACCOUNT
        reached = now if talk == 'posted' else None
        with self._transaction():
            self.db.execute(
                'INSERT INTO recipient (campaign, userid, registered, centralid, username, state,'
                ' version, account, updated, talk, talk_detail, reached)'
                f' VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT {target}'
                ' DO UPDATE SET talk = excluded.talk, talk_detail = excluded.talk_detail,'
                ' username = excluded.username, updated = excluded.updated,'
                # The text that reached them: the email's, else the post's.
                " version = CASE WHEN state IN ('sent', 'posted') THEN version"
                ' ELSE excluded.version END,'
                ' reached = coalesce(reached, excluded.reached)',
                (
                    self.campaign,
                    userid,
                    registered,
                    centralid,
                    name,
                    State.PLANNED.value,
                    self.version,
                    account,
                    now,
                    talk,
                    detail,
                    reached,
                ),
            )

    def unresolved_names(self, wiki: str) -> list[str]:
        """Names of rows on *wiki* that an older journal kept without a user id."""
        with self._reading():
            return schema.names_without_id(self.db, wiki)

    def adopt_ids(self, wiki: str, accounts: dict) -> None:
        """Give rows on *wiki* known by name only the account that has that name.

        :param accounts: {name as kept: (userid, registered, centralid, canonical name)}
            for the names :meth:`unresolved_names` gave that the wiki knows as accounts
        """
        if not accounts:
            return
        with self._transaction():
            schema.adopt_ids(self.db, wiki, accounts)

    def remember(self, users: Iterable) -> None:
        """Keep what the wiki now says of the accounts of *users* in their rows of the
        campaign: the central id of the global account each is attached to (or none),
        and the registration time of a row that lacks it (a row of schema 3).

        A row of another registration time is another person's, and is left alone.
        """
        rows = []
        for user in users:
            userid, registered, centralid, _ = who(user)
            if userid is not None:
                rows.append((registered, centralid, userid, registered))
        if not rows:
            return
        with self._transaction():
            # OR IGNORE: a row with this registration may be there beside the old one.
            self.db.executemany(
                "UPDATE OR IGNORE recipient SET registered = CASE registered WHEN '' THEN ?"
                ' ELSE registered END, centralid = ?'
                f' WHERE campaign IN ({_marks(self._ids)}) AND userid = ?'
                " AND registered IN ('', ?)",
                [(r, c, *self._ids, u, reg) for r, c, u, reg in rows],
            )

    def note_optouts(self, users: Iterable) -> None:
        """Record that *users* (recipients ``opted-out``, with where in their detail) opted
        out of this campaign on this wiki, so that its runs on other wikis leave them out.

        A row of someone the campaign reached, or a final refusal, is left as it is; a
        later run that finds them no longer opted out plans them again.
        """
        now = time.time()
        skipped = (State.SKIPPED.value, str(Status.OPTED_OUT))
        again = (State.PLANNED.value, State.SKIPPED.value, State.FAILED.value)
        rows = []
        for user in users:
            userid, registered, centralid, name = who(user)
            if userid is not None:
                account = (self.campaign, userid, registered, centralid, name)
                rows.append((*account, *skipped, user.detail, now, *again))
        if not rows:
            return
        with self._transaction():
            self.db.executemany(
                'INSERT INTO recipient (campaign, userid, registered, centralid, username, state,'
                ' status, detail, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT'
                f' {_BY_ACCOUNT} DO UPDATE SET state = excluded.state, status = excluded.status,'
                ' detail = excluded.detail, centralid = excluded.centralid,'
                ' updated = excluded.updated WHERE state IN (?, ?, ?) AND final = 0',
                rows,
            )

    # The campaign on other wikis -------------------------------------------------

    def _same_name(self) -> list[tuple]:
        """(id, wiki, provider, central, sender) of every campaign, on any wiki, that has
        this campaign's name (:func:`.schema.campaign_key`)."""
        key = schema.campaign_key(self.campaign_name)
        rows = self.db.execute(
            'SELECT id, wiki, name, provider, central, sender FROM campaign ORDER BY id'
        ).fetchall()
        return [
            (cid, wiki, provider, central, sender)
            for cid, wiki, name, provider, central, sender in rows
            if schema.campaign_key(name) == key
        ]

    def domains(self) -> list[Domain]:
        """The campaigns of this name on every wiki, with their central-id domains."""
        with self._reading():
            found = []
            for cid, wiki, provider, central, sender in self._same_name():
                rows = self.db.execute(
                    'SELECT 1 FROM recipient WHERE campaign = ? LIMIT 1', (cid,)
                ).fetchone()
                found.append(Domain(wiki, provider, central, sender, rows is not None))
            return found

    def claim_domain(self, provider: str, central: int, sender: str) -> None:
        """Remember the central-id domain of this campaign on this wiki, unless it has one."""
        with self._transaction():
            self.db.execute(
                'UPDATE campaign SET provider = ?, central = ?, sender = ?'
                ' WHERE id = ? AND provider IS NULL',
                (provider, central, sender, self.campaign),
            )

    def _domain_campaigns(self, wiki: str, domain: tuple[str, int]) -> list[int]:
        """The ids of the campaigns of this name on wikis other than *wiki* in *domain*."""
        return [
            cid
            for cid, other, provider, central, _ in self._same_name()
            if other != wiki and (provider, central) == domain
        ]

    def reached_on_other_wikis(self, wiki: str, domain: tuple[str, int]) -> dict[str, int]:
        """How many people the campaign reached on each other wiki of *domain*."""
        with self._reading():
            ids = self._domain_campaigns(wiki, domain)
            rows = self.db.execute(
                'SELECT c.wiki, count(*) FROM recipient r JOIN campaign c ON c.id = r.campaign'
                f' WHERE r.campaign IN ({_marks(ids)}) AND r.state IN (?, ?) GROUP BY c.wiki'
                ' ORDER BY c.wiki',
                (*ids, State.SENT.value, State.POSTED.value),
            ).fetchall()
        return dict(rows)

    def elsewhere(self, wiki: str, domain: tuple[str, int], centralids: Iterable[int]) -> dict:
        """What the campaign did on other wikis of *domain* to the people of *centralids*.

        Returns {central id: :class:`Elsewhere`}: the first time they were reached,
        else a delivery that may or may not have reached them, else an opt-out.
        """
        wanted = set(centralids)
        with self._reading():
            ids = self._domain_campaigns(wiki, domain)
            if not ids or not wanted:
                return {}
            rows = self.db.execute(
                'SELECT c.wiki, r.centralid, r.state, r.status, r.detail, r.updated'
                ' FROM recipient r JOIN campaign c ON c.id = r.campaign'
                f' WHERE r.campaign IN ({_marks(ids)}) AND r.centralid IS NOT NULL'
                ' AND (r.state IN (?, ?, ?, ?) OR (r.state = ? AND r.status = ?))'
                ' ORDER BY r.updated',
                (
                    *ids,
                    State.SENT.value,
                    State.POSTED.value,
                    State.SENDING.value,
                    State.UNCERTAIN.value,
                    State.SKIPPED.value,
                    str(Status.OPTED_OUT),
                ),
            ).fetchall()
            found: dict[int, Elsewhere] = {}
            for other, centralid, state, status, detail, updated in rows:
                if centralid not in wanted:
                    continue
                entry = Elsewhere(other, State(state), status, detail, updated)
                old = found.get(centralid)
                # The earliest of the most telling rows: rows come oldest first.
                if old is None or _ELSEWHERE_RANK.get(entry.state, 0) > _ELSEWHERE_RANK.get(
                    old.state, 0
                ):
                    found[centralid] = entry
            return found

    def count_send(self) -> None:
        """Record an email that reached no recipient of a campaign (-test), for the rate limit.

        The account, wiki and family are those given to :meth:`for_run`.
        """
        account, wiki, family = self._fixed()
        with self._transaction():
            self.db.execute(
                'INSERT INTO send (wiki, account, family, at) VALUES (?, ?, ?, ?)',
                (wiki, account, family, time.time()),
            )

    def resend_state(self) -> tuple[float | None, float | None]:
        """This campaign's resend on this wiki: when the one that goes on began (None when
        none does), and when the last one ended (None when none did)."""
        if self.campaign is None:
            return None, None
        with self._reading():
            row = self.db.execute(
                'SELECT resend_from, resend_ended FROM campaign WHERE id = ?', (self.campaign,)
            ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def domain_resend(self, wiki: str, domain: tuple[str, int], within: float) -> float | None:
        """When the latest resend of this campaign on the other wikis of *domain* began,
        of those that go on or ended less than *within* seconds ago; None when none."""
        with self._reading():
            ids = self._domain_campaigns(wiki, domain)
            rows = self.db.execute(
                'SELECT resend_from, resend_round, resend_ended FROM campaign'
                f' WHERE id IN ({_marks(ids)})',
                ids,
            ).fetchall()
        now = time.time()
        starts = [
            began if began is not None else last
            for began, last, ended in rows
            if began is not None or (last is not None and ended and now - ended < within)
        ]
        return max(starts, default=None)

    def begin_resend(self, joined: float | None = None) -> float:
        """-resend: go on with this campaign's resend that goes on, else begin one: from
        *joined* (the one the campaign's other wikis go on with), else from now. Returns
        when it began. The rows stay as they are: a run without -resend still knows who
        was reached before."""
        began = joined or time.time()
        with self._transaction():
            self.db.execute(
                'UPDATE campaign SET resend_from = coalesce(resend_from, ?),'
                ' resend_round = coalesce(resend_from, ?) WHERE id = ?',
                (began, began, self.campaign),
            )
            return self.db.execute(
                'SELECT resend_from FROM campaign WHERE id = ?', (self.campaign,)
            ).fetchone()[0]

    def end_resend(self) -> None:
        """The resend reached everyone it was to reach here: a later -resend is a new one."""
        with self._transaction():
            self.db.execute(
                'UPDATE campaign SET resend_from = NULL, resend_ended = ? WHERE id = ?',
                (time.time(), self.campaign),
            )

    # Across campaigns ------------------------------------------------------

    def sends_since(
        self, since: float, account: str, wiki: str = '', family: str = ''
    ) -> list[float]:
        """When *account* sent email since *since*: on *wiki*, or on every wiki of *family*."""
        if family:
            where, key = 'family = ?', family
        else:
            where, key = 'wiki = ?', wiki
        with self._reading():
            rows = self.db.execute(
                f'SELECT at FROM send WHERE account = ? AND {where} AND at >= ? ORDER BY at',
                (account, key, since),
            ).fetchall()
        return [at for (at,) in rows]

    def campaigns(self, wiki: str) -> list[str]:
        """The names of the campaigns on *wiki*, oldest first."""
        with self._reading():
            rows = self.db.execute(
                'SELECT name FROM campaign WHERE wiki = ? ORDER BY created, id', (wiki,)
            ).fetchall()
        return [name for (name,) in rows]

    def reached_by(
        self, wiki: str, name: str
    ) -> tuple[str, dict[tuple[int, str] | str, float]] | None:
        """When the campaign *name* on *wiki* first reached each of its recipients (by email
        or talk page): its name as first written, and {(user id, registration time), or
        name for an old row: time}; None when
        *wiki* has no such campaign."""
        with self._reading():
            ids = schema.campaigns_named(self.db, wiki, name)
            if not ids:
                return None
            first = self.db.execute('SELECT name FROM campaign WHERE id = ?', (ids[0],))
            written = first.fetchone()[0]
            rows = self.db.execute(
                'SELECT userid, registered, username, reached FROM recipient'
                f' WHERE campaign IN ({_marks(ids)}) AND reached IS NOT NULL',
                ids,
            ).fetchall()
        found: dict[tuple[int, str] | str, float] = {}
        for userid, registered, username, reached in rows:
            key = (userid, registered or '') if userid is not None else username
            found[key] = min(reached, found.get(key, reached))
        return written, found

    def ids_of(self, wiki: str, name: str) -> tuple[int, ...]:
        """The ids of the campaign *name* on *wiki* (see :func:`.schema.campaigns_named`)."""
        with self._reading():
            return tuple(schema.campaigns_named(self.db, wiki, name))

    def reached_elsewhere(
        self,
        wiki: str,
        users: Iterable,
        since: float,
        domain: tuple[str, int] | None = None,
        besides: Iterable[int] = (),
    ) -> dict[str, list[str]]:
        """Which of *users* other campaigns reached since *since*, by campaign; not
        counting this campaign nor those whose ids are *besides*.

        Campaigns on *wiki* match *users* by account (and rows of older journals by
        name); with a central-id *domain*, those of that domain on other wikis match
        them by central id.
        """
        ids: dict[int, list] = {}
        names, central = {}, {}
        for user in users:
            userid, registered, centralid, name = who(user)
            names[name] = name
            if userid is not None:
                ids.setdefault(userid, []).append((registered, name))
            if centralid is not None:
                central[centralid] = name
        reached = (
            State.SENT.value,
            State.POSTED.value,
            State.SENDING.value,
            State.UNCERTAIN.value,
        )
        with self._reading():
            same = [row[0] for row in self._same_name()] if self.campaign_name else []
            same = sorted(set(same) | set(self._ids) | set(besides))
            rows = self.db.execute(
                'SELECT c.name, c.wiki, r.userid, r.registered, r.centralid, r.username'
                ' FROM recipient r JOIN campaign c ON c.id = r.campaign'
                f' WHERE c.id NOT IN ({_marks(same)})'
                " AND (r.state IN (?, ?, ?, ?) OR r.talk IN ('sending', 'posted', 'uncertain'))"
                ' AND r.updated >= ? AND (c.wiki = ? OR (c.provider = ? AND c.central = ?))'
                ' ORDER BY r.updated',
                (*same, *reached, since, wiki, *(domain or ('', 0))),
            ).fetchall()
        found: dict[str, list[str]] = {}
        for name, other, userid, registered, centralid, user in rows:
            if other != wiki:
                shown = central.get(centralid) if centralid is not None else None
            elif userid is None:
                shown = names.get(user)
            else:
                shown = next(
                    (
                        n
                        for r, n in ids.get(userid, ())
                        if not (r and registered and r != registered)
                    ),
                    None,
                )
            if shown is not None:
                found.setdefault(name, []).append(shown)
        return found
