"""What the plan says of -deadline: before it, and when the limits cannot reach everyone."""

from __future__ import annotations

from datetime import datetime, timezone

from emailuserlib.options.settings import RateLimit
from emailuserlib.plan.show import deadline_lines

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc).timestamp()
DEADLINE = datetime(2026, 12, 4, tzinfo=timezone.utc)  # -deadline:2026-12-03
DAY = RateLimit(20, 86400, "Wikimedia's limit per account, on all its wikis")


def test_the_deadline_is_said_and_nothing_more_when_everyone_fits():
    lines = deadline_lines(DEADLINE, 30, [(DAY, 0)], 0, NOW)
    assert lines == [
        (
            'info',
            '  Deadline: the end of 2026-12-03 (UTC), in 2 days 12 h: nothing is sent after it '
            '(-deadline:).',
        )
    ]


def test_a_warning_when_the_limit_cannot_reach_everyone_in_time():
    # 5 left in today's window, then two more whole days of 20 each.
    kind, line = deadline_lines(DEADLINE, 100, [(DAY, 15)], 0, NOW)[1]
    assert kind == 'warning'
    assert line.startswith(
        "The account's email limits let at most 45 of the 100 users be emailed before the deadline"
    )


def test_the_put_throttle_counts_too():
    lines = deadline_lines(DEADLINE, 100_000, [], 10, NOW)
    assert 'at most 21,601 of the 100,000 users' in lines[1][1]
