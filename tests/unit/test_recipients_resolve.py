"""Central ids and locks come with the batched check of the accounts, in the same request.

A fake site answers ``list=users`` (and ``list=globalusers``) as MediaWiki does under a
central-id provider: the central id of a name's global account whether or not the local
account is attached to it, and ``attachedlocal`` to tell.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from emailuserlib.core.accounts import Status, WikiUser
from emailuserlib.recipients.resolve import Resolver, account_status
from emailuserlib.wiki.site import SEPARATOR

PROVIDER = 'CentralAuth'
#: name: (local id, central id of the name's global account, attached, locked)
ACCOUNTS = {
    'Ann': (11, 501, True, False),
    'Finn': (12, 502, False, False),  # someone else has the global account of this name
    'Gus': (13, 503, True, True),
    'Ida': (14, 0, False, False),  # no global account at all
}


class FakeRequest:
    def __init__(self, site, params):
        self.site, self.params = site, params

    def submit(self):
        self.site.asked.append(self.params)
        names = self.params['ususers'].split(SEPARATOR)[1:]
        users, globalusers = [], []
        for name in names:
            if name not in ACCOUNTS:
                users.append({'name': name, 'missing': True})
                continue
            local, central, attached, locked = ACCOUNTS[name]
            users.append(
                {
                    'name': name,
                    'userid': local,
                    'emailable': True,
                    'registration': '2020-01-01T00:00:00Z',
                    'centralids': {PROVIDER: central, 'local': local},
                    'attachedlocal': {PROVIDER: attached, 'local': True},
                }
            )
            if central:
                globalusers.append({'centralid': central, 'name': name, 'locked': locked})
            else:
                globalusers.append({'name': name, 'missing': True})
        query = {'users': users}
        if 'globalusers' in self.params['list']:
            query['globalusers'] = globalusers
        return {'query': query}


class FakeSite:
    def __init__(self, provider: str = PROVIDER, globalusers: bool = True):
        self.asked: list[dict] = []
        self.info = {'centralidlookupprovider': provider}
        user_ns = SimpleNamespace(custom_name='User', case='first-letter')
        self.namespaces = {2: user_ns}
        modules = {'users', 'globalusers'} if globalusers else {'users'}
        self._paraminfo = SimpleNamespace(query_modules=modules)
        self.siteinfo = SimpleNamespace(get=lambda key, *a, **k: self.info.get(key))

    def logged_in(self):
        return False

    def simple_request(self, **params):
        return FakeRequest(self, params)


def resolved(site) -> dict:
    resolver = Resolver(site)
    return {r.name: r for r in resolver.from_names_and_pages(list(ACCOUNTS), [])}


def test_central_ids_and_locks_come_in_the_one_request_of_the_batch():
    site = FakeSite()
    found = resolved(site)
    [asked] = site.asked
    assert asked['list'] == 'users|globalusers' and asked['gusprop'] == 'locked'
    assert asked['gususers'] == asked['ususers']
    assert found['Ann'].centralid == 501 and found['Ann'].status == Status.EMAILABLE
    # Not attached: the global account of the name is someone else's.
    assert found['Finn'].centralid is None and found['Finn'].status == Status.EMAILABLE
    assert found['Gus'].status == Status.LOCKED
    assert found['Gus'].detail == 'the global account is locked'
    assert found['Ida'].centralid is None
    assert {r.registered for r in found.values()} == {'2020-01-01T00:00:00Z'}


def test_a_lock_of_the_global_account_of_a_name_is_not_the_unattached_account_s():
    ACCOUNTS['Finn'] = (12, 502, False, True)
    try:
        found = resolved(FakeSite())
    finally:
        ACCOUNTS['Finn'] = (12, 502, False, False)
    assert found['Finn'].status == Status.EMAILABLE


def test_without_list_globalusers_the_locks_are_not_asked_for():
    site = FakeSite(globalusers=False)
    found = resolved(site)
    [asked] = site.asked
    assert asked['list'] == 'users' and 'gususers' not in asked
    assert found['Gus'].status == Status.EMAILABLE and found['Gus'].centralid == 503


def test_under_core_s_local_provider_accounts_have_no_central_id():
    site = FakeSite(provider='local')
    found = resolved(site)
    [asked] = site.asked
    assert asked['list'] == 'users'
    assert {r.centralid for r in found.values()} == {None}


@pytest.mark.parametrize(
    ('user', 'status'),
    [
        (WikiUser('~2026-1', 7, temporary=True), Status.TEMPORARY_ACCOUNT),
        (WikiUser('Odd', 8, emailable=True, temporary=True), Status.TEMPORARY_ACCOUNT),
        (WikiUser('Alice', 2, emailable=True), Status.EMAILABLE),
        (WikiUser('Bob', 3, emailable=True), Status.OPTED_OUT),
        (WikiUser('Dave', 4), Status.NOT_EMAILABLE),
    ],
)
def test_an_account_is_classified_as_temporary_first(user, status):
    assert account_status(user, optout={3: 'linked from Project:No mail'})[0] == status


def test_an_opted_out_account_says_which_list():
    bob = WikiUser('Bob', 3, emailable=True)
    optout = {3: 'linked from Project:No mail'}
    assert account_status(bob, optout) == (Status.OPTED_OUT, 'linked from Project:No mail')
