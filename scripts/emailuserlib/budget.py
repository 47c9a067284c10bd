"""The account's email rate limit, kept by the script itself.

From MediaWiki 1.40 on, ``action=emailuser`` checks the ``sendemail`` limit
without counting the sends, and ``meta=userinfo`` never shows limits such as
Wikimedia's ``user-global``. So the script counts its own sends (the journal's
``send`` table, across campaigns) and never sends more than each limit that
applies allows in that limit's window: the wiki's, Wikimedia's published one
on Wikimedia wikis, and one set by hand with ``-ratelimit:``. Sends made
elsewhere (by hand, from another machine or journal) are not seen.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from .timing import RateLimit

#: Wikimedia's ``'user-global' => [20, 86400]`` for ``sendemail``, for every account.
WIKIMEDIA_LIMIT = (20, 86400)
WIKIMEDIA = 'wikimedia'

_UNITS = {
    's': 1,
    'sec': 1,
    'second': 1,
    'min': 60,
    'minute': 60,
    'h': 3600,
    'hour': 3600,
    'd': 86400,
    'day': 86400,
    'week': 7 * 86400,
}
_SPEC = re.compile(r'\s*(\d+)\s*/\s*(\d*)\s*([a-z]*?)s?\s*')


def parse_ratelimit(text: str) -> RateLimit:
    """``20/day``, ``5/hour``, ``3/10min`` or ``2/600`` (seconds) as a limit.

    The option table checks -ratelimit: with this parser and says what is wrong.

    :raises ValueError: *text* is no count and period
    """
    match = _SPEC.fullmatch(text.lower())
    unit = match and (_UNITS.get(match.group(3)) if match.group(3) else 1)
    if (
        not match
        or not unit
        or int(match.group(1)) < 1
        or match.group(2) == '0'
        or not (match.group(2) or match.group(3))  # "20" alone has no period
    ):
        raise ValueError(f'not a limit: {text!r}')
    count = int(match.group(2) or 1)
    return RateLimit(int(match.group(1)), count * unit, 'set with -ratelimit')


def wiki_ratelimit(userinfo: dict) -> RateLimit | None:
    """The email rate limit the wiki reports for the account described by *userinfo*.

    The key is ``emailuser`` up to MediaWiki 1.40 and ``sendemail`` from 1.41.
    As MediaWiki does, the most permissive of the per-user and per-group limits
    applies, unless the account is a newbie; ``noratelimit`` exempts.
    """
    if 'noratelimit' in userinfo.get('rights', []):
        return None
    limits = userinfo.get('ratelimits') or {}
    entries = limits.get('sendemail') or limits.get('emailuser') or {}
    if not entries:
        return None
    if 'newbie' in entries:
        chosen = entries['newbie']
    else:
        candidates = [
            v
            for k, v in entries.items()
            if k not in ('ip', 'subnet', 'ip-all', 'subnet-all', 'anon')
        ]
        if not candidates:
            candidates = list(entries.values())
        chosen = max(candidates, key=lambda v: v['hits'] / v['seconds'])
    return RateLimit(int(chosen['hits']), int(chosen['seconds']), 'the wiki')


def is_wikimedia(site) -> bool:
    """Whether *site* belongs to one of Pywikibot's Wikimedia families."""
    from pywikibot.family import WikimediaFamily

    return isinstance(site.family, WikimediaFamily)


def applicable_limits(userinfo: dict, wikimedia: bool, manual: RateLimit | None) -> list[RateLimit]:
    """Every limit this account must keep to, strictest first."""
    limits = []
    wiki = wiki_ratelimit(userinfo)
    if wiki:
        limits.append(wiki)
    if wikimedia and 'noratelimit' not in userinfo.get('rights', []):
        limits.append(
            RateLimit(
                *WIKIMEDIA_LIMIT,
                "Wikimedia's limit per account, on all its wikis",
                across_family=True,
            )
        )
    if manual:
        limits.append(manual)
    return sorted(limits, key=lambda limit: limit.hits / limit.seconds)


class _Window:
    """The times of the sends in one limit's window, oldest first, pruned as it moves."""

    def __init__(self, times: list[float]) -> None:
        self.times = sorted(times)
        self.start = 0  # times before it have left the window

    def since(self, since: float) -> int:
        """How many sends are at or after *since*; older ones leave for good."""
        times = self.times
        while self.start < len(times) and times[self.start] < since:
            self.start += 1
        if self.start > 1024 and self.start * 2 > len(times):
            del times[: self.start]  # keep the memory to the window's own size
            self.start = 0
        return len(times) - self.start

    def nth_newest(self, n: int) -> float:
        """The time of the *n*-th newest send (1 is the newest)."""
        return self.times[len(self.times) - n]


@dataclass
class Budget:
    """How many more emails the limits allow now, from the journal's record of sends.

    The journal is read once, at the first question, for every limit's window;
    the run's own sends are then added with :meth:`spend`. Each question costs
    the same however many sends the window holds.

    :param sends_since: ``sends_since(since, across_family)`` lists the times of
        this account's earlier sends: on this wiki, or with *across_family* on
        every wiki of its family; None when there is no journal to ask
    """

    limits: list[RateLimit]
    sends_since: object = None
    clock: object = time.time
    _windows: list[_Window] | None = field(default=None, init=False, repr=False)

    def _load(self, now: float) -> list[_Window]:
        if self._windows is None:
            self._windows = [
                _Window(
                    self.sends_since(now - limit.seconds, limit.across_family)
                    if self.sends_since
                    else []
                )
                for limit in self.limits
            ]
        return self._windows

    def _used(self, index: int, now: float) -> int:
        return self._load(now)[index].since(now - self.limits[index].seconds)

    def used(self, limit: RateLimit) -> int:
        """How many sends of *limit*'s current window are spent."""
        return self._used(self.limits.index(limit), self.clock())

    def wait(self) -> float:
        """Seconds until one more send fits every limit; 0 when it fits now."""
        now = self.clock()
        longest = 0.0
        for index, limit in enumerate(self.limits):
            used = self._used(index, now)
            if used >= limit.hits:
                # The oldest send that must leave the window for one more to fit.
                leaving = self._windows[index].nth_newest(limit.hits)
                longest = max(longest, leaving + limit.seconds - now + 0.5)
        return longest

    def spend(self) -> None:
        """Count a send of this run (the journal holds it too, but is not read again)."""
        now = self.clock()
        for window in self._load(now):
            window.times.append(now)

    def blocking(self) -> RateLimit | None:
        """The limit that forbids a send now, if any."""
        now = self.clock()
        for index, limit in enumerate(self.limits):
            if self._used(index, now) >= limit.hits:
                return limit
        return None
