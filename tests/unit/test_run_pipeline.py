"""The run's decisions in-process, on the in-memory wiki: who is sent to, and what the
journal, the report and the exit status say after each outcome and each stop.

The whole pipeline runs (options → recipients → message → journal → plan → bot →
report) with the script's own delivery code; only the wiki is in memory. What the
operator sees at a terminal is tested against the real wikis (tests/e2e).
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from pywikibot import config
from pywikibot.exceptions import Error as PywikibotError

from emailuserlib.core.accounts import Status
from emailuserlib.core.errors import EXIT_ERROR, EXIT_OK, EXIT_PENDING, EmailUserError
from emailuserlib.options.settings import Settings
from emailuserlib.options.table import from_caller
from emailuserlib.run import bot as bot_module
from emailuserlib.run import pipeline
from emailuserlib.wiki import post, talk
from fakes.site import FakeSite, route_posts
from fakes.wiki import FakeWiki

pytestmark = pytest.mark.filterwarnings('ignore')


@pytest.fixture
def people(fake_wiki):
    for name in ('Ann', 'Ben', 'Cat', 'Dan'):
        fake_wiki.add_user(name)
    fake_wiki.add_user('Quiet', emailable=False)
    fake_wiki.add_user('Optout')
    fake_wiki.opt_out('Optout')
    return fake_wiki


def settings(tmp_path, **given) -> Settings:
    given.setdefault('journal', tmp_path / 'journal.sqlite3')
    given.setdefault('report', tmp_path / 'report.csv')
    given.setdefault('always', True)
    return from_caller({'subject': 'Hello {username}', 'text': 'Hi.', **given})[0]


def run(site, tmp_path, names, **given):
    """One run of the script; the bot after it (or the exit status of -test)."""
    return pipeline.send(site, settings(tmp_path, **given), names=names)


def journal(tmp_path) -> Counter:
    with sqlite3.connect(tmp_path / 'journal.sqlite3') as db:
        return Counter(
            (name, state) for name, state in db.execute('SELECT username, state FROM recipient')
        )


def report(tmp_path) -> dict[str, str]:
    lines = (tmp_path / 'report.csv').read_text(encoding='utf-8').splitlines()[1:]
    return {line.split(',')[0]: line.split(',')[1] for line in lines}


def mailed(wiki) -> Counter:
    return Counter(mail.target for mail in wiki.mails)


def posts(wiki) -> Counter:
    return Counter(post.title for post in wiki.posts)


EVERYONE = ['Ann', 'Ben', 'Quiet', 'Optout', 'Nobody']


def test_each_person_is_mailed_once_and_every_other_one_is_said_why(fake_site, people, tmp_path):
    bot = run(fake_site, tmp_path, EVERYONE)
    assert bot.exit_status() == EXIT_OK
    assert mailed(people) == Counter({'Ann': 1, 'Ben': 1})
    assert report(tmp_path) == {
        'Ann': 'sent',
        'Ben': 'sent',
        'Quiet': 'not-emailable',
        'Optout': 'opted-out',
        'Nobody': 'no-such-user',
    }
    # The opt-out is kept too: the campaign's other wikis honour it.
    assert journal(tmp_path) == Counter(
        {('Ann', 'sent'): 1, ('Ben', 'sent'): 1, ('Optout', 'skipped'): 1}
    )
    again = run(fake_site, tmp_path, EVERYONE)
    assert again.exit_status() == EXIT_OK
    assert mailed(people) == Counter({'Ann': 1, 'Ben': 1})
    assert report(tmp_path)['Ann'] == 'already-sent'


def test_a_refusal_at_the_send_is_final_and_a_lost_answer_uncertain(fake_site, people, tmp_path):
    people.fail('Ben', 'nowikiemailtext')
    people.lose_answer('Cat')
    bot = run(fake_site, tmp_path, ['Ann', 'Ben', 'Cat', 'Dan'])
    assert bot.exit_status() == EXIT_ERROR  # someone is uncertain
    assert report(tmp_path) == {
        'Ann': 'sent',
        'Ben': 'not-emailable',
        'Cat': 'uncertain',
        'Dan': 'sent',
    }
    states = journal(tmp_path)
    assert states[('Ben', 'skipped')] == states[('Cat', 'uncertain')] == 1
    # The wiki sent Cat's mail before its answer was lost: a rerun does not send it again,
    # and Ben's refusal is not asked again.
    rerun = run(fake_site, tmp_path, ['Ann', 'Ben', 'Cat', 'Dan'])
    assert rerun.exit_status() == EXIT_ERROR
    assert mailed(people) == Counter({'Ann': 1, 'Cat': 1, 'Dan': 1})
    assert report(tmp_path)['Cat'] == 'uncertain'
    resent = run(fake_site, tmp_path, ['Cat'], resend='uncertain')
    assert resent.exit_status() == EXIT_OK
    assert mailed(people)['Cat'] == 2


def test_max_stops_the_run_and_the_rest_are_pending_for_the_rerun(fake_site, people, tmp_path):
    names = ['Ann', 'Ben', 'Cat', 'Dan']
    first = run(fake_site, tmp_path, names, max=3)
    assert first.exit_status() == EXIT_PENDING
    assert report(tmp_path) == {'Ann': 'sent', 'Ben': 'sent', 'Cat': 'sent', 'Dan': 'pending'}
    assert journal(tmp_path)[('Dan', 'planned')] == 1
    second = run(fake_site, tmp_path, names, max=3)
    assert second.exit_status() == EXIT_OK
    assert mailed(people) == Counter(dict.fromkeys(names, 1))


def test_a_limit_that_lets_nothing_go_defers_the_run_at_the_plan(fake_site, people, tmp_path):
    first = run(fake_site, tmp_path, ['Ann', 'Ben', 'Cat'], ratelimit='2/hour')
    assert first.exit_status() == EXIT_PENDING
    assert report(tmp_path)['Cat'] == 'pending'
    # Nothing fits the window yet: a deferred run, with the status -deferredexit: gives.
    assert run(fake_site, tmp_path, ['Ann', 'Ben', 'Cat'], ratelimit='2/hour') == EXIT_PENDING
    assert run(fake_site, tmp_path, ['Ann', 'Ben', 'Cat'], ratelimit='2/hour', deferredexit=0) == 0
    assert mailed(people) == Counter({'Ann': 1, 'Ben': 1})


def test_ctrl_c_during_a_send_finishes_it_records_it_and_stops(
    fake_site, people, tmp_path, monkeypatch
):
    send = post.Sender.send
    calls = []

    def interrupted(self, target, *args, **kwargs):
        outcome = send(self, target, *args, **kwargs)
        calls.append(target)
        if len(calls) == 2:  # the signal lands while Ben's mail is in flight
            self_bot.interrupts._handle(2, None)
        return outcome

    monkeypatch.setattr(post.Sender, 'send', interrupted)
    self_bot = None
    original = pipeline.EmailUserBot.__init__

    def keep(self, *args, **kwargs):
        nonlocal self_bot
        original(self, *args, **kwargs)
        self_bot = self

    monkeypatch.setattr(pipeline.EmailUserBot, '__init__', keep)
    bot = run(fake_site, tmp_path, ['Ann', 'Ben', 'Cat', 'Dan'])
    assert bot.exit_status() == EXIT_PENDING
    assert report(tmp_path) == {'Ann': 'sent', 'Ben': 'sent', 'Cat': 'pending', 'Dan': 'pending'}
    assert journal(tmp_path)[('Ben', 'sent')] == 1
    assert mailed(people) == Counter({'Ann': 1, 'Ben': 1})


def test_someone_renamed_during_the_run_is_mailed_once_under_the_new_name(
    fake_site, people, tmp_path, monkeypatch
):
    send = post.Sender.send

    def rename_before_ben(self, target, *args, **kwargs):
        if target == 'Ann':
            people.rename('Ben', 'Benedict')
            people.register('Ben')  # someone else takes the freed name
        return send(self, target, *args, **kwargs)

    monkeypatch.setattr(post.Sender, 'send', rename_before_ben)
    monkeypatch.setattr(config, 'put_throttle', 61)  # each confirmation covers one send
    monkeypatch.setattr('emailuserlib.run.bot.throttle_wait', lambda *a: False)
    bot = run(fake_site, tmp_path, ['Ann', 'Ben'])
    assert bot.exit_status() == EXIT_OK
    assert mailed(people) == Counter({'Ann': 1, 'Benedict': 1})
    assert report(tmp_path) == {'Ann': 'sent', 'Benedict': 'sent'}


def test_simulate_sends_nothing_and_writes_no_journal(fake_site, people, tmp_path, monkeypatch):
    monkeypatch.setattr(config, 'simulate', True)
    bot = run(fake_site, tmp_path, ['Ann', 'Ben'])
    assert bot.exit_status() == EXIT_OK
    assert people.mails == []
    assert not (tmp_path / 'journal.sqlite3').exists()
    assert report(tmp_path) == {'Ann': 'simulated', 'Ben': 'simulated'}


def test_a_deadline_that_passes_during_the_run_stops_it_as_done(
    fake_site, people, tmp_path, monkeypatch
):
    """The campaign ends at -deadline:: whoever is not reached by then is not emailed."""
    deadline = datetime.now(timezone.utc) + timedelta(hours=1)
    real = time.time
    # The first email takes the clock past the deadline.
    clock = SimpleNamespace(
        time=lambda: real() + (7200 if people.mails else 0), monotonic=time.monotonic
    )
    monkeypatch.setattr(bot_module, 'time', clock)
    bot = run(fake_site, tmp_path, ['Ann', 'Ben', 'Cat'], deadline=deadline)
    assert mailed(people) == Counter({'Ann': 1})
    assert bot.exit_status() == EXIT_OK
    assert bot.stop_reason.sentence.startswith('The deadline of this campaign, ')
    assert 'has passed: nothing more is sent' in bot.stop_reason.sentence
    assert report(tmp_path) == {'Ann': 'sent', 'Ben': 'pending', 'Cat': 'pending'}


def test_a_limit_that_would_send_past_the_deadline_ends_the_campaign(fake_site, people, tmp_path):
    deadline = datetime.now(timezone.utc) + timedelta(minutes=30)
    bot = run(fake_site, tmp_path, ['Ann', 'Ben', 'Cat'], ratelimit='2/hour', deadline=deadline)
    assert mailed(people) == Counter({'Ann': 1, 'Ben': 1})
    assert bot.exit_status() == EXIT_OK
    sentence = bot.stop_reason.sentence
    assert "The account's email limit lets the next email go only in " in sentence
    assert 'nothing more is sent, and 1 recipient is not emailed (-deadline:).' in sentence
    # A rerun says the same and sends nothing: the window is still full.
    assert (
        run(fake_site, tmp_path, ['Ann', 'Ben', 'Cat'], ratelimit='2/hour', deadline=deadline) == 0
    )
    assert mailed(people) == Counter({'Ann': 1, 'Ben': 1})


def test_a_rerun_refuses_a_row_whose_name_the_campaign_knew_as_another_account(
    fake_site, people, tmp_path
):
    """Ben's row holds Ben's code: after Ben is renamed and a stranger takes the name,
    the rerun gives the code to nobody."""
    rows = tmp_path / 'codes.csv'
    rows.write_text('username,code\nAnn,A-1\nBen,B-2\n', encoding='utf-8')
    given = {'users': [str(rows)], 'subject': 'Your code', 'text': 'Code {code}.'}
    first = pipeline.send(fake_site, settings(tmp_path, max=1, **given))
    assert first.exit_status() == EXIT_PENDING
    people.rename('Ben', 'Ben Old')
    people.add_user('Ben', email='stranger@users.test')
    with pytest.raises(EmailUserError) as refused:
        pipeline.send(fake_site, settings(tmp_path, **given))
    assert str(refused.value).startswith(
        'Ben of the -users: files was another account when this campaign knew it (user id '
    )
    assert ', now named Ben Old)' in str(refused.value)
    assert mailed(people) == Counter({'Ann': 1})
    assert not [m for m in people.mails if 'B-2' in m.text]


def test_a_resend_stopped_by_max_goes_on_when_run_again_and_emails_nobody_a_third_time(
    fake_site, people, tmp_path
):
    names = ['Ann', 'Ben', 'Cat']
    assert run(fake_site, tmp_path, names).exit_status() == EXIT_OK
    statuses = []
    for _ in range(3):  # "run the same command again to go on", as the run says
        bot = run(fake_site, tmp_path, names, resend='all', max=1)
        statuses.append(bot.exit_status())
    assert statuses == [EXIT_PENDING, EXIT_PENDING, EXIT_OK]
    assert mailed(people) == Counter(dict.fromkeys(names, 2))
    assert report(tmp_path) == {'Ann': 'already-sent', 'Ben': 'already-sent', 'Cat': 'sent'}
    # A plain run after it emails nobody; the same -resend again, now that it reached
    # everyone, would email them all a third time: refused.
    assert run(fake_site, tmp_path, names).exit_status() == EXIT_OK
    with pytest.raises(EmailUserError) as refused:
        run(fake_site, tmp_path, names, resend='all', max=1)
    assert str(refused.value).startswith(
        'A resend of the campaign "Hello {username}" reached everyone on this wiki on '
    )
    assert str(refused.value).endswith(
        'so another -resend would email them all once more: to send this mailing again '
        'on purpose, give it a name of its own with -campaign:"NEW NAME".'
    )
    assert mailed(people) == Counter(dict.fromkeys(names, 2))


def test_a_plain_run_after_a_resend_that_stopped_emails_nobody_twice(fake_site, people, tmp_path):
    names = ['Ann', 'Ben']
    run(fake_site, tmp_path, names)
    assert run(fake_site, tmp_path, names, resend='all', max=1).exit_status() == EXIT_PENDING
    # Without -resend, Ben had the campaign: the resend goes on only when asked again.
    assert run(fake_site, tmp_path, names).exit_status() == EXIT_OK
    assert mailed(people) == Counter({'Ann': 2, 'Ben': 1})


class _AfterMail(list):
    """The wiki's sent mail, doing something once the mail to *target* went."""

    def __init__(self, mails, target, then):
        super().__init__(mails)
        self.target, self.then = target, then

    def append(self, mail):
        super().append(mail)
        if mail.target == self.target:
            self.then()


def test_an_opt_out_during_the_run_forbids_the_post_owed_to_one_emailed_earlier(
    fake_site, people, tmp_path, monkeypatch
):
    people.add_page('Project:No mail', 'Nobody yet.')
    given = {'optout': ['Project:No mail']}
    run(fake_site, tmp_path, ['Cat'], **given)
    # -alsotalk now owes Cat the post; she opts out while Ann is emailed.
    monkeypatch.setattr(bot_module, 'REFRESH_SECONDS', 0)
    people.mails = _AfterMail(
        people.mails, 'Ann', lambda: people.add_page('Project:No mail', '[[User:Cat]]')
    )
    bot = run(fake_site, tmp_path, ['Ann', 'Cat'], alsotalk=True, **given)
    assert [p.title for p in people.posts] == ['User talk:Ann']
    assert mailed(people) == Counter({'Cat': 1, 'Ann': 1})
    cat = next(r for r in bot.current if r.name == 'Cat')
    assert (cat.status, cat.talk) == (Status.ALREADY_SENT, Status.OPTED_OUT)
    assert bot.exit_status() == EXIT_OK


def test_a_test_email_with_a_rows_values_goes_to_the_sending_account_only(
    fake_site, people, tmp_path
):
    rows = tmp_path / 'codes.csv'
    rows.write_text('username,code\nAnn,SECRET-ANN\n', encoding='utf-8')
    given = {'users': [str(rows)], 'subject': 'Your code', 'text': 'Code {code}.'}
    with pytest.raises(EmailUserError) as refused:
        pipeline.send(fake_site, settings(tmp_path, test='Ben', **given))
    assert str(refused.value) == (
        "-test:Ben sends the first recipient's email, with {code} from that recipient's row "
        'of the -users: files, to Ben, who may not read it: send the test email to this '
        'account with -test alone.'
    )
    assert people.mails == []
    assert pipeline.send(fake_site, settings(tmp_path, test='sender', **given)) == EXIT_OK
    assert [(m.target, m.text) for m in people.mails] == [('Sender', 'Code SECRET-ANN.')]
    # Without a row's values, a colleague may proofread it.
    assert pipeline.send(fake_site, settings(tmp_path, test='Ben', users=[str(rows)])) == EXIT_OK
    assert people.mails[-1].target == 'Ben'


@pytest.mark.parametrize('source', ['-users:', '-file:'])
def test_a_log_page_never_publishes_the_recipients_of_a_private_list(
    fake_site, people, tmp_path, source
):
    listed = tmp_path / 'participants.txt'
    listed.write_text('Ann\n', encoding='utf-8')
    given = {'logpage': 'Project:Mailings'}
    if source == '-users:':
        given['users'] = [str(listed)]
    with pytest.raises(EmailUserError) as refused:
        pipeline.send(
            fake_site,
            settings(tmp_path, **given),
            files=[str(listed)] if source == '-file:' else (),
        )
    assert str(refused.value) == (
        f'-logpage:Project:Mailings publishes who was reached, and the recipients come from '
        f'files ({source}{listed}), which may be private lists: leave out -logpage:, or give '
        'the recipients another way (a category, -group:).'
    )
    assert people.mails == [] and 'Project:Mailings' not in people.pages


def test_a_journal_path_that_is_a_link_is_refused_before_the_plan(fake_site, people, tmp_path):
    link = tmp_path / 'journal.sqlite3'
    link.symlink_to(tmp_path / 'elsewhere' / 'journal.sqlite3')  # leads nowhere yet
    with pytest.raises(EmailUserError) as refused:
        run(fake_site, tmp_path, ['Ann'])
    assert str(refused.value) == (
        f'The journal {link} is a symbolic link: give the real file with -journal:, so that '
        'nobody can redirect it.'
    )
    assert people.mails == [] and not (tmp_path / 'elsewhere').exists()


def test_an_uncertain_fallback_post_is_not_posted_again_by_alsotalk(
    fake_site, fake_wiki, tmp_path, monkeypatch
):
    """-fallback:talk posts to Quiet; the answer is lost and the history cannot be read,
    so the post is uncertain. A rerun with -alsotalk (which includes -fallback:talk) must
    not post it again without -resend:uncertain."""
    fake_wiki.add_user('Quiet', emailable=False)
    fake_wiki.lose_answer('User talk:Quiet')

    def unreadable(*args, **kwargs):
        raise PywikibotError('the history could not be read')

    landed = talk._section_landed
    monkeypatch.setattr(talk, '_section_landed', unreadable)
    first = run(fake_site, tmp_path, ['Quiet'], fallback='talk')
    assert first.exit_status() == EXIT_ERROR
    assert report(tmp_path)['Quiet'] == 'uncertain'
    assert posts(fake_wiki) == Counter({'User talk:Quiet': 1})  # it was saved
    monkeypatch.setattr(talk, '_section_landed', landed)
    run(fake_site, tmp_path, ['Quiet'], alsotalk=True)
    assert posts(fake_wiki) == Counter({'User talk:Quiet': 1})


def test_a_resend_with_a_failed_email_goes_on_and_its_rerun_retries_only_that_one(
    fake_site, fake_wiki, tmp_path
):
    """A resend in which one email failed ends as failed (status 1; failures are tried
    again, the status file's command is the same command, -resend included). That
    rerun must retry Ben only: the resend is not over while Ben has not had it."""
    names = ['Ann', 'Ben', 'Cat']
    for name in names:
        fake_wiki.add_user(name)
    assert run(fake_site, tmp_path, names).exit_status() == EXIT_OK
    fake_wiki.fail('Ben', 'hookaborted', 'An extension refused it.', times=1)
    resend = run(fake_site, tmp_path, names, resend='all')
    assert resend.exit_status() == EXIT_ERROR
    assert report(tmp_path)['Ben'] == 'failed'
    run(fake_site, tmp_path, names, resend='all')  # the same command again
    assert mailed(fake_wiki) == Counter({'Ann': 2, 'Ben': 2, 'Cat': 2})


def two_wikis(monkeypatch):
    """Two wikis sharing CentralAuth's global accounts: Ann and Ben on both, with other
    local user ids, as Wikimedia's wikis have them."""
    wikis = []
    for name in ('Alpha', 'Beta'):
        wiki = FakeWiki(
            sitename=name, server=f'https://{name.lower()}.wiki.test', central='CentralAuth'
        )
        wiki.add_user('Sender', groups=['massmailer'], centralid=1)
        if name == 'Beta':
            wiki.add_user('Filler')  # other local ids than on Alpha
        wiki.add_user('Ann', centralid=2)
        wiki.add_user('Ben', centralid=3)
        wikis.append(wiki)
    sites = [FakeSite(w) for w in wikis]
    route_posts(monkeypatch, *sites)
    return wikis, sites


def test_a_resend_on_two_wikis_of_one_campaign_emails_each_person_once_more(tmp_path, monkeypatch):
    """One campaign on two wikis (-campaign:), one journal: each person is emailed once.
    -resend run on each wiki of it (as the campaign was run on each) resends the
    mailing: each person gets it once more, not once more per wiki."""
    (alpha, beta), (on_alpha, on_beta) = two_wikis(monkeypatch)
    given = {'campaign': 'Meetup'}
    for site in (on_alpha, on_beta):
        assert run(site, tmp_path, ['Ann', 'Ben'], **given).exit_status() == EXIT_OK
    assert mailed(alpha) == Counter({'Ann': 1, 'Ben': 1}) and mailed(beta) == Counter()
    for site in (on_alpha, on_beta):
        run(site, tmp_path, ['Ann', 'Ben'], resend='all', **given)
    assert mailed(alpha) + mailed(beta) == Counter({'Ann': 2, 'Ben': 2})


def test_a_fallback_post_follows_a_renamed_user_not_the_stranger_with_the_name(
    fake_site, fake_wiki, tmp_path
):
    """Quiet takes no email and gets the talk page post (-fallback:talk). While Ann is
    emailed, Quiet is renamed and a stranger registers the name Quiet. The post is made
    by name, without the check that each email gets: it lands on the stranger's page."""
    fake_wiki.add_user('Ann')
    fake_wiki.add_user('Quiet', emailable=False)

    def renamed():
        fake_wiki.rename('Quiet', 'Quiet Old', move_pages=False)
        fake_wiki.add_user('Quiet')  # a newcomer

    fake_wiki.mails = _AfterMail(fake_wiki.mails, 'Ann', renamed)
    run(fake_site, tmp_path, ['Ann', 'Quiet'], fallback='talk')
    assert mailed(fake_wiki) == Counter({'Ann': 1})
    assert 'User talk:Quiet' not in posts(fake_wiki)


def test_a_resend_refuses_a_renamed_users_row_as_a_plain_rerun_does(fake_site, fake_wiki, tmp_path):
    """Ben got his code. Ben is renamed and a stranger registers the name Ben. A plain
    rerun refuses the row "Ben" (it was another account); -resend must refuse it too,
    not email Ben's code to the stranger."""
    fake_wiki.add_user('Ann')
    fake_wiki.add_user('Ben')
    rows = tmp_path / 'codes.csv'
    rows.write_text('username,code\nAnn,A-1\nBen,B-2\n', encoding='utf-8')
    given = {'users': [str(rows)], 'subject': 'Your code', 'text': 'Code {code}.'}
    assert pipeline.send(fake_site, settings(tmp_path, **given)).exit_status() == EXIT_OK
    fake_wiki.rename('Ben', 'Ben Old')
    fake_wiki.add_user('Ben', email='stranger@users.test')
    before = len(fake_wiki.mails)
    with pytest.raises(EmailUserError, match='Ben of the -users: files was another account'):
        pipeline.send(fake_site, settings(tmp_path, resend='all', **given))
    assert fake_wiki.mails[before:] == []  # Ben is the stranger now


def test_an_email_refused_at_the_send_with_no_post_allowed_is_not_uncertain(
    fake_site, fake_wiki, tmp_path
):
    """-fallback:talk: the wiki refuses Ann's email at the send (she turned email off
    since the check), and her talk page forbids bots. Nothing reached her, and the wiki
    said so: no run may call her uncertain (status 1, "add -resend:uncertain")."""
    fake_wiki.add_user('Ann')
    fake_wiki.add_page('User talk:Ann', '{{nobots}}')
    fake_wiki.fail('Ann', 'nowikiemailtext')
    first = run(fake_site, tmp_path, ['Ann'], fallback='talk')
    assert report(tmp_path)['Ann'] == 'not-emailable'
    assert first.exit_status() == EXIT_OK
    again = run(fake_site, tmp_path, ['Ann'], fallback='talk')
    assert report(tmp_path)['Ann'] != 'uncertain'
    assert again.exit_status() == EXIT_OK
    assert mailed(fake_wiki) == Counter() and posts(fake_wiki) == Counter()


def test_a_user_renamed_and_opted_out_during_the_run_is_not_emailed(
    fake_site, fake_wiki, tmp_path, monkeypatch
):
    """While Ann is emailed, Cat is renamed to Cat New and puts herself on the opt-out
    list. With -pt:30 the names of two recipients are confirmed together, so Cat's is
    confirmed at her turn: the opt-out lists are read again and say she opted out (the
    run says so), and the email must not go."""
    for name in ('Ann', 'Ben', 'Cat'):
        fake_wiki.add_user(name)
    fake_wiki.add_page('Project:No mail', 'Nobody yet.')
    monkeypatch.setattr(config, 'put_throttle', 30)  # -pt:30; the fake wiki never waits

    def renamed_and_opted_out():
        fake_wiki.rename('Cat', 'Cat New')
        fake_wiki.edit('Project:No mail', '[[User:Cat New]]', user='Cat New')

    fake_wiki.mails = _AfterMail(fake_wiki.mails, 'Ann', renamed_and_opted_out)
    run(fake_site, tmp_path, ['Ann', 'Ben', 'Cat'], optout=['Project:No mail'])
    assert mailed(fake_wiki) == Counter({'Ann': 1, 'Ben': 1})
    assert report(tmp_path)['Cat New'] == 'opted-out'


def test_the_plan_of_a_resend_says_whom_the_campaign_reached(
    fake_site, fake_wiki, tmp_path, caplog
):
    """After the campaign reached Ann and Ben, the plan of -resend says of the campaign
    "nobody reached yet", where it reached both (and this run reaches them again)."""
    for name in ('Ann', 'Ben'):
        fake_wiki.add_user(name)
    assert run(fake_site, tmp_path, ['Ann', 'Ben']).exit_status() == EXIT_OK
    caplog.clear()
    run(fake_site, tmp_path, ['Ann', 'Ben'], resend='all')
    assert mailed(fake_wiki) == Counter({'Ann': 2, 'Ben': 2})
    assert 'nobody reached yet' not in caplog.text


def test_a_resend_keeps_an_opt_out_made_on_the_campaigns_other_wiki(tmp_path, monkeypatch):
    """Ben opted out of the campaign on Alpha (its -optout: list); on Beta he stays out,
    "on alpha". -resend on Beta forgets who was reached, and must not forget that: an
    opt-out is a refusal for good, never tried again."""
    (alpha, beta), (on_alpha, on_beta) = two_wikis(monkeypatch)
    alpha.add_page('Project:No mail', '[[User:Ben]]')
    given = {'campaign': 'Meetup'}
    run(on_alpha, tmp_path, ['Ann', 'Ben'], optout=['Project:No mail'], **given)
    run(on_beta, tmp_path, ['Ann', 'Ben'], **given)
    assert report(tmp_path)['Ben'] == 'opted-out'
    run(on_beta, tmp_path, ['Ann', 'Ben'], resend='all', **given)
    assert mailed(alpha) + mailed(beta) == Counter({'Ann': 2})
