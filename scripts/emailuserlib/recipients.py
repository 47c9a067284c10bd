"""Who gets mail: from generator pages to users, and the batched emailable check.

Each page maps to at most one user (a user page, user talk page or a subpage
of either means its user, whatever the wiki calls those namespaces); a root
user page that redirects to another user page means the user it redirects to
(a renamed account). Each user is considered once, in the order the generator
first led to them. Whether a user takes email is asked of the wiki 50 names
per request (500 with ``apihighlimits``), together with the redirects of their
user pages, so a run costs one lookup request per batch, never one per user.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pywikibot.tools import first_upper, is_ip_address, is_ip_network

from .outcomes import Status

USER_NS, USER_TALK_NS, CATEGORY_NS = 2, 3, 14

# Characters MediaWiki never allows in a user name.
_INVALID = re.compile(r'[#<>\[\]|{}/@:=\x00-\x1f\x7f]')


@dataclass
class Recipient:
    """A user the run considered: what the check found, and later what the run did.

    ``status`` is None until the check has settled it; ``moved_to`` holds the
    user a renamed account's user page redirects to, while that is looked up.
    ``values`` fill the placeholders of a -users: CSV file for this user.
    """

    name: str
    status: Status | None = None
    detail: str = ''
    source: str = ''
    moved_to: str = ''
    values: dict[str, str] = field(default_factory=dict)


def normalize_username(name: str, first_letter: bool = True) -> str:
    """Normalise *name* as MediaWiki does: underscores, spaces and, where the wiki
    capitalises titles, the first letter (by MediaWiki's own table)."""
    name = re.sub(r'[ _]+', ' ', name.replace('\u200e', '').replace('\u200f', '')).strip()
    return first_upper(name) if first_letter else name


def name_problem(name: str, temp_prefix: str | None = None) -> str | None:
    """Why *name* cannot be a registered account, or None when it may be one."""
    if not name:
        return 'empty user name'
    if is_ip_address(name) or is_ip_network(name):
        return 'IP address'
    if temp_prefix and name.startswith(temp_prefix):
        return 'temporary account'
    if _INVALID.search(name) or name.endswith('/'):
        return 'invalid user name'
    return None


def user_from_title(namespace: int, title: str) -> str | None:
    """The user a page in *namespace* titled *title* (without prefix) is about."""
    if namespace not in (USER_NS, USER_TALK_NS):
        return None
    return title.split('/', 1)[0]


def batches(items: list, size: int) -> Iterator[list]:
    """*items* in consecutive lists of at most *size*."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def temp_account_prefix(site) -> str | None:
    """The literal prefix of temporary account names, where the wiki has them."""
    info = site.siteinfo.get('autocreatetempuser', expiry=False) or {}
    if not info.get('enabled'):
        return None
    pattern = info.get('matchPattern') or info.get('genPattern') or ''
    if isinstance(pattern, list):
        pattern = pattern[0] if pattern else ''
    prefix = pattern.split('$1', 1)[0]
    return prefix or None


def batch_size(site) -> int:
    """How many names one ``list=users`` request may carry for this account."""
    try:
        high = site.logged_in() and site.has_right('apihighlimits')
    except Exception:  # anonymous or no user info: the low limit is always safe
        high = False
    return 500 if high else 50


def capitalises_users(site) -> bool:
    """Whether the wiki upper-cases the first letter of user names ($wgCapitalLinks)."""
    return site.namespaces[USER_NS].case == 'first-letter'


class Resolver:
    """Turns generator pages or user names into checked :class:`Recipient` objects.

    :param site: the pywikibot site
    :param optout: names that are never emailed
    :param values: placeholder values of users from a -users: CSV file, by name
    """

    def __init__(
        self, site, optout: Iterable[str] = (), values: dict[str, dict[str, str]] | None = None
    ) -> None:
        self.site = site
        self.first_letter = capitalises_users(site)
        self.optout = {self.normalize(n) for n in optout}
        self.values = values or {}
        self.temp_prefix = temp_account_prefix(site)
        self.batch = batch_size(site)
        self.requests = 0

    def normalize(self, name: str) -> str:
        return normalize_username(name, self.first_letter)

    def from_pages(self, pages: Iterable) -> list[Recipient]:
        """Resolve pages from a Pywikibot generator."""
        return self._resolve(self._page_items(pages))

    def from_names(self, names: Iterable[str]) -> list[Recipient]:
        """Resolve plain user names (library use)."""
        return self._resolve(self._name_items(names))

    def from_names_and_pages(
        self, names: Iterable[str], pages: Iterable, accounts: Iterable[str] = ()
    ) -> list[Recipient]:
        """Resolve user names, then pages, then *accounts*; a user they lead to is considered once.

        *accounts* are names as the wiki gave them for accounts (the editors of
        pages): their user pages are not followed, since a rename changed them already
        and a redirect on a user page would lead to someone else.
        """
        user_ns = self.site.namespaces[USER_NS].custom_name
        exact = ((name, f'{user_ns}:{name}', False) for name in accounts)
        return self._resolve(
            itertools.chain(self._name_items(names), self._page_items(pages), exact)
        )

    def _page_items(self, pages: Iterable):
        for page in pages:
            name = user_from_title(page.namespace(), page.title(with_ns=False))
            if name is None:
                yield None, page.title(), 'not a user page'
            else:
                root_user_page = page.namespace() == USER_NS and '/' not in page.title()
                yield name, page.title(), root_user_page

    def _name_items(self, names: Iterable[str]):
        user_ns = self.site.namespaces[USER_NS].custom_name
        return ((name, f'{user_ns}:{name}', True) for name in names)

    def _resolve(self, items) -> list[Recipient]:
        """Check *items*: (user name, source page, True for a root user page), or
        (None, source page, why it is no user) for pages that map to nobody.
        """
        result: list[Recipient] = []
        by_name: dict[str, Recipient] = {}
        follow_redirect: set[str] = set()
        for name, source, extra in items:
            if name is None:
                result.append(Recipient(source, Status.NOT_A_USER, extra, source))
                continue
            name = self.normalize(name)
            if name in by_name:
                if extra is True:
                    follow_redirect.add(name)
                continue
            recipient = Recipient(name, source=source, values=self.values.get(name, {}))
            problem = name_problem(name, self.temp_prefix)
            if problem:
                recipient.status, recipient.detail = Status.NOT_A_USER, problem
            elif name in self.optout:
                recipient.status = Status.OPTED_OUT
            elif extra is True:
                follow_redirect.add(name)
            by_name[name] = recipient
            result.append(recipient)

        unchecked = [r for r in result if r.status is None]
        for chunk in batches(unchecked, self.batch):
            self._check(chunk, [r.name for r in chunk if r.name in follow_redirect])

        # Renamed accounts: look up the users their pages redirect to.
        moved = [r for r in unchecked if r.moved_to]
        seen = {r.name for r in result if not r.moved_to}
        duplicates = set()
        targets = []
        for r in moved:
            if r.moved_to in seen:
                duplicates.add(id(r))
                continue
            seen.add(r.moved_to)
            r.name, r.detail, r.moved_to = r.moved_to, f'user page of {r.name} redirects here', ''
            if r.name in self.optout:
                r.status = Status.OPTED_OUT
            else:
                targets.append(r)
        for chunk in batches(targets, self.batch):
            self._check(chunk, [])
        return [r for r in result if id(r) not in duplicates]

    def _check(self, chunk: list[Recipient], redirect_names: list[str]) -> None:
        """One request: emailable state of *chunk* and redirects of user pages."""
        params = {
            'action': 'query',
            'list': 'users',
            'usprop': 'emailable',
            'ususers': [r.name for r in chunk],
            'formatversion': 2,
        }
        if redirect_names:
            user_ns = self.site.namespaces[USER_NS].custom_name
            params.update(titles=[f'{user_ns}:{n}' for n in redirect_names], redirects=True)
        data = self.site.simple_request(**params).submit()
        self.requests += 1
        query = data.get('query', {})
        users = {self.normalize(u['name']): u for u in query.get('users', [])}
        redirects = {}
        for r in query.get('redirects', []):
            source = self._user_page(r.get('from', ''))
            target = self._user_page(r.get('to', ''))
            if source and target and 'tofragment' not in r:
                redirects[source] = target
        for recipient in chunk:
            target = redirects.get(recipient.name)
            if target and target != recipient.name:
                recipient.moved_to = target
                continue
            entry = users.get(recipient.name)
            if entry is None or entry.get('missing'):
                recipient.status = Status.NO_SUCH_USER
            elif entry.get('invalid'):
                recipient.status, recipient.detail = Status.NOT_A_USER, 'invalid user name'
            elif entry.get('emailable'):
                recipient.status = Status.EMAILABLE
            else:
                recipient.status = Status.NOT_EMAILABLE
                recipient.detail = 'opted out of email or has no confirmed address'

    def _user_page(self, title: str) -> str | None:
        """The user whose root user page *title* is, in any of the wiki's names for it."""
        import pywikibot

        try:
            page = pywikibot.Page(self.site, title)
        except (ValueError, pywikibot.exceptions.Error):
            return None
        if page.namespace() != USER_NS or '/' in page.title(with_ns=False):
            return None
        return self.normalize(page.title(with_ns=False))


def optout_names(site, titles: Iterable[str]) -> set[str]:
    """Users linked from, or listed in, the given opt-out pages and categories.

    :raises ValueError: an opt-out page does not exist, or a category has
        neither a page nor members (a typo would otherwise email those who
        opted out)
    """
    import pywikibot

    names: set[str] = set()
    for title in titles:
        page = pywikibot.Page(site, title)
        if page.namespace() == CATEGORY_NS:
            category = pywikibot.Category(site, title)
            members = list(category.members())
            if not members and not category.exists():
                raise ValueError(
                    f'The opt-out category {title} does not exist and has no members: '
                    'check the title given with -optout:.'
                )
        elif page.exists():
            members = page.linkedPages()
        else:
            raise ValueError(
                f'The opt-out page {title} does not exist: check the title given with -optout:.'
            )
        for member in members:
            name = user_from_title(member.namespace(), member.title(with_ns=False))
            if name:
                names.add(name)
    return names
