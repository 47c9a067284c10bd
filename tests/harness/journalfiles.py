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


def short_file(folder: Path, data: bytes) -> Path:
    """A file of *data* alone, too short to be a database."""
    path = folder / 'x.db'
    path.write_bytes(data)
    return path


#: Files that are no journal, by what they are: each makes one in a folder.
OTHERS = {
    'html': html,
    'bookmarks': lambda f: other_database(f),
    'schema-2-of-another-program': lambda f: other_database(f, 2, 'bookmarks'),
    'schema-7': lambda f: other_database(f, 7),
    'negative-schema': lambda f: other_database(f, -1, 'campaign', 'recipient'),
    'header-only': lambda f: short_file(f, b'SQLite format 3\0' * 3),
}


#: The wiki of the journals these tests make.
WIKI = '//wiki.example/w wikidb'

#: What a run reads of the journal, each with the tables and indexes it reaches: damage
#: there is found by that read.
READS = {
    'states': (('recipient',), lambda j: j.states()),
    'reached_elsewhere': (('recipient',), lambda j: j.reached_elsewhere(WIKI, ['Alice'], 0)),
    'unresolved_names': (
        ('recipient', 'recipient_by_name'),
        lambda j: j.unresolved_names(WIKI),
    ),
    'sends_since': (('send', 'send_by_account'), lambda j: j.sends_since(0, 'Sender', WIKI)),
    'sends_since_family': (
        ('send', 'send_by_account'),
        lambda j: j.sends_since(0, 'Sender', family='wikimedia'),
    ),
}
