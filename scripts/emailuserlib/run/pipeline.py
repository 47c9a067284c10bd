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
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pywikibot
from pywikibot import config

from ..core import sentences
from ..core.accounts import Central, Recipient, Status
from ..core.errors import EXIT_OK, EXIT_PENDING, EmailUserError, Interrupted
from ..core.words import duration, moment
from ..journal.reconcile import campaign_reached, commit, journal_path, reconcile
from ..journal.reconcile import known as known_to_journal
from ..journal.store import Journal
from ..message.read import read_message
from ..options.settings import Settings
from ..options.table import check_body, from_caller
from ..plan.budget import Budget, applicable_limits, budget_for
from ..plan.build import (
    build_campaign,
    check_published,
    check_recipients,
    check_rows,
    check_test_target,
)
from ..plan.campaign import Campaign, delivers
from ..plan.show import build_plan, show_plan
from ..recipients.gather import columns, gather, narrow, user_lists
from ..report.files import check_journal_path, check_path, report_header, report_rows, save_report
from ..report.status import DEFERRED, DONE, STOPPED, RunRecord
from ..wiki.account import check_account, log_in, new_sender_warning, sender_central
from ..wiki.site import UNREACHABLE, WIKIMEDIA, family_of, wiki_identity
from ..wiki.titles import local_page
from .bot import EmailUserBot
from .check import show_check, stopped_check
from .interrupts import Interrupts
from .progress import CheckProgress
from .trial import send_test


@dataclass
class Known:
    """What a run has learnt so far, for the report and the line of a stop before it sends."""

    #: What the run is doing, as the stop's line says it: ``reading the journal``.
    doing: str = 'reading the options'
    #: The recipients as far as they are known; () until they are gathered.
    recipients: tuple[Recipient, ...] = ()


def stopped_before_sending(
    settings: Settings, known: Known, cause: str, sending: bool = True
) -> None:
    """Write the report of a run that *cause* stopped before it sent anything, and say so.

    The report lists what was known (nobody, while the recipients were still being
    found), so that no report of an earlier run is left looking current: whom the run
    would deliver to is ``pending``, the others keep the reason they were skipped for.
    *sending* is False for -check, whose rows are the check's own once it is done,
    and for -test, which writes no report and may have sent its one email.
    """
    if settings.report and not settings.test:
        wanted = delivers(settings)
        rows = [
            replace(r, status=Status.PENDING, detail='') if sending and r.status in wanted else r
            for r in known.recipients
        ]
        editors = settings.editors
        save_report(settings.report, report_rows(rows, editors), report_header(editors))
    pywikibot.info(sentences.stopped(cause, known.doing, sending=sending))


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
    known: Known | None = None,
) -> Prepared:
    """Everything before the plan: recipients, message, account, journal, limits.

    *origin* says where options came from besides the command line, for the plan;
    *known* is told what the run learns, for a stop meanwhile.

    :raises EmailUserError: something cannot be honoured; nothing was sent
    """
    known = known or Known()
    journal = None
    try:
        known.doing = 'reading the -users: files'
        lists = user_lists(site, settings)
        placeholders = columns(settings, lists)
        check_body(settings)
        known.doing = 'reading the message'
        message = read_message(site, settings, placeholders, [row.values for row in lists.rows])
        check_rows(settings, message, lists)
        known.doing = 'checking the account'
        account = check_account(site)
        check_test_target(site, settings, message, lists, account.name)
        if settings.logpage:  # a page of this wiki, before anything is sent
            local_page(site, settings.logpage, '-logpage', categories=False)
        warning = new_sender_warning(account, site.siteinfo['sitename'])
        if warning:
            pywikibot.warning(warning)
        known.doing = finding(settings)
        gathered = gather(site, settings, pages, lists, names, CheckProgress())
        known.recipients = gathered.recipients
        wiki, family = wiki_identity(site), family_of(site)
        provider = gathered.resolver.provider
        central = Central(
            provider, account.central_id(provider), account.name, gathered.resolver.locks
        )
        inactive: list[str] = []

        def narrowed(recipients):
            kept, lines = narrow(site, settings, recipients)
            inactive.extend(lines)
            return kept

        known.doing = 'reading the journal'
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
            central,
            narrowed,
        )
        known.recipients = answer.recipients
        known.doing = 'preparing the plan'
        # After -inactive:, which fills {lastactive} of those it keeps.
        check_recipients(site, settings, message, lists, answer.recipients)
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
            central,
            [*gathered.notes(), *filter(None, [answer.after]), *inactive],
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


def finding(settings: Settings) -> str:
    """What a run does while it finds its recipients, as the line of a stop says it."""
    if settings.editors:
        return 'reading the histories of the pages'
    return 'checking who can be emailed'


def deadline_passed(site, settings: Settings, record: RunRecord) -> bool:
    """Say so and return True when -deadline: has passed: the campaign sends nothing more.

    Before anything is asked of the recipients: a scheduled job that outlived its
    event stops at once, whatever else changed on the wiki since. A campaign that
    reached nobody before its deadline gets a warning (a date given wrong on its
    first run); one that did, a line of information.
    """
    deadline = settings.deadline
    if deadline is None or time.time() < deadline.timestamp():
        return False
    name = settings.campaign or settings.subject
    reached = campaign_reached(settings, wiki_identity(site), name) if name else None
    record.outcome, record.campaign = DONE, name
    record.journal = str(journal_path(settings).absolute())
    if reached:
        record.sentence = sentences.deadline_passed(moment(deadline), reached)
        pywikibot.info(record.sentence)
    else:
        record.sentence = (
            f'The deadline {moment(deadline)} given with -deadline: has passed, and this '
            'campaign reached nobody before it: nothing was sent. Check the date.'
        )
        pywikibot.warning(record.sentence)
    return True


def send(
    site,
    settings: Settings,
    pages: Iterable | None = None,
    names: Iterable[str] = (),
    origin: str = '',
    files: Iterable[str] = (),
    interrupts: Interrupts | None = None,
    record: RunRecord | None = None,
    **bot_options,
) -> EmailUserBot | int:
    """A run that sends: prepare, show the plan, ask, commit the journal, deliver.

    *files* are the -file: lists of the generators, which no output may
    overwrite; *interrupts* the script's stops (a run installs its own
    otherwise); *record* gets what the run learns, for its status file. Returns
    the bot after its run, or the exit status of a run that delivers nothing:
    -test, a stop before sending, the account's limit, a deadline that has passed.

    :raises EmailUserError: something cannot be honoured; nothing was sent
    :raises KeyboardInterrupt: a run with stops of its own was stopped before it sent
    """
    record = record if record is not None else RunRecord()
    record.simulate = bool(config.simulate)
    check_outputs(settings, files)
    check_published(settings, files)
    if deadline_passed(site, settings, record):
        return EXIT_OK
    own = interrupts is None
    if interrupts is None:
        interrupts = Interrupts()
        own = interrupts.install()
    try:
        return _send(site, settings, pages, names, origin, interrupts, own, record, bot_options)
    finally:
        if own:
            interrupts.restore()


def _send(site, settings, pages, names, origin, interrupts, own, record, bot_options):
    known = Known()
    journal = None
    try:
        prepared = prepare(site, settings, pages, names, origin, known)
        campaign, journal, budget = prepared.campaign, prepared.journal, prepared.budget
        record.campaign = campaign.journal.name
        record.journal = str(Path(campaign.journal.path).absolute())
        record.counts = Counter(r.status for r in campaign.recipients)
        simulate = bool(config.simulate)
        known.doing = 'showing the plan'
        plan = build_plan(campaign, budget, simulate, config.put_throttle)
        show_plan(plan)
        if plan.refusal:
            if not plan.planned:
                raise EmailUserError(plan.refusal, plan.status)
            if journal is not None:
                journal.close()
            return _deferred(settings, budget, plan.refusal, record)
        if not any(campaign.deliverable(r) for r in campaign.recipients):
            pywikibot.info('Nobody to email.')
        if settings.test:  # one email, to the sender: no question, no journal rows
            known.doing = 'sending the test email'
            with interrupts.protect(campaign.account.name):
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
                campaign.central,
            )
    except Interrupted as e:
        if journal is not None:
            journal.close()
        stopped_before_sending(settings, known, e.cause, sending=not settings.test)
        record.outcome = STOPPED
        if own:  # a caller of the library: a stop, as Python says it
            raise KeyboardInterrupt from None
        return EXIT_PENDING
    except BaseException:
        if journal is not None:
            journal.close()
        raise
    bot = EmailUserBot(campaign, journal, budget, interrupts, **bot_options)
    # Pywikibot passes Ctrl-C on with -v, after the bot's own end; a stop is said by then.
    with contextlib.suppress(KeyboardInterrupt, Interrupted):
        bot.run()
    record.counts = Counter(bot.counter)
    record.talk = Counter(bot.talk_counter)
    record.outcome = bot.outcome()
    record.next_at = bot.next_at()
    record.sentence = bot.stop_reason.sentence if bot.stop_reason else ''
    return bot


def _deferred(settings: Settings, budget, refusal: str, record: RunRecord) -> int:
    """The account's limit lets no email go now, as the plan said: a stop for later, not
    an error; or, past the campaign's deadline, the end of it."""
    wait = budget.wait()
    deadline = settings.deadline
    if deadline and time.time() + wait >= deadline.timestamp():
        record.sentence = sentences.limit_past_deadline(duration(wait), moment(deadline))
        pywikibot.info(record.sentence)
        record.outcome = DONE
        return EXIT_OK
    pywikibot.info(refusal)
    record.sentence, record.outcome, record.next_at = refusal, DEFERRED, time.time() + wait
    return settings.deferredexit


def check(
    site,
    settings: Settings,
    pages: Iterable | None = None,
    origin: str = '',
    files: Iterable[str] = (),
    interrupts: Interrupts | None = None,
    record: RunRecord | None = None,
) -> int:
    """-check: list who can be emailed and why not; the exit status.

    With a campaign's name (-campaign:, or -subject:), who the campaign reached
    (on this wiki, or on another of the sender's central-id domain), or saw opt
    out on another wiki, is listed so; the journal is only read. A stop (a
    signal, the output closed by ``| head``) writes the report of what was
    checked, and the exit status is 75. *record* gets the counts, for the status
    file.

    :raises EmailUserError: an input cannot be used or the login failed
    """
    record = record if record is not None else RunRecord()
    check_outputs(settings, files, journal=False)
    if origin:
        pywikibot.info(f'Checking with the {origin}.')
    if settings.after:
        pywikibot.info(
            f'-check reads no journal, so it lists everyone -after:{settings.after} would '
            'choose from; a run leaves out those that campaign did not reach.'
        )
    own = interrupts is None
    if interrupts is None:
        interrupts = Interrupts()
        own = interrupts.install()
    known = Known('logging in')
    progress = CheckProgress()
    try:
        if site.username():
            log_in(site, anonymous_hint=True)
        known.doing = 'reading the -users: files'
        lists = user_lists(site, settings)
        known.doing = finding(settings)
        gathered = gather(site, settings, pages, lists, progress=progress)
        recipients = gathered.recipients
        known.recipients = recipients
        if settings.campaign or settings.subject:
            provider = gathered.resolver.provider
            sender = sender_central(site, provider) if site.username() else None
            central = Central(provider, sender, site.username() or '')
            recipients = known_to_journal(settings, wiki_identity(site), recipients, central)
        recipients, lines = narrow(site, settings, recipients)
        known.recipients = recipients
        for line in gathered.notes() + lines:
            pywikibot.info(line.strip())
        record.counts = Counter(r.status for r in recipients)
        known.doing = 'listing who can be emailed'
        return show_check(settings, recipients, gathered.search)
    except UNREACHABLE as e:
        raise EmailUserError(sentences.wiki_unreachable(site, e), EXIT_PENDING) from None
    except (Interrupted, KeyboardInterrupt) as e:
        progress.end()
        record.outcome = STOPPED
        cause = getattr(e, 'cause', 'Ctrl-C')
        if progress.known is not None and known.doing == finding(settings):
            status = stopped_check(settings, progress.known, cause)
            if own:
                raise KeyboardInterrupt from None
            return status
        stopped_before_sending(settings, known, cause, sending=False)
        if own:
            raise KeyboardInterrupt from None
        return EXIT_PENDING
    finally:
        if own:
            interrupts.restore()


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
