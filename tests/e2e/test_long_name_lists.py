"""A long list of names, most of them without an account, as old participant lists are:
the rename log is read in a few requests, not one per name, every renamed account is
still found, the operator is told the cost first, and Ctrl-C stops with a report."""

from __future__ import annotations

import signal

import pytest

from harness.checks import read_report, report_rows

pytestmark = pytest.mark.wiki

NOBODY = [f'Ln Nobody {i:03d}' for i in range(300)]


def logevents(wiki, since: int) -> int:
    """How many rename log requests the wiki served since its *since*-th request."""
    return sum(1 for r in wiki.api_requests()[since:] if r.get('list') == 'logevents')


def test_a_long_list_asks_the_rename_log_a_few_times_and_finds_every_renamed_account(
    sender_factory, wiki, tmp_path
):
    wiki.add(
        {
            'users': [
                {'name': n, 'email': f'{n[3:].lower()}@long.test'}
                for n in ('Ln Alise', 'Ln Twice', 'Ln Plain')
            ]
        }
    )
    wiki.rename_user('Ln Alise', 'Ln Mid')
    wiki.rename_user('Ln Mid', 'Ln Final')
    wiki.rename_user('Ln Twice', 'Ln Twice One')
    # Two freed names registered again: one in the middle of Alise's renames, and one
    # that is then given up a second time.
    wiki.add(
        {
            'users': [
                {'name': 'Ln Mid', 'email': 'stranger@long.test'},
                {'name': 'Ln Twice', 'email': 'second@long.test'},
            ]
        }
    )
    wiki.rename_user('Ln Twice', 'Ln Twice Two')
    names = [
        *NOBODY[:100],
        'Ln Alise',
        'Ln Mid',
        *NOBODY[100:200],
        'Ln Twice',
        'Ln Plain',
        *NOBODY[200:],
    ]
    listing = tmp_path / 'participants.txt'
    listing.write_text('\n'.join(names) + '\n', encoding='utf-8')
    report = tmp_path / 'check.csv'
    before = len(wiki.api_requests())
    result = sender_factory('Sender').run(f'-users:{listing}', '-check', f'-report:{report}')
    assert result.returncode == 0, result.output
    # Told before the check: how many names, and (a few seconds here) no time.
    assert 'Checking 304 names, 50 a request.' in result.output
    # One page of this wiki's short log, where each name used to cost a request.
    assert logevents(wiki, before) <= 2
    rows = read_report(report)
    assert len(report_rows(report)) == 304
    assert rows['Ln Final'] == ('emailable', 'renamed from Ln Alise')
    assert rows['Ln Mid'] == ('emailable', '')  # the stranger who took the middle name
    assert rows['Ln Plain'] == ('emailable', '')
    status, detail = rows['Ln Twice']
    assert status == 'no-such-user'
    assert 'Ln Twice One, Ln Twice Two' in detail
    assert {rows[n][0] for n in NOBODY} == {'no-such-user'}


@pytest.mark.mediawiki('1.39')
def test_ctrl_c_during_the_check_stops_with_a_report_of_what_was_known(
    sender_via_proxy, proxy, wiki, tmp_path
):
    wiki.add(
        {
            'users': [
                {'name': 'Ln Early', 'email': 'early@long.test'},
                {'name': 'Ln Late', 'email': 'late@long.test'},
            ]
        }
    )
    names = ['Ln Early', *NOBODY[:150], 'Ln Late', *NOBODY[150:]]
    listing = tmp_path / 'participants.txt'
    listing.write_text('\n'.join(names) + '\n', encoding='utf-8')
    report = tmp_path / 'check.csv'
    started = []
    # Ctrl-C while the wiki answers the third batch of 50 names.
    proxy.call('query:users', lambda: started[0].send_signal(signal.SIGINT), at=3)
    started.append(sender_via_proxy.start(f'-users:{listing}', '-check', f'-report:{report}'))
    assert started[0].wait(120) == 75
    output = sender_via_proxy.log()
    assert 'Traceback' not in output
    stops = [line for line in output.splitlines() if line.startswith('Stopped by')]
    # Two batches of 50 were answered before the third was: a stop, said as one.
    assert stops == [
        'Stopped by Ctrl-C while checking who can be emailed, with 100 of 302 names checked, '
        'the others pending in the report: run the same command again.'
    ], output
    rows = report_rows(report)
    assert [r['username'] for r in rows] == names
    statuses = [r['status'] for r in rows]
    assert statuses == ['emailable'] + ['no-such-user'] * 99 + ['pending'] * 202
