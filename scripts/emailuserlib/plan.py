"""The plan shown before anything is sent: who gets mail, who does not and why, how long.

:func:`format_plan` and :func:`format_preview` make the lines from plain values;
:func:`show_plan` prints them for a prepared campaign, with the preview of the
first email as the wiki will send it (:mod:`.wikimail`; one per page with a page
per language, :mod:`.langpages`), and :func:`nothing_fits_now` words what the
plan says when the account's limit lets no email go now.
"""

from __future__ import annotations

import shlex
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pywikibot
from pywikibot import config

from . import langpages, wikimail
from .budget import RateLimit
from .outcomes import Status, with_detail
from .recipients import Recipient
from .timing import duration, estimate_seconds

if TYPE_CHECKING:
    from .prepare import Campaign

#: How many names the plan lists per skip reason before it summarises.
SHOW_NAMES = 20


def name_list(names: list[str], limit: int = SHOW_NAMES) -> str:
    """The first *limit* of *names*, and how many more there are."""
    more = len(names) - limit
    return ', '.join(names[:limit]) + (f' and {more} more' if more > 0 else '')


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
    #: Where options came from besides the command line: ``settings from PATH [emailuser]``.
    settings: str = ''
    #: -test: who gets the one test email ('' for a real run or a simulation).
    test: str = ''
    #: Lines about where the recipients came from (-editors), after the first line.
    sources: list[str] = field(default_factory=list)


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
        else:
            lines.append('    nobody reached yet.')
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


def nothing_fits_now(campaign: Campaign, opt, emailable: bool) -> tuple[str, str]:
    """A line for the plan, or the refusal, when the limits allow no email now.

    Returns ``(note, refusal)``, either or both empty. A simulation and -wait go
    on, the plan saying so; a real run and -test stop before the preview (they
    would only show it and stop after 0 emails). *emailable*: someone would be
    emailed.
    """
    budget = campaign.budget
    wait = budget.wait()
    if wait <= 0 or not (emailable or opt.test):
        return '', ''
    limit = budget.blocking()
    at = time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(time.time() + wait))
    which = f"The account's email limit of {limit.describe()} ({limit.source})"
    if config.simulate:
        say = 'a real run would wait for it (-wait)' if opt.wait else 'a real run would stop here'
    elif opt.wait and not opt.test:
        say = 'the run waits for it (-wait)'
    else:
        what = 'the test email' if opt.test else 'the next email'
        return '', (
            f'{which} allows no email now, so nothing was sent: {what} can go at {at} '
            f'(in {duration(wait)}). Then run:\n    {rerun_command()}'
            + ('' if opt.test else '\nor add -wait to wait for it now.')
        )
    return (
        f'  {which} allows no email now: {say}; the next email can go at {at} '
        f'(in {duration(wait)}).'
    ), ''


def show_plan(
    campaign: Campaign, facts: PlanFacts, opt, preview: bool = True, note: str = ''
) -> None:
    """Print the plan, *note*, and with *preview* the first email as its recipient gets it."""
    for line in format_plan(campaign.recipients, facts):
        pywikibot.info(line)
    if campaign.new_journal and not opt.test:
        pywikibot.warning(
            f'The journal {facts.journal} is new: runs recorded in any other journal are '
            'unknown to it, so whoever they emailed gets this message again. If this campaign '
            'ran before, stop now and give its journal with -journal:.'
        )
    if note:
        pywikibot.info(note)
    if opt.fallback == 'talk':
        posts = sum(1 for r in campaign.recipients if r.status == Status.NOT_EMAILABLE)
        if posts:
            pywikibot.info(
                f'  {posts} of the users who cannot be emailed '
                + ('would get' if config.simulate else 'get')
                + ' the message on their talk page instead (-fallback:talk), '
                "unless {{bots}}/{{nobots}} there or MassMessage's opt-out category on "
                'their user or talk page forbids it, or the talk page is a redirect.'
            )
    emailable = [r for r in campaign.recipients if r.status == Status.EMAILABLE]
    for line in langpages.plan_lines(campaign.message, emailable):
        pywikibot.info(line)
    if preview:
        show_previews(campaign, emailable)


def show_previews(campaign: Campaign, emailable: list[Recipient]) -> None:
    """Print the email of the first of *emailable*, one per page that someone gets."""
    account = campaign.account
    firsts: dict[str, Recipient] = {}
    for r in emailable:
        firsts.setdefault(campaign.message.page_for(r.values), r)
    for page, first in firsts.items():
        subject, body = campaign.email_for(first)
        mail = wikimail.wiki_mail(campaign.site, account.name, account.email, first.name)
        lines = format_preview(first.name, subject, body, mail)
        if page:
            lines[0] = f'Preview of the email to {first.name} (the page {page}):'
        for line in lines:
            pywikibot.info(line)
