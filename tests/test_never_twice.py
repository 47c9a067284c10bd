"""Nobody twice, whatever happens: corrected texts, other accounts, signals, a bad journal."""

from __future__ import annotations

import signal
import sqlite3

import pytest

from harness import population as pop
from harness.checks import exactly_once, read_report, received, wait_for_mail

# What this module tests does not depend on the MediaWiki version: it runs on 1.39 only,
# which keeps the suite within its time budget (see tests/conftest.py).
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

FIRST_TEN = [pop.CROWD[i] for i in range(10)]
CROWD = [f'-links:{pop.CROWD_PAGE}', '-subject:Crowd news for {username}', '-always']
EVERYONE = pop.CROWD


def test_a_corrected_text_goes_only_to_those_not_reached_yet(sender, mailbox):
    first = sender.run(*CROWD, '-text:Helo {username}.', '-max:5')
    assert first.returncode == 75, first.output
    fixed = sender.run(*CROWD, '-text:Hello {username}.')
    assert fixed.returncode == 0, fixed.output
    assert '5 reached by earlier runs, 5 of them with an earlier version of the text' in (
        fixed.output
    )
    assert received(mailbox) == exactly_once(EVERYONE)
    bodies = [m.body.split(' ')[0] for m in mailbox.messages()]
    assert bodies.count('Helo') == 5 and bodies.count('Hello') == 55


def test_another_account_continues_the_same_campaign(sender_factory, mailbox):
    limited = sender_factory('BurstSender')  # 2 emails per 6 seconds
    first = limited.run(*CROWD, '-text:Hello {username}.')
    assert first.returncode == 75, first.output
    reached = len(mailbox.messages())
    assert 1 <= reached <= 2
    # The other account uses the same journal.
    other = sender_factory('Sender')
    journal = limited.config_dir / 'emailuser-journal.sqlite3'
    rerun = other.run(*CROWD, '-text:Hello {username}.', f'-journal:{journal}')
    assert rerun.returncode == 0, rerun.output
    assert f'already-sent ({reached})' in rerun.output
    assert received(mailbox) == exactly_once(EVERYONE)


def test_a_new_subject_for_people_just_reached_needs_a_campaign_name(sender, mailbox):
    assert sender.run('-page:User:Alice', '-subject:Meetup', '-text:T', '-always').returncode == 0
    typo_fixed = sender.run('-page:User:Alice', '-subject:Meetup!', '-text:T', '-always')
    assert typo_fixed.returncode == 1
    assert 'emailed in the last 7 days by the campaign "Meetup"' in typo_fixed.output
    assert '-campaign:"Meetup"' in typo_fixed.output
    continued = sender.run(
        '-page:User:Alice',
        '-page:User:Bob',
        '-subject:Meetup!',
        '-text:T',
        '-always',
        '-campaign:Meetup',
    )
    assert continued.returncode == 0, continued.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob'])
    on_purpose = sender.run(
        '-page:User:Alice', '-subject:Meetup!', '-text:T', '-always', '-campaign:Reminder'
    )
    assert on_purpose.returncode == 0
    assert received(mailbox)[pop.EMAILABLE['Alice']] == 2


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGHUP], ids=['term', 'hup'])
def test_sigterm_and_sighup_finish_the_mail_in_flight_and_write_the_report(
    sender, mailbox, signum, tmp_path
):
    report = tmp_path / 'report.csv'
    proc = sender.start(*CROWD, '-text:Hello {username}.', f'-report:{report}')
    wait_for_mail(mailbox, 5, proc)
    proc.send_signal(signum)
    proc.wait(120)
    log = sender.log()
    assert proc.returncode == 75, log
    assert 'Stopped as asked: run the same command again' in log
    rows = read_report(report)
    assert {s for s, _ in rows.values()} <= {'sent', 'pending'}
    assert sum(1 for s, _ in rows.values() if s == 'sent') == len(mailbox.messages())
    final = sender.run(*CROWD, '-text:Hello {username}.')
    assert final.returncode == 0, final.output
    assert 'uncertain' not in final.output
    assert received(mailbox) == exactly_once(EVERYONE)


def test_a_deleted_journal_stops_the_run_and_is_written_back(sender, mailbox):
    journal = sender.config_dir / 'emailuser-journal.sqlite3'
    proc = sender.start(*CROWD, '-text:Hello {username}.', '-pt:0.2')
    wait_for_mail(mailbox, 3, proc)
    journal.unlink()
    proc.wait(120)
    log = sender.log()
    assert proc.returncode == 1, log
    assert 'was deleted or replaced while this run was using it' in log
    assert 'Traceback' not in log
    rerun = sender.run(*CROWD, '-text:Hello {username}.')
    assert rerun.returncode in (0, 1), rerun.output
    counts = received(mailbox)
    assert max(counts.values()) == 1
    assert len(counts) >= 59  # at most the one in flight is uncertain


def test_a_damaged_journal_is_refused_before_anything_is_sent(sender, mailbox):
    (sender.config_dir / 'emailuser-journal.sqlite3').write_bytes(b'garbage' * 1000)
    result = sender.run(*CROWD, '-text:Hello {username}.')
    assert result.returncode == 1
    assert 'is damaged' in result.output and 'Traceback' not in result.output
    assert mailbox.messages() == []


def test_an_optout_category_that_does_not_exist_is_refused(sender, mailbox):
    result = sender.run(*CROWD, '-text:T', '-optout:Category:Opted-out of message delivry')
    assert result.returncode == 1
    assert 'The opt-out category Category:Opted-out of message delivry does not exist' in (
        result.output
    )
    assert mailbox.messages() == []


@pytest.mark.parametrize(
    ('where', 'fragment'),
    [
        ('missing/report.csv', 'does not exist'),
        ('.', 'is a folder'),
        ('emailuser-journal.sqlite3', 'would overwrite the journal'),
    ],
)
def test_a_report_that_cannot_be_written_is_refused_before_sending(
    sender, mailbox, where, fragment
):
    result = sender.run(*CROWD, '-text:T', f'-report:{sender.config_dir / where}')
    assert result.returncode == 1
    assert fragment in result.output
    assert mailbox.messages() == []


@pytest.mark.mediawiki('1.39', '1.43')
def test_a_lost_session_is_restored_once_and_nobody_is_missed(sender, mailbox, wiki):
    proc = sender.start(*CROWD, '-text:Hello {username}.', '-pt:0.2')
    wait_for_mail(mailbox, 3, proc)
    db = sqlite3.connect(wiki.root / 'db' / 'wiki.sqlite')
    db.execute("DELETE FROM objectcache WHERE keyname LIKE '%session%'")
    db.commit()
    db.close()
    proc.wait(180)
    assert proc.returncode == 0, sender.log()
    assert received(mailbox) == exactly_once(EVERYONE)


def test_an_unreachable_wiki_at_the_start_is_one_sentence(sender, mailbox, wiki):
    wiki.stop_php()
    try:
        result = sender.run(*CROWD, '-text:T', timeout=180)
    finally:
        wiki.start_php()
    assert result.returncode == 75, result.output
    assert 'cannot be reached' in result.output
    assert 'uncaught exception' not in result.output


@pytest.mark.mediawiki('1.39', '1.43')
def test_mail_server_down_stops_after_a_few_uncertain_answers(sender, mailbox, wiki):
    wiki._stop('smtp')
    try:
        result = sender.run(*CROWD, '-text:Hello {username}.')
    finally:
        wiki.start_smtp()
    assert result.returncode == 75, result.output
    assert 'got no clear answer from the wiki' in result.output
    assert 'Failed to connect' in result.output or 'pear-mail-error' in result.output
    assert result.output.count(': uncertain (') == 3
    rerun = sender.run(*CROWD, '-text:Hello {username}.')
    assert rerun.returncode == 1  # the three stay uncertain until -resend:uncertain
    counts = received(mailbox)
    assert max(counts.values()) == 1 and len(counts) == 57


def test_no_password_in_any_file_after_a_failed_login_with_log(sender_via_proxy, proxy, mailbox):
    proxy.arm('clientlogin', '500-after', at=1)
    proxy.arm('login', '500-after', at=1)
    result = sender_via_proxy.run('-log', '-page:User:Alice', '-subject:S', '-text:T', '-always')
    assert result.returncode == 0, result.output
    assert any(entry.fault != 'pass' for entry in proxy.log), 'the login was never faulted'
    assert pop.PASSWORD not in result.output
    logs = list((sender_via_proxy.config_dir / 'logs').glob('*.log'))
    assert logs
    for path in sender_via_proxy.config_dir.rglob('*'):
        if path.is_file() and path.name != 'user-password.py':
            assert pop.PASSWORD.encode() not in path.read_bytes(), path
    for log in logs:
        assert log.stat().st_mode & 0o777 == 0o600
    assert received(mailbox) == exactly_once(['Alice'])
