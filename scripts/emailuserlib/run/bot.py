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

import contextlib
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from itertools import islice

import pywikibot
from pywikibot import config
from pywikibot.bot import BaseBot
from pywikibot.logging import exception

from ..core import sentences
from ..core.accounts import Recipient, Status
from ..core.errors import (
    EXIT_PENDING,
    EmailUserError,
    Interrupted,
    JournalError,
    NotSent,
    RateLimited,
    SenderRefused,
)
from ..core.words import duration, moment, name_list, plural
from ..journal.store import JOURNAL_STATE, TALK_STATE, Journal, State
from ..options.settings import Fallback, Resend
from ..plan.campaign import Campaign
from ..recipients.optout import apply_massmessage_optout, optout_names
from ..report.files import report_header, report_rows, save_report
from ..report.status import DEFERRED, DONE, FAILED, STOPPED, exit_status
from ..wiki import logpage, talk
from ..wiki.post import Outcome, Sender
from ..wiki.site import UNREACHABLE
from .interrupts import Interrupts
from .progress import ProgressLine, throttle_wait
from .waits import RunWaits

#: Answers that leave the mail uncertain, in a row, that stop the run.
UNCERTAIN_IN_A_ROW = 3
#: How often, at least, the opt-out lists and emailability are read again while sending.
REFRESH_SECONDS = 300
#: How old, at most, the wiki's word that a name is its account's may be at the send.
CONFIRM_SECONDS = 60
DECLINED = 'declined by the operator'
UNCONFIRMED = 'the wiki did not confirm that the name is still this account; a rerun looks again'


#: The end lines' and the status file's count of talk page posts made by earlier runs.
ALREADY_POSTED = 'already-posted'


@dataclass(frozen=True)
class Stop:
    """Why sending stopped: the sentence to say, and the outcome (see :mod:`..report.status`)."""

    sentence: str
    #: ``deferred`` (a limit or -max left recipients for a later run), ``stopped``
    #: (a signal, the wiki away ...), ``failed`` (something must be fixed) or ``done``.
    outcome: str = STOPPED
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
        #: -alsotalk: the talk page posts' outcomes, counted once the run is over.
        self.talk_counter: Counter = Counter()
        #: Who this run reached, by where they are: (name, channels, when), for -logpage:.
        self.reached: dict[int, tuple[str, tuple[str, ...], float]] = {}
        self.declined = 0
        self.uncertain_in_a_row = 0
        self.started = self.refreshed = time.monotonic()
        self.waited = False  # the run waited since the opt-out lists were read
        #: When the wiki last said that each recipient's name is its account's, by place.
        self.confirmed: dict[int, float] = {}
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
                    f'A real run would stop here, after {plural(self.emails, "email")}, as '
                    f'-max:{most} asks; a rerun would go on with the others.',
                    DONE,
                    planned=True,
                )
                return True
            self.stop(
                f'Stopped after {plural(self.emails, "email")} as -max:{most} asks: run the '
                'same command again to go on.',
                DEFERRED,
                planned=True,
            )
            return True
        return self.past_deadline()

    def treat(self, recipient: Recipient) -> None:
        """Ask (unless -always), then email *recipient* once, or post on the talk page;
        with -alsotalk, the talk page post after the email, or the one still due."""
        at = self.at
        self.progress_line.step()
        try:
            if recipient.status == Status.EMAILABLE:
                if self.user_confirm(f'Email {recipient.name}?'):
                    self.email(at)
                else:
                    self.declined += 1
                    self.settle(at, Status.PENDING, DECLINED, record=False)
            elif self.settings.alsotalk:
                self.also_post(at)  # cannot be emailed, or was emailed by an earlier run
            else:
                self.post(at)
        except JournalError as e:
            self.stop(str(e), FAILED)
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
            talk_left = self.campaign.talk_due(r)
            if at not in self.settled:
                if r.status not in self.campaign.delivers:
                    # Settled by the plan (not-emailable, no-such-user, already-sent ...):
                    # whatever stopped the run, a rerun would not deliver to them either.
                    self.settle(at, r.status, r.detail, record=False)
                elif r.status == Status.NOT_EMAILABLE and self.settings.alsotalk:
                    self.settle(at, r.status, r.detail, record=False)  # the post is left
                else:
                    left = 'talk page post not made yet' if r.status == Status.NOT_EMAILABLE else ''
                    self.settle(at, Status.PENDING, left, record=False)
            if talk_left:
                self.current[at] = replace(self.current[at], talk=Status.PENDING, talkdetail='')
        self.talk_counter = Counter(
            ALREADY_POSTED if self._posted_earlier(at) else r.talk
            for at, r in enumerate(self.current)
            if r.talk is not None
        )
        self.write_report()
        self.write_log()
        uncertain = [r.name for r in self.current if r.status == Status.UNCERTAIN]
        unproved = [r.name for r in self.current if r.talk == Status.UNCERTAIN]
        if unproved:
            many = len(unproved) > 1
            pywikibot.warning(
                f'{len(unproved)} talk page post{"s are" if many else " is"} uncertain: the '
                'section may or may not have been saved, and is not posted again by itself '
                f'({name_list(unproved)}): look at {"those pages" if many else "the page"}; to '
                'post again on purpose, add -resend:uncertain.'
            )
        if uncertain:
            many = len(uncertain) > 1
            pywikibot.warning(
                f'{len(uncertain)} recipient{"s are" if many else " is"} uncertain: the wiki '
                'may or may not have sent them the message, and it keeps no record to ask '
                f'({name_list(uncertain)}). To send to them again on purpose, add '
                '-resend:uncertain.'
            )
        if self.journal is not None:
            self._end_resend()
            self.journal.close()
        # Each recipient is counted by its outcome; Pywikibot's generic counts repeat them.
        for generic in ('read', 'skip'):
            self.counter.pop(generic, None)
        remaining = self._left()
        if self.interrupts.received is not None and (remaining > 0 or self.interrupts.cut):
            self.stop(sentences.stopped(self.interrupts.received), STOPPED, planned=True)
        if self.stop_reason:
            say = pywikibot.info if self.stop_reason.planned else pywikibot.error
            say(self.stop_reason.sentence)
        elif remaining > 0:
            pywikibot.warning(
                f'{remaining} recipient{"s were" if remaining > 1 else " was"} not reached '
                'yet: run the same command again to go on.'
            )

    def _end_resend(self) -> None:
        """-resend: once it reached everyone it was to reach here, a later -resend is a new
        one; until then, rerunning the same command goes on with it, and tries again
        whom it failed to reach."""
        if not self.records or self.settings.resend != Resend.ALL or self._left() > 0:
            return
        if self.stop_reason is not None and self.stop_reason.outcome != DONE:
            return
        if self.counter[Status.FAILED] or self.talk_counter[Status.FAILED]:
            return
        # Not ended, a later -resend goes on with this one: it emails nobody twice.
        with contextlib.suppress(JournalError):
            self.journal.end_resend()

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
        if self.talk_counter:
            said = ', '.join(f'{n} {s}' for s, n in sorted(self.talk_counter.items()))
            pywikibot.info(f'Talk pages: {said}')
        pywikibot.info(f'Execution time: {duration(time.monotonic() - self.started)}')
        error = sys.exc_info()[0]
        if error is not None and not issubclass(error, (KeyboardInterrupt, Interrupted)):
            pywikibot.info('Script terminated by exception:\n')
            exception(exc_info=False)
        elif self.outcome() == DONE:
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
        if record and status in (Status.SENT, Status.POSTED):
            self.reached_by(at, 'email' if status == Status.SENT else 'talk page')
        if error:
            raise error

    def settle_talk(self, at: int, status: Status, detail: str = '', record: bool = True) -> None:
        """-alsotalk: set the outcome of the talk page post to the recipient at *at* and
        write it to the journal, on its own beside the email's.

        If the journal cannot take it, the post is uncertain (the journal still says
        ``sending``) and the error stops the run.
        """
        recipient = self.current[at]
        error = None
        state = TALK_STATE.get(status) if record else None
        if state is not None and self.records:
            try:
                self.journal.record_talk(recipient, state, detail)
            except JournalError as e:
                status, detail, error = Status.UNCERTAIN, 'the journal could not record it', e
        self.current[at] = replace(recipient, talk=status, talkdetail=detail)
        if record and status == Status.POSTED:
            self.reached_by(at, 'talk page')
        if error:
            raise error

    def _posted_earlier(self, at: int) -> bool:
        """Whether the talk page post to the recipient at *at* was made by an earlier run."""
        made_now = 'talk page' in self.reached.get(at, ('', ()))[1]
        return self.current[at].talk == Status.POSTED and not made_now

    def reached_by(self, at: int, channel: str) -> None:
        """Note that this run reached the recipient at *at* by *channel*, for -logpage:."""
        _, channels, when = self.reached.get(at, (self.current[at].name, (), time.time()))
        self.reached[at] = (self.current[at].name, (*channels, channel), when)

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
            if self.deadline_before_next_email():
                return
            stop = self.waits.before_email(name, self.emails, self._left_to_email)
            if stop:  # the account's limit, as the plan said
                self.stop(stop, DEFERRED, planned=True)
                return
            if self.past_deadline():  # -wait waited up to it
                return
            if not config.simulate:  # a dry run waits for nothing
                self.waited |= throttle_wait(self.site, f'emailing {name}')
                if self.past_deadline():  # the put throttle waited up to it
                    return
            if not self._still_wanted(at):
                return
            confirmed = self._confirm(at)
            if not confirmed or self.current[at].status != Status.EMAILABLE:
                # Opted out or gone meanwhile, said as such; else the name is unsure.
                if self._still_wanted(at):
                    self.settle(at, Status.PENDING, UNCONFIRMED, record=False)
                    self.progress_line.show(at, self.emails)
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
                    self.stop(stop, STOPPED if self.interrupts.received else DEFERRED, planned=True)
                    return
                continue  # waited: ask the wiki again
            except SenderRefused as e:
                self.stop(str(e), STOPPED if e.status == EXIT_PENDING else FAILED)
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
            if not (refused and self._fallback_only):
                self.settle(at, outcome.status, outcome.detail, final=refused and final)
            elif self.records:
                # The wiki proved nothing went out: so the journal says, whether or not
                # the post that answers it is made.
                self.journal.record(
                    recipient,
                    JOURNAL_STATE[outcome.status],
                    outcome.status,
                    outcome.detail,
                    final=final,
                )
                self.sending = None
            else:
                self.sending = None
        return outcome

    @property
    def _fallback_only(self) -> bool:
        """-fallback:talk without -alsotalk: a refused email is answered by a post, as one."""
        return self.settings.fallback == Fallback.TALK and not self.settings.alsotalk

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

    def _confirm(self, at: int) -> bool:
        """Whether the name the POST uses belongs to the account the plan meant, as the
        wiki said at most :data:`CONFIRM_SECONDS` ago.

        The send goes by name: renamed after the last check, with someone else
        registered under the freed name, the name would reach a stranger, with
        this recipient's values. The names of the next recipients this run will
        reach within the window are asked in the same request. A name that is no
        longer its account's is looked up again by the account's id (a refresh),
        which gives its new name.
        """
        resolver = self.campaign.resolver
        recipient = self.current[at]
        if config.simulate or resolver is None or recipient.userid is None:
            return True
        now = time.monotonic()
        if now - self.confirmed.get(at, -CONFIRM_SECONDS) < CONFIRM_SECONDS:
            return True
        elapsed = now - self.started
        pace = max(float(config.put_throttle), elapsed / self.emails if self.emails else 0.0)
        ahead = int(CONFIRM_SECONDS / pace) if pace > 0 else resolver.batch
        later = (
            i
            for i in range(at + 1, len(self.current))
            if i not in self.settled and self.current[i].status == Status.EMAILABLE
        )
        wanted = [at, *islice(later, max(min(ahead, resolver.batch) - 1, 0))]
        owners = resolver.owners([self.current[i].name for i in wanted])
        for i in wanted:
            if self._owns(self.current[i], owners.get(self.current[i].name)):
                self.confirmed[i] = now
        if at in self.confirmed and self.confirmed[at] == now:
            return True
        before = recipient.name
        self.waited = True  # due now: who has the account's id, under which name
        self.refresh()
        recipient = self.current[at]
        if self.stop_reason or recipient.name == before:
            return False
        pywikibot.info(f'{before} was renamed to {recipient.name} before the send.')
        self.confirmed[at] = time.monotonic()  # the wiki gave this name for the account's id
        return True  # the caller looks at what the refresh says of them too (an opt-out)

    @staticmethod
    def _owns(recipient: Recipient, owner: tuple[int, str] | None) -> bool:
        if owner is None or owner[0] != recipient.userid:
            return False
        return not (owner[1] and recipient.registered and owner[1] != recipient.registered)

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
        if self.settings.alsotalk and outcome.status != Status.NO_SUCH_USER:
            self.also_post(at)
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
        # Those still to email, and with -alsotalk those emailed earlier whose post is due.
        left = [
            at
            for at, r in enumerate(self.current)
            if at not in self.settled
            and (r.status in (Status.EMAILABLE, Status.NOT_EMAILABLE) or self.campaign.talk_due(r))
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
                STOPPED if e.status == EXIT_PENDING else FAILED,
            )
            return
        self.refreshed, self.waited, self.waits.waited = time.monotonic(), False, False
        gone, opted = [], []
        for at, old, new in zip(left, before, now):
            if old.status not in (Status.EMAILABLE, Status.NOT_EMAILABLE):
                # Emailed earlier: the email stays as it was; an opt-out forbids the post.
                self.current[at] = replace(old, name=new.name)
                if new.status == Status.OPTED_OUT:
                    self.current[at] = replace(
                        self.current[at], talk=Status.OPTED_OUT, talkdetail=new.detail
                    )
                    gone.append(new.name)
                continue
            self.current[at] = new
            if new.status != old.status:
                gone.append(new.name)
                if new.status == Status.OPTED_OUT:
                    opted.append(new)
        if opted and self.records:
            # For the campaign's runs on other wikis, which leave them out too.
            try:
                self.journal.note_optouts(opted)
            except JournalError as e:
                self.stop(str(e), FAILED)
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
        if recipient.status == Status.NOT_EMAILABLE and self.settings.alsotalk:
            self.also_post(at)
            return False
        if recipient.status == Status.NOT_EMAILABLE and self.settings.fallback == Fallback.TALK:
            self.post(at)
            return False
        self._leave(at)
        return False

    def post(self, at: int) -> None:
        """-fallback:talk: the message as a new section of the user's talk page."""
        if self.past_deadline():
            return
        self.refresh()
        recipient = self.current[at]
        if recipient.status == Status.OPTED_OUT or self.stop_reason:
            if not self.stop_reason:
                self._leave(at)
            return
        if not self._post_to_account(at):
            return
        recipient = self.current[at]
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
            if self.records:  # the talk page's own column too: -alsotalk never posts again
                self.journal.record_talk(recipient, 'sending')
            outcome = talk.post(
                self.site, recipient.name, subject, body, self.campaign.account.name
            )
            self.settle(at, outcome.status, outcome.detail, final=outcome.status == Status.POSTED)
            state = TALK_STATE.get(outcome.status)
            if state is not None and self.records:
                self.journal.record_talk(self.current[at], state, outcome.detail)
        self.progress_line.show(at, self.emails)

    def _post_to_account(self, at: int) -> bool:
        """Whether the talk page of the recipient at *at* is still theirs to post on: their
        name confirmed as for an email (renamed, the post goes to the new name), and
        neither opted out nor gone meanwhile. Else they are settled, the post left."""
        if not self._confirm(at):
            if at not in self.settled:
                self.settle(at, Status.PENDING, UNCONFIRMED, record=False)
                self.progress_line.show(at, self.emails)
            return False
        if self.current[at].status in (Status.OPTED_OUT, Status.NO_SUCH_USER):
            self._leave(at)
            return False
        return True

    def _leave(self, at: int, show: bool = True) -> None:
        """Settle the recipient at *at* as they are now, unless settled (with nothing to
        record: no delivery was made); with *show*, their progress line."""
        if at not in self.settled:
            recipient = self.current[at]
            self.settle(at, recipient.status, recipient.detail, record=False)
        if show:
            self.progress_line.show(at, self.emails)

    def also_post(self, at: int) -> None:
        """-alsotalk: the message as a new section of the user's talk page, once.

        After the email (whatever the wiki answered), or alone for one who cannot
        be emailed or whose email an earlier run sent. The post is journaled on
        its own: ``sending`` before the edit, its outcome after it.
        """
        recipient = self.current[at]
        stopping = self.interrupts.received is not None  # after the email in flight
        if stopping or self.past_deadline() or (self.stop_reason and not self.stop_reason.planned):
            self._leave(at, show=False)
            return  # left for a later run (teardown says it is pending)
        if recipient.talk is None:
            self.refresh()
            recipient = self.current[at]
        if self.stop_reason and not self.stop_reason.planned:
            return
        due = recipient.status != Status.OPTED_OUT and recipient.talk is None
        if due and not self._post_to_account(at):
            return
        recipient = self.current[at]
        if recipient.status == Status.OPTED_OUT or recipient.talk is not None:
            self._leave(at)  # opted out, or posted by an earlier run
            return
        page = pywikibot.Page(self.site, recipient.name, ns=3)
        why = talk.refusal(page)
        if why:
            self.settle_talk(at, Status.LEFT_OUT, why, record=False)
        elif self.user_confirm(
            f'Post the message on {page.title()}'
            + (' too?' if recipient.status in (Status.SENT, Status.ALREADY_SENT) else '?')
        ):
            subject, body = self.campaign.email_for(recipient)
            with self.interrupts.protect(recipient.name):
                if self.records:
                    self.journal.record_talk(recipient, 'sending')
                outcome = talk.post(
                    self.site, recipient.name, subject, body, self.campaign.account.name
                )
                self.settle_talk(at, outcome.status, outcome.detail)
        self._leave(at)

    # Stopping and after -------------------------------------------------------

    def stop(self, sentence: str, outcome: str = STOPPED, planned: bool = False) -> None:
        """Stop before the next recipient; teardown reports *sentence*.

        *outcome* is ``deferred``, ``stopped``, ``failed`` or ``done`` (see
        :mod:`..report.status`); a *planned* stop is said as information.
        """
        if self.stop_reason is None or self.stop_reason.planned:
            self.stop_reason = Stop(sentence, outcome, planned)

    def past_deadline(self) -> bool:
        """-deadline: stop (done) once it has passed; whether it has."""
        deadline = self.settings.deadline
        if deadline is None or time.time() < deadline.timestamp():
            return False
        if not self.stop_reason or self.stop_reason.planned:
            self.stop(sentences.deadline_passed(moment(deadline)), DONE, planned=True)
        return True

    def deadline_before_next_email(self) -> bool:
        """Stop (done) when the limits let the next email go only after -deadline:."""
        deadline = self.settings.deadline
        if deadline is None or config.simulate:
            return self.past_deadline()
        wait = self.budget.wait()
        if wait <= 0 or time.time() + wait < deadline.timestamp():
            return self.past_deadline()
        left = self._left_to_email()
        self.stop(
            sentences.limit_past_deadline(duration(wait), moment(deadline), left),
            DONE,
            planned=True,
        )
        return True

    def write_report(self) -> None:
        """Write -report:FILE from each recipient's settled outcome."""
        report = self.settings.report
        if report:
            settings = self.settings
            columns = (settings.editors, settings.alsotalk, bool(settings.inactive))
            save_report(report, report_rows(self.current, *columns), report_header(*columns))

    def outcome(self) -> str:
        """``done``, ``deferred`` (a limit or -max left recipients for a later run),
        ``stopped`` (a signal, the wiki away ...) or ``failed`` (something is wrong: a
        failed or uncertain delivery, the journal ...).

        A failed or uncertain recipient outweighs a deferral, so that a scheduler hears
        of it during the campaign, not only at its end.
        """
        stop = self.stop_reason
        if stop and stop.outcome in (STOPPED, FAILED):
            return stop.outcome
        talk = self.talk_counter
        if self.counter[Status.FAILED] or self.counter[Status.UNCERTAIN]:
            return FAILED
        if talk[Status.FAILED] or talk[Status.UNCERTAIN]:
            return FAILED
        if stop:
            return stop.outcome
        if self._left() > 0:
            return STOPPED
        return DONE

    def _left(self) -> int:
        """How many deliveries a stop left for a later run: emails and talk page posts.

        Recipients the operator answered "no" for were not left behind by a stop.
        """
        return self.counter[Status.PENDING] - self.declined + self.talk_counter[Status.PENDING]

    def write_log(self) -> None:
        """-logpage: append who this run reached; a failure is said, and changes nothing else."""
        title = self.settings.logpage
        if not title or not self.reached or config.simulate:
            return
        reached = [self.reached[at] for at in sorted(self.reached)]
        try:
            problem = logpage.append(self.site, title, reached, self.campaign.journal.name)
        except UNREACHABLE as e:
            problem = f'the wiki cannot be reached ({e})'
        if problem:
            pywikibot.warning(f'Who this run reached was not added to {title}: {problem}.')
        else:
            pywikibot.info(f'Who this run reached ({len(reached)}) was added to {title}.')

    def exit_status(self) -> int:
        """0 when done, 1 when something is wrong, 75 when stopped with recipients left,
        and -deferredexit: (75 unless given) when deferred by a limit or -max."""
        return exit_status(self.outcome(), self.settings.deferredexit)

    def next_at(self) -> float | None:
        """When the next email can go, for a deferred or stopped run; None otherwise."""
        if self.outcome() not in (DEFERRED, STOPPED):
            return None
        return time.time() + (self.budget.wait() if self.budget is not None else 0.0)
