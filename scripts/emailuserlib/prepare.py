"""Everything before the first email: message, account, recipients, journal and plan.

The recipients come from the pages, the -users: files and, with -editors, the
page histories (:mod:`.editors`); the opt-out lists, MassMessage's category
(:mod:`.respect`) and the journal's earlier outcomes (keyed by user id) settle
who is emailed; a rate limit that lets no email go now refuses the run. The
plan and the preview of the first email are printed by :mod:`.plan`.

:func:`prepare` returns a :class:`Campaign`, all that the bot needs to send, or
raises an :class:`~.errors.EmailUserError` (a :class:`~.errors.Refusal`, or the
error of the door that refused a value) with the one sentence that says what
cannot be honoured and what to do; nothing is sent before it returns. ``-check``
(:mod:`.checkrun`) uses the same resolution of recipients.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pywikibot
from pywikibot import config

from . import budget as budgets
from . import editors, langpages, options, plan, respect, sentences
from . import journal as journals
from .delivery import Sender
from .errors import Refusal
from .journal import Journal, JournalError
from .message import (
    Message,
    MessageError,
    check_subject_length,
    placeholders,
    text_from_file,
    text_from_option,
)
from .namelist import NameList, read_lists
from .outcomes import EXIT_PENDING, State, Status
from .pagetext import text_from_page
from .plan import PlanFacts, name_list
from .preflight import UNREACHABLE, Account, check_account
from .recipients import Recipient, Resolver, optout_names
from .report import check_journal_path, check_path

__all__ = ['Campaign', 'Refusal', 'prepare']

#: How far back another campaign's mail to the same people makes a run ask.
OVERLAP_DAYS = 7

#: What a run delivers to: the emailable, and with -fallback:talk the not-emailable too
#: (a post on the talk page).
DELIVERS = (Status.EMAILABLE,)
DELIVERS_WITH_TALK = (Status.EMAILABLE, Status.NOT_EMAILABLE)


@dataclass
class Campaign:
    """What a run needs to send: who, what, as whom, and where it keeps state."""

    site: object
    message: Message
    account: Account
    recipients: list[Recipient]
    sender: Sender
    wiki: str = ''
    #: The statuses this run delivers to (:data:`DELIVERS` or :data:`DELIVERS_WITH_TALK`).
    delivers: tuple[Status, ...] = DELIVERS
    #: Looks recipients up again during the run (opt-outs, emailability).
    resolver: Resolver | None = None
    #: The -optout: titles, read again during the run.
    optout_titles: tuple[str, ...] = ()
    family: str = ''
    journal: Journal | None = None
    budget: budgets.Budget = field(default_factory=lambda: budgets.Budget([]))
    #: The journal did not exist before this run.
    new_journal: bool = False
    #: What the journal gets once the run goes ahead (see :func:`_commit_journal`).
    pending: dict = field(default_factory=dict)

    @property
    def sitename(self) -> str:
        return self.site.siteinfo['sitename']

    @property
    def records(self) -> bool:
        """Whether this run writes its deliveries to the journal (not with -simulate)."""
        return self.journal is not None and not config.simulate

    def email_for(self, recipient: Recipient) -> tuple[str, str]:
        """The subject and body that *recipient* gets, with their placeholders filled."""
        return self.message.for_user(recipient.name, self.sitename, recipient.values)

    def deliverable(self, recipient: Recipient) -> bool:
        """Whether this run delivers to *recipient* as its status is now."""
        return recipient.status in self.delivers

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
    site,
    opt,
    interactive: bool | None = None,
    columns: tuple[str, ...] = (),
    lists: NameList | None = None,
) -> Message:
    """The subject and body, checked before anything else happens.

    *columns* are the placeholders that the -users: CSV files add; *lists*
    their rows, whose columns may name a page per language in -textpage:.

    :raises MessageError: with the sentence to show the operator
    :raises OptionError: no option gives the body
    """
    if interactive is None:
        interactive = sys.stdin.isatty()
    options.check_body(opt)
    subject = opt.subject
    if not subject:
        if not interactive:
            raise MessageError('A subject is required: give it with -subject:TEXT.')
        subject = pywikibot.input('Subject of the email:')
    note = respect.optout_note(site, optout_titles(opt), opt.optoutnote, columns)
    if opt.textpage and placeholders(opt.textpage):
        pages = langpages.load_pages(site, opt.textpage, lists or NameList(columns))
        pages = {t: (p[0], respect.with_note(p[1], note), p[2]) for t, p in pages.items()}
        if not pages:
            raise MessageError(
                f'No row of the -users: files has a value for every placeholder of '
                f'-textpage:{opt.textpage}: fill in the column.'
            )
        first = next(iter(pages.values()))[1]
        return Message(subject, first, columns, page_template=opt.textpage, pages=pages)
    if opt.text:
        body = text_from_option(opt.text)
    elif opt.textfile:
        body = text_from_file(opt.textfile)
    else:
        body = text_from_page(site, opt.textpage)
    return Message(subject, respect.with_note(body, note), columns)


def optout_titles(opt) -> tuple[str, ...]:
    """The opt-out pages and categories of -optout:, in the order given.

    A blank one is kept, for :func:`.sources.local_page` to refuse: the operator
    meant some list.
    """
    return tuple(t.strip() for t in opt.optout.split('|')) if opt.optout else ()


def delivers(opt) -> tuple[Status, ...]:
    """The statuses a run with these options delivers to (see :attr:`Campaign.delivers`)."""
    return DELIVERS_WITH_TALK if opt.fallback else DELIVERS


def resolve(
    site,
    opt,
    pages: Iterable | None = None,
    names: Iterable[str] | None = None,
    values: dict | None = None,
    accounts: Iterable[str] = (),
    resolver: Resolver | None = None,
):
    """Every recipient the names, pages and accounts (-editors) lead to, checked in
    batches, with MassMessage's opt-out category applied; *resolver* is made when not given.
    """
    resolver = resolver or make_resolver(site, opt, values)
    recipients = resolver.from_names_and_pages(names or (), pages or (), accounts)
    respect.apply_massmessage_optout(
        site, recipients, ignore=bool(opt.ignoremassoptout), resolver=resolver
    )
    return recipients


def make_resolver(site, opt, values: dict | None = None) -> Resolver:
    """A :class:`Resolver` with the users of the opt-out lists as they are now."""
    return Resolver(site, optout_names(site, optout_titles(opt)), values)


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


def _refuse_empty_values(message: Message, lists: NameList) -> None:
    """Refuse a used CSV column that is empty for a row of the -users: files.

    An empty value would make a sentence like "your team is ." reach the user;
    the operator fixes the file or the message instead.
    """
    used = [c for c in message.used_columns if c in lists.columns]
    problems = lists.empty_values(used) if used else []
    if problems:
        raise Refusal('\n'.join(problems))


def _refuse_values_on_talk_pages(message: Message, lists: NameList, opt) -> None:
    """Refuse -fallback:talk with a message that uses a column of the -users: files.

    A talk page is public: a post would publish the value that the file gives
    one recipient (a code, an address) for everyone to read. {username},
    {sitename} and what -editors fills in are public already.
    """
    used = [c for c in message.used_columns if c in lists.columns]
    if opt.fallback == 'talk' and used:
        which = ', '.join('{%s}' % c for c in used)  # noqa: UP031
        raise Refusal(
            f'-fallback:talk posts the message on public talk pages, where {which} from the '
            "-users: files would publish each row's value: leave out -fallback:talk, or "
            f'{which} from the message.'
        )


def _refuse_missing_values(campaign: Campaign, lists: NameList) -> None:
    """Refuse a used CSV column for a recipient who is not in the -users: files."""
    used = [c for c in campaign.message.used_columns if c in lists.columns]
    if not used:
        return
    missing = [
        r.name
        for r in campaign.recipients
        if campaign.deliverable(r) and not set(used) <= set(r.values)
    ]
    if missing:
        which = ', '.join('{%s}' % c for c in used)  # noqa: UP031
        are = 'recipients are' if len(missing) > 1 else 'recipient is'
        raise Refusal(
            f'{len(missing)} {are} not in the -users: files, so {which} has no value '
            f'for them ({name_list(missing, 5)}): add them to a file, or remove the placeholder.'
        )


def check_subjects(campaign: Campaign) -> None:
    """Refuse, before the first mail, a rendered subject that a mail cannot carry.

    Each recipient's subject, and the subject of the sender's copy with -ccme (the
    wiki's "Copy of your message to ..." around it), must be one line that fits
    into one line of mail once the wiki encodes it.

    :raises MessageError: with the recipient and the limit for that subject
    """
    ccme = campaign.sender.ccme
    copy_subject = campaign.site.mediawiki_message('emailccsubject') if ccme else ''
    first = True
    for r in campaign.recipients:
        if r.status != Status.EMAILABLE:
            continue
        subject, _ = campaign.email_for(r)
        check_subject_length(subject, r.name)
        if copy_subject and (first or ccme != 'first'):
            copied = copy_subject.replace('$1', r.name).replace('$2', subject)
            check_subject_length(copied, f"the copy of {r.name}'s email (-ccme)")
        first = False


def journal_path(opt) -> Path:
    """-journal:, or the journal among Pywikibot's data files (in config.base_dir)."""
    if opt.journal:
        return Path(opt.journal).expanduser()
    return Path(config.datafilepath(journals.DEFAULT_NAME, create=False))


def input_files(opt, files: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The files the run reads, as (option, path): -textfile:, -users: and -file: (*files*)."""
    found = [('-textfile:', opt.textfile)] if opt.textfile else []
    found += [('-users:', p) for p in opt.users.split('|') if p.strip()]
    found += [('-file:', p) for p in files]
    return found


def check_outputs(opt, files: Iterable[str] = (), journal: bool = False) -> None:
    """Refuse an output that is an input: the report, and with *journal* the journal.

    :raises ReportError: with the output, the input and what to do
    """
    inputs = input_files(opt, files)
    if opt.report:
        check_path(opt.report, journal_path(opt), inputs)
    if journal:
        check_journal_path(journal_path(opt), inputs)


def _apply_journal(campaign: Campaign, opt) -> tuple[int, int]:
    """Read what earlier runs of the campaign did, and apply it to the recipients.

    Returns how many recipients earlier runs reached, and how many of them with
    an earlier version of the text, for the plan.

    Nothing of the campaign is written here: whatever may still refuse the run
    is decided first, and :func:`_commit_journal` writes once the run goes
    ahead. A journal that does not exist yet is created only then. With
    -simulate the journal is read, if it exists, but never written. With -test
    it is read and locked, and only the test email's send is written.
    """
    message, site = campaign.message, campaign.site
    simulate = bool(config.simulate)
    trial = bool(opt.test)
    name = opt.campaign or message.subject
    path = journal_path(opt)
    campaign.new_journal = not path.exists()
    fp = journals.fingerprint(message.subject, message.text, bool(campaign.sender.ccme))
    campaign.pending = {'path': path, 'name': name, 'fp': fp, 'legacy': str(site)}
    if campaign.new_journal and not trial:
        if opt.resend == 'all' and not simulate:
            _confirm_resend(opt)
        return 0, 0
    journal = campaign.journal = Journal(path, read_only=simulate)
    if not simulate:
        # Before anything is read: another run may not write between the read and the lock.
        journal.lock()
    journal.open_campaign(campaign.wiki, name, fp, legacy_wiki=str(site), create=False)
    # The name as first written, should this run write it otherwise.
    name = campaign.pending['name'] = journal.campaign_name
    states = journal.states()
    _adopt_ids(campaign, journal, states)
    if opt.resend and not (simulate or trial):
        states = _forget(states, opt)
    for r in campaign.recipients:
        entry = journals.find(states, r)
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
    _refuse_values_of_another_account(campaign, states, opt)
    reached = [e for e in states.values() if e.state in (State.SENT, State.POSTED)]
    if not opt.campaign:
        _refuse_overlap(journal, campaign, name)
    return len(reached), sum(1 for e in reached if e.version != journal.version)


def _refuse_values_of_another_account(campaign: Campaign, states: dict, opt) -> None:
    """Refuse a -users: row whose name this campaign knew as another account.

    After a rename, or a name taken over by someone else, the name of a row is a
    new account: the row's values were written for the account the journal knows
    under that name, and may be that person's data.
    """
    used = set(campaign.message.used_columns) - set(editors.columns(opt))
    if not used:
        return
    known = {e.username: e.userid for e in states.values() if e.userid is not None}
    for r in campaign.recipients:
        was = known.get(r.name)
        if (
            not campaign.deliverable(r)
            or r.userid is None
            or was is None
            or was == r.userid
            or not used & set(r.values)
        ):
            continue
        data = campaign.site.simple_request(
            action='query', list='users', ususerids=[was], formatversion=2
        ).submit()
        now = [u.get('name') for u in data.get('query', {}).get('users', []) if 'name' in u]
        now_named = f', now named {now[0]}' if now else ''
        raise Refusal(
            f'{r.name} of the -users: files was another account when this campaign knew '
            f"it (user id {was}{now_named}), so its row may hold that user's data: write the "
            'row under the name of the account it is for, or leave it out (a row meant for '
            'the account that has the name now goes in a new -campaign:).'
        )


def _adopt_ids(campaign: Campaign, journal: Journal, states: dict) -> None:
    """Find the accounts of rows an older journal kept by name, in *states* and for later.

    A name that no account has any more is followed through the wiki's rename
    log, or, when the log says nothing, its user page's redirect (taking another
    account as reached can only keep a mail from going twice). The ids are
    written by :func:`_commit_journal`; a name whose account cannot be found
    stays the row's key, so whoever it reached stays reached.
    """
    names = journal.unresolved_names(campaign.wiki)
    if not names or campaign.resolver is None:
        return
    resolver = campaign.resolver
    found = {}
    for name, user in resolver.accounts(names).items():
        if user.userid is not None:
            found[name] = (user.userid, user.centralid, user.name)
    campaign.pending['adopt'] = found
    for name, (userid, _central, _canonical) in found.items():
        entry = states.get(name)
        if entry is None or entry.userid is not None:
            continue
        del states[name]
        old = states.get(userid)
        if old is None or schema_rank(old.state) < schema_rank(entry.state):
            states[userid] = entry


def schema_rank(state: State) -> int:
    return journals.schema.RANK[State(state)]


def _forget(states: dict, opt) -> dict:
    """*states* as -resend leaves them: without the uncertain rows, or without any."""
    if opt.resend == 'uncertain':
        kept = {k: e for k, e in states.items() if e.state not in (State.SENDING, State.UNCERTAIN)}
        pywikibot.info(
            f'{len(states) - len(kept)} uncertain recipients will be emailed again '
            '(-resend:uncertain).'
        )
        return kept
    _confirm_resend(opt)
    pywikibot.info(f'The journal forgets {len(states)} recipients of this campaign (-resend).')
    return {}


def _confirm_resend(opt) -> None:
    """-resend (all): the operator confirms, or the run is refused."""
    if opt.always:
        return
    if not sys.stdin.isatty():
        raise Refusal(
            '-resend emails everyone of this campaign again: confirm it on a terminal, '
            'or add -always to the command line (always = yes in scripts.ini does not '
            'confirm it).'
        )
    if not pywikibot.input_yn(
        '-resend: forget who already got this message and email everyone again?',
        default=False,
        automatic_quit=False,
    ):
        raise Refusal('Nothing was sent: -resend was not confirmed.')


def _commit_journal(campaign: Campaign, opt) -> None:
    """The run goes ahead: create the journal if need be, then write -resend and the plan.

    :raises JournalError: the journal cannot be created, locked or written
    """
    pending = campaign.pending
    journal = campaign.journal
    if journal is None:
        journal = campaign.journal = Journal(pending['path'])
        journal.lock()
        _refuse_journal_written_meanwhile(journal, campaign)
    journal.open_campaign(
        campaign.wiki, pending['name'], pending['fp'], legacy_wiki=pending['legacy']
    )
    journal.for_run(campaign.account.name, campaign.wiki, campaign.family)
    journal.adopt_ids(campaign.wiki, pending.get('adopt', {}))
    if opt.resend in ('uncertain', 'all'):
        journal.resend(uncertain_only=opt.resend == 'uncertain')
    journal.plan(r for r in campaign.recipients if campaign.deliverable(r))


def _refuse_journal_written_meanwhile(journal: Journal, campaign: Campaign) -> None:
    """Refuse when the journal, which did not exist when this run read it, holds anything now.

    Another run created it while this one prepared, and may have emailed the
    same people: this run's plan, its overlap check and its rate limit did not
    see that. Now that this run holds the lock, that run is over, and running
    the same command again reads what it did.
    """
    pending = campaign.pending
    journal.open_campaign(
        campaign.wiki, pending['name'], pending['fp'], legacy_wiki=pending['legacy'], create=False
    )
    if journal.campaign is not None:
        raise JournalError(
            f'Another run started this campaign in {journal.path} while this one prepared: '
            'nothing was sent; run the same command again to go on from what it did.',
            EXIT_PENDING,
        )
    other = journal.written()
    if other is not None:
        which = f' (campaign "{other}")' if other else ''
        raise JournalError(
            f'Another run wrote to the journal {journal.path}{which} while this one '
            'prepared, which this plan could not take into account: nothing was sent; run '
            'the same command again.',
            EXIT_PENDING,
        )


def _refuse_overlap(journal: Journal, campaign: Campaign, name: str) -> None:
    """Refuse a new subject for people another campaign just reached, unless named."""
    to_send = [r for r in campaign.recipients if r.status == Status.EMAILABLE]
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


def prepare(
    site,
    opt,
    pages: Iterable | None = None,
    names: Iterable[str] | None = None,
    settings: str = '',
    files: Iterable[str] = (),
) -> Campaign:
    """Check everything, show the plan, and return the :class:`Campaign` to send.

    *settings* says where options came from besides the command line, for the plan;
    *files* are the -file: lists of the generators, which no output may overwrite.

    :raises EmailUserError: something cannot be honoured; nothing was sent
    """
    check_outputs(opt, files, journal=True)
    campaign = None
    try:
        lists = user_lists(site, opt)
        taken = [c for c in editors.columns(opt) if c in lists.columns]
        if taken:  # one value per placeholder, or some readers would get the file's
            raise Refusal(
                f'The -users: files have a column {taken[0]}, and -editors fills '
                f'{{{taken[0]}}} with what each editor did: rename that column.'
            )
        columns = lists.columns + editors.columns(opt)
        message = read_message(site, opt, columns=columns, lists=lists)
        _refuse_empty_values(message, lists)
        _refuse_values_on_talk_pages(message, lists, opt)
        account = check_account(site)
        warning = respect.new_sender_warning(account, site.siteinfo['sitename'])
        if warning:
            pywikibot.warning(warning)
        names = [*(names or ()), *lists.names]
        pages, accounts, values, found = editors.gather(site, opt, pages, lists.values)
        resolver = make_resolver(site, opt, values)
        recipients = resolve(site, opt, pages, names, values, accounts, resolver=resolver)
        recipients += editors.left_out(found, recipients)
        campaign = Campaign(
            site,
            message,
            account,
            recipients,
            Sender(site, account.name, ccme=opt.ccme, relogin=site._relogin),
            wiki_identity(site),
            delivers=delivers(opt),
            resolver=resolver,
            optout_titles=optout_titles(opt),
        )
        editors.check_values(message.used_columns, recipients, campaign.delivers)
        _refuse_missing_values(campaign, lists)
        check_subjects(campaign)
        reached, reached_earlier_text = _apply_journal(campaign, opt)
        limits = budgets.for_campaign(campaign, opt.ratelimit)
    except UNREACHABLE as e:
        if campaign:
            campaign.close()
        raise Refusal(sentences.wiki_unreachable(site, e), EXIT_PENDING) from None
    except BaseException:
        if campaign:
            campaign.close()
        raise
    if opt.test:
        from .testmail import target_of  # testmail imports this module

        test = target_of(opt.test, campaign.account.name)
    else:
        test = ''
    facts = PlanFacts(
        campaign.sitename,
        campaign.account.name,
        put_throttle=config.put_throttle,
        max_count=opt.max,
        simulate=bool(config.simulate),
        limits=limits,
        campaign=campaign.pending['name'],
        journal=str(Path(campaign.pending['path']).absolute()),
        reached=reached,
        reached_earlier_text=reached_earlier_text,
        settings=settings,
        test=test,
        sources=[found.summary()] if found else [],
    )
    emailable = any(r.status == Status.EMAILABLE for r in recipients)
    note, blocked = plan.nothing_fits_now(campaign, opt, emailable)
    plan.show_plan(campaign, facts, opt, preview=not blocked, note=note)
    if blocked:
        campaign.close()
        raise Refusal(blocked, EXIT_PENDING)
    if not any(campaign.deliverable(r) for r in recipients):
        pywikibot.info('Nobody to email.')
    if opt.test:  # -test sends one email, to the sender: no question, no journal rows
        return campaign
    if emailable and not opt.always and not sys.stdin.isatty():
        campaign.close()
        raise Refusal(
            'Standard input is not a terminal, so nobody can answer the questions: add '
            '-always to send without asking.'
        )
    if not config.simulate:
        try:
            _commit_journal(campaign, opt)
        except BaseException:
            campaign.close()
            raise
    return campaign
