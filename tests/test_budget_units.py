"""Rate limits, the budget that keeps to them, the run's waits for them (run.waits.RunWaits) and
the time estimates: without a wiki, with an injected clock and no sleeps."""

from __future__ import annotations

import pytest

from emailuserlib.core import words as timing
from emailuserlib.core.errors import Bad
from emailuserlib.options.settings import RateLimit
from emailuserlib.options.table import parse_ratelimit
from emailuserlib.plan import budget
from emailuserlib.plan.budget import Budget, applicable_limits, budget_for
from emailuserlib.run.waits import RunWaits

LIMIT = RateLimit(2, 600, 'set with -ratelimit')


class Clock:
    """A clock that only moves when a wait is asked for, and records the waits."""

    def __init__(self, now: float = 10_000.0) -> None:
        self.now = now
        self.waits: list[tuple[float, str]] = []

    def __call__(self) -> float:
        return self.now

    def wait_visibly(self, seconds: float, message) -> None:
        self.waits.append((seconds, message(seconds)))
        self.now += seconds


def full_budget(clock: Clock, limit: RateLimit = LIMIT) -> Budget:
    """A budget whose window is full: the oldest send leaves it in 100 seconds."""
    sends = [clock.now - limit.seconds + 100 + i for i in range(limit.hits)]
    return Budget([limit], lambda since, _: [t for t in sends if t >= since], clock)


def waits(clock: Clock, b: Budget, wait: bool, simulate: bool = False, said=None) -> RunWaits:
    return RunWaits(
        b,
        b.limits,
        wait=wait,
        simulate=simulate,
        say=(said.append if said is not None else print),
        wait_visibly=clock.wait_visibly,
    )


def test_without_wait_a_full_budget_stops_with_when_to_run_again():
    clock = Clock()
    w = waits(clock, full_budget(clock), wait=False)
    stop = w.before_email('Alice', sent=4, left=lambda: 7)
    assert stop == (
        "Stopped at the account's email limit of 2 emails per 10 min (set with -ratelimit) "
        'after 4 emails in this run, with 7 still to send: run the same command again in '
        '1 min 41 s, or add -wait to wait for it.'
    )
    assert clock.waits == [] and not w.waited


def test_with_wait_a_full_budget_waits_until_the_oldest_send_leaves_the_window():
    clock = Clock()
    w = waits(clock, full_budget(clock), wait=True)
    assert w.before_email('Alice', sent=4, left=lambda: 7) is None
    [(seconds, said)] = clock.waits
    assert seconds == pytest.approx(100.5)
    assert said == 'Email limit of 2 emails per 10 min reached: emailing Alice in 1 min 41 s.'
    assert w.waited  # the bot reads the opt-outs again after it


def test_a_budget_with_room_neither_waits_nor_stops():
    clock = Clock()
    w = waits(clock, Budget([LIMIT], lambda since, _: [], clock), wait=False)
    assert w.before_email('Alice', 0, left=lambda: pytest.fail('counted for nothing')) is None
    assert clock.waits == [] and not w.waited


@pytest.mark.parametrize(
    ('wait', 'said'),
    [
        (
            False,
            "A real run would stop here, after 3 emails, at the account's email limit of 2 "
            'emails per 10 min (set with -ratelimit); the rest would follow in 1 min 41 s, '
            'when the same command is run again. The simulation goes on with them.',
        ),
        (
            True,
            "A real run would wait here, after 3 emails, at the account's email limit of 2 "
            'emails per 10 min (set with -ratelimit), for 1 min 41 s and then go on (-wait); '
            'the simulation goes on at once.',
        ),
    ],
)
def test_a_simulation_says_once_where_a_real_run_meets_the_limit_and_waits_for_nothing(wait, said):
    clock, notes = Clock(), []
    w = waits(clock, full_budget(clock), wait=wait, simulate=True, said=notes)
    assert w.before_email('Alice', 3, left=lambda: 5) is None
    assert w.before_email('Bob', 4, left=lambda: 4) is None
    assert notes == [said]
    assert clock.waits == [] and not w.waited


def test_the_wiki_s_own_limit_stops_without_wait_saying_what_it_allows():
    clock = Clock()
    w = waits(clock, Budget([RateLimit(5, 3600)], None, clock), wait=False)
    assert w.rate_limited('Alice', 2, left=lambda: 9) == (
        "Stopped at the wiki's email rate limit after 2 emails in this run, with 9 still to "
        'send: the wiki allows 5 emails per hour, so run the same command again in up to '
        '1 h, or add -wait to wait for it.'
    )
    unknown = waits(clock, Budget([], None, clock), wait=False)
    assert unknown.rate_limited('Alice', 0, left=lambda: 1) == (
        "Stopped at the wiki's email rate limit after 0 emails in this run, with 1 still to "
        'send: run the same command again later, or add -wait to wait for it.'
    )
    assert clock.waits == []


@pytest.mark.parametrize(
    ('limits', 'pause'),
    [
        ([RateLimit(5, 3600)], 60.0),  # one send per 12 min: ask again within a minute
        ([RateLimit(10, 50)], 5.0),  # one per 5 s
        ([RateLimit(100, 10)], 1.0),  # never faster than once a second
        ([], 60.0),  # the wiki did not say its limit
    ],
)
def test_with_wait_the_wiki_s_own_limit_is_asked_again_after_a_pause(limits, pause):
    clock = Clock()
    w = waits(clock, Budget(limits, None, clock), wait=True)
    assert w.rate_limited('Alice', 2, left=lambda: 9) is None
    [(seconds, said)] = clock.waits
    assert seconds == pause
    assert said.startswith('Rate limit reached: trying Alice again in ')
    assert w.waited


def test_a_stop_asked_for_does_not_wait_for_the_wiki_s_limit():
    clock = Clock()
    w = waits(clock, Budget([RateLimit(5, 3600)], None, clock), wait=True)
    stop = w.rate_limited('Alice', 2, left=lambda: 9, stopping=True)
    assert stop.startswith("Stopped at the wiki's email rate limit after 2 emails")
    assert clock.waits == []


def test_the_campaign_s_limits_and_budget_are_set_from_the_account_and_the_option():
    sends = []

    class Journal:
        def sends_since(self, since, account, wiki=None, family=None):
            sends.append((account, wiki, family))
            return [since + 1]

    userinfo = {'ratelimits': {'emailuser': {'user': {'hits': 20, 'seconds': 86400}}}}
    limits = applicable_limits(userinfo, wikimedia=False, manual=parse_ratelimit('2/day'))
    b = budget_for(Journal(), limits, 'Sender', 'localwiki', family='')
    used = [(limit, b.used(limit)) for limit in b.limits]
    manual, wiki = RateLimit(2, 86400, 'set with -ratelimit'), RateLimit(20, 86400)
    assert used == [(manual, 1), (wiki, 1)]  # strictest first, each with its window's send
    assert limits == [manual, wiki]
    assert b.limits == [manual, wiki]
    assert sends == [('Sender', 'localwiki', None)] * 2


def test_ratelimit_key_is_emailuser_before_141_and_sendemail_after():
    old = {
        'rights': ['sendemail'],
        'ratelimits': {'emailuser': {'user': {'hits': 20, 'seconds': 86400}}},
    }
    new = {
        'rights': ['sendemail'],
        'ratelimits': {'sendemail': {'user': {'hits': 5, 'seconds': 3600}}},
    }
    assert budget.wiki_ratelimit(old) == RateLimit(20, 86400)
    assert budget.wiki_ratelimit(new) == RateLimit(5, 3600)


def test_the_most_permissive_group_limit_applies_and_noratelimit_exempts():
    info = {
        'rights': ['sendemail'],
        'ratelimits': {
            'emailuser': {
                'user': {'hits': 3, 'seconds': 86400},
                'massmailer': {'hits': 1000, 'seconds': 86400},
            }
        },
    }
    assert budget.wiki_ratelimit(info) == RateLimit(1000, 86400)
    info['rights'].append('noratelimit')
    assert budget.wiki_ratelimit(info) is None
    assert budget.wiki_ratelimit({'rights': [], 'ratelimits': {}}) is None


def test_estimates_use_the_throttle_and_the_limit():
    limit = RateLimit(20, 86400)
    # The put throttle waits before the first email too.
    assert timing.estimate_seconds(10, 10, None) == 100
    assert timing.estimate_seconds(10, 10, limit) == 100
    assert timing.estimate_seconds(45, 0, limit) == 2 * 86400
    assert timing.estimate_seconds(0, 10, limit) == 0
    # Sends already made in the window count.
    assert timing.estimate_seconds(5, 0, limit, used=18) == 86400


@pytest.mark.parametrize(
    ('seconds', 'text'),
    [
        (0, '0 s'),
        (45, '45 s'),
        (450, '7 min 30 s'),
        (7500, '2 h 5 min'),
        (97200, '1 day 3 h'),
        (2 * 86400, '2 days'),
    ],
)
def test_durations_read_well(seconds, text):
    assert timing.duration(seconds) == text


@pytest.mark.parametrize(
    ('text', 'hits', 'seconds'),
    [('20/day', 20, 86400), ('5/hour', 5, 3600), ('3/10min', 3, 600), ('2/600', 2, 600)],
)
def test_ratelimit_option_reads_count_and_period(text, hits, seconds):
    limit = parse_ratelimit(text)
    assert (limit.hits, limit.seconds) == (hits, seconds)


@pytest.mark.parametrize('text', ['20', 'lots/day', '0/day', '5/fortnight', '5/0'])
def test_ratelimit_option_refuses_what_it_cannot_read(text):
    with pytest.raises(Bad, match='not a limit'):
        parse_ratelimit(text)


def test_wikimedia_accounts_keep_to_twenty_a_day_unless_exempt():
    info = {'rights': ['sendemail'], 'ratelimits': {}}
    (limit,) = applicable_limits(info, wikimedia=True, manual=None)
    assert (limit.hits, limit.seconds) == (20, 86400)
    info['rights'].append('noratelimit')
    assert applicable_limits(info, wikimedia=True, manual=None) == []


def test_budget_counts_sends_in_the_window_and_says_how_long_to_wait():
    now = [1000.0]
    sends = [100.0, 900.0, 950.0]
    limit = RateLimit(3, 1000)
    b = Budget([limit], lambda since, _: [t for t in sends if t >= since], lambda: now[0])
    assert b.used(limit) == 3
    assert b.blocking() is limit
    # One more fits when the oldest send (at 100) leaves the window.
    assert b.wait() == pytest.approx(100.5)
    now[0] = 1101.0
    assert b.wait() == 0 and b.blocking() is None


def test_a_send_counts_once_for_the_wiki_and_once_for_the_family_limit():
    wiki_limit = RateLimit(5, 1000)
    family_limit = RateLimit(20, 1000, across_family=True)
    here, elsewhere = [900.0, 950.0], [100.0, 920.0, 940.0]

    def sends_since(since, across_family):
        sends = here + elsewhere if across_family else here
        return [t for t in sends if t >= since]

    b = Budget([wiki_limit, family_limit], sends_since, lambda: 1000.0)
    assert (b.used(wiki_limit), b.used(family_limit)) == (2, 5)
