"""What the operator is shown is true: after a stop, in a dry run, with -test, at the limit.

Each test reads what the operator reads (the output, the report, the exit status)
on the real wiki, with the rate-limited sender (3 emails a day) where the limit matters.
"""

from __future__ import annotations

import email.utils
import os
import re
import signal
import sqlite3

import pytest
from test_terminal import Terminal

from harness import population as pop
from harness.checks import address, exactly_once, read_report, received, wait_for_mail
from harness.pwbconfig import SCRIPT, run_pwb

pytestmark = [pytest.mark.wiki]

CATEGORY = [f'-cat:{pop.CATEGORY}', '-subject:Meetup', '-text:Hello {username}.']
#: What the plan settles for the category's members who are not emailed.
PLAN_SETTLED = {
    'Dave': 'not-emailable',
    'Erin': 'not-emailable',
    'Ghost': 'no-such-user',
    'Event report': 'not-a-user',
}
EMAILABLE = ['Alice', 'Bob', 'Carol', 'Grace Hopper', 'Jürgen Müller', 'Heidi']


def forget_wiki_rate_limits(wiki) -> None:
    """Empty the wiki's rate limit counters (1.39 counts API emails), as a new day would."""
    # MediaWiki's SQLite installer keeps the object cache in a file of its own.
    for name in ('wikicache.sqlite', 'wiki.sqlite'):
        db = sqlite3.connect(wiki.root / 'db' / name)
        try:
            db.execute("DELETE FROM objectcache WHERE keyname LIKE '%:limiter:%'")
            db.commit()
        finally:
            db.close()


@pytest.fixture
def limited(sender_factory, mailbox, wiki):
    """The sender who may send 3 emails a day, with a journal of its own and a new day."""
    forget_wiki_rate_limits(wiki)
    yield sender_factory('LimitedSender')
    forget_wiki_rate_limits(wiki)


def assert_true_end_lines(output: str, status: int) -> None:
    """No Pywikibot line that contradicts the script's own summary."""
    assert 'operation time' not in output, output
    assert not re.search(r'^Execution time: *$', output, re.M), output
    assert re.search(r'^Execution time: \d+ (s|min)', output, re.M), output
    assert ('Script terminated successfully.' in output) == (status == 0), output


@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize('how', ['q', 'ctrl-c'])
def test_a_stop_at_the_first_question_keeps_what_the_plan_settled(sender, mailbox, tmp_path, how):
    report = tmp_path / 'stop.csv'
    term = Terminal(sender.config_dir, *CATEGORY, f'-report:{report}')
    term.expect('Email Alice?')
    if how == 'q':
        term.answer('q')
    else:
        term.proc.send_signal(signal.SIGINT)
    status = term.finish()
    assert status == 75, term.screen
    assert mailbox.messages() == []
    rows = read_report(report)
    assert {n: s for n, (s, _) in rows.items() if n in PLAN_SETTLED} == PLAN_SETTLED
    assert {n: s for n, (s, _) in rows.items() if n not in PLAN_SETTLED} == dict.fromkeys(
        EMAILABLE, 'pending'
    )
    assert not any('talk page' in detail for _, detail in rows.values())
    screen = term.screen.replace('\r', '')
    assert '6 pending operations' in screen
    assert '2 not-emailable operations' in screen and '1 no-such-user operation' in screen
    if how == 'q':
        assert '6 recipients were not reached yet' in screen
    assert_true_end_lines(screen, status)


@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize('how', ['sigterm', 'max'])
def test_a_stop_during_the_run_keeps_what_the_plan_settled(sender, mailbox, tmp_path, how):
    report = tmp_path / 'stop.csv'
    args = [*CATEGORY, '-always', f'-report:{report}']
    if how == 'max':
        result = sender.run(*args, '-max:2')
        status, output = result.returncode, result.output
    else:
        proc = sender.start(*args, '-pt:1')
        wait_for_mail(mailbox, 2, proc)
        proc.send_signal(signal.SIGTERM)
        status, output = proc.wait(120), sender.log()
    assert status == 75, output
    rows = read_report(report)
    assert {n: s for n, (s, _) in rows.items() if n in PLAN_SETTLED} == PLAN_SETTLED
    sent = [n for n, (s, _) in rows.items() if s == 'sent']
    pending = [n for n, (s, _) in rows.items() if s == 'pending']
    assert sorted(sent + pending) == sorted(EMAILABLE)
    assert received(mailbox) == exactly_once(sent)
    assert f'{len(pending)} pending operation' in output
    assert '2 not-emailable operations' in output
    assert_true_end_lines(output, status)


@pytest.mark.mediawiki('1.39', '1.43')
def test_the_rate_limited_operator_is_told_the_truth_at_each_step(limited, mailbox, tmp_path):
    # A dry run is dry: no throttle waited, the limit said as information, status 0.
    dry = limited.run('-simulate', *CATEGORY, '-always', '-pt:15')
    assert dry.returncode == 0, dry.output
    assert mailbox.messages() == []
    assert 'Put throttle' not in dry.output and 'Sleeping for' not in dry.output
    assert (
        "A real run would stop here, after 3 emails, at the account's email limit of 3 "
        'emails per day (the wiki); the rest would follow in 1 day' in dry.output
    )
    assert '6 simulated operations' in dry.output
    assert 'ERROR' not in dry.output
    assert_true_end_lines(dry.output, 0)

    # -test says what it does, counts its send, waits in the script's words.
    test = limited.run(*CATEGORY, '-test', '-pt:15')
    assert test.returncode == 0, test.output
    assert (
        'A test email (the email to Alice) goes to LimitedSender; nobody else (-test).'
        in test.output
    )
    assert 'users will be emailed' not in test.output
    assert 'Rate limit: 3 emails per day (the wiki); the test email uses one more.' in test.output
    assert 'Put throttle: sending the test email to LimitedSender (this account) in' in test.output
    assert 'Sleeping for' not in test.output
    assert [m.to_address for m in mailbox.messages()] == [pop.SENDERS['LimitedSender'][0]]

    # The real run: 2 emails fit; the report and the counters keep what the plan settled.
    report = tmp_path / 'run.csv'
    run = limited.run(*CATEGORY, '-always', f'-report:{report}')
    assert run.returncode == 75, run.output
    assert "Stopped at the account's email limit" in run.output
    assert 'after 2 emails in this run, with 4 still to send' in run.output
    rows = {n: s for n, (s, _) in read_report(report).items()}
    assert {n: rows[n] for n in PLAN_SETTLED} == PLAN_SETTLED
    assert sorted(rows.values()).count('sent') == 2
    assert sorted(rows.values()).count('pending') == 4
    assert '4 pending operations' in run.output and '2 not-emailable operations' in run.output
    assert_true_end_lines(run.output, 75)
    sent = [n for n, s in rows.items() if s == 'sent']
    counts = received(mailbox)
    assert counts.pop(pop.SENDERS['LimitedSender'][0]) == 1  # the test email
    assert counts == exactly_once(sent)

    # The same command with the limit used up: said at the plan, before any preview.
    again = limited.run(*CATEGORY, '-always')
    assert again.returncode == 75, again.output
    assert 'Preview of the email' not in again.output
    assert 'after 0 emails' not in again.output
    assert (
        "The account's email limit of 3 emails per day (the wiki) allows no email now, so "
        'nothing was sent: the next email can go at ' in again.output
    )
    command = again.output.split('Then run:\n', 1)[1].splitlines()[0].strip()
    assert command.startswith('pwb emailuser ') and f"'-cat:{pop.CATEGORY}'" in command
    assert again.output.index('Rate limit:') < again.output.index('allows no email now')
    assert len(mailbox.messages()) == 3


def preview_lines(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('Preview of the email'))
    return lines[start : lines.index('End of the preview.', start) + 1]


@pytest.mark.mediawiki('1.39', '1.43')
@pytest.mark.parametrize('mute', [False, True], ids=['plain', 'special-mute'])
def test_the_preview_is_the_email_as_the_recipient_receives_it(sender, mailbox, wiki, mute):
    with wiki.extra_settings('$wgEnableSpecialMute = true;' if mute else ''):
        result = sender.run(
            '-page:User:Alice', '-subject:Hi {username}', '-text:Hello.\\n\\n', '-always'
        )
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    shown = preview_lines(result.output)
    assert shown[0] == 'Preview of the email to Alice:'
    name, wiki_address = email.utils.parseaddr(mail.sender)
    assert shown[1] == f"  From: {name} (the wiki's own address)"
    assert wiki_address == 'wiki@localhost' and name == 'Emailuser Test Wiki'
    reply_name, reply_address = email.utils.parseaddr(mail.reply_to)
    assert shown[2] == (
        f'  Reply-To: {reply_name} <{reply_address}> (every recipient sees this address, '
        'and replies go to it)'
    )
    assert reply_address == pop.SENDERS['Sender'][0]
    assert shown[3] == '  To: Alice'
    assert shown[4] == f'  Subject: {mail.subject}'
    body = [line[2:] if line else '' for line in shown[6:-2]]
    assert body == mail.body.rstrip('\n').split('\n')
    assert 'This email was sent by Sender to Alice' in mail.body
    assert ('Special:Mute/Sender' in mail.body) == mute
    assert mail.to_address == address('Alice')


def test_the_help_example_is_the_readme_s_and_points_to_pwb_emailuser(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYWIKIBOT')}
    env.update(PYWIKIBOT_DIR=str(tmp_path), PYWIKIBOT_NO_USER_CONFIG='1')
    result = run_pwb(tmp_path, str(SCRIPT), '-help', env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'pwb emailuser -simulate -cat:"Event participants"' in result.stdout
    assert 'pwb -simulate' not in result.stdout
    assert 'pwb.py' not in result.stdout
    assert 'pwb emailuser -help:global' in result.stdout


@pytest.mark.mediawiki('1.39')
def test_the_preview_shows_the_footer_in_the_wiki_s_language(sender_de, mailbox_de):
    result = sender_de.run('-page:Benutzer:Alice', '-subject:Hallo', '-text:Guten Tag.', '-always')
    assert result.returncode == 0, result.output
    [mail] = mailbox_de.messages()
    shown = preview_lines(result.output)
    body = [line[2:] if line else '' for line in shown[6:-2]]
    assert body == mail.body.rstrip('\n').split('\n')
    assert 'Diese E-Mail wurde von „Sender“ an „Alice“' in mail.body
