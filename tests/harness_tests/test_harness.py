"""The harness itself: a real wiki that really sends mail, and cleans up after itself."""

from __future__ import annotations

import os
import subprocess

import pytest
import requests

from harness import population
from harness.sessions import emailuser, login, rights, try_login
from harness.wiki import LocalWiki

pytestmark = pytest.mark.wiki


def test_users_are_in_their_documented_states(wiki):
    names = [
        *population.EMAILABLE,
        population.OPTED_OUT,
        population.NO_ADDRESS,
        population.GHOST,
        population.MUTES_SENDER,
        population.REFUSES_NEWCOMERS,
        *population.SENDERS,
    ]
    users = {
        u['name']: u
        for u in wiki.api(
            action='query',
            list='users',
            ususers='|'.join(names),
            usprop='emailable|groups|implicitgroups|rights',
        )['query']['users']
    }
    for name in population.EMAILABLE:
        assert users[name]['emailable'] is True, name
    assert users[population.OPTED_OUT]['emailable'] is False
    assert users[population.NO_ADDRESS]['emailable'] is False
    assert users[population.GHOST].get('missing') is True
    assert 'bot' in users['BotSender']['groups']
    assert users[population.MUTES_SENDER]['emailable'] is True  # muted Sender only
    assert users[population.REFUSES_NEWCOMERS]['emailable'] is True
    assert 'sendemail' not in users['NoRightSender']['rights']
    assert 'autoconfirmed' not in users['NewSender']['implicitgroups']
    blocks = wiki.api(action='query', list='blocks', bkusers='BlockedSender', bkprop='flags')
    assert blocks['query']['blocks'][0]['noemail'] is True
    members = wiki.api(
        action='query', list='categorymembers', cmtitle=population.CATEGORY, cmlimit='max'
    )['query']['categorymembers']
    assert {m['ns'] for m in members} == {0, 2, 3}
    crowd = wiki.api(action='query', prop='links', titles=population.CROWD_PAGE, pllimit='max')[
        'query'
    ]['pages'][0]['links']
    assert len(crowd) == len(population.CROWD) >= 40


def test_a_mail_sent_through_the_wiki_reaches_the_sink_decoded(wiki, mailbox):
    session = login(wiki, 'Sender')
    result = emailuser(
        wiki, session, 'Jürgen Müller', 'Grüße, Jürgen', 'Zoë says hello.\nSecond line.'
    )
    assert result == {'emailuser': {'result': 'Success'}}
    [mail] = mailbox.messages()
    assert mail.to_address == population.EMAILABLE['Jürgen Müller']
    assert mail.subject == 'Grüße, Jürgen'
    assert mail.body.startswith('Zoë says hello.\nSecond line.')
    assert 'sender@senders.test' in mail.reply_to


def test_each_version_reports_the_email_limit_under_its_own_name(wiki, mailbox):
    """1.39 calls it emailuser, 1.41 and later sendemail: the script must read either."""
    session = login(wiki, 'LimitedSender')
    limits = session.get(
        wiki.api_url,
        params={'action': 'query', 'meta': 'userinfo', 'uiprop': 'ratelimits', 'format': 'json'},
    ).json()['query']['userinfo']['ratelimits']
    name = 'emailuser' if wiki.version.startswith('1.39') else 'sendemail'
    assert {key for key in limits if key in ('emailuser', 'sendemail')} == {name}
    assert limits[name] == {'user': {'hits': 3, 'seconds': 86400}}


def test_bot_password_with_the_email_grant_sends_and_one_without_may_not(wiki, mailbox):
    with_grant = login(wiki, 'Sender@mail', population.BOT_PASSWORD)
    assert 'sendemail' in rights(wiki, with_grant)
    assert emailuser(wiki, with_grant, 'Alice') == {'emailuser': {'result': 'Success'}}
    [mail] = mailbox.messages()
    assert mail.to_address == population.EMAILABLE['Alice']

    without = login(wiki, 'Sender@nomail', population.BOT_PASSWORD)
    assert 'sendemail' not in rights(wiki, without)
    refused = emailuser(wiki, without, 'Bob')['error']['code']
    assert refused == {'1.39': 'badaccess', '1.43': 'permissiondenied'}[wiki.branch]
    assert len(mailbox.messages()) == 1


def test_a_bot_password_must_look_like_one(wiki):
    """Only 32 or more characters from [0-9a-w] are tried as a bot password.

    Anything else, like this stored 31-character password, is taken for the main
    account's password of a user called "Sender@short", and refused.
    """
    appid, password = population.MISSHAPEN_BOT_PASSWORD
    _, answer = try_login(wiki, f'Sender@{appid}', password)
    assert answer == {
        'result': 'Failed',
        'reason': 'Incorrect username or password entered. Please try again.',
    }


def test_servers_are_stopped_by_pid(tmp_path):
    local = LocalWiki(tmp_path / 'w', {'users': []})
    with local:
        pids = [p.pid for p in local.procs.values()]
        assert len(pids) == 2
        assert requests.get(local.api_url, params={'action': 'query', 'format': 'json'}).ok
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    left = subprocess.run(['pgrep', '-f', f'127.0.0.1:{local.port}'], capture_output=True)
    assert left.stdout == b''
