"""-statusfile: what a scheduler reads, written whole, never over another program's file."""

from __future__ import annotations

import json
import os
import time
from collections import Counter

import pytest

from emailuserlib.core.accounts import Status
from emailuserlib.core.errors import EmailUserError
from emailuserlib.report.status import (
    OUTCOMES,
    RunRecord,
    check_status_path,
    exit_status,
    is_status_file,
    save_status,
    write_status,
)


@pytest.mark.parametrize(
    ('outcome', 'status'),
    [('done', 0), ('deferred', 0), ('stopped', 75), ('refused', 1), ('failed', 1)],
)
def test_each_outcome_has_its_exit_status(outcome, status):
    assert exit_status(outcome, deferredexit=0) == status
    assert exit_status('deferred') == 75  # the default of -deferredexit:


def test_a_deferred_run_says_when_and_what_to_run():
    record = RunRecord(
        campaign='Meetup',
        journal='/j.sqlite3',
        counts=Counter({Status.SENT: 2, Status.PENDING: 4, Status.LEFT_OUT: 0}),
        outcome='deferred',
        next_at=time.time() + 3600,
        sentence='Stopped at the limit.',
    )
    found = record.document(0, 'pwb emailuser -cat:X')
    assert found['outcome'] == 'deferred' and found['exit_status'] == 0
    assert found['counts'] == {'pending': 4, 'sent': 2}
    assert found['command'] == 'pwb emailuser -cat:X'
    assert found['next_possible_at'] > found['finished_at']
    assert found['next_possible_at'].endswith('Z') and found['emailuser'] == 1
    assert found['outcome'] in OUTCOMES


@pytest.mark.parametrize('outcome', ['done', 'refused'])
def test_nothing_to_run_again_after_a_done_or_refused_run(outcome):
    found = RunRecord(outcome=outcome).document(0 if outcome == 'done' else 1, 'pwb emailuser')
    assert found['next_possible_at'] is None and found['command'] is None


def test_the_file_is_written_whole_private_and_replaces_only_its_own(tmp_path):
    path = tmp_path / 'status.json'
    record = RunRecord(path=path, outcome='done')
    save_status(record, 0, 'pwb emailuser')
    assert json.loads(path.read_text())['outcome'] == 'done'
    assert path.stat().st_mode & 0o777 == 0o600
    assert is_status_file(path)
    assert [p.name for p in tmp_path.iterdir()] == ['status.json']  # no temporary left
    other = tmp_path / 'other.json'
    other.write_text('{"name": "another program"}')
    assert not is_status_file(other)
    with pytest.raises(EmailUserError) as e:
        check_status_path(other, [])
    assert 'is not a status file of emailuser' in str(e.value)
    link = tmp_path / 'link.json'
    link.symlink_to(path)
    assert not is_status_file(link)
    with pytest.raises(OSError):
        write_status(other, {'emailuser': 1})
    assert json.loads(other.read_text()) == {'name': 'another program'}


def test_a_status_file_that_is_an_input_or_the_journal_is_refused(tmp_path):
    users = tmp_path / 'users.txt'
    users.write_text('Alice\n')
    with pytest.raises(EmailUserError) as e:
        check_status_path(users, [('the file given with -users', users)])
    assert str(e.value) == (
        f'The status file {users} would overwrite the file given with -users: give another '
        'path with -statusfile:.'
    )
    with pytest.raises(EmailUserError):
        check_status_path(tmp_path, [])
    with pytest.raises(EmailUserError):
        check_status_path(tmp_path / 'missing' / 'status.json', [])
    empty = tmp_path / 'empty.json'
    empty.write_text('')
    assert check_status_path(empty, [('the journal', tmp_path / 'j.sqlite3')]) == empty


def test_a_status_file_that_cannot_be_written_is_said(tmp_path, capsys):
    folder = tmp_path / 'gone'
    folder.mkdir()
    record = RunRecord(path=folder / 'status.json', outcome='done')
    os.rmdir(folder)
    save_status(record, 0, '')  # one sentence, no traceback
