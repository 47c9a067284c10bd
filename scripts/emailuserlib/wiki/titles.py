"""Generator sources that are what they say, checked before anything is sent.

Pywikibot's generators take a category, page or file as given: a category
with a typo yields nobody, a page given with ``-page:A|B`` silently loses
``B``, and a bad title in a ``-file:`` list stops the run with a traceback.
:func:`check_sources` reads the raw generator arguments instead and asks the
wiki about every category and page they name in one request per 50 titles.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, urlparse

import pywikibot
from pywikibot.exceptions import Error as PywikibotError

from ..core.errors import EmailUserError
from .site import CATEGORY_NS, USER_NS, USER_TALK_NS, batches

#: Generator options that take a category.
CATEGORY_OPTIONS = ('-cat', '-category', '-catr', '-subcats', '-subcatsr')
#: Generator options that take a page whose links or transclusions give the users,
#: with the namespace a title without prefix is in.
PAGE_OPTIONS = {'-links': 0, '-transcludes': 10, '-page': 0}


def check_sources(site, args: Iterable[str]) -> list[str]:
    """Check the categories, pages and files that generator *args* name.

    Returns warnings (an existing category without members); a category with
    neither a page nor members, a missing page, a ``-file:`` that cannot be
    read or holds an invalid title, and ``-page:`` with a ``|`` are refused.

    :raises EmailUserError: with one sentence per problem
    """
    problems: list[str] = []
    wanted: list[tuple[str, object]] = []  # (option, page or category)
    for arg in args:
        option, _, value = arg.partition(':')
        if not value:
            continue  # Pywikibot asks for it
        if option in CATEGORY_OPTIONS:
            title = value.replace('#', '|').partition('|')[0]
            page = _page(site, title, CATEGORY_NS, f'{option}:{value}', problems)
            if page is not None:
                wanted.append((option, page))
        elif option in PAGE_OPTIONS:
            if option == '-page' and '|' in value:
                first, _, rest = value.partition('|')
                problems.append(
                    f'{option}:{value} names one page, and Pywikibot would ignore "{rest}" '
                    f'after the |: give each page its own -page:, as in -page:"{first}".'
                )
                continue
            page = _page(site, value, PAGE_OPTIONS[option], f'{option}:{value}', problems)
            # A user page need not exist for its user to be emailed.
            if page is not None and page.namespace() not in (USER_NS, USER_TALK_NS):
                wanted.append((option, page))
        elif option == '-file' and not urlparse(value).netloc:
            problems += file_problems(site, value)
    warnings = []
    for chunk in batches(wanted, 50):
        found = _query(site, [page.title() for _, page in chunk])
        for option, page in chunk:
            info = found.get(page.title(), {})
            size = info.get('categoryinfo', {}).get('size', 0)
            if page.namespace() == CATEGORY_NS:
                if info.get('missing') and not size:
                    problems.append(
                        f'The category {page.title()} given with {option}: does not exist: '
                        'check its name.'
                    )
                elif not size:
                    warnings.append(
                        f'The category {page.title()} given with {option}: is empty: nobody '
                        'is emailed through it.'
                    )
            elif info.get('missing') or info.get('invalid'):
                problems.append(
                    f'The page {page.title()} given with {option}: does not exist: check its title.'
                )
    if problems:
        raise EmailUserError('\n'.join(problems))
    return warnings


#: What each title option must name, for its sentences.
_TITLE_WANTED = {
    '-textpage': 'the message page',
    '-optout': 'an opt-out page or category',
    '-logpage': 'the page that keeps the log',
}


def local_page(site, title: str, option: str, categories: bool = True):
    """The page of this wiki that *title*, given with *option*, names.

    A special page, an empty or invalid title, an address and a title on another
    wiki (an interwiki prefix) are refused before Pywikibot parses the title,
    because parsing an interwiki title reaches out to the other wiki. With
    *categories* False, a category is refused too.

    :raises EmailUserError: one sentence saying what is wrong and what to give
    """
    wanted = _TITLE_WANTED.get(option, 'a page of this wiki')
    given = f'{option}:{title}'
    text = title.strip()
    text = text[1:] if text.startswith(':') else text
    if not text.strip(' _'):
        raise EmailUserError(f'{given} names no page: give the title of {wanted}.')
    if '://' in text:
        raise EmailUserError(
            f'{given} is an address, not a page title: give the title of {wanted} on this wiki.'
        )
    prefix, colon, rest = text.partition(':')
    if colon:
        namespace = site.namespaces.lookup_name(prefix.strip(' _'))
        if namespace is None and _is_interwiki(site, prefix):
            raise EmailUserError(
                f'{given} names a page on another wiki (the prefix "{prefix.strip()}:"), and the '
                f'script reads only the wiki it emails from: give the title of {wanted} on '
                'this wiki.'
            )
        if namespace is not None and namespace.id < 0:
            raise EmailUserError(
                f'{given} names a special page, which is not a page of text: give the title '
                f'of {wanted}.'
            )
        if namespace is not None and not rest.strip(' _'):
            raise EmailUserError(f'{given} names no page: give the title of {wanted}.')
        if namespace is not None and namespace.id == CATEGORY_NS and not categories:
            raise EmailUserError(
                f'{given} names a category, whose page is not a message: give the title of '
                f'{wanted}.'
            )
    try:
        page = pywikibot.Page(pywikibot.Link(text, source=site))
        page.title()  # parses the title: an invalid one raises here
    except (PywikibotError, ValueError) as e:
        raise EmailUserError(f'{given} is not a valid page title ({e}): check it.') from None
    if page.site != site or page.namespace() < 0:  # should the wiki name it otherwise
        raise EmailUserError(f'{given} is not a page of this wiki: give the title of {wanted}.')
    return page


def redirect_chain(site, page, option: str, title: str) -> list:
    """*page*, given with *option* as *title*, and the pages its redirects lead to.

    The wiki follows the redirects in one request; the script never does, so
    that a redirect to another wiki reaches no other host. A page that is no
    redirect is a chain of one. Anyone can edit a page into a redirect, so a
    redirect that loops, ends at a special page or leaves the wiki is refused.

    :raises EmailUserError: one sentence saying where the redirect goes and what to do
    """
    query = (
        site.simple_request(action='query', titles=page.title(), redirects=True, formatversion=2)
        .submit()
        .get('query', {})
    )
    wanted = _TITLE_WANTED.get(option, 'a page of this wiki')
    chain = follow_redirects(query, page.title(), f'{option}:{title}', wanted)
    return [page, *(pywikibot.Page(site, t) for t in chain[1:])]


def follow_redirects(query: dict, start: str, given: str, wanted: str) -> list[str]:
    """The titles from *start* along the redirects of a ``redirects`` query answer.

    *given* is how the operator named the page, *wanted* what it must be, for
    the sentences.

    :raises EmailUserError: the redirects loop, or end at a special page, an invalid
        title or a page on another wiki
    """
    for mapping in query.get('normalized', []):
        if mapping.get('from') == start:
            start = mapping.get('to', start)
    hops = {r.get('from'): r for r in query.get('redirects', [])}
    chain = [start]
    while chain[-1] in hops:
        hop = hops[chain[-1]]
        target = str(hop.get('to', ''))
        if hop.get('tointerwiki'):
            raise EmailUserError(
                f'{given} redirects to {target} on another wiki (the prefix '
                f'"{hop["tointerwiki"]}:"), and the script reads only the wiki it emails '
                f'from: give the title of {wanted} on this wiki, or fix the redirect.'
            )
        if target in chain:
            loop = ' → '.join([*chain[chain.index(target) :], target])
            raise EmailUserError(
                f'{given} is a redirect that leads back to itself ({loop}): fix the '
                f'redirect on the wiki, or give the title of {wanted}.'
            )
        chain.append(target)
    if len(chain) == 1:
        return chain  # no redirect: the page itself, as local_page checked it
    end = next((p for p in query.get('pages', []) if p.get('title') == chain[-1]), {})
    if end.get('special') or int(end.get('ns', 0)) < 0:
        raise EmailUserError(
            f'{given} redirects to the special page {chain[-1]}, which is not a page of text: '
            f'fix the redirect on the wiki, or give the title of {wanted}.'
        )
    if end.get('invalid') or not chain[-1].strip():
        raise EmailUserError(
            f'{given} redirects to "{chain[-1]}", which is not a valid page title: fix the '
            f'redirect on the wiki, or give the title of {wanted}.'
        )
    return chain


def _is_interwiki(site, prefix: str) -> bool:
    """Whether *prefix* is one of the wiki's interwiki or language prefixes."""
    prefix = re.sub(r'[ _]+', '_', prefix.strip()).lower()
    interwikis = site.siteinfo.get('interwikimap', expiry=False) or []
    return any(str(entry.get('prefix', '')).lower() == prefix for entry in interwikis)


def generator_files(args: Iterable[str]) -> list[str]:
    """The local files that ``-file:`` generator *args* read."""
    files = []
    for arg in args:
        option, _, value = arg.partition(':')
        if option == '-file' and value and not urlparse(value).netloc:
            files.append(value)
    return files


def _page(site, title: str, namespace: int, given: str, problems: list[str]):
    try:
        link = pywikibot.Link(title, source=site, default_namespace=namespace)
        if namespace == CATEGORY_NS and link.namespace != CATEGORY_NS:
            # As Pywikibot's -cat: does: a title without the prefix is a category.
            link = pywikibot.Link(f'{site.namespace(CATEGORY_NS)}:{title}', source=site)
        page = pywikibot.Page(link)
        page.title()  # parses the title: an invalid one raises here, not in the generator
        return page
    except (PywikibotError, ValueError) as e:
        problems.append(f'{given} is not a valid title ({e}): check it.')
        return None


def _query(site, titles: list[str]) -> dict[str, dict]:
    """What the wiki knows of *titles*, by title as given: missing, categoryinfo."""
    data = site.simple_request(
        action='query', titles=titles, prop='categoryinfo', formatversion=2
    ).submit()
    query = data.get('query', {})
    asked = {t: t for t in titles}
    for mapping in query.get('normalized', []):
        asked[mapping['to']] = asked.get(mapping['from'], mapping['from'])
    return {asked.get(p['title'], p['title']): p for p in query.get('pages', [])}


def file_problems(site, path: str) -> list[str]:
    """One sentence per reason the -file: list at *path* cannot be used.

    Titles are found as Pywikibot's ``-file:`` finds them: ``[[links]]`` when
    the file has any, otherwise one title per line, cut at a ``|``.
    """
    try:
        data = Path(path).expanduser().read_bytes()
    except FileNotFoundError:
        return [f'The file {path} given with -file: does not exist: check the path.']
    except OSError as e:
        return [f'The file {path} given with -file: cannot be read ({e.strerror}): check it.']
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b'\n') + 1
        return [f'Line {line} of {path} (-file:) is not valid UTF-8: save the file as UTF-8.']
    starts = [i for i, c in enumerate(text) if c == '\n']
    titles = [
        (bisect.bisect_left(starts, m.start()) + 1, m['title'])
        for m in pywikibot.link_regex.finditer(text)
    ]
    problems = []
    if not titles:
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            title, bar, rest = line.partition('|')
            if bar and rest.strip():
                problems.append(
                    f'Line {number} of {path} (-file:) has a |, and Pywikibot would ignore '
                    f'"{rest}" after it: give one title per line.'
                )
            if title:
                titles.append((number, title))
    for number, title in titles:
        try:
            pywikibot.Page(pywikibot.Link(title, site)).title()
        except (PywikibotError, ValueError):
            problems.append(
                f'Line {number} of {path} (-file:): "{title}" is not a valid page title: '
                'correct or remove the line.'
            )
    return problems


def page_url(site, title: str) -> str:
    """The full URL of *title* as the wiki itself names it (its server and article path)."""
    info = site.siteinfo
    server = str(info.get('server') or '')
    if server.startswith('//'):
        server = f'{site.protocol()}:{server}'
    path = str(info.get('articlepath') or '/wiki/$1')
    return server + path.replace('$1', quote(title.replace(' ', '_'), safe=";@$!*(),/~:'"))
