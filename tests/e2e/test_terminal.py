"""Questions on a terminal: [y]es, [N]o, [a]ll, [q]uit per recipient, and the subject prompt."""

from __future__ import annotations

from collections import Counter

import pytest

from harness import population as pop
from harness.terminal import Terminal

# What this module tests does not depend on the MediaWiki version: it runs on 1.39 only,
# which keeps the suite within its time budget (see tests/conftest.py).
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]


def test_yes_no_all_answers_per_recipient(sender, mailbox):
    pages = [f'-page:User:{n}' for n in ('Alice', 'Bob', 'Carol', 'Grace Hopper')]
    term = Terminal(sender.config_dir, *pages, '-subject:S', '-text:T')
    term.expect('4 users will be emailed.')
    term.expect('Email Alice?')
    term.answer('y')
    term.expect('Email Bob?')
    term.answer('n')
    term.expect('Email Carol?')
    term.answer('a')  # all: Carol and everyone after without asking
    assert term.finish() == 0
    assert 'Email Grace Hopper?' not in term.screen
    assert Counter(m.to_address for m in mailbox.messages()) == Counter(
        {pop.EMAILABLE[n]: 1 for n in ('Alice', 'Carol', 'Grace Hopper')}
    )


def test_quit_stops_and_leaves_the_rest_pending(sender, mailbox):
    pages = [f'-page:User:{n}' for n in ('Alice', 'Bob')]
    term = Terminal(sender.config_dir, *pages, '-subject:S', '-text:T')
    term.expect('Email Alice?')
    term.answer('q')
    assert term.finish() == 75
    assert mailbox.messages() == []


def test_missing_subject_is_asked_for_on_a_terminal(sender, mailbox):
    term = Terminal(sender.config_dir, '-page:User:Alice', '-text:T', '-always')
    term.expect('Subject of the email:')
    term.answer('Typed subject for {username}')
    assert term.finish() == 0
    [mail] = mailbox.messages()
    assert mail.subject == 'Typed subject for Alice'


def test_resend_all_asks_first_and_then_emails_everyone_again(sender, mailbox):
    args = ['-page:User:Alice', '-page:User:Bob', '-subject:S', '-text:T']
    assert sender.run(*args, '-always').returncode == 0
    term = Terminal(sender.config_dir, *args, '-resend')
    term.expect('email everyone again?')
    term.answer('n')
    assert term.finish() == 1
    assert 'Nothing was sent: -resend was not confirmed.' in term.screen
    assert len(mailbox.messages()) == 2
    again = sender.run(*args, '-always', '-resend')
    assert again.returncode == 0, again.output
    assert Counter(m.to_address for m in mailbox.messages()) == Counter(
        {pop.EMAILABLE['Alice']: 2, pop.EMAILABLE['Bob']: 2}
    )


def test_a_resend_goes_on_as_told_and_a_declined_recipient_stays_reached(sender, mailbox):
    names = ('Alice', 'Bob', 'Carol')
    args = [*(f'-page:User:{n}' for n in names), '-subject:Resend goes on', '-text:T']
    assert sender.run(*args, '-always').returncode == 0
    # At the terminal: yes to Alice, no to Bob, then quit before Carol.
    term = Terminal(sender.config_dir, *args, '-resend')
    term.expect('email everyone again?')
    term.answer('y')
    term.expect('Email Alice?')
    term.answer('y')
    term.expect('Email Bob?')
    term.answer('n')
    term.expect('Email Carol?')
    term.answer('q')
    assert term.finish() == 75
    # A plain run knows that everyone had the campaign: nobody is emailed.
    plain = sender.run(*args, '-always')
    assert plain.returncode == 0, plain.output
    # The same -resend again, as the stop said: on with the resend, not anew.
    again = sender.run(*args, '-always', '-resend', '-max:1')
    assert again.returncode == 75, again.output
    assert 'The resend of this campaign that began on ' in again.output
    assert 'run the same command again to go on' in again.output
    last = sender.run(*args, '-always', '-resend', '-max:1')
    assert last.returncode == 0, last.output
    assert Counter(m.to_address for m in mailbox.messages()) == Counter(
        {pop.EMAILABLE[n]: 2 for n in names}
    )
