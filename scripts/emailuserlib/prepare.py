"""Everything before the first email: message, account, recipients, journal and plan.

:func:`prepare` returns a :class:`Campaign`, all that the bot needs to send, or
raises :class:`Refusal` with the one sentence that says what cannot be honoured
and what to do; nothing is sent before it returns. :func:`check` is ``-check``:
the same resolution of recipients, and a listing instead of a send.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pywikibot
from pywikibot import config
from pywikibot.exceptions import Error as PywikibotError

from . import budget as budgets
from . import editors, sentences
from . import journal as journals
from .delivery import Sender
from .journal import Journal, JournalError
from .message import (
    Message,
    MessageError,
    check_subject_length,
    text_from_file,
    text_from_option,
)
from .namelist import NameList, read_lists
from .outcomes import EXIT_ERROR, EXIT_OK, EXIT_PENDING, State, Status, with_detail
from .pagetext import text_from_page
from .plan import PlanFacts, format_plan, format_preview, name_list
from .preflight import UNREACHABLE, Account, PreflightError, check_account
from .recipients import Recipient, Resolver, optout_names
from .report import ReportError, check_path, write_report

#: How far back another campaign's mail to the same people makes a run ask.
OVERLAP_DAYS = 7


class Refusal(Exception):
    """The run cannot go on; the text says why and what to do."""

    def __init__(self, sentence: str, status: int = EXIT_ERROR) -> None:
        super().__init__(sentence)
        self.status = status


@dataclass
class Campaign:
    """What a run needs to send: who, what, as whom, and where it keeps state."""

    site: object
    message: Message
    account: Account
    recipients: list[Recipient]
    sender: Sender
    wiki: str = ''
    family: str = ''
    journal: Journal | None = None
    budget: budgets.Budget = field(default_factory=lambda: budgets.Budget([]))

    @property
    def sitename(self) -> str:
        return self.site.siteinfo['sitename']

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()
            self.journal = None


def wiki_identity(site) -> str:
    """The wiki as it names itself: server, script path and database id.

    Independent of how the wiki is reached (Pywikibot's family name, a proxy,
    http or https), and different for two wikis that share a family name.
    """
    info = site.siteinfo
    server = re.sub(r'^[a-z]+:', '', str(info.get('server', '')))
    return f'{server}{info.get("scriptpath", "")} {info.get("wikiid", "")}'


def read_message(
    site, opt, interactive: bool | None = None, columns: tuple[str, ...] = ()
) -> Message:
    """The subject and body, checked before anything else happens.

    *columns* are the placeholders that the -users: CSV files add.

    :raises MessageError: with the sentence to show the operator
    """
    if interactive is None:
        interactive = sys.stdin.isatty()
    sources = [n for n in ('text', 'textfile', 'textpage') if opt[n]]
    if len(sources) > 1:
        raise MessageError(
            'Give the message body only once: use one of -text:, -textfile: and -textpage:.'
        )
    if not sources:
        raise MessageError(
            'There is no message body: give it with -text:, -textfile: or -textpage:.'
        )
    subject = opt.subject
    if not subject:
        if not interactive:
            raise MessageError('A subject is required: give it with -subject:TEXT.')
        subject = pywikibot.input('Subject of the email:')
    if opt.text:
        body = text_from_option(opt.text)
    elif opt.textfile:
        body = text_from_file(opt.textfile)
    else:
        body = text_from_page(site, opt.textpage)
    return Message(subject, body, columns)


def resolve(
    site,
    opt,
    pages: Iterable | None = None,
    names: Iterable[str] | None = None,
    values: dict | None = None,
    accounts: Iterable[str] = (),
):
    """Every recipient the names, pages and accounts (-editors) lead to, checked in batches."""
    titles = [t.strip() for t in opt.optout.split('|') if t.strip()]
    resolver = Resolver(site, optout_names(site, titles), values)
    return resolver.from_names_and_pages(names or (), pages or (), accounts)


def user_lists(site, opt) -> NameList:
    """The users of the -users: files, their repeats reported.

    :raises NameListError: a file cannot be used; nothing was sent
    """
    lists = NameList()
    if opt.users:
        lists = read_lists(site, [p for p in opt.users.split('|') if p.strip()])
        for sentence in lists.duplicates:
            pywikibot.warning(sentence)
    return lists


def _refuse_missing_values(message: Message, lists: NameList, recipients=None, opt=None) -> None:
    """Refuse a used CSV column that is empty for a row, or for a user not in the files.

    An empty value would make a sentence like "your team is ." reach the user;
    the operator fixes the file or the message instead.
    """
    used = [c for c in message.used_columns if c in lists.columns]
    if not used:
        return
    which = ', '.join('{%s}' % c for c in used)  # noqa: UP031
    if recipients is None:
        problems = lists.empty_values(used)
        if problems:
            raise Refusal('\n'.join(problems))
        return
    wanted = (Status.EMAILABLE, Status.NOT_EMAILABLE) if opt.fallback else (Status.EMAILABLE,)
    missing = [r.name for r in recipients if r.status in wanted and not set(used) <= set(r.values)]
    if missing:
        are = 'recipients are' if len(missing) > 1 else 'recipient is'
        raise Refusal(
            f'{len(missing)} {are} not in the -users: files, so {which} has no value '
            f'for them ({name_list(missing, 5)}): add them to a file, or remove the placeholder.'
        )


def journal_path(opt) -> Path:
    """-journal:, or the journal among Pywikibot's data files (in config.base_dir)."""
    if opt.journal:
        return Path(opt.journal).expanduser()
    return Path(config.datafilepath(journals.DEFAULT_NAME, create=False))


def _report_path(opt) -> None:
    if opt.report:
        try:
            check_path(opt.report, journal_path(opt))
        except ReportError as e:
            raise Refusal(str(e)) from None


def _apply_journal(campaign: Campaign, opt) -> PlanFacts:
    """Open the campaign in the journal and apply what earlier runs did.

    With -simulate the journal is read, if it exists, but never written. With
    -test it is read and locked, and only the test email's send is written.
    """
    message, site = campaign.message, campaign.site
    simulate = bool(config.simulate)
    trial = bool(opt.test)
    name = opt.campaign or message.subject
    path = journal_path(opt)
    facts = PlanFacts(campaign.sitename, campaign.account.name, campaign=name, journal=str(path))
    if simulate and not path.exists():
        return facts
    journal = campaign.journal = Journal(path)
    fp = journals.fingerprint(message.subject, message.body, bool(campaign.sender.ccme))
    journal.open_campaign(
        campaign.wiki, name, fp, legacy_wiki=str(site), create=not (simulate or trial)
    )
    if not simulate:
        journal.lock()
    if opt.resend and not (simulate or trial):
        _resend(journal, opt)
    states = journal.states()
    for r in campaign.recipients:
        entry = states.get(r.name)
        if entry is None or r.status not in (Status.EMAILABLE, Status.NOT_EMAILABLE):
            continue
        if entry.state == State.SENT:
            r.status, r.detail = Status.ALREADY_SENT, 'emailed by an earlier run'
        elif entry.state == State.POSTED:
            r.status, r.detail = Status.POSTED, 'posted on the talk page by an earlier run'
        elif entry.state in (State.SENDING, State.UNCERTAIN):
            r.status = Status.UNCERTAIN
            r.detail = entry.detail or 'an earlier run stopped while delivering to this user'
        elif entry.state == State.SKIPPED and entry.final and r.status == Status.EMAILABLE:
            r.status, r.detail = Status(entry.status or Status.NOT_EMAILABLE), entry.detail
    reached = [e for e in states.values() if e.state in (State.SENT, State.POSTED)]
    facts.reached = len(reached)
    facts.reached_earlier_text = sum(1 for e in reached if e.version != journal.version)
    if not opt.campaign:
        _refuse_overlap(journal, campaign, name)
    return facts


def _refuse_overlap(journal: Journal, campaign: Campaign, name: str) -> None:
    """Refuse a new subject for people another campaign just reached, unless named."""
    to_send = [r.name for r in campaign.recipients if r.status == Status.EMAILABLE]
    since = time.time() - OVERLAP_DAYS * 86400
    others = journal.reached_elsewhere(campaign.wiki, to_send, since)
    if not others:
        return
    other, users = max(others.items(), key=lambda item: len(item[1]))
    raise Refusal(
        f'{len(users)} of these users were emailed in the last {OVERLAP_DAYS} days by the '
        f'campaign "{other}" ({name_list(users, 5)}): if this run corrects that mailing, add '
        f'-campaign:"{other}" to continue it without emailing them again; if it is a new '
        f'mailing to them on purpose, add -campaign:"{name}".'
    )


def _resend(journal: Journal, opt) -> None:
    if opt.resend == 'uncertain':
        count = journal.resend(uncertain_only=True)
        pywikibot.info(f'{count} uncertain recipients will be emailed again (-resend:uncertain).')
        return
    if not opt.always:
        if not sys.stdin.isatty():
            raise Refusal(
                '-resend emails everyone of this campaign again: confirm it on a terminal, '
                'or add -always.'
            )
        if not pywikibot.input_yn(
            '-resend: forget who already got this message and email everyone again?',
            default=False,
            automatic_quit=False,
        ):
            raise Refusal('Nothing was sent: -resend was not confirmed.')
    count = journal.resend(uncertain_only=False)
    pywikibot.info(f'The journal forgot {count} recipients of this campaign (-resend).')


def _limits(campaign: Campaign, opt) -> list[tuple]:
    manual = None
    if opt.ratelimit:
        try:
            manual = budgets.parse_ratelimit(opt.ratelimit)
        except ValueError as e:
            raise Refusal(str(e)) from None
    wikimedia = budgets.is_wikimedia(campaign.site)
    campaign.family = budgets.WIKIMEDIA if wikimedia else ''
    limits = budgets.applicable_limits(campaign.account.userinfo, wikimedia, manual)
    campaign.account.limits = limits
    journal = campaign.journal
    account, wiki, family = campaign.account.name, campaign.wiki, campaign.family

    def sends_since(since: float, across_family: bool) -> list[float]:
        # Every send on a wiki of the family carries the family: one query, no double count.
        if across_family and family:
            return journal.sends_since(since, account, family=family)
        return journal.sends_since(since, account, wiki=wiki)

    campaign.budget = budgets.Budget(limits, sends_since if journal else None)
    return [(limit, campaign.budget.used(limit)) for limit in limits]


def prepare(site, opt, pages: Iterable | None = None, names: Iterable[str] | None = None):
    """Check everything, show the plan, and return the :class:`Campaign` to send.

    :raises Refusal: something cannot be honoured; nothing was sent
    """
    if opt.fallback not in ('', 'talk'):
        raise Refusal(
            f'-fallback:{opt.fallback} is not known: use -fallback:talk to post on the talk '
            'page of users who cannot be emailed.'
        )
    _report_path(opt)
    campaign = None
    try:
        lists = user_lists(site, opt)
        editors.options(opt)
        message = read_message(site, opt, columns=lists.columns + editors.columns(opt))
        _refuse_missing_values(message, lists)
        account = check_account(site)
        names = [*(names or ()), *lists.names]
        pages, accounts, values, found = editors.gather(site, opt, pages, lists.values)
        recipients = resolve(site, opt, pages, names, values, accounts)
        wanted = (Status.EMAILABLE, Status.NOT_EMAILABLE) if opt.fallback else (Status.EMAILABLE,)
        editors.check_values(message.used_columns, recipients, wanted)
        _refuse_missing_values(message, lists, recipients, opt)
        recipients += found.left_out if found else []
        for r in recipients:
            if r.status == Status.EMAILABLE:
                subject, _ = message.for_user(r.name, site.siteinfo['sitename'], r.values)
                check_subject_length(subject, r.name)
        sender = Sender(site, account.name, ccme=opt.ccme, relogin=site._relogin)
        campaign = Campaign(site, message, account, recipients, sender, wiki_identity(site))
        facts = _apply_journal(campaign, opt)
        facts.limits = _limits(campaign, opt)
        facts.sources = [found.summary()] if found else []
    except (MessageError, PreflightError, JournalError, ValueError) as e:
        if campaign:
            campaign.close()
        raise Refusal(str(e)) from None
    except UNREACHABLE as e:
        if campaign:
            campaign.close()
        raise Refusal(sentences.wiki_unreachable(site, e), EXIT_PENDING) from None
    except BaseException:
        if campaign:
            campaign.close()
        raise
    facts.put_throttle = config.put_throttle
    facts.max_count = opt.max
    facts.simulate = bool(config.simulate)
    show_plan(campaign, facts, opt)
    deliverable = [r for r in recipients if r.status == Status.EMAILABLE]
    if not deliverable and not (
        opt.fallback and any(r.status == Status.NOT_EMAILABLE for r in recipients)
    ):
        pywikibot.info('Nobody to email.')
    if opt.test:  # -test sends one email, to the sender: no question, no journal rows
        return campaign
    if deliverable and not opt.always and not sys.stdin.isatty():
        campaign.close()
        raise Refusal(
            'Standard input is not a terminal, so nobody can answer the questions: add '
            '-always to send without asking.'
        )
    if campaign.journal is not None and not config.simulate:
        fallback = opt.fallback == 'talk'
        campaign.journal.plan(
            r.name
            for r in recipients
            if r.status == Status.EMAILABLE or (fallback and r.status == Status.NOT_EMAILABLE)
        )
    return campaign


def show_plan(campaign: Campaign, facts: PlanFacts, opt) -> None:
    for line in format_plan(campaign.recipients, facts):
        pywikibot.info(line)
    if opt.fallback == 'talk':
        posts = sum(1 for r in campaign.recipients if r.status == Status.NOT_EMAILABLE)
        if posts:
            pywikibot.info(
                f'  {posts} of the users who cannot be emailed '
                + ('would get' if config.simulate else 'get')
                + ' the message on their talk '
                'page instead (-fallback:talk).'
            )
    first = next((r for r in campaign.recipients if r.status == Status.EMAILABLE), None)
    if first is not None:
        subject, body = campaign.message.for_user(first.name, campaign.sitename, first.values)
        for line in format_preview(first.name, subject, body):
            pywikibot.info(line)


def check(site, opt, pages: Iterable | None = None, names: Iterable[str] | None = None) -> int:
    """-check: who can be emailed, one line each; reads only, sends nothing."""
    _report_path(opt)
    try:
        if site.username():
            try:
                site.login()
            except UNREACHABLE:
                raise
            except PywikibotError as e:
                raise Refusal(sentences.login_failed(site, e, anonymous_hint=True)) from None
        lists = user_lists(site, opt)
        names = [*(names or ()), *lists.names]
        pages, accounts, values, found = editors.gather(site, opt, pages, lists.values)
        recipients = resolve(site, opt, pages, names, values, accounts)
        recipients += found.left_out if found else []
    except ValueError as e:
        raise Refusal(str(e)) from None
    except UNREACHABLE as e:
        raise Refusal(sentences.wiki_unreachable(site, e), EXIT_PENDING) from None
    if found:
        pywikibot.info(found.summary().strip())
    for r in recipients:
        detail = editors.describe(r) if found else r.detail
        pywikibot.stdout(with_detail(f'{r.status:<14} {r.name}', detail))
    totals = Counter(r.status for r in recipients)
    pywikibot.info(
        f'{len(recipients)} users checked: '
        + ', '.join(f'{n} {status}' for status, n in totals.most_common())
        + '.'
    )
    if opt.report:
        rows = [(r.name, str(r.status), r.detail) for r in recipients]
        if found:
            rows = [(*row, *editors.report_row(r)) for row, r in zip(rows, recipients)]
        write_report(opt.report, rows, editors.report_header(opt))
        pywikibot.info(f'Report with {len(rows)} rows written to {opt.report}.')
    return EXIT_OK
