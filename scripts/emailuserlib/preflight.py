"""May this account send email at all, and how fast: checked before anything is sent.

One ``meta=userinfo`` request (with ``list=blocks``, since MediaWiki 1.39's
block info does not say whether a block covers email) answers every question;
each problem is reported as one sentence that names the cause and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from pywikibot.exceptions import Error as PywikibotError
from pywikibot.exceptions import ServerError

from . import sentences
from .budget import RateLimit
from .errors import EmailUserError

try:  # Pywikibot 11.5 renamed it
    from pywikibot.exceptions import ApiTimeoutError
except ImportError:  # pragma: no cover
    from pywikibot.exceptions import TimeoutError as ApiTimeoutError

#: What Pywikibot raises when the wiki cannot be reached, after its retries.
UNREACHABLE = (ServerError, ApiTimeoutError, ConnectionError, requests.RequestException)


class PreflightError(EmailUserError):
    """The account cannot send email; the text says why and what to do."""


@dataclass
class Account:
    """What the preflight learnt about the sending account."""

    name: str
    email: str | None
    confirmed: bool
    rights: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    userinfo: dict = field(default_factory=dict)
    limits: list[RateLimit] = field(default_factory=list)  # set by the preparation


def account_problem(userinfo: dict, blocks: list[dict], sitename: str) -> str | None:
    """The sentence that explains why this account cannot send email, or None."""
    name = userinfo.get('name', '')
    if 'anon' in userinfo or not userinfo.get('id'):
        return (
            f'You are not logged in to {sitename}: set your user name in user-config.py '
            'and log in with "pwb login" before sending email.'
        )
    if 'sendemail' not in userinfo.get('rights', []):
        return sentences.lacks_right(name, f' on {sitename}')
    # MediaWiki 1.39 tells only through list=blocks; later ones also in blockinfo.
    flags = [b.get('noemail') for b in blocks] + [userinfo.get('blockemail')]
    if any(flag or flag == '' for flag in flags):
        return sentences.blocked_from_email(name, f' on {sitename}')
    # A bot password without the grant "View your private information" hides the
    # address (viewmyprivateinfo): then the wiki itself says so at the first send.
    if not userinfo.get('email') and 'viewmyprivateinfo' in userinfo.get('rights', []):
        return (
            f'The account {name} has no email address on {sitename}: set and confirm '
            'one in Special:Preferences, since replies go to that address.'
        )
    return None


def check_account(site) -> Account:
    """Log in and check that the account may send email.

    :raises PreflightError: with one sentence saying what is wrong and what to do
    """
    sitename = site.siteinfo['sitename']
    try:
        site.login()
    except UNREACHABLE:
        raise
    except PywikibotError as e:
        raise PreflightError(sentences.login_failed(sitename, e)) from None
    username = site.username() or ''
    params = {
        'action': 'query',
        'meta': 'userinfo',
        'formatversion': 2,
        'uiprop': ['email', 'rights', 'groups', 'blockinfo', 'ratelimits'],
    }
    if username:
        params.update(list='blocks', bkusers=username, bkprop='flags')
    query = site.simple_request(**params).submit()['query']
    userinfo = query['userinfo']
    problem = account_problem(userinfo, query.get('blocks', []), sitename)
    if problem:
        raise PreflightError(problem)
    return Account(
        name=userinfo['name'],
        email=userinfo.get('email'),
        confirmed=bool(userinfo.get('emailauthenticated')),
        rights=set(userinfo.get('rights', [])),
        groups=set(userinfo.get('groups', [])),
        userinfo=userinfo,
    )
