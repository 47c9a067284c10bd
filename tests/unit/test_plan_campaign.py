"""plan.campaign: the email a recipient gets and whom a run delivers to, without a wiki."""

from __future__ import annotations

import pytest

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.options.settings import Fallback, Settings
from emailuserlib.plan.campaign import DELIVERS, DELIVERS_WITH_TALK, delivers
from fakes.campaign import campaign


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
