"""recipients.namelist: the -users: files, plain lists and CSV, without a wiki.

The property-based test generates what an operator's files could hold: a CSV file is
refused with a line number, or gives each row's values to that row's user only."""

from __future__ import annotations

import csv
import io
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emailuserlib.core.errors import EmailUserError
from emailuserlib.recipients import namelist
from emailuserlib.recipients.namelist import parse_names, read_names

GERMAN = ['Benutzer', 'User', 'Benutzerin']


NAMES = ['Alice', 'Bob', 'Carol', 'Grace Hopper', 'Jürgen Müller', 'Heidi']


LINE = re.compile(r'Line (\d+) of ')


HEADER = re.compile(r'(Column \d+|The column ".*") of ')


def _tag(index: int) -> str:
    return f'<row{index}>'


cell_text = st.text(
    alphabet=st.sampled_from([*list('ab ,;\t"\'=\r\n\ufeff€#'), '\u2028']), max_size=8
)


@st.composite
def csv_files(draw):
    """A -users: CSV file as an operator's tools might write it, maybe damaged by hand.

    Every value of row *i* holds the tag ``<row{i}>``, so that a value that reached
    another row's user shows where it came from.
    """
    delimiter = draw(st.sampled_from([',', ';', '\t']))
    columns = draw(st.integers(1, 3))
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True))
    header = ['username'] + [f'c{i}' for i in range(columns)]
    rows = []
    for index, name in enumerate(names):
        rows.append(
            [name] + [draw(cell_text) + _tag(index) + draw(cell_text) for _ in range(columns)]
        )
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    terminator = draw(st.sampled_from(['\n', '\r\n']))
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=terminator)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()):
        text = '\ufeff' + text
    damage = draw(st.lists(st.tuples(st.integers(0, len(text)), st.sampled_from(['"', '\n']))))
    for position, char in damage:
        text = text[:position] + char + text[position:]
    if draw(st.integers(0, 9)) == 0:  # a long value
        text += delimiter.join([names[0], 'y' * draw(st.sampled_from([131_072, 131_073]))])
    return text, names, rows


SOME = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


CONTROLS = [chr(c) for c in [*range(0x20), 0x7F] if chr(c) != '\t']


NAME_LISTS = st.lists(
    st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
    min_size=1,
    max_size=6,
    unique_by=str.lower,
)


CELLS = st.text(alphabet=string.ascii_letters + string.digits + '#,; ', max_size=10)


def _csv(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator='\n')
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def test_a_plain_list_ignores_comments_blanks_and_the_prefix_in_any_of_its_names():
    text = '\ufeff# Teilnehmer\nBenutzer:alice\n\n  benutzerin:Grace_Hopper \nUser:Bob\nCarol\n'
    names = parse_names(text, 'names.txt', GERMAN)
    assert names.names == ['Alice', 'Grace Hopper', 'Bob', 'Carol']
    assert [row.line for row in names.rows] == [2, 4, 5, 6]
    assert names.columns == ()


def test_another_namespace_prefix_is_not_taken_for_the_user_namespace():
    # Kept as written: the wiki says that no account has this name.
    assert parse_names('Project:Alice\n', 'n.txt', GERMAN).names == ['Project:Alice']


def test_a_repeated_name_keeps_the_first_row_and_is_reported():
    names = parse_names('username,team\nAlice,Red\nalice,Blue\n', 'u.csv')
    assert names.values == {'Alice': {'team': 'Red'}}
    assert names.duplicates == [
        'Line 3 of u.csv names Alice again (line 2): the first row is used.'
    ]


@pytest.mark.parametrize(
    ('header', 'delimiter'),
    [
        ('username,team', ','),
        ('UserName;team', ';'),
        ('team\tUsername', '\t'),
        ('Smith, John', None),  # a user name with a comma
        ('username', None),
        ('user name,team', None),
    ],
)
def test_a_csv_file_is_told_by_its_header(header, delimiter):
    assert namelist.csv_delimiter(header) == delimiter


def test_csv_columns_become_values_with_quoting_but_never_over_two_lines():
    text = 'team;username;note\n"Red; the first";Alice;"two ""quoted"""\n# Bob;later\nCarol;Bob\n'
    names = parse_names(text, 'u.csv')
    assert names.columns == ('team', 'note')
    # In a CSV file every row is data, a # in a cell too.
    assert names.values == {
        'Alice': {'team': 'Red; the first', 'note': 'two "quoted"'},
        'Later': {'team': '# Bob', 'note': ''},
        'Bob': {'team': 'Carol', 'note': ''},
    }
    assert [row.line for row in names.rows] == [2, 3, 4]
    # A value over two lines is what a quote left open makes of the rows after it.
    with pytest.raises(
        EmailUserError, match=r'^Line 2 of u\.csv has a line break inside the value'
    ):
        parse_names(text.replace('two', 'two\nlines'), 'u.csv')


def test_every_bad_line_is_one_sentence_with_its_number():
    # Ali<ce> and Bad|name are the wiki's to judge (list=users says they are invalid).
    text = 'Alice\nAli<ce>\n127.0.0.1\nUser:\nBad|name\n'
    with pytest.raises(EmailUserError) as e:
        parse_names(text, 'n.txt')
    assert str(e.value).splitlines() == [
        'Line 3 of n.txt: "127.0.0.1" cannot be a user name (IP address): correct or remove '
        'the line.',
        'Line 4 of n.txt: "User:" cannot be a user name (empty user name): correct or remove '
        'the line.',
    ]


@pytest.mark.parametrize(
    ('header', 'fragment'),
    [
        ('username,event date', 'The column "event date" of u.csv cannot be a placeholder'),
        ('username,,team', 'Column 2 of u.csv has no name'),
        ('username,sitename', 'placeholder the script fills in itself'),
        ('username,team,team', 'The column "team" of u.csv is there twice'),
    ],
)
def test_columns_that_cannot_be_placeholders_are_refused(header, fragment):
    with pytest.raises(EmailUserError, match=fragment):
        parse_names(header + '\nAlice,a,b\n', 'u.csv')


def test_a_row_with_more_fields_than_the_header_is_refused():
    with pytest.raises(EmailUserError, match=r'Line 3 of u\.csv has 3 fields but the header has 2'):
        parse_names('username,team\nAlice,Red\nBob,Red,Blue\n', 'u.csv')


def test_empty_values_of_used_columns_are_named_with_their_line():
    names = parse_names('username,team,note\nAlice,Red,\nBob, ,x\n', 'u.csv')
    assert names.empty_values(['note']) == [
        'Line 2 of u.csv (Alice) has no value for {note}: fill it in, or remove the '
        'placeholder from the message.'
    ]
    assert len(names.empty_values(['team', 'note'])) == 2


def test_the_file_is_utf8_and_a_bad_byte_names_its_line(tmp_path):
    path = tmp_path / 'names.txt'
    path.write_bytes('\ufeffAlice\nJürgen Müller\n'.encode())
    assert read_names(str(path)).names == ['Alice', 'Jürgen Müller']
    path.write_bytes(b'Alice\nBob\nB\xf6b\n')
    with pytest.raises(EmailUserError, match=r'Line 3 of the user list .* is not valid UTF-8'):
        read_names(str(path))
    with pytest.raises(EmailUserError, match='does not exist: check the path given with -users:'):
        read_names(str(tmp_path / 'missing.txt'))


def test_two_files_are_merged_and_the_first_row_wins():
    first = parse_names('username,team\nAlice,Red\n', 'a.csv')
    first.extend(parse_names('username,date\nBob,1 May\nAlice,2 May\n', 'b.csv'))
    assert first.columns == ('team', 'date')
    assert first.names == ['Alice', 'Bob']
    assert first.duplicates == [
        'Line 3 of b.csv names Alice again (line 2 of a.csv): the first row is used.'
    ]


def test_a_temporary_account_is_refused_by_every_pattern_of_the_wiki():
    patterns = [('~', ''), ('*', '*')]
    text = 'Alice\n~2026-17\n*x*\nA~2026\n'
    with pytest.raises(EmailUserError) as e:
        parse_names(text, 'n.txt', temp_patterns=patterns)
    assert str(e.value).splitlines() == [
        'Line 2 of n.txt: "~2026-17" cannot be a user name (temporary account): correct or '
        'remove the line.',
        'Line 3 of n.txt: "*x*" cannot be a user name (temporary account): correct or remove '
        'the line.',
    ]
    # A wiki without temporary accounts has no pattern: the wiki says who these are.
    assert parse_names(text, 'n.txt').names == ['Alice', '~2026-17', '*x*', 'A~2026']


def test_an_unclosed_quote_is_refused_with_its_line_instead_of_swallowing_the_rows_after_it():
    text = 'username,code\nAlice,"1234\nBob,5678\nCarol,9999\n'
    with pytest.raises(
        EmailUserError, match=r'^Line 2 of u.csv opens a quoted value that is never'
    ):
        parse_names(text, 'u.csv')


def test_a_quote_closed_rows_later_is_refused_at_the_row_where_it_opened():
    # Well-formed CSV, but Bob's row and code would be Alice's value.
    text = 'username,code\nAlice,"1234\nBob,5678"\nCarol,9999\n'
    with pytest.raises(EmailUserError, match=r'^Line 2 of u.csv has a line break inside the value'):
        parse_names(text, 'u.csv')


@pytest.mark.parametrize('header', ['"username,code', 'u"sername,code', 'username",code'])
def test_a_stray_quote_in_the_header_is_refused_with_its_line_not_read_as_a_list(header):
    # Read as a plain list, each row would become an odd user name and its columns lost.
    with pytest.raises(EmailUserError, match=r'^Line 1 of u\.csv '):
        parse_names(f'{header}\nAlice,1\nBob,2\n', 'u.csv')


def test_text_after_a_closing_quote_is_refused_with_its_line():
    with pytest.raises(EmailUserError, match=r'^Line 3 of u.csv has text after the closing quote'):
        parse_names('username,code\nAlice,1\nBob,"2"3\n', 'u.csv')


def test_a_field_over_128_kib_is_one_sentence_with_its_line():
    text = 'username,code\nAlice,1\nBob,' + 'x' * (128 * 1024 + 1) + '\n'
    with pytest.raises(EmailUserError) as e:
        parse_names(text, 'u.csv')
    assert str(e.value) == (
        'Line 3 of u.csv has a value longer than 131,072 characters, more than a -users: '
        'file may hold: shorten it.'
    )


def test_a_field_of_128_kib_is_read():
    value = 'x' * (128 * 1024)
    assert parse_names(f'username,code\nAlice,{value}\n', 'u.csv').values == {
        'Alice': {'code': value}
    }


@pytest.mark.parametrize('brk', ['\r', '\n', '\r\n', '\x0b', '\x85', '\u2028'])
def test_a_line_break_inside_a_quoted_value_is_refused_with_its_line(brk):
    with pytest.raises(EmailUserError, match=r'^Line 3 of u.csv has a line break inside the value'):
        parse_names(f'username,team\nAlice,Red\nBob,"Blue{brk}To: x@example.org"\n', 'u.csv')


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(csv_files())
def test_a_generated_csv_file_is_refused_with_a_line_or_gives_each_row_its_own_values(case):
    text, names, _rows = case
    try:
        result = parse_names(text, 'u.csv')
    except EmailUserError as e:
        for sentence in str(e).split('\n'):
            if HEADER.match(sentence):  # a problem of the header's columns
                continue
            found = LINE.match(sentence)
            assert found, sentence
            assert 1 <= int(found.group(1)) <= text.count('\n') + text.count('\r') + 1
        return
    original = {name: index for index, name in enumerate(names)}
    for row in result.rows:
        tags = {tag for value in row.values.values() for tag in re.findall(r'<row\d+>', value)}
        # One row's values only; a name damaged by hand is still that row's user.
        assert len(tags) <= 1, row
        if row.name in original:
            assert tags <= {_tag(original[row.name])}, row


@SOME
@given(st.sampled_from(CONTROLS), st.text(st.characters(blacklist_categories=('Cs',)),
                                          max_size=8))  # fmt: skip
def test_a_control_character_in_a_csv_value_is_refused_with_its_line(char, text):
    value = f'A{text}{char}'.replace('"', '')
    csv = f'username,code\nAlice,"{value}"\nBob,B\n'
    with pytest.raises(EmailUserError) as e:
        namelist.parse_names(csv, 'u.csv')
    assert str(e.value).startswith('Line 2 of u.csv has ')
    assert '\x00' not in str(e.value)


def test_a_tab_in_a_csv_value_is_kept():
    names = namelist.parse_names('username,code\nAlice,"A\t1"\n', 'u.csv')
    assert names.values == {'Alice': {'code': 'A\t1'}}


@pytest.mark.parametrize('char', ['\x00', '\x1b', '\x7f'])
def test_a_control_character_in_a_plain_list_name_is_refused_and_shown_escaped(char):
    with pytest.raises(EmailUserError) as e:
        namelist.parse_names(f'Alice\nBo{char}b\n', 'n.txt')
    shown = char.encode('unicode_escape').decode()
    assert str(e.value) == (
        f'Line 2 of n.txt: "Bo{shown}b" cannot be a user name (control character): correct '
        'or remove the line.'
    )


@given(NAME_LISTS, NAME_LISTS, st.booleans())
def test_joined_csv_files_are_refused_at_the_second_header(first, second, bom):
    a = _csv(['username', 'code'], [[n, 'x'] for n in first], ',')
    b = ('\ufeff' if bom else '') + _csv(['username', 'code'], [[n, 'y'] for n in second], ',')
    with pytest.raises(EmailUserError, match=f'Line {len(first) + 2} of f.csv is the header'):
        parse_names(a + b, 'f.csv')


@given(NAME_LISTS, st.lists(CELLS, min_size=6, max_size=6), st.sampled_from([',', ';', '\t', '|']))
def test_a_sep_line_declares_the_delimiter_and_every_row_is_read(names, values, delimiter):
    text = f'sep={delimiter}\n' + _csv(
        ['note', 'username'], [[v, n] for v, n in zip(values, names)], delimiter
    )
    read = parse_names(text, 'f.csv', first_letter=False)
    assert [(r.name, r.values['note'], r.line) for r in read.rows] == [
        (n, v, i + 3) for i, (v, n) in enumerate(zip(values, names))
    ]
