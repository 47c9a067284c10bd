"""message.template: placeholders, CSV columns, and subjects that fit one line of mail as the
wiki encodes them, without a wiki."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emailuserlib.core.errors import EmailUserError
from emailuserlib.message.template import (
    MAIL_LINE_LIMIT,
    Message,
    check_subject_length,
    subject_fit,
    subject_line_length,
)

subjects = st.text(
    alphabet=st.sampled_from([*list('aZ =?_.,\t€ü'), '😀', '\n', '\u2028']),
    min_size=1,
    max_size=260,
)


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
    with pytest.raises(EmailUserError, match=re.escape(fragment)):
        Message(subject, body)


def test_a_subject_longer_than_the_wikis_form_takes_is_refused():
    Message('x' * 200, 'Body')
    with pytest.raises(EmailUserError, match='201 characters, more than the 200'):
        Message('x' * 201, 'Body')


def test_csv_columns_are_placeholders_and_others_still_refused():
    msg = Message('Meetup on {event_date}', 'Team {team}, {username}.', ('event_date', 'team'))
    assert msg.used_columns == ['event_date', 'team']
    subject, body = msg.for_user('Alice', 'Wiki', {'event_date': '3 May', 'team': 'Red'})
    assert (subject, body) == ('Meetup on 3 May', 'Team Red, Alice.')
    with pytest.raises(EmailUserError, match=r'unknown placeholder \{tema\}: use .*\{team\}'):
        Message('Hi', 'Team {tema}', ('event_date', 'team'))
    with pytest.raises(EmailUserError, match=r'unknown placeholder \{team\}'):
        Message('Hi', 'Team {team}')


def test_a_subject_of_200_euro_signs_is_refused_saying_how_many_of_them_fit():
    with pytest.raises(EmailUserError) as e:
        check_subject_length('€' * 200, 'Alice')
    assert 'The subject for Alice has 200 characters' in str(e.value)
    assert 'shorten it to 108 characters or fewer' in str(e.value)
    check_subject_length('€' * 108, 'Alice')


def test_the_encoded_length_is_mediawikis_subject_line():
    # As UserMailer::quotedPrintable() writes it: plain ASCII stays as it is.
    assert subject_line_length('Hello there') == len('Subject: Hello there')
    # One byte it must encode, and every space, dot, comma, ? and _ takes three places.
    assert subject_line_length('a=b c') == len('Subject: =?UTF-8?Q?a=3Db=20c?=')
    assert subject_line_length('€.') == len('Subject: =?UTF-8?Q?=E2=82=AC=2E?=')


@settings(max_examples=500)
@given(subjects)
def test_a_generated_subject_is_refused_or_fits_one_line_of_mail(subject):
    try:
        check_subject_length(subject)
    except EmailUserError as e:
        assert str(e).startswith('The subject has ')
        fit = subject_fit(subject)
        assert subject_line_length(subject[:fit]) <= MAIL_LINE_LIMIT
        return
    assert subject_line_length(subject) <= MAIL_LINE_LIMIT
    assert '\n' not in subject and '\u2028' not in subject
