"""One campaign on many wikis, decided from the journal alone: who is reached where, who
opted out where, and which runs may match people by central id at all."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from emailuserlib.core.accounts import Central, Recipient, Status
from emailuserlib.core.errors import EmailUserError
from emailuserlib.journal import reconcile as reconcile_module
from emailuserlib.journal.reconcile import _after, _applied, _refuse_another_domain, day, where
from emailuserlib.journal.schema import State
from emailuserlib.journal.store import Journal, finder, fingerprint
from emailuserlib.options.table import from_caller

A = '//a.example.org/w awiki'
B = '//b.example.org/w bwiki'
C = '//c.example.org/w cwiki'
FP = fingerprint('Hi', 'Body', False)
SENDER = Central('CentralAuth', 900, 'Sender', locks=True)


def person(name, userid, centralid=None, status=Status.EMAILABLE, detail=''):
    return Recipient(
        name,
        status,
        detail,
        userid=userid,
        registered=f'2020-01-{userid:02d}T00:00:00Z',
        centralid=centralid,
    )


def journal_on(path: Path, wiki: str, central: Central | None = SENDER, name='Meetup'):
    journal = Journal(path)
    journal.open_campaign(wiki, name, FP)
    journal.for_run(central.account if central else 'Sender', wiki)
    if central and central.domain:
        journal.claim_domain(central.provider, central.sender, central.account)
    return journal


def seen_on(journal: Journal, wiki: str, recipients, central: Central = SENDER):
    """*recipients* as a run on *wiki* would see them."""
    journal.open_campaign(wiki, journal.campaign_name, FP, create=False)
    entry_of = finder(journal.states())
    ids = [r.centralid for r in recipients if r.centralid]
    elsewhere = journal.elsewhere(wiki, central.domain, ids) if central.domain else {}
    return {r.name: _applied(r, entry_of(r), elsewhere.get(r.centralid), wiki) for r in recipients}


@pytest.fixture
def path(tmp_path):
    return tmp_path / 'journal.sqlite3'


def test_reached_and_opted_out_on_one_wiki_count_on_another_by_central_id(path):
    on_a = journal_on(path, A)
    ann, ben, cleo = person('Ann', 1, 501), person('Ben', 2, 502), person('Cleo', 3, 503)
    on_a.plan([ann, ben])
    on_a.record(ann, State.SENT, 'sent')
    on_a.record(ben, State.POSTED, 'posted')
    on_a.note_optouts([person('Cleo', 3, 503, Status.OPTED_OUT, 'in Category:No mail')])
    on_a.close()

    on_b = journal_on(path, B)
    today = day(time.time())
    # Other local ids on b, the same central ids.
    seen = seen_on(on_b, B, [person('Ann', 7, 501), person('Ben', 8, 502), person('Cleo', 9, 503)])
    assert (seen['Ann'].status, seen['Ann'].detail) == ('already-sent', f'on awiki, {today}')
    assert seen['Ben'].detail == f'talk page post on awiki, {today}'
    assert (seen['Cleo'].status, seen['Cleo'].detail) == (
        'opted-out',
        'on awiki, in Category:No mail',
    )
    # Without a central id (not attached there), nobody is matched.
    assert seen_on(on_b, B, [person('Ann', 7)])['Ann'].status == Status.EMAILABLE
    on_b.close()
    assert cleo.status == Status.EMAILABLE


def test_reached_on_this_wiki_says_when_and_by_which_run(path):
    journal = journal_on(path, A)
    ann = person('Ann', 1, 501)
    journal.plan([ann])
    journal.record(ann, State.SENT, 'sent')
    seen = seen_on(journal, A, [ann])
    assert seen['Ann'].detail == f'emailed by an earlier run on {day(time.time())}'
    journal.close()


def test_another_wiki_of_the_same_name_is_named_by_its_address_too():
    assert where(A, B) == 'awiki'
    assert where('//other.example.org/w awiki', A) == 'awiki at //other.example.org/w'


def test_a_wiki_of_another_domain_or_without_global_accounts_is_never_matched(path):
    on_a = journal_on(path, A)
    ann = person('Ann', 1, 501)
    on_a.plan([ann])
    on_a.record(ann, State.SENT, 'sent')
    on_a.close()
    other_farm = Central('CentralAuth', 77, 'Sender')
    on_c = journal_on(path, C, central=None)
    for central in (other_farm, Central()):
        seen = seen_on(on_c, C, [person('Ann', 1, 501)], central)
        assert seen['Ann'].status == Status.EMAILABLE
    on_c.close()


def refusal(path: Path, wiki: str, central: Central) -> str:
    journal = Journal(path)
    journal.open_campaign(wiki, 'Meetup', FP, create=False)
    try:
        _refuse_another_domain(journal, wiki, central)
    except EmailUserError as e:
        return str(e)
    finally:
        journal.close()
    return ''


def test_a_run_whose_central_ids_may_be_another_farm_s_is_refused(path):
    journal = journal_on(path, A)
    journal.plan([person('Ann', 1, 501)])
    journal.close()
    # Another account on a wiki that joins the campaign; another account on a, too.
    for wiki in (B, A):
        text = refusal(path, wiki, Central('CentralAuth', 901, 'Other'))
        assert text == (
            f'The campaign "Meetup" in {path} matches people across wikis by CentralAuth\'s '
            'central ids as the account Sender (central id 900) sees them on awiki, and this '
            "run's account Other has central id 901, which may be of another wiki farm, whose "
            'ids number other people: run it as Sender, or give this mailing a -campaign: '
            'name of its own.'
        )
    assert "by CentralAuth's central ids (on awiki), and this wiki's are Other" in refusal(
        path, B, Central('Other', 900, 'Sender')
    )
    # An account attached to no global account cannot tell whom the campaign reached.
    assert refusal(path, B, Central('CentralAuth', None, 'Local')) == (
        f'The campaign "Meetup" in {path} matches people across wikis by CentralAuth\'s '
        "central ids, and this run's account Local is attached to no CentralAuth account, "
        'so it cannot tell whom the campaign reached on other wikis: run it as Sender.'
    )
    # The same domain, and a wiki without global accounts, go on.
    assert refusal(path, B, SENDER) == ''
    assert refusal(path, B, Central()) == ''


def test_a_campaign_that_had_rows_here_before_it_had_a_domain_takes_this_run_s(path):
    """Campaigns of an earlier release, or of the same name on another farm: their rows
    were matched on their own wiki only, and never are with another domain's."""
    on_a = journal_on(path, A)
    on_a.plan([person('Ann', 1, 501)])
    on_a.close()
    on_c = journal_on(path, C, central=None)
    on_c.plan([person('Cleo', 3)])
    on_c.close()
    assert refusal(path, C, Central('CentralAuth', 77, 'Farmer')) == ''


def test_the_seven_day_guard_sees_another_campaign_on_another_wiki_by_central_id(path):
    on_a = journal_on(path, A, name='Invitation')
    ann = person('Ann', 1, 501)
    on_a.plan([ann])
    on_a.record(ann, State.SENT, 'sent')
    on_a.close()
    on_b = journal_on(path, B, name='Reminder')
    since = time.time() - 7 * 86400
    found = on_b.reached_elsewhere(B, [person('Ann', 7, 501)], since, SENDER.domain)
    assert found == {'Invitation': ['Ann']}
    assert on_b.reached_elsewhere(B, [person('Ann', 7, 501)], since, None) == {}
    # The same campaign on another wiki is no other campaign.
    on_b.open_campaign(B, 'Invitation', FP)
    assert on_b.reached_elsewhere(B, [person('Ann', 7, 501)], since, SENDER.domain) == {}
    on_b.close()


def test_the_journal_lives_among_pywikibots_data_files_unless_given():
    from pywikibot import config

    from emailuserlib.journal.reconcile import journal_path
    from emailuserlib.options.load import command_line
    from emailuserlib.options.settings import Settings

    default = journal_path(Settings())
    assert default == Path(config.base_dir).resolve() / 'emailuser-journal.sqlite3'
    given = journal_path(Settings(**command_line(['-journal:~/mailing.sqlite3']).values))
    assert given == Path.home() / 'mailing.sqlite3'


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


def test_resend_uncertain_counts_those_uncertain_on_another_wiki_it_reaches_again(
    path, monkeypatch
):
    on_a = journal_on(path, A)
    ann, bob = person('Ann', 1, 501), person('Bob', 2, 502)
    on_a.plan([ann, bob])
    on_a.record(ann, State.UNCERTAIN, 'uncertain', 'the wiki gave HTTP 504')
    on_a.record(bob, State.SENT, 'sent')
    on_a.close()
    said = []
    monkeypatch.setattr(reconcile_module.pywikibot, 'info', said.append)
    settings, _ = from_caller({'resend': 'uncertain', 'journal': path, 'campaign': 'Meetup'})
    on_b = [person('Ann', 7, 501), person('Bob', 8, 502), person('Cat', 9, 503)]
    answer, journal = reconcile_module.reconcile(
        'wiki b', settings, B, on_b, 'Hi', 'Body', central=SENDER
    )
    journal.close()
    assert {r.name: r.status for r in answer.recipients} == {
        'Ann': Status.EMAILABLE,
        'Bob': Status.ALREADY_SENT,
        'Cat': Status.EMAILABLE,
    }
    assert '1 uncertain recipient of this run will be reached again (-resend:uncertain).' in said


def test_after_knows_an_account_by_its_registration_on_a_wiki_installed_again(tmp_path):
    """The first notice reached user id 1 of the wiki's earlier install; the wiki was
    installed again and id 1 is someone else now, who never got the first notice."""
    journal = Journal(tmp_path / 'journal.sqlite3', lock=True)
    try:
        journal.open_campaign(WIKI, 'First notice', 'fp')
        journal.for_run('Sender', WIKI)
        for userid, registered in ((1, '2015-01-01T00:00:00Z'), (2, '2015-01-02T00:00:00Z')):
            journal.record(
                Recipient(f'Old {userid}', userid=userid, registered=registered),
                State.SENT,
                Status.SENT,
            )
        journal.db.execute('UPDATE recipient SET reached = ?', (time.time() - 30 * DAY,))
        journal.open_campaign(WIKI, 'Second notice', 'fp2', create=False)
        settings, _ = from_caller({'after': 'First notice', 'afterdays': 25})
        people = (
            Recipient('Newcomer', Status.EMAILABLE, userid=1, registered='2026-01-01T00:00:00Z'),
            Recipient('Old 2', Status.EMAILABLE, userid=2, registered='2015-01-02T00:00:00Z'),
            Recipient('Unknown', Status.EMAILABLE, userid=2),  # the wiki gives no registration
        )
        found, _line, _ids = _after(journal, WIKI, people, settings, DELIVERS)
    finally:
        journal.close()
    assert {r.name: (r.status, r.detail) for r in found} == {
        'Newcomer': (Status.LEFT_OUT, 'not reached by "First notice"'),
        'Old 2': (Status.EMAILABLE, ''),
        'Unknown': (Status.EMAILABLE, ''),
    }
