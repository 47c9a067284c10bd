"""Whether the account may send, from recorded userinfo answers, without a wiki."""

from __future__ import annotations

import pytest

from emailuserlib.wiki import account as preflight


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
