"""The bot that sends: one question and one POST per recipient, one counter per outcome."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterable

import pywikibot
from pywikibot import config
from pywikibot.bot import ConfigParserBot

from . import delivery
from .delivery import RateLimited, SenderRefused, WikiUnreachable
from .message import Message, MessageError, text_from_file, text_from_option, text_from_wikitext
from .plan import format_plan
from .preflight import Account, PreflightError, check_account, duration
from .recipients import EMAILABLE, Recipient, Resolver, optout_names

#: Exit statuses, for operators and cron jobs.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_PENDING = 75  # EX_TEMPFAIL: stopped with recipients left; rerun later

PENDING = 'pending'
DECLINED = 'declined'


class StopRun(Exception):
    """Why sending stopped; the text says what to do next."""

    def __init__(self, sentence: str, status: int = EXIT_PENDING) -> None:
        super().__init__(sentence)
        self.status = status


class EmailUserBot(ConfigParserBot):
    """Emails each recipient once through the wiki's "Email this user".

    Options, also read from the ``[emailuser]`` section of ``scripts.ini``:
    ``subject``, ``text``, ``textfile``, ``textpage``, ``ccme``, ``max``,
    ``wait``, ``optout`` (titles separated by ``|``) and ``always``.
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
    }

    def __init__(self, site=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.site = site or pywikibot.Site()
        self.treat_page_type = Recipient
        self.generator: list[Recipient] = []
        self.queue: list[Recipient] = []
        self.message: Message | None = None
        self.account: Account | None = None
        self.recipients: list[Recipient] = []
        self.stop_reason: StopRun | None = None
        self.position = 0

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

    def resolve_pages(self, pages: Iterable) -> list[Recipient]:
        """Check every recipient the generator leads to, in batches."""
        resolver = Resolver(self.site, optout_names(self.site, self.optout_titles()))
        return self.set_recipients(resolver.from_pages(pages))

    def resolve_names(self, names: Iterable[str]) -> list[Recipient]:
        resolver = Resolver(self.site, optout_names(self.site, self.optout_titles()))
        return self.set_recipients(resolver.from_names(names))

    def set_recipients(self, recipients: list[Recipient]) -> list[Recipient]:
        self.recipients = recipients
        self.queue = [r for r in recipients if r.status == EMAILABLE]
        self.generator = self._queue()
        for r in recipients:
            if r.status != EMAILABLE:
                self.counter[r.status] += 1
        return recipients

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

    @property
    def sitename(self) -> str:
        return self.site.siteinfo['sitename']

    # Sending ------------------------------------------------------------

    def _queue(self):
        """The recipients to email, until a stop condition is met."""
        for recipient in self.queue:
            sent = self.counter['sent'] + self.counter['simulated']
            if self.opt.max and sent >= self.opt.max:
                self.stop(f'Stopped after {sent} emails as -max:{self.opt.max} asks: run '
                          'the same command again to go on.')
            if self.stop_reason:
                return
            yield recipient

    def treat(self, recipient: Recipient) -> None:
        """Ask (unless -always), then email *recipient* once."""
        self.position += 1
        if not self.user_confirm(f'Email {recipient.name}?'):
            self.counter[DECLINED] += 1
            recipient.status, recipient.detail = DECLINED, 'declined by the operator'
            return
        subject, body = self.message.for_user(recipient.name, self.sitename)
        while True:
            try:
                outcome = delivery.send(self.site, recipient.name, subject, body,
                                        ccme=self.opt.ccme, account=self.account.name)
            except RateLimited:
                if not self.opt.wait:
                    self.stop(self._ratelimit_sentence())
                    return
                self._wait_for_ratelimit(recipient)
                continue
            except SenderRefused as e:
                self.stop(str(e), EXIT_ERROR)
                return
            except WikiUnreachable as e:
                recipient.status, recipient.detail = 'uncertain', str(e)
                self.stop(f'The wiki did not answer ({e}); the email to {recipient.name} '
                          'may or may not have been sent: run again when the wiki is back.')
                return
            break
        recipient.status, recipient.detail = outcome.status, outcome.detail
        self.counter[outcome.status] += 1
        detail = f' ({outcome.detail})' if outcome.detail else ''
        pywikibot.info(f'[{self.position}/{len(self.queue)}] {recipient.name}: '
                       f'{outcome.status}{detail}')

    def stop(self, sentence: str, status: int = EXIT_PENDING) -> None:
        """Stop before the next recipient; teardown reports *sentence*."""
        self.stop_reason = StopRun(sentence, status)

    def _remaining(self) -> int:
        return sum(1 for r in self.queue if r.status == EMAILABLE)

    def _ratelimit_sentence(self) -> str:
        sent = self.counter['sent']
        remaining = self._remaining()
        limit = self.account.ratelimit
        when = (
            f'the wiki allows {limit.describe()}, so run the same command again within '
            f'{duration(limit.seconds)}'
            if limit
            else 'run the same command again later'
        )
        return (
            f"Stopped at the wiki's email rate limit after {sent} emails in this run, "
            f'with {remaining} still to send: {when}, or add -wait to wait for it.'
        )

    def _wait_for_ratelimit(self, recipient: Recipient) -> None:
        limit = self.account.ratelimit
        pause = max(60.0, limit.seconds / limit.hits) if limit else 60.0
        deadline = time.monotonic() + pause
        while (left := deadline - time.monotonic()) > 0:
            pywikibot.info(
                f'Rate limit reached: trying {recipient.name} again in {duration(left)}.'
            )
            time.sleep(min(60.0, left))

    def teardown(self) -> None:
        """Say why the run stopped, before Pywikibot's statistics."""
        remaining = self._remaining()
        if remaining:
            self.counter[PENDING] = remaining
        if self.stop_reason:
            pywikibot.error(str(self.stop_reason))
        elif remaining:
            pywikibot.warning(
                f'{remaining} recipients were not emailed yet: run the same command again to go on.'
            )

    def run_campaign(
        self, pages: Iterable | None = None, names: Iterable[str] | None = None
    ) -> int:
        """Preflight, resolve, show the plan, send; return the exit status."""
        try:
            self.build_message()
            self.account = check_account(self.site)
        except (MessageError, PreflightError, ValueError) as e:
            pywikibot.error(str(e))
            return EXIT_ERROR
        try:
            if names is not None:
                self.resolve_names(names)
            else:
                self.resolve_pages(pages)
        except ValueError as e:
            pywikibot.error(str(e))
            return EXIT_ERROR
        self.show_plan()
        if not self.queue:
            pywikibot.info('Nobody to email.')
            return EXIT_OK
        if not self.opt.always and not sys.stdin.isatty():
            pywikibot.error(
                'Standard input is not a terminal, so nobody can answer the '
                'questions: add -always to send without asking.'
            )
            return EXIT_ERROR
        self.run()
        return self.exit_status()

    def exit_status(self) -> int:
        """0 when done, 1 when something is wrong, 75 when recipients are left."""
        if self.stop_reason and self.stop_reason.status != EXIT_PENDING:
            return self.stop_reason.status
        if self.counter['failed']:
            return EXIT_ERROR
        if self._remaining():
            return EXIT_PENDING
        return EXIT_OK


def email_users(site, names: Iterable[str], subject: str, text: str, **options) -> Counter:
    """Email each of *names* once, as the script does, and return the outcome counts.

    *options* are the bot's options (``always`` defaults to True here); the
    counter's keys are outcomes such as ``sent``, ``not-emailable`` or ``pending``.
    """
    options.setdefault('always', True)
    bot = EmailUserBot(site=site, subject=subject, text=text, **options)
    bot.run_campaign(names=names)
    return bot.counter
