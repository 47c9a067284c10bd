"""What the operator sees while sending: the progress line, and the waits.

The progress line (``[3/40] Alice: sent, about 2 min left``) follows each
recipient the run treats; a wait counts down in place on a terminal, and is a
plain line once a minute in a log.
"""

from __future__ import annotations

import math
import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence

import pywikibot

from ..core.accounts import Status, with_detail
from ..core.words import duration, estimate_seconds

#: Waits shorter than this pass without a word (Pywikibot's own message is not shown).
LONG_WAIT = 5.0


def wait_visibly(
    seconds: float,
    message: Callable[[float], str],
    stream=None,
    sleep=time.sleep,
    clock=time.monotonic,
) -> None:
    """Sleep *seconds*, showing *message(seconds_left)* as it goes.

    On a terminal the line counts down in place every second; in a log (not a
    terminal) it is written without control characters, once a minute.
    """
    stream = stream or sys.stderr
    tty = stream.isatty()
    end = clock() + seconds
    last_line = -math.inf
    while (left := end - clock()) > 0:
        if tty:
            stream.write(f'\r{message(left)}\x1b[K')
            stream.flush()
            sleep(min(1.0, left))
        else:
            if clock() - last_line >= 60:
                pywikibot.info(message(left))
                last_line = clock()
            sleep(min(60.0, left))
    if tty:
        stream.write('\r\x1b[K')
        stream.flush()


def throttle_wait(site, doing: str) -> bool:
    """Wait out the put throttle before *doing* (``emailing Alice``), visibly when long.

    Pywikibot's throttle would wait too, in its own words ("Sleeping for 9.3
    seconds"); after this wait it has nothing left to wait for. Returns whether
    the wait was long enough to be shown.
    """
    wait = site.throttle.waittime(write=True)
    if wait >= LONG_WAIT:
        wait_visibly(wait, lambda left: f'Put throttle: {doing} in {duration(left)}.')
        return True
    if wait > 0:
        time.sleep(wait)
    return False


class ProgressLine:
    """The line after each recipient the run treats: ``[position/total] name: status``.

    The total is what this run treats: every recipient it delivers to (emails,
    and with -fallback:talk talk page posts), up to where -max stops it. Only
    emails count against -max, so the total is counted from where the run is:
    the recipients after the latest one, up to the one -max would stop at.

    :param recipients: the recipients as the run knows them now, in the order they
        are treated (the run replaces one when it learns more: :meth:`recount`)
    :param deliverable: whether the run delivers to a recipient, by its status
    :param most: -max, the most emails of this run (0: no limit)
    :param budget: the account's :class:`~..plan.budget.Budget`, for the time left
    :param put_throttle: the shortest time per send; Pywikibot's put throttle
        when not given
    """

    def __init__(
        self,
        recipients: Sequence,
        deliverable: Callable[[object], bool],
        most: int = 0,
        budget=None,
        put_throttle: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        say: Callable[[str], None] = pywikibot.info,
    ) -> None:
        self.recipients = recipients
        self.deliverable = deliverable
        self.most = most
        self.budget = budget
        self.put_throttle = put_throttle
        self.clock = clock
        self.say = say
        self.started = clock()
        self.position = 0  # recipients treated so far
        self.recount()

    def recount(self) -> None:
        """Count again who is delivered to, after statuses changed (opt-outs read again).

        Each line then costs a look-up, not a pass over the recipients.
        """
        # _before[i]: how many of the first i recipients are delivered to.
        self._before = [0]
        for r in self.recipients:
            self._before.append(self._before[-1] + bool(self.deliverable(r)))
        self._emailable = [i for i, r in enumerate(self.recipients) if r.status == Status.EMAILABLE]

    def step(self) -> None:
        """One more recipient is treated."""
        self.position += 1

    def total(self, at: int, emails: int) -> int:
        """How many recipients this run treats, the one at *at* being the one treated last.

        *emails* is how many this run has sent; with -max, the run stops at the
        emailable recipient after the ones the rest of -max allows.
        """
        end = len(self.recipients)
        if self.most:
            stop_at = bisect_right(self._emailable, at) + max(self.most - emails, 0)
            if stop_at < len(self._emailable):
                end = self._emailable[stop_at]
        return self.position + max(self._before[end] - self._before[at + 1], 0)

    def seconds_left(self, left: int) -> float:
        """How long *left* more deliveries take, at the pace so far and the limits."""
        if left <= 0:
            return 0.0
        floor = self.put_throttle
        if floor is None:
            floor = pywikibot.config.put_throttle
        per_send = max((self.clock() - self.started) / max(self.position, 1), floor)
        estimates = [estimate_seconds(left, per_send)]
        if self.budget is not None:
            estimates += [
                estimate_seconds(left, per_send, limit, self.budget.used(limit))
                for limit in self.budget.limits
            ]
        return max(estimates)

    def show(self, at: int, emails: int) -> None:
        """Say what became of the recipient at *at*, and about how long the rest takes."""
        recipient = self.recipients[at]
        total = self.total(at, emails)
        left = total - self.position
        eta = f', about {duration(self.seconds_left(left))} left' if left > 0 else ''
        status = with_detail(recipient.status, recipient.detail)
        talk = getattr(recipient, 'talk', None)
        if talk is not None:
            status += '; talk page: ' + with_detail(talk, getattr(recipient, 'talkdetail', ''))
        self.say(f'[{self.position}/{total}] {recipient.name}: {status}{eta}')
