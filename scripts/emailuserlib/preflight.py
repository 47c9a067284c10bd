"""May this account send email at all, and how fast: checked before anything is sent.

One ``meta=userinfo`` request (with ``list=blocks``, since MediaWiki 1.39's
block info does not say whether a block covers email) answers every question;
each problem is reported as one sentence that names the cause and the fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


class PreflightError(Exception):
    """The account cannot send email; the text says why and what to do."""


@dataclass
class RateLimit:
    """How many emails the wiki lets this account send per period."""

    hits: int
    seconds: int

    def describe(self) -> str:
        return f'{self.hits} emails per {duration(self.seconds)}'


@dataclass
class Account:
    """What the preflight learnt about the sending account."""

    name: str
    email: str | None
    confirmed: bool
    rights: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    ratelimit: RateLimit | None = None  # None: no limit applies


def duration(seconds: float) -> str:
    """A short human duration: ``45 s``, ``7 min 30 s``, ``2 h 5 min``, ``1 d 3 h``."""
    seconds = math.ceil(seconds)
    if seconds < 60:
        return f'{seconds} s'
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f'{minutes} min' + (f' {secs} s' if secs else '')
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f'{hours} h' + (f' {minutes} min' if minutes else '')
    days, hours = divmod(hours, 24)
    return f'{days} d' + (f' {hours} h' if hours else '')


def email_ratelimit(userinfo: dict) -> RateLimit | None:
    """The email rate limit that applies to the account described by *userinfo*.

    The key is ``emailuser`` up to MediaWiki 1.40 and ``sendemail`` from 1.41.
    As MediaWiki does, the most permissive of the per-user and per-group limits
    applies, unless the account is a newbie; ``noratelimit`` exempts.
    """
    if 'noratelimit' in userinfo.get('rights', []):
        return None
    limits = userinfo.get('ratelimits') or {}
    entries = limits.get('sendemail') or limits.get('emailuser') or {}
    if not entries:
        return None
    if 'newbie' in entries:
        chosen = entries['newbie']
    else:
        candidates = [
            v
            for k, v in entries.items()
            if k not in ('ip', 'subnet', 'ip-all', 'subnet-all', 'anon')
        ]
        if not candidates:
            candidates = list(entries.values())
        chosen = max(candidates, key=lambda v: v['hits'] / v['seconds'])
    return RateLimit(int(chosen['hits']), int(chosen['seconds']))


def account_problem(userinfo: dict, blocks: list[dict], sitename: str) -> str | None:
    """The sentence that explains why this account cannot send email, or None."""
    name = userinfo.get('name', '')
    if 'anon' in userinfo or not userinfo.get('id'):
        return (
            f'You are not logged in to {sitename}: set your user name in user-config.py '
            'and log in with "pwb login" before sending email.'
        )
    if 'sendemail' not in userinfo.get('rights', []):
        return (
            f'The account {name} may not send email on {sitename} (it lacks the '
            '"sendemail" right); if you log in with a bot password, grant it '
            '"Send email to other users" on Special:BotPasswords.'
        )
    # MediaWiki 1.39 tells only through list=blocks; later ones also in blockinfo.
    flags = [b.get('noemail') for b in blocks] + [userinfo.get('blockemail')]
    if any(flag or flag == '' for flag in flags):
        return (
            f'The account {name} is blocked from sending email on {sitename}: ask an '
            'administrator of the wiki to lift the email block.'
        )
    if not userinfo.get('email'):
        return (
            f'The account {name} has no email address on {sitename}: set and confirm '
            'one in Special:Preferences, since replies go to that address.'
        )
    return None


def check_account(site) -> Account:
    """Log in and check that the account may send email.

    :raises PreflightError: with one sentence saying what is wrong and what to do
    """
    from pywikibot.exceptions import Error as PywikibotError

    sitename = site.siteinfo['sitename']
    try:
        site.login()
    except PywikibotError as e:
        raise PreflightError(
            f'Logging in to {sitename} failed ({e}): check the user name '
            'and password in your Pywikibot configuration.'
        ) from None
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
        ratelimit=email_ratelimit(userinfo),
    )


def estimate_seconds(count: int, put_throttle: float, limit: RateLimit | None) -> float:
    """How long sending *count* emails takes at the put throttle and the rate limit."""
    if count <= 0:
        return 0.0
    paced = (count - 1) * put_throttle
    if limit is None or count <= limit.hits:
        return paced
    # Each further window of the limit lets `hits` more through.
    windows = math.ceil(count / limit.hits) - 1
    return max(paced, windows * limit.seconds)
