"""What the script does on its own for the people it emails, besides their own settings.

MassMessage's opt-out category keeps its members out of email too (unless the
operator says the mail is no mass mailing, with -ignoremassoptout). A mailing
with an opt-out list tells each reader how to get onto it: a short paragraph at
the end of every email, from the script's i18n messages (or -optoutnote:). A
sender that is not autoconfirmed yet is warned that some users refuse its mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pywikibot

from . import fallback
from .message import check_template
from .outcomes import Status
from .pagetext import page_url
from .recipients import (
    CATEGORY_NS,
    USER_NS,
    USER_TALK_NS,
    Recipient,
    Resolver,
    normalize_username,
)
from .sources import local_page
from .translations import translate

#: The script's messages for the way out, by the kind of opt-out list, with their English.
NOTE_MESSAGES = {
    'page': (
        'emailuser-optout-page',
        'To get no more mailings like this one, add a link to your user page to this page: %(url)s',
    ),
    'category': (
        'emailuser-optout-category',
        'To get no more mailings like this one, add [[%(category)s]] to your user page. '
        'The category: %(url)s',
    ),
}
#: -optoutnote:none leaves the paragraph out.
NO_NOTE = 'none'
#: Where -optoutnote: puts the address of the opt-out page ({{url}} is no placeholder).
URL = re.compile(r'(?<!\{)\{url\}(?!\})')


def massmessage_optout(site) -> tuple[str, set[str]]:
    """MassMessage's opt-out category on *site* and the users who put themselves in it.

    A user is in it when their user page or user talk page is (MassMessage
    itself looks at the talk page); a subpage is not the user's word, as it
    often holds a copy of someone else's page.
    """
    category = fallback.optout_category(site)
    users = set()
    for page in category.members(namespaces=[USER_NS, USER_TALK_NS]):
        title = page.title(with_ns=False)
        if '/' not in title:
            users.add(normalize_username(title, first_letter=False))
    return category.title(), users


def apply_massmessage_optout(
    site,
    recipients: Iterable[Recipient],
    ignore: bool = False,
    resolver: Resolver | None = None,
) -> None:
    """Settle the members of MassMessage's opt-out category as ``opted-out``.

    Members are accounts, as the names of the -optout: lists are: a renamed user
    whose old user talk page stayed in the category is found through the wiki's
    rename log (by *resolver*, made when not given). Only users the wiki would
    email change: one who cannot be emailed anyway keeps that status. With
    *ignore* (-ignoremassoptout) they are emailed, and the operator is told who
    they are.
    """
    candidates = [r for r in recipients if r.status == Status.EMAILABLE]
    if not candidates:
        return
    title, members = massmessage_optout(site)
    # A member named as a candidate is that account; the others may be old names.
    others = sorted(members - {r.name for r in candidates})
    ids = (resolver or Resolver(site)).optout_accounts(others) if others else set()
    opted = [r for r in candidates if r.name in members or r.userid in ids]
    if ignore:
        if opted:
            names = ', '.join(r.name for r in opted[:20])
            more = f' and {len(opted) - 20} more' if len(opted) > 20 else ''
            pywikibot.warning(
                f'{len(opted)} of the recipients are in {title}, which asks for no mass '
                f'messages ({names}{more}): they are emailed as -ignoremassoptout asks.'
            )
        return
    for r in opted:
        r.status, r.detail = Status.OPTED_OUT, f'in {title}'


def optout_note(site, titles: list[str], custom: str = '', columns: tuple[str, ...] = ()) -> str:
    """The paragraph that ends every email of a mailing with the opt-out list *titles*.

    It names the first list: how to get onto it and its full address. *custom*
    (-optoutnote:) replaces the wording, ``{url}`` standing for the address;
    ``none`` leaves the paragraph out. Empty without an opt-out list.

    :raises MessageError: -optoutnote: has a placeholder the message does not know
    """
    if custom == NO_NOTE:
        return ''
    # The option table saw that it has {url} and comes with an -optout: list.
    if custom:
        check_template(custom, 'opt-out note (-optoutnote:)', (*columns, 'url'))
    if not titles:
        return ''
    # Checked as every -optout: title is, before Pywikibot parses it.
    page = local_page(site, titles[0], '-optout')
    title = page.title()
    url = page_url(site, title)
    if custom:
        return URL.sub(lambda _: url, custom.replace('\\n', '\n')).strip()
    key, english = NOTE_MESSAGES['category' if page.namespace() == CATEGORY_NS else 'page']
    return translate(site, key, {'url': url, 'category': title}, english)


def with_note(body: str, note: str) -> str:
    """*body* with *note* as its last paragraph."""
    return f'{body.rstrip()}\n\n{note}\n' if note else body


def new_sender_warning(account, sitename: str) -> str | None:
    """The warning for an account that is not autoconfirmed yet, or None.

    MediaWiki lets users refuse email from new accounts (the preference
    ``email-allow-new-users``): the wiki refuses those at the send, and
    ``list=users`` cannot show it beforehand. "New" is the lack of the
    ``autoconfirmed`` right, as MediaWiki's own check has it.
    """
    if 'autoconfirmed' in account.rights:
        return None
    return (
        f'The account {account.name} is not autoconfirmed on {sitename} yet, so users who '
        'accept no email from new accounts will refuse this mail (a preference the check '
        'cannot see): send from an established account, or once this one is autoconfirmed.'
    )
