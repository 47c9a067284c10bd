"""The send, and what happens when the wiki says no.

One POST ``action=emailuser`` per recipient, through Pywikibot's request
machinery: ``-simulate`` blocks it, ``put_throttle`` paces it, and bad tokens,
``maxlag`` and HTTP errors are retried there. What the wiki answers is mapped
here to one of three things: the recipient's outcome (sent, or skipped for a
reason of the recipient's), a refusal of the sender (the run stops), or the
wiki's rate limit (the run stops or waits).
"""

from __future__ import annotations

from dataclasses import dataclass

from pywikibot import config
from pywikibot.data.api import Request
from pywikibot.exceptions import APIError, FatalServerError, ServerError

try:  # Pywikibot 11.5 renamed it
    from pywikibot.exceptions import ApiTimeoutError
except ImportError:  # pragma: no cover
    from pywikibot.exceptions import TimeoutError as ApiTimeoutError

SENT = 'sent'
SIMULATED = 'simulated'
FAILED = 'failed'

# Refusals that concern only this recipient: skip them and go on.
RECIPIENT_ERRORS = {
    'notarget': 'no-such-user',
    'emailnotarget': 'no-such-user',
    'baduser_target': 'no-such-user',
    'noemail': 'not-emailable',
    'noemailtext': 'not-emailable',
    # Opted out, takes no mail from new users, or muted the sender: one status.
    'nowikiemail': 'not-emailable',
    'nowikiemailtext': 'not-emailable',
}

# Refusals of the sender: every further send would fail the same way.
_NO_ADDRESS = (
    'The wiki refuses to let {account} send email (it says "{info}"): check that the '
    'account is logged in and has a confirmed email address in Special:Preferences.'
)
_EMAIL_BLOCK = (
    'The account {account} is blocked from sending email: ask an administrator of the '
    'wiki to lift the email block.'
)
_NO_RIGHT = (
    'The account {account} may not send email (it says "{info}"): it needs the '
    '"sendemail" right, or with a bot password the "Send email to other users" grant.'
)
SENDER_ERRORS = {
    'cantsend': _NO_ADDRESS,
    'mailnologin': _NO_ADDRESS,
    'blockedfrommail': _EMAIL_BLOCK,
    'blockedemailuser': _EMAIL_BLOCK,
    'blocked': 'The account {account} is blocked: ask an administrator of the wiki to '
    'lift the block.',
    'autoblocked': 'The IP address of this machine is blocked on the wiki (autoblock): ask '
    'an administrator of the wiki to lift it.',
    'badaccess': _NO_RIGHT,
    'permissiondenied': _NO_RIGHT,
    'usermaildisabled': 'Email between users is disabled on this wiki: nothing can be sent '
    'with this script there.',
    'readonly': 'The wiki is read-only for now (it says "{info}"): run again later.',
}


class SenderRefused(Exception):
    """The wiki refuses this sender; the text says why and what to do."""

    def __init__(self, code: str, sentence: str) -> None:
        super().__init__(sentence)
        self.code = code


class RateLimited(Exception):
    """The wiki's email rate limit for this account is reached."""


class WikiUnreachable(Exception):
    """The wiki did not answer, even after Pywikibot's retries."""


@dataclass(frozen=True)
class Outcome:
    """What became of one recipient: a report status and its detail."""

    status: str
    detail: str = ''


def interpret_error(code: str, info: str, account: str) -> Outcome:
    """The outcome of an API error, or raise for errors that stop the run."""
    if code == 'ratelimited':
        raise RateLimited(info)
    if code in RECIPIENT_ERRORS:
        return Outcome(RECIPIENT_ERRORS[code], code)
    if code in SENDER_ERRORS:
        raise SenderRefused(code, SENDER_ERRORS[code].format(account=account, info=info))
    return Outcome(FAILED, f'{code}: {info}' if info else code)


def interpret_result(data: dict, simulated: bool = False) -> Outcome:
    """The outcome of a response without an API error."""
    result = data.get('emailuser', {})
    if result.get('result') == 'Success':
        return Outcome(SIMULATED if simulated else SENT)
    errors = result.get('errors') or []
    if isinstance(errors, dict):
        errors = [errors]
    details = []
    for error in errors:
        code = error.get('code') or error.get('key') or ''
        text = error.get('text') or error.get('html') or error.get('message') or ''
        if isinstance(text, dict):
            text = text.get('key', '')
        details.append(f'{code}: {text}'.strip(': '))
    message = result.get('message')
    if message and not details:
        details.append(str(message))
    return Outcome(FAILED, '; '.join(details) or f'result: {result.get("result", "none")}')


class EmailRequest(Request):
    """A Request that reports the rate limit instead of sleeping on it.

    Pywikibot would sleep and retry for about half an hour and then raise,
    while an email limit resets only after its window, often a day.
    """

    def _ratelimited(self) -> None:
        raise RateLimited('ratelimited')


def send(
    site, target: str, subject: str, text: str, *, ccme: bool = False, account: str = ''
) -> Outcome:
    """Email *target* once; return the outcome or raise for stop conditions.

    :raises RateLimited: the wiki's limit is reached; nothing was sent
    :raises SenderRefused: the wiki refuses the sender; nothing was sent
    :raises WikiUnreachable: no answer from the wiki; the mail may or may not be sent
    """
    params = {
        'action': 'emailuser',
        'target': target,
        'subject': subject,
        'text': text,
        'token': site.tokens['csrf'],
    }
    if ccme:
        params['ccme'] = True
    try:
        data = EmailRequest(site=site, parameters=params).submit()
    except APIError as e:
        return interpret_error(e.code, e.info, account)
    except (ServerError, FatalServerError, ApiTimeoutError, ConnectionError) as e:
        raise WikiUnreachable(str(e)) from e
    return interpret_result(data, simulated=bool(config.simulate))
