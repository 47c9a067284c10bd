"""The account's email rate limits: which apply, and how many sends each has left.

From MediaWiki 1.40 on, ``action=emailuser`` checks the ``sendemail`` limit
without counting the sends, and ``meta=userinfo`` never shows limits such as
Wikimedia's ``user-global``. So the script counts its own sends (the journal's
``send`` table, across campaigns) and never sends more than each limit that
applies allows in that limit's window: the wiki's, Wikimedia's published one
on Wikimedia wikis, and one set by hand with ``-ratelimit:``. Sends made
elsewhere (by hand, from another machine or journal) are not seen.

The waits of a run for them are in :mod:`..run.waits`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..options.settings import RateLimit

#: Wikimedia's ``'user-global' => [20, 86400]`` for ``sendemail``, for every account.
WIKIMEDIA_LIMIT = (20, 86400)


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

    def room(self) -> int | None:
        """How many more sends every limit allows now; None when no limit applies."""
        now = self.clock()
        rooms = [
            max(limit.hits - self._used(index, now), 0) for index, limit in enumerate(self.limits)
        ]
        return min(rooms) if rooms else None

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


def budget_for(journal, limits: list[RateLimit], account: str, wiki: str, family: str) -> Budget:
    """The budget of *account*'s *limits*, its sends counted from *journal* (None: none yet).

    A limit counted over the family counts the sends on every wiki of *family*
    (one query: every send on a wiki of the family carries the family).
    """

    def sends_since(since: float, across_family: bool) -> list[float]:
        if journal is None:
            return []
        if across_family and family:
            return journal.sends_since(since, account, family=family)
        return journal.sends_since(since, account, wiki=wiki)

    return Budget(list(limits), sends_since)
