"""How a :class:`~fakes.wiki.FakeWiki` answers one API request, as MediaWiki 1.43 does.

An :class:`Answer` is made per request: its methods are the API's modules, reading the
wiki and, for the two POSTs, changing it. Answers have the shapes of ``formatversion=2``,
turned into formatversion 1's (:func:`formatversion_1`) for the requests of Pywikibot's
own that ask for it. A module the script does not use is a ``badvalue`` error.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import timedelta

from .wiki import CANONICAL, AnswerLost, InvalidTitle, Mail, Page, Post, Revision, User

TOKEN_TYPES = ['createaccount', 'csrf', 'login', 'patrol', 'rollback', 'userrights', 'watch']
RATELIMITED = (
    'As an anti-abuse measure, you are limited from performing this action too many times '
    'in a short space of time, and you have exceeded this limit. Please try again in a few '
    'minutes.'
)


class ApiError(Exception):
    """An error answer: its code, its text, and the module that gives it."""

    def __init__(self, code: str, info: str, module: str = '') -> None:
        super().__init__(f'{code}: {info}')
        self.code, self.info, self.module = code, info, module


def multi(value: str | None) -> list[str]:
    """The values of a list parameter: ``|``-separated, or ``\\x1f``-separated when it
    starts with ``\\x1f`` (MediaWiki's separator for values that hold a ``|``)."""
    if not value:
        return []
    return value[1:].split('\x1f') if value.startswith('\x1f') else value.split('|')


class Answer:
    """The answer to the request *p* (its parameters, NFC) from *acting*'s session."""

    def __init__(self, wiki, p: dict[str, str], acting: User | None, method: str) -> None:
        self.wiki, self.p, self.acting, self.method = wiki, p, acting, method
        self.cont: dict = {}
        self.limits: dict = {}
        self.warnings: dict = {}

    def run(self) -> dict:
        """The answer, an error answer included.

        :raises AnswerLost: the wiki acted, and the answer is to be lost on the way
        """
        action = self.p.get('action', '')
        writes = {'emailuser': self.emailuser, 'edit': self.edit}
        try:
            if self.p.get('assert') == 'user' and self.acting is None:
                raise ApiError(
                    'assertuserfailed',
                    'You are no longer logged in, so the action could not be completed.',
                    'main',
                )
            if action in writes and self.method != 'POST':
                raise ApiError('mustbeposted', f'The "{action}" module requires a POST request.')
            handler = {'query': self.query, 'parse': self.parse, **writes}.get(action)
            if handler is None:
                raise ApiError('badvalue', f'Unrecognized value for parameter "action": {action}.')
            result = handler()
        except ApiError as e:
            result = self.error(e)
        if self.warnings:
            result = {'warnings': self.warnings, **result}
        if self.limits:
            result['limits'] = self.limits
        return result if self.p.get('formatversion') == '2' else formatversion_1(result)

    def error(self, e: ApiError) -> dict:
        docref = f'See {self.wiki.server}/w/api.php for API usage.'
        if self.p.get('errorformat') in ('plaintext', 'wikitext', 'html', 'raw'):
            error = {'code': e.code, 'text': e.info, 'module': e.module or self.p.get('action')}
            return {'errors': [error], 'docref': docref}
        return {'error': {'code': e.code, 'info': e.info, 'docref': docref}}

    def page_through(self, items: list, name: str, module: str, token, more: str) -> list:
        """The part of *items* this request gets: from ``{name}continue`` on, at most
        ``{name}limit``. *token* (item, index) is the value that continues at an item;
        *more* is the ``continue`` that goes with it."""
        start, given = 0, self.p.get(f'{name}continue')
        if given:
            tokens = [token(item, i) for i, item in enumerate(items)]
            if given not in tokens:
                raise ApiError(
                    'badcontinue',
                    'Invalid continue param. You should pass the original value returned '
                    'by the previous query.',
                )
            start = tokens.index(given)
        limit = self.p.get(f'{name}limit', '10')
        if limit == 'max':
            self.limits[module] = limit = self.wiki.max_limit
        end = start + max(1, min(int(limit), self.wiki.max_limit))
        if end < len(items):
            self.cont.update({f'{name}continue': token(items[end], end), 'continue': more})
        return items[start:end]

    # -- action=query ---------------------------------------------------------------------

    def query(self) -> dict:
        query: dict = {}
        entries = self.pageset(query)
        for name in multi(self.p.get('prop')):
            handler = getattr(self, f'prop_{name}', None)
            if handler is None and name not in ('imageinfo', 'pageprops'):  # no files here
                raise ApiError('badvalue', f'Unrecognized value for parameter "prop": {name}.')
            for entry, page in entries if handler else ():
                handler(entry, page)
        if entries is not None:
            pages = _ordered([entry for entry, _ in entries])
            if 'indexpageids' in self.p:
                query['pageids'] = _page_keys(pages)
            query['pages'] = pages
        for kind in ('list', 'meta'):
            for name in multi(self.p.get(kind)):
                handler = getattr(self, f'{kind}_{name}', None)
                if handler is None:
                    raise ApiError(
                        'badvalue', f'Unrecognized value for parameter "{kind}": {name}.'
                    )
                answer = handler()
                query.update(answer if name == 'siteinfo' else {name: answer})
        result: dict = {} if self.cont.get('continue') == '||' else {'batchcomplete': True}
        if self.cont:  # the meta modules are done: the next part leaves them out
            self.cont['continue'] += '|'.join(multi(self.p.get('meta')))
            result['continue'] = self.cont
        result['query'] = query
        return result

    def entry(self, ns: int, title: str) -> tuple[dict, Page | None]:
        """The ``pages`` entry of a title, and its page."""
        if ns < 0:
            return {'ns': ns, 'title': title, 'special': True, 'missing': True}, None
        page = self.wiki.pages.get(title)
        if page is None:
            return {'ns': ns, 'title': title, 'missing': True}, None
        return {'pageid': page.pageid, 'ns': ns, 'title': title}, page

    def pageset(self, query: dict) -> list[tuple[dict, Page | None]] | None:
        """The pages a query is about (``titles``, ``pageids``, a generator), redirects
        followed when asked; None when it names none."""
        if not {'titles', 'pageids', 'generator'} & set(self.p):
            return None
        entries = []
        for text in multi(self.p.get('titles')):
            try:
                ns, title, _ = self.wiki.parse_title(text)
            except InvalidTitle as e:
                entries.append(({'title': text, 'invalidreason': str(e), 'invalid': True}, None))
                continue
            if title != text and 'generator' not in self.p:  # a generator's input is not shown
                normalized = {'fromencoded': False, 'from': text, 'to': title}
                query.setdefault('normalized', []).append(normalized)
            entries.append(self.entry(ns, title))
        for pageid in map(int, multi(self.p.get('pageids'))):
            page = next((x for x in self.wiki.pages.values() if x.pageid == pageid), None)
            missing = ({'pageid': pageid, 'missing': True}, None)
            entries.append(self.entry(page.ns, page.title) if page else missing)
        if 'generator' in self.p:
            entries = self.generate(entries)
        if 'redirects' in self.p:
            entries = self.follow(entries, query)
        unique = {entry.get('title', entry.get('pageid')): (entry, page) for entry, page in entries}
        return list(unique.values())

    def follow(self, entries: list, query: dict) -> list:
        """*entries* with each redirect replaced by where it leads, the hops in *query*."""
        followed = []
        for entry, page in entries:
            seen = set()
            while (target := self.wiki.redirect(page)) and page.title not in seen:
                seen.add(page.title)
                title, fragment, interwiki = target
                hop = {'from': page.title, 'to': title}
                hop.update({'tofragment': fragment} if fragment else {})
                hop.update({'tointerwiki': interwiki} if interwiki else {})
                query.setdefault('redirects', []).append(hop)
                if interwiki:
                    query.setdefault('interwiki', []).append({'title': title, 'iw': interwiki})
                    entry = None
                    break
                entry, page = self.entry(self.wiki.parse_title(title)[0], title)
            if entry is not None:
                followed.append((entry, page))
        return followed

    def generate(self, entries: list) -> list:
        wiki, name = self.wiki, self.p['generator']
        if name == 'categorymembers':
            wanted = set(map(int, multi(self.p.get('gcmnamespace'))))
            types = set(multi(self.p.get('gcmtype'))) or {'page', 'subcat', 'file'}
            kind = {6: 'file', 14: 'subcat'}
            pages = [
                p
                for p in wiki.members(self.p['gcmtitle'])
                if (not wanted or p.ns in wanted) and kind.get(p.ns, 'page') in types
            ]
            key = lambda p, _: f'page|{wiki.sortkey(p).encode().hex()}|{p.pageid}'  # noqa: E731
            pages = self.page_through(pages, 'gcm', name, key, 'gcmcontinue||')
            return [self.entry(p.ns, p.title) for p in pages]
        kinds = {'links': ('link', 'gpl'), 'templates': ('template', 'gtl')}
        kinds['categories'] = ('category', 'gcl')
        if name not in kinds:
            raise ApiError('badvalue', f'Unrecognized value for parameter "generator": {name}.')
        kind, prefix = kinds[name]
        titles = dict.fromkeys(t for _, page in entries for t in wiki.related(page, kind))
        wanted = set(map(int, multi(self.p.get(f'{prefix}namespace'))))
        found = [self.entry(*wiki.parse_title(t)[:2]) for t in titles]
        found = [(e, p) for e, p in found if not wanted or e['ns'] in wanted]
        more = f'{prefix}continue||'
        return self.page_through(found, prefix, name, lambda _, i: str(i), more)

    def prop_info(self, entry: dict, page: Page | None) -> None:
        if entry.get('invalid') or entry.get('special'):
            return
        lang = self.wiki.lang
        entry.update(contentmodel='wikitext', pagelanguage=lang, pagelanguagehtmlcode=lang)
        entry['pagelanguagedir'] = 'ltr'
        if page is not None:
            last = page.revisions[-1]
            entry.update(touched=last.timestamp, lastrevid=last.revid)
            entry['length'] = len(last.text.encode())
            entry.update({'redirect': True} if self.wiki.redirect(page) else {})
            entry.update({'new': True} if len(page.revisions) == 1 else {})
        if 'protection' in multi(self.p.get('inprop')):
            entry['protection'] = []
            entry['restrictiontypes'] = ['edit', 'move'] if page else ['create']

    def prop_categoryinfo(self, entry: dict, page: Page | None) -> None:
        members = self.wiki.members(entry['title']) if entry.get('ns') == 14 else []
        if entry.get('ns') != 14 or (page is None and not members):
            return
        files = sum(1 for m in members if m.ns == 6)
        subcats = sum(1 for m in members if m.ns == 14)
        pages = len(members) - files - subcats
        entry['categoryinfo'] = {
            'size': len(members), 'pages': pages, 'files': files, 'subcats': subcats,
            'hidden': False,
        }  # fmt: skip

    def prop_revisions(self, entry: dict, page: Page | None) -> None:
        if page is None:
            return
        p, revisions = self.p, page.revisions[-1:]
        if {'rvlimit', 'rvstart', 'rvend', 'rvdir', 'rvcontinue'} & set(p):  # a page's history
            newer = p.get('rvdir') == 'newer'
            revisions = sorted(page.revisions, key=lambda r: r.revid, reverse=not newer)
            start, end = p.get('rvstart'), p.get('rvend')
            revisions = [r for r in revisions if _within(r.timestamp, start, end, newer)]
            key = lambda r, _: f'{_ts14(r.timestamp)}|{r.revid}'  # noqa: E731
            revisions = self.page_through(revisions, 'rv', 'revisions', key, '||')
        props = multi(p.get('rvprop', 'ids|timestamp|flags|comment|user'))
        entry['revisions'] = [self.revision(r, props, 'rvslots' in p) for r in revisions]

    def revision(self, revision: Revision, props: list[str], slots: bool) -> dict:
        out: dict = {}
        if 'ids' in props:
            out.update(revid=revision.revid, parentid=revision.parentid)
        if 'flags' in props:
            out['minor'] = revision.minor
        user = self.wiki.user_by_id(revision.userid)
        if 'user' in props:
            out['user'] = user.name if user else revision.ip
            out.update({'anon': True} if user is None else {'temp': True} if user.temporary else {})
        for prop, value in (
            ('userid', revision.userid),
            ('timestamp', revision.timestamp),
            ('size', len(revision.text.encode())),
            ('sha1', hashlib.sha1(revision.text.encode()).hexdigest()),
            ('comment', revision.comment),
            ('tags', list(revision.tags)),
        ):
            out.update({prop: value} if prop in props else {})
        if 'content' in props:
            content = {'contentmodel': 'wikitext', 'contentformat': 'text/x-wiki'}
            content['content'] = revision.text
            out.update({'slots': {'main': content}} if slots else content)
        return out

    def list_users(self) -> list[dict]:
        wiki, props = self.wiki, multi(self.p.get('usprop'))
        invalid, names = [], []
        for name in multi(self.p.get('ususers')):
            canonical = wiki.canonical_user(name)
            if canonical is None:
                invalid.append({'name': name, 'invalid': True})
            elif canonical not in names:
                names.append(canonical)
        # As MediaWiki lists them: the invalid names first, then the others as asked.
        found = [self.user(wiki.users.get(n), props) or {'name': n, 'missing': True} for n in names]
        for i in map(int, multi(self.p.get('ususerids'))):
            found.append(self.user(wiki.user_by_id(i), props) or {'userid': i, 'missing': True})
        return invalid + found

    def user(self, user: User | None, props: list[str]) -> dict | None:
        if user is None:
            return None
        out: dict = {'userid': user.userid, 'name': user.name}
        out.update({'registration': user.registration} if 'registration' in props else {})
        out.update({'groups': user.all_groups()} if 'groups' in props else {})
        out.update(self.blockinfo(user) if 'blockinfo' in props else {})
        out.update({'emailable': user.emailable} if 'emailable' in props else {})
        out.update(self.central(user) if 'centralids' in props else {})
        return out

    def blockinfo(self, user: User | None) -> dict:
        block = user and user.block
        if not block:
            return {}
        return {
            'blockid': block.id, 'blockedby': block.by, 'blockedbyid': block.byid,
            'blockreason': block.reason, 'blockedtimestamp': block.timestamp,
            'blockexpiry': 'infinite', 'blockpartial': block.partial, 'blocknocreate': False,
            'blockanononly': False, 'blockemail': block.email, 'blockowntalk': False,
            'blockedtimestampformatted': self.wiki.shown(block.timestamp),
        }  # fmt: skip

    def central(self, user: User | None) -> dict:
        ids, attached = {'local': user.userid if user else 0}, {'local': user is not None}
        provider = self.wiki.central
        if provider:
            ids = {provider: (user.centralid or 0) if user else 0, **ids}
            attached = {provider: bool(user and user.attached and user.centralid), **attached}
        return {'centralids': ids, 'attachedlocal': attached}

    def list_blocks(self) -> list[dict]:
        props = multi(self.p.get('bkprop', 'id|user|by|timestamp|expiry|reason|flags'))
        names = {self.wiki.canonical_user(n) for n in multi(self.p.get('bkusers'))}
        found = []
        for user in self.wiki.users.values():
            block = user.block
            if block is None or (names and user.name not in names):
                continue
            fields = {
                'id': block.id, 'user': user.name, 'userid': user.userid, 'by': block.by,
                'byid': block.byid, 'timestamp': block.timestamp, 'expiry': 'infinity',
                'reason': block.reason,
            }  # fmt: skip
            out = {k: v for k, v in fields.items() if k in props}
            if 'flags' in props:
                out.update(
                    automatic=False, anononly=False, nocreate=False, autoblock=True,
                    noemail=block.email, hidden=False, allowusertalk=True, partial=block.partial,
                )  # fmt: skip
            found.append(out)
        return found

    def list_logevents(self) -> list[dict]:
        p, wiki = self.p, self.wiki
        props = multi(p.get('leprop', 'ids|title|type|user|timestamp|comment|details'))
        events = [e for e in wiki.logs if e.type == p.get('letype', e.type)]
        if p.get('leuser'):
            events = [e for e in events if e.user == wiki.canonical_user(p['leuser'])]
        if p.get('letitle'):
            events = [e for e in events if e.title == wiki.title(p['letitle'])]
        newer = p.get('ledir') == 'newer'
        start, end = p.get('lestart'), p.get('leend')
        events = [e for e in events if _within(e.timestamp, start, end, newer)]
        events.sort(key=lambda e: (e.timestamp, e.logid), reverse=not newer)
        key = lambda e, _: f'{_ts14(e.timestamp)}|{e.logid}'  # noqa: E731
        answers = []
        for event in self.page_through(events, 'le', 'logevents', key, '-||'):
            out: dict = {'logid': event.logid} if 'ids' in props else {}
            if 'title' in props:
                out.update(ns=wiki.parse_title(event.title)[0], title=event.title)
            out.update({'pageid': event.pageid, 'logpage': event.pageid} if 'ids' in props else {})
            out.update({'params': dict(event.params)} if 'details' in props else {})
            out.update({'type': event.type, 'action': event.action} if 'type' in props else {})
            fields = {'user': event.user, 'timestamp': event.timestamp, 'comment': ''}
            out.update({k: v for k, v in fields.items() if k in props})
            answers.append(out)
        return answers

    def list_usercontribs(self) -> list[dict]:
        wiki = self.wiki
        names = {wiki.canonical_user(n) or n for n in multi(self.p.get('ucuser'))}
        ids = {u.userid for u in wiki.users.values() if u.name in names}
        edits = [
            (page, r)
            for page in wiki.pages.values()
            for r in page.revisions
            if r.userid in ids or r.ip in names
        ]
        edits.sort(key=lambda e: e[1].revid, reverse=self.p.get('ucdir') != 'newer')
        key = lambda e, _: f'{_ts14(e[1].timestamp)}|{e[1].revid}'  # noqa: E731
        answers = []
        for page, r in self.page_through(edits, 'uc', 'usercontribs', key, '-||'):
            user = wiki.user_by_id(r.userid)
            answers.append({
                'userid': r.userid, 'user': user.name if user else r.ip, 'pageid': page.pageid,
                'revid': r.revid, 'parentid': r.parentid, 'ns': page.ns, 'title': page.title,
                'timestamp': r.timestamp, 'new': r.parentid == 0, 'minor': r.minor,
                'top': r is page.revisions[-1], 'comment': r.comment, 'size': len(r.text.encode()),
            })  # fmt: skip
        return answers

    def list_allusers(self) -> list[dict]:
        groups = set(multi(self.p.get('augroup')))
        users = sorted(self.wiki.users.values(), key=lambda u: u.name)
        users = [u for u in users if not groups or groups & set(u.all_groups())]
        start = self.wiki.canonical_user(self.p.get('aufrom', '')) or ''
        users = [u for u in users if u.name >= start]
        limit = int(self.p.get('aulimit', '10').replace('max', str(self.wiki.max_limit)))
        if len(users) > limit:
            self.cont.update({'aufrom': users[limit].name, 'continue': '-||'})
        props = multi(self.p.get('auprop'))
        return [
            {'userid': u.userid, 'name': u.name}
            | ({'groups': u.all_groups()} if 'groups' in props else {})
            | ({'registration': u.registration} if 'registration' in props else {})
            for u in users[:limit]
        ]

    def meta_userinfo(self) -> dict:
        props, user = multi(self.p.get('uiprop')), self.acting
        out: dict = {'id': 0, 'name': '127.0.0.1', 'anon': True}
        if user is not None:
            out = {'id': user.userid, 'name': user.name}
            out.update({'temp': True} if user.temporary else {})
        out.update(self.blockinfo(user) if 'blockinfo' in props else {})
        out.update({'messages': False} if 'hasmsg' in props else {})
        out.update({'groups': user.all_groups() if user else ['*']} if 'groups' in props else {})
        out.update({'rights': self.wiki.rights(user)} if 'rights' in props else {})
        if 'ratelimits' in props:
            limit = user and user.email_limit
            hits = {'sendemail': {'user': {'hits': limit[0], 'seconds': limit[1]}}} if limit else {}
            out['ratelimits'] = hits
        if 'email' in props:
            out['email'] = (user and user.email) or ''
            if user and user.email and user.confirmed:
                out['emailauthenticated'] = user.registration
        out.update(self.central(user) if 'centralids' in props else {})
        return out

    def meta_tokens(self) -> dict:
        types = multi(self.p.get('type', 'csrf'))
        return {f'{t}token': self.wiki.token(self.acting) for t in types if t in TOKEN_TYPES}

    def meta_allmessages(self) -> list[dict]:
        answers = []
        for name in multi(self.p.get('ammessages')):
            text = self.wiki.messages.get(name)
            if text is None:
                answers.append({'name': name, 'normalizedname': name, 'missing': True})
                continue
            for i, arg in enumerate(multi(self.p.get('amargs')), 1):
                text = text.replace(f'${i}', arg)
            if 'amenableparser' in self.p:
                text = text.replace('{{SITENAME}}', self.wiki.sitename)
            answers.append({'name': name, 'normalizedname': name, 'content': text})
        return answers

    def meta_siteinfo(self) -> dict:
        info = {prop: self.siteinfo(prop) for prop in multi(self.p.get('siprop', 'general'))}
        unknown = [prop for prop, value in info.items() if value is None]
        if unknown:  # Pywikibot tells an unknown property by this warning
            values = 'value' if len(unknown) == 1 else 'values'
            text = f'Unrecognized {values} for parameter "siprop": {", ".join(unknown)}.'
            self.warnings['siteinfo'] = {'warnings': text}
        return {prop: value for prop, value in info.items() if value is not None}

    def siteinfo(self, prop: str):
        wiki = self.wiki
        if prop == 'general':
            return {
                'mainpage': 'Main Page', 'base': f'{wiki.server}/wiki/Main_Page',
                'sitename': wiki.sitename, 'generator': 'MediaWiki 1.43.1',
                'case': 'first-letter', 'lang': wiki.lang, 'fallback': [], 'rtl': False,
                'readonly': False, 'writeapi': True, 'linktrail': '/^([a-z]+)(.*)$/sD',
                'invalidusernamechars': '@:>=', 'articlepath': '/wiki/$1', 'scriptpath': '/w',
                'script': '/w/index.php', 'server': wiki.server,
                'servername': wiki.server.partition('//')[2],
                'wikiid': re.sub(r'\W', '', wiki.sitename.lower()),
                'time': wiki.iso(wiki.clock), 'timezone': 'UTC', 'timeoffset': 0,
                'thumblimits': {'0': 120}, 'imagelimits': {'0': {'width': 320, 'height': 240}},
                'magiclinks': {'ISBN': False, 'PMID': False, 'RFC': False},
                'centralidlookupprovider': wiki.central or 'local',
                'allcentralidlookupproviders': ['local', *([wiki.central] if wiki.central else [])],
                'uploadsenabled': False,
            }  # fmt: skip
        if prop == 'namespaces':
            return {
                str(i): {
                    'id': i, 'case': 'first-letter', 'name': name,
                    'subpages': i not in (-2, -1, 0, 6, 14),
                    **({'canonical': CANONICAL[i]} if i else {}),
                    'content': i == 0, 'nonincludable': False,
                }
                for i, name in wiki.ns_names.items()
            }  # fmt: skip
        mute = [{'realname': 'Mute', 'aliases': ['Mute']}] if wiki.mute else []
        temp = {'enabled': True, 'matchPatterns': ['~$1']} if wiki.temp_accounts else {}
        return {
            'namespacealiases': [{'id': 6, 'alias': 'Image'}, {'id': 7, 'alias': 'Image talk'}],
            'interwikimap': [
                {'prefix': k, 'url': v, 'protorel': False} for k, v in wiki.interwikis.items()
            ],
            'specialpagealiases': [
                {'realname': 'Emailuser', 'aliases': ['EmailUser', 'Email']},
                *mute,
            ],
            'autocreatetempuser': temp or {'enabled': False},
            'magicwords': [{'name': 'redirect', 'aliases': ['#REDIRECT'], 'case-sensitive': False}],
            'extensions': [],
            'restrictions': {'types': ['create', 'edit', 'move'], 'levels': ['', 'sysop']},
        }.get(prop)

    # -- action=parse ---------------------------------------------------------------------

    def parse(self) -> dict:
        query: dict = {}
        try:
            entries = [self.entry(*self.wiki.parse_title(self.p.get('page', ''))[:2])]
        except InvalidTitle as e:
            raise ApiError('invalidtitle', f'Bad title "{self.p.get("page", "")}".') from e
        if 'redirects' in self.p:
            entries = self.follow(entries, query)
        page = entries[0][1] if entries else None
        if page is None:
            raise ApiError('missingtitle', "The page you specified doesn't exist.")
        text = page.html
        if text is None:  # paragraphs of escaped text: enough for a plain message page
            paragraphs = [html.escape(x.strip()) for x in page.text.split('\n\n') if x.strip()]
            text = ''.join(f'<p>{x}\n</p>' for x in paragraphs)
        parsed: dict = {'title': page.title, 'pageid': page.pageid}
        parsed.update({'redirects': query['redirects']} if query.get('redirects') else {})
        parsed['text'] = (
            f'<div class="mw-content-ltr mw-parser-output" lang="{self.wiki.lang}" dir="ltr">'
            f'{text}</div>'
        )
        return {'parse': parsed}

    # -- The POSTs ------------------------------------------------------------------------

    def check(self, key: str) -> None:
        """Refuse a stale token, then answer as :meth:`FakeWiki.fail` asked for *key*."""
        if self.p.get('token') != self.wiki.token(self.acting):
            raise ApiError('badtoken', 'Invalid CSRF token.')
        fault = self.wiki.faults.get(key)
        if fault is None:
            return
        code, info, times = fault
        if times is not None:
            fault[2] -= 1
            if fault[2] <= 0:
                del self.wiki.faults[key]
        raise ApiError(code, info)

    def lose(self, key: str) -> None:
        if self.wiki.lost[key] > 0:
            self.wiki.lost[key] -= 1
            raise AnswerLost(key)

    def emailuser(self) -> dict:
        p, sender, wiki = self.p, self.acting, self.wiki
        name = wiki.canonical_user(p.get('target', ''))
        if name is None:
            given = p.get('target', '')
            raise ApiError(
                'baduser_target', f'Invalid value "{given}" for user parameter "target".'
            )
        self.check(name)
        target = wiki.users.get(name)
        # MediaWiki looks at the recipient first, then at the sender.
        if target is None:
            raise ApiError('emailnotarget', 'Non-existent or invalid username for recipient.')
        if not (target.email and target.confirmed) or target.temporary:
            raise ApiError('noemailtext', 'This user has not specified a valid email address.')
        if (
            not target.takes_email
            or (sender and sender.name in target.muted)
            or (sender and target.refuses_new and 'autoconfirmed' not in wiki.rights(sender))
        ):
            raise ApiError(
                'nowikiemailtext', 'This user has chosen not to receive email from other users.'
            )
        if sender is None:
            raise ApiError('mailnologin', 'You must be logged in to send email to other users.')
        if 'sendemail' not in wiki.rights(sender):
            raise ApiError(
                'permissiondenied',
                'The action you have requested is limited to users in the group: Users.',
            )
        if sender.block and sender.block.email:
            code = 'blockedfrommail' if sender.block.partial else 'blocked'
            raise ApiError(code, 'You have been blocked from sending email.')
        if not (sender.email and sender.confirmed):
            raise ApiError('cantsend', 'No send address')
        if sender.email_limit and 'noratelimit' not in wiki.rights(sender):
            hits, seconds = sender.email_limit
            since = wiki.iso(wiki.clock - timedelta(seconds=seconds))
            sent = [m for m in wiki.mails if m.sender == sender.name and m.timestamp > since]
            if len(sent) >= hits:
                raise ApiError('ratelimited', RATELIMITED)
        ccme = 'ccme' in p  # a boolean parameter: given is true, whatever its value
        subject, text = p.get('subject', ''), p.get('text', '')
        wiki.mails.append(Mail(sender.name, name, subject, text, ccme, wiki.stamp()))
        self.lose(name)
        return {'emailuser': {'result': 'Success'}}

    def edit(self) -> dict:
        p, user, wiki = self.p, self.acting, self.wiki
        try:
            title = wiki.title(p.get('title', ''))
        except InvalidTitle as e:
            raise ApiError('invalidtitle', f'Bad title "{p.get("title", "")}".') from e
        self.check(title)
        if user is None:
            raise ApiError('notloggedin', 'Please log in to edit.')
        if user.block and not user.block.partial:
            raise ApiError('blocked', 'You have been blocked from editing.')
        page = wiki.pages.get(title)
        before = page.revisions[-1].revid if page else 0
        body = p.get('text', '').replace('~~~~', wiki.signature(user))
        text = body
        if p.get('section') == 'new':
            heading = p.get('sectiontitle', '')
            text = (f'{page.text}\n\n' if page and page.text else '') + f'== {heading} ==\n\n{body}'
            wiki.posts.append(Post(title, heading, body, user.name, p.get('summary', '')))
        revision = wiki.edit(title, text, user.name, p.get('summary', ''))
        self.lose(title)
        answer = {'new': True} if not before else {}
        answer.update(result='Success', pageid=wiki.pages[title].pageid, title=title)
        answer.update(contentmodel='wikitext', oldrevid=before, newrevid=revision.revid)
        answer.update(newtimestamp=revision.timestamp, watched=True)
        return {'edit': answer}


def _ts14(iso: str) -> str:
    return re.sub(r'\D', '', iso)


def _within(when: str, start: str | None, end: str | None, newer: bool) -> bool:
    """Whether *when* lies from *start* to *end*, in the direction the list goes."""
    first, last = (start, end) if newer else (end, start)
    return (not first or when >= first) and (not last or when <= last)


def _ordered(pages: list[dict]) -> list[dict]:
    """The ``pages`` of a query in MediaWiki's order: missing pages (the last asked
    first), special pages, invalid titles, then the existing ones by page id."""

    def rank(item):
        i, page = item
        kind = 3 if 'pageid' in page and not page.get('missing') else 0
        kind = 1 if page.get('special') else 2 if page.get('invalid') else kind
        return kind, page['pageid'] if kind == 3 else -i

    return [page for _, page in sorted(enumerate(pages), key=rank)]


def _page_keys(pages: list[dict]) -> list[str]:
    """The formatversion 1 keys of *pages*: the page id, or for a page without one a
    negative number, counted so that the keys ascend."""
    without = [i for i, p in enumerate(pages) if 'pageid' not in p or p.get('missing')]
    keys = {i: str(n - len(without)) for n, i in enumerate(without)}
    return [keys.get(i) or str(p['pageid']) for i, p in enumerate(pages)]


#: What formatversion 1 puts under ``*``, told by a key beside it: a namespace's name, an
#: alias, a revision's content, a message, an error's docref.
_UNDER_STAR = [
    ('name', 'case'),
    ('alias', 'id'),
    ('content', 'contentmodel'),
    ('content', 'normalizedname'),
    ('docref', 'code'),
]


def formatversion_1(data):
    """*data* in formatversion 1's shapes: booleans as ``''`` or left out, ``pages``
    keyed by id, lists where it has lists, text under ``*``."""
    if isinstance(data, list):
        return [formatversion_1(x) for x in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        if value is True:
            out[key] = ''
        elif key == 'pages' and isinstance(value, list):
            out[key] = {k: formatversion_1(v) for k, v in zip(_page_keys(value), value)}
        elif key in ('thumblimits', 'imagelimits'):
            out[key] = list(value.values())
        elif key == 'magiclinks':
            out[key] = [name for name, on in value.items() if on]
        elif value is not False:
            out[key] = formatversion_1(value)
    for moved, beside in _UNDER_STAR:
        if moved in out and beside in out:
            out['*'] = out.pop(moved)
    return out
