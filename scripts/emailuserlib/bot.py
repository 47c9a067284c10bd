"""The bot that sends: one question and one POST per recipient, one counter per outcome."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pywikibot
from pywikibot import config
from pywikibot.bot import ConfigParserBot
from pywikibot.exceptions import Error as PywikibotError

from . import delivery, fallback, journal, progress
from .delivery import RateLimited, SenderRefused, WikiUnreachable
from .journal import Journal, JournalError
from .message import Message, MessageError, text_from_file, text_from_option, text_from_wikitext
from .plan import format_plan, name_list
from .preflight import Account, PreflightError, check_account, duration
from .recipients import EMAILABLE, NOT_EMAILABLE, Recipient, Resolver, optout_names
from .report import write_report

#: Exit statuses, for operators and cron jobs.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_PENDING = 75  # EX_TEMPFAIL: stopped with recipients left; rerun later

PENDING = 'pending'
DECLINED = 'declined'
ALREADY_SENT = 'already-sent'
UNCERTAIN = 'uncertain'
POSTED = 'posted'


@contextlib.contextmanager
def finish_before_interrupt(name: str):
    """Let a send and its journal entry complete before Ctrl-C takes effect.

    Yields a list that holds the signal when Ctrl-C was pressed meanwhile: the
    caller records the outcome, then stops. A second Ctrl-C stops at once; that
    recipient is then uncertain.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def defer(signum, frame):
        if received:
            raise KeyboardInterrupt
        received.append(signum)
        pywikibot.info(
            f'Finishing the delivery to {name} first; press Ctrl-C again to stop '
            'at once (that recipient would then be uncertain).'
        )

    previous = signal.signal(signal.SIGINT, defer)
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)


class StopRun(Exception):
    """Why sending stopped; the text says what to do next."""

    def __init__(self, sentence: str, status: int = EXIT_PENDING) -> None:
        super().__init__(sentence)
        self.status = status


class EmailUserBot(ConfigParserBot):
    """Emails each recipient once through the wiki's "Email this user".

    Options, also read from the ``[emailuser]`` section of ``scripts.ini``:
    ``subject``, ``text``, ``textfile``, ``textpage``, ``ccme``, ``max``,
    ``wait``, ``optout`` (titles separated by ``|``), ``journal``, ``resend``
    (``uncertain`` or ``all``), ``check``, ``report``, ``fallback`` (``talk``)
    and ``always``.
    """

    update_options = {
        'subject': '',
        'text': '',
        'textfile': '',
        'textpage': '',
        'ccme': False,
        'max': 0,
        'wait': False,
        'optout': '',
        'journal': '',
        'resend': '',
        'check': False,
        'report': '',
        'fallback': '',
    }

    def __init__(self, site=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.site = site or pywikibot.Site()
        self.treat_page_type = Recipient
        self.generator = iter(())
        self.queue: list[Recipient] = []
        self.to_post: set[str] = set()
        self.message: Message | None = None
        self.account: Account | None = None
        self.recipients: list[Recipient] = []
        self.stop_reason: StopRun | None = None
        self.journal: Journal | None = None
        self.interrupted: list[int] = []
        self.position = 0
        self.emails = 0  # emails sent (or simulated) in this run
        self.started = time.monotonic()

    # Before sending -----------------------------------------------------

    def build_message(self, interactive: bool | None = None) -> Message:
        """Check the subject and body before anything else happens.

        :raises MessageError: with the sentence to show the operator
        """
        if interactive is None:
            interactive = sys.stdin.isatty()
        sources = [n for n in ('text', 'textfile', 'textpage') if self.opt[n]]
        if len(sources) > 1:
            raise MessageError(
                'Give the message body only once: use one of -text:, -textfile: and -textpage:.'
            )
        if not sources:
            raise MessageError(
                'There is no message body: give it with -text:, -textfile: or -textpage:.'
            )
        subject = self.opt.subject
        if not subject:
            if not interactive:
                raise MessageError('A subject is required: give it with -subject:TEXT.')
            subject = pywikibot.input('Subject of the email:')
        if self.opt.text:
            body = text_from_option(self.opt.text)
        elif self.opt.textfile:
            body = text_from_file(self.opt.textfile)
        else:
            page = pywikibot.Page(self.site, self.opt.textpage)
            if not page.exists():
                raise MessageError(
                    f'The page {self.opt.textpage} does not exist: check the '
                    'title given with -textpage:.'
                )
            body = text_from_wikitext(page.text)
        self.message = Message(subject, body)
        return self.message

    def optout_titles(self) -> list[str]:
        return [t.strip() for t in self.opt.optout.split('|') if t.strip()]

    def resolve(self, pages: Iterable | None = None, names: Iterable[str] | None = None):
        """Check every recipient the pages or names lead to, in batches."""
        resolver = Resolver(self.site, optout_names(self.site, self.optout_titles()))
        if names is not None:
            self.recipients = resolver.from_names(names)
        else:
            self.recipients = resolver.from_pages(pages)
        return self.recipients

    def journal_path(self) -> Path:
        if self.opt.journal:
            return Path(self.opt.journal).expanduser()
        return journal.default_path(config.base_dir)

    def attach_journal(self) -> None:
        """Open this message's campaign and apply what earlier runs did.

        With -simulate the journal is read, if it exists, but never written.
        """
        path = self.journal_path()
        simulate = bool(config.simulate)
        if simulate and not path.exists():
            return
        self.journal = Journal(path)
        self.journal.open_campaign(
            str(self.site),
            self.account.name,
            self.message.subject,
            self.message.body,
            self.opt.ccme,
            lock=not simulate,
        )
        if self.opt.resend and not simulate:
            self._resend()
        states = self.journal.states()
        for r in self.recipients:
            if r.status not in (EMAILABLE, NOT_EMAILABLE) or r.name not in states:
                continue
            state, detail, final = states[r.name]
            if state == journal.SENT:
                r.status, r.detail = ALREADY_SENT, 'emailed by an earlier run'
            elif state == journal.POSTED:
                r.status, r.detail = POSTED, 'posted on the talk page by an earlier run'
            elif state == journal.SENDING:
                r.status = UNCERTAIN
                r.detail = 'an earlier run stopped while delivering to this user'
            elif state == journal.SKIPPED and final and r.status == EMAILABLE:
                r.status, _, r.detail = detail.partition(':')

    def _resend(self) -> None:
        if self.opt.resend == 'uncertain':
            count = self.journal.resend(uncertain_only=True)
            pywikibot.info(
                f'{count} uncertain recipients will be emailed again (-resend:uncertain).'
            )
            return
        if not self.opt.always:
            if not sys.stdin.isatty():
                raise JournalError(
                    '-resend emails everyone of this campaign again: confirm it '
                    'on a terminal, or add -always.'
                )
            if not pywikibot.input_yn(
                '-resend: forget who already got this message and email everyone again?',
                default=False,
                automatic_quit=False,
            ):
                raise JournalError('Nothing was sent: -resend was not confirmed.')
        count = self.journal.resend(uncertain_only=False)
        pywikibot.info(f'Starting this campaign afresh: forgot {count} recipients (-resend).')

    def build_queue(self) -> None:
        """The recipients to deliver to in this run, in the generator's order."""
        post = self.opt.fallback == 'talk'
        self.queue = [
            r
            for r in self.recipients
            if r.status == EMAILABLE or (post and r.status == NOT_EMAILABLE)
        ]
        self.to_post = {r.name for r in self.queue if r.status == NOT_EMAILABLE}
        self.generator = self._queue()
        if self.journal is not None and not config.simulate:
            self.journal.plan(r.name for r in self.queue)

    def show_plan(self) -> None:
        for line in format_plan(
            self.recipients,
            self.account,
            self.sitename,
            config.put_throttle,
            self.opt.max,
            bool(config.simulate),
        ):
            pywikibot.info(line)
        if self.to_post:
            pywikibot.info(
                f'  {len(self.to_post)} of the users who cannot be emailed get the message on '
                'their talk page instead (-fallback:talk).'
            )

    @property
    def sitename(self) -> str:
        return self.site.siteinfo['sitename']

    # Sending ------------------------------------------------------------

    def _queue(self):
        """The recipients to deliver to, until a stop condition is met."""
        for recipient in self.queue:
            if self.opt.max and self.emails >= self.opt.max and recipient.status == EMAILABLE:
                self.stop(
                    f'Stopped after {self.emails} emails as -max:{self.opt.max} asks: run '
                    'the same command again to go on.'
                )
            if self.stop_reason:
                return
            yield recipient

    def treat(self, recipient: Recipient) -> None:
        """Ask (unless -always), then email *recipient* once, or post on the talk page."""
        self.position += 1
        if recipient.name in self.to_post:
            self._post(recipient)
        elif self.user_confirm(f'Email {recipient.name}?'):
            self._email(recipient)
        else:
            recipient.status, recipient.detail = DECLINED, 'declined by the operator'
        if self.interrupted:  # Ctrl-C during a delivery: stop now that it is recorded
            raise KeyboardInterrupt

    def _email(self, recipient: Recipient) -> None:
        subject, body = self.message.for_user(recipient.name, self.sitename)
        while True:
            progress.throttle_wait(self.site, recipient.name)
            try:
                outcome = self._send(recipient, subject, body)
            except RateLimited:
                if not self.opt.wait or self.interrupted:
                    self.stop(self._ratelimit_sentence())
                    return
                self._wait_for_ratelimit(recipient)
                continue
            except SenderRefused as e:
                self.stop(str(e), EXIT_ERROR)
                return
            except WikiUnreachable as e:
                recipient.status, recipient.detail = UNCERTAIN, str(e)
                self.stop(
                    f'The wiki did not answer ({e}); the email to {recipient.name} may or may '
                    'not have been sent: run the same command again when the wiki is back.'
                )
                return
            break
        self._progress(recipient)
        if outcome.status == NOT_EMAILABLE and self.opt.fallback == 'talk':
            self._post(recipient)

    def _progress(self, recipient: Recipient) -> None:
        detail = f' ({recipient.detail})' if recipient.detail else ''
        left = len(self.queue) - self.position
        eta = ''
        if left:
            per_send = max((time.monotonic() - self.started) / self.position, config.put_throttle)
            limit = self.account.ratelimit if self.account else None
            seconds = progress.eta_seconds(left, per_send, limit, self.emails)
            eta = f', about {duration(seconds)} left'
        pywikibot.info(
            f'[{self.position}/{len(self.queue)}] {recipient.name}: {recipient.status}{detail}{eta}'
        )

    def _record(self, name: str, state: str, detail: str = '', final: bool = False) -> None:
        if self.journal is not None and not config.simulate:
            self.journal.record(name, state, detail, final)

    def _send(self, recipient: Recipient, subject: str, body: str) -> delivery.Outcome:
        """One POST, with its journal entries committed before and after it.

        The outcome is recorded, in the journal and on *recipient*, before a
        Ctrl-C pressed meanwhile takes effect.
        """
        with finish_before_interrupt(recipient.name) as interrupted:
            self.interrupted = interrupted
            self._record(recipient.name, journal.SENDING)
            try:
                outcome = delivery.send(
                    self.site,
                    recipient.name,
                    subject,
                    body,
                    ccme=self.opt.ccme,
                    account=self.account.name,
                )
            except (RateLimited, SenderRefused):
                self._record(recipient.name, journal.PLANNED)  # the wiki sent nothing
                raise
            # WikiUnreachable leaves it 'sending': uncertain.
            recipient.status, recipient.detail = outcome.status, outcome.detail
            if outcome.status in (delivery.SENT, delivery.SIMULATED):
                self.emails += 1
                self._record(recipient.name, journal.SENT)
            elif outcome.status == delivery.FAILED:
                self._record(recipient.name, journal.FAILED, outcome.detail)
            else:  # refused for good by the recipient's settings
                self._record(
                    recipient.name,
                    journal.SKIPPED,
                    f'{outcome.status}:{outcome.detail}',
                    final=True,
                )
        return outcome

    def _post(self, recipient: Recipient) -> None:
        """-fallback:talk: the message as a new section of the user's talk page."""
        page = pywikibot.Page(self.site, recipient.name, ns=3)
        why = fallback.refusal(page)
        if why:
            recipient.detail = '; '.join(filter(None, [recipient.detail, why]))
            self.to_post.discard(recipient.name)
            self._progress(recipient)
            return
        if not self.user_confirm(f'Post the message on {page.title()}?'):
            recipient.status, recipient.detail = DECLINED, 'declined by the operator'
            return
        subject, body = self.message.for_user(recipient.name, self.sitename)
        with finish_before_interrupt(recipient.name) as interrupted:
            self.interrupted = interrupted
            self._record(recipient.name, journal.SENDING, 'talk')
            try:
                fallback.post(self.site, recipient.name, subject, body)
            except PywikibotError as e:
                self._record(recipient.name, journal.FAILED, f'talk page: {e}')
                recipient.status, recipient.detail = delivery.FAILED, f'talk page: {e}'
            else:
                self._record(recipient.name, journal.POSTED, final=True)
                recipient.status = POSTED
                recipient.detail = 'simulated' if config.simulate else page.title()
        self.to_post.discard(recipient.name)
        self._progress(recipient)

    def stop(self, sentence: str, status: int = EXIT_PENDING) -> None:
        """Stop before the next recipient; teardown reports *sentence*."""
        self.stop_reason = StopRun(sentence, status)

    def _ratelimit_sentence(self) -> str:
        remaining = sum(1 for r in self.queue if r.status == EMAILABLE)
        limit = self.account.ratelimit
        when = (
            f'the wiki allows {limit.describe()}, so run the same command again within '
            f'{duration(limit.seconds)}'
            if limit
            else 'run the same command again later'
        )
        return (
            f"Stopped at the wiki's email rate limit after {self.emails} emails in this run, "
            f'with {remaining} still to send: {when}, or add -wait to wait for it.'
        )

    def _wait_for_ratelimit(self, recipient: Recipient) -> None:
        limit = self.account.ratelimit
        pause = min(60.0, max(1.0, limit.seconds / limit.hits)) if limit else 60.0
        progress.wait_visibly(
            pause,
            lambda left: f'Rate limit reached: trying {recipient.name} again in {duration(left)}.',
        )

    # After sending ------------------------------------------------------

    def final_status(self, recipient: Recipient) -> tuple[str, str]:
        """The report status and detail of *recipient* at the end of the run."""
        if recipient.name in self.to_post:
            return PENDING, 'talk page post not made yet'
        if recipient.status == EMAILABLE:
            return (EMAILABLE, '') if self.opt.check else (PENDING, '')
        if recipient.status == DECLINED:
            return PENDING, recipient.detail
        return recipient.status, recipient.detail

    def teardown(self) -> None:
        """Say why the run stopped and count the outcomes, before Pywikibot's statistics."""
        finals = [self.final_status(r) for r in self.recipients]
        self.write_report(finals)
        for status, _ in finals:
            self.counter[status] += 1
        uncertain = [
            r.name for r, (s, _) in zip(self.recipients, finals, strict=True) if s == UNCERTAIN
        ]
        if uncertain:
            many = len(uncertain) > 1
            pywikibot.warning(
                f'{len(uncertain)} recipient{"s are" if many else " is"} uncertain, because a '
                'run stopped while delivering to them, so the message may or may not have '
                f'arrived: {name_list(uncertain)}. To send to them again on purpose, add '
                '-resend:uncertain.'
            )
        if self.journal is not None:
            self.journal.close()
            self.journal = None
        remaining = self.counter[PENDING]
        if self.stop_reason:
            pywikibot.error(str(self.stop_reason))
        elif remaining:
            pywikibot.warning(
                f'{remaining} recipient{"s were" if remaining > 1 else " was"} not reached yet: '
                'run the same command again to go on.'
            )

    def write_report(self, finals: list[tuple[str, str]]) -> None:
        """Write -report:FILE from each recipient's final (status, detail)."""
        if not self.opt.report:
            return
        rows = [(r.name, *final) for r, final in zip(self.recipients, finals, strict=True)]
        try:
            write_report(self.opt.report, rows)
        except OSError as e:
            pywikibot.error(
                f'The report {self.opt.report} could not be written ({e.strerror}): check the '
                'path given with -report:.'
            )
        else:
            pywikibot.info(f'Report with {len(rows)} rows written to {self.opt.report}.')

    def exit_status(self) -> int:
        """0 when done, 1 when something is wrong, 75 when recipients are left."""
        if self.stop_reason and self.stop_reason.status != EXIT_PENDING:
            return self.stop_reason.status
        if self.counter[delivery.FAILED] or self.counter[UNCERTAIN]:
            return EXIT_ERROR
        # Recipients the operator answered "no" for were not left behind by a stop.
        declined = sum(1 for r in self.recipients if r.status == DECLINED)
        if self.counter[PENDING] > declined:
            return EXIT_PENDING
        return EXIT_OK

    # Entry points -------------------------------------------------------

    def run_check(self, pages: Iterable | None = None, names: Iterable[str] | None = None) -> int:
        """-check: who can be emailed, one line each; reads only, sends nothing."""
        if self.site.username():
            try:
                self.site.login()
            except PywikibotError as e:
                pywikibot.error(
                    f'Logging in failed ({e}): check the user name and password in your '
                    'Pywikibot configuration, or remove the user name to check anonymously.'
                )
                return EXIT_ERROR
        try:
            self.resolve(pages, names)
        except ValueError as e:
            pywikibot.error(str(e))
            return EXIT_ERROR
        for r in self.recipients:
            detail = f' ({r.detail})' if r.detail else ''
            pywikibot.stdout(f'{r.status:<14} {r.name}{detail}')
        totals = Counter(r.status for r in self.recipients)
        pywikibot.info(
            f'{len(self.recipients)} users checked: '
            + ', '.join(f'{n} {status}' for status, n in totals.most_common())
            + '.'
        )
        self.write_report([self.final_status(r) for r in self.recipients])
        return EXIT_OK

    def run_campaign(
        self, pages: Iterable | None = None, names: Iterable[str] | None = None
    ) -> int:
        """Preflight, resolve, show the plan, send; return the exit status."""
        if self.opt.check:
            return self.run_check(pages, names)
        if self.opt.fallback not in ('', 'talk'):
            pywikibot.error(
                f'-fallback:{self.opt.fallback} is not known: use -fallback:talk to post on '
                'the talk page of users who cannot be emailed.'
            )
            return EXIT_ERROR
        try:
            self.build_message()
            self.account = check_account(self.site)
        except (MessageError, PreflightError, ValueError) as e:
            pywikibot.error(str(e))
            return EXIT_ERROR
        try:
            self.resolve(pages, names)
            self.attach_journal()
        except (ValueError, JournalError) as e:
            pywikibot.error(str(e))
            if self.journal is not None:
                self.journal.close()
            return EXIT_ERROR
        self.build_queue()
        self.show_plan()
        if not self.queue:
            pywikibot.info('Nobody to email.')
            self.teardown()
            return self.exit_status()
        if not self.opt.always and not sys.stdin.isatty():
            self.stop(
                'Standard input is not a terminal, so nobody can answer the '
                'questions: add -always to send without asking.',
                EXIT_ERROR,
            )
            self.teardown()
            return EXIT_ERROR
        self.started = time.monotonic()
        self.run()
        return self.exit_status()


def email_users(site, names: Iterable[str], subject: str, text: str, **options) -> Counter:
    """Email each of *names* once, as the script does, and return the outcome counts.

    *options* are the bot's options (``always`` defaults to True here); the
    counter's keys are outcomes such as ``sent``, ``not-emailable`` or ``pending``.
    """
    options.setdefault('always', True)
    bot = EmailUserBot(site=site, subject=subject, text=text, **options)
    bot.run_campaign(names=names)
    return bot.counter
