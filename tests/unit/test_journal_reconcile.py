"""-after:CAMPAIGN -afterdays:N decided from a real journal: who qualifies, who is left out."""

from __future__ import annotations

import time

import pytest

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.core.errors import EmailUserError
from emailuserlib.journal.reconcile import _after
from emailuserlib.journal.schema import State
from emailuserlib.journal.store import Journal
from emailuserlib.options.table import from_caller

WIKI = '//wiki.test wikiid'
DAY = 86400
DELIVERS = (Status.EMAILABLE, Status.NOT_EMAILABLE)


@pytest.fixture
def journal(tmp_path):
    """A journal whose campaign "First notice" reached Ann 30 days ago and Bob 3 days ago."""
    journal = Journal(tmp_path / 'journal.sqlite3', lock=True)
    journal.open_campaign(WIKI, 'First notice', 'fp')
    journal.for_run('Sender', WIKI)
    ann, bob = Recipient('Ann', userid=1), Recipient('Bob', userid=2)
    journal.record(ann, State.SENT, Status.SENT)
    journal.record_talk(bob, 'posted')  # reached by the talk page only
    journal.db.execute(
        'UPDATE recipient SET reached = ? WHERE userid = 1', (time.time() - 30 * DAY,)
    )
    journal.db.execute(
        'UPDATE recipient SET reached = ? WHERE userid = 2', (time.time() - 3 * DAY,)
    )
    journal.open_campaign(WIKI, 'Second notice', 'fp2', create=False)
    yield journal
    journal.close()


def run(journal, **options):
    settings, _ = from_caller(options)
    people = (
        Recipient('Ann', Status.EMAILABLE, userid=1),
        Recipient('Bob', Status.NOT_EMAILABLE, userid=2),
        Recipient('Cy', Status.EMAILABLE, userid=3),
        Recipient('Dee', Status.ALREADY_SENT, userid=4),
    )
    return _after(journal, WIKI, people, settings, DELIVERS)


def test_only_those_the_named_campaign_reached_long_enough_ago_qualify(journal):
    found, line, ids = run(journal, after='first  NOTICE', afterdays=25)
    assert {r.name: (r.status, r.detail) for r in found} == {
        'Ann': (Status.EMAILABLE, ''),
        'Bob': (
            Status.LEFT_OUT,
            'reached by "First notice" on '
            + time.strftime('%Y-%m-%d', time.gmtime(time.time() - 3 * DAY))
            + ', less than 25 days ago',
        ),
        'Cy': (Status.LEFT_OUT, 'not reached by "First notice"'),
        'Dee': (Status.ALREADY_SENT, ''),  # this campaign's own: as the journal says
    }
    assert line == (
        '  After the campaign "First notice" (-after:): it reached 2, 1 of them at least 25 '
        'days ago; 1 of those are recipients of this run.'
    )
    assert len(ids) == 1


def test_afterdays_0_takes_everyone_it_reached(journal):
    found, _, _ = run(journal, after='First notice')
    assert [r.name for r in found if r.status != Status.LEFT_OUT] == ['Ann', 'Bob', 'Dee']


def test_a_campaign_the_journal_does_not_hold_is_refused_naming_those_it_holds(journal):
    with pytest.raises(EmailUserError) as e:
        run(journal, after='Frist notice')
    assert "(it holds 'First notice')" in str(e.value)
    assert str(e.value).startswith('-after:Frist notice is no campaign of the journal ')
