"""Questions on a terminal: [y]es, [N]o, [a]ll, [q]uit per recipient, and the subject prompt."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from collections import Counter

import pytest

from harness import population as pop
from harness.pwbconfig import SCRIPT, env_for, pwb_command

# What this module tests does not depend on the MediaWiki version: it runs on 1.39 only,
# which keeps the suite within its time budget (see tests/conftest.py).
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]


class Terminal:
    """The script on a pseudo-terminal, answered like a person would."""

    def __init__(self, config_dir, *args: str) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [*pwb_command(), str(SCRIPT), *args],
            cwd=config_dir,
            env=env_for(config_dir),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
        os.close(slave)
        self.screen = ''

    def expect(self, text: str, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while text not in self.screen:
            assert time.monotonic() < deadline, f'no {text!r} in {self.screen[-1500:]!r}'
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.screen += os.read(self.master, 4096).decode(errors='replace')
                except OSError:  # the process closed the terminal
                    break
        assert text in self.screen, self.screen[-1500:]

    def answer(self, text: str) -> None:
        os.write(self.master, text.encode() + b'\r')

    def finish(self, limit: float = 120) -> int:
        """Wait for the script to end, reading the terminal all the while: a script
        whose output fills the terminal's buffer would otherwise wait for ever."""
        deadline = time.monotonic() + limit
        while True:
            try:
                if select.select([self.master], [], [], 0.2)[0]:
                    self.screen += os.read(self.master, 4096).decode(errors='replace')
                    continue
            except OSError:  # the script closed the terminal
                time.sleep(0.05)
            if self.proc.poll() is not None:
                break
            assert time.monotonic() < deadline, f'still running: {self.screen[-1500:]!r}'
        os.close(self.master)
        return self.proc.returncode


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
