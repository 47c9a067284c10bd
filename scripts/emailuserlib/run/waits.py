"""A run's waits for the account's email limits: wait, stop, or go on.

:class:`RunWaits` decides, before each email of a run, whether to wait for the
budget (:class:`~..plan.budget.Budget`), stop, or go on, and what to do when
the wiki answers ``ratelimited`` all the same.
"""

from __future__ import annotations

from collections.abc import Callable

import pywikibot

from ..core.words import duration, plural
from .progress import wait_visibly

#: The longest pause before asking again after the wiki's ``ratelimited``.
RETRY_AFTER_RATELIMITED = 60.0


class RunWaits:
    """A run's waits for the limits: the budget's before each email, and the wiki's own.

    Each question answers with None (go on) or the sentence to stop the run
    with. *sent* is how many emails the run has sent so far and *left* counts
    those still to email (called only when stopping).

    :param budget: the account's :class:`~..plan.budget.Budget`
    :param limits: the limits that apply, strictest first (for the wiki's own limit)
    :param wait: -wait: wait for a limit rather than stop at it
    :param simulate: a dry run, which waits for nothing and says once where a
        real run would stop or wait
    :param say: where the simulation's note goes
    :param wait_visibly: how to wait, shown to the operator (injected in tests)
    """

    def __init__(
        self,
        budget,
        limits: list,
        wait: bool,
        simulate: bool,
        say: Callable[[str], None] = pywikibot.info,
        wait_visibly: Callable = wait_visibly,
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
                    f"Stopped at the account's email limit of {limit.said()} "
                    f'after {plural(sent, "email")} in this run, with {left()} '
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
            f"Stopped at the wiki's email rate limit after {plural(sent, 'email')} in this run, "
            f'with {left} still to send: {when}, or add -wait to wait for it.'
        )

    def _note_simulated(self, sent: int) -> None:
        """Say, once, where a real run would stop or wait for the limit; wait for nothing."""
        budget = self.budget
        if self.noted or budget.wait() <= 0:
            return
        self.noted = True
        limit = budget.blocking()
        where = f"after {plural(sent, 'email')}, at the account's email limit of {limit.said()}"
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
