"""The one way to gather recipients, for a run, ``-check`` and ``-test`` alike.

The pages of the generators, the -users: files and the names a library caller
gives, with -editors the editors of the pages and with -group: the members of
user groups, become accounts checked in batches (:class:`~.resolve.Resolver`);
the -optout: lists and MassMessage's opt-out category (:mod:`.optout`) settle
who asked for no mail. -inactive: then keeps those without recent activity
(:func:`narrow`): in a run, after the journal has said whom it reached, so that
nobody reached already costs a request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import pywikibot

from ..core.accounts import Recipient, Status
from ..core.errors import EmailUserError, Interrupted
from ..options.settings import Settings
from ..wiki.site import USER_NS, USER_TALK_NS
from . import editors, inactive
from .groups import GroupSearch, members
from .namelist import NameList, read_lists
from .optout import apply_massmessage_optout, optout_names
from .resolve import STOPPED, Resolver


@dataclass(frozen=True)
class Gathered:
    """Who the run considers, and how they were found."""

    recipients: tuple[Recipient, ...]
    #: Looks the recipients up again during the run (opt-outs, emailability).
    resolver: Resolver
    #: What -editors found (for the plan), or None.
    search: editors.EditorSearch | None = None
    #: What -group: found (for the plan), or None.
    groups: GroupSearch | None = None

    def notes(self) -> list[str]:
        """The plan's lines about where the recipients came from, besides -editors."""
        return [self.groups.summary()] if self.groups else []


def user_lists(site, settings: Settings) -> NameList:
    """The users of the -users: files, their repeats reported.

    :raises EmailUserError: a file cannot be used; nothing was sent
    """
    if not settings.users:
        return NameList()
    lists = read_lists(site, settings.users)
    for sentence in lists.duplicates:
        pywikibot.warning(sentence)
    return lists


def columns(settings: Settings, lists: NameList) -> tuple[str, ...]:
    """The placeholders that the -users: files, -editors and -inactive: add to the message.

    :raises EmailUserError: a column of the files has a name -editors or -inactive: fills in
    """
    added = []
    if settings.editors:
        added += [(c, '-editors', 'what each editor did') for c in editors.COLUMNS]
    if settings.inactive:
        added.append((inactive.COLUMN, '-inactive:', 'when each recipient was last active'))
    for column, option, what in added:
        if column in lists.columns:  # one value per placeholder, or some readers would get
            raise EmailUserError(  # the file's
                f'The -users: files have a column {column}, and {option} fills '
                f'{{{column}}} with {what}: rename that column.'
            )
    return lists.columns + tuple(column for column, _, _ in added)


def gather(
    site,
    settings: Settings,
    pages: Iterable | None,
    lists: NameList,
    names: Iterable[str] = (),
    progress=None,
) -> Gathered:
    """Every recipient the pages, files and *names* lead to, checked in batches.

    With -editors, the user pages among *pages* keep their meaning (their user:
    the people who edited someone's user page are not invited for it), and the
    editors of the other pages are recipients with their ``{edits}`` and
    ``{pages}``; those left out follow the recipients with the reason.
    *progress* (:class:`~..run.progress.CheckProgress`) follows the check of
    the names, and gets what was known when it is stopped.

    :raises EmailUserError: an input cannot be used (-editors without a
        generator, an opt-out list that does not exist ...)
    """
    values = lists.values
    accounts: list[str] = []
    search = groups = None
    if settings.editors:
        if pages is None:
            raise EmailUserError(
                '-editors reads the editors of the pages that generators give: add one, '
                'such as -cat:TITLE or -file:FILE.'
            )
        named, read = [], []
        for page in pages:
            (named if page.namespace() in (USER_NS, USER_TALK_NS) else read).append(page)
        search = editors.find(site, read, settings.since, settings.minedits)
        pages, accounts = named, search.names
        values = dict(values)
        for name, found in search.values.items():
            values[name] = {**values.get(name, {}), **found}
    if settings.group:
        groups = members(site, settings.group)
        accounts = [*accounts, *groups.names]
    resolver = Resolver(site, optout_names(site, settings.optout), values, progress)
    found = resolver.from_names_and_pages([*names, *lists.names], pages or (), accounts)
    try:
        found = apply_massmessage_optout(site, found, resolver, ignore=settings.ignoremassoptout)
    except (KeyboardInterrupt, Interrupted):
        if progress is not None:  # who would be emailed is not known yet
            progress.stopped([_unsettled(r) for r in found])
        raise
    left = editors.left_out(search, found) + (groups.left_out(found) if groups else [])
    return Gathered(tuple(found + left), resolver, search, groups)


def candidate(settings: Settings) -> Callable[[Recipient], bool]:
    """Whom -inactive: asks about: those a run would deliver to as their status is now
    (with a talk page option, those who cannot be emailed get the post, unless made)."""

    def asked(r: Recipient) -> bool:
        if r.status == Status.NOT_EMAILABLE:
            return settings.talk and r.talk is None
        return r.status == Status.EMAILABLE

    return asked


def narrow(
    site, settings: Settings, recipients: Iterable[Recipient]
) -> tuple[tuple[Recipient, ...], list[str]]:
    """*recipients* as -inactive: leaves them, and the plan's line about it.

    Only those the run would deliver to are asked about; the others keep what
    they are.

    :raises EmailUserError: the wiki did not say when a candidate was last active
    """
    recipients = tuple(recipients)
    if not settings.inactive:
        return recipients, []
    found, search = inactive.apply_inactive(
        site, recipients, settings.inactive, candidate(settings)
    )
    summary = search.summary()
    return tuple(found), [summary] if summary else []


def _unsettled(r: Recipient) -> Recipient:
    """*r* as a stop before MassMessage's opt-out category was read leaves it."""
    if r.status == Status.EMAILABLE:
        return replace(r, status=Status.PENDING, detail=STOPPED)
    return r
