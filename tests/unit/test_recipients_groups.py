"""-group: decided in-process: which groups the wiki lists, and who is left out."""

from __future__ import annotations

import pytest

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.core.errors import EmailUserError
from emailuserlib.recipients.groups import GroupSearch, check_groups, members

GROUPS = ['bot', 'bureaucrat', 'interface-admin', 'suppress', 'sysop']


class ParamInfo:
    def parameter(self, module, name):
        assert (module, name) == ('query+allusers', 'group')
        return {'type': GROUPS}


class Request:
    def __init__(self, answer):
        self.answer = answer

    def submit(self):
        return self.answer


class Site:
    """Lists the members of groups from *pages* of answers."""

    _paraminfo = ParamInfo()

    def __init__(self, pages=(), name='Sender'):
        self.pages = list(pages)
        self.asked = []
        self.userinfo = {'name': name}

    def logged_in(self):
        return True

    def simple_request(self, **params):
        self.asked.append(params)
        return Request(self.pages.pop(0))


def test_an_explicit_group_and_user_are_taken():
    assert check_groups(Site(), ['sysop', 'user', 'sysop']) == ('sysop', 'user')


@pytest.mark.parametrize(
    ('group', 'said'),
    [
        ('autoconfirmed', 'is a group the wiki gives implicitly'),
        ('Sysop', 'is no group of this wiki (did you mean sysop?)'),
        ('admins', 'is no group of this wiki'),
    ],
)
def test_a_group_the_wiki_cannot_list_is_refused_naming_its_groups(group, said):
    with pytest.raises(EmailUserError) as e:
        check_groups(Site(), [group])
    assert str(e.value).startswith(f'-group:{group} {said}')
    assert 'bot, bureaucrat, interface-admin, suppress, sysop' in str(e.value)
    assert '-group:user for every account' in str(e.value)


def test_members_are_read_to_the_end_each_account_once_without_the_sender():
    site = Site(
        [
            {
                'query': {
                    'allusers': [{'userid': 1, 'name': 'Ann'}, {'userid': 2, 'name': 'Sender'}]
                },
                'continue': {'aufrom': 'Bob', 'continue': '-||'},
            },
            {'query': {'allusers': [{'userid': 1, 'name': 'Ann'}, {'userid': 3, 'name': 'Bob'}]}},
        ]
    )
    found = members(site, ['sysop', 'bot'])
    assert found.names == ['Ann', 'Bob'] and found.sender == 'Sender' and found.requests == 2
    assert site.asked[0]['augroup'] == ['sysop', 'bot']
    assert site.asked[1]['aufrom'] == 'Bob'
    assert found.summary() == (
        '  Members of the groups sysop, bot: 3 accounts, the sending account left out (2 requests).'
    )
    (sender,) = found.left_out([])  # Recipient compares by identity
    assert (sender.name, sender.status, sender.detail) == (
        'Sender',
        Status.LEFT_OUT,
        'the sending account',
    )
    # Named by another source, the sender is what that source makes of it.
    assert found.left_out([Recipient('Sender', Status.EMAILABLE)]) == []


def test_user_means_every_account():
    site = Site([{'query': {'allusers': []}}])
    assert members(site, ['user', 'sysop']).names == []
    assert 'augroup' not in site.asked[0]
    assert GroupSearch(('user',)).summary().startswith('  Members of every account')
