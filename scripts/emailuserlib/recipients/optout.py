"""Who asked for no mail: the -optout: lists and MassMessage's opt-out category.

The users of an opt-out page (the users it links to) or category (its
members), wherever its redirects lead, are accounts: :class:`~.resolve.Resolver`
finds them through renames. MassMessage's opt-out category keeps its members out
of email too (unless the operator says the mail is no mass mailing, with
-ignoremassoptout).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import pywikibot

from ..core.accounts import Recipient, Status
from ..core.errors import EmailUserError
from ..core.words import name_list
from ..wiki.site import (
    CATEGORY_NS,
    USER_NS,
    USER_TALK_NS,
    normalize_username,
    optout_category,
    user_from_title,
)
from ..wiki.titles import local_page, redirect_chain
from .resolve import Resolver


def massmessage_optout(site) -> tuple[str, set[str]]:
    """MassMessage's opt-out category on *site* and the users who put themselves in it.

    A user is in it when their user page or user talk page is (MassMessage
    itself looks at the talk page); a subpage is not the user's word, as it
    often holds a copy of someone else's page.
    """
    category = optout_category(site)
    users = set()
    for page in category.members(namespaces=[USER_NS, USER_TALK_NS]):
        title = page.title(with_ns=False)
        if '/' not in title:
            users.add(normalize_username(title, first_letter=False))
    return category.title(), users


def apply_massmessage_optout(
    site, recipients: list[Recipient], resolver: Resolver, ignore: bool = False
) -> list[Recipient]:
    """*recipients*, with the members of MassMessage's opt-out category ``opted-out``.

    Members are accounts, as the names of the -optout: lists are: a renamed user
    whose old user talk page stayed in the category is found through the wiki's
    rename log (by *resolver*). Only users the wiki would email change: one who
    cannot be emailed anyway keeps that status. With *ignore* (-ignoremassoptout)
    they are emailed, and the operator is told who they are.
    """
    candidates = [r for r in recipients if r.status == Status.EMAILABLE]
    if not candidates:
        return recipients
    title, members = massmessage_optout(site)
    # A member named as a candidate is that account; the others may be old names.
    others = sorted(members - {r.name for r in candidates})
    where = f'in {title}'
    ids = resolver.optout_accounts(others, where) if others else {}
    why = {}
    for r in candidates:
        if r.name in members:
            why[id(r)] = where
        elif r.userid is not None and r.userid in ids:
            why[id(r)] = ids[r.userid]  # an old name of the account, and how it leads here
    opted = set(why)
    if ignore:
        if opted:
            names = [r.name for r in candidates if id(r) in opted]
            pywikibot.warning(
                f'{len(names)} of the recipients are in {title}, which asks for no mass '
                f'messages ({name_list(names)}): they are emailed as -ignoremassoptout asks.'
            )
        return recipients
    return [
        replace(r, status=Status.OPTED_OUT, detail=why[id(r)]) if id(r) in opted else r
        for r in recipients
    ]


def optout_names(site, titles: Iterable[str]) -> dict[str, str]:
    """Users linked from, or listed in, the given opt-out pages and categories, each
    with where (``linked from Project:No mail``), for the reason the plan gives.

    A page or category given by a redirect is read where the wiki's redirects
    lead (a category also keeps the members of every category on the way), and
    the reason names that redirect. The names are as the pages write them:
    :meth:`Resolver.accounts` finds their accounts, through renames. A name on
    several lists is where the first list has it.

    :raises EmailUserError: an opt-out page does not exist, or a category has
        neither a page nor members (a typo would otherwise email those who
        opted out)
    :raises EmailUserError: an opt-out title, or where its redirect leads, is no
        page of this wiki (a loop, a special page, another wiki)
    """
    names: dict[str, str] = {}
    for title in titles:
        page = local_page(site, title, '-optout')
        chain = redirect_chain(site, page, '-optout', title)
        target = chain[-1]
        members = []

        def where(each, how: str, page=page) -> str:
            said = f'{how} {each.title()}'
            if each.title() != page.title():
                said += f', which the opt-out list {page.title()} redirects to'
            return said

        for each in chain:
            if each.namespace() == CATEGORY_NS:
                category = pywikibot.Category(site, each.title())
                members += [(m, where(each, 'in')) for m in category.members()]
        if page.namespace() == CATEGORY_NS:
            if not members and not page.exists():
                raise EmailUserError(
                    f'The opt-out category {title} does not exist and has no members: '
                    'check the title given with -optout:.'
                )
        elif target.namespace() == CATEGORY_NS:
            pass  # a page that redirects to a category: its members, read above
        elif target.exists():
            members += [(m, where(target, 'linked from')) for m in target.linkedPages()]
        elif target is page:
            raise EmailUserError(
                f'The opt-out page {title} does not exist: check the title given with -optout:.'
            )
        else:
            raise EmailUserError(
                f'The opt-out page {title} redirects to {target.title()}, which does not '
                'exist: fix the redirect on the wiki, or check the title given with -optout:.'
            )
        for member, said in members:
            name = user_from_title(member.namespace(), member.title(with_ns=False))
            if name:
                names.setdefault(name, said)
    return names
