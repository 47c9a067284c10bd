"""Operator sentences that more than one part of the script says, each written once."""

from __future__ import annotations


def login_failed(sitename: str, error: object, anonymous_hint: bool = False) -> str:
    hint = ', or remove the user name to check anonymously' if anonymous_hint else ''
    return (
        f'Logging in to {sitename} failed ({error}): check the user name and password '
        f'in your Pywikibot configuration{hint}.'
    )


def login_lost(sitename: str, account: str, error: object) -> str:
    return (
        f'Logging in to {sitename} again failed after the wiki ended the session of '
        f'{account} ({error}): its password or bot password no longer works, so a later run '
        'would fail the same way; fix the password file (password_file in user-config.py) '
        'or the bot password on Special:BotPasswords, then run the same command again.'
    )


def blocked_from_email(account: str, where: str = '') -> str:
    return (
        f'The account {account} is blocked from sending email{where}: ask an '
        'administrator of the wiki to lift the email block.'
    )


def lacks_right(account: str, where: str = '', info: str = '') -> str:
    said = f' (it says "{info}")' if info else ' (it lacks the "sendemail" right)'
    return (
        f'The account {account} may not send email{where}{said}: it needs the "sendemail" '
        'right, or with a bot password the "Send email to other users" grant on '
        'Special:BotPasswords.'
    )


def wiki_unreachable(sitename: str, error: object) -> str:
    return (
        f'{sitename} cannot be reached ({error}): check the network and the wiki, then '
        'run the same command again.'
    )


#: Why a subject of placeholders only needs -campaign:, after the subject as given.
UNNAMED_CAMPAIGN = (
    'has no words besides placeholders, so it cannot name the campaign in the journal '
    '(every mailing written so would be one campaign, and a new one would reach nobody)'
)

#: The cause of a stop when nobody reads the output any more (``| head`` closed it).
CLOSED_OUTPUT = 'closed output'


def stopped(cause: str, doing: str = '', sending: bool = True) -> str:
    """The line of a run stopped by *cause* (``Ctrl-C``, ``SIGTERM``, :data:`CLOSED_OUTPUT`).

    *doing*: what the run was doing when it stopped before sending anything
    (``reading the journal``); '' for a run that was sending. *sending* is False for
    -check, which sends nothing anyway.
    """
    by = 'as its output was closed' if cause == CLOSED_OUTPUT else f'by {cause}'
    if not doing:
        return f'Stopped {by}: run the same command again to go on.'
    before = ', before anything was sent' if sending else ''
    return f'Stopped {by} while {doing}{before}: run the same command again.'


def deadline_passed(deadline: str, reached: int | None = None) -> str:
    """The line of a campaign whose -deadline: (*deadline*, as words) has passed;
    *reached*: how many it had reached before (None: not counted)."""
    before = f' ({reached} were reached before it)' if reached else ' (-deadline:)'
    return f'The deadline of this campaign, {deadline}, has passed: nothing more is sent{before}.'


def limit_past_deadline(wait: str, deadline: str, left: int | None = None) -> str:
    """The line of a campaign whose next email the account's limit lets go only after
    its -deadline:; *wait* and *deadline* as words, *left*: how many are not emailed."""
    unsent = ''
    if left is not None:
        unsent = f', and {left} {"recipients are" if left != 1 else "recipient is"} not emailed'
    return (
        f"The account's email limit lets the next email go only in {wait}, after the "
        f'deadline of this campaign, {deadline}: nothing more is sent{unsent} (-deadline:).'
    )


def journal_link(path) -> str:
    """The refusal of a journal path that is a symbolic link (existing or not)."""
    return (
        f'The journal {path} is a symbolic link: give the real file with -journal:, so that '
        'nobody can redirect it.'
    )
