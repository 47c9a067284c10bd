"""Every refusal of action=emailuser, as the real wiki of each version words it.

No script here: plain sessions of the harness's users make the wiki give each answer the
script has to understand, and the expected code and message of each version are written
down below. MediaWiki 1.41 renamed most codes when it moved the checks into EmailUser.
Run with ``-rP`` to see each answer's JSON.
"""

from __future__ import annotations

import json

import pytest

from harness import population as pop
from harness.sessions import email_by_form, emailuser, login
from harness.wiki import free_port

pytestmark = pytest.mark.wiki

NOT_WANTED = 'This user has chosen not to receive email from other users.'

#: case: sender, target, and per version the error code and the start of its info.
REFUSALS = {
    'target-has-no-account': (
        'Sender',
        pop.GHOST,
        {
            '1.39': ('notarget', 'You have not specified a valid target for this action.'),
            '1.43': ('emailnotarget', 'Non-existent or invalid username for recipient.'),
        },
    ),
    'target-name-invalid': (
        'Sender',
        'Foo<bar>',
        {
            '1.39': ('notarget', 'You have not specified a valid target for this action.'),
            '1.43': ('baduser_target', 'Invalid value "Foo<bar>" for user parameter "target".'),
        },
    ),
    'target-has-no-address': (
        'Sender',
        pop.NO_ADDRESS,
        {
            '1.39': ('noemail', f'There is no email address recorded for user "{pop.NO_ADDRESS}".'),
            '1.43': ('noemailtext', 'This user has not specified a valid email address.'),
        },
    ),
    'target-turned-email-off': (
        'Sender',
        pop.OPTED_OUT,
        {'1.39': ('nowikiemail', NOT_WANTED), '1.43': ('nowikiemailtext', NOT_WANTED)},
    ),
    'target-muted-the-sender': (
        'Sender',
        pop.MUTES_SENDER,
        {'1.39': ('nowikiemail', NOT_WANTED), '1.43': ('nowikiemailtext', NOT_WANTED)},
    ),
    'target-refuses-new-users': (
        'NewSender',
        pop.REFUSES_NEWCOMERS,
        {'1.39': ('nowikiemail', NOT_WANTED), '1.43': ('nowikiemailtext', NOT_WANTED)},
    ),
    'sender-blocked-from-email': (
        'BlockedSender',
        'Alice',
        {
            # 1.39 names a message that does not exist.
            '1.39': ('blockedemailuser', '⧼blockedemailuser⧽'),
            '1.43': ('blocked', 'Your username or IP address has been blocked.'),
        },
    ),
    'sender-lacks-the-right': (
        'NoRightSender',
        'Alice',
        {
            '1.39': ('badaccess', 'Permission error'),
            '1.43': (
                'permissiondenied',
                'The action you have requested is limited to users in the group:',
            ),
        },
    ),
    'sender-has-no-address': (
        'NoAddressSender',
        'Alice',
        {'1.39': ('cantsend', 'No send address'), '1.43': ('cantsend', 'No send address')},
    ),
}

RATE_LIMITED = {
    '1.39': (
        'ratelimited',
        'As an anti-abuse measure, you are limited from performing this action too many times',
    ),
    '1.43': ('ratelimited', "You've exceeded your rate limit. Please wait some time"),
}
EMAIL_DISABLED = ('usermaildisabled', 'User email disabled')


def assert_error(answer: dict, code: str, info: str) -> None:
    print(json.dumps(answer, ensure_ascii=False))
    assert answer['error']['code'] == code, answer
    assert answer['error']['info'].startswith(info), answer


@pytest.mark.parametrize('case', REFUSALS)
def test_refusal(wiki, mailbox, case):
    sender, target, expected = REFUSALS[case]
    answer = emailuser(wiki, login(wiki, sender), target)
    assert_error(answer, *expected[wiki.branch])
    assert mailbox.messages() == []


def test_the_new_sender_may_email_users_who_take_mail_from_new_users(wiki, mailbox):
    assert emailuser(wiki, login(wiki, 'NewSender'), 'Alice') == {
        'emailuser': {'result': 'Success'}
    }
    assert len(mailbox.messages()) == 1


def test_email_disabled_on_the_wiki(wiki, mailbox):
    session = login(wiki, 'Sender')
    with wiki.extra_settings('$wgEnableUserEmail = false;'):
        answer = emailuser(wiki, session, 'Alice')
    assert_error(answer, *EMAIL_DISABLED)
    assert mailbox.messages() == []


def test_rate_limited_sender(wiki, mailbox):
    """Three emails a day; only 1.39's API counts them, 1.43's only checks the count."""
    session = login(wiki, 'ThrottledSender')
    for _ in range(3):
        if wiki.branch == '1.39':
            assert emailuser(wiki, session, 'Alice')['emailuser']['result'] == 'Success'
        else:
            assert email_by_form(wiki, session, 'Alice') == 200
    assert len(mailbox.messages()) == 3
    assert_error(emailuser(wiki, session, 'Alice'), *RATE_LIMITED[wiki.branch])
    assert len(mailbox.messages()) == 3


def test_mail_server_unreachable_is_a_failure_result_with_errors(wiki, mailbox):
    """The one refusal that comes as ``result: Failure``: the send itself failed."""
    session = login(wiki, 'Sender')
    with wiki.extra_settings(f"$wgSMTP['port'] = {free_port()};"):
        answer = emailuser(wiki, session, 'Alice')
    print(json.dumps(answer, ensure_ascii=False))
    [error] = answer['emailuser'].pop('errors')
    assert answer == {'emailuser': {'result': 'Failure', 'warnings': []}}
    assert error['code'] == error['message'] == 'pear-mail-error'
    assert error['type'] == 'error'
    assert 'Connection refused' in error['params'][0]
    assert mailbox.messages() == []
