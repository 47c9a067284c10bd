"""-group: the members of user groups, as the wiki lists them, as recipients.

The wiki's explicit groups (those it can list members of: ``sysop``,
``bureaucrat``, ``bot`` and whatever the wiki defines) are the values that its
``list=allusers`` module takes for ``augroup``, as ``action=paraminfo``
describes it; ``user`` means every account (``list=allusers`` without
``augroup``). Any other name, an implicit group (``autoconfirmed``, ``*``) or
one the wiki does not have, is refused before anything is sent, naming the
wiki's groups. Members are read ``aulimit=max`` at a time, all groups in one
request, and go on as accounts (user id and name as the wiki gives them) to the
same check as every other recipient.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core.accounts import Recipient, Status
from ..core.errors import EmailUserError
from ..core.words import name_list, plural

#: The group every account is in, which -group: takes to mean every account.
EVERYONE = 'user'
#: Why the sending account is not a recipient of its own mailing.
SENDER = 'the sending account'


@dataclass
class GroupSearch:
    """What -group: found: the members, in the order the wiki lists them."""

    groups: tuple[str, ...] = ()
    #: Members' names as the wiki gives them, each once.
    names: list[str] = field(default_factory=list)
    requests: int = 0
    #: The sending account, when it is a member: left out.
    sender: str = ''

    def summary(self) -> str:
        """The plan's sentence about the groups and their members."""
        which = (
            'every account'
            if EVERYONE in self.groups
            else f'the group{"s" if len(self.groups) > 1 else ""} {", ".join(self.groups)}'
        )
        left = ', the sending account left out' if self.sender else ''
        found = len(self.names) + bool(self.sender)
        return (
            f'  Members of {which}: {plural(found, "account")}{left} '
            f'({plural(self.requests, "request")}).'
        )

    def left_out(self, recipients: Iterable[Recipient]) -> list[Recipient]:
        """The sending account as ``left-out``, unless another source named it."""
        if not self.sender or any(r.name == self.sender for r in recipients):
            return []
        return [Recipient(self.sender, Status.LEFT_OUT, SENDER, source='-group:')]


def explicit_groups(site) -> list[str]:
    """The groups whose members the wiki lists: what ``list=allusers`` takes as ``augroup``."""
    param = site._paraminfo.parameter('query+allusers', 'group') or {}
    kind = param.get('type')
    return sorted(kind) if isinstance(kind, list) else []


def check_groups(site, groups: Iterable[str]) -> tuple[str, ...]:
    """*groups* as the wiki has them, each once.

    :raises EmailUserError: a group the wiki cannot list (implicit, or none of its own)
    """
    known = explicit_groups(site)
    wanted = tuple(dict.fromkeys(groups))
    for group in wanted:
        if group == EVERYONE or group in known:
            continue
        lowered = {g.lower(): g for g in known}
        hint = f' (did you mean {lowered[group.lower()]}?)' if group.lower() in lowered else ''
        implicit = group in ('*', 'autoconfirmed', 'emailconfirmed', 'temp', 'named')
        what = (
            'is a group the wiki gives implicitly, and cannot list the members of'
            if implicit
            else 'is no group of this wiki'
        )
        raise EmailUserError(
            f'-group:{group} {what}{hint}: give one of {name_list(known, 40)}, or '
            f'-group:{EVERYONE} for every account.'
        )
    return wanted


def members(site, groups: Iterable[str]) -> GroupSearch:
    """The members of *groups* (checked with :func:`check_groups`), each account once.

    The sending account, when logged in, is left out (:attr:`GroupSearch.sender`).

    :raises EmailUserError: a group the wiki cannot list
    """
    wanted = check_groups(site, groups)
    search = GroupSearch(wanted)
    params = {
        'action': 'query',
        'list': 'allusers',
        'aulimit': 'max',
        'formatversion': 2,
    }
    if EVERYONE not in wanted:
        params['augroup'] = list(wanted)
    sender = site.userinfo.get('name', '') if site.logged_in() else ''
    seen: set[int] = set()
    while True:
        data = site.simple_request(**params).submit()
        search.requests += 1
        for user in data.get('query', {}).get('allusers', []):
            userid, name = user.get('userid'), user.get('name')
            if not name or userid in seen:
                continue
            seen.add(userid)
            if name == sender:
                search.sender = name
                continue
            search.names.append(name)
        more = data.get('continue')
        if not more:
            return search
        params.update(more)
