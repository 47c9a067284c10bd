"""Rate limits, the budget that keeps to them and the time estimates, without a wiki."""

from __future__ import annotations

import pytest

from emailuserlib import budget, timing


def test_ratelimit_key_is_emailuser_before_141_and_sendemail_after():
    old = {
        'rights': ['sendemail'],
        'ratelimits': {'emailuser': {'user': {'hits': 20, 'seconds': 86400}}},
    }
    new = {
        'rights': ['sendemail'],
        'ratelimits': {'sendemail': {'user': {'hits': 5, 'seconds': 3600}}},
    }
    assert budget.wiki_ratelimit(old) == timing.RateLimit(20, 86400)
    assert budget.wiki_ratelimit(new) == timing.RateLimit(5, 3600)


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
    assert budget.wiki_ratelimit(info) == timing.RateLimit(1000, 86400)
    info['rights'].append('noratelimit')
    assert budget.wiki_ratelimit(info) is None
    assert budget.wiki_ratelimit({'rights': [], 'ratelimits': {}}) is None


def test_estimates_use_the_throttle_and_the_limit():
    limit = timing.RateLimit(20, 86400)
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
    limit = budget.parse_ratelimit(text)
    assert (limit.hits, limit.seconds) == (hits, seconds)


@pytest.mark.parametrize('text', ['20', 'lots/day', '0/day', '5/fortnight', '5/0'])
def test_ratelimit_option_refuses_what_it_cannot_read(text):
    with pytest.raises(ValueError, match='-ratelimit:'):
        budget.parse_ratelimit(text)


def test_wikimedia_accounts_keep_to_twenty_a_day_unless_exempt():
    info = {'rights': ['sendemail'], 'ratelimits': {}}
    (limit,) = budget.applicable_limits(info, wikimedia=True, manual=None)
    assert (limit.hits, limit.seconds) == (20, 86400)
    info['rights'].append('noratelimit')
    assert budget.applicable_limits(info, wikimedia=True, manual=None) == []


def test_budget_counts_sends_in_the_window_and_says_how_long_to_wait():
    now = [1000.0]
    sends = [100.0, 900.0, 950.0]
    limit = timing.RateLimit(3, 1000)
    b = budget.Budget([limit], lambda since, _: [t for t in sends if t >= since], lambda: now[0])
    assert b.used(limit) == 3
    assert b.blocking() is limit
    # One more fits when the oldest send (at 100) leaves the window.
    assert b.wait() == pytest.approx(100.5)
    now[0] = 1101.0
    assert b.wait() == 0 and b.blocking() is None


def test_a_send_counts_once_for_the_wiki_and_once_for_the_family_limit():
    wiki_limit = timing.RateLimit(5, 1000)
    family_limit = timing.RateLimit(20, 1000, across_family=True)
    here, elsewhere = [900.0, 950.0], [100.0, 920.0, 940.0]

    def sends_since(since, across_family):
        sends = here + elsewhere if across_family else here
        return [t for t in sends if t >= since]

    b = budget.Budget([wiki_limit, family_limit], sends_since, lambda: 1000.0)
    assert (b.used(wiki_limit), b.used(family_limit)) == (2, 5)
