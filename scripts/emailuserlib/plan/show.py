"""The plan shown before anything is sent: who gets mail, who does not and why, how long.

:func:`build_plan` makes the :class:`Plan` of a campaign once, and
:func:`show_plan` prints it: the plan's lines (:func:`format_plan`, from plain
values), the preview of the first email as the wiki will send it
(:func:`format_preview`, :mod:`..wiki.mail`; one per page with a page per
language), and what the plan says when the account's limit lets no email go
now (:func:`nothing_fits_now`).
"""

from __future__ import annotations

import shlex
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pywikibot

from ..core.accounts import Central, Recipient, Status, with_detail
from ..core.words import duration, estimate_seconds, moment, name_list
from ..message.template import render
from ..options.settings import RateLimit
from ..wiki.mail import wiki_mail
from .campaign import Campaign


@dataclass
class PlanFacts:
    """What the plan says besides the recipients."""

    sitename: str
    account: str = ''
    put_throttle: float = 0.0
    max_count: int = 0
    simulate: bool = False
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
        if facts.reached:
            earlier = (
                f', {facts.reached_earlier_text} of them with an earlier version of the text'
                if facts.reached_earlier_text
                else ''
            )
            lines.append(
                f'    {facts.reached} reached by earlier runs{earlier}; this run sends the '
                'text as it is now to the others.'
            )
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
    max_count = facts.max_count
    this_run = min(count, max_count) if max_count else count
    if facts.test:
        # -test sends one email, to the test target, whoever the recipients are.
        this_run = 1
        first = f' (the email to {to_send[0].name})' if to_send else ''
        verb = 'would go (simulation)' if facts.simulate else 'goes'
        lines.append(
            f'  A test email{first} {verb} to {facts.test}; nobody else (-test). '
            f'Without -test, {count} user{"s" if count != 1 else ""} would be emailed.'
        )
    else:
        verb = 'would be emailed (simulation)' if facts.simulate else 'will be emailed'
        lines.append(
            f'  {count} user{"s" if count != 1 else ""} {verb}'
            + (
                f', at most {max_count} in this run (-max)'
                if max_count and max_count < count
                else ''
            )
            + '.'
        )
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
        lines.append(f'  Rate limit: {limit.describe()} ({limit.source}){spent}.')
        fit = max(limit.hits - used, 0)
        # When nothing fits now, the sentence after the plan says when the next can go.
        if used + this_run > limit.hits and fit:
            lines.append(
                f'  Only {fit} more fit into the current window of this limit: the run '
                'stops there and a rerun later goes on, or -wait waits for the window.'
            )
    seconds = max(
        [estimate_seconds(this_run, facts.put_throttle)]
        + [estimate_seconds(this_run, facts.put_throttle, lim, used) for lim, used in facts.limits]
    )
    by_limit = any(used + this_run > lim.hits for lim, used in facts.limits)
    lines.append(
        f'  Estimated time: about {duration(seconds)} '
        f'(put throttle {facts.put_throttle:g} s' + (', rate limit' if by_limit else '') + ').'
    )
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

    With *mail* (a :class:`~.wikimail.WikiMail`), as *name* receives it: the
    wiki's ``From:``, the sender's ``Reply-To:`` and the wiki's footer;
    without, as the wiki receives it. The body's lines are indented by two
    spaces between two rule lines, so that none of them can be mistaken for
    the script's own output.
    """
    lines = [f'Preview of the email to {name}:']
    if mail is not None:
        reply = (
            f'{mail.sender} <{mail.sender_address}>'
            if mail.sender_address
            else f"{mail.sender}'s email address"
        )
        lines += [
            f"  From: {mail.wiki_name} (the wiki's own address)",
            f'  Reply-To: {reply} (every recipient sees this address, and replies go to it)',
            f'  To: {name}',
        ]
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
    which = f"The account's email limit of {limit.describe()} ({limit.source})"
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
    #: Why the run cannot send now (the account's limit), or ''.
    refusal: str = ''


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
    lines = [('info', line) for line in format_plan(list(campaign.recipients), facts)]
    if answer.new and not settings.test:
        lines.append(
            (
                'warning',
                f'The journal {facts.journal} is new: runs recorded in any other journal are '
                'unknown to it, so whoever they emailed gets this message again. If this '
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
    emailable = [r for r in campaign.recipients if r.status == Status.EMAILABLE]
    lines += [('info', line) for line in page_lines(campaign.message, emailable)]
    if not refusal:
        lines += [('info', line) for line in previews(campaign, emailable)]
    return Plan(tuple(lines), refusal)


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


def page_lines(message, recipients) -> list[str]:
    """Which page each group of recipients gets, for the plan (a page per language)."""
    if not message.pages:
        return []
    groups: dict[tuple[str, str], list[str]] = {}
    for r in recipients:
        title = render(message.page_template, **r.values)
        used, _, missing = message.pages[title]
        groups.setdefault((used, title if missing else ''), []).append(r.name)
    lines = [f'  Pages of -textpage:{message.page_template}:']
    for (used, title), names in groups.items():
        missing = f' ({title} does not exist)' if title else ''
        count = f'{len(names)} user{"s" if len(names) != 1 else ""}'
        lines.append(f'    {used}{missing}: {count} ({name_list(names, 10)})')
    return lines


def previews(campaign: Campaign, emailable: list[Recipient]) -> list[str]:
    """The email of the first of *emailable*, one per page that someone gets."""
    account = campaign.account
    firsts: dict[str, Recipient] = {}
    for r in emailable:
        firsts.setdefault(campaign.message.page_for(r.values), r)
    lines = []
    for page, first in firsts.items():
        subject, body = campaign.email_for(first)
        mail = wiki_mail(campaign.site, account.name, account.email, first.name)
        preview = format_preview(first.name, subject, body, mail)
        if page:
            preview[0] = f'Preview of the email to {first.name} (the page {page}):'
        lines += preview
    return lines
