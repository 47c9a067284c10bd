"""The bot that delivers: one question and one POST per recipient, each outcome settled once.

The bot is given a built :class:`~..plan.campaign.Campaign`, the journal it
records in and the account's budget; its items are the campaign's recipients.
:meth:`EmailUserBot.skip_page` decides who is not delivered to now,
:meth:`~EmailUserBot.treat` delivers (an email, or with -fallback:talk a talk
page post), :meth:`~EmailUserBot.refresh` reads the opt-out lists and
emailability again when due (after every wait, at least every
:data:`REFRESH_SECONDS`), and :meth:`~EmailUserBot.settle` is the one place
where an outcome is set on the run's view of the recipient, written to the
journal and counted, so that the four never disagree. The campaign itself is
never changed: what the run learns lives in the bot.

What is not delivery lives beside it: the waits for the limits in
:class:`.waits.RunWaits`, the progress line in :class:`.progress.ProgressLine`,
the signals in :class:`.interrupts.Interrupts`, and the report's writing in
:func:`..report.files.save_report`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace

import pywikibot
from pywikibot import config
from pywikibot.bot import BaseBot
from pywikibot.logging import exception

from ..core import sentences
from ..core.accounts import Recipient, Status
from ..core.errors import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PENDING,
    EmailUserError,
    Interrupted,
    JournalError,
    NotSent,
    RateLimited,
    SenderRefused,
)
from ..core.words import duration, name_list
from ..journal.store import JOURNAL_STATE, Journal, State
from ..options.settings import Fallback
from ..plan.campaign import Campaign
from ..recipients.optout import apply_massmessage_optout, optout_names
from ..report.files import report_header, report_rows, save_report
from ..wiki import talk
from ..wiki.post import Outcome, Sender
from ..wiki.site import UNREACHABLE
from .interrupts import Interrupts
from .progress import ProgressLine, throttle_wait
from .waits import RunWaits

#: Answers that leave the mail uncertain, in a row, that stop the run.
UNCERTAIN_IN_A_ROW = 3
#: How often, at least, the opt-out lists and emailability are read again while sending.
REFRESH_SECONDS = 300
DECLINED = 'declined by the operator'


@dataclass(frozen=True)
class Stop:
    """Why sending stopped: the sentence to say, and the exit status."""

    sentence: str
    status: int = EXIT_PENDING
    #: A stop the plan foresaw or the operator asked for (-max, the account's limit, a
    #: signal): said as information, not as an error.
    planned: bool = False


class EmailUserBot(BaseBot):
    """Delivers a campaign: each recipient at most once, each outcome journaled.

    :param campaign: what to send, to whom, as whom
    :param journal: the journal the run records in; None records nothing
        (-simulate, which records nothing anyway)
    :param budget: the account's :class:`~..plan.budget.Budget`, as the plan read it
    """

    available_options = {'always': False}

    def __init__(
        self,
        campaign: Campaign,
        journal: Journal | None,
        budget,
        interrupts: Interrupts | None = None,
        **kwargs,
    ) -> None:
        super().__init__(always=campaign.settings.always, **kwargs)
        self.campaign = campaign
        self.settings = campaign.settings
        self.site = campaign.site
        self.journal = journal
        #: Whether this run writes its deliveries to the journal (not with -simulate).
        self.records = journal is not None and not config.simulate
        self.budget = budget
        self.sender = Sender(
            campaign.site, campaign.account.name, self.settings.ccme, relogin=self.site._relogin
        )
        #: The run's view of each recipient: what the campaign said, then what the run did.
        self.current: list[Recipient] = list(campaign.recipients)
        self.treat_page_type = Recipient
        self.generator = self._turns()
        self.at = -1  # where in the campaign the recipient being treated is
        #: The run's stops; the script's own, or one the bot installs for its run.
        self.interrupts = interrupts or Interrupts()
        self._own_interrupts = False
        #: Where the delivery is whose ``sending`` the journal holds, and how ('' or
        #: ``talk``), until its outcome is settled.
        self.sending: tuple[int, str] | None = None
        self.stop_reason: Stop | None = None
        self.settled: set[int] = set()  # where the recipients settle() has seen are
        self.emails = 0  # emails sent (or simulated) in this run
        self.declined = 0
        self.uncertain_in_a_row = 0
        self.started = self.refreshed = time.monotonic()
        self.waited = False  # the run waited since the opt-out lists were read
        simulate = bool(config.simulate)
        # The progress line counts what this process delivers, and the time it takes:
        # a real run stops at the account's limit unless it waits for it (-wait), and a
        # simulation waits for nothing.
        most = self.settings.max or 0
        room = budget.room() if not (self.settings.wait or simulate) else None
        if room is not None:
            most = min(most, room) if most else room
        self.progress_line = ProgressLine(
            self.current,
            campaign.deliverable,
            most,
            budget if self.settings.wait and not simulate else None,
            put_throttle=0.0 if simulate else None,
        )
        self.waits = RunWaits(
            budget, list(campaign.limits), self.settings.wait, bool(config.simulate)
        )

    def _turns(self):
        for at in range(len(self.current)):
            self.at = at
            yield self.current[at]

    # Pywikibot's hooks --------------------------------------------------

    def setup(self) -> None:
        """From now on, a signal finishes the delivery in flight before it stops the run."""
        self._own_interrupts = self.interrupts.install()
        self.started = self.refreshed = time.monotonic()

    def skip_page(self, recipient: Recipient) -> bool:
        """Skip who was settled before the run, and everyone once the run must stop."""
        if not self.campaign.deliverable(recipient):
            self.settle(self.at, recipient.status, recipient.detail, record=False)
            return True
        if self.stop_reason:
            return True
        most = self.settings.max
        if most and self.emails >= most and recipient.status == Status.EMAILABLE:
            if config.simulate:
                # The simulation went through: what a real run does is information.
                self.stop(
                    f'A real run would stop here, after {self.emails} emails, as '
                    f'-max:{most} asks; a rerun would go on with the others.',
                    EXIT_OK,
                    planned=True,
                )
                return True
            self.stop(
                f'Stopped after {self.emails} emails as -max:{most} asks: run the '
                'same command again to go on.',
                planned=True,
            )
            return True
        return False

    def treat(self, recipient: Recipient) -> None:
        """Ask (unless -always), then email *recipient* once, or post on the talk page."""
        at = self.at
        self.progress_line.step()
        try:
            if recipient.status == Status.NOT_EMAILABLE:
                self.post(at)
            elif self.user_confirm(f'Email {recipient.name}?'):
                self.email(at)
            else:
                self.declined += 1
                self.settle(at, Status.PENDING, DECLINED, record=False)
        except JournalError as e:
            self.stop(str(e), EXIT_ERROR)
        except UNREACHABLE as e:
            self.stop(sentences.wiki_unreachable(self.site, e))
        self.interrupts.check()

    def teardown(self) -> None:
        """Settle who is left, write the report, and say why the run stopped."""
        # A stop from now on is ignored: the report and these lines are written whole.
        self.interrupts.end()
        if self.sending is not None and self.sending[0] not in self.settled:
            # A stop cut the delivery short: the journal says ``sending``, and so does
            # what the operator reads.
            at, how = self.sending
            what = 'posting on the talk page' if how == 'talk' else 'emailing'
            self.settle(
                at,
                Status.UNCERTAIN,
                f'the run was stopped while {what} this user: it may or may not have gone out',
                record=False,
            )
        for at, r in enumerate(self.current):
            if at in self.settled:
                continue
            if not self.campaign.deliverable(r):
                # Settled by the plan (not-emailable, no-such-user, already-sent ...):
                # whatever stopped the run, a rerun would not deliver to them either.
                self.settle(at, r.status, r.detail, record=False)
                continue
            left = 'talk page post not made yet' if r.status == Status.NOT_EMAILABLE else ''
            self.settle(at, Status.PENDING, left, record=False)
        self.write_report()
        uncertain = [r.name for r in self.current if r.status == Status.UNCERTAIN]
        if uncertain:
            many = len(uncertain) > 1
            pywikibot.warning(
                f'{len(uncertain)} recipient{"s are" if many else " is"} uncertain: the wiki '
                'may or may not have sent them the message, and it keeps no record to ask '
                f'({name_list(uncertain)}). To send to them again on purpose, add '
                '-resend:uncertain.'
            )
        if self.journal is not None:
            self.journal.close()
        # Each recipient is counted by its outcome; Pywikibot's generic counts repeat them.
        for generic in ('read', 'skip'):
            self.counter.pop(generic, None)
        remaining = self.counter[Status.PENDING] - self.declined
        if self.interrupts.received is not None and (remaining > 0 or self.interrupts.cut):
            self.stop(sentences.stopped(self.interrupts.received), planned=True)
        if self.stop_reason:
            say = pywikibot.info if self.stop_reason.planned else pywikibot.error
            say(self.stop_reason.sentence)
        elif remaining > 0:
            pywikibot.warning(
                f'{remaining} recipient{"s were" if remaining > 1 else " was"} not reached '
                'yet: run the same command again to go on.'
            )

    def exit(self) -> None:
        """Teardown, then only the end lines that are true of this run.

        Pywikibot's own ending says ``Script terminated successfully.`` after a
        stop too, divides the run's time by each status's count as if each
        outcome took that long (``No-such-user operation time``), and leaves
        ``Execution time:`` empty for a run shorter than a second.
        """
        self.teardown()
        pywikibot.stopme()
        pywikibot.info()
        for status, count in self.counter.items():
            if count:
                pywikibot.info(f'{count} {status} operation{"s" if count > 1 else ""}')
        pywikibot.info(f'Execution time: {duration(time.monotonic() - self.started)}')
        error = sys.exc_info()[0]
        if error is not None and not issubclass(error, (KeyboardInterrupt, Interrupted)):
            pywikibot.info('Script terminated by exception:\n')
            exception(exc_info=False)
        elif self.exit_status() == EXIT_OK:
            pywikibot.info('Script terminated successfully.')
        if self._own_interrupts:
            self.interrupts.restore()

    # Outcomes -------------------------------------------------------------

    def settle(
        self, at: int, status: Status, detail: str = '', final: bool = False, record: bool = True
    ) -> None:
        """Set the outcome of the recipient at *at*, write it to the journal and count it:
        the one place.

        *record* is False for outcomes that the journal holds already or that
        are not deliveries (found before the run, declined, left for later).
        If the journal cannot take a delivery's outcome, the recipient is
        uncertain (the journal still says ``sending``) and the error stops the run.
        """
        recipient = self.current[at]
        error = None
        if self.sending is not None and self.sending[0] == at:
            self.sending = None
        state = JOURNAL_STATE.get(status) if record else None
        if state is not None and self.records:
            try:
                self.journal.record(recipient, state, status, detail, final=final)
            except JournalError as e:
                status, detail, error = Status.UNCERTAIN, 'the journal could not record it', e
        self.current[at] = replace(recipient, status=status, detail=detail)
        self.settled.add(at)
        self.counter[status] += 1
        if error:
            raise error

    def begin(self, recipient: Recipient, how: str = '') -> None:
        """Commit ``sending`` before the POST: if the run dies now, it is uncertain."""
        if self.records:
            self.journal.record(recipient, State.SENDING, '', how)
        self.sending = (self.at, how)

    def undo_begin(self, recipient: Recipient) -> None:
        """The wiki proved it sent nothing: back to ``planned``."""
        if self.records:
            self.journal.record(recipient, State.PLANNED)
        self.sending = None

    # Delivery -------------------------------------------------------------

    def email(self, at: int) -> None:
        """Email the recipient at *at* once the limits allow it, and settle what the wiki
        answers."""
        while True:
            name = self.current[at].name
            stop = self.waits.before_email(name, self.emails, self._left_to_email)
            if stop:  # the account's limit, as the plan said
                self.stop(stop, planned=True)
                return
            if not config.simulate:  # a dry run waits for nothing
                self.waited |= throttle_wait(self.site, f'emailing {name}')
            if not self._still_wanted(at):
                return
            try:
                outcome = self._send(at)
            except RateLimited:
                stop = self.waits.rate_limited(
                    name,
                    self.emails,
                    self._left_to_email,
                    stopping=self.interrupts.received is not None,
                )
                if stop:
                    self.stop(stop, planned=True)
                    return
                continue  # waited: ask the wiki again
            except SenderRefused as e:
                self.stop(str(e), e.status)
                return
            except NotSent as e:
                self.stop(
                    f'The wiki could not be asked to email {name} ({e}); nothing '
                    'was sent to them: run the same command again when the wiki is back.'
                )
                return
            self._after(at, outcome)
            return

    def _send(self, at: int) -> Outcome:
        """The one POST for the recipient at *at*, between ``sending`` and its outcome in
        the journal.

        A refusal that -fallback:talk answers is left unsettled for the post.

        :raises RateLimited, NotSent, SenderRefused: nothing was sent (the journal says
            ``planned`` again)
        """
        recipient = self.current[at]
        subject, body = self.campaign.email_for(recipient)
        self.sender.ready()
        with self.interrupts.protect(recipient.name):
            self.begin(recipient)
            try:
                outcome = self.sender.send(recipient.name, subject, body)
                final = True
                if outcome.status == Status.NO_SUCH_USER and recipient.userid is not None:
                    outcome, final = self._renamed_meanwhile(at, outcome)
            except (RateLimited, NotSent, SenderRefused):
                self.undo_begin(self.current[at])
                raise
            refused = outcome.status in (Status.NOT_EMAILABLE, Status.NO_SUCH_USER)
            if not (refused and self.settings.fallback == Fallback.TALK):
                self.settle(at, outcome.status, outcome.detail, final=refused and final)
        return outcome

    def _renamed_meanwhile(self, at: int, outcome: Outcome) -> tuple[Outcome, bool]:
        """The wiki knows no account by the recipient's name: renamed since the check?

        The wiki looks the name up before it sends, so nothing was sent. The
        opt-out lists are read again and the accounts asked by user id (a
        refresh); an account under a new name, still taking email and not opted
        out under it, is sent the one mail under that name. Otherwise the outcome
        is returned not final (the bool), so that a rerun finds the account anew.
        """
        if self.campaign.resolver is None or config.simulate:
            return outcome, False
        before = self.current[at].name
        self.waited = True  # due now: the lists may name the account by its new name
        self.refresh()
        if self.stop_reason:  # the lists cannot be read: nobody more is known to be safe
            self.current[at] = replace(self.current[at], status=Status.NO_SUCH_USER)
        recipient = self.current[at]
        if recipient.status == Status.EMAILABLE and recipient.name != before:
            pywikibot.info(f'{before} was renamed to {recipient.name} during the run.')
            subject, body = self.campaign.email_for(recipient)
            again = self.sender.send(recipient.name, subject, body)
            return again, again.status != Status.NO_SUCH_USER
        if recipient.status in (Status.EMAILABLE, Status.NO_SUCH_USER):
            detail = 'the wiki found no account of this name at the send; a rerun looks again'
            return Outcome(Status.NO_SUCH_USER, detail), False
        if recipient.status not in JOURNAL_STATE:  # opted out meanwhile: no delivery to record
            self.undo_begin(recipient)
        return Outcome(recipient.status, recipient.detail), False

    def _left_to_email(self) -> int:
        return sum(1 for r in self.current if r.status == Status.EMAILABLE)

    def _after(self, at: int, outcome: Outcome) -> None:
        if outcome.status in (Status.SENT, Status.SIMULATED):
            self.emails += 1
            self.uncertain_in_a_row = 0
            self.budget.spend()
        elif outcome.status == Status.UNCERTAIN:
            self.uncertain_in_a_row += 1
            if self.uncertain_in_a_row >= UNCERTAIN_IN_A_ROW:
                self.stop(
                    f'The last {UNCERTAIN_IN_A_ROW} emails got no clear answer from the wiki '
                    f'(the last one: {outcome.detail}), so it cannot send mail now: those '
                    'recipients are uncertain. Find out what is wrong, then run the same '
                    'command again.'
                )
        if at not in self.settled:  # refused: the talk page instead
            self.current[at] = replace(self.current[at], detail=outcome.detail)
            self.post(at)
            return
        self.progress_line.show(at, self.emails)

    def refresh(self) -> None:
        """Read the opt-out lists again and ask who still takes email, when it is due.

        Due after every wait (a limit, -wait, a long put throttle) and every
        :data:`REFRESH_SECONDS` of sending, so that who opted out meanwhile is
        never emailed.
        """
        resolver = self.campaign.resolver
        waited = self.waited or self.waits.waited  # for the put throttle, or for a limit
        due = waited or time.monotonic() - self.refreshed >= REFRESH_SECONDS
        if not due or resolver is None:
            return
        left = [
            at
            for at, r in enumerate(self.current)
            if at not in self.settled and r.status in (Status.EMAILABLE, Status.NOT_EMAILABLE)
        ]
        titles = self.settings.optout
        try:
            optout = optout_names(self.site, titles) if titles else ()
            before = [self.current[at] for at in left]
            changed = resolver.recheck(before, optout)
            now = [changed.get(i, r) for i, r in enumerate(before)]
            if not self.settings.ignoremassoptout:  # MassMessage's category is an opt-out list
                now = apply_massmessage_optout(self.site, now, resolver)
        except EmailUserError as e:
            # A list deleted or made a redirect loop, the rename log unreadable: nobody
            # more is known to be safe to email.
            self.stop(
                f'The opt-out lists cannot be read again, so nobody more is emailed: {e}',
                e.status,
            )
            return
        self.refreshed, self.waited, self.waits.waited = time.monotonic(), False, False
        gone = []
        for at, old, new in zip(left, before, now):
            self.current[at] = new
            if new.status != old.status:
                gone.append(new.name)
        if gone:
            self.progress_line.recount()
            pywikibot.info(
                f'Opt-outs read again: {len(gone)} of those still to reach no longer take '
                f'this message ({name_list(gone)}).'
            )

    def _still_wanted(self, at: int) -> bool:
        """Refresh when due; settle the recipient at *at* when it no longer takes this
        email."""
        self.refresh()
        if self.stop_reason:
            return False
        recipient = self.current[at]
        if recipient.status == Status.EMAILABLE:
            return True
        if recipient.status == Status.NOT_EMAILABLE and self.settings.fallback == Fallback.TALK:
            self.post(at)
            return False
        self.settle(at, recipient.status, recipient.detail, record=False)
        self.progress_line.show(at, self.emails)
        return False

    def post(self, at: int) -> None:
        """-fallback:talk: the message as a new section of the user's talk page."""
        self.refresh()
        recipient = self.current[at]
        if recipient.status == Status.OPTED_OUT or self.stop_reason:
            if not self.stop_reason:
                self.settle(at, recipient.status, recipient.detail, record=False)
                self.progress_line.show(at, self.emails)
            return
        page = pywikibot.Page(self.site, recipient.name, ns=3)
        why = talk.refusal(page)
        if why:
            detail = '; '.join(filter(None, [recipient.detail, why]))
            self.settle(at, Status.NOT_EMAILABLE, detail, record=False)
            self.progress_line.show(at, self.emails)
            return
        if not self.user_confirm(f'Post the message on {page.title()}?'):
            self.declined += 1
            self.settle(at, Status.PENDING, DECLINED, record=False)
            return
        subject, body = self.campaign.email_for(recipient)
        with self.interrupts.protect(recipient.name):
            self.begin(recipient, 'talk')
            outcome = talk.post(
                self.site, recipient.name, subject, body, self.campaign.account.name
            )
            self.settle(at, outcome.status, outcome.detail, final=outcome.status == Status.POSTED)
        self.progress_line.show(at, self.emails)

    # Stopping and after -------------------------------------------------------

    def stop(self, sentence: str, status: int = EXIT_PENDING, planned: bool = False) -> None:
        """Stop before the next recipient; teardown reports *sentence*."""
        if self.stop_reason is None or self.stop_reason.planned:
            self.stop_reason = Stop(sentence, status, planned)

    def write_report(self) -> None:
        """Write -report:FILE from each recipient's settled outcome."""
        report = self.settings.report
        if report:
            editors = self.settings.editors
            save_report(report, report_rows(self.current, editors), report_header(editors))

    def exit_status(self) -> int:
        """0 when done, 1 when something is wrong, 75 when recipients are left."""
        if self.stop_reason:
            return self.stop_reason.status
        if self.counter[Status.FAILED] or self.counter[Status.UNCERTAIN]:
            return EXIT_ERROR
        # Recipients the operator answered "no" for were not left behind by a stop.
        if self.counter[Status.PENDING] > self.declined:
            return EXIT_PENDING
        return EXIT_OK
