"""Files an operator gives the script (name lists, CSV files, texts), written for a test."""

from __future__ import annotations

from pathlib import Path


def write(folder: Path, name: str, text: str) -> str:
    """Write *text* as UTF-8 into *folder*/*name*; return the path as the command line takes it."""
    path = Path(folder) / name
    path.write_text(text, encoding='utf-8')
    return str(path)


def write_ini(folder: Path, text: str) -> Path:
    """Write *text* as *folder*/scripts.ini; return its path."""
    path = Path(folder) / 'scripts.ini'
    path.write_text(text, encoding='utf-8')
    return path


def codes_campaign(folder: Path, rows: str, subject: str = 'Your code') -> tuple[list[str], Path]:
    """A campaign that mails each row of a codes file its own code, with a report.

    *rows* are the file's ``name,code`` lines after its header. Returns the command
    line (``-users:``, the subject, ``-text:Your code is {code}.``, ``-always`` and
    ``-report:``) and the path of the report it writes.
    """
    users = write(folder, 'codes.csv', 'username,code\n' + rows)
    report = Path(folder) / 'report.csv'
    args = [f'-users:{users}', f'-subject:{subject}', '-text:Your code is {code}.', '-always']
    return [*args, f'-report:{report}'], report
