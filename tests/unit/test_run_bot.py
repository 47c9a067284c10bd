"""run.bot: whether a run records in the journal, without a wiki."""

from __future__ import annotations

from types import SimpleNamespace

from pywikibot import config

from emailuserlib.plan.budget import Budget
from emailuserlib.run.bot import EmailUserBot
from fakes.campaign import campaign


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
