"""Writing the report (report.save_report), as the run and -check both do."""

from __future__ import annotations

import pytest

from emailuserlib.core.errors import EmailUserError
from emailuserlib.report import files as report


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
    assert said == [('info', f'Report with 1 rows written to {path}.')]


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
