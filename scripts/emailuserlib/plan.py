"""The plan shown before anything is sent: who gets mail, who does not and why, how long."""

from __future__ import annotations

from collections import defaultdict

from .preflight import Account, duration, estimate_seconds
from .recipients import EMAILABLE, Recipient

#: How many names the plan lists per skip reason before it summarises.
SHOW_NAMES = 20


def describe(recipient: Recipient) -> str:
    """A recipient's name with its detail, for the operator."""
    return f'{recipient.name} ({recipient.detail})' if recipient.detail else recipient.name


def name_list(names: list[str], limit: int = SHOW_NAMES) -> str:
    """The first *limit* of *names*, and how many more there are."""
    more = len(names) - limit
    return ', '.join(names[:limit]) + (f' and {more} more' if more > 0 else '')


def format_plan(
    recipients: list[Recipient],
    account: Account | None,
    sitename: str,
    put_throttle: float,
    max_count: int = 0,
    simulate: bool = False,
) -> list[str]:
    """The lines of the plan, in the order the operator reads them."""
    to_send = [r for r in recipients if r.status == EMAILABLE]
    skipped: dict[str, list[Recipient]] = defaultdict(list)
    for r in recipients:
        if r.status != EMAILABLE:
            skipped[r.status].append(r)
    who = f' as {account.name}' if account else ''
    lines = [f'Plan for {sitename}{who}:']
    count = len(to_send)
    this_run = min(count, max_count) if max_count else count
    verb = 'would be emailed (simulation)' if simulate else 'will be emailed'
    lines.append(
        f'  {count} user{"s" if count != 1 else ""} {verb}'
        + (f', at most {max_count} in this run (-max)' if max_count and max_count < count else '')
        + '.'
    )
    if skipped:
        total = sum(len(v) for v in skipped.values())
        lines.append(f'  {total} skipped:')
        for reason in sorted(skipped):
            group = skipped[reason]
            lines.append(f'    {reason} ({len(group)}): {name_list([describe(r) for r in group])}')
    limit = account.ratelimit if account else None
    if account is not None:
        if limit is None:
            lines.append('  Rate limit: none applies to this account.')
        else:
            lines.append(f'  Rate limit: {limit.describe()} for this account.')
            if this_run > limit.hits:
                lines.append(
                    f'  Only the first {limit.hits} fit into one window of the limit '
                    '(fewer if the account sent email recently): the run stops there '
                    'and a rerun later goes on, or -wait waits for the wiki.'
                )
    seconds = estimate_seconds(this_run, put_throttle, limit)
    lines.append(
        f'  Estimated time: about {duration(seconds)} '
        f'(put throttle {put_throttle:g} s'
        + (', rate limit' if limit and this_run > limit.hits else '')
        + ').'
    )
    return lines
