"""A bot password logs the script in: it sends with the email grant, and is refused without.

Sender has two bot passwords (harness.population.BOT_PASSWORDS): ``Sender@mail`` with
the grants basic and sendemail, ``Sender@nomail`` with basic only. Pywikibot logs in
with them from its password file, as ``('Sender', BotPassword('mail', '...'))``.
"""

from __future__ import annotations

import pytest

from harness import population as pop
from harness.checks import exactly_once, received

pytestmark = pytest.mark.wiki

SEND = ['-page:User:Alice', '-subject:Bot password test', '-text:Sent with a bot password.']


def sends(wiki) -> int:
    """How many action=emailuser requests the wiki has served so far."""
    return sum(r.get('action') == 'emailuser' for r in wiki.api_requests())


def test_a_bot_password_with_the_email_grant_sends(sender_factory, mailbox):
    sender = sender_factory('Sender', bot_password='mail')
    assert "BotPassword('mail'," in (sender.config_dir / 'user-password.py').read_text()
    result = sender.run(*SEND, '-always')
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice'])
    [mail] = mailbox.messages()
    assert mail.subject == 'Bot password test'
    assert pop.SENDERS['Sender'][0] in mail.reply_to  # replies go to the account's address


def test_a_bot_password_without_the_email_grant_is_refused_before_sending(
    sender_factory, mailbox, wiki
):
    sender = sender_factory('Sender', bot_password='nomail')
    before = sends(wiki)
    result = sender.run(*SEND, '-always')
    assert result.returncode == 1, result.output
    assert (
        'The account Sender may not send email on Emailuser Test Wiki (it lacks the '
        '"sendemail" right): it needs the "sendemail" right, or with a bot password the '
        '"Send email to other users" grant on Special:BotPasswords.'
    ) in ' '.join(result.output.split())
    assert 'Traceback' not in result.output
    assert mailbox.messages() == []
    assert sends(wiki) == before
