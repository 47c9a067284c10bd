"""The fault harness itself: a proxy that spoils answers and a mail server that bounces."""

from __future__ import annotations

import json
import smtplib

import pytest
import requests

from harness import population
from harness.faultproxy import FaultProxy, request_kinds
from harness.pwbconfig import FAMILY
from harness.sessions import csrf_token, login, send_email

# What this module tests does not depend on the MediaWiki version: it runs on 1.39 only,
# which keeps the suite within its time budget (see tests/conftest.py).
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

ALICE = population.EMAILABLE['Alice']
SENDER_ADDRESS = population.SENDERS['Sender'][0]


@pytest.fixture
def via_proxy(wiki, proxy, mailbox):
    """A session logged in as Sender through the proxy, and its token."""
    session = login(proxy, 'Sender')
    token = csrf_token(proxy, session)
    proxy.reset()  # count from here
    return session, token


# -- request kinds, without a wiki ------------------------------------------------------------


def test_kinds_come_from_the_query_string_or_either_kind_of_post_body():
    form = {'Content-Type': 'application/x-www-form-urlencoded'}
    assert request_kinds('POST', '/api.php', form, b'action=emailuser&target=A') == ['emailuser']
    assert request_kinds('GET', '/api.php?action=query&meta=tokens|userinfo', {}, b'') == [
        'query',
        'query:tokens',
        'query:userinfo',
    ]
    boundary = 'xYz'
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="action"\r\n\r\nemailuser\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nHi\r\n'
        f'--{boundary}--\r\n'
    ).encode()
    multipart = {'Content-Type': f'multipart/form-data; boundary={boundary}'}
    assert request_kinds('POST', '/api.php', multipart, body) == ['emailuser']
    assert request_kinds('GET', '/index.php?title=Main_Page', {}, b'') == ['other']


def test_unknown_faults_are_refused_when_armed():
    proxy = FaultProxy('http://127.0.0.1:9')
    with pytest.raises(ValueError):
        proxy.arm('emailuser', 'teapot-after')
    with pytest.raises(ValueError):
        proxy.arm('emailuser', '504-after', at=0)


# -- the proxy against the real wiki ---------------------------------------------------------


@pytest.mark.wiki
def test_requests_pass_through_with_cookies_on_one_kept_alive_connection(via_proxy, proxy):
    session, token = via_proxy
    user = session.get(
        proxy.api_url, params={'action': 'query', 'meta': 'userinfo', 'format': 'json'}
    )
    assert user.json()['query']['userinfo']['name'] == 'Sender'
    assert send_email(proxy, session, token=token).json() == {'emailuser': {'result': 'Success'}}
    assert proxy.log == [('query', 'pass', True), ('emailuser', 'pass', True)]
    assert proxy.forwarded('emailuser') == 1
    assert proxy.connections == 0  # the login's kept-alive connection served them


@pytest.mark.wiki
@pytest.mark.parametrize('status', [502, 504])
def test_5xx_after_lets_the_wiki_send_and_loses_its_answer(via_proxy, proxy, mailbox, status):
    session, token = via_proxy
    proxy.arm('emailuser', f'{status}-after')
    answer = send_email(proxy, session, token=token)
    assert answer.status_code == status
    assert answer.headers['Content-Type'].startswith('text/html')
    assert mailbox.count_by_address() == {ALICE: 1}
    assert proxy.log == [('emailuser', f'{status}-after', True)]


@pytest.mark.wiki
def test_html_after_answers_a_portal_page_after_the_wiki_sent(via_proxy, proxy, mailbox):
    session, token = via_proxy
    proxy.arm('emailuser', 'html-after')
    answer = send_email(proxy, session, token=token)
    assert answer.status_code == 200
    assert answer.text.startswith('<!DOCTYPE html>')
    with pytest.raises(ValueError):
        answer.json()
    assert mailbox.count_by_address() == {ALICE: 1}


@pytest.mark.wiki
def test_hold_after_times_the_client_out_after_the_wiki_sent(via_proxy, proxy, mailbox):
    session, token = via_proxy
    proxy.hold_seconds = 3
    proxy.arm('emailuser', 'hold-after')
    with pytest.raises(requests.exceptions.ReadTimeout):
        send_email(proxy, session, token=token, timeout=(3, 1))
    assert mailbox.count_by_address() == {ALICE: 1}
    assert proxy.log == [('emailuser', 'hold-after', True)]


@pytest.mark.wiki
def test_reset_after_drops_the_connection_after_the_wiki_sent(via_proxy, proxy, mailbox):
    session, token = via_proxy
    proxy.arm('emailuser', 'reset-after')
    with pytest.raises(requests.exceptions.ConnectionError, match='reset'):
        send_email(proxy, session, token=token)
    assert mailbox.count_by_address() == {ALICE: 1}
    assert proxy.forwarded('emailuser') == 1


@pytest.mark.wiki
def test_reset_before_drops_the_connection_and_the_wiki_never_hears(via_proxy, proxy, mailbox):
    session, token = via_proxy
    proxy.arm('emailuser', 'reset-before')
    with pytest.raises(requests.exceptions.ConnectionError, match='reset'):
        send_email(proxy, session, token=token)
    assert mailbox.messages() == []
    assert proxy.log == [('emailuser', 'reset-before', False)]
    assert proxy.forwarded('emailuser') == 0


@pytest.mark.wiki
def test_503_before_answers_for_a_wiki_that_never_hears(via_proxy, proxy, mailbox):
    session, token = via_proxy
    proxy.arm('emailuser', '503-before')
    answer = send_email(proxy, session, token=token)
    assert answer.status_code == 503
    assert mailbox.messages() == []
    assert proxy.forwarded('emailuser') == 0


@pytest.mark.wiki
@pytest.mark.parametrize('code', ['maxlag', 'readonly', 'ratelimited'])
def test_apierror_before_answers_the_api_error_and_nothing_is_sent(via_proxy, proxy, mailbox, code):
    session, token = via_proxy
    proxy.arm('emailuser', f'apierror-before:{code}')
    answer = send_email(proxy, session, token=token)
    assert answer.status_code == 200
    assert answer.headers['MediaWiki-API-Error'] == code
    assert answer.json()['error']['code'] == code
    assert mailbox.messages() == []
    assert proxy.log == [('emailuser', f'apierror-before:{code}', False)]


@pytest.mark.wiki
def test_faults_hit_the_counted_request_of_their_kind_only(via_proxy, proxy, mailbox):
    session, token = via_proxy
    proxy.arm('emailuser', '503-before', at=2)
    proxy.arm('query:tokens', '503-before', at=1)
    assert send_email(proxy, session, token=token, target='Alice').status_code == 200
    assert session.get(proxy.api_url, params={'action': 'query', 'format': 'json'}).ok
    assert send_email(proxy, session, token=token, target='Bob').status_code == 503
    assert send_email(proxy, session, token=token, target='Carol').status_code == 200
    tokens = session.get(
        proxy.api_url, params={'action': 'query', 'meta': 'tokens', 'format': 'json'}
    )
    assert tokens.status_code == 503
    assert proxy.pending() == 0
    assert [entry.fault for entry in proxy.log] == [
        'pass',
        'pass',
        '503-before',
        'pass',
        '503-before',
    ]
    assert mailbox.count_by_address() == {ALICE: 1, population.EMAILABLE['Carol']: 1}


@pytest.mark.wiki
def test_a_call_changes_the_world_just_before_the_counted_request(wiki, via_proxy, proxy):
    session, token = via_proxy
    proxy.call('emailuser', wiki.refuse_all_mail, at=2)
    assert send_email(proxy, session, token=token).json()['emailuser']['result'] == 'Success'
    assert send_email(proxy, session, token=token).json()['emailuser']['result'] == 'Failure'
    assert proxy.pending() == 0


@pytest.mark.wiki
def test_pywikibot_emails_through_the_proxy(sender_via_proxy, proxy, mailbox, wiki):
    family = sender_via_proxy.config_dir / 'families' / f'{FAMILY}_family.py'
    assert f':{wiki.port}' not in family.read_text()
    assert f'127.0.0.1:{proxy.port}' in family.read_text()
    result = sender_via_proxy.run('-page:User:Alice', '-subject:S', '-text:T', '-always')
    assert result.returncode == 0, result.output
    assert mailbox.count_by_address() == {ALICE: 1}
    assert proxy.forwarded('emailuser') == 1
    assert proxy.log and all(entry.fault == 'pass' and entry.forwarded for entry in proxy.log)


# -- the mail server that bounces ------------------------------------------------------------


BOB = population.EMAILABLE['Bob']


@pytest.mark.wiki
def test_the_sink_refuses_listed_recipients_then_everyone_then_nobody(wiki, mailbox):
    def send(*to):
        with smtplib.SMTP('127.0.0.1', wiki.smtp_port, timeout=10) as smtp:
            message = f'To: {", ".join(to)}\r\nSubject: s\r\n\r\nbody\r\n'
            return smtp.sendmail('x@senders.test', list(to), message)

    wiki.refuse_mail_to(ALICE)
    assert send(ALICE, BOB) == {ALICE: (550, b'5.1.1 mailbox unavailable')}
    wiki.refuse_all_mail()
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(BOB)
    wiki.accept_all_mail()
    send(ALICE)
    assert [m.envelope_to for m in mailbox.messages()] == [BOB, ALICE]


def show(case: str, answer: dict) -> None:
    """Print what MediaWiki answered (visible with -s), for the record."""
    print(f'\n{case}: {json.dumps(answer, ensure_ascii=False)}')


@pytest.fixture
def direct(wiki, mailbox):
    """A session logged in as Sender straight at the wiki, and its token."""
    session = login(wiki, 'Sender')
    return session, csrf_token(wiki, session)


@pytest.mark.wiki
@pytest.mark.parametrize('formatversion', ['1', '2'])
def test_a_refused_recipient_makes_the_wiki_answer_failure(wiki, mailbox, direct, formatversion):
    session, token = direct
    wiki.refuse_mail_to(ALICE)
    answer = send_email(wiki, session, token=token, formatversion=formatversion).json()
    show(f'recipient refused, formatversion={formatversion}', answer)
    assert answer['emailuser']['result'] == 'Failure'
    assert mailbox.messages() == []


@pytest.mark.wiki
@pytest.mark.parametrize('formatversion', ['1', '2'])
def test_a_refused_copy_to_the_sender_after_the_mail_went_out(wiki, mailbox, direct, formatversion):
    session, token = direct
    wiki.refuse_mail_to(SENDER_ADDRESS)
    answer = send_email(wiki, session, token=token, ccme='1', formatversion=formatversion).json()
    show(f'ccme, copy to the sender refused, formatversion={formatversion}', answer)
    # The wiki says Failure, yet the recipient's mail went out: the copy is sent after it.
    assert answer['emailuser']['result'] == 'Failure'
    assert mailbox.count_by_address() == {ALICE: 1}


@pytest.mark.wiki
@pytest.mark.parametrize('formatversion', ['1', '2'])
def test_everything_refused_makes_the_wiki_answer_failure(wiki, mailbox, direct, formatversion):
    session, token = direct
    wiki.refuse_all_mail()
    answer = send_email(wiki, session, token=token, ccme='1', formatversion=formatversion).json()
    show(f'all mail refused, formatversion={formatversion}', answer)
    assert answer['emailuser']['result'] == 'Failure'
    assert mailbox.messages() == []
