"""The wiki's answers to action=emailuser mapped to outcomes, on recorded responses.

Recorded from MediaWiki 1.39 and shaped as 1.41+ sends them.
"""

from __future__ import annotations

import pytest

from emailuserlib.core.errors import RateLimited, SenderRefused
from emailuserlib.wiki import post as delivery
from emailuserlib.wiki.post import Outcome


@pytest.mark.parametrize(
    ('code', 'status'),
    [
        ('notarget', 'no-such-user'),
        ('emailnotarget', 'no-such-user'),
        ('baduser_target', 'no-such-user'),
        ('noemail', 'not-emailable'),
        ('noemailtext', 'not-emailable'),
        ('nowikiemail', 'not-emailable'),
        ('nowikiemailtext', 'not-emailable'),
    ],
)
def test_recipient_side_errors_skip_the_recipient(code, status):
    outcome = delivery.interpret_error(code, 'info', 'Sender')
    assert outcome.status == status and outcome.detail.startswith(code)


def test_nowikiemail_says_what_the_refusal_can_mean():
    detail = delivery.interpret_error('nowikiemail', 'info', 'Sender').detail
    assert 'new accounts' in detail and 'from this account' in detail


@pytest.mark.parametrize(
    'code',
    [
        'cantsend',
        'mailnologin',
        'blockedfrommail',
        'blockedemailuser',
        'blocked',
        'autoblocked',
        'badaccess',
        'permissiondenied',
        'usermaildisabled',
        'readonly',
    ],
)
def test_sender_side_errors_stop_the_run_with_a_sentence(code):
    with pytest.raises(SenderRefused) as refused:
        delivery.interpret_error(code, 'No send address', 'Sender')
    assert refused.value.code == code
    sentence = str(refused.value)
    assert sentence.endswith('.') and ':' in sentence
    assert '⧼' not in sentence


def test_rate_limit_is_its_own_condition():
    with pytest.raises(RateLimited):
        delivery.interpret_error('ratelimited', 'As an anti-abuse measure...', 'Sender')


def test_unknown_error_codes_fail_with_code_and_message():
    outcome = delivery.interpret_error('spamblacklist', 'The text contains a blocked URL', 'Sender')
    assert outcome == Outcome('failed', 'spamblacklist: The text contains a blocked URL')


def test_success_and_answers_that_do_not_say():
    assert delivery.interpret_result({'emailuser': {'result': 'Success'}}) == Outcome('sent')
    assert delivery.interpret_result({'batchcomplete': True}).status == 'uncertain'


def test_internal_errors_may_come_after_sending_so_they_are_uncertain():
    outcome = delivery.interpret_error('internal_api_error_DBQueryError', 'boom', 'Sender')
    assert outcome.status == 'uncertain'


@pytest.mark.parametrize(
    ('data', 'expected'),
    [
        ({'error': {'code': 'maxlag', 'info': 'lagged'}}, ('maxlag', 'lagged')),
        (
            {'errors': [{'code': 'badtoken', 'text': 'Invalid CSRF token.'}]},
            ('badtoken', 'Invalid CSRF token.'),
        ),
        ({'emailuser': {'result': 'Failure', 'errors': [{'code': 'x'}]}}, None),
    ],
)
def test_api_errors_are_read_in_both_error_formats(data, expected):
    assert delivery.api_error(data) == expected


def test_failure_result_from_the_mailer_is_uncertain_with_the_wikis_text():
    # Recorded from MediaWiki 1.39 when the SMTP server refused the message.
    response = {
        'emailuser': {
            'result': 'Failure',
            'warnings': [],
            'errors': [
                {
                    'message': 'pear-mail-error',
                    'params': ['Failed to set sender'],
                    'code': 'pear-mail-error',
                    'type': 'error',
                }
            ],
        }
    }
    outcome = delivery.interpret_result(response)
    assert outcome.status == 'uncertain'
    assert 'pear-mail-error: Failed to set sender' in outcome.detail


def test_failure_result_from_a_hook_without_errors():
    outcome = delivery.interpret_result(
        {'emailuser': {'result': 'Failure', 'message': 'hookaborted'}}
    )
    assert outcome.status == 'uncertain' and outcome.detail.endswith('hookaborted')
