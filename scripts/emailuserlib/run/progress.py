"""What the operator sees while sending: the progress line, and the waits.

The progress line (``[3/40] Alice: sent, about 2 min left``) follows each
recipient the run treats; a wait counts down in place on a terminal, and is a
plain line once a minute in a log. Before, the check of the names
(:class:`CheckProgress`) says how many there are and, when it may take long,
how long, and follows the check the same way.
"""

from __future__ import annotations

import math
import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence

import pywikibot

from ..core.accounts import Recipient, Status, with_detail
from ..core.words import duration, estimate_seconds, plural

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


#: What one lookup request of a batch of names may take, before one is measured: on
#: purpose more than a wiki usually needs (0.1 to 0.5 s), so that the time said up
#: front is one to wait for at most.
LOOKUP_SECONDS = 1.0
#: A check that may take longer than this is given a time before it starts.
LONG_CHECK = 60.0
#: On a terminal, the line changes at most this often (seconds).
REDRAW = 0.25


class CheckProgress:
    """What the operator sees of the check of the names, and what it knew when stopped.

    :meth:`begin` says how many names will be checked and, when that may take
    more than about a minute, about how long; then a line follows the check: on
    a terminal it changes in place, in a log it is a plain line once a minute.
    A check stopped by Ctrl-C or a signal hands the recipients it knew by then
    to :meth:`stopped`, the names not checked yet ``pending``: they are
    :attr:`known`.
    """

    def __init__(
        self,
        stream=None,
        clock: Callable[[], float] = time.monotonic,
        say: Callable[[str], None] = pywikibot.info,
    ) -> None:
        self.stream = stream or sys.stderr
        self.clock = clock
        self.say = say
        #: The recipients as the check knew them when it was stopped; None until then.
        self.known: list[Recipient] | None = None
        self.active = False
        self.started = 0.0
        self._drawn = False
        self._last = -math.inf
        self._said = -math.inf
        self._looked = self._names = self._lookups = 0
        self._announced = False

    def begin(self, names: int, batch: int) -> None:
        """Say how many *names* will be checked, *batch* a request, and how long at most."""
        requests = math.ceil(names / batch) if batch else 0
        sentence = f'Checking {names:,} {"name" if names == 1 else "names"}'
        if requests > 1:
            sentence += f', {batch:,} a request'
        if requests * LOOKUP_SECONDS > LONG_CHECK:
            sentence += f': this may take up to about {duration(requests * LOOKUP_SECONDS)}'
        if names:
            self.say(sentence + '.')
        self.active = True
        self.started = self.clock()
        self._names = names

    def step(self, stage: str, done: int, total: int, expected: int = 0) -> None:
        """Where the check is: *stage* ``users`` (*done* of *total* names looked up, a
        batch a request), ``log`` (*done* pages of the rename log read) or ``renames``
        (*done* of *total* names without an account asked of the rename log one by
        one, of about *expected* in all)."""
        if not self.active:
            return
        now = self.clock()
        where = ''
        if stage == 'users':
            self._looked, self._names = done, total
            self._lookups += 1
        elif stage == 'log':
            where = f"; the wiki's rename log, {plural(done, 'page')} read"
        else:
            if not self._announced:
                self._announce_renames(max(expected, total), now)
            where = f'; {done:,} of {total:,} names without an account asked of the rename log'
        line = f'Checking names: {self._looked:,} of {self._names:,} looked up{where}'
        if 0 < self._looked < self._names:
            left = (now - self.started) / self._looked * (self._names - self._looked)
            line += f', about {duration(left)} left'
        self._show(line, now)

    def _announce_renames(self, names: int, now: float) -> None:
        """The rename log is longer than the names to ask about: say what asking costs."""
        self._announced = True
        per_request = (now - self.started) / self._lookups if self._lookups else LOOKUP_SECONDS
        seconds = names * per_request
        if seconds > LONG_CHECK:
            self._clear()
            self.say(
                f"The wiki's rename log is longer than the list: about {names:,} names without "
                f'an account are asked about one by one, about {duration(seconds)} more.'
            )

    def _show(self, line: str, now: float) -> None:
        if self.stream.isatty():
            if now - self._last >= REDRAW:
                self.stream.write(f'\r{line}\x1b[K')
                self.stream.flush()
                self._drawn, self._last = True, now
        elif now - self._said >= 60 and now - self.started >= 60:
            self.say(line)
            self._said = now

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write('\r\x1b[K')
            self.stream.flush()
            self._drawn = False

    def end(self) -> None:
        """The check is over (or stopped): the line goes."""
        self._clear()
        self.active = False

    def stopped(self, recipients: list[Recipient]) -> None:
        """The check was stopped: *recipients* is what it knew, the others pending."""
        self.known = list(recipients)
