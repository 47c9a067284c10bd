"""The per-recipient CSV report: one row per user the run considered."""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterable
from pathlib import Path

HEADER = ('username', 'status', 'detail')


class ReportError(ValueError):
    """The report cannot be written where asked; the text says what to do."""


def check_path(path: str | Path, journal: Path | None = None) -> Path:
    """Refuse, before anything is sent, a report path that cannot be written.

    :raises ReportError: the folder is missing or not writable, the path is a
        folder, or it is the journal
    """
    path = Path(path).expanduser()
    folder = path.parent
    if path.is_dir():
        raise ReportError(f'The report path {path} is a folder: give a file name with -report:.')
    if not folder.is_dir():
        raise ReportError(
            f'The folder of the report {path} does not exist: create it, or give another '
            'path with -report:.'
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReportError(
            f'The folder of the report {path} is not writable: give another path with -report:.'
        )
    if journal is not None:
        journal = journal.expanduser()
        names = {journal.name + suffix for suffix in ('', '-wal', '-shm', '-journal', '.lock')}
        same_folder = folder.resolve() == journal.parent.resolve()
        if (same_folder and path.name in names) or (
            path.exists() and journal.exists() and path.samefile(journal)
        ):
            raise ReportError(
                f'The report {path} would overwrite the journal: give another path with -report:.'
            )
    return path


def write_report(
    path: str | Path, rows: Iterable[tuple[str, ...]], header: tuple[str, ...] = HEADER
) -> None:
    """Write the CSV atomically, readable by its owner only.

    *header* is :data:`HEADER`, with ``edits,pages`` after it for -editors.

    The rows go to a new temporary file beside *path* (created exclusively,
    never through a symbolic link), which then replaces *path*: a reader, or a
    run killed meanwhile, never sees a half-written report.
    """
    path = Path(path).expanduser()
    tmp = path.with_name(f'.{path.name}.{os.getpid()}.tmp')
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0)
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # left by a killed run of the same PID
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
