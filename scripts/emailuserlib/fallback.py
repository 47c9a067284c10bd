"""-fallback:talk: the message on the user talk page of those who cannot be emailed.

Delivered the way MassMessage does it: a new section headed by the subject, the
body signed with ``~~~~``. A user talk page is skipped when ``{{bots}}`` or
``{{nobots}}`` forbids this bot, or when it is in MassMessage's opt-out
category.
"""

from __future__ import annotations

import pywikibot
from pywikibot import i18n
from pywikibot.exceptions import Error as PywikibotError

OPTOUT_CATEGORY = 'Opted-out of message delivery'
SUMMARY_KEY = 'emailuser-fallback-summary'
SUMMARY_EN = 'Delivering a message that could not be sent by email'


def summary(site) -> str:
    """The edit summary, translated where Pywikibot has the message, English otherwise."""
    try:
        return i18n.twtranslate(site, SUMMARY_KEY, fallback_prompt=SUMMARY_EN)
    except PywikibotError:
        return SUMMARY_EN


def refusal(page) -> str | None:
    """Why this talk page must not get the message, or None when it may."""
    if not page.botMayEdit():
        return 'talk page forbids this bot ({{bots}}/{{nobots}})'
    if page.exists() and any(c.title(with_ns=False) == OPTOUT_CATEGORY for c in page.categories()):
        return f'talk page is in Category:{OPTOUT_CATEGORY}'
    return None


def post(site, username: str, subject: str, body: str) -> None:
    """Add the message as a new section of User talk:*username*.

    :raises pywikibot.exceptions.Error: the edit failed
    """
    page = pywikibot.Page(site, username, ns=3)
    site.editpage(
        page,
        summary=summary(site),
        text=body.rstrip() + ' ~~~~',
        section='new',
        sectiontitle=subject,
        minor=False,
    )
