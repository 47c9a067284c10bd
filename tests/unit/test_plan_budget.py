"""plan.budget: the rate limits that apply and the budget that keeps to them, counted from
the journal: with an injected clock, no wiki and no sleeps."""

from __future__ import annotations

import pytest

from emailuserlib.options.settings import RateLimit
from emailuserlib.options.table import parse_ratelimit
from emailuserlib.plan import budget
from emailuserlib.plan.budget import Budget, applicable_limits, budget_for


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


def test_the_budget_reads_the_journal_once_however_full_the_window():
    now = [0.0]
    reads = []

    def sends_since(since, across_family):
        reads.append(since)
        return []

    limit = RateLimit(20_000, 3600)
    b = Budget([limit], sends_since, lambda: now[0])
    for _ in range(10_000):
        assert b.wait() == 0
        b.spend()
        now[0] += 0.01
    assert len(reads) == 1
    assert b.used(limit) == 10_000
    # The window moves on: the sends leave it, and one more fits at once.
    now[0] += 3600
    assert b.used(limit) == 0 and b.wait() == 0


def test_the_budget_waits_for_the_oldest_send_of_a_full_window():
    now = [1000.0]
    limit = RateLimit(3, 100)
    b = Budget([limit], lambda since, _: [950.0], lambda: now[0])
    b.spend()
    now[0] = 1010.0
    b.spend()
    assert b.blocking() is limit
    assert b.wait() == pytest.approx(950 + 100 - 1010 + 0.5)
    now[0] = 1051.0
    assert b.wait() == 0
