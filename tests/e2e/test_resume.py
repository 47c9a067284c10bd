"""Reruns and the journal: a rerun emails only those not reached yet.

Whoever runs it and whatever changed in between (the text, the subject, the account, the
journal's place); two runs of one campaign never both send.
"""

from __future__ import annotations

import pytest

from harness import population as pop
from harness.checks import JOURNAL, exactly_once, journal_states, received, wait_for_mail
from harness.pwbconfig import SCRIPT

# What this module tests does not depend on the MediaWiki version: it runs on 1.39 only,
# which keeps the suite within its time budget (see tests/conftest.py).
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

CROWD = [*pop.CROWD_CAMPAIGN, '-text:Hello {username}.']


def test_rerun_after_max_emails_only_those_not_yet_emailed(sender, mailbox):
    first = sender.run(*CROWD, '-max:25')
    assert first.returncode == 75
    second = sender.run(*CROWD)
    assert second.returncode == 0, second.output
    assert 'already-sent (25)' in second.output
    assert received(mailbox) == exactly_once(pop.CROWD)
    third = sender.run(*CROWD)
    assert third.returncode == 0
    assert 'already-sent (60)' in third.output and 'Nobody to email.' in third.output
    assert len(mailbox.messages()) == 60


def test_journal_is_private_and_a_changed_text_reaches_nobody_twice(sender, mailbox):
    assert sender.run('-page:User:Alice', '-subject:First', '-text:One', '-always').returncode == 0
    journal_file = sender.config_dir / JOURNAL
    assert journal_file.stat().st_mode & 0o777 == 0o600
    again = sender.run('-page:User:Alice', '-subject:First', '-text:One', '-always')
    assert 'already-sent (1): Alice' in again.output
    changed = sender.run('-page:User:Alice', '-subject:First', '-text:Two', '-always')
    # Everyone got the earlier text: the new one would reach nobody, which is said.
    assert changed.returncode == 1
    assert '1 reached by earlier runs, 1 of them with an earlier version' in changed.output
    assert 'already-sent (1): Alice' in changed.output
    assert 'give the mailing a name of its own with -campaign:' in changed.output
    assert [m.body.split('\n')[0] for m in mailbox.messages()] == ['One']


def test_a_corrected_text_goes_only_to_those_not_reached_yet(sender, mailbox):
    first = sender.run(*pop.CROWD_CAMPAIGN, '-text:Helo {username}.', '-max:5')
    assert first.returncode == 75, first.output
    fixed = sender.run(*pop.CROWD_CAMPAIGN, '-text:Hello {username}.')
    assert fixed.returncode == 0, fixed.output
    assert '5 reached by earlier runs, 5 of them with an earlier version of the text' in (
        fixed.output
    )
    assert received(mailbox) == exactly_once(pop.CROWD)
    bodies = [m.body.split(' ')[0] for m in mailbox.messages()]
    assert bodies.count('Helo') == 5 and bodies.count('Hello') == 55


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


def test_another_account_continues_the_same_campaign(sender_factory, mailbox, fresh_limits):
    limited = sender_factory('BurstSender')  # 2 emails per 6 seconds
    first = limited.run(*pop.CROWD_CAMPAIGN, '-text:Hello {username}.')
    assert first.returncode == 75, first.output
    reached = len(mailbox.messages())
    assert 1 <= reached <= 2
    # The other account uses the same journal.
    other = sender_factory('Sender')
    journal = limited.config_dir / JOURNAL
    rerun = other.run(*pop.CROWD_CAMPAIGN, '-text:Hello {username}.', f'-journal:{journal}')
    assert rerun.returncode == 0, rerun.output
    assert f'already-sent ({reached})' in rerun.output
    assert received(mailbox) == exactly_once(pop.CROWD)


def test_journal_option_chooses_the_file(sender, mailbox, tmp_path):
    path = tmp_path / 'elsewhere' / 'state.db'
    result = sender.run('-page:User:Bob', '-subject:S', '-text:T', '-always', f'-journal:{path}')
    assert result.returncode == 0, result.output
    assert path.stat().st_mode & 0o777 == 0o600
    assert not (sender.config_dir / JOURNAL).exists()


def test_simulate_reads_the_journal_but_never_writes_it(sender, mailbox):
    sim = sender.pwb('-simulate', str(SCRIPT), *CROWD)
    assert sim.returncode == 0
    assert not (sender.config_dir / JOURNAL).exists()
    assert sender.run(*CROWD, '-max:10').returncode == 75
    sim = sender.pwb('-simulate', str(SCRIPT), *CROWD)
    assert 'already-sent (10)' in sim.output
    assert journal_states(sender.config_dir / JOURNAL)['sent'] == 10
    assert len(mailbox.messages()) == 10


def test_two_runs_of_one_campaign_never_both_send(sender, mailbox):
    first = sender.start(*CROWD, '-pt:0.2')
    wait_for_mail(mailbox, 1, first)
    second = sender.run(*CROWD)
    assert second.returncode == 1
    assert 'Another run is sending with the journal' in second.output
    first.wait(180)
    assert first.returncode == 0, sender.log()
    assert received(mailbox) == exactly_once(pop.CROWD)


def test_a_deleted_journal_stops_the_run_and_is_written_back(sender, mailbox):
    journal = sender.config_dir / JOURNAL
    proc = sender.start(*CROWD, '-pt:0.2')
    wait_for_mail(mailbox, 3, proc)
    journal.unlink()
    proc.wait(120)
    log = sender.log()
    assert proc.returncode == 1, log
    assert 'was deleted or replaced while this run was using it' in log
    assert 'Traceback' not in log
    rerun = sender.run(*CROWD)
    assert rerun.returncode in (0, 1), rerun.output
    counts = received(mailbox)
    assert max(counts.values()) == 1
    assert len(counts) >= 59  # at most the one in flight is uncertain
