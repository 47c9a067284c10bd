"""scripts/emailuser.py: the script's own arguments, read by emailuser.parse, without a wiki."""

from __future__ import annotations

from pathlib import Path

import pytest

from emailuserlib.options.settings import CcMe
from emailuserlib.options.settings import TestMail as MailToSender


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
        'ccme': CcMe.ALL,
        'always': True,
        'wait': True,
        'optout': ('Project:No mail', 'Category:Opted-out of message delivery'),
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
        (['-ccme:first'], {'ccme': CcMe.FIRST}),
        (['-test'], {'test': MailToSender()}),
        (['-test:Other account'], {'test': MailToSender('Other account')}),
    ],
)
def test_parse_reads_ccme_first_and_test(args, expected):
    import emailuser

    assert emailuser.parse(args) == (expected, [])


def test_users_may_be_given_more_than_once():
    import emailuser

    options, unknown = emailuser.parse(['-users:a.csv', '-users:b.txt', '-cat:X'])
    assert options['users'] == (Path('a.csv'), Path('b.txt'))
    assert unknown == ['-cat:X']
