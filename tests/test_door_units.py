"""The doors of files, subjects, titles, the lock file and the budget, without a wiki.

The property-based tests generate what an operator's files could hold and state what
must always be true: a -users: CSV file is refused with a line number, or gives each
row's values to that row's user only; a subject is refused, or fits into one line of
mail as the wiki encodes it.
"""

from __future__ import annotations

import csv
import io
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emailuserlib.core.errors import EmailUserError, JournalError
from emailuserlib.journal.store import Journal
from emailuserlib.message.template import (
    MAIL_LINE_LIMIT,
    check_subject_length,
    subject_fit,
    subject_line_length,
)
from emailuserlib.options.settings import RateLimit
from emailuserlib.plan.budget import Budget
from emailuserlib.recipients.namelist import parse_names
from emailuserlib.report import files as report

NAMES = ['Alice', 'Bob', 'Carol', 'Grace Hopper', 'Jürgen Müller', 'Heidi']
LINE = re.compile(r'Line (\d+) of ')
HEADER = re.compile(r'(Column \d+|The column ".*") of ')

# CSV files ---------------------------------------------------------------


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


# Subjects ----------------------------------------------------------------


def test_a_subject_of_200_euro_signs_is_refused_saying_how_many_of_them_fit():
    with pytest.raises(EmailUserError) as e:
        check_subject_length('€' * 200, 'Alice')
    assert 'The subject for Alice has 200 characters' in str(e.value)
    assert 'shorten it to 108 characters or fewer' in str(e.value)
    check_subject_length('€' * 108, 'Alice')


def test_the_encoded_length_is_mediawikis_subject_line():
    # As UserMailer::quotedPrintable() writes it: plain ASCII stays as it is.
    assert subject_line_length('Hello there') == len('Subject: Hello there')
    # One byte it must encode, and every space, dot, comma, ? and _ takes three places.
    assert subject_line_length('a=b c') == len('Subject: =?UTF-8?Q?a=3Db=20c?=')
    assert subject_line_length('€.') == len('Subject: =?UTF-8?Q?=E2=82=AC=2E?=')


subjects = st.text(
    alphabet=st.sampled_from([*list('aZ =?_.,\t€ü'), '😀', '\n', '\u2028']),
    min_size=1,
    max_size=260,
)


@settings(max_examples=500)
@given(subjects)
def test_a_generated_subject_is_refused_or_fits_one_line_of_mail(subject):
    try:
        check_subject_length(subject)
    except EmailUserError as e:
        assert str(e).startswith('The subject has ')
        fit = subject_fit(subject)
        assert subject_line_length(subject[:fit]) <= MAIL_LINE_LIMIT
        return
    assert subject_line_length(subject) <= MAIL_LINE_LIMIT
    assert '\n' not in subject and '\u2028' not in subject


# The report --------------------------------------------------------------


@pytest.mark.parametrize('start', ['=', '+', '-', '@', '\t', '\r'])
def test_a_report_cell_that_a_spreadsheet_would_run_gets_a_leading_quote(tmp_path, start):
    path = tmp_path / 'r.csv'
    report.write_report(path, [(f'{start}SUM(A1)', 'sent', 'Talk:=x')])
    with open(path, encoding='utf-8', newline='') as f:
        rows = list(csv.reader(f))
    assert rows[1] == [f"'{start}SUM(A1)", 'sent', 'Talk:=x']


def test_the_report_may_not_be_an_input_by_path_link_or_inode(tmp_path):
    text = tmp_path / 'text.txt'
    text.write_text('Hello')
    alias = tmp_path / 'alias.txt'
    alias.symlink_to(text)
    hard = tmp_path / 'hard.txt'
    os.link(text, hard)
    for path in (text, alias, hard, tmp_path / 'sub' / '..' / 'text.txt'):
        (tmp_path / 'sub').mkdir(exist_ok=True)
        with pytest.raises(EmailUserError, match='would overwrite the file given with'):
            report.check_path(path, None, [('-textfile:', str(text))])
    report.check_path(tmp_path / 'other.csv', None, [('-textfile:', str(text))])


# The lock file -----------------------------------------------------------


def _journal(tmp_path) -> Journal:
    j = Journal(tmp_path / 'j.sqlite3')
    j.open_campaign('wiki', 'campaign', 'fp', create=True)
    return j


def test_the_lock_file_is_private_and_junk_in_it_is_one_sentence(tmp_path):
    j = _journal(tmp_path)
    j.lock()
    assert (tmp_path / 'j.sqlite3.lock').stat().st_mode & 0o777 == 0o600
    j.close()
    (tmp_path / 'j.sqlite3.lock').write_text('not a lock at all, ' * 50)
    j = _journal(tmp_path)
    with pytest.raises(JournalError, match=r'j.sqlite3.lock of the journal holds something'):
        j.lock()
    j.close()


def test_a_symlinked_lock_file_is_refused_and_its_target_never_made(tmp_path):
    target = tmp_path / 'elsewhere'
    (tmp_path / 'j.sqlite3.lock').symlink_to(target)
    j = _journal(tmp_path)
    with pytest.raises(JournalError, match=r'is a symbolic link or not a plain file'):
        j.lock()
    j.close()
    assert not target.exists()


# The budget --------------------------------------------------------------


def test_the_budget_reads_the_journal_once_however_full_the_window():
    now = [0.0]
    reads = []

    def sends_since(since, across_family):
        reads.append(since)
        return []

    limit = RateLimit(20_000, 3600)
    b = Budget([limit], sends_since, lambda: now[0])
    for _ in range(10_000):
        assert b.wait() == 0
        b.spend()
        now[0] += 0.01
    assert len(reads) == 1
    assert b.used(limit) == 10_000
    # The window moves on: the sends leave it, and one more fits at once.
    now[0] += 3600
    assert b.used(limit) == 0 and b.wait() == 0


def test_the_budget_waits_for_the_oldest_send_of_a_full_window():
    now = [1000.0]
    limit = RateLimit(3, 100)
    b = Budget([limit], lambda since, _: [950.0], lambda: now[0])
    b.spend()
    now[0] = 1010.0
    b.spend()
    assert b.blocking() is limit
    assert b.wait() == pytest.approx(950 + 100 - 1010 + 0.5)
    now[0] = 1051.0
    assert b.wait() == 0
