"""Pure logic, no wiki: names, placeholders, error mapping, rate limits, arguments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emailuserlib import (
    budget,
    delivery,
    message,
    pagetext,
    plan,
    preflight,
    recipients,
    redact,
    timing,
    wikimail,
)
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
        # Which characters a name may hold is the wiki's to say (list=users).
        ('Bad#Name', None),
        ('=Equals', None),
        ('@At', None),
        ('Alice', None),
        ('Jürgen Müller', None),
    ],
)
def test_names_that_cannot_be_accounts(name, problem):
    assert recipients.name_problem(name, [('~', '')]) == problem


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


# -textpage: the parser's HTML (recorded from MediaWiki 1.39) as plain text.

PAGE_URL = 'https://wiki.example/wiki/Project:Letter'


def test_page_html_becomes_plain_text_with_every_link_target():
    html = (
        '<div class="mw-parser-output"><p>Hello <b>{username}</b>,\n</p><p>read '
        '<a href="/wiki/Event_report" title="Event report">the report</a>, '
        '<a rel="nofollow" class="external text" href="https://example.org/?u={username}">'
        'Register here</a>, <a rel="nofollow" class="external autonumber" '
        'href="https://example.org">[1]</a>, <a rel="nofollow" class="external free" '
        'href="https://example.org/x">https://example.org/x</a> and <a href="#Sec">below</a>'
        ' on <a class="mw-selflink selflink">this page</a>.\n</p>\n<h2><span '
        'class="mw-headline" id="Sec">Sec</span></h2>\n<ul><li>one</li>\n<li>two\n<ul><li>'
        'two.a</li></ul></li></ul>\n<ol><li>n1</li>\n<li>n2</li></ol>\n<p>line<br />break'
        '\n</p><p><span style="display:none">hidden</span>seen&#160;here<style>.x{}</style>'
        '\n</p></div>'
    )
    assert pagetext.text_from_html(html, PAGE_URL) == (
        'Hello {username},\n\n'
        'read the report (https://wiki.example/wiki/Event_report), Register here '
        '(https://example.org/?u={username}), https://example.org, https://example.org/x and '
        'below (https://wiki.example/wiki/Project:Letter#Sec) on this page '
        '(https://wiki.example/wiki/Project:Letter).\n\n'
        'Sec\n\n* one\n* two\n  * two.a\n\n1. n1\n2. n2\n\nline\nbreak\n\nseen\xa0here\n'
    )


@pytest.mark.parametrize(
    ('html', 'kind', 'what', 'where'),
    [
        (
            '<p>The schedule:</p><table><tr><td>Sat</td></tr></table>',
            'refused',
            'a table',
            'after "The schedule:"',
        ),
        ('<p><img src="/x.png"></p>', 'refused', 'an image', 'at its start'),
        (
            '<p>x <a href="/index.php?title=Template:Some_template&amp;action=edit&amp;'
            'redlink=1" class="new" title="Template:Some template (page does not exist)">'
            'Template:Some template</a></p>',
            'missing',
            'Template:Some template',
            'after "x"',
        ),
        (
            '<p>a b c d e f g <strong class="error">Template loop <span>detected</span>'
            '</strong></p>',
            'error',
            'Template loop detected',
            'after "...b c d e f g"',
        ),
    ],
)
def test_what_plain_text_cannot_show_is_named_with_its_place(html, kind, what, where):
    with pytest.raises(pagetext.Unshowable) as caught:
        pagetext.text_from_html(html, PAGE_URL)
    assert (caught.value.kind, caught.value.what, caught.value.where) == (kind, what, where)
    sentence = pagetext.unshowable_sentence('Project:Letter', caught.value)
    assert sentence.startswith('The page Project:Letter ') and where in sentence


def test_preview_frames_the_body_line_by_line():
    lines = plan.format_preview('Alice', 'Hi Alice', 'Hello Alice,\n\nbye\n')
    assert lines == [
        'Preview of the email to Alice:',
        '  Subject: Hi Alice',
        '  ' + plan.RULE,
        '  Hello Alice,',
        '',
        '  bye',
        '  ' + plan.RULE,
        'End of the preview.',
    ]


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
    assert budget.wiki_ratelimit(old) == budget.RateLimit(20, 86400)
    assert budget.wiki_ratelimit(new) == budget.RateLimit(5, 3600)


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
    assert budget.wiki_ratelimit(info) == budget.RateLimit(1000, 86400)
    info['rights'].append('noratelimit')
    assert budget.wiki_ratelimit(info) is None
    assert budget.wiki_ratelimit({'rights': [], 'ratelimits': {}}) is None


def test_estimates_use_the_throttle_and_the_limit():
    limit = budget.RateLimit(20, 86400)
    # The put throttle waits before the first email too.
    assert timing.estimate_seconds(10, 10, None) == 100
    assert timing.estimate_seconds(10, 10, limit) == 100
    assert timing.estimate_seconds(45, 0, limit) == 2 * 86400
    assert timing.estimate_seconds(0, 10, limit) == 0
    # Sends already made in the window count.
    assert timing.estimate_seconds(5, 0, limit, used=18) == 86400


@pytest.mark.parametrize(
    ('seconds', 'text'),
    [
        (0, '0 s'),
        (45, '45 s'),
        (450, '7 min 30 s'),
        (7500, '2 h 5 min'),
        (97200, '1 day 3 h'),
        (2 * 86400, '2 days'),
    ],
)
def test_durations_read_well(seconds, text):
    assert timing.duration(seconds) == text


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
        (
            {'id': 5, 'name': 'S', 'rights': ['sendemail', 'viewmyprivateinfo']},
            [],
            'has no email address',
        ),
    ],
)
def test_account_problems_are_one_sentence_each(userinfo, blocks, fragment):
    problem = preflight.account_problem(userinfo, blocks, 'Wiki')
    assert fragment in problem
    assert problem.count('. ') == 0 and problem.endswith('.')


def test_a_ready_account_has_no_problem():
    info = {'id': 5, 'name': 'S', 'rights': ['sendemail'], 'email': 'a@b'}
    assert preflight.account_problem(info, [{'noemail': False}], 'Wiki') is None


def test_an_address_hidden_from_a_bot_password_is_no_problem():
    # Grants basic and sendemail: the address is private information it may not see.
    info = {'id': 5, 'name': 'S', 'rights': ['read', 'writeapi', 'sendemail']}
    assert preflight.account_problem(info, [], 'Wiki') is None


# The plan.


def test_plan_lists_skips_by_reason_and_caps_long_lists():
    people = [Recipient(f'User {i}', 'emailable') for i in range(3)]
    people += [Recipient(f'Quiet {i}', 'not-emailable') for i in range(25)]
    people += [Recipient('Event report', 'not-a-user', 'not a user page')]
    facts = plan.PlanFacts('Wiki', 'Sender', 10, limits=[(budget.RateLimit(2, 86400), 1)])
    lines = plan.format_plan(people, facts)
    text = '\n'.join(lines)
    assert '3 users will be emailed.' in text
    assert 'not-emailable (25): Quiet 0, ' in text and 'and 5 more' in text
    assert 'not-a-user (1): Event report (not a user page)' in text
    assert 'Rate limit: 2 emails per day (the wiki); 1 of them used in the current window' in text
    assert 'Only 1 more fit into the current window' in text


def test_plan_of_a_test_email_says_who_gets_it_and_counts_its_one_send():
    people = [Recipient(f'User {i}', 'emailable') for i in range(4)]
    facts = plan.PlanFacts('Wiki', 'Admin', limits=[(budget.RateLimit(3, 86400), 2)], test='Admin')
    text = '\n'.join(plan.format_plan(people, facts))
    assert 'A test email (the email to User 0) goes to Admin; nobody else (-test).' in text
    assert 'users will be emailed' not in text
    assert '2 of them used in the current window; the test email uses one more.' in text
    assert 'Only' not in text  # one send fits: the third of three


def test_preview_with_what_the_wiki_adds_shows_from_reply_to_and_footer():
    mail = wikimail.WikiMail('Wiki', 'Wiki', 'Sender', 'sender@example.org')
    mail.footer = lambda recipient: f'Sent by Sender to {recipient}.'
    lines = plan.format_preview('Alice', 'Hi', 'Hello Alice,  \n\n', mail)
    assert lines == [
        'Preview of the email to Alice:',
        "  From: Wiki (the wiki's own address)",
        '  Reply-To: Sender <sender@example.org> (every recipient sees this address, and '
        'replies go to it)',
        '  To: Alice',
        '  Subject: Hi',
        '  ' + plan.RULE,
        '  Hello Alice,',
        '',
        '  -- ',
        '  Sent by Sender to Alice.',
        '  ' + plan.RULE,
        'End of the preview.',
    ]


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
        (['-ccme:all'], '-ccme:all is not known'),
        (['-max:5', '-max:6'], 'given twice'),
        (['-resend:'], '-resend: is not known'),
    ],
)
def test_parse_refuses_bad_values(args, fragment):
    import emailuser

    with pytest.raises(ValueError, match=fragment):
        emailuser.parse(args)


@pytest.mark.parametrize(
    ('args', 'expected'),
    [
        (['-ccme:first'], {'ccme': 'first'}),
        (['-test'], {'test': True}),
        (['-test:Other account'], {'test': 'Other account'}),
    ],
)
def test_parse_reads_ccme_first_and_test(args, expected):
    import emailuser

    assert emailuser.parse(args) == (expected, [])


# The account's limit, kept by the script.


@pytest.mark.parametrize(
    ('text', 'hits', 'seconds'),
    [('20/day', 20, 86400), ('5/hour', 5, 3600), ('3/10min', 3, 600), ('2/600', 2, 600)],
)
def test_ratelimit_option_reads_count_and_period(text, hits, seconds):
    limit = budget.parse_ratelimit(text)
    assert (limit.hits, limit.seconds) == (hits, seconds)


@pytest.mark.parametrize('text', ['20', 'lots/day', '0/day', '5/fortnight', '5/0'])
def test_ratelimit_option_refuses_what_it_cannot_read(text):
    with pytest.raises(ValueError, match='not a limit'):
        budget.parse_ratelimit(text)


def test_wikimedia_accounts_keep_to_twenty_a_day_unless_exempt():
    info = {'rights': ['sendemail'], 'ratelimits': {}}
    (limit,) = budget.applicable_limits(info, wikimedia=True, manual=None)
    assert (limit.hits, limit.seconds) == (20, 86400)
    info['rights'].append('noratelimit')
    assert budget.applicable_limits(info, wikimedia=True, manual=None) == []


def test_budget_counts_sends_in_the_window_and_says_how_long_to_wait():
    now = [1000.0]
    sends = [100.0, 900.0, 950.0]
    limit = budget.RateLimit(3, 1000)
    b = budget.Budget([limit], lambda since, _: [t for t in sends if t >= since], lambda: now[0])
    assert b.used(limit) == 3
    assert b.blocking() is limit
    # One more fits when the oldest send (at 100) leaves the window.
    assert b.wait() == pytest.approx(100.5)
    now[0] = 1101.0
    assert b.wait() == 0 and b.blocking() is None


# Secrets never reach a log.


def test_passwords_and_tokens_are_hidden_in_every_shape():
    text = (
        'lgpassword=hunter2&lgtoken=abc%2B%5C&action=login '
        "{'password': 'hunter2', 'token': 'abc+\\\\'} retype=hunter2"
    )
    hidden = redact.redact(text)
    assert 'hunter2' not in hidden and 'abc' not in hidden
    assert 'action=login' in hidden


def test_the_journal_lives_among_pywikibots_data_files_unless_given():
    from types import SimpleNamespace

    from pywikibot import config

    from emailuserlib.prepare import journal_path

    default = journal_path(SimpleNamespace(journal=''))
    assert default == Path(config.base_dir).resolve() / 'emailuser-journal.sqlite3'
    given = journal_path(SimpleNamespace(journal='~/mailing.sqlite3'))
    assert given == Path.home() / 'mailing.sqlite3'


def test_a_subject_longer_than_the_wikis_form_takes_is_refused():
    Message('x' * 200, 'Body')
    with pytest.raises(MessageError, match='201 characters, more than the 200'):
        Message('x' * 201, 'Body')


def test_a_send_counts_once_for_the_wiki_and_once_for_the_family_limit():
    wiki_limit = budget.RateLimit(5, 1000)
    family_limit = budget.RateLimit(20, 1000, across_family=True)
    here, elsewhere = [900.0, 950.0], [100.0, 920.0, 940.0]

    def sends_since(since, across_family):
        sends = here + elsewhere if across_family else here
        return [t for t in sends if t >= since]

    b = budget.Budget([wiki_limit, family_limit], sends_since, lambda: 1000.0)
    assert (b.used(wiki_limit), b.used(family_limit)) == (2, 5)
