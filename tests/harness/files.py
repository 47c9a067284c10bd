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
