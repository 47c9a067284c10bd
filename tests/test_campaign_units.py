"""Campaign's answers (the email a recipient gets, whether this run delivers to them,
whether it records) and the one error class the script translates, without a wiki."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from pywikibot import config

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.core.errors import (
    EXIT_ERROR,
    EXIT_PENDING,
    EmailUserError,
    JournalError,
    OptionError,
    SenderRefused,
)
from emailuserlib.journal.answer import Answer
from emailuserlib.message.template import Message
from emailuserlib.options.settings import Fallback, Settings
from emailuserlib.plan.budget import Budget
from emailuserlib.plan.campaign import DELIVERS, DELIVERS_WITH_TALK, Campaign, delivers
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


def test_each_recipient_gets_the_email_with_their_own_values():
    run = campaign(body='{sitename} says: your team is {team}.')
    ann = Recipient('Ann', Status.EMAILABLE, values={'team': 'Red'})
    bob = Recipient('Bob', Status.EMAILABLE, values={'team': 'Blue'})
    assert run.email_for(ann) == ('Hello Ann', 'Testwiki says: your team is Red.')
    assert run.email_for(bob) == ('Hello Bob', 'Testwiki says: your team is Blue.')


@pytest.mark.parametrize(
    ('fallback', 'deliverable'),
    [
        (Fallback.NONE, {Status.EMAILABLE}),
        (Fallback.TALK, {Status.EMAILABLE, Status.NOT_EMAILABLE}),
    ],
)
def test_a_run_delivers_to_the_emailable_and_with_fallback_talk_to_the_rest(fallback, deliverable):
    run = campaign(settings=Settings(fallback=fallback))
    for status in Status:
        assert run.deliverable(Recipient('Ann', status)) == (status in deliverable), status


def test_the_statuses_delivered_to_are_said_once():
    assert DELIVERS == (Status.EMAILABLE,)
    assert set(DELIVERS_WITH_TALK) == {Status.EMAILABLE, Status.NOT_EMAILABLE}
    assert campaign().delivers == DELIVERS == delivers(Settings())
    assert delivers(Settings(fallback=Fallback.TALK)) == DELIVERS_WITH_TALK


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


@pytest.mark.parametrize(
    'cls',
    [
        EmailUserError,
        OptionError,
        JournalError,
        lambda sentence: SenderRefused('mailnologin', sentence),
    ],
)
def test_every_error_for_the_operator_is_one_class_with_an_exit_status(cls):
    error = cls('The file x.csv does not exist: check the path given with -users:.')
    assert isinstance(error, EmailUserError)
    assert error.status == EXIT_ERROR
    assert str(error) == 'The file x.csv does not exist: check the path given with -users:.'


def test_a_refusal_carries_the_exit_status_it_is_given():
    assert EmailUserError('The wiki cannot be reached.', EXIT_PENDING).status == EXIT_PENDING
    assert EmailUserError('x').status == EXIT_ERROR
    # Not a class attribute changed for everyone.
    assert EmailUserError.status == EXIT_ERROR
