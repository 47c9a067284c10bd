"""The body from a wiki page (-textpage:), as the page's readers see it.

The wiki itself renders the page (``action=parse``, redirect followed): templates,
magic words such as ``{{SITENAME}}`` and parser functions are expanded exactly
as on the wiki. The HTML is then turned into plain text the way a browser shows
it (runs of white space are one space, paragraphs are separated by an empty
line) with every link's target kept: a link becomes ``label (URL)`` with a full
URL. What plain text cannot show is refused before anything is sent, with the
place where it is: tables, images, video and sound, embedded content, forms,
links to pages that do not exist (a missing template renders as one) and the
wiki's own error messages. Content that nobody sees is left out, as a browser
leaves it out: styles, scripts, and elements hidden with ``display:none``.
Content that is there but that readers do not see is refused, since it would
reach every mail without the operator seeing it on the page: an element whose
inline style, or a class of which, sets ``visibility:hidden``, ``font-size:0``,
``opacity:0`` or ``color:transparent``.

The CSS interpreted is the ``style`` attribute and the rules of
``MediaWiki:Common.css`` and of the page's own ``<style>`` elements
(TemplateStyles) whose selector is one class, optionally after
``.mw-parser-output``; other selectors, media queries, skins, gadgets and a
reader's own CSS are not (:func:`css_classes`).

Single braces, as in ``{username}``, are not wikitext: the wiki leaves them
alone, also inside a link's address, so the placeholders survive.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from ..core.errors import Unshowable

_BLOCKS = {
    'p',
    'div',
    'center',
    'blockquote',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'ul',
    'ol',
    'dl',
    'pre',
    'figure',
    'section',
}
_VOID = {'br', 'hr', 'img', 'input', 'link', 'meta', 'wbr', 'source', 'track', 'area', 'col'}
_SKIPPED = {'style', 'script', 'noscript', 'template'}
#: Elements that plain text cannot show: what the refusal calls them.
_REFUSED = {
    'table': 'a table',
    'img': 'an image',
    'video': 'a video',
    'audio': 'a sound file',
    'iframe': 'embedded content',
    'object': 'embedded content',
    'embed': 'embedded content',
    'svg': 'a drawing',
    'canvas': 'a drawing',
    'form': 'a form',
    'input': 'a form',
    'textarea': 'a form',
    'button': 'a button',
}
_SPACE = re.compile(r'[ \t\n\r\f]+')  # HTML's white space; a no-break space stays
#: How each CSS property hides an element: ``gone`` (nobody sees it, it takes no
#: room: left out) or ``unseen`` (it is there, and readers do not see it: refused).
_HIDING = {
    'display': (re.compile(r'none'), 'gone'),
    'visibility': (re.compile(r'hidden|collapse'), 'unseen'),
    'font-size': (re.compile(r'[+-]?0*\.?0+(px|em|rem|ex|ch|pt|pc|%|vw|vh|mm|cm|in|q)?'), 'unseen'),
    'opacity': (re.compile(r'[+-]?0*\.?0+%?'), 'unseen'),
    'color': (
        re.compile(
            r'transparent|(rgb|hsl)a?\(.*[,/]\s*0*\.?0+%?\s*\)|#[0-9a-f]{6}00|#[0-9a-f]{3}0'
        ),
        'unseen',
    ),
}
_ONE_CLASS = re.compile(r'(?:\.mw-parser-output\s+)?\.(-?[_a-zA-Z][\w-]*)')


def hiding(style: str) -> str:
    """How the declarations *style* hide an element: ``gone``, ``unseen`` or ''."""
    found = ''
    for declaration in style.split(';'):
        name, colon, value = declaration.partition(':')
        rule = _HIDING.get(name.strip().lower()) if colon else None
        value = re.sub(r'!\s*important', '', value).strip().lower()
        if rule and rule[0].fullmatch(value):
            if rule[1] == 'gone':
                return 'gone'
            found = rule[1]
    return found


def css_classes(css: str) -> dict[str, str]:
    """The classes that the rules of *css* hide, each ``gone`` or ``unseen``.

    Only top-level rules whose selector is one class (optionally after
    ``.mw-parser-output``) count; at-rules (``@media`` ...) are passed over.
    """
    css = re.sub(r'/\*.*?\*/', '', css, flags=re.DOTALL)
    found: dict[str, str] = {}
    depth, start, selector = 0, 0, ''
    for i, c in enumerate(css):
        if c == '{':
            if depth == 0:
                selector = css[start:i].strip()
                start = i + 1
            depth += 1
        elif c == '}' and depth:
            depth -= 1
            if depth == 0:
                body, start = css[start:i], i + 1
                if selector.startswith('@'):
                    continue
                how = hiding(body)
                for each in selector.split(','):
                    match = _ONE_CLASS.fullmatch(each.strip())
                    if how and match and found.get(match.group(1)) != 'gone':
                        found[match.group(1)] = how
        elif c == ';' and depth == 0:
            start = i + 1  # @import ...; and the like
    return found


_STYLE_ELEMENT = re.compile(r'<style\b[^>]*>(.*?)</style\s*>', re.IGNORECASE | re.DOTALL)


def _classes(attrs: dict) -> set[str]:
    return set((attrs.get('class') or '').split())


class _PlainText(HTMLParser):
    """Plain text from the HTML of a parsed page; see :func:`text_from_html`."""

    def __init__(self, page_url: str, classes: dict[str, str] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.classes = classes or {}
        self.unseen: list[str] | None = None  # the text of an element readers do not see
        self.unseen_depth = 0
        self.unseen_where = ''
        self.out: list[str] = []
        self.breaks = 0  # line breaks owed before the next text
        self.prefix = ''  # a list item's marker, written before its first text
        self.lists: list[list] = []  # [tag, next number] of each open list
        self.skip = 0  # depth inside hidden content
        self.pre = 0
        self.link: tuple[int, str, set[str]] | None = None
        self.depth = 0  # elements open
        self.error: list[str] | None = None  # the text of an error message, collected
        self.error_depth = 0
        self.error_where = ''

    # Writing ------------------------------------------------------------

    def text_so_far(self) -> str:
        return ''.join(self.out)

    def want(self, breaks: int) -> None:
        if self.out:
            self.breaks = max(self.breaks, breaks)

    def write(self, text: str) -> None:
        if not text:
            return
        if self.breaks:
            self.out.append('\n' * self.breaks)
            self.breaks = 0
        if self.prefix:
            self.out.append(self.prefix)
            self.prefix = ''
        self.out.append(text)

    def at_line_start(self) -> bool:
        so_far = self.out[-1] if self.out else ''
        return self.breaks > 0 or not so_far or so_far.endswith(('\n', ' '))

    def where(self) -> str:
        words = self.text_so_far().split()
        if not words:
            return 'at its start'
        tail = ' '.join(words[-6:])
        return f'after "{tail}"' if len(words) <= 6 else f'after "...{tail}"'

    def refuse(self, kind: str, what: str) -> None:
        raise Unshowable(kind, what, self.where())

    # HTMLParser's hooks ----------------------------------------------------

    def handle_starttag(self, tag: str, attrs_list: list) -> None:
        attrs = dict(attrs_list)
        if self.skip:
            if tag not in _VOID:
                self.skip += 1
            return
        how = hiding(attrs.get('style') or '')
        for name in _classes(attrs):
            how = (
                'gone'
                if 'gone' in (how, self.classes.get(name))
                else how or self.classes.get(name, '')
            )
        if tag in _SKIPPED or how == 'gone':
            if tag not in _VOID:
                self.skip = 1
            return
        if how == 'unseen' and self.unseen is None and tag not in _VOID:
            self.unseen, self.unseen_depth, self.unseen_where = [], self.depth + 1, self.where()
        if tag not in _VOID:
            self.depth += 1
        classes = _classes(attrs)
        if 'redirectMsg' in classes:
            raise Unshowable('redirect')
        if tag in _REFUSED:
            self.refuse('refused', _REFUSED[tag])
        if 'error' in classes and self.error is None:
            self.error, self.error_depth, self.error_where = [], self.depth, self.where()
        if tag == 'a':
            self.start_link(attrs, classes)
        elif tag == 'br':
            self.write('\n')
            self.breaks = 0
        elif tag == 'hr':
            self.want(2)
            self.write('----')
            self.want(2)
        elif tag == 'li':
            self.start_item()
        elif tag in ('dt', 'dd'):
            self.want(1)
            depth = sum(1 for kind, _ in self.lists if kind == 'dl')
            self.prefix = '  ' * (depth - (tag == 'dt'))
        elif tag in _BLOCKS:
            self.want(1 if self.lists and tag in ('ul', 'ol', 'dl', 'p', 'div') else 2)
            if tag in ('ul', 'ol', 'dl'):
                self.lists.append([tag, 1])
            if tag == 'pre':
                self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:  # <br /> ends itself
            return
        if self.skip:
            self.skip -= 1
            return
        if self.error is not None and self.depth == self.error_depth:
            said = ' '.join(''.join(self.error).split())
            raise Unshowable('error', said, self.error_where)
        if self.unseen is not None and self.depth == self.unseen_depth:
            words = ''.join(self.unseen).split()
            self.unseen = None
            if words:
                said = ' '.join(words[:6]) + (' ...' if len(words) > 6 else '')
                raise Unshowable('hidden', f'"{said}"', self.unseen_where)
        self.depth -= 1
        if tag == 'a':
            self.end_link()
        elif tag in ('ul', 'ol', 'dl'):
            if self.lists:
                self.lists.pop()
            self.want(1 if self.lists else 2)
        elif tag in ('li', 'dt', 'dd'):
            self.prefix = ''
            self.want(1)
        elif tag in _BLOCKS:
            if tag == 'pre':
                self.pre = max(self.pre - 1, 0)
            self.want(1 if self.lists else 2)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.error is not None:
            self.error.append(data)
        if self.unseen is not None:
            self.unseen.append(data)
        if self.pre:
            self.write(data)
            return
        text = _SPACE.sub(' ', data)
        if self.at_line_start():
            text = text.lstrip(' ')
        self.write(text)

    # Lists and links ----------------------------------------------------------

    def start_item(self) -> None:
        self.want(1)
        if not self.lists:
            self.prefix = '* '
            return
        kind = self.lists[-1]
        marker = f'{kind[1]}. ' if kind[0] == 'ol' else '* '
        kind[1] += 1
        self.prefix = '  ' * (len(self.lists) - 1) + marker

    def start_link(self, attrs: dict, classes: set[str]) -> None:
        href = attrs.get('href')
        if 'new' in classes and href:
            query = parse_qs(urlsplit(href).query)
            target = (query.get('title') or [attrs.get('title') or href])[0].replace('_', ' ')
            self.refuse('missing', target)
        if href is None and 'selflink' in classes:
            href = self.page_url
        if href is None:
            return
        self.link = (len(self.out), urljoin(self.page_url, href), classes)

    def end_link(self) -> None:
        if self.link is None:
            return
        start, url, classes = self.link
        self.link = None
        label = ''.join(self.out[start:]).strip()
        if 'autonumber' in classes or not label:
            # [https://example.org] shows as "[1]": the address is all there is to show.
            del self.out[start:]
            self.write(('' if self.at_line_start() else ' ') + url)
        elif label not in (url, unquote(url)):
            self.write(f' ({url})')


def text_from_html(html: str, page_url: str, site_css: str = '') -> str:
    """Plain text of the parser's *html*, links as ``label (URL)``.

    :param page_url: the full URL of the page, against which links are resolved
    :param site_css: the wiki's ``MediaWiki:Common.css``, whose one-class rules
        hide elements as the page's own ``<style>`` rules do
    :raises Unshowable: something that plain text cannot show; the text says
        what and where, as in ``a table after "the schedule:"``
    """
    classes = css_classes(site_css)
    for own in _STYLE_ELEMENT.findall(html):
        for name, how in css_classes(own).items():
            if classes.get(name) != 'gone':
                classes[name] = how
    parser = _PlainText(page_url, classes)
    parser.feed(html)
    parser.close()
    lines = [line.rstrip() for line in parser.text_so_far().split('\n')]
    text = re.sub(r'\n{3,}', '\n\n', '\n'.join(lines)).strip('\n')
    return text + '\n' if text.strip() else ''
