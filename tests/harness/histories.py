"""Page histories written in one go: an XML dump that MediaWiki's importDump.php reads.

Long histories (hundreds of revisions, many authors, old timestamps) would take
minutes as API edits; one import takes seconds. Revisions by a user name that
exists on the wiki are credited to that account, as importDump.php does by
default; an IP address stays an IP edit.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

from pywikibot.tools import is_ip_address

from .wiki import LocalWiki

#: When the first imported revision of each page was made; later ones follow a minute apart.
START = datetime(2020, 1, 1, tzinfo=timezone.utc)


def dump(histories: dict[str, list[str]], start: datetime = START) -> str:
    """The XML dump of *histories*: for each title, the authors of its revisions, oldest first."""
    out = ['<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10">']
    for title, authors in histories.items():
        out.append(f'<page><title>{escape(title)}</title><ns>0</ns>')
        for i, author in enumerate(authors):
            when = (start + timedelta(minutes=i)).strftime('%Y-%m-%dT%H:%M:%SZ')
            who = (
                f'<ip>{escape(author)}</ip>'
                if is_ip_address(author)
                else f'<username>{escape(author)}</username>'
            )
            out.append(
                f'<revision><timestamp>{when}</timestamp><contributor>{who}</contributor>'
                '<model>wikitext</model><format>text/x-wiki</format>'
                f'<text xml:space="preserve">{escape(title)}, revision {i + 1}.</text>'
                '</revision>'
            )
        out.append('</page>')
    out.append('</mediawiki>')
    return '\n'.join(out)


def import_histories(wiki: LocalWiki, histories: dict[str, list[str]], folder) -> None:
    """Create the pages of *histories* on *wiki* with those revisions (importDump.php)."""
    path = folder / 'histories.xml'
    path.write_text(dump(histories), encoding='utf-8')
    # Link tables are not needed for a history, and updating them triples the time.
    importer = wiki.mediawiki / 'maintenance' / 'importDump.php'
    wiki._php_script(importer, '--quiet', '--no-updates', str(path))
