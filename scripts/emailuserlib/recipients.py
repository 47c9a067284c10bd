"""Who gets mail: from generator pages to users, and the batched emailable check.

Each page maps to at most one user (``User:Name``, ``User:Name/sub``,
``User talk:Name`` and ``User talk:Name/sub`` all mean ``Name``); a root user
page that redirects to another user page means the user it redirects to (a
renamed account). Each user is considered once, in the order the generator
first led to them. Whether a user takes email is asked of the wiki 50 names per
request (500 with ``apihighlimits``), together with the redirects of their user
pages, so a run costs one lookup request per batch, never one per user.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Outcomes of the check, also used as report statuses.
EMAILABLE = 'emailable'
NOT_EMAILABLE = 'not-emailable'
NO_SUCH_USER = 'no-such-user'
NOT_A_USER = 'not-a-user'
OPTED_OUT = 'opted-out'

USER_NS, USER_TALK_NS, CATEGORY_NS = 2, 3, 14

# Characters MediaWiki never allows in a user name.
_INVALID = re.compile(r'[#<>\[\]|{}/@:=\x00-\x1f\x7f]')


@dataclass
class Recipient:
    """A user the run considered, and what the check found."""

    name: str
    status: str = ''
    detail: str = ''
    source: str = ''


def normalize_username(name: str, first_letter: bool = True) -> str:
    """Normalise *name* as MediaWiki does: underscores, spaces and first letter."""
    name = re.sub(r'[ _]+', ' ', name.replace('\u200e', '').replace('\u200f', '')).strip()
    if first_letter and name:
        # MediaWiki upper-cases the first character only; str.upper() may lengthen it.
        first = name[0].upper()
        name = (first if len(first) == 1 else name[0]) + name[1:]
    return name


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_network(name, strict=False)
    except ValueError:
        return False
    return True


def name_problem(name: str, temp_prefix: str | None = None) -> str | None:
    """Why *name* cannot be a registered account, or None when it may be one."""
    if not name:
        return 'empty user name'
    if _is_ip(name):
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


class Resolver:
    """Turns generator pages or user names into checked :class:`Recipient` objects.

    :param site: the pywikibot site
    :param optout: names (normalised) that are never emailed
    """

    def __init__(self, site, optout: Iterable[str] = ()) -> None:
        self.site = site
        self.optout = {normalize_username(n) for n in optout}
        self.temp_prefix = temp_account_prefix(site)
        self.batch = batch_size(site)
        self.requests = 0

    def from_pages(self, pages: Iterable) -> list[Recipient]:
        """Resolve pages from a Pywikibot generator."""
        items = []
        for page in pages:
            name = user_from_title(page.namespace(), page.title(with_ns=False))
            if name is None:
                items.append((None, page.title(), 'not a user page'))
            else:
                root_user_page = page.namespace() == USER_NS and '/' not in page.title()
                items.append((name, page.title(), root_user_page))
        return self._resolve(items)

    def from_names(self, names: Iterable[str]) -> list[Recipient]:
        """Resolve plain user names (library use)."""
        return self._resolve((name, f'User:{name}', True) for name in names)

    def _resolve(self, items) -> list[Recipient]:
        """Check *items*: (user name, source page, True for a root user page), or
        (None, source page, why it is no user) for pages that map to nobody.
        """
        result: list[Recipient] = []
        by_name: dict[str, Recipient] = {}
        follow_redirect: set[str] = set()
        for name, source, extra in items:
            if name is None:
                result.append(Recipient(source, NOT_A_USER, extra, source))
                continue
            name = normalize_username(name)
            if name in by_name:
                if extra is True:
                    follow_redirect.add(name)
                continue
            recipient = Recipient(name, source=source)
            problem = name_problem(name, self.temp_prefix)
            if problem:
                recipient.status, recipient.detail = NOT_A_USER, problem
            elif name in self.optout:
                recipient.status = OPTED_OUT
            elif extra is True:
                follow_redirect.add(name)
            by_name[name] = recipient
            result.append(recipient)

        pending = [r for r in result if not r.status]
        for chunk in batches(pending, self.batch):
            self._check(chunk, [r.name for r in chunk if r.name in follow_redirect])

        # Renamed accounts: look up the users their pages redirect to.
        moved = [r for r in pending if r.status == 'redirect']
        seen = {r.name for r in result if r.status != 'redirect'}
        targets = []
        for r in moved:
            if r.detail in seen:
                r.status = 'duplicate'
                continue
            seen.add(r.detail)
            r.name, r.detail = r.detail, f'user page of {r.name} redirects here'
            if r.name in self.optout:
                r.status = OPTED_OUT
            else:
                r.status = ''
                targets.append(r)
        for chunk in batches(targets, self.batch):
            self._check(chunk, [])
        return [r for r in result if r.status != 'duplicate']

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
            params.update(titles=[f'User:{n}' for n in redirect_names], redirects=True)
        data = self.site.simple_request(**params).submit()
        self.requests += 1
        query = data.get('query', {})
        users = {normalize_username(u['name']): u for u in query.get('users', [])}
        redirects = {}
        for r in query.get('redirects', []):
            target = r.get('to', '')
            if target.startswith('User:') and '/' not in target and 'tofragment' not in r:
                redirects[r['from'][len('User:') :]] = target[len('User:') :]
        for recipient in chunk:
            target = redirects.get(recipient.name)
            if target and normalize_username(target) != recipient.name:
                recipient.status, recipient.detail = 'redirect', normalize_username(target)
                continue
            entry = users.get(recipient.name)
            if entry is None or entry.get('missing'):
                recipient.status = NO_SUCH_USER
            elif entry.get('invalid'):
                recipient.status, recipient.detail = NOT_A_USER, 'invalid user name'
            elif entry.get('emailable'):
                recipient.status = EMAILABLE
            else:
                recipient.status = NOT_EMAILABLE
                recipient.detail = 'opted out of email or has no confirmed address'


def optout_names(site, titles: Iterable[str]) -> set[str]:
    """Users linked from, or listed in, the given opt-out pages and categories.

    :raises ValueError: an opt-out page does not exist (a category may be empty)
    """
    import pywikibot

    names: set[str] = set()
    for title in titles:
        page = pywikibot.Page(site, title)
        if page.namespace() == CATEGORY_NS:
            members = pywikibot.Category(site, title).members()
        elif page.exists():
            members = page.linkedPages()
        else:
            raise ValueError(
                f'The opt-out page {title} does not exist: check the title given with -optout:.'
            )
        for member in members:
            name = user_from_title(member.namespace(), member.title(with_ns=False))
            if name:
                names.add(normalize_username(name))
    return names
