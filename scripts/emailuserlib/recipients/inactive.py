"""-inactive:DAYS: only the recipients with no edit and no logged action in the last DAYS days.

An edit is any revision ``list=usercontribs`` shows; a logged action any
``list=logevents`` entry the user made (``leuser``: not one about them), except
the creation of their own account. Both are asked in one request per
candidate: the newest contribution (``uclimit=1``) and the three newest log
entries (``lelimit=3``: an account is created once, and logged at most twice,
when a wiki imported its creation besides logging it).
``list=logevents`` takes one user only, and the newest contribution of each of
several users cannot be had in one request without reading all their recent
contributions, so one request per candidate is the least that gives each one's
last activity. An account registered within the last DAYS days has not been
inactive that long either.

Only candidates are asked: those the run would deliver to after the emailable
check and the opt-outs (and, in a run, what the journal says). Whoever is
active is ``left-out`` with their last activity; everyone asked gets the value
``{lastactive}``: the date of the last activity in UTC (``2025-03-01``), or of
the registration when there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from pywikibot.exceptions import Error as PywikibotError

from ..core.accounts import Recipient, Status
from ..core.errors import EXIT_PENDING, EmailUserError
from ..core.words import name_list, plural

#: The placeholder -inactive: adds to the subject and body.
COLUMN = 'lastactive'
#: What {lastactive} says of an account the wiki knows no date of at all.
UNKNOWN = 'unknown'


@dataclass(frozen=True)
class Activity:
    """A user's last edit or logged action, as far as the wiki shows it."""

    #: When, in UTC; None when the user made none.
    when: datetime | None = None
    #: What it was: ``an edit``, ``a logged action (block)``.
    what: str = ''


def wiki_time(text: str) -> datetime | None:
    """A timestamp of the API (``2025-03-01T12:00:00Z``) as an aware datetime, or None."""
    try:
        return datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def last_activity(site, name: str) -> Activity:
    """*name*'s newest edit or logged action (not their own account's creation): one request.

    :raises EmailUserError: the wiki did not answer (the run can go on later)
    """
    try:
        data = site.simple_request(
            action='query',
            list=['usercontribs', 'logevents'],
            ucuser=name,
            uclimit=1,
            ucprop='timestamp',
            leuser=name,
            lelimit=3,
            leprop='type|title|timestamp',
            formatversion=2,
        ).submit()
    except PywikibotError as e:
        raise EmailUserError(
            f'The wiki did not say when {name} was last active ({e}): nothing was sent; run '
            'the same command again later.',
            EXIT_PENDING,
        ) from None
    return newest(name, data.get('query', {}))


def newest(name: str, query: dict) -> Activity:
    """The newest activity of *name* in the wiki's answer *query* (see :func:`last_activity`)."""
    found = Activity()
    for contribution in query.get('usercontribs', ()):
        when = wiki_time(contribution.get('timestamp'))
        if when and (found.when is None or when > found.when):
            found = Activity(when, 'an edit')
    for event in query.get('logevents', ()):
        if event.get('type') == 'newusers' and _own_page(event, name):
            continue  # their own account's creation
        when = wiki_time(event.get('timestamp'))
        if when and (found.when is None or when > found.when):
            found = Activity(when, f'a logged action ({event.get("type", "")})')
    return found


def _own_page(event: dict, name: str) -> bool:
    """Whether a log *event* is about the user page of *name* (whatever its namespace name)."""
    title = str(event.get('title', ''))
    return event.get('ns') == 2 and title.partition(':')[2] == name


def day(when: datetime) -> str:
    """*when* as {lastactive} says it: the date in UTC."""
    return when.astimezone(timezone.utc).strftime('%Y-%m-%d')


@dataclass
class InactiveSearch:
    """What -inactive: found, for the plan."""

    days: int
    since: datetime
    candidates: int = 0
    requests: int = 0
    #: Who is inactive, each with their last activity in words.
    kept: list[tuple[str, str]] = field(default_factory=list)
    active: int = 0

    def summary(self) -> str:
        """The plan's sentence about who is inactive, with each one's last activity."""
        if not self.candidates:
            return ''
        shown = name_list([f'{name} ({said})' for name, said in self.kept], 10)
        kept = f': {shown}' if shown else ''
        left = f'; {self.active} left out as active' if self.active else ''
        return (
            f'  Inactive for {plural(self.days, "day")} (no edit or logged action since '
            f'{day(self.since)}): {len(self.kept)} of {plural(self.candidates, "candidate")}'
            f'{left} ({plural(self.requests, "request")}){kept}.'
        )


def describe(activity: Activity, registered: datetime | None) -> str:
    """A last activity as the plan says it: ``last active 2025-03-01 (an edit)``."""
    if activity.when:
        return f'last active {day(activity.when)}, {activity.what}'
    return f'no activity, registered {day(registered)}' if registered else 'no activity known'


def apply_inactive(
    site,
    recipients: Iterable[Recipient],
    days: int,
    candidate: Callable[[Recipient], bool],
    now: datetime | None = None,
    ask: Callable[[object, str], Activity] = last_activity,
) -> tuple[list[Recipient], InactiveSearch]:
    """*recipients*, the active ones among the *candidate* ones ``left-out``.

    Every candidate gets ``lastactive`` among its values; the others are not asked.

    :raises EmailUserError: the wiki did not answer for a candidate
    """
    now = now or datetime.now(timezone.utc)
    since = now - timedelta(days=days)
    search = InactiveSearch(days, since)
    result = []
    for r in recipients:
        if not candidate(r):
            result.append(r)
            continue
        search.candidates += 1
        search.requests += 1
        activity = ask(site, r.name)
        registered = wiki_time(r.registered)
        when = activity.when or registered
        checked = replace(r, values={**r.values, COLUMN: day(when) if when else UNKNOWN})
        if activity.when and activity.when >= since:
            search.active += 1
            checked = replace(
                checked,
                status=Status.LEFT_OUT,
                detail=f'active: {activity.what} on {day(activity.when)}',
            )
        elif registered and registered >= since:
            search.active += 1
            checked = replace(
                checked,
                status=Status.LEFT_OUT,
                detail=f'registered on {day(registered)}, less than {days} days ago',
            )
        else:
            search.kept.append((r.name, describe(activity, registered)))
        result.append(checked)
    return result, search
