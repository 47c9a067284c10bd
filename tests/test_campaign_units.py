"""Campaign's answers (the email a recipient gets, whether this run delivers to them,
whether it records) and the one error class the script translates, without a wiki."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pywikibot import config

from emailuserlib import (
    errors,
    journal,
    message,
    namelist,
    options,
    preflight,
    report,
    sources,
)
from emailuserlib.outcomes import EXIT_ERROR, EXIT_PENDING, Status
from emailuserlib.prepare import DELIVERS, DELIVERS_WITH_TALK, Campaign, delivers
from emailuserlib.recipients import Recipient


def campaign(subject='Hello {username}', body='Your team: {team}.', **fields) -> Campaign:
    site = SimpleNamespace(siteinfo={'sitename': 'Testwiki'})
    mail = message.Message(subject, body, ('team',))
    return Campaign(site, mail, account=None, recipients=[], sender=None, **fields)


def test_each_recipient_gets_the_email_with_their_own_values():
    run = campaign(body='{sitename} says: your team is {team}.')
    ann = Recipient('Ann', Status.EMAILABLE, values={'team': 'Red'})
    bob = Recipient('Bob', Status.EMAILABLE, values={'team': 'Blue'})
    assert run.email_for(ann) == ('Hello Ann', 'Testwiki says: your team is Red.')
    assert run.email_for(bob) == ('Hello Bob', 'Testwiki says: your team is Blue.')


@pytest.mark.parametrize(
    ('fallback', 'deliverable'),
    [
        ('', {Status.EMAILABLE}),
        ('talk', {Status.EMAILABLE, Status.NOT_EMAILABLE}),
    ],
)
def test_a_run_delivers_to_the_emailable_and_with_fallback_talk_to_the_rest(fallback, deliverable):
    run = campaign(delivers=delivers(SimpleNamespace(fallback=fallback)))
    for status in Status:
        assert run.deliverable(Recipient('Ann', status)) == (status in deliverable), status


def test_the_statuses_delivered_to_are_said_once():
    assert DELIVERS == (Status.EMAILABLE,)
    assert set(DELIVERS_WITH_TALK) == {Status.EMAILABLE, Status.NOT_EMAILABLE}
    assert campaign().delivers == DELIVERS


def test_a_run_records_only_with_a_journal_and_without_simulate(monkeypatch):
    kept = SimpleNamespace(close=lambda: None)
    monkeypatch.setattr(config, 'simulate', False)
    assert not campaign().records
    assert campaign(journal=kept).records
    monkeypatch.setattr(config, 'simulate', True)
    assert not campaign(journal=kept).records


@pytest.mark.parametrize(
    'cls',
    [
        errors.Refusal,
        errors.InputError,
        options.OptionError,
        message.MessageError,
        namelist.NameListError,
        report.ReportError,
        sources.SourceError,
        preflight.PreflightError,
        journal.JournalError,
    ],
)
def test_every_error_for_the_operator_is_one_class_with_an_exit_status(cls):
    error = cls('The file x.csv does not exist: check the path given with -users:.')
    assert isinstance(error, errors.EmailUserError)
    assert error.status == EXIT_ERROR
    assert str(error) == 'The file x.csv does not exist: check the path given with -users:.'


def test_a_refusal_carries_the_exit_status_it_is_given():
    assert errors.Refusal('The wiki cannot be reached.', EXIT_PENDING).status == EXIT_PENDING
    assert errors.Refusal('x').status == EXIT_ERROR
    # Not a class attribute changed for everyone.
    assert errors.EmailUserError.status == EXIT_ERROR
