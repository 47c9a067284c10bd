"""Properties of the doors for files that look right and mean something else: scripts.ini's
continued lines and near-miss sections, joined CSV files, ``sep=`` lines, ``#`` cells,
dates and limits beyond any bound, and text a page hides from its readers."""

from __future__ import annotations

import contextlib
import csv
import io
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emailuserlib.core.errors import Bad, EmailUserError, OptionError, Unshowable
from emailuserlib.message.html import css_classes, text_from_html
from emailuserlib.options import ini
from emailuserlib.options.table import BY_NAME, OPTIONS, parse_ratelimit, parse_since
from emailuserlib.recipients.namelist import parse_names

WORDS = st.text(alphabet=string.ascii_letters + ' ', min_size=1, max_size=12).filter(str.strip)
ONE_LINE = [o.name for o in OPTIONS if not o.per_run and o.kind in ('text', 'int')]
LISTS = [o.name for o in OPTIONS if o.kind == 'list']


# scripts.ini -------------------------------------------------------------------------------


@given(st.sampled_from(ONE_LINE), WORDS, WORDS, st.integers(1, 8))
def test_a_continued_value_of_a_one_line_option_is_refused_naming_the_line(
    tmp_path_factory, name, first, more, indent
):
    path = tmp_path_factory.mktemp('ini') / 'scripts.ini'
    path.write_text(f'[emailuser]\n{name} = {first}\n{" " * indent}{more}\n', encoding='utf-8')
    with pytest.raises(OptionError, match=f'{path} line 3 .* is indented'):
        ini.read(path)


@given(st.sampled_from([o.name for o in OPTIONS if not o.per_run]), st.sampled_from(ONE_LINE))
def test_an_indented_setting_is_refused_under_any_option(tmp_path_factory, above, setting):
    path = tmp_path_factory.mktemp('ini') / 'scripts.ini'
    path.write_text(f'[emailuser]\n{above} = x\n  {setting} = 5\n', encoding='utf-8')
    with pytest.raises(OptionError, match=f'line 3 \\({setting} = 5\\) is indented'):
        ini.read(path)


@given(st.sampled_from(LISTS), st.lists(WORDS, min_size=2, max_size=5))
def test_each_line_of_a_list_option_is_one_item(tmp_path_factory, name, items):
    path = tmp_path_factory.mktemp('ini') / 'scripts.ini'
    path.write_text(f'[emailuser]\n{name} = {items[0]}\n' + ''.join(f'  {i}\n' for i in items[1:]))
    value = ini.read(path).values[name].value
    assert [str(v).rsplit('/', 1)[-1] for v in value] == [i.strip() for i in items]


def _perturbed(draw) -> str:
    name = 'emailuser'
    kind = draw(st.sampled_from(['case', 'punctuation', 'plural', 'extension', 'typo']))
    if kind == 'case':
        return ''.join(c.upper() if draw(st.booleans()) else c for c in name)
    if kind == 'punctuation':
        at = draw(st.integers(0, len(name)))
        return name[:at] + draw(st.sampled_from('_-.: ')) + name[at:]
    if kind == 'plural':
        return name + 's'
    if kind == 'extension':
        return name + draw(st.sampled_from(['.py', '.ini', '.cfg']))
    at = draw(st.integers(0, len(name) - 2))
    return name[:at] + name[at + 1] + name[at] + name[at + 2 :]  # two letters swapped


@given(st.data())
def test_a_section_meant_for_this_script_is_refused(tmp_path_factory, data):
    section = _perturbed(data.draw)
    if section == 'emailuser':
        return  # the very name: read
    path = tmp_path_factory.mktemp('ini') / 'scripts.ini'
    path.write_text(f'[{section}]\noptout = Category:No mail\n', encoding='utf-8')
    with pytest.raises(OptionError, match='which is not read: name it \\[emailuser\\]'):
        ini.read(path)


@pytest.mark.parametrize('section', ['touch', 'replace', 'add_text', 'welcome', 'user', 'mail'])
def test_other_scripts_sections_are_left_alone(tmp_path, section):
    path = tmp_path / 'scripts.ini'
    path.write_text(f'[{section}]\nalways = yes\nmax = 3\ntext = x\n', encoding='utf-8')
    assert ini.read(path).values == {}


# CSV files ---------------------------------------------------------------------------------

NAMES = st.lists(
    st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
    min_size=1,
    max_size=6,
    unique_by=str.lower,
)
VALUES = st.text(alphabet=string.ascii_letters + string.digits + '#,; ', max_size=10)


def _csv(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator='\n')
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@given(NAMES, NAMES, st.booleans())
def test_joined_csv_files_are_refused_at_the_second_header(first, second, bom):
    a = _csv(['username', 'code'], [[n, 'x'] for n in first], ',')
    b = ('\ufeff' if bom else '') + _csv(['username', 'code'], [[n, 'y'] for n in second], ',')
    with pytest.raises(EmailUserError, match=f'Line {len(first) + 2} of f.csv is the header'):
        parse_names(a + b, 'f.csv')


@given(NAMES, st.lists(VALUES, min_size=6, max_size=6), st.sampled_from([',', ';', '\t', '|']))
def test_a_sep_line_declares_the_delimiter_and_every_row_is_read(names, values, delimiter):
    text = f'sep={delimiter}\n' + _csv(
        ['note', 'username'], [[v, n] for v, n in zip(values, names)], delimiter
    )
    read = parse_names(text, 'f.csv', first_letter=False)
    assert [(r.name, r.values['note'], r.line) for r in read.rows] == [
        (n, v, i + 3) for i, (v, n) in enumerate(zip(values, names))
    ]


# Values beyond every bound -------------------------------------------------------------------


@given(st.text(max_size=40))
def test_since_and_ratelimit_parse_or_say_what_is_wrong(text):
    for parse in (parse_since, parse_ratelimit):
        with contextlib.suppress(Bad):
            parse(text)


@pytest.mark.parametrize(
    'text', ['0001-01-01T00:00:00+01:00', '0001-01-01T00:30:00+00:31', '9999-12-31T23:59:59-01:00']
)
def test_a_date_beyond_the_calendar_is_refused_as_a_date(text):
    with pytest.raises(Bad, match='is not a date or an ISO 8601 time in the past'):
        parse_since(text)


@pytest.mark.parametrize('text', ['1/99999999999999999999999999', '99999999999/day', '1/1000week'])
def test_a_limit_beyond_any_bound_is_refused(text):
    with pytest.raises(Bad):
        parse_ratelimit(text)
    assert BY_NAME['ratelimit'].parse is parse_ratelimit


# Text readers do not see -------------------------------------------------------------------

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
