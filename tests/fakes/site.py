"""A real Pywikibot ``APISite`` whose every request a :class:`~fakes.wiki.FakeWiki` answers.

As Pywikibot's own tests do with ``DrySite``, :class:`FakeSite` subclasses
``APISite`` and swaps only the edges: the request class hands the encoded
parameters to the wiki instead of the network, the parameter information
comes from a small table instead of ``action=paraminfo``, logging in starts a
session on the wiki, and the throttle never waits. Everything between (title
parsing, generators, continuation, error handling, the token wallet,
``Page.exists()``, ``Category.members()``...) is Pywikibot's own code.

The script sends its ``action=emailuser`` and ``action=edit`` POSTs through
``pywikibot.comms.http.fetch`` itself; :func:`route_posts` makes that reach the
wiki too, so the script's delivery code runs unchanged.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import requests
from pywikibot.comms import http
from pywikibot.data import api
from pywikibot.exceptions import NoUsernameError
from pywikibot.family import SingleSiteFamily
from pywikibot.login import LoginStatus
from pywikibot.site import APISite
from pywikibot.site import _apisite as apisite_module
from pywikibot.throttle import Throttle
from pywikibot.tools import normalize_username

from .wiki import AnswerLost, FakeWiki

#: API query modules, each with its parameter prefix, as ``action=paraminfo`` tells.
PREFIXES = {
    'allmessages': 'am', 'allusers': 'au', 'blocks': 'bk', 'categories': 'cl',
    'categoryinfo': 'ci', 'categorymembers': 'cm', 'imageinfo': 'ii', 'info': 'in',
    'links': 'pl', 'logevents': 'le', 'pageprops': 'pp', 'revisions': 'rv', 'siteinfo': 'si',
    'templates': 'tl', 'tokens': '', 'usercontribs': 'uc', 'userinfo': 'ui', 'users': 'us',
}  # fmt: skip
#: Those that take a ``limit`` and a ``namespace``.
LIMITED = {'allusers', 'blocks', 'categories', 'categorymembers', 'links', 'logevents',
           'revisions', 'templates', 'usercontribs'}  # fmt: skip
NAMESPACED = {'allusers', 'categorymembers', 'links', 'templates', 'usercontribs'}
#: Actions that MediaWiki takes by POST only.
MUST_POST = {'clientlogin', 'edit', 'emailuser', 'login', 'logout'}


class FakeParamInfo:
    """What ``action=paraminfo`` would say of the modules Pywikibot asks about."""

    def fetch(self, modules) -> None:
        """Nothing to fetch: the table is all there is."""

    def __getitem__(self, path: str) -> dict:
        name = path.rpartition('+')[2]
        parameters = []
        if name in LIMITED:
            parameters.append({'name': 'limit', 'type': 'limit', 'max': 500, 'highmax': 5000})
        if name in NAMESPACED:
            parameters.append({'name': 'namespace', 'type': 'namespace', 'multi': True})
        if name == 'info':  # site.maxlimit reads the limits of a multi-value parameter here
            parameters.append({'name': 'prop', 'multi': True, 'limit': 50, 'highlimit': 500})
        if name == 'tokens':
            parameters.append({'name': 'type', 'type': ['csrf', 'login', 'patrol', 'watch']})
        info = {'name': name, 'path': path, 'prefix': PREFIXES.get(name, ''),
                'parameters': parameters}  # fmt: skip
        return {**info, 'mustbeposted': True} if name in MUST_POST else info

    def __contains__(self, path: str) -> bool:
        return True

    def parameter(self, module: str, param_name: str) -> dict | None:
        """The description of *param_name* of *module*, None when it has none."""
        found = [p for p in self[module]['parameters'] if p['name'] == param_name]
        return found[0] if found else None


class FakeRequest(api.Request):
    """A Pywikibot request that the site's wiki answers instead of the network."""

    def __init__(self, *args, expiry=None, **kwargs) -> None:
        # Pywikibot asks for a CachedRequest with an expiry; nothing is cached here.
        super().__init__(*args, **kwargs)

    def _http_request(self, use_get, uri, data, headers, paramstring):
        params = dict(parse_qsl(paramstring, keep_blank_values=True))
        answer = self.site.answer(params, 'GET' if use_get else 'POST')
        if isinstance(answer, Exception):
            raise answer
        return answer, use_get


class NoWaitThrottle(Throttle):
    """A throttle that never waits and writes no ``throttle.ctrl``; counts its calls."""

    def __init__(self, site) -> None:
        self.lock, self.lock_read, self.lock_write = (threading.RLock() for _ in range(3))
        self.mysite = str(site)
        self.mindelay = self.maxdelay = self.writedelay = self.delay = 0
        self.last_read = self.last_write = 0.0
        self.retry_after = 0
        self.checktime = 0.0
        self.modules = Counter()
        self.calls = Counter()

    def waittime(self, write: bool = False) -> float:
        return 0.0

    def __call__(self, *, requestsize: int = 1, write: bool = False) -> None:
        self.calls['write' if write else 'read'] += 1

    def lag(self, lagtime: float | None = None) -> None:
        """No waiting for a lagged wiki either."""

    def drop(self) -> None:
        """Nothing was registered."""


def _family(wiki: FakeWiki) -> SingleSiteFamily:
    """A family of one site for *wiki*, reached at its server and ``/w``."""
    parts = urlsplit(wiki.server)
    attributes = {
        'name': parts.hostname.split('.')[0],
        'code': wiki.lang,
        'domain': parts.netloc,
        'protocol': lambda self, code: parts.scheme,
        'scriptpath': lambda self, code: '/w',
    }
    return type('FakeFamily', (SingleSiteFamily,), attributes)()


class FakeSite(APISite):
    """A Pywikibot site on *wiki*, logged in as *user*.

    :param cookie: whether the site starts logged in, as a run does that finds its
        session cookie; otherwise it logs in when asked (``site.login()``)
    """

    def __init__(self, wiki: FakeWiki, user: str | None = 'Sender', cookie: bool = True) -> None:
        self.wiki = wiki
        self._cookie = cookie
        self._fake_throttle = NoWaitThrottle(f'{wiki.sitename}:{wiki.lang}')
        super().__init__(wiki.lang, _family(wiki), user)
        self._paraminfo = FakeParamInfo()
        # Pywikibot keeps messages in one cache for all sites of a language.
        apisite_module._mw_msg_cache.clear()

    def _cmpkey(self):
        # Pywikibot takes sites of one family and code for one wiki; two fake wikis are
        # two wikis, whose pages, categories and caches must not mix.
        return (*super()._cmpkey(), id(self.wiki))

    @staticmethod
    def _request_class(kwargs) -> type[api.Request]:
        return FakeRequest

    @property
    def throttle(self) -> NoWaitThrottle:
        return self._fake_throttle

    def login(self, autocreate: bool = False, user: str | None = None, *, cookie_only=False):
        """Start a session on the wiki for the site's user, as a login would.

        :raises NoUsernameError: the wiki has no such account, or refuses it
        """
        if user:
            self._username = normalize_username(user)
        if self.logged_in():
            self._loginstatus = LoginStatus.AS_USER
            return
        if cookie_only and not self._cookie:
            return
        if not self.username() or self.wiki.log_in(self.username()) is None:
            self._loginstatus = LoginStatus.NOT_LOGGED_IN
            raise NoUsernameError(f'Logging in on {self} as {self.username()} failed.')
        del self.userinfo
        self._loginstatus = LoginStatus.IN_PROGRESS
        self.userinfo  # noqa: B018 (a login reads who it is, as Pywikibot's does)
        self._loginstatus = LoginStatus.AS_USER

    def answer(self, params: dict[str, str], method: str = 'GET'):
        """The wiki's answer to *params* from this site's session, as an HTTP response;
        a timeout exception when the wiki is to lose it."""
        try:
            data = self.wiki.api(params, user=self.username(), method=method)
        except AnswerLost:
            return requests.exceptions.ReadTimeout('no answer within the socket timeout')
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(data).encode()
        response.encoding = 'utf-8'
        response.headers['content-type'] = 'application/json; charset=utf-8'
        response.url = self.base_url(self.apipath())
        return response


def route_posts(monkeypatch, *sites: FakeSite) -> None:
    """Make ``pywikibot.comms.http.fetch`` answer the API URLs of *sites* from their
    wikis (the script POSTs emails and talk page sections with it); other URLs
    still go to the real function."""
    real_fetch = http.fetch
    by_url = {site.base_url(site.apipath()): site for site in sites}

    def fetch(uri, method='GET', headers=None, default_error_handling=True, **kwargs):
        site = by_url.get(uri.partition('?')[0])
        if site is None:
            return real_fetch(uri, method, headers, default_error_handling, **kwargs)
        params = dict(parse_qsl(urlsplit(uri).query, keep_blank_values=True))
        data = kwargs.get('data') or {}
        params.update(parse_qsl(data, keep_blank_values=True) if isinstance(data, str) else data)
        answer = site.answer({k: str(v) for k, v in params.items()}, method)
        if isinstance(answer, Exception) and default_error_handling:
            raise answer
        return answer

    monkeypatch.setattr(http, 'fetch', fetch)
