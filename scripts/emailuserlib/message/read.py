"""The message of a run, read once from where the options say: -text:, -textfile: or a page.

A -textpage: is rendered by the wiki itself (``action=parse``, redirects
followed) and turned into plain text as its readers see it (:mod:`.html`).
With columns of the -users: files in its title (``-textpage:"Invitation/{lang}"``)
each recipient gets the page their row names, as MassMessage sends
``Page/<lang>``: where that page does not exist, the page without the
``/{lang}`` part (the base page) is used. Every distinct page is fetched,
rendered and checked before the first email.

A mailing with an opt-out list tells each reader how to get onto it: a short
paragraph at the end of every email, from the script's i18n messages (or
-optoutnote:).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

import pywikibot
from pywikibot.exceptions import APIError

from ..core.errors import EmailUserError, Unshowable
from ..core.sentences import UNNAMED_CAMPAIGN
from ..core.words import braces, has_words
from ..options.settings import Settings
from ..wiki.i18n import translate
from ..wiki.site import CATEGORY_NS, batches
from ..wiki.titles import local_page, page_url, redirect_chain
from .html import text_from_html
from .template import Message, PageSource, check_template, placeholders, render

#: The script's messages for the way out, by the kind of opt-out list, with their English.
NOTE_MESSAGES = {
    'page': (
        'emailuser-optout-page',
        'To get no more mailings like this one, edit this page and add a link to your own user '
        'page to it: %(url)s',
    ),
    'category': (
        'emailuser-optout-category',
        'To get no more mailings like this one, add [[%(category)s]] to your user page. '
        'The category: %(url)s',
    ),
}
#: Where -optoutnote: puts the address of the opt-out page ({{url}} is no placeholder).
URL = re.compile(r'(?<!\{)\{url\}(?!\})')
#: A last title part that is one placeholder, as in Invitation/{lang}.
_LANGUAGE_PART = re.compile(r'/\{[^{}/\s]+\}$')


def read_message(
    site,
    settings: Settings,
    columns: tuple[str, ...] = (),
    rows: Iterable[dict[str, str]] = (),
    interactive: bool | None = None,
) -> Message:
    """The subject and body, checked before anything else happens.

    *columns* are the placeholders that the -users: files and -editors add;
    *rows* the values of the files' rows, whose columns may name a page per
    language in -textpage:.

    :raises EmailUserError: the message cannot be sent as given; the sentence says why
    """
    if interactive is None:
        interactive = sys.stdin.isatty()
    subject = settings.subject
    if not subject:
        if not interactive:
            raise EmailUserError('A subject is required: give it with -subject:TEXT.')
        subject = pywikibot.input('Subject of the email:')
        if not settings.campaign and not has_words(subject):
            raise EmailUserError(
                f'The subject "{subject}" {UNNAMED_CAMPAIGN}: give the campaign a name with '
                '-campaign:NAME, or write words of the mailing into the subject.'
            )
    note = optout_note(site, settings.optout, settings.optoutnote, columns)
    if settings.textpage and placeholders(settings.textpage):
        sources: dict[str, PageSource] = {}
        pages = load_pages(site, settings.textpage, columns, rows, sources)
        pages = {t: (p[0], with_note(p[1], note), p[2]) for t, p in pages.items()}
        if not pages:
            raise EmailUserError(
                f'No row of the -users: files has a value for every placeholder of '
                f'-textpage:{settings.textpage}: fill in the column.'
            )
        first = next(iter(pages.values()))[1]
        base = base_title(settings.textpage)
        sources, found = last_edits(site, sources, [_title(site, base)] if base else [])
        return Message(
            subject,
            first,
            columns,
            page_template=settings.textpage,
            pages=pages,
            sources=sources,
            base=next(iter(found.values()), None),
        )
    sources = {}
    if settings.text:
        body = settings.text
    elif settings.textfile:
        body = text_from_file(settings.textfile)
    else:
        body, source = page_text(site, settings.textpage)
        sources, _ = last_edits(site, {source.title: source})
    return Message(subject, with_note(body, note), columns, sources=sources)


def text_from_file(path: Path) -> str:
    """The body read from a UTF-8 file given with -textfile:."""
    try:
        return Path(path).read_text(encoding='utf-8')
    except FileNotFoundError:
        raise EmailUserError(
            f'The text file {path} does not exist: check the path given with -textfile:.'
        ) from None
    except UnicodeDecodeError as e:
        raise EmailUserError(
            f'The text file {path} is not valid UTF-8 (byte {e.start}): save it as UTF-8.'
        ) from None
    except OSError as e:
        raise EmailUserError(
            f'The text file {path} cannot be read ({e.strerror}): check its permissions.'
        ) from None


def text_from_page(site, title: str) -> str:
    """The body from the page *title* (or the page it redirects to), as its readers see it.

    :raises EmailUserError: the page does not exist, or has what plain text cannot show
    """
    return page_text(site, title)[0]


def page_text(site, title: str) -> tuple[str, PageSource]:
    """:func:`text_from_page`, and the page the wiki rendered, with its revision.

    :raises EmailUserError: the page does not exist, or has what plain text cannot show
    """
    page = local_page(site, title, '-textpage', categories=False)
    # Before the wiki renders it: a redirect to another wiki, a special page or
    # back to itself would be an error of the wiki's, or a request to another host.
    redirect_chain(site, page, '-textpage', title)
    if not page.exists():
        raise EmailUserError(
            f'The page {title} does not exist: check the title given with -textpage:.'
        )
    request = site.simple_request(
        action='parse',
        page=page.title(),
        redirects=True,
        prop='text|revid',
        disablelimitreport=True,
        disableeditsection=True,
        disabletoc=True,
        formatversion=2,
    )
    try:
        parsed = request.submit()['parse']
    except APIError as e:
        if e.code != 'missingtitle':
            raise
        raise EmailUserError(
            f'The page {title} redirects to a page that does not exist: give -textpage: the '
            'title of the message page.'
        ) from None
    shown = parsed.get('title') or page.title()
    html = parsed['text']
    if isinstance(html, dict):  # formatversion=1, should a wiki ignore the parameter
        html = html.get('*', '')
    try:
        body = text_from_html(html, page_url(site, shown), site_css(site))
    except Unshowable as e:
        raise EmailUserError(unshowable_sentence(shown, e)) from None
    return body, PageSource(page.title(), shown, int(parsed.get('revid') or 0))


def last_edits(
    site, sources: dict[str, PageSource], others: Iterable[str] = ()
) -> tuple[dict[str, PageSource], dict[str, PageSource]]:
    """*sources* with who made each rendered revision and when, and the last edit of
    each page titled in *others* (those that exist).

    One request for the revisions of *sources* (by their ids: the very revisions that
    were rendered), one more for *others*.
    """
    by_revid: dict[int, dict] = {}
    revids = [s.revid for s in sources.values() if s.revid]
    for chunk in batches(revids, 50):
        by_revid.update(_revisions(site, revids=chunk))
    found: dict[str, PageSource] = {}
    titles = list(dict.fromkeys(others))
    if titles:
        for rev in _revisions(site, titles=titles).values():
            found[rev['title']] = _source(rev['title'], rev['title'], rev)
    done = {
        key: _source(s.title, s.shown, by_revid[s.revid]) if s.revid in by_revid else s
        for key, s in sources.items()
    }
    return done, found


def _revisions(site, **which) -> dict[int, dict]:
    """The revisions *which* names (``revids=`` or ``titles=``: their latest), by id, each
    with the title of its page."""
    data = site.simple_request(
        action='query', prop='revisions', rvprop='ids|user|timestamp', formatversion=2, **which
    ).submit()
    found = {}
    for page in data.get('query', {}).get('pages', []):
        for rev in page.get('revisions', ()):
            found[int(rev.get('revid') or 0)] = {**rev, 'title': page.get('title', '')}
    return found


def _source(title: str, shown: str, rev: dict) -> PageSource:
    user = '' if rev.get('userhidden') else str(rev.get('user', ''))
    return PageSource(title, shown, int(rev.get('revid') or 0), user, rev.get('timestamp', ''))


_site_css: dict[object, str] = {}


def site_css(site) -> str:
    """The wiki's ``MediaWiki:Common.css``, which hides elements from every reader: one
    request per run, '' where the page does not exist."""
    if site not in _site_css:
        data = site.simple_request(
            action='query',
            prop='revisions',
            titles='MediaWiki:Common.css',
            rvprop='content',
            rvslots='main',
            formatversion=2,
        ).submit()
        pages = data.get('query', {}).get('pages', [{}])
        revisions = pages[0].get('revisions', []) if pages else []
        _site_css[site] = (
            revisions[0].get('slots', {}).get('main', {}).get('content', '') if revisions else ''
        )
    return _site_css[site]


def unshowable_sentence(title: str, e: Unshowable) -> str:
    """The one sentence that refuses the page *title* for *e*."""
    if e.kind == 'missing':
        return (
            f'The page {title} links to "{e.what}", which does not exist ({e.where}): create '
            'that page or remove the link (a missing template shows as such a link).'
        )
    if e.kind == 'error':
        return f'The page {title} shows an error of the wiki {e.where} ("{e.what}"): fix the page.'
    if e.kind == 'redirect':
        return (
            f'The page {title} is a redirect to a redirect: give -textpage: the title of the '
            'message page itself.'
        )
    if e.kind == 'hidden':
        return (
            f'The page {title} has text that its readers do not see ({e.what}) {e.where}, '
            'which would reach every mail unseen: remove it from the page, or give the text '
            'with -textfile:.'
        )
    return (
        f'The page {title} has {e.what} {e.where}, which a plain text email cannot show: '
        'remove it from the page, or give the text with -textfile:.'
    )


# A page per language ---------------------------------------------------------------


def base_title(template: str) -> str | None:
    """The page used where a language page is missing, or None when *template* has none."""
    base = _LANGUAGE_PART.sub('', template)
    if base == template or placeholders(base):
        return None
    return base


def load_pages(
    site,
    template: str,
    columns: tuple[str, ...],
    rows: Iterable[dict[str, str]],
    sources: dict[str, PageSource] | None = None,
) -> dict[str, tuple[str, str, bool]]:
    """For each title that *template* gives for one of *rows*: the page used, its body,
    and whether that is the base page because the title does not exist.

    *sources* gets the page the wiki rendered for each page used.

    :raises EmailUserError: a placeholder is no column, or a page (and its base
        page) does not exist or cannot be shown
    """
    used_columns = placeholders(template)
    unknown = [c for c in used_columns if c not in columns]
    if unknown:
        raise EmailUserError(
            f'-textpage:{template} has the placeholder {{{unknown[0]}}}, which is no column '
            f'of the -users: files (columns: {braces(columns) or "none"}): name a column, or '
            'give one page.'
        )
    titles: list[str] = []
    for values in rows:
        if all(values.get(c, '').strip() for c in used_columns):
            titles.append(render(template, **values))
    base = base_title(template)
    pages: dict[str, tuple[str, str, bool]] = {}
    bodies: dict[str, str] = {}
    for title in dict.fromkeys(titles):
        used, missing = _title(site, title), False
        if base and not _exists(site, title):
            used, missing = _title(site, base), True
        if used not in bodies:
            bodies[used], source = page_text(site, used)
            if sources is not None:
                sources[used] = source
        pages[title] = (used, bodies[used], missing)
    return pages


def _title(site, title: str) -> str:
    """*title* as the wiki names it, or as given when it is no valid title."""
    try:
        return pywikibot.Page(site, title).title()
    except (pywikibot.exceptions.Error, ValueError):
        return title  # text_from_page refuses it in one sentence


def _exists(site, title: str) -> bool:
    try:
        return pywikibot.Page(site, title).exists()
    except (pywikibot.exceptions.Error, ValueError):
        return False  # an invalid title: the base page, whose title is the operator's


# The way out -----------------------------------------------------------------------


def optout_note(
    site, titles: tuple[str, ...], custom: str | None = None, columns: tuple[str, ...] = ()
) -> str:
    """The paragraph that ends every email of a mailing with the opt-out list *titles*.

    It names the first list: how to get onto it and its full address. *custom*
    (-optoutnote:) replaces the wording, ``{url}`` standing for the address;
    '' leaves the paragraph out. Empty without an opt-out list.

    :raises EmailUserError: -optoutnote: has a placeholder the message does not know
    """
    if custom == '':
        return ''
    # The door saw that it has {url} and comes with an -optout: list.
    if custom:
        check_template(custom, 'opt-out note (-optoutnote:)', (*columns, 'url'))
    if not titles:
        return ''
    # Checked as every -optout: title is, before Pywikibot parses it.
    page = local_page(site, titles[0], '-optout')
    title = page.title()
    url = page_url(site, title)
    if custom:
        return URL.sub(lambda _: url, custom).strip()
    key, english = NOTE_MESSAGES['category' if page.namespace() == CATEGORY_NS else 'page']
    return translate(site, key, {'url': url, 'category': title}, english)


def with_note(body: str, note: str) -> str:
    """*body* with *note* as its last paragraph."""
    return f'{body.rstrip()}\n\n{note}\n' if note else body
