"""-fallback:talk: the message on the user talk page of those who cannot be emailed.

Delivered the way MassMessage does it: a new section headed by the subject, the
body signed with ``~~~~``. A user talk page is skipped when ``{{bots}}`` or
``{{nobots}}`` forbids this bot, or when it is in MassMessage's opt-out
category, by the name the wiki gives it.
"""

from __future__ import annotations

import pywikibot
from pywikibot import i18n
from pywikibot.exceptions import Error as PywikibotError

#: MassMessage's opt-out category: the wiki's name for it is this message's text.
OPTOUT_MESSAGE = 'massmessage-optout-category'
#: Its name where the wiki does not define the message (MassMessage's English default).
OPTOUT_CATEGORY = 'Opted-out of message delivery'
SUMMARY_KEY = 'emailuser-fallback-summary'
SUMMARY_EN = 'Delivering a message that could not be sent by email'


def summary(site) -> str:
    """The edit summary, translated where Pywikibot has the message, English otherwise."""
    try:
        return i18n.twtranslate(site, SUMMARY_KEY, fallback_prompt=SUMMARY_EN)
    except PywikibotError:
        return SUMMARY_EN


_optout_categories: dict[object, pywikibot.Category] = {}


def optout_category(site) -> pywikibot.Category:
    """MassMessage's opt-out category on *site*, named as the wiki names it.

    Asked of the wiki once per site: Pywikibot keeps no answer for a missing message.
    """
    if site not in _optout_categories:
        try:
            name = site.mediawiki_message(OPTOUT_MESSAGE).strip() or OPTOUT_CATEGORY
        except KeyError:  # MassMessage is not installed and the page is not defined
            name = OPTOUT_CATEGORY
        _optout_categories[site] = pywikibot.Category(site, name)
    return _optout_categories[site]


def refusal(page) -> str | None:
    """Why this talk page must not get the message, or None when it may."""
    if not page.botMayEdit():
        return 'talk page forbids this bot ({{bots}}/{{nobots}})'
    if page.exists():
        optout = optout_category(page.site)
        if any(category == optout for category in page.categories()):
            return f'talk page is in {optout.title()}'
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
