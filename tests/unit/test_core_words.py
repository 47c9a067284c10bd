"""core.words: durations and time estimates as the operator reads them."""

from __future__ import annotations

import pytest

from emailuserlib.core import words as timing
from emailuserlib.options.settings import RateLimit


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
