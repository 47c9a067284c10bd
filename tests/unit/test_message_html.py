"""-textpage: the parser's HTML (recorded from MediaWiki 1.39) as plain text."""

from __future__ import annotations

import pytest

from emailuserlib.core.errors import Unshowable
from emailuserlib.message import html as pagetext
from emailuserlib.message.read import unshowable_sentence

PAGE_URL = 'https://wiki.example/wiki/Project:Letter'


def test_page_html_becomes_plain_text_with_every_link_target():
    html = (
        '<div class="mw-parser-output"><p>Hello <b>{username}</b>,\n</p><p>read '
        '<a href="/wiki/Event_report" title="Event report">the report</a>, '
        '<a rel="nofollow" class="external text" href="https://example.org/?u={username}">'
        'Register here</a>, <a rel="nofollow" class="external autonumber" '
        'href="https://example.org">[1]</a>, <a rel="nofollow" class="external free" '
        'href="https://example.org/x">https://example.org/x</a> and <a href="#Sec">below</a>'
        ' on <a class="mw-selflink selflink">this page</a>.\n</p>\n<h2><span '
        'class="mw-headline" id="Sec">Sec</span></h2>\n<ul><li>one</li>\n<li>two\n<ul><li>'
        'two.a</li></ul></li></ul>\n<ol><li>n1</li>\n<li>n2</li></ol>\n<p>line<br />break'
        '\n</p><p><span style="display:none">hidden</span>seen&#160;here<style>.x{}</style>'
        '\n</p></div>'
    )
    assert pagetext.text_from_html(html, PAGE_URL) == (
        'Hello {username},\n\n'
        'read the report (https://wiki.example/wiki/Event_report), Register here '
        '(https://example.org/?u={username}), https://example.org, https://example.org/x and '
        'below (https://wiki.example/wiki/Project:Letter#Sec) on this page '
        '(https://wiki.example/wiki/Project:Letter).\n\n'
        'Sec\n\n* one\n* two\n  * two.a\n\n1. n1\n2. n2\n\nline\nbreak\n\nseen\xa0here\n'
    )


@pytest.mark.parametrize(
    ('html', 'kind', 'what', 'where'),
    [
        (
            '<p>The schedule:</p><table><tr><td>Sat</td></tr></table>',
            'refused',
            'a table',
            'after "The schedule:"',
        ),
        ('<p><img src="/x.png"></p>', 'refused', 'an image', 'at its start'),
        (
            '<p>x <a href="/index.php?title=Template:Some_template&amp;action=edit&amp;'
            'redlink=1" class="new" title="Template:Some template (page does not exist)">'
            'Template:Some template</a></p>',
            'missing',
            'Template:Some template',
            'after "x"',
        ),
        (
            '<p>a b c d e f g <strong class="error">Template loop <span>detected</span>'
            '</strong></p>',
            'error',
            'Template loop detected',
            'after "...b c d e f g"',
        ),
    ],
)
def test_what_plain_text_cannot_show_is_named_with_its_place(html, kind, what, where):
    with pytest.raises(Unshowable) as caught:
        pagetext.text_from_html(html, PAGE_URL)
    assert (caught.value.kind, caught.value.what, caught.value.where) == (kind, what, where)
    sentence = unshowable_sentence('Project:Letter', caught.value)
    assert sentence.startswith('The page Project:Letter ') and where in sentence
