"""Files a journal path may meet in the tests: a journal damaged on purpose, another
program's database, a web page; and a folder's files, to tell that nothing changed."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

#: The page of :func:`html`.
PAGE = b'<html>public page</html>\n'


def damage(path: Path, *tables: str) -> None:
    """Overwrite the first page of each of *tables* (tables or indexes) with junk.

    SQLite notices only when a statement reaches that page, so the file still
    opens: the damage is found partway, by whichever method reads it first.
    """
    with sqlite3.connect(path) as db:
        (size,) = db.execute('PRAGMA page_size').fetchone()
        roots = dict(db.execute('SELECT name, rootpage FROM sqlite_master'))
    db.close()
    data = bytearray(path.read_bytes())
    for table in tables:
        start = (roots[table] - 1) * size
        data[start : start + size] = b'\xa5' * size
    path.write_bytes(bytes(data))


def snapshot(folder: Path) -> dict:
    """Every file in *folder*: its bytes and mode."""
    return {
        p.name: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def html(folder: Path) -> Path:
    path = folder / 'index.html'
    path.write_bytes(PAGE)
    path.chmod(0o644)
    return path


def other_database(folder: Path, user_version: int = 0, *tables: str) -> Path:
    """Another program's SQLite database, readable by all."""
    path = folder / 'places.sqlite'
    db = sqlite3.connect(path)
    for table in tables or ('bookmarks',):
        db.execute(f'CREATE TABLE {table} (url TEXT)')
        db.execute(f"INSERT INTO {table} VALUES ('https://example.org')")
    db.execute(f'PRAGMA user_version={user_version}')
    db.commit()
    db.close()
    path.chmod(0o644)
    return path
