"""The send, and what the wiki's answer means: at most one email per POST, never a blind retry.

The ``action=emailuser`` POST does not go through Pywikibot's request loop,
which repeats a request after a timeout, a 5xx answer or a garbled page: each
repetition can mail the recipient again, because the wiki may have sent the
mail before its answer was lost. Here the POST is repeated only when the
answer proves that the wiki did not act: the connection could not be opened,
or the API refused before sending (``maxlag``, ``badtoken``, a lost session).
Every other answer that is not a clear ``Success`` or refusal makes the
recipient *uncertain*: the mail may or may not have gone out. A ``Failure``
result is uncertain too: MediaWiki may have sent the recipient's mail and then
failed on the copy to the sender, or in a hook after sending.

Reads (tokens, user info) keep Pywikibot's retries: repeating them is harmless.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from pywikibot import config
from pywikibot.comms import http
from pywikibot.exceptions import Error as PywikibotError

from ..core import sentences
from ..core.accounts import Status
from ..core.errors import EXIT_ERROR, EXIT_PENDING, NotSent, RateLimited, SenderRefused
from .site import UNREACHABLE

# Refusals that concern only this recipient: skipped for good.
RECIPIENT_ERRORS = {
    'notarget': Status.NO_SUCH_USER,
    'emailnotarget': Status.NO_SUCH_USER,
    'baduser_target': Status.NO_SUCH_USER,
    'noemail': Status.NOT_EMAILABLE,
    'noemailtext': Status.NOT_EMAILABLE,
    # MediaWiki gives one code for three causes.
    'nowikiemail': Status.NOT_EMAILABLE,
    'nowikiemailtext': Status.NOT_EMAILABLE,
}
NOWIKIEMAIL_MEANS = (
    'the user takes no email from other users, from new accounts, or from this account'
)

# Refusals of the sender: every further send would fail the same way.
_NO_ADDRESS = (
    'The wiki refuses to let {account} send email (it says "{info}"): check that the '
    'account is logged in and has a confirmed email address in Special:Preferences.'
)
SENDER_ERRORS = {
    'cantsend': _NO_ADDRESS,
    'mailnologin': _NO_ADDRESS,
    'blockedfrommail': sentences.blocked_from_email('{account}'),
    'blockedemailuser': sentences.blocked_from_email('{account}'),
    'blocked': 'The account {account} is blocked: ask an administrator of the wiki to '
    'lift the block.',
    'autoblocked': 'The IP address of this machine is blocked on the wiki (autoblock): ask '
    'an administrator of the wiki to lift it.',
    'badaccess': sentences.lacks_right('{account}', info='{info}'),
    'permissiondenied': sentences.lacks_right('{account}', info='{info}'),
    'usermaildisabled': 'Email between users is disabled on this wiki: nothing can be sent '
    'with this script there.',
    'readonly': 'The wiki is read-only for now (it says "{info}"): run the same command '
    'again later.',
}
# Sender refusals that pass by themselves: the run stops with recipients left.
TEMPORARY_SENDER_ERRORS = {'readonly'}

# Answers that prove the wiki did not act, and how often to try again.
SESSION_ERRORS = {'assertuserfailed', 'assertnameduserfailed'}
ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """What became of one recipient: a status and its detail, kept apart."""

    status: Status
    detail: str = ''


def api_error(data: dict) -> tuple[str, str] | None:
    """The (code, text) of an API error answer, in either error format, or None."""
    if isinstance(data.get('error'), dict):
        error = data['error']
        return str(error.get('code', '')), str(error.get('info', ''))
    errors = data.get('errors')
    if isinstance(errors, list) and errors and 'emailuser' not in data:
        first = errors[0]
        return str(first.get('code', '')), str(first.get('text') or first.get('*') or '')
    return None


def interpret_error(code: str, info: str, account: str) -> Outcome:
    """The outcome of an API error, or raise for errors that stop the run."""
    if code == 'ratelimited':
        raise RateLimited(info)
    if code in RECIPIENT_ERRORS:
        status = RECIPIENT_ERRORS[code]
        detail = f'{code}: {NOWIKIEMAIL_MEANS}' if code.startswith('nowikiemail') else code
        return Outcome(status, detail)
    if code in SENDER_ERRORS:
        sentence = SENDER_ERRORS[code].format(account=account, info=info)
        status = EXIT_PENDING if code in TEMPORARY_SENDER_ERRORS else EXIT_ERROR
        raise SenderRefused(code, sentence, status)
    if code.startswith('internal_api_error'):
        # An exception inside the wiki: it may have come after the mail went out.
        return Outcome(Status.UNCERTAIN, f'the wiki failed with {code}: {info}'.rstrip(': '))
    return Outcome(Status.FAILED, f'{code}: {info}' if info else code)


def _error_texts(errors) -> list[str]:
    if isinstance(errors, dict):
        errors = [errors]
    texts = []
    for error in errors or []:
        code = error.get('code') or error.get('key') or error.get('message') or ''
        text = error.get('text') or error.get('html') or error.get('*') or ''
        if isinstance(text, dict):
            text = text.get('key', '')
        params = error.get('params') or []
        if not text and params:
            text = ' '.join(str(p) for p in params if not isinstance(p, (dict, list)))
        texts.append(f'{code}: {text}'.strip(': '))
    return texts


def interpret_result(data: dict) -> Outcome:
    """The outcome of an answer without an API error."""
    result = data.get('emailuser')
    if not isinstance(result, dict):
        return Outcome(Status.UNCERTAIN, 'the answer did not say whether the mail was sent')
    if result.get('result') == 'Success':
        return Outcome(Status.SENT)
    details = _error_texts(result.get('errors'))
    if result.get('message') and not details:
        details.append(str(result['message']))
    said = '; '.join(details) or f'result: {result.get("result", "none")}'
    # The recipient's mail may have gone out before the failure (the copy to
    # the sender, a hook): uncertain, never retried on its own.
    return Outcome(Status.UNCERTAIN, f'the wiki answered Failure: {said}')


def _connect_failed(error: Exception) -> bool:
    """True when *error* happened before the request could be written."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.ConnectionError):
        reason = getattr(error.args[0], 'reason', None) if error.args else None
        import urllib3.exceptions

        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


def _describe_error(error: Exception) -> str:
    if isinstance(error, requests.exceptions.Timeout):
        return 'no answer within the socket timeout'
    if isinstance(error, requests.exceptions.ConnectionError):
        return 'the connection broke before the answer came'
    return f'{type(error).__name__}: {error}'


def edit_params(site, title: str, summary: str, **fields: str) -> dict[str, str]:
    """The parameters of one ``action=edit`` of *title* as the logged-in user: *fields*
    say what it changes; never a minor edit; errors in plain text."""
    return {
        'action': 'edit',
        'title': title,
        **fields,
        'summary': summary,
        'notminor': '1',
        'format': 'json',
        'formatversion': '2',
        'errorformat': 'plaintext',
        'assert': 'user',
        'token': site.tokens['csrf'],
    }


def post_once(site, params: dict) -> dict | Outcome:
    """One POST; the JSON answer, or an Outcome when the answer is lost or garbled.

    :raises NotSent: the connection could not be opened
    """
    url = site.base_url(site.apipath())
    headers = {'user-agent': http.user_agent(site)}
    response = http.fetch(
        url, method='POST', data=params, headers=headers, default_error_handling=False
    )
    if isinstance(response, Exception):
        if _connect_failed(response):
            raise NotSent(f'no connection: {_describe_error(response)}')
        return Outcome(Status.UNCERTAIN, _describe_error(response))
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and (api_error(data) or response.status_code == 200):
        return data
    kind = 'an answer that is not the API' if response.ok else 'HTTP'
    return Outcome(Status.UNCERTAIN, f'the wiki gave {kind} {response.status_code}')


class Sender:
    """Sends the emails of one run through one site.

    :param ccme: the -ccme option as checked by :mod:`.options` (True: a copy
        of every email; ``first``; or false: none): with ``first``,
        the wiki copies the emails to the sender until one is sent (or may
        have been: an uncertain answer counts, so that no second copy comes)
    :param relogin: called once when the wiki says the session is lost; it
        logs in again or raises
    """

    def __init__(self, site, account: str, ccme: bool | str = False, relogin=None) -> None:
        self.site = site
        self.account = account
        self.ccme = 'first' if ccme == 'first' else 'all' if ccme else ''
        self.copied = False  # a copy went to the sender in this run (or may have)
        self.relogin = relogin

    def send(self, target: str, subject: str, text: str, ccme: bool | None = None) -> Outcome:
        """Email *target* once; the outcome, or raise when the run must stop.

        :param ccme: whether the sender gets a copy; None: as -ccme asks
        :raises RateLimited: the wiki's limit is reached; nothing was sent
        :raises SenderRefused: the wiki refuses the sender; nothing was sent
        :raises NotSent: the wiki cannot be reached or the session cannot be
            restored; nothing was sent
        """
        if ccme is None:
            ccme = self.ccme == 'all' or (self.ccme == 'first' and not self.copied)
        outcome = self._send(target, subject, text, ccme)
        if ccme and outcome.status in (Status.SENT, Status.SIMULATED, Status.UNCERTAIN):
            self.copied = True
        return outcome

    def _send(self, target: str, subject: str, text: str, ccme: bool) -> Outcome:
        if config.simulate:
            return Outcome(Status.SIMULATED)
        self.site.throttle(write=True)
        relogged = False
        for attempt in range(1, ATTEMPTS + 1):
            params = self._params(target, subject, text, ccme)
            try:
                answer = post_once(self.site, params)
            except NotSent:
                if attempt == ATTEMPTS:
                    raise
                time.sleep(min(config.retry_wait * attempt, config.retry_max))
                continue
            if isinstance(answer, Outcome):
                return answer
            error = api_error(answer)
            if error is None:
                return interpret_result(answer)
            code, info = error
            if code == 'badtoken' and attempt < ATTEMPTS:
                self.site.tokens.clear()
                continue
            if code == 'maxlag':
                if attempt == ATTEMPTS:
                    raise NotSent(f'the wiki is lagged and refuses writes for now ({info})')
                time.sleep(min(config.retry_wait * attempt, config.retry_max))
                continue
            if code in SESSION_ERRORS:
                if relogged or self.relogin is None:
                    raise NotSent(f'the session was lost ({code}) and logging in again failed')
                relogged = True
                try:
                    self.relogin()
                except UNREACHABLE as e:
                    raise NotSent(f'the session was lost and logging in again failed: {e}') from e
                except (PywikibotError, ValueError, OSError) as e:
                    # The credentials no longer work: a later run would fail the same way.
                    raise SenderRefused('login', self._login_lost(e)) from e
                continue
            return interpret_error(code, info, self.account)
        raise NotSent(f'the session was lost again after logging in ({code})')

    def _login_lost(self, error: Exception) -> str:
        try:
            sitename = self.site.siteinfo['sitename']
        except Exception:  # the sentence matters more than the wiki's own name
            sitename = str(self.site)
        return sentences.login_lost(sitename, self.account, error)

    def ready(self) -> None:
        """Fetch the token now, so that a send finds it (a read, retried by Pywikibot)."""
        if not config.simulate:
            self.site.tokens['csrf']

    def _params(self, target: str, subject: str, text: str, ccme: bool) -> dict:
        params = {
            'action': 'emailuser',
            'target': target,
            'subject': subject,
            'text': text,
            'format': 'json',
            'formatversion': '2',
            'errorformat': 'plaintext',
            'assert': 'user',
            'token': self.site.tokens['csrf'],
        }
        if ccme:
            params['ccme'] = '1'
        # Renamed in Pywikibot 11.8.
        maxlag = getattr(config, 'write_maxlag', None) or getattr(config, 'maxlag', None)
        if maxlag:
            params['maxlag'] = str(maxlag)
        return params
