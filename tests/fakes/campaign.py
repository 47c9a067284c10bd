"""A campaign with no wiki behind it, for what a campaign and the bot decide alone."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from emailuserlib.journal.answer import Answer
from emailuserlib.message.template import Message
from emailuserlib.options.settings import Settings
from emailuserlib.plan.campaign import Campaign
from emailuserlib.wiki.account import Account


def campaign(subject='Hello {username}', body='Your team: {team}.', **fields) -> Campaign:
    """A campaign of *subject* and *body* (with the column team), as Sender on Testwiki."""
    site = SimpleNamespace(siteinfo={'sitename': 'Testwiki'}, _relogin=None)
    mail = Message(subject, body, ('team',))
    return Campaign(
        site,
        fields.pop('settings', Settings()),
        mail,
        Account('Sender', 'sender@example.org', True),
        recipients=(),
        journal=Answer(Path('journal.sqlite3'), subject, 'fp'),
        limits=(),
        wiki='testwiki',
        **fields,
    )
