"""May this account send email at all: checked before anything is sent.

One ``meta=userinfo`` request (with ``list=blocks``, since MediaWiki 1.39's
block info does not say whether a block covers email) answers every question;
each problem is reported as one sentence that names the cause and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pywikibot.exceptions import Error as PywikibotError

from ..core import sentences
from ..core.errors import EmailUserError
from .site import UNREACHABLE


@dataclass(frozen=True)
class Account:
    """What the preflight learnt about the sending account."""

    name: str
    email: str | None
    confirmed: bool
    rights: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    #: The wiki's ``meta=userinfo`` answer, for the limits it reports.
    userinfo: dict = field(default_factory=dict, compare=False)
    userid: int = 0
    #: The account's ids by central-id provider (``uiprop=centralids``).
    centralids: dict = field(default_factory=dict, compare=False)
    #: Whether it is attached to the global account of each provider (``attachedlocal``).
    attached: dict = field(default_factory=dict, compare=False)

    def central_id(self, provider: str) -> int | None:
        """The account's central id under *provider*, where it is attached to a global
        account there; else None."""
        if not provider or not self.attached.get(provider):
            return None
        return int(self.centralids.get(provider) or 0) or None


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


def log_in(site, anonymous_hint: bool = False) -> None:
    """Log in to *site* with the account of the configuration.

    :raises EmailUserError: the login failed; the sentence says what to check
    """
    try:
        site.login()
    except UNREACHABLE:
        raise
    except PywikibotError as e:
        sitename = site.siteinfo['sitename']
        raise EmailUserError(sentences.login_failed(sitename, e, anonymous_hint)) from None


def check_account(site) -> Account:
    """Log in and check that the account may send email.

    :raises EmailUserError: with one sentence saying what is wrong and what to do
    """
    sitename = site.siteinfo['sitename']
    log_in(site)
    username = site.username() or ''
    params = {
        'action': 'query',
        'meta': 'userinfo',
        'formatversion': 2,
        'uiprop': ['email', 'rights', 'groups', 'blockinfo', 'ratelimits', 'centralids'],
    }
    if username:
        params.update(list='blocks', bkusers=username, bkprop='flags')
    query = site.simple_request(**params).submit()['query']
    userinfo = query['userinfo']
    problem = account_problem(userinfo, query.get('blocks', []), sitename)
    if problem:
        raise EmailUserError(problem)
    return Account(
        name=userinfo['name'],
        email=userinfo.get('email'),
        confirmed=bool(userinfo.get('emailauthenticated')),
        rights=frozenset(userinfo.get('rights', [])),
        groups=frozenset(userinfo.get('groups', [])),
        userinfo=userinfo,
        userid=int(userinfo.get('id') or 0),
        centralids=dict(userinfo.get('centralids') or {}),
        attached=dict(userinfo.get('attachedlocal') or {}),
    )


def sender_central(site, provider: str) -> int | None:
    """The logged-in account's central id under *provider*, where it is attached to a
    global account there; one request, for ``-check``, which checks no account."""
    if not provider:
        return None
    userinfo = site.simple_request(
        action='query', meta='userinfo', uiprop='centralids', formatversion=2
    ).submit()['query']['userinfo']
    account = Account(
        userinfo.get('name', ''),
        None,
        False,
        centralids=dict(userinfo.get('centralids') or {}),
        attached=dict(userinfo.get('attachedlocal') or {}),
    )
    return account.central_id(provider)


def new_sender_warning(account: Account, sitename: str) -> str | None:
    """The warning for an account that is not autoconfirmed yet, or None.

    MediaWiki lets users refuse email from new accounts (the preference
    ``email-allow-new-users``): the wiki refuses those at the send, and
    ``list=users`` cannot show it beforehand. "New" is the lack of the
    ``autoconfirmed`` right, as MediaWiki's own check has it.
    """
    if 'autoconfirmed' in account.rights:
        return None
    return (
        f'The account {account.name} is not autoconfirmed on {sitename} yet, so users who '
        'accept no email from new accounts will refuse this mail (a preference the check '
        'cannot see): send from an established account, or once this one is autoconfirmed.'
    )
