"""A recipient renamed after the check, whose freed name someone registers before the send:
the mail, with the row's values, goes to the account the plan meant, under its new name,
and never to the newcomer."""

from __future__ import annotations

from collections import Counter

import pytest

from harness import population as pop
from harness.checks import read_report, received
from harness.files import write
from harness.terminal import Terminal

pytestmark = pytest.mark.wiki

DOMAIN = 'swap.test'


@pytest.mark.slow
def test_a_name_taken_over_between_the_check_and_the_send_is_not_mailed(
    sender, mailbox, wiki, tmp_path
):
    wiki.add({'users': [{'name': 'Swap Old', 'email': f'swap@{DOMAIN}'}]})
    codes = write(tmp_path, 'codes.csv', 'username,code\nAlice,a-1\nSwap Old,s-2\n')
    report = tmp_path / 'report.csv'
    term = Terminal(
        sender.config_dir,
        f'-users:{codes}',
        '-subject:Your code',
        '-text:Your code is {code}.',
        f'-report:{report}',
    )
    # The plan has checked both names; while the operator reads it, the account is
    # renamed and someone else registers the name it had.
    term.expect('Email Alice?')
    wiki.rename_user('Swap Old', 'Swap New')
    wiki.add({'users': [{'name': 'Swap Old', 'email': f'newcomer@{DOMAIN}'}]})
    term.answer('a')
    assert term.finish() == 0, term.screen
    assert 'Swap Old was renamed to Swap New before the send.' in term.screen
    mails = {m.to_address: m.body for m in mailbox.messages()}
    assert received(mailbox)[f'newcomer@{DOMAIN}'] == 0
    assert received(mailbox)[f'swap@{DOMAIN}'] == 1
    assert mails[f'swap@{DOMAIN}'].startswith('Your code is s-2.')
    assert read_report(report)['Swap New'][0] == 'sent'
    assert received(mailbox) == Counter({f'swap@{DOMAIN}': 1, pop.EMAILABLE['Alice']: 1})
