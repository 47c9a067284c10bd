"""-inactive:DAYS decided in-process: who is active, who is not, and what they are told."""

from __future__ import annotations

from datetime import datetime, timezone

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.recipients.inactive import Activity, apply_inactive, newest

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_the_newest_edit_or_logged_action_counts_but_not_the_own_account_creation():
    query = {
        'usercontribs': [{'timestamp': '2020-01-01T00:00:00Z'}],
        'logevents': [
            {
                'type': 'newusers',
                'ns': 2,
                'title': 'User:Olga',
                'timestamp': '2026-11-30T00:00:00Z',
            },
            {
                'type': 'newusers',
                'ns': 2,
                'title': 'User:Olga',
                'timestamp': '2026-11-29T00:00:00Z',
            },
            {'type': 'block', 'ns': 2, 'title': 'User:Vandal', 'timestamp': '2021-03-01T00:00:00Z'},
        ],
    }
    assert newest('Olga', query) == Activity(at('2021-03-01'), 'a logged action (block)')
    # Creating someone else's account is an action of theirs.
    query['logevents'].insert(
        0, {'type': 'newusers', 'ns': 2, 'title': 'User:New', 'timestamp': '2026-11-30T00:00:00Z'}
    )
    assert newest('Olga', query).when == at('2026-11-30')
    assert newest('Nobody', {}) == Activity()


def recipients():
    return [
        Recipient('Active', Status.EMAILABLE, userid=1, registered='2015-01-01T00:00:00Z'),
        Recipient('Idle', Status.EMAILABLE, userid=2, registered='2015-01-01T00:00:00Z'),
        Recipient('Never', Status.EMAILABLE, userid=3, registered='2016-06-01T00:00:00Z'),
        Recipient('New', Status.EMAILABLE, userid=4, registered='2026-11-20T00:00:00Z'),
        Recipient('Quiet', Status.NOT_EMAILABLE, userid=5, registered='2015-01-01T00:00:00Z'),
        Recipient('Old', Status.EMAILABLE, userid=6),
    ]


ACTIVITY = {
    'Active': Activity(at('2026-11-01'), 'an edit'),
    'Idle': Activity(at('2024-02-03'), 'a logged action (delete)'),
    'Quiet': Activity(at('2019-01-01'), 'an edit'),
}


def test_only_candidates_are_asked_and_the_active_are_left_out_with_their_last_activity():
    asked = []

    def ask(site, name):
        asked.append(name)
        return ACTIVITY.get(name, Activity())

    found, search = apply_inactive(
        None, recipients(), 365, lambda r: r.status == Status.EMAILABLE, NOW, ask
    )
    by_name = {r.name: r for r in found}
    assert asked == ['Active', 'Idle', 'Never', 'New', 'Old']  # one request each, in order
    assert search.requests == 5 and search.candidates == 5 and search.active == 2
    assert by_name['Active'].status == Status.LEFT_OUT
    assert by_name['Active'].detail == 'active: an edit on 2026-11-01'
    assert by_name['New'].status == Status.LEFT_OUT
    assert by_name['New'].detail == 'registered on 2026-11-20, less than 365 days ago'
    assert {n: r.values.get('lastactive') for n, r in by_name.items()} == {
        'Active': '2026-11-01',
        'Idle': '2024-02-03',
        'Never': '2016-06-01',  # no activity: the registration date
        'New': '2026-11-20',
        'Quiet': None,  # not a candidate: not asked
        'Old': 'unknown',  # an account from before the wiki kept registrations
    }
    assert [r.status for r in found if r.name in ('Idle', 'Never', 'Old')] == [Status.EMAILABLE] * 3
    assert 'Idle (last active 2024-02-03, a logged action (delete))' in search.summary()
    assert 'Never (no activity, registered 2016-06-01)' in search.summary()
    assert '3 of 5 candidates; 2 left out' in search.summary()


def test_the_day_that_begins_the_window_is_within_it():
    found, _ = apply_inactive(
        None,
        [Recipient('Edge', Status.EMAILABLE, userid=1)],
        30,
        lambda r: True,
        NOW,
        lambda site, name: Activity(at('2026-11-01'), 'an edit'),
    )
    assert found[0].status == Status.LEFT_OUT
