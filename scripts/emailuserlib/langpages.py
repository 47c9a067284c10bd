"""A page per language: -textpage: with columns of the -users: files in its title.

``-textpage:"Invitation/{lang}"`` gives each recipient the page their row names,
as MassMessage sends ``Page/<lang>``: where that page does not exist, the page
without the ``/{lang}`` part (the base page) is used. Every distinct page is
fetched, rendered and checked before the first email.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pywikibot

from .message import MessageError, placeholders, render
from .namelist import NameList
from .pagetext import text_from_page

#: A last title part that is one placeholder, as in Invitation/{lang}.
_LANGUAGE_PART = re.compile(r'/\{[^{}/\s]+\}$')


def base_title(template: str) -> str | None:
    """The page used where a language page is missing, or None when *template* has none."""
    base = _LANGUAGE_PART.sub('', template)
    if base == template or placeholders(base):
        return None
    return base


def load_pages(site, template: str, lists: NameList) -> dict[str, tuple[str, str, bool]]:
    """For each title that *template* gives for a row of *lists*: the page used, its
    body, and whether that is the base page because the title does not exist.

    :raises MessageError: a placeholder is no column, a row leaves it empty, or a
        page (and its base page) does not exist or cannot be shown
    """
    columns = placeholders(template)
    unknown = [c for c in columns if c not in lists.columns]
    if unknown:
        have = ', '.join('{%s}' % c for c in lists.columns) or 'none'  # noqa: UP031
        raise MessageError(
            f'-textpage:{template} has the placeholder {{{unknown[0]}}}, which is no column '
            f'of the -users: files (columns: {have}): name a column, or give one page.'
        )
    titles: list[str] = []
    for row in lists.rows:
        if all(row.values.get(c, '').strip() for c in columns):
            titles.append(render(template, **row.values))
    base = base_title(template)
    pages: dict[str, tuple[str, str, bool]] = {}
    bodies: dict[str, str] = {}
    for title in dict.fromkeys(titles):
        used, missing = _title(site, title), False
        if base and not _exists(site, title):
            used, missing = _title(site, base), True
        if used not in bodies:
            bodies[used] = text_from_page(site, used)
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


def plan_lines(message, recipients: Iterable) -> list[str]:
    """Which page each group of recipients gets, for the plan."""
    if not message.pages:
        return []
    groups: dict[tuple[str, str], list[str]] = {}
    for r in recipients:
        title = render(message.page_template, **r.values)
        used, _, missing = message.pages[title]
        groups.setdefault((used, title if missing else ''), []).append(r.name)
    lines = [f'  Pages of -textpage:{message.page_template}:']
    for (used, title), names in groups.items():
        missing = f' ({title} does not exist)' if title else ''
        count = f'{len(names)} user{"s" if len(names) != 1 else ""}'
        shown = ', '.join(names[:10]) + (f' and {len(names) - 10} more' if len(names) > 10 else '')
        lines.append(f'    {used}{missing}: {count} ({shown})')
    return lines
