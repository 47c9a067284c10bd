"""Pure logic, no wiki: names, placeholders, error mapping, rate limits, arguments."""

from __future__ import annotations

import re

import pytest

from emailuserlib import delivery, message, plan, preflight, recipients
from emailuserlib.delivery import Outcome, RateLimited, SenderRefused
from emailuserlib.message import Message, MessageError
from emailuserlib.recipients import Recipient


@pytest.mark.parametrize(
    ('raw', 'expected'),
    [
        ('alice', 'Alice'),
        ('Grace_Hopper', 'Grace Hopper'),
        ('  Grace   Hopper ', 'Grace Hopper'),
        ('jürgen_Müller', 'Jürgen Müller'),
        ('ßeta', 'ßeta'),  # 'ß'.upper() is two letters: MediaWiki keeps it
    ],
)
def test_names_are_normalised_as_mediawiki_does(raw, expected):
    assert recipients.normalize_username(raw) == expected


@pytest.mark.parametrize(
    ('namespace', 'title', 'user'),
    [
        (2, 'Alice', 'Alice'),
        (2, 'Carol/Notes', 'Carol'),
        (3, 'Bob', 'Bob'),
        (3, 'Bob/Archive 1', 'Bob'),
        (0, 'Event report', None),
        (4, 'Crowd', None),
    ],
)
def test_pages_map_to_their_user(namespace, title, user):
    assert recipients.user_from_title(namespace, title) == user


@pytest.mark.parametrize(
    ('name', 'problem'),
    [
        ('127.0.0.1', 'IP address'),
        ('2001:db8::1', 'IP address'),
        ('10.0.0.0/8', 'IP address'),
        ('~2025-12345', 'temporary account'),
        ('Bad#Name', 'invalid user name'),
        ('Alice', None),
        ('Jürgen Müller', None),
    ],
)
def test_names_that_cannot_be_accounts(name, problem):
    assert recipients.name_problem(name, temp_prefix='~') == problem


def test_batches_split_at_the_limit():
    assert [len(b) for b in recipients.batches(list(range(120)), 50)] == [50, 50, 20]
    assert [len(b) for b in recipients.batches(list(range(120)), 500)] == [120]


def test_placeholders_are_replaced_and_double_braces_kept():
    msg = Message('Hello {username}', 'Welcome to {sitename}, {username}. {{Template|x}}')
    subject, body = msg.for_user('Jürgen Müller', 'Test Wiki')
    assert subject == 'Hello Jürgen Müller'
    assert body == 'Welcome to Test Wiki, Jürgen Müller. {{Template|x}}'


@pytest.mark.parametrize(
    ('subject', 'body', 'fragment'),
    [
        ('Hi {user}', 'text', 'subject has an unknown placeholder {user}'),
        ('Hi', 'Dear {usrname}', 'message body has an unknown placeholder {usrname}'),
        ('', 'text', 'subject is empty'),
        ('Hi\nthere', 'text', 'subject has a line break'),
        ('Hi\r', 'text', 'subject has a line break'),
        ('Hi', '  \n', 'message body is empty'),
    ],
)
def test_bad_messages_are_refused_with_the_reason(subject, body, fragment):
    with pytest.raises(MessageError, match=re.escape(fragment)):
        Message(subject, body)


def test_text_option_takes_backslash_n_for_line_breaks():
    assert message.text_from_option('one\\ntwo') == 'one\ntwo'


def test_text_file_errors_name_the_file(tmp_path):
    with pytest.raises(MessageError, match=r'missing\.txt does not exist'):
        message.text_from_file(str(tmp_path / 'missing.txt'))
    latin1 = tmp_path / 'latin1.txt'
    latin1.write_bytes('Grüße'.encode('latin-1'))
    with pytest.raises(MessageError, match=r'latin1\.txt is not valid UTF-8'):
        message.text_from_file(str(latin1))
    good = tmp_path / 'good.txt'
    good.write_text('Grüße {username}\n', encoding='utf-8')
    assert message.text_from_file(str(good)) == 'Grüße {username}\n'


def test_wikitext_becomes_plain_text_with_link_labels():
    text = message.text_from_wikitext(
        "Hello '''{username}''',\n\nread [[Event report|the report]] and "
        '[[Other page]].\n{{Some template}}'
    )
    assert text == 'Hello {username},\n\nread the report and Other page.\n'


# Error mapping, on responses recorded from MediaWiki 1.39 and shaped as 1.41+ sends them.


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
    assert delivery.interpret_error(code, 'info', 'Sender') == Outcome(status, code)


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


def test_success_and_simulation():
    assert delivery.interpret_result({'emailuser': {'result': 'Success'}}) == Outcome('sent')
    assert delivery.interpret_result(
        {'emailuser': {'result': 'Success', 'nochange': ''}}, simulated=True
    ) == Outcome('simulated')


def test_failure_result_from_the_mailer_is_failed_with_its_code():
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
    assert outcome.status == 'failed'
    assert outcome.detail.startswith('pear-mail-error')


def test_failure_result_from_a_hook_without_errors():
    outcome = delivery.interpret_result(
        {'emailuser': {'result': 'Failure', 'message': 'hookaborted'}}
    )
    assert outcome == Outcome('failed', 'hookaborted')


# Rate limits and time estimates.


def test_ratelimit_key_is_emailuser_before_141_and_sendemail_after():
    old = {
        'rights': ['sendemail'],
        'ratelimits': {'emailuser': {'user': {'hits': 20, 'seconds': 86400}}},
    }
    new = {
        'rights': ['sendemail'],
        'ratelimits': {'sendemail': {'user': {'hits': 5, 'seconds': 3600}}},
    }
    assert preflight.email_ratelimit(old) == preflight.RateLimit(20, 86400)
    assert preflight.email_ratelimit(new) == preflight.RateLimit(5, 3600)


def test_the_most_permissive_group_limit_applies_and_noratelimit_exempts():
    info = {
        'rights': ['sendemail'],
        'ratelimits': {
            'emailuser': {
                'user': {'hits': 3, 'seconds': 86400},
                'massmailer': {'hits': 1000, 'seconds': 86400},
            }
        },
    }
    assert preflight.email_ratelimit(info) == preflight.RateLimit(1000, 86400)
    info['rights'].append('noratelimit')
    assert preflight.email_ratelimit(info) is None
    assert preflight.email_ratelimit({'rights': [], 'ratelimits': {}}) is None


def test_estimates_use_the_throttle_and_the_limit():
    limit = preflight.RateLimit(20, 86400)
    assert preflight.estimate_seconds(10, 10, None) == 90
    assert preflight.estimate_seconds(10, 10, limit) == 90
    assert preflight.estimate_seconds(45, 0, limit) == 2 * 86400
    assert preflight.estimate_seconds(0, 10, limit) == 0


@pytest.mark.parametrize(
    ('seconds', 'text'),
    [(0, '0 s'), (45, '45 s'), (450, '7 min 30 s'), (7500, '2 h 5 min'), (97200, '1 d 3 h')],
)
def test_durations_read_well(seconds, text):
    assert preflight.duration(seconds) == text


@pytest.mark.parametrize(
    ('userinfo', 'blocks', 'fragment'),
    [
        ({'anon': True, 'id': 0, 'name': '127.0.0.1'}, [], 'not logged in'),
        ({'id': 5, 'name': 'S', 'rights': ['read']}, [], 'Send email to other users'),
        (
            {'id': 5, 'name': 'S', 'rights': ['sendemail'], 'email': 'a@b'},
            [{'noemail': True}],
            'blocked from sending email',
        ),
        ({'id': 5, 'name': 'S', 'rights': ['sendemail']}, [], 'has no email address'),
    ],
)
def test_account_problems_are_one_sentence_each(userinfo, blocks, fragment):
    problem = preflight.account_problem(userinfo, blocks, 'Wiki')
    assert fragment in problem
    assert problem.count('. ') == 0 and problem.endswith('.')


def test_a_ready_account_has_no_problem():
    info = {'id': 5, 'name': 'S', 'rights': ['sendemail'], 'email': 'a@b'}
    assert preflight.account_problem(info, [{'noemail': False}], 'Wiki') is None


# The plan.


def test_plan_lists_skips_by_reason_and_caps_long_lists():
    people = [Recipient(f'User {i}', 'emailable') for i in range(3)]
    people += [Recipient(f'Quiet {i}', 'not-emailable') for i in range(25)]
    people += [Recipient('Event report', 'not-a-user', 'not a user page')]
    account = preflight.Account('Sender', 'a@b', True, ratelimit=preflight.RateLimit(2, 86400))
    lines = plan.format_plan(people, account, 'Wiki', put_throttle=10)
    text = '\n'.join(lines)
    assert '3 users will be emailed.' in text
    assert 'not-emailable (25): Quiet 0, ' in text and 'and 5 more' in text
    assert 'not-a-user (1): Event report (not a user page)' in text
    assert 'Rate limit: 2 emails per 1 d' in text
    assert 'Only the first 2 fit' in text


# The script's own arguments.


def test_parse_reads_options_and_returns_unknown_ones():
    import emailuser

    options, unknown = emailuser.parse(
        [
            '-subject:Hi {username}',
            '-text:Body',
            '-max:5',
            '-ccme',
            '-always',
            '-wait',
            '-optout:Project:No mail',
            '-optout:Category:Opted-out of message delivery',
            '-frobnicate',
        ]
    )
    assert options == {
        'subject': 'Hi {username}',
        'text': 'Body',
        'max': 5,
        'ccme': True,
        'always': True,
        'wait': True,
        'optout': 'Project:No mail|Category:Opted-out of message delivery',
    }
    assert unknown == ['-frobnicate']


@pytest.mark.parametrize(
    ('args', 'fragment'),
    [
        (['-max:0'], 'not a positive whole number'),
        (['-max:ten'], 'not a positive whole number'),
        (['-subject:'], 'needs a value'),
        (['-text:a', '-text:b'], 'given twice'),
    ],
)
def test_parse_refuses_bad_values(args, fragment):
    import emailuser

    with pytest.raises(ValueError, match=fragment):
        emailuser.parse(args)
