"""-users: name lists and CSV mail merge, and generator sources that must exist."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import Result

from harness import population as pop
from harness.checks import address, exactly_once, one_line, read_report, received
from harness.files import write

pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

# No comment line: in a CSV file every row is data, a # in a cell too.
CSV_TEXT = (
    'username,event_date,team\n'
    'Alice,3 May,Red\n'
    'User:Bob,4 May,"Blue, the big one"\n'
    '\n'
    'carol,5 May,Green\n'
)


MERGE = ['-subject:Meetup on {event_date}', '-text:Hello {username}, you are in team {team}.']


def refused_with(result: Result, *sentence: str) -> None:
    """*result* is a one-sentence refusal holding each of *sentence*, exit status 1."""
    assert result.returncode == 1, result.output
    for part in sentence:
        assert part in one_line(result.output), result.output
    assert 'Traceback' not in result.output


def test_a_plain_list_with_and_without_prefix_emails_each_user_once(sender, mailbox, tmp_path):
    names = write(
        tmp_path,
        'names.txt',
        '\ufeff# invited on Monday\nUser:Alice\n\nbob\nuser:Grace_Hopper\n'
        '  Jürgen Müller  \nAlice\n',
    )
    result = sender.run(f'-users:{names}', '-subject:Hi {username}', '-text:Hello.', '-always')
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob', 'Grace Hopper', 'Jürgen Müller'])
    assert 'Line 7 of' in result.output and 'names Alice again (line 2)' in result.output
    assert {m.subject for m in mailbox.messages()} == {
        'Hi Alice',
        'Hi Bob',
        'Hi Grace Hopper',
        'Hi Jürgen Müller',
    }


def test_a_csv_file_personalises_subject_and_body_per_row(sender, mailbox, tmp_path):
    users = write(tmp_path, 'users.csv', CSV_TEXT)
    report = tmp_path / 'report.csv'
    result = sender.run(f'-users:{users}', *MERGE, '-always', f'-report:{report}')
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob', 'Carol'])
    # The first line of the body: MediaWiki appends a footer.
    mails = {m.to_address: (m.subject, m.body.split('\n')[0]) for m in mailbox.messages()}
    assert mails == {
        address('Alice'): ('Meetup on 3 May', 'Hello Alice, you are in team Red.'),
        address('Bob'): ('Meetup on 4 May', 'Hello Bob, you are in team Blue, the big one.'),
        address('Carol'): ('Meetup on 5 May', 'Hello Carol, you are in team Green.'),
    }
    assert {n: s for n, (s, _) in read_report(report).items()} == {
        'Alice': 'sent',
        'Bob': 'sent',
        'Carol': 'sent',
    }
    # The journal knows them: a rerun emails nobody again.
    again = sender.run(f'-users:{users}', *MERGE, '-always')
    assert again.returncode == 0, again.output
    assert 'already-sent (3)' in again.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob', 'Carol'])


def test_a_semicolon_csv_fills_the_email_and_its_columns_never_reach_a_talk_page(
    sender, mailbox, tmp_path, wiki
):
    users = write(tmp_path, 'users.csv', 'Team;UserName\nOrchid;Alice\nLotus;User:Frank\n')
    common = [f'-users:{users}', '-subject:Team {Team} for {username}', '-always']
    talk = wiki.page_text(f'User talk:{pop.NO_ADDRESS_POSTABLE}')
    # A talk page is public: -fallback:talk would publish Frank's team there.
    refused = sender.run(*common, '-text:You are in {Team}.', '-fallback:talk')
    assert refused.returncode == 1, refused.output
    assert 'where {Team} from the -users: files would publish' in refused.output
    assert mailbox.messages() == []
    assert wiki.page_text(f'User talk:{pop.NO_ADDRESS_POSTABLE}') == talk
    result = sender.run(*common, '-text:You are in {Team}.')
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert (mail.to_address, mail.subject) == (address('Alice'), 'Team Orchid for Alice')
    assert 'You are in Orchid.' in mail.body


def test_an_unknown_placeholder_is_refused_naming_it(sender, mailbox, tmp_path):
    users = write(tmp_path, 'users.csv', CSV_TEXT)
    result = sender.run(f'-users:{users}', '-subject:Hi', '-text:Team {tema}.', '-always')
    assert result.returncode == 1
    assert 'unknown placeholder {tema}' in result.output
    assert '{event_date}, {team}' in result.output  # the known ones include the columns
    assert mailbox.messages() == []


@pytest.mark.parametrize(
    ('text', 'fragments'),
    [
        (
            'Alice\n# fine\n127.0.0.1\nBob\n',
            ['Line 3 of', '"127.0.0.1" cannot be a user name', 'IP address'],
        ),
        (
            'username,event_date,team\nAlice,3 May,Red\n,4 May,Blue\n',
            ['Line 3 of', 'cannot be a user name (empty user name)'],
        ),
        (
            'username,event_date,team\nAlice,3 May,Red\nBob,4 May,\n',
            ['Line 3 of', '(Bob) has no value for {team}'],
        ),
        (
            'username,event date,team\nAlice,3 May,Red\n',
            ['The column "event date" of', 'letters, digits and _ only'],
        ),
        (b'Alice\nB\xf6b\n', ['Line 2 of the user list', 'not valid UTF-8']),
    ],
    ids=['bad-names', 'empty-name', 'empty-value', 'bad-column', 'not-utf8'],
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_sent(
    sender, mailbox, tmp_path, text, fragments
):
    path = tmp_path / 'users.csv'
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding='utf-8')
    merge = (
        MERGE
        if isinstance(text, str) and text.startswith('username')
        else ['-subject:Hi', '-text:Hello.']
    )
    result = sender.run(f'-users:{path}', *merge, '-always')
    assert result.returncode == 1, result.output
    for fragment in fragments:
        assert fragment in result.output
    assert 'Traceback' not in result.output
    assert mailbox.messages() == []


def test_a_list_and_a_category_email_each_user_once(sender, mailbox, tmp_path):
    names = write(tmp_path, 'names.txt', 'Alice\nBob\nCrowd 01\n')
    result = sender.run(
        f'-users:{names}', f'-cat:{pop.CATEGORY}', '-subject:Hi {username}', '-text:T', '-always'
    )
    assert result.returncode == 0, result.output
    in_category = ['Alice', 'Bob', 'Carol', 'Grace Hopper', 'Jürgen Müller', 'Heidi']
    assert received(mailbox) == exactly_once([*in_category, 'Crowd 01'])


def test_a_category_user_without_a_row_is_refused_when_a_column_is_used(sender, mailbox, tmp_path):
    users = write(tmp_path, 'users.csv', CSV_TEXT)
    result = sender.run(f'-users:{users}', f'-cat:{pop.CATEGORY}', *MERGE, '-always')
    assert result.returncode == 1
    assert 'are not in the -users: files, so {event_date}, {team} has no value' in result.output
    assert 'Grace Hopper' in result.output
    assert mailbox.messages() == []


def test_a_category_that_does_not_exist_is_refused(sender, mailbox):
    result = sender.run('-cat:No such category', '-subject:Hi', '-text:T', '-always')
    assert result.returncode == 1
    assert 'The category Category:No such category given with -cat: does not exist' in (
        result.output
    )
    assert mailbox.messages() == []


def test_an_existing_empty_category_is_a_warning(sender, mailbox):
    result = sender.run(f'-cat:{pop.EMPTY_CATEGORY}', '-subject:Hi', '-text:T', '-always')
    assert result.returncode == 0, result.output
    assert f'The category {pop.EMPTY_CATEGORY} given with -cat: is empty' in result.output
    assert 'Nobody to email.' in result.output


def test_a_file_that_does_not_exist_is_refused(sender, mailbox, tmp_path):
    missing = tmp_path / 'no-such-list.txt'
    result = sender.run(f'-file:{missing}', '-subject:Hi', '-text:T', '-always')
    assert result.returncode == 1
    assert f'The file {missing} given with -file: does not exist' in result.output
    assert 'Traceback' not in result.output
    assert mailbox.messages() == []


def test_an_invalid_title_in_a_file_is_refused_with_its_line(sender, mailbox, tmp_path):
    titles = write(tmp_path, 'titles.txt', 'User:Alice\nAli<ce>\nUser:Bob\n')
    result = sender.run(f'-file:{titles}', '-subject:Hi', '-text:T', '-always')
    assert result.returncode == 1
    assert 'Line 2 of' in result.output and '"Ali<ce>" is not a valid page title' in result.output
    assert 'Traceback' not in result.output and 'InvalidTitle' not in result.output
    assert mailbox.messages() == []


def test_page_with_a_bar_is_refused_instead_of_dropping_the_rest(sender, mailbox):
    result = sender.run('-page:User:Alice|Bob', '-subject:Hi', '-text:T', '-always')
    assert result.returncode == 1
    assert 'Pywikibot would ignore "Bob"' in result.output
    assert mailbox.messages() == []


def test_a_missing_page_for_links_is_refused(sender, mailbox):
    result = sender.run('-links:Project:No such list', '-subject:Hi', '-text:T', '-always')
    assert result.returncode == 1
    assert 'given with -links: does not exist' in result.output
    assert mailbox.messages() == []


def test_users_alone_needs_no_generator_and_two_files_combine(sender, mailbox, tmp_path):
    first = write(tmp_path, 'a.csv', 'username,team\nAlice,Red\n')
    second = write(tmp_path, 'b.csv', 'team;username\nBlue;Bob\nGreen;Alice\n')
    result = sender.run(
        f'-users:{first}', f'-users:{second}', '-subject:Team {team}', '-text:T', '-always'
    )
    assert result.returncode == 0, result.output
    assert {m.to_address: m.subject for m in mailbox.messages()} == {
        address('Alice'): 'Team Red',
        address('Bob'): 'Team Blue',
    }
    assert 'names Alice again (line 2 of' in result.output


def test_joined_csv_exports_are_refused_at_the_second_header(sender, mailbox, tmp_path):
    first = 'username,code\nAlice,alpha\n'
    second = '\ufeffusername,code\nDave,delta\n'
    users = write(tmp_path, 'joined.csv', first + second)
    result = sender.run(
        f'-users:{users}', '-subject:Codes', '-text:Your code is {code}.', '-always'
    )
    refused_with(result, f'Line 3 of {users} is the header row again (as on line 1)')
    assert received(mailbox) == Counter()


def test_a_hash_in_a_csv_cell_is_data_and_sep_declares_the_delimiter(sender, mailbox, tmp_path):
    tables = write(tmp_path, 'tables.csv', 'table,username\n#1,Alice\n#2,Bob\n')
    spreadsheet = write(tmp_path, 'sheet.csv', 'sep=;\nusername;room\nBob;A 1,2\n')
    table_only = sender.run(f'-users:{tables}', '-subject:Seats', '-text:Table {table}.', '-always')
    assert table_only.returncode == 0, table_only.output
    room_only = sender.run(
        f'-users:{spreadsheet}',
        '-subject:Rooms',
        '-text:Room {room}.',
        '-always',
        '-campaign:Rooms',
    )
    assert room_only.returncode == 0, room_only.output
    bodies = {(m.to_address, m.subject): m.body for m in mailbox.messages()}
    assert bodies[(pop.EMAILABLE['Alice'], 'Seats')].startswith('Table #1.')
    assert bodies[(pop.EMAILABLE['Bob'], 'Seats')].startswith('Table #2.')
    assert bodies[(pop.EMAILABLE['Bob'], 'Rooms')].startswith('Room A 1,2.')
    assert len(bodies) == 3
