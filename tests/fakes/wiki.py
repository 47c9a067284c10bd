"""An in-memory MediaWiki 1.43: its users, pages and logs, and the mail it sent.

:class:`FakeWiki` holds what the script asks a wiki about. :meth:`FakeWiki.api` answers
one API request (its parameters as they reach ``api.php``) as MediaWiki 1.43 does (see
:mod:`fakes.api`). A test changes the wiki between steps with the methods below (rename,
register, opt out, block, edit...), and reads what was sent in :attr:`FakeWiki.mails`
and :attr:`FakeWiki.posts`, and how many requests each module got in
:attr:`FakeWiki.requests`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from pywikibot.tools import first_upper

#: MediaWiki's canonical namespace names; 4 and 5 are named after the wiki.
CANONICAL = {
    -2: 'Media', -1: 'Special', 0: '', 1: 'Talk', 2: 'User', 3: 'User talk', 4: 'Project',
    5: 'Project talk', 6: 'File', 7: 'File talk', 8: 'MediaWiki', 9: 'MediaWiki talk',
    10: 'Template', 11: 'Template talk', 12: 'Help', 13: 'Help talk', 14: 'Category',
    15: 'Category talk',
}  # fmt: skip
#: MassMessage's opt-out category where the wiki does not name it otherwise.
OPTOUT_CATEGORY = 'Opted-out of message delivery'
#: The messages the script reads, in English as 1.43 has them ({{int:}} expanded).
MESSAGES = {
    'emailsender': '{{SITENAME}}',
    'emailuserfooter': 'This email was sent by $1 to $2 by the "Email this user" function at '
    '{{SITENAME}}. If you reply to this email, your email will be sent directly to the '
    'original sender, revealing your email address to them.',
    'emailccsubject': 'Copy of your message to $1: $2',
    'specialmute-email-footer': 'To manage email preferences for user \u202a$2\u202c, please '
    'visit the following URL:\n$1',
}
#: Rights by group: the part of MediaWiki's defaults that the script and Pywikibot read.
GROUP_RIGHTS = {
    '*': ['createaccount', 'read', 'edit', 'createpage', 'createtalk', 'viewmyprivateinfo',
          'editmyprivateinfo', 'editmyoptions'],
    'user': ['move', 'minoredit', 'sendemail', 'applychangetags', 'changetags',
             'viewmywatchlist', 'editmywatchlist'],
    'autoconfirmed': ['autoconfirmed', 'editsemiprotected'],
    'bot': ['bot', 'autoconfirmed', 'editsemiprotected', 'apihighlimits', 'noratelimit'],
    'sysop': ['block', 'delete', 'protect', 'editprotected', 'apihighlimits', 'noratelimit'],
}  # fmt: skip

_SPACES = re.compile(r'[_\s]+')
_ILLEGAL = re.compile(r'[<>\[\]|{}\x00-\x1f\x7f\ufffd]')
_LINK = re.compile(r'\[\[\s*(:?)([^\[\]|]+?)\s*(?:\|[^\[\]]*)?\]\]')
_TEMPLATE = re.compile(r'\{\{\s*([^{}|<>\[\]\n]+?)\s*(?=\||\}\})')
_REDIRECT = re.compile(r'\s*#REDIRECT\s*:?\s*\[\[([^\[\]|]+?)\s*(?:\|[^\]]*)?\]\]', re.I)
_MONTHS = 'January February March April May June July August September October November December'


class InvalidTitle(ValueError):
    """A title MediaWiki refuses; the text is its reason."""


class AnswerLost(Exception):
    """The wiki did the work, and its answer is to be lost on the way to the client."""


@dataclass
class Block:
    """A block: sitewide unless *partial*; *email* also stops the account's email."""

    id: int
    by: str
    byid: int
    timestamp: str
    reason: str = ''
    partial: bool = False
    email: bool = False


@dataclass
class User:
    """An account: who it is, whether it takes email, its groups and its block."""

    userid: int
    name: str
    registration: str
    #: The address; None when the user gave none.
    email: str | None = None
    confirmed: bool = True
    #: The preference "Allow other users to email me".
    takes_email: bool = True
    #: Explicit groups; ``temp`` makes a temporary account.
    groups: list[str] = field(default_factory=list)
    autoconfirmed: bool = True
    block: Block | None = None
    #: Its id on the wiki's central provider (CentralAuth), where it has one.
    centralid: int | None = None
    attached: bool = True
    #: Takes no mail from senders who are not autoconfirmed (``email-allow-new-users``).
    refuses_new: bool = False
    #: Senders whose mail this user refuses (Special:Mute).
    muted: set[str] = field(default_factory=set)
    #: Its ``sendemail`` rate limit (hits, seconds): reported in userinfo, and enforced.
    email_limit: tuple[int, int] | None = None
    #: Logging in fails (a changed password, a locked account).
    locked: bool = False

    @property
    def temporary(self) -> bool:
        return 'temp' in self.groups

    @property
    def emailable(self) -> bool:
        """What ``usprop=emailable`` says: a confirmed address, and email allowed."""
        return bool(self.email) and self.confirmed and self.takes_email and not self.temporary

    def all_groups(self) -> list[str]:
        """Its groups as the API lists them: the explicit ones, then the implicit ones."""
        if self.temporary:
            return ['*', 'temp']
        implicit = ['*', 'user', 'autoconfirmed'] if self.autoconfirmed else ['*', 'user']
        return [g for g in self.groups if g not in implicit] + implicit


@dataclass
class Revision:
    """One revision of a page; *userid* 0 is an edit by the IP address *ip*."""

    revid: int
    parentid: int
    userid: int
    ip: str
    timestamp: str
    text: str
    comment: str = ''
    tags: tuple[str, ...] = ()
    minor: bool = False


@dataclass
class Page:
    """A page and its history; *html* is what ``action=parse`` renders, when given."""

    pageid: int
    ns: int
    title: str
    revisions: list[Revision] = field(default_factory=list)
    html: str | None = None
    #: Categories it is in besides those its text names (through a template, say).
    extra_categories: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.revisions[-1].text


@dataclass
class LogEvent:
    logid: int
    type: str
    action: str
    user: str
    ns: int
    title: str
    timestamp: str
    params: dict
    comment: str = ''
    #: The page it is about, when there was one then.
    pageid: int = 0


@dataclass(frozen=True)
class Mail:
    """An email the wiki sent; *ccme*: a copy went to the sender."""

    sender: str
    target: str
    subject: str
    text: str
    ccme: bool
    timestamp: str


@dataclass(frozen=True)
class Post:
    """A new section that ``action=edit`` saved; *text* is signed."""

    title: str
    heading: str
    text: str
    user: str
    summary: str


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class FakeWiki:
    """A MediaWiki 1.43 in memory, with an administrator, Admin (see the module).

    :param central: the central id provider besides ``local`` (``CentralAuth`` on
        Wikimedia's wikis), or None as MediaWiki has by default
    :param temp_accounts: whether the wiki makes temporary accounts (``~2026-1``)
    :param namespaces: local namespace names by id, for a wiki in another language
    :param mute: whether the wiki has Special:Mute
    :param interwikis: interwiki prefixes and their URLs

    :attr:`group_rights` says what each group may do; :attr:`messages` are the wiki's
    messages (``massmessage-optout-category`` is MassMessage's, missing until set).
    """

    def __init__(
        self,
        sitename: str = 'Fake Wiki',
        lang: str = 'en',
        server: str = 'https://fake.wiki.test',
        central: str | None = None,
        temp_accounts: bool = True,
        namespaces: dict[int, str] | None = None,
        mute: bool = False,
        interwikis: dict[str, str] | None = None,
    ) -> None:
        self.sitename, self.lang, self.server = sitename, lang, server
        self.central, self.temp_accounts, self.mute = central, temp_accounts, mute
        self.ns_names = {**CANONICAL, 4: sitename, 5: f'{sitename} talk', **(namespaces or {})}
        self._ns_ids = {'image': 6, 'image talk': 7}
        for names in (CANONICAL, self.ns_names):
            self._ns_ids.update({n.lower(): i for i, n in names.items() if n})
        self.interwikis = interwikis or {}
        self.messages = dict(MESSAGES)
        self.group_rights = {group: list(rights) for group, rights in GROUP_RIGHTS.items()}
        #: What ``limit=max`` gives: lower it to make a test continue sooner.
        self.max_limit = 500
        self.clock = datetime(2026, 1, 1, tzinfo=timezone.utc)
        self.users: dict[str, User] = {}
        self.pages: dict[str, Page] = {}
        self.logs: list[LogEvent] = []
        self.mails: list[Mail] = []
        self.posts: list[Post] = []
        #: Requests by module (``users``, ``revisions``, ``emailuser``...). Pywikibot adds
        #: ``userinfo`` to each query it sends.
        self.requests: Counter[str] = Counter()
        self.request_log: list[dict[str, str]] = []
        self.sessions: set[str] = set()
        #: What :meth:`fail` and :meth:`lose_answer` asked for, by user or title.
        self.faults: dict[str, list] = {}
        self.lost: Counter[str] = Counter()
        self._salt = 0
        self._ids = {kind: itertools.count(1) for kind in ('user', 'page', 'rev', 'log', 'block')}
        self.add_user('Admin', groups=['sysop'])

    def stamp(self) -> str:
        """Now, as the API writes a time; the clock moves a second, so events keep order."""
        self.clock += timedelta(seconds=1)
        return self.iso(self.clock)

    def advance(self, seconds: float) -> None:
        """Let *seconds* pass (a rate limit's window, say)."""
        self.clock += timedelta(seconds=seconds)

    @staticmethod
    def iso(when: datetime) -> str:
        return when.strftime('%Y-%m-%dT%H:%M:%SZ')

    # -- Titles and names -----------------------------------------------------------------

    def parse_title(self, text: str, default_ns: int = 0) -> tuple[int, str, str]:
        """(namespace, title as the wiki writes it, fragment) of *text*.

        :raises InvalidTitle: with MediaWiki's reason
        """
        text, _, fragment = text.partition('#')
        text = _SPACES.sub(' ', text).strip()
        text = text[1:].strip() if text.startswith(':') else text
        bad = _ILLEGAL.search(text)
        if bad:
            raise InvalidTitle(
                f'The requested page title contains invalid characters: "{bad.group()}".'
            )
        ns = default_ns
        prefix, colon, rest = text.partition(':')
        if colon and prefix.strip().lower() in self._ns_ids:
            ns, text = self._ns_ids[prefix.strip().lower()], rest.strip()
        if not text:
            raise InvalidTitle(
                'The requested page title is empty or contains only the name of a namespace.'
            )
        text = first_upper(text)
        return ns, f'{self.ns_names[ns]}:{text}' if ns else text, fragment

    def title(self, text: str) -> str:
        """*text* as the wiki writes the title."""
        return self.parse_title(text)[1]

    def canonical_user(self, name: str) -> str | None:
        """The user name *name* stands for; None when it cannot be one (an IP address, a
        ``/``, a namespace...), as ``UserNameUtils::getCanonical`` decides."""
        name = _SPACES.sub(' ', name).strip()
        if not name or '/' in name or '#' in name or _is_ip(name):
            return None
        try:
            ns, title, _ = self.parse_title(name)
        except InvalidTitle:
            return None
        return title if ns == 0 else None

    def user(self, name: str | None) -> User | None:
        """The account named *name* (in any spelling the wiki folds), or None."""
        return self.users.get(self.canonical_user(name or '') or '')

    def user_by_id(self, userid: int) -> User | None:
        return next((u for u in self.users.values() if u.userid == userid), None)

    def page(self, title: str) -> Page | None:
        """The page titled *title*, or None when there is none."""
        try:
            return self.pages.get(self.title(title))
        except InvalidTitle:
            return None

    # -- Changing the wiki ----------------------------------------------------------------

    def add_user(self, name: str, email: str | None = '', emailable: bool = True, **fields):
        """Create an account; ``email=None`` gives it no address, ``emailable=False``
        makes it refuse email from other users; *fields* are :class:`User`'s."""
        canonical = self.canonical_user(name)
        if canonical is None or canonical in self.users:
            raise ValueError(f'cannot create the account {name!r}')
        if email == '':
            email = re.sub(r'[^a-z0-9]+', '.', canonical.lower()) + '@users.test'
        userid = next(self._ids['user'])
        if self.central:
            fields.setdefault('centralid', 1000 + userid)
        fields['groups'] = list(fields.get('groups', ()))
        user = User(userid, canonical, self.stamp(), email, takes_email=emailable, **fields)
        self.users[canonical] = user
        return user

    def register(self, name: str, **fields) -> User:
        """Create an account as Special:CreateAccount does, with its log entry."""
        user = self.add_user(name, **fields)
        self.log_event('newusers', 'create', f'User:{user.name}', user.name)
        return user

    def add_temp_user(self) -> User:
        """A temporary account, named as 1.43 names them (``~2026-1``)."""
        count = sum(1 for u in self.users.values() if u.temporary) + 1
        return self.add_user(f'~{self.clock.year}-{count}', email=None, groups=['temp'])

    def rename(self, old: str, new: str, by: str = 'Admin', move_pages: bool = True) -> User:
        """Rename the account, as renameUser.php does: a rename log entry, and its user
        pages and their subpages moved, leaving redirects behind."""
        user = self.users.pop(self.canonical_user(old) or '')
        previous, user.name = user.name, self.canonical_user(new)
        self.users[user.name] = user
        params = {'olduser': previous, 'newuser': user.name, 'edits': 0}
        self.log_event('renameuser', 'renameuser', f'User:{previous}', by, params)
        for ns in (2, 3) if move_pages else ():
            base = f'{self.ns_names[ns]}:{previous}'
            for title in [t for t in self.pages if t == base or t.startswith(base + '/')]:
                self.move(title, f'{self.ns_names[ns]}:{user.name}{title[len(base) :]}', by)
        return user

    def set_emailable(self, name: str, emailable: bool) -> None:
        """Switch the user's "Allow other users to email me"."""
        self.user(name).takes_email = emailable

    def block(self, name: str, by: str = 'Admin', **flags) -> Block:
        """Block the account; *flags* are :class:`Block`'s (``partial``, ``email``...)."""
        user, admin = self.user(name), self.user(by)
        user.block = Block(
            next(self._ids['block']), admin.name, admin.userid, self.stamp(), **flags
        )
        self.log_event('block', 'block', f'User:{user.name}', by, {'duration': 'infinite'})
        return user.block

    def unblock(self, name: str) -> None:
        self.user(name).block = None

    def edit(self, title: str, text: str, user: str = 'Admin', summary='', tags=(), minor=False):
        """Save *text* as the latest revision of *title*, by *user* (a name or an IP
        address); ``tags=('mw-reverted',)`` marks an edit that a later one reverted."""
        ns, title, _ = self.parse_title(title)
        page = self.pages.setdefault(title, Page(next(self._ids['page']), ns, title))
        account = None if _is_ip(user) else self.user(user)
        if account is None and not _is_ip(user):
            raise ValueError(f'no account {user!r} to edit with')
        revision = Revision(
            next(self._ids['rev']),
            page.revisions[-1].revid if page.revisions else 0,
            account.userid if account else 0,
            '' if account else user,
            self.stamp(),
            text,
            summary,
            tuple(tags),
            minor,
        )
        page.revisions.append(revision)
        return revision

    def add_page(self, title: str, text: str = '', html: str | None = None, **edit) -> Page:
        """Create or edit *title*; *html* is what ``action=parse`` gives for it."""
        self.edit(title, text, **edit)
        page = self.page(title)
        page.html = html
        return page

    def move(self, old: str, new: str, by: str = 'Admin') -> Page:
        """Move a page and its history, leaving a redirect behind."""
        page = self.pages.pop(self.title(old))
        previous = page.title
        page.ns, page.title, _ = self.parse_title(new)
        self.pages[page.title] = page
        self.log_event('move', 'move', previous, by, {'target_title': page.title})
        self.edit(previous, f'#REDIRECT [[{page.title}]]', user=by)
        return page

    def opt_out(self, name: str) -> None:
        """Put the user's talk page into MassMessage's opt-out category, by the
        wiki's name for it."""
        category = self.messages.get('massmessage-optout-category') or OPTOUT_CATEGORY
        title = f'{self.ns_names[3]}:{self.user(name).name}'
        text = f'{self.pages[title].text}\n' if title in self.pages else ''
        self.edit(title, f'{text}[[{self.ns_names[14]}:{category}]]', user=name)

    def log_event(self, type_: str, action: str, title: str, user: str = 'Admin', params=None):
        """Add an entry to the wiki's log."""
        ns, title, _ = self.parse_title(title)
        performer = self.user(user)
        event = LogEvent(
            next(self._ids['log']),
            type_,
            action,
            performer.name if performer else user,
            ns,
            title,
            self.stamp(),
            dict(params or {}),
            pageid=self.pages[title].pageid if title in self.pages else 0,
        )
        self.logs.append(event)
        return event

    # -- Faults and sessions --------------------------------------------------------------

    def fail(self, key: str, code: str, info: str = '', times: int | None = None) -> None:
        """Refuse the emails to the user *key*, or the edits of the page *key*, with the
        API error *code*: *times* times, or always."""
        self.faults[self.title(key)] = [code, info or code, times]

    def lose_answer(self, key: str, times: int = 1) -> None:
        """Send the email to *key* (or save the edit of the page *key*), then lose the answer."""
        self.lost[self.title(key)] += times

    def end_sessions(self) -> None:
        """Log everyone out, as an expired session does."""
        self.sessions.clear()

    def expire_tokens(self) -> None:
        """Make every token handed out so far invalid (``badtoken``)."""
        self._salt += 1

    def log_in(self, name: str) -> User | None:
        """Start a session for *name*; None when it has no account or may not log in."""
        user = self.user(name)
        if user is None or user.locked or user.temporary:
            return None
        self.sessions.add(user.name)
        return user

    def rights(self, user: User | None) -> list[str]:
        """What *user* (None: someone not logged in) may do, by its groups."""
        groups = user.all_groups() if user else ['*']
        return list(dict.fromkeys(r for g in groups for r in self.group_rights.get(g, [])))

    def token(self, user: User | None) -> str:
        if user is None:
            return '+\\'
        return hashlib.sha1(f'{user.name}:{self._salt}'.encode()).hexdigest() + '+\\'

    def mails_to(self, name: str) -> list[Mail]:
        return [m for m in self.mails if m.target == self.canonical_user(name)]

    # -- What the text of a page says -----------------------------------------------------

    def _links(self, page: Page) -> list[tuple[str, str]]:
        """(kind, title) of each ``link``, ``category`` and ``template`` of the page."""
        found = []
        for colon, target in _LINK.findall(page.text):
            if target.partition(':')[0].strip().lower() in self.interwikis:
                continue
            try:
                ns, title, _ = self.parse_title(target)
            except InvalidTitle:
                continue
            if ns == 14 and not colon:
                found.append(('category', title))
            elif ns != 6 or colon:  # an image is no link
                found.append(('link', title))
        for name in _TEMPLATE.findall(page.text):
            prefix, colon, _ = name.partition(':')
            namespaced = colon and prefix.strip().lower() in self._ns_ids
            if name.startswith('#') or name.isupper() or (colon and not namespaced):
                continue  # a parser function or a magic word
            try:
                found.append(('template', self.parse_title(name, default_ns=10)[1]))
            except InvalidTitle:
                continue
        found += [('category', self.title(f'Category:{c}')) for c in page.extra_categories]
        return list(dict.fromkeys(found))

    def related(self, page: Page | None, kind: str) -> list[str]:
        """The titles the page links to, is in (``category``) or transcludes, in order."""
        titles = [t for k, t in self._links(page) if k == kind] if page else []
        return sorted(titles, key=lambda t: (self.parse_title(t)[0], t))

    def members(self, category: str) -> list[Page]:
        """The pages in *category*, in MediaWiki's order (sort key, then page id)."""
        title = self.title(category)
        found = [p for p in self.pages.values() if title in self.related(p, 'category')]
        return sorted(found, key=lambda p: (self.sortkey(p), p.pageid))

    @staticmethod
    def sortkey(page: Page) -> str:
        return (page.title.partition(':')[2] if page.ns else page.title).upper()

    def redirect(self, page: Page | None) -> tuple[str, str, str] | None:
        """(title, fragment, interwiki prefix) where the page redirects, or None."""
        match = _REDIRECT.match(page.text) if page else None
        if not match:
            return None
        prefix, colon, rest = match.group(1).partition(':')
        if colon and prefix.strip().lower() in self.interwikis:
            return rest.strip(), '', prefix.strip().lower()
        try:
            _, title, fragment = self.parse_title(match.group(1))
        except InvalidTitle:
            return None  # MediaWiki takes no redirect to an invalid title
        return title, fragment, ''

    def signature(self, user: User) -> str:
        """``~~~~`` as the wiki expands it for *user*, now."""
        user_ns, talk_ns = self.ns_names[2], self.ns_names[3]
        return (
            f'[[{user_ns}:{user.name}|{user.name}]] ([[{talk_ns}:{user.name}|talk]]) '
            f'{self.shown(self.iso(self.clock))} (UTC)'
        )

    @staticmethod
    def shown(iso: str) -> str:
        """An API time as the wiki shows it to readers: ``18:53, 7 December 2026``."""
        when = datetime.strptime(iso, '%Y-%m-%dT%H:%M:%SZ')
        return f'{when:%H:%M}, {when.day} {_MONTHS.split()[when.month - 1]} {when.year}'

    # -- The API --------------------------------------------------------------------------

    def api(self, params: dict[str, str], user: str | None = None, method: str = 'GET') -> dict:
        """Answer one API request from *user*'s session (None: not logged in).

        :raises AnswerLost: the wiki acted, and the answer is to be lost on the way
        """
        from .api import Answer, multi  # it reads this module's classes

        # MediaWiki takes every parameter in NFC, whatever was sent.
        p = {k: unicodedata.normalize('NFC', str(v)) for k, v in params.items()}
        self.request_log.append(p)
        if p.get('action') == 'query':
            kinds = ('prop', 'list', 'meta', 'generator')
            self.requests.update(m for kind in kinds for m in multi(p.get(kind)))
        else:
            self.requests[p.get('action', '')] += 1
        acting = self.users.get(user or '') if user in self.sessions else None
        return Answer(self, p, acting, method).run()

    def post(self, params: dict[str, str], user: str | None = 'Sender') -> dict:
        """Answer a POST (an email, an edit) from *user*'s session, recorded in
        :attr:`mails` or :attr:`posts`."""
        return self.api(params, user, method='POST')
