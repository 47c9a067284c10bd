"""The plan shown before anything is sent: who gets mail, who does not and why, how long.

:func:`build_plan` makes the :class:`Plan` of a campaign once, and
:func:`show_plan` prints it: the plan's lines (:func:`format_plan`, from plain
values), the preview of the first email as the wiki will send it
(:func:`format_preview`, :mod:`..wiki.mail`; one per page with a page per
language), and what the plan says when the account's limit lets no email go
now (:func:`nothing_fits_now`).
"""

from __future__ import annotations

import calendar
import shlex
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pywikibot

from ..core.accounts import Central, Recipient, Status, with_detail
from ..core.errors import EXIT_ERROR, EXIT_PENDING
from ..core.words import duration, estimate_seconds, moment, name_list
from ..message.template import PageSource, render
from ..options.settings import RateLimit
from ..wiki.mail import wiki_mail
from ..wiki.site import WIKIMEDIA
from .campaign import Campaign


@dataclass
class PlanFacts:
    """What the plan says besides the recipients."""

    sitename: str
    account: str = ''
    put_throttle: float = 0.0
    max_count: int = 0
    simulate: bool = False
    #: -wait: the run waits for the limits' windows instead of stopping at them.
    wait: bool = False
    #: Each limit the account keeps to, with the sends of its window already used.
    limits: list[tuple[RateLimit, int]] = field(default_factory=list)
    campaign: str = ''
    journal: str = ''
    reached: int = 0
    reached_earlier_text: int = 0
    #: (wiki, how many) the campaign reached on other wikis, matched by central id.
    reached_elsewhere: list[tuple[str, int]] = field(default_factory=list)
    #: Where options came from besides the command line: ``settings from PATH [emailuser]``.
    settings: str = ''
    #: -test: who gets the one test email ('' for a real run or a simulation).
    test: str = ''
    #: Lines about where the recipients came from (-editors), after the first line.
    sources: list[str] = field(default_factory=list)
    #: How accounts are told apart beyond this wiki (:func:`accounts_line`).
    accounts: str = ''


def emails_now(count: int, facts: PlanFacts) -> tuple[int, str]:
    """How many of *count* emails a real run sends before it stops, and what stops it
    (``-max``, ``limit`` or '' when it sends them all)."""
    now, why = count, ''
    if facts.max_count and facts.max_count < now:
        now, why = facts.max_count, '-max'
    if not facts.wait:
        for limit, used in facts.limits:
            room = max(limit.hits - used, 0)
            if room < now:
                now, why = room, 'limit'
    return now, why


def _users(count: int) -> str:
    return f'{count} user{"s" if count != 1 else ""}'


def _count_line(count: int, facts: PlanFacts) -> str:
    """How many will be emailed, and how many of them by this run."""
    now, why = emails_now(count, facts)
    if facts.simulate:
        said = f'  {_users(count)} would be emailed (simulation)'
        if not why:
            return said + '.'
        cause = (
            f'as -max:{facts.max_count} asks' if why == '-max' else "at the account's email limit"
        )
        return (
            f'{said}; a real run would email {now} and stop {cause}, the other '
            f'{count - now} by later runs.'
        )
    if not why:
        return f'  {_users(count)} will be emailed.'
    if now == 0:
        return (
            f"  {_users(count)} will be emailed, none by this run: the account's email limit "
            'is reached.'
        )
    if why == '-max':
        return (
            f'  {_users(count)} will be emailed: {now} by this run (-max:{facts.max_count}), '
            f'the other {count - now} by later runs.'
        )
    return (
        f'  {_users(count)} will be emailed: {now} by this run, which stops at the '
        f"account's email limit, the other {count - now} by later runs (or by this one "
        'with -wait).'
    )


def _time_line(count: int, this_run: int, facts: PlanFacts) -> str:
    """How long this run takes; and, when later runs send the rest, how long that takes."""
    throttle = facts.put_throttle
    if facts.wait:  # this run waits for the limits' windows
        run = max(
            [estimate_seconds(this_run, throttle)]
            + [estimate_seconds(this_run, throttle, lim, used) for lim, used in facts.limits]
        )
    else:
        run = estimate_seconds(this_run, throttle)
    by_limit = facts.wait and any(used + this_run > lim.hits for lim, used in facts.limits)
    paced = f'put throttle {throttle:g} s' + (', rate limit' if by_limit else '')
    if this_run >= count or facts.test:
        return f'  Estimated time: about {duration(run)} ({paced}).'
    # Said once, apart: the time of the whole campaign, which later runs share.
    whole = max(
        [estimate_seconds(count, throttle)]
        + [estimate_seconds(count, throttle, lim, used) for lim, used in facts.limits]
    )
    if any(used + count > lim.hits for lim, used in facts.limits):
        rest = f'about {duration(whole)} until all {count} are emailed (rate limit)'
    else:
        rest = f'the other {count - this_run} about {duration(whole - run)} more, in later runs'
    return f'  Estimated time: about {duration(run)} for this run ({paced}); {rest}.'


def format_plan(recipients: list[Recipient], facts: PlanFacts) -> list[str]:
    """The lines of the plan, in the order the operator reads them."""
    to_send = [r for r in recipients if r.status == Status.EMAILABLE]
    skipped: dict[str, list[Recipient]] = defaultdict(list)
    for r in recipients:
        if r.status != Status.EMAILABLE:
            skipped[r.status].append(r)
    who = f' as {facts.account}' if facts.account else ''
    lines = [f'Plan for {facts.sitename}{who}:']
    if facts.settings:
        lines.append(f'  With the {facts.settings}.')
    lines += facts.sources
    if facts.campaign:
        lines.append(
            f'  Campaign "{facts.campaign}"'
            + (f' in {facts.journal}' if facts.journal else '')
            + ':'
        )
        if facts.reached and facts.reached_earlier_text:
            others = '; this run sends the text as it is now to the others' if to_send else ''
            lines.append(
                f'    {facts.reached} reached by earlier runs, {facts.reached_earlier_text} of '
                f'them with an earlier version of the text{others}.'
            )
        elif facts.reached:
            lines.append(f'    {facts.reached} reached by earlier runs, with this text.')
        elsewhere = ', '.join(f'{count} on {wiki}' for wiki, count in facts.reached_elsewhere)
        if elsewhere and facts.reached:
            lines.append(f'    Reached on other wikis too: {elsewhere}.')
        elif elsewhere:
            lines.append(f'    nobody reached on this wiki yet; on other wikis: {elsewhere}.')
        elif not facts.reached:
            lines.append('    nobody reached yet.')
    if facts.accounts:
        lines.append(facts.accounts)
    count = len(to_send)
    if facts.test:
        # -test sends one email, to the test target, whoever the recipients are.
        this_run = 1
        first = f' (the email to {to_send[0].name})' if to_send else ''
        verb = 'would go (simulation)' if facts.simulate else 'goes'
        lines.append(
            f'  A test email{first} {verb} to {facts.test}; nobody else (-test). '
            f'Without -test, {_users(count)} would be emailed.'
        )
    else:
        this_run = emails_now(count, facts)[0]
        lines.append(_count_line(count, facts))
    if skipped:
        total = sum(len(v) for v in skipped.values())
        lines.append(f'  {total} skipped:')
        for reason in sorted(skipped):
            group = skipped[reason]
            names = name_list([with_detail(r.name, r.detail) for r in group])
            lines.append(f'    {reason} ({len(group)}): {names}')
    if not facts.limits:
        lines.append('  Rate limit: none applies to this account.')
    for limit, used in facts.limits:
        spent = f'; {used} of them used in the current window' if used else ''
        if facts.test:
            spent += '; the test email uses one more'
        lines.append(f'  Rate limit: {limit.said()}{spent}.')
    lines.append(_time_line(count, this_run, facts))
    return lines


def accounts_line(central: Central) -> str:
    """What the plan says of how accounts are told apart: by the central ids of the
    wiki's provider across wikis, or on this wiki alone; and whether locked global
    accounts were asked for."""
    provider = central.provider
    if not provider:
        return '  Accounts are local to this wiki (it has no global accounts).'
    if central.domain:
        line = f"  Accounts are matched across wikis by {provider}'s central ids"
    else:
        line = (
            f'  Accounts are local to this wiki: {central.account} is attached to no '
            f'{provider} account, so central ids are not used'
        )
    if central.locks:
        return line + '; locked global accounts are left out.'
    return line + '; locked global accounts were not checked (the wiki has no list=globalusers).'


#: The line above and below the body in the preview.
RULE = '-' * 72


def format_preview(name: str, subject: str, body: str, mail=None) -> list[str]:
    """The email *name* gets, framed for the plan.

    With *mail* (a :class:`~..wiki.mail.WikiMail`), as *name* receives it: who
    it is from, said so that it is true however the wiki is set up unless that
    is known, and the wiki's footer; without, as the wiki receives it. The
    body's lines are indented by two spaces between two rule lines, so that
    none of them can be mistaken for the script's own output.
    """
    lines = [f'Preview of the email to {name}:']
    if mail is not None:
        reply = (
            f'{mail.sender} <{mail.sender_address}>'
            if mail.sender_address
            else f"{mail.sender}'s email address"
        )
        seen = 'every recipient sees this address, and replies go to it'
        if mail.from_wiki:
            lines += [
                f"  From: {mail.wiki_name} (the wiki's own address)",
                f'  Reply-To: {reply} ({seen})',
            ]
        else:  # true whichever way the wiki is set up ($wgUserEmailUseReplyTo)
            lines += [
                f"  From: {mail.wiki_name} (the wiki's own address), or {reply} where the "
                "wiki sends from its users' own addresses",
                f"  Reply-To: {reply}, when the email is from the wiki's address (either way "
                f'{seen})',
            ]
        lines.append(f'  To: {name}')
        body = mail.as_received(body, name)
    lines += [f'  Subject: {subject}', f'  {RULE}']
    # Every kind of line break starts an indented line: none can pass for the script's own.
    lines += [f'  {line}' if line else '' for line in body.rstrip('\n').splitlines()]
    lines += [f'  {RULE}', 'End of the preview.']
    return lines


def rerun_command() -> str:
    """The command line of this run, as the operator can type it again."""
    argv = list(getattr(pywikibot, 'argvu', None) or [])
    if not argv:
        return 'the same command'
    return 'pwb ' + shlex.join([Path(argv[0]).stem, *argv[1:]])


def nothing_fits_now(campaign: Campaign, budget, simulate: bool) -> tuple[str, str]:
    """A line for the plan, or the refusal, when the limits allow no email now.

    Returns ``(note, refusal)``, either or both empty. A simulation and -wait go
    on, the plan saying so; a real run and -test stop before the preview (they
    would only show it and stop after 0 emails).
    """
    settings = campaign.settings
    emailable = any(r.status == Status.EMAILABLE for r in campaign.recipients)
    wait = budget.wait()
    if wait <= 0 or not (emailable or settings.test):
        return '', ''
    limit = budget.blocking()
    at = time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(time.time() + wait))
    which = f"The account's email limit of {limit.said()}"
    if simulate:
        say = (
            'a real run would wait for it (-wait)'
            if settings.wait
            else 'a real run would stop here'
        )
    elif settings.wait and not settings.test:
        say = 'the run waits for it (-wait)'
    else:
        what = 'the test email' if settings.test else 'the next email'
        return '', (
            f'{which} allows no email now, so nothing was sent: {what} can go at {at} '
            f'(in {duration(wait)}). Then run:\n    {rerun_command()}'
            + ('' if settings.test else '\nor add -wait to wait for it now.')
        )
    return (
        f'  {which} allows no email now: {say}; the next email can go at {at} '
        f'(in {duration(wait)}).'
    ), ''


@dataclass(frozen=True)
class Plan:
    """What the operator reads before anything is sent, made once by :func:`build_plan`.

    Each line is (how it is said, the line): ``info`` or ``warning``.
    """

    lines: tuple[tuple[str, str], ...]
    #: Why the run sends nothing (the account's limit; a text for nobody), or ''.
    refusal: str = ''
    #: The exit status of that run.
    status: int = EXIT_PENDING
    #: A stop the plan foresees (the account's limit), said as information; else an error.
    planned: bool = True


def new_text_for_nobody(campaign: Campaign) -> str:
    """The refusal of a run whose text would reach nobody, as everyone left got another
    text of the campaign; '' when the run reaches someone."""
    others = campaign.journal.earlier_text
    if not others or any(campaign.deliverable(r) for r in campaign.recipients):
        return ''
    return (
        f'Nothing was sent: the campaign "{campaign.journal.name}" reached everyone of this '
        f'run with another text ({_users(len(others))}: {name_list(list(others), 5)}), so '
        'this text would go to nobody. To send it to them as a new mailing, give the mailing '
        'a name of its own with -campaign:"NEW NAME".'
    )


def build_plan(campaign: Campaign, budget, simulate: bool, put_throttle: float) -> Plan:
    """The plan of *campaign*, its limits spent as *budget* says, and the previews."""
    settings = campaign.settings
    answer = campaign.journal
    test = settings.test.target(campaign.account.name) if settings.test else ''
    facts = PlanFacts(
        campaign.sitename,
        campaign.account.name,
        put_throttle=put_throttle,
        max_count=settings.max or 0,
        simulate=simulate,
        wait=settings.wait,
        limits=[(limit, budget.used(limit)) for limit in campaign.limits],
        campaign=answer.name,
        journal=str(Path(answer.path).absolute()),
        reached=answer.reached,
        reached_earlier_text=answer.reached_earlier_text,
        reached_elsewhere=list(answer.reached_elsewhere),
        settings=campaign.origin,
        test=test,
        sources=([campaign.search.summary()] if campaign.search else []) + list(campaign.notes),
        accounts=accounts_line(campaign.central),
    )
    note, refusal = nothing_fits_now(campaign, budget, simulate)
    status, planned = EXIT_PENDING, True
    for_nobody = new_text_for_nobody(campaign)
    if for_nobody:
        note, refusal, status, planned = '', for_nobody, EXIT_ERROR, False
    lines = [('info', line) for line in format_plan(list(campaign.recipients), facts)]
    lines += _journal_lines(answer, facts.journal, simulate)
    if settings.logpage and not settings.test:
        lines.append(
            (
                'info',
                f'  After the run, who it reached {"would be" if simulate else "is"} added '
                f'to {settings.logpage} in one edit: their names, when and by which '
                'channels (-logpage:).',
            )
        )
    if note:
        lines.append(('info', note))
    if settings.deadline:
        lines += deadline_lines(
            settings.deadline,
            sum(1 for r in campaign.recipients if r.status == Status.EMAILABLE),
            facts.limits,
            put_throttle,
            time.time(),
        )
    lines += _talk_lines(campaign, simulate)
    emailable = [r for r in campaign.recipients if r.status == Status.EMAILABLE]
    sender = campaign.account.name
    lines += [('info', line) for line in page_lines(campaign.message, emailable, sender)]
    lines += [('warning', w) for w in page_warnings(campaign.message, emailable, sender)]
    if not refusal:
        lines += [('info', line) for line in previews(campaign, emailable)]
    return Plan(tuple(lines), refusal, status, planned)


def talk_line(campaign: Campaign, simulate: bool) -> str:
    """-alsotalk: the plan's count of the second channel, the talk page posts."""
    due = [r for r in campaign.recipients if campaign.talk_due(r)]
    emailed = sum(1 for r in due if r.status == Status.EMAILABLE)
    only = sum(1 for r in due if r.status == Status.NOT_EMAILABLE)
    later = len(due) - emailed - only
    done = sum(1 for r in campaign.recipients if r.talk == Status.POSTED)
    uncertain = sum(1 for r in campaign.recipients if r.talk == Status.UNCERTAIN)
    verb = 'would get' if simulate else 'get'
    parts = [f'{emailed} of those emailed also {verb} the message on their talk page']
    if only:
        parts.append(f'{only} who cannot be emailed {verb} it there only')
    if later:
        parts.append(f'{later} emailed by earlier runs {verb} it there now')
    said = ', '.join(parts[:-1]) + (' and ' if len(parts) > 1 else '') + parts[-1]
    earlier = f'; {done} talk pages have it from earlier runs' if done else ''
    if uncertain:
        earlier += f', {uncertain} may have it (uncertain)'
    return (
        f'  Talk pages (-alsotalk): {said}{earlier}; not where {{{{bots}}}}/{{{{nobots}}}} '
        "or MassMessage's opt-out category on the user or talk page forbids it, nor on a "
        'talk page that is a redirect.'
    )


def deadline_lines(
    deadline, count: int, limits: list[tuple[RateLimit, int]], put_throttle: float, now: float
) -> list[tuple[str, str]]:
    """The plan's line about -deadline:, and a warning when the limits cannot reach all
    *count* recipients before it (at best: a run each time a window opens)."""
    left = deadline.timestamp() - now
    lines = [
        (
            'info',
            f'  Deadline: {moment(deadline)}, in {duration(left)}: nothing is sent after it '
            '(-deadline:).',
        )
    ]
    fit = count
    for limit, used in limits:
        windows = int(left // limit.seconds)
        fit = min(fit, max(limit.hits - used, 0) + windows * limit.hits)
    if put_throttle > 0:
        fit = min(fit, int(left // put_throttle) + 1)
    if fit < count:
        lines.append(
            (
                'warning',
                f"The account's email limits let at most {fit:,} of the {count:,} users be "
                f'emailed before the deadline, even with a run each time the limit allows '
                'one: the others will not be emailed.',
            )
        )
    return lines


def show_plan(plan: Plan) -> None:
    """Print *plan*, each line as it is said."""
    for kind, line in plan.lines:
        (pywikibot.warning if kind == 'warning' else pywikibot.info)(line)


def when(timestamp: str) -> str:
    """A timestamp of the API as the plan writes it: ``2026-05-01 12:00 UTC``."""
    return timestamp[:16].replace('T', ' ') + ' UTC' if timestamp else 'an unknown time'


def page_tail(source: PageSource | None, sender: str) -> str:
    """What follows a page's title in the plan: where the wiki's redirect led, and who
    edited the page last, unless that is the sending account."""
    if source is None:
        return ''
    tail = f', which redirects to {source.shown}' if source.shown != source.title else ''
    if source.user != sender:
        tail += f', last edited by {source.user or "a hidden user"} on {when(source.timestamp)}'
    return tail


def page_lines(message, recipients, sender: str = '') -> list[str]:
    """Which page each group of recipients gets, for the plan: as the wiki resolved it,
    and who edited it last unless *sender* did."""
    if not message.pages:
        source = next(iter(message.sources.values()), None)
        if source is None or not recipients:
            return []
        return [f'  Text of the page {source.title}{page_tail(source, sender)}.']
    groups: dict[tuple[str, str], list[str]] = {}
    for r in recipients:
        title = render(message.page_template, **r.values)
        used, _, missing = message.pages[title]
        groups.setdefault((used, title if missing else ''), []).append(r.name)
    lines = [f'  Pages of -textpage:{message.page_template}:']
    for (used, title), names in groups.items():
        missing = f' ({title} does not exist)' if title else ''
        tail = page_tail(message.sources.get(used), sender)
        lines.append(f'    {used}{missing}{tail}: {_users(len(names))} ({name_list(names, 10)})')
    return lines


#: How recent an edit by another account makes the plan warn about a page.
RECENT_SECONDS = 86400


def page_warnings(message, recipients, sender: str, now: float | None = None) -> list[str]:
    """A warning for each page whose text goes out under *sender*'s name that another
    account edited last, within the last day or after the base page."""
    counts: dict[str, int] = defaultdict(int)
    for r in recipients:
        counts[message.page_for(r.values) or next(iter(message.sources), '')] += 1
    now = time.time() if now is None else now
    base = message.base
    warnings = []
    for used, source in message.sources.items():
        if not counts.get(used) or source.user == sender:
            continue
        why = []
        if base is not None and base.shown != source.shown and source.timestamp > base.timestamp:
            why.append(f'after the base page {base.shown}')
        if source.timestamp and _epoch(source.timestamp) > now - RECENT_SECONDS:
            why.append('within the last day')
        if why:
            warnings.append(
                f'The text of the page {source.shown} goes to {_users(counts[used])} under your '
                f'name, and {source.user or "a hidden user"} edited it last, on '
                f'{when(source.timestamp)}, {" and ".join(why)}: read the page before you send.'
            )
    return warnings


def _epoch(timestamp: str) -> float:
    return calendar.timegm(time.strptime(timestamp[:19], '%Y-%m-%dT%H:%M:%S'))


def previews(campaign: Campaign, emailable: list[Recipient]) -> list[str]:
    """The email of the first of *emailable*, one per page that someone gets."""
    account = campaign.account
    message = campaign.message
    firsts: dict[str, Recipient] = {}
    for r in emailable:
        firsts.setdefault(message.page_for(r.values), r)
    lines = []
    for page, first in firsts.items():
        subject, body = campaign.email_for(first)
        mail = wiki_mail(
            campaign.site,
            account.name,
            account.email,
            first.name,
            from_wiki=campaign.family == WIKIMEDIA,
        )
        preview = format_preview(first.name, subject, body, mail)
        source = message.sources.get(page) or next(iter(message.sources.values()), None)
        if source is not None:
            through = (
                f', through the redirect {source.title}' if source.shown != source.title else ''
            )
            preview[0] = f'Preview of the email to {first.name} (the page {source.shown}{through}):'
        lines += preview
    return lines


def _journal_lines(answer, journal: str, simulate: bool) -> list[tuple[str, str]]:
    """The plan's lines about the journal *answer* came from (at *journal*)."""
    lines = []
    if answer.new:
        # Said by every run that would create the journal: -test creates it too.
        creates = 'is new' if not simulate else 'does not exist yet (a real run creates it)'
        lines.append(
            (
                'warning',
                f'The journal {journal} {creates}: runs recorded in any other journal '
                'are unknown to it, so whoever they emailed gets this message again. If this '
                'campaign ran before, stop now and give its journal with -journal:.',
            )
        )
    if answer.filesystem:
        lines.append(
            (
                'info',
                f"  The journal's folder is on a network filesystem ({answer.filesystem}): the "
                "journal uses SQLite's rollback journal instead of WAL, and each run takes "
                'its lock before it opens the journal.',
            )
        )
    return lines


def _talk_lines(campaign: Campaign, simulate: bool) -> list[tuple[str, str]]:
    """The plan's lines about talk page posts (-alsotalk, -fallback:talk)."""
    settings = campaign.settings
    lines = []
    if settings.alsotalk:
        lines.append(('info', talk_line(campaign, simulate)))
    elif settings.fallback:
        posts = sum(1 for r in campaign.recipients if r.status == Status.NOT_EMAILABLE)
        if posts:
            lines.append(
                (
                    'info',
                    f'  {posts} of the users who cannot be emailed '
                    + ('would get' if simulate else 'get')
                    + ' the message on their talk page instead (-fallback:talk), '
                    "unless {{bots}}/{{nobots}} there or MassMessage's opt-out category on "
                    'their user or talk page forbids it, or the talk page is a redirect.',
                )
            )
    return lines
