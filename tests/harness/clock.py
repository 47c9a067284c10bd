"""Time passed without waiting for it: a new window for the wiki's and the journal's limits.

A test that proves what happens *after* a rate limit's window moves the clocks that
the window is measured by, instead of sleeping through it: the wiki's counters are
emptied, as a new window would, and the journal's sends are dated earlier, as they
would read once the window had passed. A test that proves the wait itself (``-wait``,
the put throttle) waits for real.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def forget_wiki_rate_limits(wiki) -> None:
    """Empty the wiki's rate limit counters (1.39 counts API emails), as a new day would."""
    # MediaWiki's SQLite installer keeps the object cache in a file of its own; the main
    # database is named after the wiki's id where it has one of its own (harness.central).
    for name in ('wikicache.sqlite', f'{getattr(wiki, "wiki_id", "wiki")}.sqlite'):
        db = sqlite3.connect(wiki.root / 'db' / name)
        try:
            db.execute("DELETE FROM objectcache WHERE keyname LIKE '%:limiter:%'")
            db.commit()
        finally:
            db.close()


def backdate_sends(journal: str | Path, seconds: float) -> int:
    """Date every send the journal counts for the rate limit *seconds* earlier.

    Returns how many sends were moved, so that a test can say it moved some.
    """
    db = sqlite3.connect(journal)
    try:
        with db:
            return db.execute('UPDATE send SET at = at - ?', (seconds,)).rowcount
    finally:
        db.close()


def new_window(wiki, journal: str | Path, seconds: float) -> int:
    """Both clocks at once: the wiki's counters emptied, the journal's sends *seconds* older."""
    forget_wiki_rate_limits(wiki)
    return backdate_sends(journal, seconds)


def backdate_reached(journal: str | Path, seconds: float) -> int:
    """Date everything the journal's campaigns did *seconds* earlier: when each recipient
    was reached (which -afterdays: counts from), last updated, and each send.

    Returns how many recipients were moved.
    """
    db = sqlite3.connect(journal)
    try:
        with db:
            db.execute('UPDATE send SET at = at - ?', (seconds,))
            return db.execute(
                'UPDATE recipient SET updated = updated - ?,'
                ' reached = CASE WHEN reached IS NULL THEN NULL ELSE reached - ? END',
                (seconds, seconds),
            ).rowcount
    finally:
        db.close()
