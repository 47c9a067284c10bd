"""report.files: the report's path checked, its rows written, and a file replaced only when
it is a report of emailuser, without a wiki."""

from __future__ import annotations

import csv
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emailuserlib.core.errors import EmailUserError
from emailuserlib.report import files as report
from emailuserlib.report.files import check_path, is_report, report_header


@pytest.fixture
def said(monkeypatch):
    lines = []
    monkeypatch.setattr(report.pywikibot, 'info', lambda text: lines.append(('info', text)))
    monkeypatch.setattr(report.pywikibot, 'error', lambda text: lines.append(('error', text)))
    return lines


def test_a_written_report_is_said_with_its_rows(tmp_path, said):
    path = tmp_path / 'report.csv'
    assert report.save_report(path, [('Alice', 'sent', '')])
    assert path.read_text(encoding='utf-8').splitlines() == [
        'username,status,detail',
        'Alice,sent,',
    ]
    assert said == [('info', f'Report with 1 row written to {path}.')]


def test_a_report_that_cannot_be_written_is_one_sentence_and_leaves_nothing(tmp_path, said):
    path = tmp_path / 'gone' / 'report.csv'  # the folder went away after the door's check
    assert not report.save_report(path, [('Alice', 'sent', '')])
    assert said == [
        (
            'error',
            f'The report {path} could not be written (No such file or directory): check the '
            'path given with -report:.',
        )
    ]
    assert list(tmp_path.iterdir()) == []


def test_the_door_refuses_a_name_the_file_system_cannot_take(tmp_path):
    path = tmp_path / ('r' * 300)
    with pytest.raises(EmailUserError) as refused:
        report.check_path(path)
    assert str(refused.value) == (
        f'The report path {path} cannot be used (File name too long): give another path '
        'with -report:.'
    )


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
    for path in (text, hard, tmp_path / 'sub' / '..' / 'text.txt'):
        (tmp_path / 'sub').mkdir(exist_ok=True)
        with pytest.raises(EmailUserError, match='would overwrite the file given with'):
            report.check_path(path, None, [('-textfile:', str(text))])
    with pytest.raises(EmailUserError, match='is a symbolic link, and the report'):
        report.check_path(alias, None, [('-textfile:', str(text))])
    report.check_path(tmp_path / 'other.csv', None, [('-textfile:', str(text))])


def test_is_report(tmp_path):
    path = tmp_path / 'r.csv'
    assert is_report(path)  # nothing there
    path.write_bytes(b'')
    assert is_report(path)
    for header in report.HEADERS:
        path.write_text(','.join(header) + '\r\nAlice,sent,\r\n', encoding='utf-8')
        assert is_report(path)
    for other in (
        b'username,status\n',
        b'# user-config.py\nfamily = "wikipedia"\n',
        b'[emailuser]\nmax = 5\n',
        b'\xff\xfe' + 'username,status,detail\n'.encode('utf-16-le'),
        b'\n' + b'username,status,detail\n',
    ):
        path.write_bytes(other)
        assert not is_report(path), other
    os.mkfifo(tmp_path / 'fifo')
    assert not is_report(tmp_path / 'fifo')


@given(content=st.binary(max_size=64) | st.text(max_size=40).map(str.encode))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_file_at_the_report_path_is_replaced_only_if_it_is_a_report(content, tmp_path):
    path = tmp_path / 'r.csv'
    path.write_bytes(content)
    first = content.split(b'\n', 1)[0].rstrip(b'\r')
    own = not content or first in (b'username,status,detail', b'username,status,detail,edits,pages')
    if own:
        assert check_path(path) == path
    else:
        with pytest.raises(EmailUserError, match='is not a report of emailuser'):
            check_path(path)
    assert path.read_bytes() == content


def test_the_reports_of_every_run_are_reports():
    assert report_header(editors=False) in report.HEADERS
    assert report_header(editors=True) in report.HEADERS


def test_check_path_refuses_a_file_that_is_not_a_report(tmp_path):
    path = tmp_path / 'notes.txt'
    path.write_text('my notes\n')
    with pytest.raises(EmailUserError, match='is not a report of emailuser'):
        check_path(path)
    assert path.read_text() == 'my notes\n'


def test_check_path_refuses_a_file_it_cannot_read(tmp_path):
    if os.geteuid() == 0:
        pytest.skip('root reads any file')
    path = tmp_path / 'r.csv'
    path.write_text('username,status,detail\n')
    os.chmod(path, 0)
    with pytest.raises(EmailUserError, match='cannot be read to tell'):
        check_path(path)
