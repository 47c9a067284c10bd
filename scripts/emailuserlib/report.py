"""The per-recipient CSV report: one row per user the run considered."""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterable
from pathlib import Path

HEADER = ('username', 'status', 'detail')


def write_report(path: str | Path, rows: Iterable[tuple[str, str, str]]) -> None:
    """Write the CSV atomically, readable by its owner only.

    The rows go to a temporary file beside *path*, which then replaces *path*:
    a reader, or a run killed meanwhile, never sees a half-written report.
    """
    path = Path(path)
    tmp = path.with_name(f'.{path.name}.{os.getpid()}.tmp')
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows(rows)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
