"""The bot that sends: one question and one POST per recipient, each outcome settled once.

The bot is given the generator's pages (or names) and the options;
:meth:`EmailUserBot.setup` prepares the :class:`~.prepare.Campaign` (the plan,
the preview, the refusals) and its recipients become the generator. :meth:`skip_page`
decides who is not delivered to now, :meth:`treat` delivers (an email, or with
-fallback:talk a talk page post), :meth:`refresh` reads the opt-out lists and
emailability again when due (after every wait, at least every
:data:`REFRESH_SECONDS`), and :meth:`settle` is the one place where an outcome is
set on the recipient, written to the journal and counted, so that the four never
disagree.

What is not delivery lives beside it: the waits for the limits in
:class:`.budget.RunWaits`, the progress line in :class:`.progress.ProgressLine`,
and the report's writing in :func:`.report.save_report`.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterable

import pywikibot
from pywikibot import config
from pywikibot.bot import ConfigParserBot, OptionHandler
from pywikibot.logging import exception

from . import editors, fallback, options, progress, respect, sentences
from . import recipients as recipients_module
from .budget import RunWaits
from .delivery import NotSent, Outcome, RateLimited, SenderRefused
from .errors import EmailUserError
from .interrupts import Interrupts
from .journal import JournalError
from .outcomes import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PENDING,
    JOURNAL_STATE,
    State,
    Status,
)
from .plan import name_list
from .preflight import UNREACHABLE
from .prepare import Campaign, prepare
from .recipients import Recipient
from .report import save_report
from .timing import duration

#: Answers that leave the mail uncertain, in a row, that stop the run.
UNCERTAIN_IN_A_ROW = 3
#: How often, at least, the opt-out lists and emailability are read again while sending.
REFRESH_SECONDS = 300
DECLINED = 'declined by the operator'


class StopRun(Exception):
    """Why sending stopped; the text says what to do next."""

    def __init__(self, sentence: str, status: int = EXIT_PENDING, asked: bool = False) -> None:
        super().__init__(sentence)
        self.status = status
        self.asked = asked  # the operator asked for it (-max, quit): not an error


class EmailUserBot(ConfigParserBot):
    """Emails each recipient once through the wiki's "Email this user".

    Its options are those of :data:`.options.OPTIONS`, with their defaults;
    ``check`` and ``test`` are for the script's -check and -test, which go
    through :func:`.checkrun.check` and :func:`.testmail.run_test` instead of
    running the bot. *generator* gives the pages and *names* the user names to
    prepare the campaign from; *settings* says where options came from besides
    the command line (for the plan) and *files* are the -file: lists of the
    generators, which no output may overwrite.
    """

    update_options = options.defaults()

    def __init__(
        self,
        site=None,
        names: Iterable[str] | None = None,
        settings: str = '',
        files: Iterable[str] = (),
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not hasattr(self, 'generator'):
            self.generator = None  # given names, or set by setup()
        self.site = site or pywikibot.Site()
        self.treat_page_type = Recipient
        self.campaign: Campaign | None = None  # prepared by setup()
        self.names = names
        self.settings = settings
        self.files = tuple(files)
        self.sending = False  # setup() is done: the plan was shown and the run goes ahead
        self.interrupts = Interrupts()
        self.stop_reason: StopRun | None = None
        self.settled: set[int] = set()  # ids of the recipients settle() has seen
        self.emails = 0  # emails sent (or simulated) in this run
        self.declined = 0
        self.uncertain_in_a_row = 0
        self.started = time.monotonic()
        self.refreshed = time.monotonic()  # when the opt-out lists were last read
        self.waited = False  # the run waited since they were read

    def set_options(self, **kwargs) -> None:
        """Take the options given, checked by the option table.

        The script reads scripts.ini itself, strictly, and merges it with the
        command line before the bot is made (:func:`.options.load`);
        ConfigParserBot's lenient reading would take a misspelt value as another.

        :raises OptionError: a value cannot be used
        """
        OptionHandler.set_options(self, **options.check_values(kwargs))

    # Pywikibot's hooks --------------------------------------------------

    def setup(self) -> None:
        """Prepare the campaign from the pages and names: check, show the plan, ask.

        Pywikibot calls it before its own handling of the run, so that what it
        raises leaves the bot without its end-of-run lines: nothing was sent.

        :raises EmailUserError: something cannot be honoured; nothing was sent
        """
        if self.opt.test:
            raise ValueError('-test sends one email and no campaign: use testmail.run_test().')
        self.campaign = prepare(
            self.site,
            self.opt,
            pages=self.generator,
            names=self.names,
            settings=self.settings,
            files=self.files,
        )
        self.generator = iter(self.campaign.recipients)
        self.progress_line = progress.ProgressLine(
            self.campaign.recipients, self.campaign.deliverable, self.opt.max, self.campaign.budget
        )
        self.waits = RunWaits(
            self.campaign.budget, self.campaign.account.limits, self.opt.wait, config.simulate
        )
        self.interrupts.install()
        self.started = self.refreshed = time.monotonic()
        self.sending = True

    def skip_page(self, recipient: Recipient) -> bool:
        """Skip who was settled before the run, and everyone once the run must stop."""
        if not self.campaign.deliverable(recipient):
            self.settle(recipient, recipient.status, recipient.detail, record=False)
            return True
        if self.stop_reason:
            return True
        if self.opt.max and self.emails >= self.opt.max and recipient.status == Status.EMAILABLE:
            if config.simulate:
                # The simulation went through: what a real run does is information.
                self.stop(
                    f'A real run would stop here, after {self.emails} emails, as '
                    f'-max:{self.opt.max} asks; a rerun would go on with the others.',
                    EXIT_OK,
                    asked=True,
                )
                return True
            self.stop(
                f'Stopped after {self.emails} emails as -max:{self.opt.max} asks: run the '
                'same command again to go on.',
                asked=True,
            )
            return True
        return False

    def treat(self, recipient: Recipient) -> None:
        """Ask (unless -always), then email *recipient* once, or post on the talk page."""
        self.progress_line.step()
        try:
            if recipient.status == Status.NOT_EMAILABLE:
                self.post(recipient)
            elif self.user_confirm(f'Email {recipient.name}?'):
                self.email(recipient)
            else:
                self.declined += 1
                self.settle(recipient, Status.PENDING, DECLINED, record=False)
        except JournalError as e:
            self.stop(str(e), EXIT_ERROR)
        except UNREACHABLE as e:
            self.stop(sentences.wiki_unreachable(self.site, e))
        self.interrupts.check()

    def teardown(self) -> None:
        """Settle who is left, write the report, and say why the run stopped."""
        self.interrupts.restore()
        if self.campaign is None:
            return
        for r in self.campaign.recipients:
            if id(r) in self.settled:
                continue
            if not self.campaign.deliverable(r):
                # Settled by the plan (not-emailable, no-such-user, already-sent ...):
                # whatever stopped the run, a rerun would not deliver to them either.
                self.settle(r, r.status, r.detail, record=False)
                continue
            left = 'talk page post not made yet' if r.status == Status.NOT_EMAILABLE else ''
            self.settle(r, Status.PENDING, left, record=False)
        self.write_report()
        uncertain = [r.name for r in self.campaign.recipients if r.status == Status.UNCERTAIN]
        if uncertain:
            many = len(uncertain) > 1
            pywikibot.warning(
                f'{len(uncertain)} recipient{"s are" if many else " is"} uncertain: the wiki '
                'may or may not have sent them the message, and it keeps no record to ask '
                f'({name_list(uncertain)}). To send to them again on purpose, add '
                '-resend:uncertain.'
            )
        self.campaign.close()
        # Each recipient is counted by its outcome; Pywikibot's generic counts repeat them.
        for generic in ('read', 'skip'):
            self.counter.pop(generic, None)
        remaining = self.counter[Status.PENDING] - self.declined
        if self.interrupts.received is not None and remaining > 0:
            self.stop('Stopped as asked: run the same command again to go on.', asked=True)
        if self.stop_reason:
            say = pywikibot.info if self.stop_reason.asked else pywikibot.error
            say(str(self.stop_reason))
        elif remaining > 0:
            pywikibot.warning(
                f'{remaining} recipient{"s were" if remaining > 1 else " was"} not reached '
                'yet: run the same command again to go on.'
            )

    def exit(self) -> None:
        """Teardown, then only the end lines that are true of this run.

        Pywikibot's own ending prints a time per operation for every status
        (``No-such-user operation time``), an empty ``Execution time:`` for a
        short run, and ``Script terminated successfully.`` after an error too.
        """
        self.teardown()
        pywikibot.stopme()
        pywikibot.info()
        for status, count in self.counter.items():
            if count:
                pywikibot.info(f'{count} {status} operation{"s" if count > 1 else ""}')
        pywikibot.info(f'Execution time: {duration(time.monotonic() - self.started)}')
        error = sys.exc_info()[0]
        if error is not None and not issubclass(error, KeyboardInterrupt):
            pywikibot.info('Script terminated by exception:\n')
            exception(exc_info=False)
        elif self.campaign is not None and self.exit_status() == EXIT_OK:
            pywikibot.info('Script terminated successfully.')

    # Outcomes -------------------------------------------------------------

    def settle(
        self,
        recipient: Recipient,
        status: Status,
        detail: str = '',
        final: bool = False,
        record: bool = True,
    ) -> None:
        """Set *recipient*'s outcome, write it to the journal and count it: the one place.

        *record* is False for outcomes that the journal holds already or that
        are not deliveries (found before the run, declined, left for later).
        If the journal cannot take a delivery's outcome, the recipient is
        uncertain (the journal still says ``sending``) and the error stops the run.
        """
        error = None
        state = JOURNAL_STATE.get(status) if record else None
        if state is not None and self.campaign.records:
            try:
                self.campaign.journal.record(recipient, state, status, detail, final=final)
            except JournalError as e:
                status, detail, error = Status.UNCERTAIN, 'the journal could not record it', e
        recipient.status, recipient.detail = status, detail
        self.settled.add(id(recipient))
        self.counter[status] += 1
        if error:
            raise error

    def begin(self, recipient: Recipient, how: str = '') -> None:
        """Commit ``sending`` before the POST: if the run dies now, it is uncertain."""
        if self.campaign.records:
            self.campaign.journal.record(recipient, State.SENDING, '', how)

    def undo_begin(self, recipient: Recipient) -> None:
        """The wiki proved it sent nothing: back to ``planned``."""
        if self.campaign.records:
            self.campaign.journal.record(recipient, State.PLANNED)

    # Delivery -------------------------------------------------------------

    def email(self, recipient: Recipient) -> None:
        """Email *recipient* once the limits allow it, and settle what the wiki answers."""
        while True:
            stop = self.waits.before_email(recipient.name, self.emails, self._left_to_email)
            if stop:
                self.stop(stop)
                return
            if not config.simulate:  # a dry run waits for nothing
                self.waited |= progress.throttle_wait(self.site, f'emailing {recipient.name}')
            if not self._still_wanted(recipient):
                return
            try:
                outcome = self._send(recipient)
            except RateLimited:
                stop = self.waits.rate_limited(
                    recipient.name,
                    self.emails,
                    self._left_to_email,
                    stopping=self.interrupts.received is not None,
                )
                if stop:
                    self.stop(stop)
                    return
                continue  # waited: ask the wiki again
            except SenderRefused as e:
                self.stop(str(e), e.status)
                return
            except NotSent as e:
                self.stop(
                    f'The wiki could not be asked to email {recipient.name} ({e}); nothing '
                    'was sent to them: run the same command again when the wiki is back.'
                )
                return
            self._after(recipient, outcome)
            return

    def _send(self, recipient: Recipient) -> Outcome:
        """The one POST for *recipient*, between ``sending`` and its outcome in the journal.

        A refusal that -fallback:talk answers is left unsettled for the post.

        :raises RateLimited, NotSent, SenderRefused: nothing was sent (the journal says
            ``planned`` again)
        """
        campaign = self.campaign
        subject, body = campaign.email_for(recipient)
        campaign.sender.ready()
        with self.interrupts.protect(recipient.name):
            self.begin(recipient)
            try:
                outcome = campaign.sender.send(recipient.name, subject, body)
                final = True
                if outcome.status == Status.NO_SUCH_USER and recipient.userid is not None:
                    outcome, final = self._renamed_meanwhile(recipient, outcome)
            except (RateLimited, NotSent, SenderRefused):
                self.undo_begin(recipient)
                raise
            refused = outcome.status in (Status.NOT_EMAILABLE, Status.NO_SUCH_USER)
            if not (refused and self.opt.fallback == 'talk'):
                self.settle(recipient, outcome.status, outcome.detail, final=refused and final)
        return outcome

    def _renamed_meanwhile(self, recipient: Recipient, outcome: Outcome) -> tuple[Outcome, bool]:
        """The wiki knows no account by *recipient*'s name: renamed since the check?

        The wiki looks the name up before it sends, so nothing was sent. The
        opt-out lists are read again and the accounts asked by user id (a
        refresh); an account under a new name, still taking email and not opted
        out under it, is sent the one mail under that name. Otherwise the outcome
        is returned not final (the bool), so that a rerun finds the account anew.
        """
        if self.campaign.resolver is None or config.simulate:
            return outcome, False
        before = recipient.name
        self.waited = True  # due now: the lists may name the account by its new name
        self.refresh()
        if self.stop_reason:  # the lists cannot be read: nobody more is known to be safe
            recipient.status = Status.NO_SUCH_USER
        if recipient.status == Status.EMAILABLE and recipient.name != before:
            pywikibot.info(f'{before} was renamed to {recipient.name} during the run.')
            subject, body = self.campaign.email_for(recipient)
            again = self.campaign.sender.send(recipient.name, subject, body)
            return again, again.status != Status.NO_SUCH_USER
        if recipient.status in (Status.EMAILABLE, Status.NO_SUCH_USER):
            detail = 'the wiki found no account of this name at the send; a rerun looks again'
            return Outcome(Status.NO_SUCH_USER, detail), False
        if recipient.status not in JOURNAL_STATE:  # opted out meanwhile: no delivery to record
            self.undo_begin(recipient)
        return Outcome(recipient.status, recipient.detail), False

    def _left_to_email(self) -> int:
        return sum(1 for r in self.campaign.recipients if r.status == Status.EMAILABLE)

    def _after(self, recipient: Recipient, outcome: Outcome) -> None:
        if outcome.status in (Status.SENT, Status.SIMULATED):
            self.emails += 1
            self.uncertain_in_a_row = 0
            self.campaign.budget.spend()
        elif outcome.status == Status.UNCERTAIN:
            self.uncertain_in_a_row += 1
            if self.uncertain_in_a_row >= UNCERTAIN_IN_A_ROW:
                self.stop(
                    f'The last {UNCERTAIN_IN_A_ROW} emails got no clear answer from the wiki '
                    f'(the last one: {outcome.detail}), so it cannot send mail now: those '
                    'recipients are uncertain. Find out what is wrong, then run the same '
                    'command again.'
                )
        if id(recipient) not in self.settled:  # refused: the talk page instead
            recipient.detail = outcome.detail
            self.post(recipient)
            return
        self.progress_line.show(recipient, self.emails)

    def refresh(self) -> None:
        """Read the opt-out lists again and ask who still takes email, when it is due.

        Due after every wait (a limit, -wait, a long put throttle) and every
        :data:`REFRESH_SECONDS` of sending, so that who opted out meanwhile is
        never emailed.
        """
        campaign = self.campaign
        waited = self.waited or self.waits.waited  # for the put throttle, or for a limit
        due = waited or time.monotonic() - self.refreshed >= REFRESH_SECONDS
        if not due or campaign.resolver is None:
            return
        left = [
            r
            for r in campaign.recipients
            if id(r) not in self.settled and r.status in (Status.EMAILABLE, Status.NOT_EMAILABLE)
        ]
        titles = campaign.optout_titles
        try:
            optout = recipients_module.optout_names(self.site, titles) if titles else ()
            changed = campaign.resolver.recheck(left, optout)
            if not self.opt.ignoremassoptout:  # MassMessage's category is an opt-out list too
                opted = {id(r) for r in left if r.status == Status.OPTED_OUT}
                respect.apply_massmessage_optout(self.site, left, resolver=campaign.resolver)
                changed += [r for r in left if r.status == Status.OPTED_OUT and id(r) not in opted]
        except EmailUserError as e:
            # A list deleted or made a redirect loop, the rename log unreadable: nobody
            # more is known to be safe to email.
            self.stop(
                f'The opt-out lists cannot be read again, so nobody more is emailed: {e}',
                e.status,
            )
            return
        self.refreshed, self.waited, self.waits.waited = time.monotonic(), False, False
        if changed:
            self.progress_line.recount()
            pywikibot.info(
                f'Opt-outs read again: {len(changed)} of those still to reach no longer take '
                f'this message ({name_list([r.name for r in changed])}).'
            )

    def _still_wanted(self, recipient: Recipient) -> bool:
        """Refresh when due; settle *recipient* when it no longer takes this email."""
        self.refresh()
        if self.stop_reason:
            return False
        if recipient.status == Status.EMAILABLE:
            return True
        if recipient.status == Status.NOT_EMAILABLE and self.opt.fallback == 'talk':
            self.post(recipient)
            return False
        self.settle(recipient, recipient.status, recipient.detail, record=False)
        self.progress_line.show(recipient, self.emails)
        return False

    def post(self, recipient: Recipient) -> None:
        """-fallback:talk: the message as a new section of the user's talk page."""
        self.refresh()
        if recipient.status == Status.OPTED_OUT or self.stop_reason:
            if not self.stop_reason:
                self.settle(recipient, recipient.status, recipient.detail, record=False)
                self.progress_line.show(recipient, self.emails)
            return
        page = pywikibot.Page(self.site, recipient.name, ns=3)
        why = fallback.refusal(page)
        if why:
            detail = '; '.join(filter(None, [recipient.detail, why]))
            self.settle(recipient, Status.NOT_EMAILABLE, detail, record=False)
            self.progress_line.show(recipient, self.emails)
            return
        if not self.user_confirm(f'Post the message on {page.title()}?'):
            self.declined += 1
            self.settle(recipient, Status.PENDING, DECLINED, record=False)
            return
        subject, body = self.campaign.email_for(recipient)
        with self.interrupts.protect(recipient.name):
            self.begin(recipient, 'talk')
            outcome = fallback.post(
                self.site, recipient.name, subject, body, self.campaign.account.name
            )
            self.settle(
                recipient, outcome.status, outcome.detail, final=outcome.status == Status.POSTED
            )
        self.progress_line.show(recipient, self.emails)

    # Stopping -------------------------------------------------------------

    def stop(self, sentence: str, status: int = EXIT_PENDING, asked: bool = False) -> None:
        """Stop before the next recipient; teardown reports *sentence*."""
        if self.stop_reason is None or self.stop_reason.asked:
            self.stop_reason = StopRun(sentence, status, asked)

    # After the run ----------------------------------------------------------

    def write_report(self) -> None:
        """Write -report:FILE from each recipient's settled outcome."""
        if not self.opt.report:
            return
        rows = editors.report_rows(self.campaign.recipients, self.opt)
        save_report(self.opt.report, rows, editors.report_header(self.opt))

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


def email_users(site, names: Iterable[str], subject: str, text: str, **options) -> Counter:
    """Email each of *names* once, as the script does, and return the outcome counts.

    *options* are the bot's options (``always`` defaults to True here); the
    counter's keys are statuses such as ``sent``, ``not-emailable`` or ``pending``.
    The plan is printed as the script prints it.

    :raises emailuserlib.errors.EmailUserError: an option's value cannot be used
        (:class:`~.options.OptionError`) or the run cannot go on
        (:class:`~.errors.Refusal`, or the error of the input that was refused);
        nothing was sent. Its text is the sentence to show, its ``status`` the exit status.
    """
    options.setdefault('always', True)
    bot = EmailUserBot(site=site, names=list(names), subject=subject, text=text, **options)
    bot.run()
    return Counter({str(status): count for status, count in bot.counter.items()})
