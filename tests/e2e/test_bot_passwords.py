"""A bot password logs the script in: it sends with the email grant, and is refused without.

Sender has two bot passwords (harness.population.BOT_PASSWORDS): ``Sender@mail`` with
the grants basic and sendemail, ``Sender@nomail`` with basic only. Pywikibot logs in
with them from its password file, as ``('Sender', BotPassword('mail', '...'))``.
"""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from harness import population as pop
from harness.checks import exactly_once, received, wait_for_mail

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


@contextlib.contextmanager
def bot_password_copy(wiki, appid: str, like: str = 'mail'):
    """A bot password *appid* of Sender, a copy of *like* (same grants and password).

    A test may delete it (:func:`delete_bot_password`) without touching the
    bot passwords that other tests log in with.
    """
    with sqlite3.connect(wiki.root / 'db' / 'wiki.sqlite', timeout=30) as db:
        db.execute(
            'INSERT INTO bot_passwords (bp_user, bp_app_id, bp_password, bp_token, '
            'bp_restrictions, bp_grants) SELECT bp_user, ?, bp_password, bp_token, '
            'bp_restrictions, bp_grants FROM bot_passwords WHERE bp_app_id = ?',
            (appid, like),
        )
    try:
        yield
    finally:
        delete_bot_password(wiki, appid)


def delete_bot_password(wiki, appid: str) -> None:
    """Delete the bot password *appid*, as its owner does on Special:BotPasswords."""
    with sqlite3.connect(wiki.root / 'db' / 'wiki.sqlite', timeout=30) as db:
        db.execute('DELETE FROM bot_passwords WHERE bp_app_id = ?', (appid,))


def test_a_bot_password_deleted_mid_run_stops_with_status_1_and_the_password_file(
    sender_factory, mailbox, wiki
):
    names = ['Alice', 'Bob', 'Carol', 'Grace Hopper']
    with bot_password_copy(wiki, 'midrun'):
        # A pause between sends, so that the deletion comes between two of them.
        sender = sender_factory('Sender', extra='put_throttle = 2\n', bot_password='midrun')
        proc = sender.start(
            *(f'-page:User:{n}' for n in names),
            '-subject:Deleted bot password',
            '-text:Hello {username}.',
            '-always',
        )
        wait_for_mail(mailbox, 1, proc)
        delete_bot_password(wiki, 'midrun')
        proc.wait(120)
    output = sender.log()
    assert proc.returncode == 1, output
    assert (
        'Logging in to Emailuser Test Wiki again failed after the wiki ended the session of Sender'
    ) in ' '.join(output.split())
    assert 'fix the password file' in output
    assert 'Traceback' not in output
    got = received(mailbox)
    assert set(got.values()) == {1}  # nobody twice
    assert 1 <= len(got) < len(names)
