"""run.waits: the run's waits for the account's limits, with an injected clock and no sleeps."""

from __future__ import annotations

import pytest

from emailuserlib.options.settings import RateLimit
from emailuserlib.plan.budget import Budget
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
