"""-editors: the people who edited the generator's pages, as recipients.

Each page's history is read with one ``prop=revisions`` request (``rvlimit=max``,
continued on long histories; ``rvstart`` for -since:, so older edits are never
fetched). Edits that the wiki tagged ``mw-reverted`` do not count: a reverted
edit is most often vandalism or a mistake, and its author did not shape the page.

A redirect's history is that of the page it leads to. Who edited is then
sorted into recipients and those left out: IP editors, imported editors
(``en>Stranger``: an account of the wiki the edit was imported from), temporary
accounts, members of the ``bot`` group, accounts blocked sitewide, the
sending account, and accounts with fewer than -minedits: counted edits. Group
membership and blocks are asked of the wiki in batches (``list=users``), only for
the accounts that could be recipients. The recipients go on, as user names with
the placeholder values ``{edits}`` and ``{pages}``, to the same check as every
other recipient (opt-outs, the emailable check, the journal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from pywikibot.exceptions import APIError

from ..core.accounts import EDIT_COUNT, Recipient, Status
from ..core.errors import EmailUserError
from ..core.words import braces, name_list, plural
from ..wiki.i18n import translate
from ..wiki.site import (
    batch_size,
    batches,
    is_temporary_name,
    temp_account_patterns,
)

#: The placeholders -editors adds to the subject and body.
COLUMNS = ('edits', 'pages')
#: The number of counted edits, among an editor's values beside {edits} (``3 edits``, in
#: the wiki's language): for the report's ``edits`` column and -check. Its space keeps
#: it from ever being a placeholder or a column of a -users: file.
#: How many titles {pages} names before it says "and N more".
SHOWN_TITLES = 3
#: The change tag MediaWiki (1.36 and later) puts on edits that a later edit reverted.
REVERTED_TAG = 'mw-reverted'

# Reasons for leaving an editor out, as the plan, -check and the report say them.
IP_EDITOR = 'IP editor'
TEMPORARY = 'temporary account'
BOT = 'member of the bot group'
BLOCKED = 'blocked sitewide'
SENDER = 'the sending account'
IMPORTED = 'imported editor, whose account is on another wiki'
#: What MediaWiki puts between the prefix of the wiki an edit was imported from and
#: the author's name there (``en>Stranger``): no local account is named so.
IMPORT_SEPARATOR = '>'


def api_timestamp(when: datetime) -> str:
    """*when* as the API takes a timestamp (a year of four digits, in UTC)."""
    when = when.astimezone(timezone.utc)
    return f'{when.year:04d}-' + when.strftime('%m-%dT%H:%M:%SZ')


def readable_titles(titles: list[str], shown: int = SHOWN_TITLES, site=None) -> str:
    """Titles as a sentence reads them: ``A and B``, ``A, B and C``, ``A, B, C and 4 more``.

    The words come from the script's messages in *site*'s language (German:
    ``A, B und C``, ``A, B, C und 4 weitere``); English without a site.
    """
    if len(titles) <= 1:
        return ''.join(titles)
    if len(titles) <= shown:
        words = {'titles': ', '.join(titles[:-1]), 'last': titles[-1]}
        return translate(site, 'emailuser-titles-and', words, '%(titles)s and %(last)s')
    words = {'titles': ', '.join(titles[:shown]), 'count': str(len(titles) - shown)}
    return translate(site, 'emailuser-titles-more', words, '%(titles)s and %(count)s more')


@dataclass
class Editor:
    """One author of the pages: how often they edited each (counted edits only)."""

    name: str
    userid: int = 0
    anon: bool = False
    temp: bool = False
    #: Counted edits by title, in the order the pages were read.
    pages: dict[str, int] = field(default_factory=dict)
    #: The wiki, whose language {pages} is written in.
    site: object = field(default=None, repr=False, compare=False)

    @property
    def edits(self) -> int:
        return sum(self.pages.values())

    def titles(self) -> list[str]:
        """The titles, most edited first; ties in the order the pages were read."""
        order = {title: i for i, title in enumerate(self.pages)}
        return sorted(self.pages, key=lambda t: (-self.pages[t], order[t]))

    @property
    def values(self) -> dict[str, str]:
        """The placeholder values of this editor's email: {edits} with its noun in the
        wiki's language (``1 edit``, ``3 edits``), {pages}; and the bare count."""
        edits = translate(
            self.site,
            'emailuser-edits',
            {'count': str(self.edits)},
            '%(count)s {{PLURAL:%(count)s|edit|edits}}',
        )
        pages = readable_titles(self.titles(), site=self.site)
        return {'edits': edits, 'pages': pages, EDIT_COUNT: str(self.edits)}


@dataclass
class EditorSearch:
    """What -editors found: recipients to check, and who was left out and why."""

    since: datetime | None = None
    minedits: int = 1
    pages_read: int = 0
    #: The titles of the generators' pages that do not exist (no history to read).
    missing: list[str] = field(default_factory=list)
    requests: int = 0
    reverted: int = 0
    #: Accounts that go on to the emailable check, most edits first.
    editors: list[Editor] = field(default_factory=list)
    #: Editors left out, each a settled recipient with the reason as its detail.
    left_out: list[Recipient] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.editors]

    @property
    def values(self) -> dict[str, dict[str, str]]:
        return {e.name: e.values for e in self.editors}

    def summary(self) -> str:
        """The plan's sentence about the pages and their editors."""
        since = f' since {api_timestamp(self.since)}' if self.since else ''
        least = f' with at least {self.minedits} edits each' if self.minedits > 1 else ''
        reverted = (
            f'; {plural(self.reverted, "reverted edit")} not counted' if self.reverted else ''
        )
        left = f', {len(self.left_out)} left out' if self.left_out else ''
        found = len(self.editors) + len(self.left_out)
        missing = ''
        if self.missing:
            many = len(self.missing) > 1
            missing = (
                f'; {plural(len(self.missing), "page")} of the generators '
                f'{"do" if many else "does"} not exist ({name_list(self.missing, 5)})'
            )
        return (
            f'  Editors of {plural(self.pages_read - len(self.missing), "page")}{since}{least}: '
            f'{plural(found, "editor")} found{left} ({self.requests} requests){reverted}'
            f'{missing}.'
        )


def find(site, pages: Iterable, since: datetime | None = None, minedits: int = 1) -> EditorSearch:
    """The editors of *pages*: who goes on to the emailable check, who is left out."""
    search = EditorSearch(since=since, minedits=minedits)
    authors: dict[str, Editor] = {}
    seen: set[str] = set()
    for page in pages:
        if page.title() in seen:
            continue
        title = None
        for read, rev in _history(site, page.title(), since, search):
            if title is None:  # the page itself, or the page its redirect leads to
                title = read
                if title in seen:
                    break
                seen.add(title)
                search.pages_read += 1
            if rev is None:
                continue
            if REVERTED_TAG in rev.get('tags', ()):
                search.reverted += 1
                continue
            name = rev.get('user')
            if not name or rev.get('userhidden'):
                continue  # a suppressed author is nobody to write to
            editor = authors.get(name)
            if editor is None:
                editor = authors[name] = Editor(
                    name,
                    int(rev.get('userid') or 0),
                    anon=bool(rev.get('anon')),
                    temp=bool(rev.get('temp')),
                    site=site,
                )
            editor.pages[title] = editor.pages.get(title, 0) + 1
    _sort(site, search, sorted(authors.values(), key=lambda e: (-e.edits, e.name)))
    return search


def _history(site, title: str, since: datetime | None, search: EditorSearch):
    """(title, revision) for every revision of *title* (since *since*), one request per
    ``rvlimit=max`` slice; first (title, None) once.

    A redirect is followed by the wiki, as readers follow it: the title is the
    page it leads to, whose authors wrote what the page says. (Its own history
    holds the one who moved the page.)
    """
    params = {
        'action': 'query',
        'prop': 'revisions',
        'titles': title,
        'redirects': True,
        'rvprop': 'user|userid|tags',
        'rvlimit': 'max',
        'rvdir': 'newer',
        'formatversion': 2,
    }
    first = True
    if since:
        params['rvstart'] = api_timestamp(since)
    while True:
        try:
            data = site.simple_request(**params).submit()
        except APIError as e:
            raise EmailUserError(
                f'The wiki did not give the history of {title} ({e.code}: {e.info}): check '
                'the pages that the generators give.'
            ) from None
        search.requests += 1
        for page in data.get('query', {}).get('pages', []):
            read = page.get('title', title)
            if page.get('missing') or page.get('invalid'):
                search.missing.append(title)
            if first:
                yield read, None
                first = False
            for rev in page.get('revisions', ()):
                yield read, rev
        more = data.get('continue')
        if not more:
            return
        params.update(more)


def _sort(site, search: EditorSearch, authors: list[Editor]) -> None:
    """Split *authors* into recipients and those left out, with the reason."""
    temp_patterns = temp_account_patterns(site)
    sender = int(site.userinfo.get('id') or 0) if site.logged_in() else 0
    candidates = []
    for editor in authors:
        reason = ''
        if IMPORT_SEPARATOR in editor.name:  # the wiki says "anon" for these too
            reason = IMPORTED
        elif editor.anon:
            reason = IP_EDITOR
        elif editor.temp or is_temporary_name(editor.name, temp_patterns):
            reason = TEMPORARY
        elif sender and editor.userid == sender:
            reason = SENDER
        elif editor.edits < search.minedits:
            reason = f'{plural(editor.edits, "edit")}, fewer than -minedits:{search.minedits}'
        if reason:
            search.left_out.append(_left_out(editor, reason))
        else:
            candidates.append(editor)
    found = {}
    for chunk in batches(candidates, batch_size(site)):
        found.update(_accounts(site, [e.name for e in chunk], search))
    for editor in candidates:
        entry = found.get(editor.name, {})
        reason = ''
        if 'temp' in entry.get('groups', ()):
            reason = TEMPORARY
        elif 'bot' in entry.get('groups', ()):
            reason = BOT
        elif entry.get('blockid') and not entry.get('blockpartial'):
            reason = BLOCKED
        if reason:
            search.left_out.append(_left_out(editor, reason))
        else:
            # Unknown accounts go on too: the emailable check says no-such-user.
            search.editors.append(editor)


def _accounts(site, names: list[str], search: EditorSearch) -> dict[str, dict]:
    """Groups and block of each of *names*, in one request."""
    data = site.simple_request(
        action='query',
        list='users',
        ususers=names,
        usprop='groups|blockinfo',
        formatversion=2,
    ).submit()
    search.requests += 1
    return {u['name']: u for u in data.get('query', {}).get('users', []) if 'name' in u}


def _left_out(editor: Editor, reason: str) -> Recipient:
    return Recipient(editor.name, Status.LEFT_OUT, reason, values=editor.values)


def left_out(search: EditorSearch | None, recipients: list[Recipient]) -> list[Recipient]:
    """The editors *search* left out who are not among *recipients* by another way.

    An account that a -users: file or a user page names is a recipient: the plan
    and the report say that once, not also that it was left out.
    """
    if search is None:
        return []
    named = {r.name for r in recipients if r.userid is not None}
    return [r for r in search.left_out if r.name not in named]


def describe(recipient: Recipient) -> str:
    """*recipient*'s detail with their edit count, for -check."""
    edits = recipient.values.get(EDIT_COUNT)
    if not edits:
        return recipient.detail
    count = plural(int(edits), 'edit')
    return f'{recipient.detail}; {count}' if recipient.detail else count


def check_values(used: list[str], recipients: list[Recipient], wanted) -> None:
    """Refuse {edits}/{pages} for recipients named by user pages or files who edited none.

    :raises EmailUserError: with the sentence that says who and what to do
    """
    used = [c for c in used if c in COLUMNS]
    missing = [
        r.name for r in recipients if r.status in wanted and any(c not in r.values for c in used)
    ]
    if missing:
        raise EmailUserError(
            f'{plural(len(missing), "recipient")} named by user pages or -users: files did not '
            f'edit these pages, so {braces(used)} has no value for them '
            f'({name_list(missing, 5)}): leave them out, '
            'or remove the placeholder from the message.'
        )
