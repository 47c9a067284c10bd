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

from emailuserlib.core.errors import EXIT_ERROR, EXIT_OK, EXIT_PENDING
from emailuserlib.options.settings import Settings
from emailuserlib.options.table import from_caller
from emailuserlib.run import bot as bot_module
from emailuserlib.run import pipeline
from emailuserlib.wiki import post

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
