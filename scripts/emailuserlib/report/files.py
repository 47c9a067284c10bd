"""The per-recipient CSV report: one row per user the run considered.

Written by one function (:func:`save_report`) for a run and for ``-check``,
from each recipient's settled outcome; :func:`check_path` refuses, before
anything is sent, a path the report cannot be written to or must not replace.
"""

from __future__ import annotations

import contextlib
import csv
import os
import stat
from collections.abc import Iterable
from pathlib import Path

import pywikibot

from ..core import sentences
from ..core.accounts import EDIT_COUNT
from ..core.errors import EmailUserError
from ..core.words import plural

HEADER = ('username', 'status', 'detail')
#: What -editors adds to each row.
EDITOR_COLUMNS = ('edits', 'pages')
#: The columns that may follow :data:`HEADER`, in this order: -editors' ``edits,pages``,
#: -alsotalk's ``talk`` (the talk page post's outcome) and -inactive:'s ``lastactive``.
OPTIONAL_COLUMNS = (*EDITOR_COLUMNS, 'talk', 'lastactive')
#: The first rows of the reports this script writes, without and with -editors (any
#: other first row of :data:`HEADER` and some :data:`OPTIONAL_COLUMNS` in order is one too).
HEADERS = (HEADER, (*HEADER, *EDITOR_COLUMNS))

#: What a spreadsheet takes for the start of a formula; such a cell gets a leading '.
FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')
#: The files SQLite and the script keep beside the journal.
JOURNAL_SUFFIXES = ('', '-wal', '-shm', '-journal', '.lock')


#: Where devices and the streams of processes are, which are no files to write a report to.
_NOT_FILES = (Path('/dev'), Path('/proc'))


def _under(path: Path, folders) -> bool:
    return any(path == folder or folder in path.parents for folder in folders)


def target(path: str | Path, option: str = '-report:', what: str = 'report') -> Path:
    """The regular file that writing to *path* (the *what* given with *option*) would
    write (its folders' links resolved).

    :raises EmailUserError: *path* is a symbolic link, or is or leads to a device, a
        stream of a process, a FIFO, a socket or a folder: nothing but a regular file
        is ever written, and never through a link
    """
    given = Path(path).expanduser()
    try:
        real = Path(os.path.realpath(given))
        st = os.stat(real) if real.exists() else None
    except (OSError, RuntimeError) as e:  # a loop of links, a name too long
        raise EmailUserError(
            f'The {what} path {given} cannot be used ({getattr(e, "strerror", None) or e}): '
            f'give another path with {option}.'
        ) from None
    if _under(given.absolute(), _NOT_FILES) or _under(real, _NOT_FILES):
        raise EmailUserError(
            f'{given} given with {option} is a device or the stream of a process, not a file: '
            f'give the path of a file with {option}.'
        )
    if given.is_symlink():
        raise EmailUserError(
            f'{given} given with {option} is a symbolic link, and the {what}, which holds user '
            f'names, is never written through one: give the path of the file itself with '
            f'{option}.'
        )
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        leads = f' (it leads to {real})' if real != given.absolute() else ''
        raise EmailUserError(
            f'{given} given with {option} is not a plain file{leads}, and only a plain file is '
            f'ever written: give the path of a file with {option}.'
        )
    return real


def check_path(
    path: str | Path, journal: Path | None = None, inputs: Iterable[tuple[str, str]] = ()
) -> Path:
    """Refuse, before anything is sent, a report path that cannot be written.

    *inputs* are the files the run reads, as (option, path): the report, and the
    temporary file it is written through, must be none of them.

    A file already at *path* is replaced only when it is a report of this
    script (see :func:`is_report`), or empty.

    :raises EmailUserError: the folder is missing or not writable, the path is a
        folder, a symbolic link, a device or another thing than a plain file, it is
        the journal or an input, or a file that is not a report
    """
    path = Path(path).expanduser()
    real = target(path)
    folder = real.parent
    try:
        is_folder, folder_exists = path.is_dir(), folder.is_dir()
    except OSError as e:  # a name too long for the file system, for one
        raise EmailUserError(
            f'The report path {path} cannot be used ({e.strerror}): give another path with '
            '-report:.'
        ) from None
    if is_folder:
        raise EmailUserError(f'The report path {path} is a folder: give a file name with -report:.')
    if not folder_exists:
        raise EmailUserError(
            f'The folder of the report {path} does not exist: create it, or give another '
            'path with -report:.'
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise EmailUserError(
            f'The folder of the report {path} is not writable: give another path with -report:.'
        )
    outputs = [real, temporary_path(real)]
    if journal is not None and any(
        same_file(out, j) for out in outputs for j in journal_files(journal)
    ):
        raise EmailUserError(
            f'The report {path} would overwrite the journal: give another path with -report:.'
        )
    for option, given in inputs:
        if any(same_file(out, given) for out in outputs):
            raise EmailUserError(
                f'The report {path} would overwrite the file given with {option}{given}: '
                'give another path with -report:.'
            )
    try:
        replaceable = is_report(real)
    except OSError as e:
        raise EmailUserError(
            f'{path} exists and cannot be read to tell whether it is a report of emailuser '
            f'({e.strerror}): give another -report: path, or remove the file.'
        ) from None
    if not replaceable:
        raise EmailUserError(
            f'{path} exists and is not a report of emailuser: give another -report: path, '
            'or remove the file.'
        )
    return path


def is_report(path: Path) -> bool:
    """Whether a report may replace what is at *path*: nothing, an empty file, or a
    report of this script (its first line is one of the :data:`HEADERS`).

    A link is read through; something else than a plain file is no report.

    :raises OSError: the file cannot be read
    """
    # O_NONBLOCK: a FIFO put there must not hang the run.
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0))
    except FileNotFoundError:
        return True
    with os.fdopen(fd, 'rb') as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        start = f.read(4096)
    if not start:
        return True
    try:
        first = start.split(b'\n', 1)[0].rstrip(b'\r').decode('utf-8')
    except UnicodeDecodeError:
        return False
    return is_header(tuple(first.split(',')))


def is_header(cells: tuple[str, ...]) -> bool:
    """Whether *cells* are a first row this script writes: :data:`HEADER`, then some of
    :data:`OPTIONAL_COLUMNS` in their order."""
    if cells[: len(HEADER)] != HEADER:
        return False
    rest = iter(OPTIONAL_COLUMNS)
    return all(any(cell == column for column in rest) for cell in cells[len(HEADER) :])


def check_journal_path(journal: Path, inputs: Iterable[tuple[str, str]]) -> None:
    """Refuse a journal (or a file SQLite keeps beside it) that is one of the *inputs*.

    :raises EmailUserError: with the sentence for the operator; also for a journal path
        that is a symbolic link, even one that leads nowhere yet
    """
    with contextlib.suppress(OSError):  # a folder that may not be looked into: said later
        if Path(journal).expanduser().is_symlink():
            raise EmailUserError(sentences.journal_link(journal))
    for option, given in inputs:
        if any(same_file(j, given) for j in journal_files(journal)):
            raise EmailUserError(
                f'The journal {journal} or a file beside it is the file given with '
                f'{option}{given}, which the journal would overwrite: give another path with '
                '-journal:.'
            )


def journal_files(journal: str | Path) -> list[Path]:
    """The journal and the files SQLite and the script keep beside it."""
    journal = Path(journal).expanduser()
    return [journal.with_name(journal.name + suffix) for suffix in JOURNAL_SUFFIXES]


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether *a* and *b* are one file: the same path once resolved, or the same inode."""
    a, b = Path(a).expanduser(), Path(b).expanduser()
    try:
        if a.resolve() == b.resolve():
            return True
        first, second = os.stat(a), os.stat(b)
    except (OSError, RuntimeError):  # missing, or a loop of links
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def temporary_path(path: Path) -> Path:
    """The file the report is written to before it replaces *path*."""
    return path.with_name(f'.{path.name}.{os.getpid()}.tmp')


def cell(value: str) -> str:
    """*value* as a report cell that a spreadsheet shows as text, never runs as a formula.

    User names and page titles are chosen by others, so a cell that starts like a
    formula gets a leading ', as OWASP's advice on CSV injection says.
    """
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_report(
    path: str | Path, rows: Iterable[tuple[str, ...]], header: tuple[str, ...] = HEADER
) -> None:
    """Write the CSV atomically, readable by its owner only, its cells escaped by :func:`cell`.

    *header* is :data:`HEADER`, with ``edits,pages`` after it for -editors.

    The rows go to a new temporary file beside *path* (created exclusively,
    never through a symbolic link), which then replaces *path*: a reader, or a
    run killed meanwhile, never sees a half-written report. A symbolic link at
    *path* is refused, as :func:`check_path` refused it before anything was sent.

    :raises EmailUserError: *path* leads to something else than a plain file now
    """
    path = target(path)
    tmp = temporary_path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0)
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # left by a killed run of the same PID
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows([cell(value) for value in row] for row in rows)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def save_report(
    path: str | Path, rows: list[tuple[str, ...]], header: tuple[str, ...] = HEADER
) -> bool:
    """Write the report with :func:`write_report` and tell the operator; False if it failed.

    The run and -check both write through here. What the door could not
    foresee (a disk full, a folder removed meanwhile, a temporary name too long)
    is one sentence, not a traceback: the run's outcomes are in the journal anyway.
    """
    try:
        write_report(path, rows, header)
    except EmailUserError as e:
        pywikibot.error(str(e))
        return False
    except OSError as e:
        pywikibot.error(
            f'The report {path} could not be written ({e.strerror}): check the path given '
            'with -report:.'
        )
        return False
    pywikibot.info(f'Report with {plural(len(rows), "row")} written to {path}.')
    return True


def report_header(editors: bool, talk: bool = False, inactive: bool = False) -> tuple[str, ...]:
    """The report's header: ``edits,pages`` follow the usual columns with -editors,
    ``talk`` with -alsotalk and ``lastactive`` with -inactive:."""
    wanted = {*(EDITOR_COLUMNS if editors else ()), *(('talk',) if talk else ())}
    if inactive:
        wanted.add('lastactive')
    return HEADER + tuple(c for c in OPTIONAL_COLUMNS if c in wanted)


def _cell(recipient, column: str) -> str:
    if column == 'talk':
        talk = getattr(recipient, 'talk', None)
        detail = getattr(recipient, 'talkdetail', '')
        return f'{talk} ({detail})' if talk and detail else str(talk or '')
    if column == 'edits':  # a number, for a spreadsheet to sum and sort; {edits} has its noun
        return recipient.values.get(EDIT_COUNT, '')
    return recipient.values.get(column, '')


def report_rows(
    recipients: Iterable, editors: bool, talk: bool = False, inactive: bool = False
) -> list[tuple[str, ...]]:
    """One report row per recipient, under :func:`report_header`: name, status and
    detail, then with -editors the ``edits`` and ``pages`` cells, with -alsotalk the
    talk page post's outcome, with -inactive: the last activity."""
    extra = report_header(editors, talk, inactive)[len(HEADER) :]
    return [(r.name, str(r.status), r.detail, *(_cell(r, c) for c in extra)) for r in recipients]
