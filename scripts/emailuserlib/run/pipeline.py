"""The pipeline, in the order a run goes through it: options → recipients → message →
journal → plan → run → report.

:func:`send` is a run that sends (or with -simulate would, or with -test sends
one test email); :func:`check` is ``-check``; :func:`email_users` is the same
run for a caller of the library. Each stage is one call to its package; a
refusal anywhere before the bot starts is an
:class:`~..core.errors.EmailUserError` with nothing sent and nothing written.
"""

from __future__ import annotations

import contextlib
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pywikibot
from pywikibot import config

from ..core import sentences
from ..core.accounts import Status
from ..core.errors import EXIT_PENDING, EmailUserError
from ..journal.reconcile import commit, journal_path, reconcile
from ..journal.store import Journal
from ..message.read import read_message
from ..options.settings import Settings
from ..options.table import check_body, from_caller
from ..plan.budget import Budget, applicable_limits, budget_for
from ..plan.build import build_campaign, check_recipients, check_rows
from ..plan.campaign import Campaign, delivers
from ..plan.show import build_plan, show_plan
from ..recipients.gather import columns, gather, user_lists
from ..report.files import check_journal_path, check_path
from ..wiki.account import check_account, log_in, new_sender_warning
from ..wiki.site import UNREACHABLE, WIKIMEDIA, family_of, wiki_identity
from .bot import EmailUserBot
from .check import show_check, stopped_check
from .progress import CheckProgress
from .trial import send_test


@dataclass(frozen=True)
class Prepared:
    """A campaign ready to be planned, with the journal it was read from and the budget."""

    campaign: Campaign
    #: The journal as read (locked, unless -simulate); None while it is new.
    journal: Journal | None
    budget: Budget


def check_outputs(settings: Settings, files: Iterable[str] = (), journal: bool = True) -> None:
    """Refuse an output that is an input: the report, and with *journal* the journal.

    *files* are the -file: lists of the generators.

    :raises EmailUserError: with the output, the input and what to do
    """
    inputs = [*((option, str(path)) for option, path in settings.inputs())]
    inputs += [('-file:', path) for path in files]
    if settings.report:
        check_path(settings.report, journal_path(settings), inputs)
    if journal:
        check_journal_path(journal_path(settings), inputs)


def prepare(
    site,
    settings: Settings,
    pages: Iterable | None = None,
    names: Iterable[str] = (),
    origin: str = '',
) -> Prepared:
    """Everything before the plan: recipients, message, account, journal, limits.

    *origin* says where options came from besides the command line, for the plan.

    :raises EmailUserError: something cannot be honoured; nothing was sent
    """
    journal = None
    try:
        lists = user_lists(site, settings)
        placeholders = columns(settings, lists)
        check_body(settings)
        message = read_message(site, settings, placeholders, [row.values for row in lists.rows])
        check_rows(settings, message, lists)
        account = check_account(site)
        warning = new_sender_warning(account, site.siteinfo['sitename'])
        if warning:
            pywikibot.warning(warning)
        gathered = gather(site, settings, pages, lists, names, CheckProgress())
        check_recipients(site, settings, message, lists, gathered.recipients)
        wiki, family = wiki_identity(site), family_of(site)
        answer, journal = reconcile(
            site,
            settings,
            wiki,
            gathered.recipients,
            message.subject,
            message.text,
            [c for c in message.used_columns if c in lists.columns],
            gathered.resolver,
            delivers(settings),
        )
        limits = applicable_limits(account.userinfo, family == WIKIMEDIA, settings.ratelimit)
        budget = budget_for(journal, limits, account.name, wiki, family)
        campaign = build_campaign(
            site,
            settings,
            message,
            account,
            answer,
            limits,
            wiki,
            family,
            gathered.resolver,
            gathered.search,
            origin,
        )
    except UNREACHABLE as e:
        if journal is not None:
            journal.close()
        raise EmailUserError(sentences.wiki_unreachable(site, e), EXIT_PENDING) from None
    except BaseException:
        if journal is not None:
            journal.close()
        raise
    return Prepared(campaign, journal, budget)


def send(
    site,
    settings: Settings,
    pages: Iterable | None = None,
    names: Iterable[str] = (),
    origin: str = '',
    files: Iterable[str] = (),
    **bot_options,
) -> EmailUserBot | int:
    """A run that sends: prepare, show the plan, ask, commit the journal, deliver.

    *files* are the -file: lists of the generators, which no output may
    overwrite. Returns the bot after its run, or with -test the exit status.

    :raises EmailUserError: something cannot be honoured; nothing was sent
    """
    check_outputs(settings, files)
    prepared = prepare(site, settings, pages, names, origin)
    campaign, journal, budget = prepared.campaign, prepared.journal, prepared.budget
    simulate = bool(config.simulate)
    try:
        plan = build_plan(campaign, budget, simulate, config.put_throttle)
        show_plan(plan)
        if plan.refusal:
            raise EmailUserError(plan.refusal, EXIT_PENDING)
        if not any(campaign.deliverable(r) for r in campaign.recipients):
            pywikibot.info('Nobody to email.')
        if settings.test:  # one email, to the sender: no question, no journal rows
            return send_test(campaign, journal, budget)
        emailable = any(r.status == Status.EMAILABLE for r in campaign.recipients)
        if emailable and not settings.always and not sys.stdin.isatty():
            raise EmailUserError(
                'Standard input is not a terminal, so nobody can answer the questions: add '
                '-always to send without asking.'
            )
        if not simulate:
            journal = commit(
                campaign.journal,
                journal,
                settings,
                campaign.wiki,
                campaign.account.name,
                campaign.family,
                [r for r in campaign.recipients if campaign.deliverable(r)],
            )
    except BaseException:
        if journal is not None:
            journal.close()
        raise
    bot = EmailUserBot(campaign, journal, budget, **bot_options)
    # Pywikibot passes Ctrl-C on with -v, after the bot's own end.
    with contextlib.suppress(KeyboardInterrupt):
        bot.run()
    return bot


def check(
    site,
    settings: Settings,
    pages: Iterable | None = None,
    origin: str = '',
    files: Iterable[str] = (),
) -> int:
    """-check: list who can be emailed and why not; the exit status.

    :raises EmailUserError: an input cannot be used or the login failed
    """
    check_outputs(settings, files, journal=False)
    if origin:
        pywikibot.info(f'Checking with the {origin}.')
    progress = CheckProgress()
    try:
        if site.username():
            log_in(site, anonymous_hint=True)
        lists = user_lists(site, settings)
        gathered = gather(site, settings, pages, lists, progress=progress)
    except UNREACHABLE as e:
        raise EmailUserError(sentences.wiki_unreachable(site, e), EXIT_PENDING) from None
    except KeyboardInterrupt:
        progress.end()
        return stopped_check(settings, progress.known)
    return show_check(settings, gathered.recipients, gathered.search)


def email_users(site, names: Iterable[str], subject: str, text: str, **options) -> Counter:
    """Email each of *names* once, as the script does, and return the outcome counts.

    *options* are the script's options, typed (``max=20``, ``always=True``) or
    as scripts.ini writes them (``always`` defaults to True here); the counter's
    keys are statuses such as ``sent``, ``not-emailable`` or ``pending``. The
    plan is printed as the script prints it.

    :raises EmailUserError: an option's value cannot be used
        (:class:`~..core.errors.OptionError`) or the run cannot go on; nothing
        was sent. Its text is the sentence to show, its ``status`` the exit status.
    """
    options.setdefault('always', True)
    settings, others = from_caller({'subject': subject, 'text': text, **options})
    bot = send(site, settings, names=list(names), **others)
    if isinstance(bot, int):
        return Counter()
    return Counter({str(status): count for status, count in bot.counter.items()})
