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
