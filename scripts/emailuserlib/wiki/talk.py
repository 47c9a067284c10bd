"""-fallback:talk: the message on the user talk page of those who cannot be emailed.

Delivered the way MassMessage does it: a new section headed by the subject, the
body signed with ``~~~~``. A user talk page is skipped when it is a redirect,
when ``{{bots}}`` or ``{{nobots}}`` forbids this bot, or when it is in
MassMessage's opt-out category, by the name the wiki gives it. The edit is made at most once (see
:func:`post`).
"""

from __future__ import annotations

import pywikibot
from pywikibot import config
from pywikibot.exceptions import Error as PywikibotError

from ..core.accounts import Status
from ..core.errors import NotSent
from .i18n import translate
from .post import Outcome, api_error, edit_params, post_once
from .site import optout_category

SUMMARY_KEY = 'emailuser-fallback-summary'
SUMMARY_EN = 'Delivering a message that could not be sent by email'


def summary(site) -> str:
    """The edit summary in the wiki's language, from the script's own messages."""
    return translate(site, SUMMARY_KEY, {}, SUMMARY_EN)


def refusal(page) -> str | None:
    """Why this talk page must not get the message, or None when it may."""
    # A section on a redirect is read by nobody; followed, the redirect could reach
    # another user's talk page, which anyone may arrange.
    if page.exists() and page.isRedirectPage():
        return "talk page is a redirect, which may lead to another user's page"
    if not page.botMayEdit():
        return 'talk page forbids this bot ({{bots}}/{{nobots}})'
    optout = optout_category(page.site)
    # The user page too: who put it in the category asked for no mass messages.
    user_page = pywikibot.Page(page.site, page.title(with_ns=False), ns=2)
    for which, candidate in (('talk page', page), ('user page', user_page)):
        if candidate.exists() and any(category == optout for category in candidate.categories()):
            return f'{which} is in {optout.title()}'
    return None


def _latest_revid(site, title: str) -> int:
    """The page's latest revision id, 0 when it does not exist (a read, retried)."""
    data = site.simple_request(action='query', prop='info', titles=title, formatversion=2).submit()
    pages = data.get('query', {}).get('pages', [{}])
    return int(pages[0].get('lastrevid', 0) or 0)


def _section_landed(site, title: str, since: int, account: str, heading: str) -> bool:
    """Whether a revision after *since* by *account* carries the section *heading*."""
    data = site.simple_request(
        action='query',
        prop='revisions',
        titles=title,
        rvprop='ids|user|content',
        rvslots='main',
        rvlimit=10,
        formatversion=2,
    ).submit()
    pages = data.get('query', {}).get('pages', [{}])
    for revision in pages[0].get('revisions', []):
        if revision.get('revid', 0) <= since or revision.get('user') != account:
            continue
        content = revision.get('slots', {}).get('main', {}).get('content', '')
        if heading in content:
            return True
    return False


def post(site, username: str, subject: str, body: str, account: str) -> Outcome:
    """Add the message as a new section of User talk:*username*, at most once.

    The edit is one POST that is never repeated blindly (Pywikibot repeats an
    edit after a 502 or 504, and the first one may have been saved): when its
    answer is lost, the page's latest revisions say whether this account's
    section was saved (``posted``); when they cannot say, it is ``uncertain``.
    """
    title = pywikibot.Page(site, username, ns=3).title()
    if config.simulate:
        return Outcome(Status.POSTED, 'simulated')
    try:
        before = _latest_revid(site, title)
    except PywikibotError as e:
        return Outcome(Status.FAILED, f'talk page: {e}')
    site.throttle(write=True)
    for attempt in (1, 2):
        params = edit_params(
            site,
            title,
            summary(site),
            section='new',
            sectiontitle=subject,
            text=body.rstrip() + ' ~~~~',
        )
        try:
            answer = post_once(site, params)
        except NotSent as e:
            return Outcome(Status.FAILED, f'talk page: nothing was posted ({e})')
        if isinstance(answer, Outcome):  # lost: look whether the section is there
            try:
                landed = _section_landed(site, title, before, account, f'== {subject} ==')
            except PywikibotError:
                return Outcome(Status.UNCERTAIN, f'talk page: {answer.detail}')
            if landed:
                return Outcome(Status.POSTED, title)
            return Outcome(
                Status.UNCERTAIN, f'talk page: {answer.detail}, and the section is not there yet'
            )
        error = api_error(answer)
        if error is not None:
            code, info = error
            if code == 'badtoken' and attempt == 1:  # refused before editing: once more
                site.tokens.clear()
                continue
            return Outcome(Status.FAILED, f'talk page: {code}: {info}')
        result = answer.get('edit', {})
        if result.get('result') == 'Success':
            return Outcome(Status.POSTED, title)
        return Outcome(Status.FAILED, f'talk page: the wiki did not save the edit ({result})')
    return Outcome(Status.FAILED, 'talk page: the session token was refused twice')
