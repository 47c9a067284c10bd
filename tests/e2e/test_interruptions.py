"""Stops, signals and outages: the mail in flight settled, nobody twice, a rerun finishes.

Whatever stopped the run (kill -9, Ctrl-C, SIGTERM, SIGHUP, the wiki or the mail server
gone, a lost session, a failed login), nobody is emailed twice and a rerun reaches the rest.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import time

import pytest

from harness import population as pop
from harness.checks import (
    JOURNAL,
    exactly_once,
    journal_states,
    read_report,
    received,
    wait_for_mail,
)

# What this module tests does not depend on the MediaWiki version: it runs on 1.39 only,
# which keeps the suite within its time budget (see tests/conftest.py).
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

CROWD = [*pop.CROWD_CAMPAIGN, '-text:Hello {username}.']
EVERYONE = {pop.crowd_address(n) for n in pop.CROWD}


@pytest.mark.slow
@pytest.mark.parametrize('signum', [signal.SIGKILL, signal.SIGINT], ids=['kill-9', 'ctrl-c'])
def test_interrupted_runs_then_a_rerun_email_everyone_once(sender, mailbox, signum):
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    kills = 0
    for _ in range(3):
        proc = sender.start(*CROWD)
        # Interrupt somewhere in the middle of the sending.
        wait_for_mail(mailbox, mailbox.count() + rng.randint(1, 12), proc)
        time.sleep(rng.uniform(0, 0.1))
        if proc.poll() is None:
            proc.send_signal(signum)
            kills += 1
        proc.wait(120)
        if signum == signal.SIGINT:
            assert proc.returncode == 75, sender.log()
            assert 'pending operation' in sender.log()
    final = sender.run(*CROWD)
    counts = received(mailbox)
    assert max(counts.values()) == 1, f'seed {seed}: somebody was emailed twice'
    missing = EVERYONE - set(counts)
    if signum == signal.SIGINT:
        assert final.returncode == 0, final.output
        assert missing == set(), f'seed {seed}: Ctrl-C lost {missing}'
    else:
        # At most the one in-flight recipient per kill is uncertain, and said to be.
        assert len(missing) <= kills, f'seed {seed}'
        uncertain = journal_states(sender.config_dir / JOURNAL)['sending']
        assert len(missing) <= uncertain <= kills
        if uncertain:
            assert final.returncode == 1
            assert '-resend:uncertain' in final.output
            resent = sender.run(*CROWD, '-resend:uncertain')
            assert resent.returncode == 0, resent.output
            counts = received(mailbox)
            assert set(counts) == EVERYONE
            assert sum(counts.values()) - 60 == uncertain - len(missing)


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGHUP], ids=['term', 'hup'])
def test_sigterm_and_sighup_finish_the_mail_in_flight_and_write_the_report(
    sender, mailbox, signum, tmp_path
):
    report = tmp_path / 'report.csv'
    proc = sender.start(*CROWD, f'-report:{report}')
    wait_for_mail(mailbox, 5, proc)
    proc.send_signal(signum)
    proc.wait(120)
    log = sender.log()
    assert proc.returncode == 75, log
    said = {signal.SIGTERM: 'SIGTERM', signal.SIGHUP: 'SIGHUP'}[signum]
    assert f'Stopped by {said}: run the same command again to go on.' in log
    assert 'KeyboardInterrupt' not in log and 'ERROR' not in log
    rows = read_report(report)
    assert {s for s, _ in rows.values()} <= {'sent', 'pending'}
    assert sum(1 for s, _ in rows.values() if s == 'sent') == len(mailbox.messages())
    final = sender.run(*CROWD)
    assert final.returncode == 0, final.output
    assert 'uncertain' not in final.output
    assert received(mailbox) == exactly_once(pop.CROWD)


def test_wiki_outage_stops_cleanly_and_a_rerun_after_it_finishes(sender, mailbox, wiki):
    proc = sender.start(*CROWD)
    try:
        wait_for_mail(mailbox, 10, proc)
        wiki.stop_php()
        proc.wait(180)
    finally:
        wiki.start_php()
    log = sender.log()
    assert proc.returncode == 75, log
    assert 'run the same command again when the wiki is back' in log
    assert 'uncaught exception' not in log  # Pywikibot logs its retries; the script stops cleanly
    rerun = sender.run(*CROWD)
    counts = received(mailbox)
    assert max(counts.values()) == 1
    # Who was in flight as the wiki went away is uncertain and not emailed again without
    # -resend:uncertain. That is one request, or two when the dying server still took the
    # next one; the script stops at its third uncertain answer. Everyone else is reached.
    uncertain = log.count(': uncertain (')
    assert len(EVERYONE - set(counts)) <= uncertain <= 3, log
    assert 'sent' in rerun.output
    assert ('-resend:uncertain' in rerun.output) == (uncertain > 0), rerun.output


def test_an_unreachable_wiki_at_the_start_is_one_sentence(sender, mailbox, wiki):
    wiki.stop_php()
    try:
        result = sender.run(*CROWD, timeout=180)
    finally:
        wiki.start_php()
    assert result.returncode == 75, result.output
    assert 'cannot be reached' in result.output
    assert 'uncaught exception' not in result.output


@pytest.mark.mediawiki('1.39', '1.43')
def test_a_lost_session_is_restored_once_and_nobody_is_missed(sender, mailbox, wiki):
    proc = sender.start(*CROWD, '-pt:0.2')
    wait_for_mail(mailbox, 3, proc)
    db = sqlite3.connect(wiki.root / 'db' / 'wiki.sqlite')
    db.execute("DELETE FROM objectcache WHERE keyname LIKE '%session%'")
    db.commit()
    db.close()
    proc.wait(180)
    assert proc.returncode == 0, sender.log()
    assert received(mailbox) == exactly_once(pop.CROWD)


@pytest.mark.mediawiki('1.39', '1.43')
def test_mail_server_down_stops_after_a_few_uncertain_answers(sender, mailbox, wiki):
    wiki._stop('smtp')
    try:
        result = sender.run(*CROWD)
    finally:
        wiki.start_smtp()
    assert result.returncode == 75, result.output
    assert 'got no clear answer from the wiki' in result.output
    assert 'Failed to connect' in result.output or 'pear-mail-error' in result.output
    assert result.output.count(': uncertain (') == 3
    rerun = sender.run(*CROWD)
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
