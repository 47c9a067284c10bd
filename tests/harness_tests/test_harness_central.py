"""The central pair of the harness: two wikis whose people share central ids.

Checked through the real API with plain ``requests``, as a script would ask a wiki of
Wikimedia's, where CentralAuth answers: the provider's name stands where Wikimedia's
wikis say ``CentralAuth``.
"""

from __future__ import annotations

import pytest
import requests

from harness import population
from harness.central import FIRST_CENTRAL_ID, PROVIDER, person
from harness.sessions import TIMEOUT, emailuser, login, try_login

pytestmark = pytest.mark.wiki


def users(wiki, names, **params) -> dict[str, dict]:
    """``list=users&usprop=centralids`` for *names*, by name."""
    answer = wiki.api(
        action='query', list='users', ususers='|'.join(names), usprop='centralids', **params
    )
    return {user['name']: user for user in answer['query']['users']}


def globalusers(wiki, session=None, **params) -> dict:
    """The whole answer of ``list=globalusers`` (POSTed: 500 names are long)."""
    data = {'action': 'query', 'list': 'globalusers', 'format': 'json', 'formatversion': '2'}
    return (session or requests).post(wiki.api_url, data={**data, **params}, timeout=TIMEOUT).json()


def test_the_session_wiki_keeps_core_s_local_provider(wiki):
    general = wiki.api(action='query', meta='siteinfo')['query']['general']
    assert general['centralidlookupprovider'] == 'local'
    assert general['allcentralidlookupproviders'] == ['local']
    alice = users(wiki, ['Alice'])['Alice']
    assert alice['centralids'] == {'local': alice['userid']}
    answer = globalusers(wiki, gususers='Alice')
    assert 'globalusers' not in answer.get('query', {})
    assert 'globalusers' in str(answer['warnings'])


def test_a_person_has_one_central_id_and_a_local_id_of_each_wiki(central_pair):
    names = ['Central Ann', 'Central Ben', 'Central Cleo']
    central = central_pair.create_people(*names)
    answers = []
    for wiki in central_pair.wikis:
        general = wiki.api(action='query', meta='siteinfo')['query']['general']
        assert general['centralidlookupprovider'] == PROVIDER
        assert sorted(general['allcentralidlookupproviders']) == sorted(['local', PROVIDER])
        assert general['wikiid'] == wiki.wiki_id
        answers.append(users(wiki, names))
    a, b = answers
    for name in names:
        for answer in (a, b):
            assert answer[name]['centralids'] == {
                PROVIDER: central[name],
                'local': answer[name]['userid'],
            }
            assert answer[name]['attachedlocal'] == {PROVIDER: True, 'local': True}
        assert a[name]['userid'] != b[name]['userid']
        assert central[name] >= FIRST_CENTRAL_ID > max(a[name]['userid'], b[name]['userid'])
    # Made in one order on one wiki and in the other order on the other.
    assert sorted(names, key=lambda n: a[n]['userid']) == names
    assert sorted(names, key=lambda n: b[n]['userid']) == names[::-1]
    # Attached on the other wiki, by its wiki id; core's own provider knows no other.
    there = users(central_pair.a, names[:1], usattachedwiki=central_pair.b.wiki_id)
    assert there[names[0]]['attachedwiki'] == {PROVIDER: True, 'local': False}
    for wiki in central_pair.wikis:
        found = globalusers(wiki, gususers='|'.join(names))['query']['globalusers']
        assert found == [{'centralid': central[n], 'name': n} for n in names]


def test_an_unattached_account_has_the_global_name_s_id_but_is_not_attached(central_pair):
    """As CentralAuth answers: ``list=users`` gives the central id of the global account
    of the name (CentralIdLookup::centralIdFromName), attached or not; only
    ``attachedlocal`` tells the account apart from the global one's. A name without a
    global account has central id 0."""
    pair = central_pair
    # Dora's global account has a local account on a only; on b someone else took the
    # name. Emil's account on b was detached from his global one. Finn never came to b.
    # Gus has a local account on b and no global account.
    on_a = pair.create_people('Central Dora', 'Central Finn', on=[pair.a])
    dora, finn = on_a['Central Dora'], on_a['Central Finn']
    pair.create_local(pair.b, 'Central Dora', 'Central Gus')
    emil = pair.create_people('Central Emil')['Central Emil']
    pair.detach('Central Emil', pair.b)
    names = ['Central Dora', 'Central Emil', 'Central Finn', 'Central Gus']
    a, b = users(pair.a, names), users(pair.b, names)

    for name, central in [('Central Dora', dora), ('Central Emil', emil)]:
        assert a[name]['attachedlocal'] == {PROVIDER: True, 'local': True}
        assert b[name]['centralids'] == {PROVIDER: central, 'local': b[name]['userid']}
        assert b[name]['attachedlocal'] == {PROVIDER: False, 'local': True}
    assert a['Central Finn']['centralids'][PROVIDER] == finn
    assert b['Central Finn'] == {'name': 'Central Finn', 'missing': True}
    assert b['Central Gus']['centralids'] == {PROVIDER: 0, 'local': b['Central Gus']['userid']}
    assert b['Central Gus']['attachedlocal'] == {PROVIDER: False, 'local': True}

    found = globalusers(pair.b, gususers='|'.join(names), gusprop='localinfo')
    assert [(u['name'], u.get('localinfo')) for u in found['query']['globalusers']] == [
        ('Central Dora', {'attached': False}),
        ('Central Emil', {'attached': False}),
        ('Central Finn', {'attached': False}),
        ('Central Gus', None),
    ]
    assert found['query']['globalusers'][3] == {'name': 'Central Gus', 'missing': True}
    [dora_on_a] = globalusers(pair.a, gususers='Central Dora', gusprop='localinfo')['query'][
        'globalusers'
    ]
    assert dora_on_a['localinfo']['attached'] is True
    assert dora_on_a['localinfo']['localid'] == a['Central Dora']['userid']


def test_the_sender_is_one_global_account_logged_in_on_both_wikis_at_once(central_pair):
    """Each wiki has its own wiki id, and so its own session cookie: one client keeps
    both logins. A mute list holds central ids, as under CentralAuth."""
    session = requests.Session()
    for wiki in central_pair.wikis:
        session.cookies.update(login(wiki, 'Sender').cookies)
    central = central_pair.central_id('Sender')
    for wiki in central_pair.wikis:
        info = session.get(
            wiki.api_url,
            params={
                'action': 'query',
                'meta': 'userinfo',
                'uiprop': 'centralids',
                'format': 'json',
                'formatversion': '2',
            },
            timeout=TIMEOUT,
        ).json()['query']['userinfo']
        assert info['name'] == 'Sender'
        assert info['centralids'] == {PROVIDER: central, 'local': info['id']}
        assert info['attachedlocal'] == {PROVIDER: True, 'local': True}
        refused = emailuser(wiki, session, population.MUTES_SENDER)['error']['code']
        assert refused == {'1.39': 'nowikiemail', '1.43': 'nowikiemailtext'}[wiki.branch]


def test_globalusers_says_who_is_locked_and_the_lock_keeps_mail_and_logins_away(central_pair):
    pair = central_pair
    central = pair.create_people(
        {**person('Central Hana'), 'password': population.PASSWORD}, 'Central Ida'
    )
    hana, ida = central['Central Hana'], central['Central Ida']
    bot_password = {
        'user': 'Central Hana',
        'appid': 'mail',
        'grants': population.BOT_PASSWORDS['mail'],
        'password': population.BOT_PASSWORD,
    }
    pair.a.add({'bot_passwords': [bot_password]})
    pair.lock('Central Hana')
    session = login(pair.a, 'Sender')
    for wiki in pair.wikis:
        by_name = globalusers(
            wiki,
            gususers='Central Ida|central_Hana|Central Nobody|Central Ida|Bad<name>',
            gusprop='locked',
        )
        assert by_name['query']['globalusers'] == [
            {'centralid': ida, 'name': 'Central Ida', 'locked': False},
            {'centralid': hana, 'name': 'Central Hana', 'locked': True},
            {'name': 'Central Nobody', 'missing': True},
            {'name': 'Bad<name>', 'invalid': True},
        ]
        by_id = globalusers(wiki, guscentralids=f'{hana}|{ida}|99', gusprop='locked')
        assert by_id['query']['globalusers'] == [
            {'centralid': hana, 'name': 'Central Hana', 'locked': True},
            {'centralid': ida, 'name': 'Central Ida', 'locked': False},
            {'centralid': 99, 'missing': True},
        ]
        # CentralAuth takes a locked account's address for unconfirmed.
        emailable = wiki.api(
            action='query', list='users', ususers='Central Hana|Central Ida', usprop='emailable'
        )['query']['users']
        assert [u['emailable'] for u in emailable] == [False, True]
    refused = emailuser(pair.a, session, 'Central Hana')['error']['code']
    assert refused == {'1.39': 'noemail', '1.43': 'noemailtext'}[pair.a.branch]
    assert emailuser(pair.a, session, 'Central Ida') == {'emailuser': {'result': 'Success'}}
    # As CentralAuth refuses the login; core refuses the bot password of a locked user.
    for name, password in [
        ('Central Hana', population.PASSWORD),
        ('Central Hana@mail', population.BOT_PASSWORD),
    ]:
        _, answer = try_login(pair.a, name, password)
        assert answer['result'] == 'Failed'
        assert 'locked' in answer['reason'], answer

    pair.unlock('Central Hana')
    assert try_login(pair.a, 'Central Hana@mail', population.BOT_PASSWORD)[1]['result'] == 'Success'
    [hana_now] = globalusers(pair.b, gususers='Central Hana', gusprop='locked')['query'][
        'globalusers'
    ]
    assert hana_now['locked'] is False


def test_globalusers_takes_50_names_or_500_with_apihighlimits(central_pair):
    wiki = central_pair.a
    names = [f'Central Batch {i:03d}' for i in range(500)]
    assert len(globalusers(wiki, gususers='|'.join(names[:50]))['query']['globalusers']) == 50
    refused = globalusers(wiki, gususers='|'.join(names[:51]))
    assert refused['error']['code'] == 'toomanyvalues'
    bot = login(wiki, 'BotSender')
    found = globalusers(wiki, bot, gususers='|'.join(names))['query']['globalusers']
    assert found == [{'name': name, 'missing': True} for name in names]


def test_a_global_rename_keeps_the_central_id_and_each_local_id(central_pair):
    pair = central_pair
    central = pair.create_people('Central Jon')['Central Jon']
    before = {w.wiki_id: users(w, ['Central Jon'])['Central Jon']['userid'] for w in pair.wikis}
    pair.rename('Central Jon', 'Central Jonas')
    for wiki in pair.wikis:
        after = users(wiki, ['Central Jon', 'Central Jonas'])
        assert after['Central Jon'] == {'name': 'Central Jon', 'missing': True}
        assert after['Central Jonas']['centralids'] == {
            PROVIDER: central,
            'local': before[wiki.wiki_id],
        }
        assert after['Central Jonas']['attachedlocal'] == {PROVIDER: True, 'local': True}
        renamed = globalusers(wiki, guscentralids=str(central))['query']['globalusers']
        assert renamed == [{'centralid': central, 'name': 'Central Jonas'}]
