"""The one way to gather recipients, for a run, ``-check`` and ``-test`` alike.

The pages of the generators, the -users: files and the names a library caller
gives, with -editors the editors of the pages, become accounts checked in
batches (:class:`~.resolve.Resolver`); the -optout: lists and MassMessage's
opt-out category (:mod:`.optout`) settle who asked for no mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pywikibot

from ..core.accounts import Recipient, Status
from ..core.errors import EmailUserError
from ..options.settings import Settings
from ..wiki.site import USER_NS, USER_TALK_NS
from . import editors
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
    """The placeholders that the -users: files and -editors add to the message.

    :raises EmailUserError: a column of the files has a name -editors fills in
    """
    if not settings.editors:
        return lists.columns
    taken = [c for c in editors.COLUMNS if c in lists.columns]
    if taken:  # one value per placeholder, or some readers would get the file's
        raise EmailUserError(
            f'The -users: files have a column {taken[0]}, and -editors fills '
            f'{{{taken[0]}}} with what each editor did: rename that column.'
        )
    return lists.columns + editors.COLUMNS


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
    search = None
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
    resolver = Resolver(site, optout_names(site, settings.optout), values, progress)
    found = resolver.from_names_and_pages([*names, *lists.names], pages or (), accounts)
    try:
        found = apply_massmessage_optout(site, found, resolver, ignore=settings.ignoremassoptout)
    except KeyboardInterrupt:
        if progress is not None:  # who would be emailed is not known yet
            progress.stopped([_unsettled(r) for r in found])
        raise
    return Gathered(tuple(found + editors.left_out(search, found)), resolver, search)


def _unsettled(r: Recipient) -> Recipient:
    """*r* as a stop before MassMessage's opt-out category was read leaves it."""
    if r.status == Status.EMAILABLE:
        return replace(r, status=Status.PENDING, detail=STOPPED)
    return r
