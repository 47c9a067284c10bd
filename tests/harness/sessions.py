"""Plain ``requests`` sessions on the test wiki, for tests that talk to it without the script.

Every helper takes the wiki as anything with an ``api_url``: the wiki itself
(:class:`harness.wiki.LocalWiki`) or the fault proxy in front of it
(:class:`harness.faultproxy.FaultProxy`).
"""

from __future__ import annotations

import requests

from . import population
from .wiki import LocalWiki

#: How long a helper waits for the wiki: (connect, read) seconds.
TIMEOUT = (3, 30)


def try_login(wiki: LocalWiki, name: str, password: str = population.PASSWORD):
    """Log in with action=login; return the session and the ``login`` answer."""
    session = requests.Session()
    token = session.get(
        wiki.api_url,
        params={'action': 'query', 'meta': 'tokens', 'type': 'login', 'format': 'json'},
        timeout=TIMEOUT,
    ).json()['query']['tokens']['logintoken']
    answer = session.post(
        wiki.api_url,
        data={
            'action': 'login',
            'lgname': name,
            'lgpassword': password,
            'lgtoken': token,
            'format': 'json',
        },
        timeout=TIMEOUT,
    ).json()['login']
    return session, answer


def login(wiki: LocalWiki, name: str, password: str = population.PASSWORD) -> requests.Session:
    """A session logged in as *name* (a main account, or ``Name@app`` for a bot password)."""
    session, answer = try_login(wiki, name, password)
    assert answer['result'] == 'Success', answer
    return session


def csrf_token(wiki: LocalWiki, session: requests.Session) -> str:
    return session.get(
        wiki.api_url,
        params={'action': 'query', 'meta': 'tokens', 'format': 'json'},
        timeout=TIMEOUT,
    ).json()['query']['tokens']['csrftoken']


def send_email(
    wiki: LocalWiki,
    session: requests.Session,
    target: str = 'Alice',
    subject: str = 'Probe',
    text: str = 'Probe.',
    *,
    token: str | None = None,
    timeout=TIMEOUT,
    **params: str,
) -> requests.Response:
    """POST action=emailuser; return the answer as it came (status, headers, body).

    Without *token* a CSRF token is fetched first (one more request); *params* are
    further API parameters, such as ``ccme='1'`` or ``formatversion='2'``.
    """
    return session.post(
        wiki.api_url,
        data={
            'action': 'emailuser',
            'target': target,
            'subject': subject,
            'text': text,
            'token': token or csrf_token(wiki, session),
            'format': 'json',
            **params,
        },
        timeout=timeout,
    )


def emailuser(
    wiki: LocalWiki, session: requests.Session, target: str, subject='Probe', text='Probe.'
) -> dict:
    """POST action=emailuser; return the whole JSON answer (formatversion 2)."""
    return send_email(wiki, session, target, subject, text, formatversion='2').json()


def email_by_form(wiki: LocalWiki, session: requests.Session, target: str) -> int:
    """Send one email through Special:EmailUser's form, as a browser does; the HTTP status.

    MediaWiki 1.41 and later count the rate limit here but not in action=emailuser.
    """
    return session.post(
        f'{wiki.url}/index.php',
        data={
            'title': 'Special:EmailUser',
            'wpTarget': target,
            'wpSubject': 'Form',
            'wpText': 'Sent through the form.',
            'wpEditToken': csrf_token(wiki, session),
        },
        timeout=TIMEOUT,
    ).status_code


def rights(wiki: LocalWiki, session: requests.Session) -> list[str]:
    """The rights of the session's user, as meta=userinfo gives them."""
    return session.get(
        wiki.api_url,
        params={'action': 'query', 'meta': 'userinfo', 'uiprop': 'rights', 'format': 'json'},
        timeout=TIMEOUT,
    ).json()['query']['userinfo']['rights']
