"""Rate limits on the real wiki: a run stops at the limit, -wait waits, a rerun finishes.

A run stops at the account's limit and says what is left, -wait waits the window out, a
rerun after the window finishes the campaign, and the operator is told the truth at each
step (plan, dry run, -test, run, rerun).

A test about what happens after a window moves the clocks the window is measured by
(harness.clock) instead of sleeping through it; -wait, whose wait is what it proves,
waits for real.
"""

from __future__ import annotations

import pytest

from harness import population as pop
from harness.checks import JOURNAL, assert_true_end_lines, exactly_once, read_report, received
from harness.clock import new_window

pytestmark = pytest.mark.wiki

BODY = '-text:Hello {username},\\nwelcome to {sitename}.'
CATEGORY = [f'-cat:{pop.CATEGORY}', '-subject:Meetup', '-text:Hello {username}.']
#: What the plan settles for the category's members who are not emailed.
PLAN_SETTLED = {n: s for n, s in pop.CATEGORY_STATUS.items() if s != 'emailable'}


@pytest.fixture
def limited(sender_factory, mailbox, fresh_limits):
    """The sender who may send 3 emails a day, with a journal of its own and a new day."""
    return sender_factory('LimitedSender')


@pytest.fixture
def burst(sender_factory, mailbox, fresh_limits):
    """The sender who may send 2 emails per 6 s, with a journal of its own, at a new window."""
    return sender_factory('BurstSender')


def test_rate_limited_sender_stops_at_its_limit_with_the_remaining_count(limited, mailbox):
    result = limited.run(f'-links:{pop.CROWD_PAGE}', '-subject:S', BODY, '-always', timeout=120)
    assert result.returncode == 75
    assert received(mailbox) == exactly_once(pop.CROWD[:3])
    assert 'Rate limit: 3 emails per day' in result.output
    assert 'after 3 emails in this run, with 57 still to send' in result.output
    assert 'add -wait' in result.output
    # The same window: nothing more goes out, whether or not the wiki counts the sends.
    again = limited.run(f'-links:{pop.CROWD_PAGE}', '-subject:S', BODY, '-always', timeout=120)
    assert again.returncode == 75, again.output
    assert '3 of them used in the current window' in again.output
    # Said at the plan, before any preview: when the next email can go.
    assert 'allows no email now, so nothing was sent: the next email can go at' in again.output
    assert 'Preview of the email' not in again.output
    assert len(mailbox.messages()) == 3


def test_rate_limited_run_finishes_on_a_rerun_after_the_window(burst, mailbox, wiki):
    names = ['Alice', 'Bob', 'Carol', 'Grace Hopper']
    args = [f'-page:User:{n}' for n in names] + ['-subject:S', '-text:T', '-always']
    first = burst.run(*args)
    assert first.returncode == 75
    assert 'with 2 still to send' in first.output
    # The window of 2 emails per 6 seconds passes: the wiki's counters emptied, the
    # journal's 2 sends dated 7 s earlier, as they would read once it had passed.
    assert new_window(wiki, burst.config_dir / JOURNAL, 7) == 2
    second = burst.run(*args)
    assert second.returncode == 0, second.output
    assert received(mailbox) == exactly_once(names)


@pytest.mark.slow
def test_wait_goes_on_after_the_rate_limit_window(burst, mailbox):
    result = burst.run(
        '-page:User:Alice',
        '-page:User:Bob',
        '-page:User:Carol',
        '-page:User:Grace Hopper',
        '-subject:S',
        BODY,
        '-always',
        '-wait',
        timeout=120,
    )
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob', 'Carol', 'Grace Hopper'])
    assert 'Email limit of 2 emails per 6 s reached: emailing Carol in' in result.output


@pytest.mark.slow
def test_the_rate_limited_operator_is_told_the_truth_at_each_step(limited, mailbox, tmp_path):
    # A dry run is dry: no throttle waited, the limit said as information, status 0.
    dry = limited.run('-simulate', *CATEGORY, '-always', '-pt:15')
    assert dry.returncode == 0, dry.output
    assert mailbox.messages() == []
    assert 'Put throttle' not in dry.output and 'Sleeping for' not in dry.output
    assert (
        "A real run would stop here, after 3 emails, at the account's email limit of 3 "
        'emails per day (the wiki); the rest would follow in 1 day' in dry.output
    )
    assert '6 simulated operations' in dry.output
    assert 'ERROR' not in dry.output
    assert_true_end_lines(dry.output, 0)

    # -test says what it does, counts its send, waits in the script's words. The wait is
    # real: the throttle counts from the start, so 15 s leaves it over the 5 s from which
    # the script shows it (progress.LONG_WAIT) after a slow start on a busy machine.
    test = limited.run(*CATEGORY, '-test', '-pt:15')
    assert test.returncode == 0, test.output
    assert (
        'A test email (the email to Alice) goes to LimitedSender; nobody else (-test).'
        in test.output
    )
    assert 'users will be emailed' not in test.output
    assert 'Rate limit: 3 emails per day (the wiki); the test email uses one more.' in test.output
    assert 'Put throttle: sending the test email to LimitedSender (this account) in' in test.output
    assert 'Sleeping for' not in test.output
    assert [m.to_address for m in mailbox.messages()] == [pop.SENDERS['LimitedSender'][0]]

    # The real run: 2 emails fit; the report and the counters keep what the plan settled.
    report = tmp_path / 'run.csv'
    run = limited.run(*CATEGORY, '-always', f'-report:{report}')
    assert run.returncode == 75, run.output
    assert "Stopped at the account's email limit" in run.output
    assert 'after 2 emails in this run, with 4 still to send' in run.output
    rows = {n: s for n, (s, _) in read_report(report).items()}
    assert {n: rows[n] for n in PLAN_SETTLED} == PLAN_SETTLED
    assert sorted(rows.values()).count('sent') == 2
    assert sorted(rows.values()).count('pending') == 4
    assert '4 pending operations' in run.output and '2 not-emailable operations' in run.output
    assert_true_end_lines(run.output, 75)
    sent = [n for n, s in rows.items() if s == 'sent']
    counts = received(mailbox)
    assert counts.pop(pop.SENDERS['LimitedSender'][0]) == 1  # the test email
    assert counts == exactly_once(sent)

    # The same command with the limit used up: said at the plan, before any preview.
    again = limited.run(*CATEGORY, '-always')
    assert again.returncode == 75, again.output
    assert 'Preview of the email' not in again.output
    assert 'after 0 emails' not in again.output
    assert (
        "The account's email limit of 3 emails per day (the wiki) allows no email now, so "
        'nothing was sent: the next email can go at ' in again.output
    )
    command = again.output.split('Then run:\n', 1)[1].splitlines()[0].strip()
    assert command.startswith('pwb emailuser ') and f"'-cat:{pop.CATEGORY}'" in command
    assert again.output.index('Rate limit:') < again.output.index('allows no email now')
    assert len(mailbox.messages()) == 3
