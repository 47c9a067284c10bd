"""Every line the operator reads is true, and a second mailing is never silently a no-op.

The README's quick start and recipes run as written against the real wiki, and each
test reads what the operator reads: the plan (how many now and how many later, the
campaign, the pages and who edited them, who is skipped and why), the preview, the end
lines and the exit status; and what the recipients got.
"""

from __future__ import annotations

import re
import shlex
import time
import uuid
from pathlib import Path

import pytest

from harness import population as pop
from harness.checks import JOURNAL, exactly_once, one_line, read_report, received, report_rows
from harness.sessions import csrf_token, login

pytestmark = pytest.mark.wiki

README = Path(__file__).resolve().parents[2] / 'README.md'
#: How the wiki names the project namespace, in what the operator reads.
PROJECT = 'Emailuser Test Wiki:'
PROGRESS = re.compile(r'^\[\d+/\d+\] .*$', re.M)


def readme_commands(section: str) -> list[list[str]]:
    """The ``pwb emailuser`` lines of the README's *section* (a heading), as arguments."""
    text = README.read_text(encoding='utf-8')
    part = text.split(f'\n{section}\n', 1)[1]
    part = re.split(r'\n#{2,3} ', part, maxsplit=1)[0]
    found = []
    for line in part.splitlines():
        words = line.strip()
        if words.startswith('pwb emailuser '):
            found.append(shlex.split(words)[2:])
    return found


def quick_start(has: str, lacks: tuple[str, ...] = ()) -> list[str]:
    """The quick start's command with the argument *has* and none of *lacks*."""
    return next(
        c
        for c in readme_commands('## Quick start')
        if has in c and not any(word in c for word in lacks)
    )


#: The quick start's runs: the dry run, the test email, the real run, the reminder.
STEPS = {
    'simulate': ('-simulate', ()),
    'test': ('-test', ()),
    'send': ('-textfile:invitation.txt', ('-simulate', '-test')),
    'reminder': ('-textfile:reminder.txt', ()),
}


def edit(wiki, user: str, title: str, text: str, sessions: dict) -> None:
    """Save *text* as *title*, as *user* does through the API."""
    if user not in sessions:
        sessions[user] = login(wiki, user)
    session = sessions[user]
    answer = session.post(
        wiki.api_url,
        data={
            'action': 'edit',
            'title': title,
            'text': text,
            'summary': 'test',
            'token': csrf_token(wiki, session),
            'format': 'json',
        },
        timeout=30,
    ).json()
    assert answer.get('edit', {}).get('result') == 'Success', answer


def progress(output: str) -> list[str]:
    return PROGRESS.findall(output)


def show(title: str, output: str) -> None:
    """What the operator read, for ``pytest -s``."""
    print(f'\n===== {title}\n{output}')


@pytest.mark.mediawiki('1.39')
def test_the_quick_start_says_what_each_run_does(sender_factory, mailbox, fresh_limits):
    """The quick start on an account that may send 3 emails a day: each run says how many
    it emails now and how many later runs will, the time this run takes, and stops at the
    limit as the plan said, without an error."""
    operator = sender_factory('LimitedSender')
    (operator.config_dir / 'invitation.txt').write_text('Hello {username},\n\ncome along.\n')
    simulate, trial, send = (quick_start(*STEPS[step]) for step in ('simulate', 'test', 'send'))
    journal = operator.config_dir / JOURNAL

    dry = operator.run(*simulate)
    show('-simulate', dry.output)
    assert dry.returncode == 0, dry.output
    assert (
        '  6 users would be emailed (simulation); a real run would email 3 and stop at the '
        "account's email limit, the other 3 by later runs."
    ) in dry.output
    # The warning names what is true of this run: it writes no journal.
    assert f'WARNING: The journal {journal} does not exist yet (a real run creates it)' in (
        dry.output
    )
    assert not journal.exists()
    # The simulation waits for nothing, and its progress says so.
    assert progress(dry.output) and not any(
        re.search(r'\d+ (day|h|min)', line) for line in progress(dry.output)
    ), dry.output
    assert 'ERROR' not in dry.output

    test = operator.run(*trial)
    show('-test', test.output)
    assert test.returncode == 0, test.output
    # -test creates the journal (it counts the test email there): it warns.
    assert f'WARNING: The journal {journal} is new: runs recorded in any other journal' in (
        test.output
    )
    assert journal.exists()

    sent = operator.run(*send)
    show('the real run', sent.output)
    assert sent.returncode == 75, sent.output
    assert (
        "  6 users will be emailed: 2 by this run, which stops at the account's email limit, "
        'the other 4 by later runs (or by this one with -wait).'
    ) in sent.output
    assert re.search(
        r'^  Estimated time: about \d+ s for this run \(put throttle 0 s\); about \d+ days? '
        r'until all 6 are emailed \(rate limit\)\.$',
        sent.output,
        re.M,
    ), sent.output
    assert 'is new' not in sent.output  # the journal was there
    # The progress counts what this process sends, and the time it takes.
    lines = progress(sent.output)
    assert [line.split(' ')[0] for line in lines] == ['[1/2]', '[2/2]'], sent.output
    assert not any(re.search(r'\d+ (day|h)', line) for line in lines), sent.output
    assert (
        "Stopped at the account's email limit of 3 emails per day (the wiki) after 2 emails "
        'in this run, with 4 still to send'
    ) in sent.output
    assert 'ERROR' not in sent.output  # a stop the plan foresaw

    again = operator.run(*send)
    show('the same command again', again.output)
    assert again.returncode == 75, again.output
    assert '    2 reached by earlier runs, with this text.' in again.output
    assert (
        "  4 users will be emailed, none by this run: the account's email limit is reached."
    ) in again.output
    assert "The account's email limit of 3 emails per day (the wiki) allows no email now" in (
        again.output
    )
    assert 'ERROR' not in again.output and 'Preview of the email' not in again.output

    counts = received(mailbox)
    assert counts.pop(pop.SENDERS['LimitedSender'][0]) == 1  # the test email
    assert counts == exactly_once([re.match(r'\[\d+/\d+\] (.*?): ', r).group(1) for r in lines])


@pytest.mark.mediawiki('1.39')
def test_a_second_mailing_is_never_silently_a_no_op(sender, mailbox):
    """The quick start's invitation, then a reminder: built the natural wrong ways, each is
    refused in one sentence that says how; built as the README says, it goes. (A subject
    of placeholders only is refused at the door: tests/unit/test_options_campaign_name.py.)"""
    folder = sender.config_dir
    (folder / 'invitation.txt').write_text('Hello {username}, come to the meetup.\n')
    (folder / 'reminder.txt').write_text('Reminder, {username}: the meetup is on Saturday.\n')
    send, reminder = quick_start(*STEPS['send']), quick_start(*STEPS['reminder'])
    assert any(a.startswith('-campaign:') for a in reminder), 'step 10 names the campaign'

    first = sender.run(*send)
    assert first.returncode == 0, first.output
    assert received(mailbox) == exactly_once(pop.CATEGORY_RECIPIENTS)

    # A reminder written as the same command with a new text: it would reach nobody.
    (folder / 'invitation.txt').write_text('Reminder, {username}: the meetup is on Saturday.\n')
    same = sender.run(*send)
    show('the same subject with a new text', same.output)
    assert same.returncode == 1, same.output
    assert (
        'ERROR: Nothing was sent: the campaign "Meetup on Saturday" reached everyone of this '
        'run with another text (6 users: '
    ) in same.output
    assert 'give the mailing a name of its own with -campaign:"NEW NAME".' in same.output
    assert 'Script terminated successfully' not in same.output
    assert 'this run sends the text as it is now' not in same.output
    assert len(mailbox.messages()) == 6

    # The README's reminder: a campaign of its own.
    named = sender.run(*reminder)
    show('the README reminder', named.output)
    assert named.returncode == 0, named.output
    assert '  Campaign "Meetup reminder" in ' in named.output
    assert '    nobody reached yet.' in named.output
    reminders = [m for m in mailbox.messages() if m.body.startswith('Reminder')]
    assert sorted(m.to_address for m in reminders) == sorted(
        pop.EMAILABLE[n] for n in pop.CATEGORY_RECIPIENTS
    )

    # A new subject without -campaign:, to someone reached days ago: the guard's sentence.
    subject = next(a for a in reminder if a.startswith('-subject:'))
    guard = sender.run('-page:User:Alice', subject, '-text:Hi.', '-always')
    show('a new subject, without -campaign:', guard.output)
    assert guard.returncode == 1, guard.output
    assert re.search(
        r'ERROR: Alice was emailed in the last 7 days by the campaign "Meetup (on Saturday|'
        r'reminder)": if this run corrects that mailing, add -campaign:',
        one_line(guard.output),
    ), guard.output
    assert len(mailbox.messages()) == 12


@pytest.mark.mediawiki('1.39')
def test_every_page_whose_text_is_sent_is_named_as_the_wiki_resolves_it(
    wiki, sender, mailbox, tmp_path
):
    """A language page that redirects into someone's user space, just written by another
    account: the plan and the preview name the page that is sent and who wrote it."""
    sessions: dict = {}
    n = uuid.uuid4().hex[:6]
    base = f'Project:Truth invitation {n}'
    target = f'User:BotSender/Einladung {n}'
    edit(wiki, 'Sender', base, 'Hello {username}, welcome.', sessions)
    edited = time.monotonic()
    sessions['BotSender'] = login(wiki, 'BotSender')
    # The wiki's timestamps are in seconds: the next edit is later than the base page's.
    time.sleep(max(0.0, 1.1 - (time.monotonic() - edited)))
    edit(wiki, 'BotSender', target, 'Hallo {username}, willkommen.', sessions)
    edit(wiki, 'Sender', f'{base}/de', f'#REDIRECT [[{target}]]', sessions)
    rows = tmp_path / 'readers.csv'
    rows.write_text('username,lang\nAlice,de\nBob,sv\n')
    result = sender.run(
        '-simulate',
        f'-users:{rows}',
        '-subject:Invitation',
        f'-textpage:{base}/{{lang}}',
        '-always',
    )
    show('a page per language', result.output)
    assert result.returncode == 0, result.output
    lines = result.output.splitlines()
    named = f'{PROJECT}Truth invitation {n}'
    assert re.search(
        rf'^    {re.escape(named)}/de, which redirects to {re.escape(target)}, last edited by '
        r'BotSender on \d{4}-\d\d-\d\d \d\d:\d\d UTC: 1 user \(Alice\)$',
        result.output,
        re.M,
    ), result.output
    # The base page is the sender's own: nothing more to say of it.
    assert f'    {named} ({base}/sv does not exist): 1 user (Bob)' in lines
    assert re.search(
        rf'^WARNING: The text of the page {re.escape(target)} goes to 1 user under your name, '
        r'and BotSender edited it last, on [\d: -]+ UTC, after the base page '
        rf'{re.escape(named)} and within the last day: read the page before you send\.$',
        result.output,
        re.M,
    ), result.output
    assert (
        f'Preview of the email to Alice (the page {target}, through the redirect {named}/de):'
        in (lines)
    )
    assert '  Hallo Alice, willkommen.' in lines
    assert f'Preview of the email to Bob (the page {named}):' in lines

    # One page, through the fixtures' redirect: named as the wiki renders it.
    one = sender.run(
        '-simulate',
        '-page:User:Alice',
        '-subject:S',
        f'-textpage:{pop.REGISTRATION_REDIRECT}',
        '-always',
    )
    assert one.returncode == 0, one.output
    assert re.search(
        rf'^  Text of the page {PROJECT}Register, which redirects to {PROJECT}Registration, '
        r'last edited by Fixture setup on [\d: -]+ UTC\.$',
        one.output,
        re.M,
    ), one.output
    assert mailbox.messages() == []


@pytest.mark.mediawiki('1.39')
def test_every_opted_out_user_has_the_list_that_named_them(wiki, sender, mailbox, tmp_path):
    """An opt-out list given by its redirect, naming one user by a name whose user page
    redirects to the account: the reason is in -check and its report."""
    sessions: dict = {}
    n = uuid.uuid4().hex[:6]
    listing, given = f'Project:Truth no mail {n}', f'Project:Truth nomail {n}'
    edit(wiki, 'Sender', listing, '* [[User:Alice]]\n* [[User:Old Heidi]]', sessions)
    edit(wiki, 'Sender', given, f'#REDIRECT [[{listing}]]', sessions)
    report = tmp_path / 'check.csv'
    check = sender.run(f'-cat:{pop.CATEGORY}', '-check', f'-optout:{given}', f'-report:{report}')
    show('-check with an opt-out list', check.output)
    assert check.returncode == 0, check.output
    listed = (
        f'linked from {PROJECT}Truth no mail {n}, which the opt-out list '
        f'{PROJECT}Truth nomail {n} redirects to'
    )
    heidi = f'{listed}, as Old Heidi, whose user page redirects to Heidi'
    lines = check.stdout.splitlines()
    assert f'opted-out      Alice ({listed})' in lines, check.output
    assert f'opted-out      Heidi ({heidi})' in lines, check.output
    rows = read_report(report)
    assert rows['Alice'] == ('opted-out', listed)
    assert rows['Heidi'] == ('opted-out', heidi)
    # The plan says the same (tests/test_accounts.py reads it through a rename too).
    assert mailbox.messages() == []


@pytest.mark.mediawiki('1.39')
def test_the_readme_s_editors_text_reads_right_for_one_edit(wiki, sender, mailbox, tmp_path):
    """The README's -editors recipe, on a page one account edited once: "your 1 edit", and
    the report's edits column a number."""
    [recipe] = readme_commands('### Email the editors of a set of articles')
    message = [a for a in recipe if a.startswith(('-subject:', '-text:'))]
    page = f'Truth edits {uuid.uuid4().hex[:6]}'
    edit(wiki, 'LimitedSender', page, 'A bird.', {})
    report = tmp_path / 'editors.csv'
    result = sender.run('-editors', f'-page:{page}', *message, '-always', f'-report:{report}')
    show('-editors', result.output)
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert mail.to_address == pop.SENDERS['LimitedSender'][0]
    assert mail.body.startswith(f'Thank you for your 1 edit to {page}. Join us next week!')
    [row] = [r for r in report_rows(report) if r['username'] == 'LimitedSender']
    assert (row['status'], row['edits'], row['pages']) == ('sent', '1', page)
