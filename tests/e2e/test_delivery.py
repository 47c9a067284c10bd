"""pwb emailuser against the real wiki: what operators and recipients see of a delivery."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from harness import population as pop
from harness.checks import exactly_once, received
from harness.pwbconfig import SCRIPT, env_for

pytestmark = pytest.mark.wiki

BODY = '-text:Hello {username},\\nwelcome to {sitename}.'


def test_category_of_mixed_pages_gives_one_personal_mail_per_emailable_user(sender, mailbox):
    result = sender.run(f'-cat:{pop.CATEGORY}', '-subject:Meetup for {username}', BODY, '-always')
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(pop.CATEGORY_RECIPIENTS)
    by_address = {m.to_address: m for m in mailbox.messages()}
    for name in pop.CATEGORY_RECIPIENTS:
        mail = by_address[pop.EMAILABLE[name]]
        assert mail.subject == f'Meetup for {name}'
        assert mail.body.startswith(f'Hello {name},\nwelcome to Emailuser Test Wiki.\n')
        assert 'sender@senders.test' in mail.reply_to
    out = result.output
    # The plan comes before the first send and names every skip with its reason.
    assert out.index('6 users will be emailed.') < out.index('Alice: sent')
    assert 'no-such-user (1): Ghost' in out
    assert 'not-a-user (1): Event report (not a user page)' in out
    assert 'not-emailable (2): Dave' in out and 'Erin' in out
    assert '6 sent operations' in out


def test_non_ascii_subject_and_body_survive_smtp(sender, mailbox):
    subject = 'Grüße, {username} — 会议 🎉'
    result = sender.run(
        '-page:User:Jürgen Müller',
        f'-subject:{subject}',
        '-text:Zoë und Ærøskøbing: ça va, {username}?',
        '-always',
    )
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert mail.subject == 'Grüße, Jürgen Müller — 会议 🎉'
    assert mail.body.startswith('Zoë und Ærøskøbing: ça va, Jürgen Müller?\n')
    assert mail.to == 'Jürgen Müller <juergen@recipients.test>'


def test_ccme_sends_the_copy_to_the_sender(sender, mailbox):
    result = sender.run('-page:User:Alice', '-subject:Copy', BODY, '-ccme', '-always')
    assert result.returncode == 0, result.output
    counts = received(mailbox)
    assert counts == Counter({pop.EMAILABLE['Alice']: 1, 'sender@senders.test': 1})


def test_body_from_a_file_and_from_a_wiki_page(sender, mailbox, tmp_path, wiki):
    letter = tmp_path / 'letter.txt'
    letter.write_text('Liebe(r) {username},\nbis bald auf {sitename}.\n', encoding='utf-8')
    assert (
        sender.run('-page:User:Bob', '-subject:File', f'-textfile:{letter}', '-always').returncode
        == 0
    )
    assert (
        sender.run(
            '-page:User:Carol', '-subject:Page', f'-textpage:{pop.INVITATION_PAGE}', '-always'
        ).returncode
        == 0
    )
    mails = {m.subject: m for m in mailbox.messages()}
    assert mails['File'].body.startswith('Liebe(r) Bob,\nbis bald auf Emailuser Test Wiki.\n')
    assert mails['Page'].body.startswith(
        f'Hello Carol,\n\nread the report ({wiki.url}/index.php/Event_report) on Emailuser '
        'Test Wiki. See you there!\n'
    )
    assert '{{' not in mails['Page'].body and "'''" not in mails['Page'].body


@pytest.mark.parametrize(
    ('account', 'fragment'),
    [
        ('BlockedSender', 'is blocked from sending email'),
        ('NoAddressSender', 'has no email address'),
    ],
)
def test_preflight_failure_stops_before_anything_is_sent(
    sender_factory, mailbox, account, fragment
):
    runner = sender_factory(account)
    result = runner.run(f'-cat:{pop.CATEGORY}', '-subject:S', BODY, '-always')
    assert result.returncode == 1
    errors = [line for line in result.output.splitlines() if line.startswith('ERROR:')]
    assert len(errors) == 1 and fragment in errors[0]
    assert 'will be emailed' not in result.output
    assert mailbox.messages() == []


# Refused before the wiki's version matters: one version is enough.
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize(
    ('args', 'fragment'),
    [
        (['-subject:Hi {usernme}', BODY], 'unknown placeholder {usernme}'),
        ([BODY], 'A subject is required'),
        (['-subject:Hi', '-textfile:/nonexistent/letter.txt'], 'letter.txt does not exist'),
        (['-subject:Hi'], 'There is no message body'),
        (['-subject:Hi', BODY, '-textpage:Project:Invitation'], 'only once'),
        (['-subject:Hi', BODY, '-max:none'], 'not a positive whole number'),
        (['-subject:Hi', BODY, '-optout:Project:Nonexistent list'], 'does not exist'),
    ],
)
def test_bad_input_is_one_clear_error_and_nothing_is_sent(sender, mailbox, args, fragment):
    result = sender.run(f'-cat:{pop.CATEGORY}', *args, '-always')
    assert result.returncode == 1
    assert fragment in result.output
    assert mailbox.messages() == []


# Refused before the wiki's version matters: one version is enough.
@pytest.mark.mediawiki('1.39')
def test_missing_generator_is_refused(sender, mailbox):
    result = sender.run('-subject:Hi', BODY, '-always')
    assert result.returncode == 1
    assert 'generator' in result.output.lower()
    assert mailbox.messages() == []


# Refused before the wiki's version matters: one version is enough.
@pytest.mark.mediawiki('1.39')
def test_without_always_and_without_a_terminal_nothing_is_sent(sender, mailbox):
    result = sender.run(f'-cat:{pop.CATEGORY}', '-subject:Hi', BODY)
    assert result.returncode == 1
    assert 'add -always' in result.output
    assert '6 users will be emailed.' in result.output  # the plan is still shown
    assert mailbox.messages() == []


def test_max_caps_the_run_and_says_to_rerun(sender, mailbox):
    result = sender.run(f'-links:{pop.CROWD_PAGE}', '-subject:S', BODY, '-always', '-max:5')
    assert result.returncode == 75
    assert received(mailbox) == exactly_once(pop.CROWD[:5])
    assert '60 users will be emailed: 5 by this run (-max:5), the other 55 by later runs.' in (
        result.output
    )
    assert '-max:5' in result.output and 'run the same command again' in result.output


def test_simulate_sends_nothing_and_reports_simulated(sender, mailbox):
    result = sender.pwb(
        '-simulate', str(SCRIPT), f'-cat:{pop.CATEGORY}', '-subject:S', BODY, '-always'
    )
    assert result.returncode == 0, result.output
    assert mailbox.messages() == []
    assert '6 users would be emailed (simulation)' in result.output
    assert '6 simulated operations' in result.output


def test_emailable_check_is_batched_fifty_names_per_request(sender_factory, mailbox, wiki):
    def lookups():
        return [
            r
            for r in wiki.api_requests()
            if r.get('list') == 'users'
            and 'emailable' in r.get('usprop', '').split('|')
            # The recipients' batches: the members of MassMessage's opt-out category
            # are looked up too, in requests of their own.
            and any(n in r.get('ususers', '') for n in pop.CROWD)
        ]

    for account, expected in (('Sender', 2), ('BotSender', 1)):  # BotSender: apihighlimits
        before = len(lookups())
        before_sends = sum(r.get('action') == 'emailuser' for r in wiki.api_requests())
        result = sender_factory(account).run(
            f'-links:{pop.CROWD_PAGE}', '-subject:S', BODY, '-always', '-simulate'
        )
        assert result.returncode == 0, result.output
        assert len(lookups()) - before == expected, account
        sends = sum(r.get('action') == 'emailuser' for r in wiki.api_requests())
        assert sends == before_sends  # -simulate: not one emailuser request reached the wiki
    assert mailbox.messages() == []


def test_one_emailuser_post_per_recipient_and_nothing_else_per_recipient(sender, wiki):
    def run(*generator):
        before = len(wiki.api_requests())
        result = sender.run(*generator, '-subject:S', BODY, '-always')
        assert result.returncode == 0, result.output
        made = wiki.api_requests()[before:]
        sends = [r for r in made if r.get('action') == 'emailuser']
        assert all(r['method'] == 'POST' for r in sends)
        return len(sends), len(made) - len(sends)

    run('-page:User:Alice')  # fill Pywikibot's caches first
    one_sent, one_other = run('-page:User:Bob')
    many_sent, many_other = run(*(f'-page:User:{name}' for name in pop.CROWD))
    assert (one_sent, many_sent) == (1, len(pop.CROWD))
    # 60 recipients instead of 1, named the same way: one more lookup batch (of 50 names)
    # and one more batch confirming the names before the sends, nothing per recipient.
    # (The run for Bob may still fill a cache the first left.)
    assert many_other - one_other <= 2


def test_library_function_emails_a_list_of_names(sender, mailbox):
    code = (
        'import sys; sys.path.insert(0, sys.argv[1])\n'
        'import pywikibot\n'
        'from emailuserlib.run.pipeline import email_users\n'
        'counter = email_users(pywikibot.Site(), ["alice", "Dave", "Nobody here"],\n'
        '                      "Library {username}", "Sent from a script.")\n'
        'print(sorted(counter.items()))\n'
    )
    proc = subprocess.run(
        [sys.executable, '-c', code, str(SCRIPT.parent)],
        cwd=sender.config_dir,
        env=env_for(sender.config_dir),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "('sent', 1)" in proc.stdout
    assert "('not-emailable', 1)" in proc.stdout and "('no-such-user', 1)" in proc.stdout
    [mail] = mailbox.messages()
    assert (mail.to_address, mail.subject) == (pop.EMAILABLE['Alice'], 'Library Alice')


@pytest.mark.parametrize(
    ('recipient', 'account'),
    [(pop.MUTES_SENDER, 'Sender'), (pop.REFUSES_NEWCOMERS, 'NewSender')],
    ids=['muted-the-sender', 'refuses-new-accounts'],
)
def test_emailable_but_refused_is_explained_and_final(sender_factory, mailbox, recipient, account):
    runner = sender_factory(account)
    args = [f'-page:User:{recipient}', '-page:User:Alice', '-subject:S', BODY, '-always']
    check = runner.run(f'-page:User:{recipient}', '-check')
    assert f'emailable      {recipient}' in check.output  # the API cannot see it coming
    first = runner.run(*args)
    assert first.returncode == 0, first.output
    assert f'{recipient}: not-emailable (nowiki' in first.output
    assert 'from new accounts, or from this account' in first.output
    assert received(mailbox) == exactly_once(['Alice'])
    rerun = runner.run(*args)
    assert rerun.returncode == 0, rerun.output
    assert f'not-emailable (1): {recipient}' in rerun.output  # final: not tried again
    assert received(mailbox) == exactly_once(['Alice'])
