"""The -users: reader and the CSV placeholders, without a wiki."""

from __future__ import annotations

from pathlib import Path

import pytest

from emailuserlib.core.errors import EmailUserError
from emailuserlib.message.template import Message
from emailuserlib.recipients import namelist
from emailuserlib.recipients.namelist import parse_names, read_names

GERMAN = ['Benutzer', 'User', 'Benutzerin']


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


def test_csv_columns_are_placeholders_and_others_still_refused():
    msg = Message('Meetup on {event_date}', 'Team {team}, {username}.', ('event_date', 'team'))
    assert msg.used_columns == ['event_date', 'team']
    subject, body = msg.for_user('Alice', 'Wiki', {'event_date': '3 May', 'team': 'Red'})
    assert (subject, body) == ('Meetup on 3 May', 'Team Red, Alice.')
    with pytest.raises(EmailUserError, match=r'unknown placeholder \{tema\}: use .*\{team\}'):
        Message('Hi', 'Team {tema}', ('event_date', 'team'))
    with pytest.raises(EmailUserError, match=r'unknown placeholder \{team\}'):
        Message('Hi', 'Team {team}')


def test_users_may_be_given_more_than_once():
    import emailuser

    options, unknown = emailuser.parse(['-users:a.csv', '-users:b.txt', '-cat:X'])
    assert options['users'] == (Path('a.csv'), Path('b.txt'))
    assert unknown == ['-cat:X']


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
