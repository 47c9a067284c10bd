"""What users did and when, written into the wiki as if it had happened then.

Edits and log entries with the timestamps a test chooses (years ago, or now) are
imported in one XML dump (``importDump.php`` credits a revision or a log entry
by a user name that exists on the wiki to that account); an account's
registration date is set in the wiki's database, as an old account has it.
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from .wiki import LocalWiki

_ids = itertools.count(1)


@dataclass(frozen=True)
class Edit:
    """*user* edited the page *title* at *when*."""

    user: str
    title: str
    when: datetime


@dataclass(frozen=True)
class Logged:
    """*user* made the log entry *kind*/*action* about *title* at *when*."""

    user: str
    kind: str
    action: str
    title: str
    when: datetime


def stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def dump(items) -> str:
    """The XML dump of the edits and log entries *items*."""
    out = ['<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10">']
    for item in items:
        who = f'<contributor><username>{escape(item.user)}</username></contributor>'
        if isinstance(item, Edit):
            out.append(
                f'<page><title>{escape(item.title)}</title><ns>0</ns><revision>'
                f'<timestamp>{stamp(item.when)}</timestamp>{who}'
                '<model>wikitext</model><format>text/x-wiki</format>'
                f'<text xml:space="preserve">Edited by {escape(item.user)}.</text>'
                '</revision></page>'
            )
        else:
            out.append(
                f'<logitem><id>{next(_ids)}</id><timestamp>{stamp(item.when)}</timestamp>'
                f'{who}<comment>test</comment><type>{item.kind}</type>'
                f'<action>{item.action}</action><logtitle>{escape(item.title)}</logtitle>'
                '<params xml:space="preserve">a:0:{}</params></logitem>'
            )
    out.append('</mediawiki>')
    return '\n'.join(out)


def import_activity(wiki: LocalWiki, items, folder) -> None:
    """Write the edits and log entries *items* into *wiki* (importDump.php)."""
    path = folder / f'activity-{next(_ids)}.xml'
    path.write_text(dump(items), encoding='utf-8')
    importer = wiki.mediawiki / 'maintenance' / 'importDump.php'
    wiki._php_script(importer, '--quiet', '--no-updates', str(path))


def set_registration(wiki: LocalWiki, names, when: datetime) -> None:
    """Date the registration of the accounts *names* at *when*, as an old account has it."""
    value = when.astimezone(timezone.utc).strftime('%Y%m%d%H%M%S')
    db = sqlite3.connect(wiki.root / 'db' / 'wiki.sqlite')
    try:
        with db:
            for name in names:
                db.execute(
                    'UPDATE user SET user_registration = ? WHERE user_name = ?', (value, name)
                )
    finally:
        db.close()
