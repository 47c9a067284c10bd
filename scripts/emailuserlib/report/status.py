"""-statusfile: the outcome of every run as a JSON file, for schedulers.

A run's outcome is one of :data:`OUTCOMES`; each maps to an exit status
(:func:`exit_status`): ``done`` 0, ``deferred`` the -deferredexit: value,
``stopped`` 75, ``refused`` and ``failed`` 1. The entry fills a
:class:`RunRecord` as the run goes (the pipeline adds what it learns) and writes
it at the end of every run whose options could be read, also a refused, stopped
or failed one (:func:`save_status`). The file is written whole or not at all (a
new file beside it, renamed over it), readable by its owner only, and it
replaces only an empty file or a status file of this script: its ``emailuser``
key says so.

The fields, documented in docs/options.md:

``emailuser``
    the format of the file: 1
``outcome``
    ``done``, ``deferred``, ``stopped``, ``refused`` or ``failed``
``exit_status``
    the run's exit status
``finished_at``
    when the run ended (ISO 8601, UTC)
``simulate``
    whether it was a simulation (-simulate), which sends nothing
``counts``
    how many recipients ended with each status (``sent``, ``pending`` ...), as far as
    the run got; with -alsotalk, ``talk`` has the talk page posts' outcomes
``campaign``, ``journal``
    the campaign's name and the journal's path ('' when the run did not get there)
``next_possible_at``
    when the next email can go (ISO 8601, UTC): for a deferred run when the limit
    lets one go, for a stopped one now; null when done, refused or failed
``command``
    the command to run then (null when there is nothing to run again)
``message``
    the sentence that ended the run, or ''
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pywikibot

from ..core.errors import EXIT_ERROR, EXIT_OK, EXIT_PENDING, EmailUserError
from ..options.settings import Settings

DONE, DEFERRED, STOPPED, REFUSED, FAILED = 'done', 'deferred', 'stopped', 'refused', 'failed'
#: Every outcome of a run, as the status file names it.
OUTCOMES = (DONE, DEFERRED, STOPPED, REFUSED, FAILED)
#: The value of the ``emailuser`` key: the format of the status file.
FORMAT = 1


def exit_status(outcome: str, deferredexit: int = EXIT_PENDING) -> int:
    """The exit status of a run with *outcome*."""
    return {DONE: EXIT_OK, DEFERRED: deferredexit, STOPPED: EXIT_PENDING}.get(outcome, EXIT_ERROR)


def when(seconds: float | None) -> str | None:
    """A time (seconds since the epoch) in ISO 8601, UTC, to the second; None for None."""
    if seconds is None:
        return None
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(seconds))


@dataclass
class RunRecord:
    """What a run learnt, for its status file: filled in as the run goes."""

    settings: Settings | None = None
    #: The status file, once its path is known to be usable.
    path: Path | None = None
    campaign: str = ''
    journal: str = ''
    counts: Counter = field(default_factory=Counter)
    talk: Counter = field(default_factory=Counter)
    outcome: str = ''
    #: When the next email can go (seconds since the epoch), for deferred and stopped runs.
    next_at: float | None = None
    sentence: str = ''
    simulate: bool = False

    def document(self, status: int, command: str) -> dict:
        """The status file's content, for a run that ended with *status*."""
        outcome = self.outcome or (
            DONE if status == EXIT_OK else STOPPED if status == EXIT_PENDING else FAILED
        )
        next_at = self.next_at
        if next_at is None and outcome in (DEFERRED, STOPPED):
            next_at = time.time()
        again = outcome in (DEFERRED, STOPPED, FAILED)
        talk = {'talk': {str(k): v for k, v in sorted(self.talk.items()) if v}} if self.talk else {}
        return {
            'emailuser': FORMAT,
            'outcome': outcome,
            'exit_status': status,
            'finished_at': when(time.time()),
            'simulate': self.simulate,
            'counts': {str(k): v for k, v in sorted(self.counts.items(), key=str) if v},
            **talk,
            'campaign': self.campaign,
            'journal': self.journal,
            'next_possible_at': when(next_at) if outcome in (DEFERRED, STOPPED) else None,
            'command': command if again else None,
            'message': self.sentence,
        }


def is_status_file(path: Path) -> bool:
    """Whether a status file may replace what is at *path*: nothing, an empty file, or
    a status file of this script. A link or anything but a plain file is none.

    :raises OSError: the file cannot be read
    """
    flags = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return True
    except OSError:
        if os.path.islink(path):
            return False
        raise
    with os.fdopen(fd, 'rb') as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        data = f.read(1_000_000)
    if not data.strip():
        return True
    try:
        found = json.loads(data.decode('utf-8'))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(found, dict) and found.get('emailuser') == FORMAT


def check_status_path(path: Path, taken: Iterable[tuple[str, Path]]) -> Path:
    """Refuse, before anything is sent, a status file that cannot be written or must not
    be replaced.

    *taken* are the files the run reads or writes otherwise, as (what, path): the
    -users: files, the report, the journal ...

    :raises EmailUserError: the sentence and what to do
    """
    path = Path(path).expanduser()
    folder = path.parent
    what = f'The status file {path}'
    try:
        is_folder, folder_exists = path.is_dir(), folder.is_dir()
    except OSError as e:
        raise EmailUserError(
            f'{what} cannot be used ({e.strerror}): give another path with -statusfile:.'
        ) from None
    if is_folder:
        raise EmailUserError(f'{what} is a folder: give a file name with -statusfile:.')
    if not folder_exists or not os.access(folder, os.W_OK | os.X_OK):
        raise EmailUserError(
            f'The folder of the status file {path} does not exist or is not writable: '
            'create it, or give another path with -statusfile:.'
        )
    for name, other in taken:
        if other is not None and _same(path, Path(other)):
            raise EmailUserError(
                f'{what} would overwrite {name}: give another path with -statusfile:.'
            )
    try:
        replaceable = is_status_file(path)
    except OSError as e:
        raise EmailUserError(
            f'{what} exists and cannot be read to tell whether it is a status file of '
            f'emailuser ({e.strerror}): give another -statusfile: path, or remove the file.'
        ) from None
    if not replaceable:
        raise EmailUserError(
            f'{what} exists and is not a status file of emailuser (or is a symbolic link): '
            'give another -statusfile: path, or remove the file.'
        )
    return path


def _same(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return os.path.abspath(one) == os.path.abspath(other)


def write_status(path: Path, document: dict) -> None:
    """Write *document* to *path* whole or not at all, readable by its owner only.

    A new file beside it (never through a link) is renamed over it, so that a
    scheduler reading it never sees half of it.
    """
    tmp = path.with_name(f'.{path.name}.{os.getpid()}.tmp')
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0)
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # left by a killed run of the same PID
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            json.dump(document, f, ensure_ascii=False, indent=2)
            f.write('\n')
            f.flush()
            os.fsync(f.fileno())
        if not is_status_file(path):  # put there while the run went on
            raise OSError(0, 'a file that is not a status file took its place')
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def save_status(record: RunRecord, status: int, command: str) -> None:
    """Write the status file of a run that ended with *status*, if it has one."""
    if record.path is None:
        return
    try:
        write_status(record.path, record.document(status, command))
    except OSError as e:
        pywikibot.error(
            f'The status file {record.path} could not be written ({e.strerror}): check the '
            'path given with -statusfile:.'
        )
