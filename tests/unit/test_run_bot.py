"""run.bot: whether a run records in the journal, without a wiki."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from pywikibot import config

from emailuserlib.journal.answer import Answer
from emailuserlib.message.template import Message
from emailuserlib.options.settings import Settings
from emailuserlib.plan.budget import Budget
from emailuserlib.plan.campaign import Campaign
from emailuserlib.run.bot import EmailUserBot
from emailuserlib.wiki.account import Account


def campaign(subject='Hello {username}', body='Your team: {team}.', **fields) -> Campaign:
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


def test_a_run_records_only_with_a_journal_and_without_simulate(monkeypatch):
    kept = SimpleNamespace(close=lambda: None)
    budget = Budget([])

    def records(journal) -> bool:
        return EmailUserBot(campaign(), journal, budget).records

    monkeypatch.setattr(config, 'simulate', False)
    assert not records(None)
    assert records(kept)
    monkeypatch.setattr(config, 'simulate', True)
    assert not records(kept)
