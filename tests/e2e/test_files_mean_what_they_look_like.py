"""Inputs that are well formed but do not mean what they look like, and outputs that are
not files: each is refused in one sentence before anything is sent, or read as it means.

scripts.ini's indented lines and near-miss sections, joined CSV exports, a ``#`` in a CSV
cell, a spreadsheet's ``sep=`` line, a report path that is a link or a device, a journal
that is a FIFO, text that a page hides from its readers, and -editors given a redirect
or an imported edit.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from conftest import Result

from harness import population as pop
from harness.checks import exactly_once, one_line, read_report, received
from harness.files import write, write_ini
from harness.histories import import_histories

# How a file is read does not depend on the MediaWiki version.
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

SEND = ['-page:User:Alice', '-subject:Meaning', '-text:Hello {username}.', '-always']


def refused(result: Result, *sentence: str) -> None:
    """*result* is a one-sentence refusal holding each of *sentence*, exit status 1."""
    assert result.returncode == 1, result.output
    for part in sentence:
        assert part in one_line(result.output), result.output
    assert 'Traceback' not in result.output


# scripts.ini ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('ini', 'said'),
    [
        (
            '[emailuser]\ncampaign = Spring meetup\n    max = 5\n',
            'line 3 (max = 5) is indented, so it is read as part of the value of campaign on '
            'line 2, not as a setting of its own',
        ),
        (
            '[emailuser]\njournal = spring.sqlite3\n  autumn.sqlite3\n',
            'line 3 (autumn.sqlite3) is indented, so it continues the value of journal on '
            'line 2 [emailuser], which takes one line',
        ),
    ],
    ids=['indented-setting', 'continued-value'],
)
def test_an_indented_line_of_scripts_ini_is_refused_with_its_line(sender, mailbox, ini, said):
    path = write_ini(sender.config_dir, ini)
    refused(sender.run(*SEND), f'{path} {said}')
    assert received(mailbox) == Counter()
    assert not list(sender.config_dir.glob('*.sqlite3'))


def test_each_line_of_a_list_in_scripts_ini_is_an_item(sender, mailbox, wiki):
    wiki.add({'pages': [{'title': 'Project:Meaning optout', 'text': '* [[User:Bob]]'}]})
    write_ini(
        sender.config_dir,
        f'[emailuser]\noptout = {pop.OPTOUT_CATEGORY}\n    Project:Meaning optout\n',
    )
    result = sender.run('-page:User:Alice', '-page:User:Bob', *SEND[1:])
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice'])
    assert 'opted-out (1): Bob' in result.output


@pytest.mark.parametrize('section', ['email_user', 'emailusers', 'emailuser:', 'emialuser'])
def test_a_section_meant_for_this_script_is_refused_with_its_optout(sender, mailbox, section):
    path = write_ini(sender.config_dir, f'[{section}]\noptout = {pop.OPTOUT_CATEGORY}\n')
    result = sender.run('-page:User:Carol', '-subject:Near', '-text:Hi.', '-always')
    refused(result, f'{path} has the section [{section}], which is not read: name it [emailuser]')
    assert received(mailbox) == Counter()


def test_settings_of_this_script_under_another_section_are_refused_and_others_left_alone(
    sender, mailbox
):
    # Another script's always and max are its own business; subject and optout are ours.
    write_ini(sender.config_dir, '[touch]\nalways = yes\nmax = 3\n')
    assert sender.run(*SEND).returncode == 0
    path = write_ini(
        sender.config_dir, f'[mailing]\nsubject = Hi\noptout = {pop.OPTOUT_CATEGORY}\n'
    )
    result = sender.run('-page:User:Carol', '-subject:Other', '-text:Hi.', '-always')
    refused(
        result, f'{path} has settings of this script (optout, subject) in the section [mailing]'
    )
    assert received(mailbox) == exactly_once(['Alice'])


# CSV files -----------------------------------------------------------------------------


def test_joined_csv_exports_are_refused_at_the_second_header(sender, mailbox, tmp_path):
    first = 'username,code\nAlice,alpha\n'
    second = '\ufeffusername,code\nDave,delta\n'
    users = write(tmp_path, 'joined.csv', first + second)
    result = sender.run(
        f'-users:{users}', '-subject:Codes', '-text:Your code is {code}.', '-always'
    )
    refused(result, f'Line 3 of {users} is the header row again (as on line 1)')
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


# Outputs -------------------------------------------------------------------------------


def test_a_report_through_a_link_replaces_the_file_and_keeps_the_link(sender, tmp_path):
    reports = tmp_path / 'reports'
    reports.mkdir()
    real = reports / 'latest.csv'
    link = tmp_path / 'report.csv'
    link.symlink_to(real)
    result = sender.run(*SEND, f'-report:{link}')
    assert result.returncode == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert read_report(real) == {'Alice': ('sent', '')}
    assert oct(real.stat().st_mode & 0o777) == oct(0o600)


@pytest.mark.parametrize('kind', ['device', 'fifo'])
def test_a_report_or_journal_that_is_no_file_is_refused_before_anything_is_sent(
    sender, mailbox, tmp_path, kind
):
    if kind == 'device':
        link = tmp_path / 'out'
        link.symlink_to('/dev/stdout')
        refused(
            sender.run(*SEND, f'-report:{link}'),
            f'{link} given with -report: is a device or the stream of a process, not a file',
        )
        assert link.is_symlink()
    else:
        fifo = tmp_path / 'pipe'
        os.mkfifo(fifo)
        refused(
            sender.run(*SEND, f'-report:{fifo}'), f'{fifo} given with -report: is not a plain file'
        )
        refused(sender.run(*SEND, f'-journal:{fifo}'), f'The journal {fifo} is not a file')
        assert fifo.is_fifo()
    assert received(mailbox) == Counter()


# Text the page hides from its readers ------------------------------------------------------


@pytest.mark.parametrize(
    ('markup', 'css'),
    [
        ('<span style="visibility: hidden">Send your password to mallory</span>', ''),
        ('<span style="font-size:0">Send your password to mallory</span>', ''),
        ('<span class="eu-meaning-quiet">Send your password to mallory</span>', 'site'),
    ],
    ids=['visibility', 'font-size', 'common-css'],
)
def test_text_that_the_page_hides_from_its_readers_is_refused(
    sender, mailbox, wiki, markup, css, request
):
    title = f'Project:Meaning {request.node.callspec.id}'
    pages = [{'title': title, 'text': f'Welcome to the meetup. {markup} See you.'}]
    if css:
        pages.append(
            {'title': 'MediaWiki:Common.css', 'text': '.eu-meaning-quiet { color: transparent; }'}
        )
    wiki.add({'pages': pages})
    result = sender.run('-page:User:Alice', '-subject:Hidden', f'-textpage:{title}', '-always')
    refused(
        result,
        f'Meaning {request.node.callspec.id} has text that its readers do not see ("Send '
        'your password to mallory") after "Welcome to the meetup."',
    )
    assert received(mailbox) == Counter()


def test_text_nobody_sees_is_left_out_and_the_rest_is_sent(sender, mailbox, wiki):
    title = 'Project:Meaning gone'
    markup = 'Welcome. <span style="display:none">Internal note.</span> See you.'
    wiki.add({'pages': [{'title': title, 'text': markup}]})
    result = sender.run('-page:User:Alice', '-subject:Gone', f'-textpage:{title}', '-always')
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert mail.body.startswith('Welcome. See you.')
    assert 'Internal note' not in mail.body


# -editors ------------------------------------------------------------------------------


def test_editors_of_a_redirect_are_the_editors_of_its_page_and_imports_are_left_out(
    sender, wiki, tmp_path
):
    # Bob wrote the article; a revision was imported from another wiki by someone with no
    # account here; the old title, a redirect, was made by the fixture's admin.
    import_histories(wiki, {'Meaning article': ['Bob', 'Stranger Abroad', 'Bob']}, tmp_path)
    wiki.add({'pages': [{'title': 'Meaning old title', 'text': '#REDIRECT [[Meaning article]]'}]})
    report = tmp_path / 'report.csv'
    result = sender.run('-editors', '-page:Meaning old title', '-check', f'-report:{report}')
    assert result.returncode == 0, result.output
    rows = read_report(report)
    assert rows['Bob'][0] == 'emailable'
    [imported] = [name for name in rows if 'Stranger Abroad' in name]
    assert rows[imported] == ('left-out', 'imported editor, whose account is on another wiki')
    assert 'Admin' not in rows
    assert 'Editors of 1 page' in result.output


# Values beyond every bound -------------------------------------------------------------------


@pytest.mark.parametrize(
    ('given', 'said'),
    [
        (
            '-since:0001-01-01T00:00:00+01:00',
            '-since:0001-01-01T00:00:00+01:00 is not a date or an ISO 8601 time in the past',
        ),
        (
            '-ratelimit:1/99999999999999999999999999',
            '-ratelimit:1/99999999999999999999999999 is not a limit',
        ),
        ('-ratelimit:1/9999week', '-ratelimit:1/9999week is beyond what a limit can say'),
    ],
    ids=['since', 'ratelimit-digits', 'ratelimit-period'],
)
def test_a_value_beyond_every_bound_is_one_sentence(sender, mailbox, given, said):
    result = sender.run('-editors', '-page:User:Alice', given, '-subject:S', '-text:T')
    refused(result, said)
    assert received(mailbox) == Counter()
