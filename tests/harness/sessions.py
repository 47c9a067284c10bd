"""Plain ``requests`` sessions on the test wiki, for tests that talk to it without the script."""

from __future__ import annotations

import requests

from . import population
from .wiki import LocalWiki


def try_login(wiki: LocalWiki, name: str, password: str = population.PASSWORD):
    """Log in with action=login; return the session and the ``login`` answer."""
    session = requests.Session()
    token = session.get(
        wiki.api_url,
        params={'action': 'query', 'meta': 'tokens', 'type': 'login', 'format': 'json'},
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
    ).json()['login']
    return session, answer


def login(wiki: LocalWiki, name: str, password: str = population.PASSWORD) -> requests.Session:
    """A session logged in as *name* (a main account, or ``Name@app`` for a bot password)."""
    session, answer = try_login(wiki, name, password)
    assert answer['result'] == 'Success', answer
    return session


def csrf_token(wiki: LocalWiki, session: requests.Session) -> str:
    return session.get(
        wiki.api_url, params={'action': 'query', 'meta': 'tokens', 'format': 'json'}
    ).json()['query']['tokens']['csrftoken']


def emailuser(
    wiki: LocalWiki, session: requests.Session, target: str, subject='Probe', text='Probe.'
) -> dict:
    """POST action=emailuser; return the whole JSON answer (formatversion 2)."""
    return session.post(
        wiki.api_url,
        data={
            'action': 'emailuser',
            'target': target,
            'subject': subject,
            'text': text,
            'token': csrf_token(wiki, session),
            'format': 'json',
            'formatversion': '2',
        },
    ).json()


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
    ).status_code


def rights(wiki: LocalWiki, session: requests.Session) -> list[str]:
    """The rights of the session's user, as meta=userinfo gives them."""
    return session.get(
        wiki.api_url,
        params={'action': 'query', 'meta': 'userinfo', 'uiprop': 'rights', 'format': 'json'},
    ).json()['query']['userinfo']['rights']
