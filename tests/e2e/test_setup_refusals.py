"""What the bot's setup refuses, or is stopped in, ends with one sentence and nothing sent.

The bot prepares the campaign in Pywikibot's ``setup()`` hook: a refusal there, or
Ctrl-C while the run is still being prepared, must read as before the bot existed:
the sentence, the exit status, no traceback and none of Pywikibot's end-of-run lines.
"""

from __future__ import annotations

import pytest
from test_terminal import Terminal

from harness import population as pop

pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

CATEGORY = [f'-cat:{pop.CATEGORY}', '-subject:Meetup', '-text:Hello {username}.']


def assert_no_end_of_run(output: str) -> None:
    assert 'Traceback' not in output, output
    assert 'Script terminated' not in output, output
    assert 'Execution time' not in output, output


def test_a_refusal_while_preparing_is_one_sentence_and_nothing_is_sent(sender, mailbox, tmp_path):
    missing = tmp_path / 'missing.csv'
    result = sender.run(f'-users:{missing}', '-subject:S', '-text:Hello.', '-always')
    assert result.returncode == 1, result.output
    assert f'{missing} does not exist: check the path given with -users:' in result.output
    assert_no_end_of_run(result.output)
    assert mailbox.messages() == []


def test_a_refusal_of_the_plan_is_one_sentence_and_nothing_is_sent(sender, mailbox):
    # Standard input is no terminal and -always is not given: nobody can answer.
    result = sender.run(*CATEGORY)
    assert result.returncode == 1, result.output
    assert 'Plan for ' in result.output
    assert 'Standard input is not a terminal, so nobody can answer the questions' in (result.output)
    assert_no_end_of_run(result.output)
    assert mailbox.messages() == []


def test_ctrl_c_while_preparing_says_nothing_was_sent(sender, mailbox):
    term = Terminal(sender.config_dir, *CATEGORY, '-resend')
    term.expect('-resend: forget who already got this message')
    term.interrupt()
    status = term.finish()
    assert status == 75, term.screen
    assert (
        'Stopped by Ctrl-C while reading the journal, before anything was sent: run the '
        'same command again.'
    ) in term.screen
    assert_no_end_of_run(term.screen)
    assert mailbox.messages() == []
