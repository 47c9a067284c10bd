"""Never twice, never lost: reruns, kills, Ctrl-C, outages and concurrent runs, for real."""

from __future__ import annotations

import random
import signal
import sqlite3
import time
from collections import Counter

import pytest

from harness import population as pop
from harness.checks import received, wait_for_mail
from harness.pwbconfig import SCRIPT

# What this module tests does not depend on the MediaWiki version: it runs on 1.39 only,
# which keeps the suite within its time budget (see tests/conftest.py).
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

CROWD = [
    f'-links:{pop.CROWD_PAGE}',
    '-subject:Crowd news for {username}',
    '-text:Hello {username}.',
    '-always',
]
EVERYONE = {pop.crowd_address(n) for n in pop.CROWD}


def journal_states(sender) -> Counter:
    db = sqlite3.connect(sender.config_dir / 'emailuser-journal.sqlite3')
    try:
        return Counter(state for (state,) in db.execute('SELECT state FROM recipient'))
    finally:
        db.close()


def test_rerun_after_max_emails_only_those_not_yet_emailed(sender, mailbox):
    first = sender.run(*CROWD, '-max:25')
    assert first.returncode == 75
    second = sender.run(*CROWD)
    assert second.returncode == 0, second.output
    assert 'already-sent (25)' in second.output
    assert received(mailbox) == Counter(dict.fromkeys(EVERYONE, 1))
    third = sender.run(*CROWD)
    assert third.returncode == 0
    assert 'already-sent (60)' in third.output and 'Nobody to email.' in third.output
    assert len(mailbox.messages()) == 60


def test_journal_is_private_and_a_changed_text_reaches_nobody_twice(sender, mailbox):
    assert sender.run('-page:User:Alice', '-subject:First', '-text:One', '-always').returncode == 0
    journal_file = sender.config_dir / 'emailuser-journal.sqlite3'
    assert journal_file.stat().st_mode & 0o777 == 0o600
    again = sender.run('-page:User:Alice', '-subject:First', '-text:One', '-always')
    assert 'already-sent (1): Alice' in again.output
    changed = sender.run('-page:User:Alice', '-subject:First', '-text:Two', '-always')
    assert changed.returncode == 0
    assert '1 reached by earlier runs, 1 of them with an earlier version' in changed.output
    assert 'already-sent (1): Alice' in changed.output
    assert [m.body.split('\n')[0] for m in mailbox.messages()] == ['One']


def test_journal_option_chooses_the_file(sender, mailbox, tmp_path):
    path = tmp_path / 'elsewhere' / 'state.db'
    result = sender.run('-page:User:Bob', '-subject:S', '-text:T', '-always', f'-journal:{path}')
    assert result.returncode == 0, result.output
    assert path.stat().st_mode & 0o777 == 0o600
    assert not (sender.config_dir / 'emailuser-journal.sqlite3').exists()


def test_simulate_reads_the_journal_but_never_writes_it(sender, mailbox):
    sim = sender.pwb('-simulate', str(SCRIPT), *CROWD)
    assert sim.returncode == 0
    assert not (sender.config_dir / 'emailuser-journal.sqlite3').exists()
    assert sender.run(*CROWD, '-max:10').returncode == 75
    sim = sender.pwb('-simulate', str(SCRIPT), *CROWD)
    assert 'already-sent (10)' in sim.output
    assert journal_states(sender)['sent'] == 10
    assert len(mailbox.messages()) == 10


@pytest.mark.parametrize('signum', [signal.SIGKILL, signal.SIGINT], ids=['kill-9', 'ctrl-c'])
def test_interrupted_runs_then_a_rerun_email_everyone_once(sender, mailbox, signum):
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    kills = 0
    for _ in range(3):
        proc = sender.start(*CROWD)
        # Interrupt somewhere in the middle of the sending.
        wait_for_mail(mailbox, len(mailbox.messages()) + rng.randint(1, 12), proc)
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
        uncertain = journal_states(sender)['sending']
        assert len(missing) <= uncertain <= kills
        if uncertain:
            assert final.returncode == 1
            assert '-resend:uncertain' in final.output
            resent = sender.run(*CROWD, '-resend:uncertain')
            assert resent.returncode == 0, resent.output
            counts = received(mailbox)
            assert set(counts) == EVERYONE
            assert sum(counts.values()) - 60 == uncertain - len(missing)


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
    assert len(EVERYONE - set(counts)) <= 1  # the one in flight is uncertain at most
    assert 'sent' in rerun.output


def test_two_runs_of_one_campaign_never_both_send(sender, mailbox):
    first = sender.start(*CROWD, '-pt:0.2')
    wait_for_mail(mailbox, 1, first)
    second = sender.run(*CROWD)
    assert second.returncode == 1
    assert 'Another run is sending with the journal' in second.output
    first.wait(180)
    assert first.returncode == 0, sender.log()
    assert received(mailbox) == Counter(dict.fromkeys(EVERYONE, 1))


@pytest.mark.mediawiki('1.39', '1.43')
def test_rate_limited_run_finishes_on_a_rerun_after_the_window(sender_factory, mailbox):
    runner = sender_factory('BurstSender')
    names = ['Alice', 'Bob', 'Carol', 'Grace Hopper']
    args = [f'-page:User:{n}' for n in names] + ['-subject:S', '-text:T', '-always']
    first = runner.run(*args)
    assert first.returncode == 75
    assert 'with 2 still to send' in first.output
    time.sleep(7)  # the window of 2 emails per 6 seconds
    second = runner.run(*args)
    assert second.returncode == 0, second.output
    assert received(mailbox) == Counter({pop.EMAILABLE[n]: 1 for n in names})
