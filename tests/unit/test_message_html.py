"""-textpage: the parser's HTML (recorded from MediaWiki 1.39) as plain text."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emailuserlib.core.errors import Unshowable
from emailuserlib.message import html as pagetext
from emailuserlib.message.html import css_classes, text_from_html
from emailuserlib.message.read import unshowable_sentence

PAGE_URL = 'https://wiki.example/wiki/Project:Letter'


WORDS = st.text(alphabet=string.ascii_letters + ' ', min_size=1, max_size=12).filter(str.strip)


HIDING = [
    'visibility:hidden',
    'visibility: collapse',
    'font-size:0',
    'font-size: 0px',
    'opacity:0',
    'opacity: 0.0',
    'color:transparent',
    'color: rgba(0, 0, 0, 0)',
]


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


@given(st.sampled_from(HIDING), WORDS, st.booleans())
def test_text_readers_do_not_see_never_reaches_a_mail(style, secret, by_class):
    if by_class:
        html = f'<p>Hello <span class="q">{secret}</span> there.</p><style>.q{{{style}}}</style>'
    else:
        html = f'<p>Hello <span style="{style}">{secret}</span> there.</p>'
    with pytest.raises(Unshowable) as refused:
        text_from_html(html, 'https://wiki.test/')
    assert refused.value.kind == 'hidden'
    assert secret.split()[0] in refused.value.what


@given(WORDS)
def test_text_nobody_sees_is_left_out(secret):
    html = f'<p>Hello <span style="display:none">{secret}</span>there.</p>'
    assert text_from_html(html, 'https://wiki.test/') == 'Hello there.\n'


def test_only_one_class_rules_count_and_at_rules_are_passed_over():
    css = (
        '.a{display:none} .mw-parser-output .b{opacity:0} div.c{opacity:0} .d .e{opacity:0}'
        '@media print{.f{display:none}} .g,.h{color:transparent} /* .i{opacity:0} */'
    )
    assert css_classes(css) == {'a': 'gone', 'b': 'unseen', 'g': 'unseen', 'h': 'unseen'}
