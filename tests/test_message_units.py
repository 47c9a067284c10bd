"""The message: placeholders, its refusals, texts from options and files, without a wiki."""

from __future__ import annotations

import re

import pytest

from emailuserlib.core.errors import EmailUserError
from emailuserlib.message import read as message
from emailuserlib.message.template import Message
from emailuserlib.options.load import command_line


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


def test_text_option_takes_backslash_n_for_line_breaks():
    assert command_line(['-text:one\\ntwo']).values['text'] == 'one\ntwo'


def test_text_file_errors_name_the_file(tmp_path):
    with pytest.raises(EmailUserError, match=r'missing\.txt does not exist'):
        message.text_from_file(str(tmp_path / 'missing.txt'))
    latin1 = tmp_path / 'latin1.txt'
    latin1.write_bytes('Grüße'.encode('latin-1'))
    with pytest.raises(EmailUserError, match=r'latin1\.txt is not valid UTF-8'):
        message.text_from_file(str(latin1))
    good = tmp_path / 'good.txt'
    good.write_text('Grüße {username}\n', encoding='utf-8')
    assert message.text_from_file(str(good)) == 'Grüße {username}\n'


def test_a_subject_longer_than_the_wikis_form_takes_is_refused():
    Message('x' * 200, 'Body')
    with pytest.raises(EmailUserError, match='201 characters, more than the 200'):
        Message('x' * 201, 'Body')
