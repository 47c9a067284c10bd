"""The account's email rate limits: which apply, how many sends are left, and the waits.

From MediaWiki 1.40 on, ``action=emailuser`` checks the ``sendemail`` limit
without counting the sends, and ``meta=userinfo`` never shows limits such as
Wikimedia's ``user-global``. So the script counts its own sends (the journal's
``send`` table, across campaigns) and never sends more than each limit that
applies allows in that limit's window: the wiki's, Wikimedia's published one
on Wikimedia wikis, and one set by hand with ``-ratelimit:``. Sends made
elsewhere (by hand, from another machine or journal) are not seen.

:class:`RunWaits` decides, before each email of a run, whether to wait for the
budget, stop, or go on, and what to do when the wiki answers ``ratelimited``
all the same.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pywikibot

from . import progress
from .timing import duration


@dataclass
class RateLimit:
    """How many emails this account may send per period, and who says so."""

    hits: int
    seconds: int
    source: str = 'the wiki'
    #: Counted over every wiki of the family (Wikimedia's per-account limit), not one.
    across_family: bool = False

    def describe(self) -> str:
        """The limit in words: ``20 emails per day``."""
        per = {60: 'minute', 3600: 'hour', 86400: 'day', 7 * 86400: 'week'}.get(self.seconds)
        return f'{self.hits} emails per {per or duration(self.seconds)}'


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


def for_campaign(campaign, ratelimit: str = '') -> list[tuple[RateLimit, int]]:
    """Set *campaign*'s limits and budget; return each limit with the sends it has spent.

    *ratelimit* is the value of -ratelimit:, checked by the option table. The
    campaign's family, its account's limits and its budget are set here, and the
    budget reads the campaign's journal (if it has one by the first question).
    """
    manual = parse_ratelimit(ratelimit) if ratelimit else None
    wikimedia = is_wikimedia(campaign.site)
    campaign.family = WIKIMEDIA if wikimedia else ''
    limits = applicable_limits(campaign.account.userinfo, wikimedia, manual)
    campaign.account.limits = limits
    account, wiki, family = campaign.account.name, campaign.wiki, campaign.family

    def sends_since(since: float, across_family: bool) -> list[float]:
        # The journal of a new campaign file is created once the run goes ahead.
        journal = campaign.journal
        if journal is None:
            return []
        # Every send on a wiki of the family carries the family: one query, no double count.
        if across_family and family:
            return journal.sends_since(since, account, family=family)
        return journal.sends_since(since, account, wiki=wiki)

    campaign.budget = Budget(limits, sends_since)
    return [(limit, campaign.budget.used(limit)) for limit in limits]


#: The longest pause before asking again after the wiki's ``ratelimited``.
RETRY_AFTER_RATELIMITED = 60.0


class RunWaits:
    """A run's waits for the limits: the budget's before each email, and the wiki's own.

    Each question answers with None (go on) or the sentence to stop the run
    with. *sent* is how many emails the run has sent so far and *left* counts
    those still to email (called only when stopping).

    :param budget: the campaign's :class:`Budget`
    :param limits: the limits that apply, strictest first (for the wiki's own limit)
    :param wait: -wait: wait for a limit rather than stop at it
    :param simulate: a dry run, which waits for nothing and says once where a
        real run would stop or wait
    :param say: where the simulation's note goes
    :param wait_visibly: how to wait, shown to the operator (injected in tests)
    """

    def __init__(
        self,
        budget: Budget,
        limits: list[RateLimit],
        wait: bool,
        simulate: bool,
        say: Callable[[str], None] = pywikibot.info,
        wait_visibly: Callable = progress.wait_visibly,
    ) -> None:
        self.budget = budget
        self.limits = limits
        self.wait = wait
        self.simulate = simulate
        self.say = say
        self.wait_visibly = wait_visibly
        #: Waited since the opt-outs were last read (the bot reads them again, and resets it).
        self.waited = False
        self.noted = False  # the simulation said where a real run meets the limit

    def before_email(self, name: str, sent: int, left: Callable[[], int]) -> str | None:
        """Wait until the budget lets one more email go to *name*, or say why to stop."""
        budget = self.budget
        if self.simulate:
            self._note_simulated(sent)
            return None
        while budget.wait() > 0:
            limit = budget.blocking()
            if not self.wait:
                return (
                    f"Stopped at the account's email limit of {limit.describe()} "
                    f'({limit.source}) after {sent} emails in this run, with {left()} '
                    f'still to send: run the same command again in {duration(budget.wait())}, '
                    'or add -wait to wait for it.'
                )
            reached = f'Email limit of {limit.describe()} reached: emailing {name} in'
            self.waited = True
            self.wait_visibly(budget.wait(), lambda s, say=reached: f'{say} {duration(s)}.')
        return None

    def rate_limited(
        self, name: str, sent: int, left: Callable[[], int], stopping: bool = False
    ) -> str | None:
        """The wiki answered that its limit is reached: wait to try *name* again, or stop.

        *stopping*: the operator asked the run to stop, so it does not wait.
        """
        if not self.wait or stopping:
            return self._ratelimit_sentence(sent, left())
        limit = self.limits[0] if self.limits else None
        pause = (
            min(RETRY_AFTER_RATELIMITED, max(1.0, limit.seconds / limit.hits))
            if limit
            else RETRY_AFTER_RATELIMITED
        )
        self.waited = True
        self.wait_visibly(
            pause, lambda s: f'Rate limit reached: trying {name} again in {duration(s)}.'
        )
        return None

    def _ratelimit_sentence(self, sent: int, left: int) -> str:
        when = (
            f'the wiki allows {self.limits[0].describe()}, so run the same command again in '
            f'up to {duration(self.limits[0].seconds)}'
            if self.limits
            else 'run the same command again later'
        )
        return (
            f"Stopped at the wiki's email rate limit after {sent} emails in this run, "
            f'with {left} still to send: {when}, or add -wait to wait for it.'
        )

    def _note_simulated(self, sent: int) -> None:
        """Say, once, where a real run would stop or wait for the limit; wait for nothing."""
        budget = self.budget
        if self.noted or budget.wait() <= 0:
            return
        self.noted = True
        limit = budget.blocking()
        where = (
            f"after {sent} emails, at the account's email limit of "
            f'{limit.describe()} ({limit.source})'
        )
        if self.wait:
            self.say(
                f'A real run would wait here, {where}, for {duration(budget.wait())} and then '
                'go on (-wait); the simulation goes on at once.'
            )
        else:
            self.say(
                f'A real run would stop here, {where}; the rest would follow in '
                f'{duration(budget.wait())}, when the same command is run again. The simulation '
                'goes on with them.'
            )
