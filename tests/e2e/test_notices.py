"""Notices that run themselves: -group:, -inactive:, -alsotalk, -after:, -deadline:, -logpage:.

The module's people are administrators of the test wiki (made once per wiki, with
registrations, edits and log entries dated years ago: harness.activity): Olga, Nils,
Sam and Sue inactive for years, Anna active, Quentin inactive without an address, and
Newbie registered only now. Other tests may add administrators of their own to the
wiki, and this module's tests email these people each with a journal of their own: a
test counts only the mail and the talk page sections of its own subjects.

The inactive-administrator notice runs from the README's two crontab lines
(examples/inactive-administrators.crontab), day after day, the journal's clock moved
instead of waited for; in between, Sue comes back.
"""

from __future__ import annotations

import csv
import json
import shutil
import signal
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from harness.activity import Edit, Logged, import_activity, set_registration
from harness.checks import JOURNAL, received
from harness.clock import backdate_reached
from harness.schedulers import EXAMPLES, crontab_commands, make_home, run_shell

pytestmark = pytest.mark.wiki

DOMAIN = 'notices.test'
OLGA, NILS, ANNA = 'Notice Olga', 'Notice Nils', 'Notice Anna'
QUENTIN = 'Notice Quentin'  # no address: the talk page only
NEWBIE = 'Notice Newbie'  # registered now: not inactive for a year
SAM, SUE = 'Notice Sam', 'Notice Sue'  # Sue comes back between the two notices
WITH_ADDRESS = [OLGA, NILS, ANNA, NEWBIE, SAM, SUE]
ADDRESSES = {n: n.split()[1].lower() + f'@{DOMAIN}' for n in WITH_ADDRESS}
PEOPLE = [*WITH_ADDRESS, QUENTIN]
NOW = datetime.now(timezone.utc)
LONG_AGO = datetime(2015, 1, 1, tzinfo=timezone.utc)
README = Path(__file__).resolve().parents[2] / 'README.md'
LOG_PAGE = 'Project:Inactive administrators/Notices'
SITENAME = 'Emailuser Test Wiki'
FIRST = f'Your administrator rights on {SITENAME}'
SECOND = f'Your administrator rights on {SITENAME}: last notice'


def utc(*date: int) -> datetime:
    return datetime(*date, tzinfo=timezone.utc)


@pytest.fixture(scope='session')
def administrators(wiki, tmp_path_factory):
    """The module's administrators on *wiki*, made once per wiki."""
    return wiki.once('notices: administrators', lambda: _administrators(wiki, tmp_path_factory))


def _administrators(wiki, tmp_path_factory):
    users = [{'name': n, 'email': a, 'groups': ['sysop']} for n, a in ADDRESSES.items()]
    users.append({'name': QUENTIN, 'groups': ['sysop']})
    wiki.add({'users': users})
    set_registration(wiki, [n for n in PEOPLE if n != NEWBIE], LONG_AGO)
    import_activity(
        wiki,
        [
            Edit(OLGA, 'Notice history of Olga', utc(2020, 1, 1)),
            Logged(OLGA, 'delete', 'delete', 'Notice deleted page', utc(2021, 3, 1)),
            Edit(ANNA, 'Notice history of Anna', NOW - timedelta(days=10)),
            Edit(QUENTIN, 'Notice history of Quentin', utc(2019, 5, 1)),
            Edit(SAM, 'Notice history of Sam', utc(2018, 1, 1)),
            Edit(SUE, 'Notice history of Sue', utc(2018, 2, 1)),
        ],
        tmp_path_factory.mktemp('notices'),
    )
    return wiki


def mine(mailbox, people=PEOPLE) -> Counter:
    """The mail this module's *people* received, by name."""
    names = {a: n for n, a in ADDRESSES.items() if n in people}
    return Counter({names[a]: c for a, c in received(mailbox).items() if a in names})


def sections(wiki, subject: str, people=PEOPLE) -> Counter:
    """How many sections headed *subject* the talk page of each of *people* has."""
    found = Counter()
    for name in people:
        text = wiki.page_text(f'User talk:{name}') or ''
        found[name] = text.count(f'== {subject} ==')
    return +found


def test_a_notice_to_inactive_administrators_by_email_and_on_their_talk_pages(
    administrators, sender, mailbox, tmp_path
):
    report = tmp_path / 'notice.csv'
    subject = 'Notice of inactivity'
    result = sender.run(
        '-group:sysop',
        '-inactive:365',
        '-alsotalk',
        f'-subject:{subject}',
        '-text:No edit or logged action since {lastactive}.',
        '-always',
        f'-report:{report}',
    )
    assert result.returncode == 0, result.output
    # Sue comes back in another test of this worker's wiki, maybe before this one.
    steady = [n for n in PEOPLE if n != SUE]
    assert mine(mailbox, steady) == {OLGA: 1, NILS: 1, SAM: 1}
    bodies = {m.to_address: m.body.splitlines()[0] for m in mailbox.messages()}
    assert bodies[ADDRESSES[OLGA]] == 'No edit or logged action since 2021-03-01.'
    assert bodies[ADDRESSES[NILS]] == 'No edit or logged action since 2015-01-01.'  # registered
    assert sections(administrators, subject, steady) == {n: 1 for n in (OLGA, NILS, SAM, QUENTIN)}
    out = ' '.join(result.output.split())
    assert 'Members of the group sysop:' in out
    assert 'Notice Olga (last active 2021-03-01, a logged action (delete))' in out
    assert 'Notice Anna (active: an edit on' in out
    assert 'Notice Newbie (registered on' in out and 'less than 365 days ago' in out
    assert 'of those emailed also get the message on their talk page and 1 who cannot' in out
    rows = {row['username']: row for row in report_rows_any(report)}
    assert rows[ANNA]['status'] == 'left-out' and rows[ANNA]['detail'].startswith('active: an edit')
    assert rows[QUENTIN]['status'] == 'not-emailable'
    assert rows[QUENTIN]['talk'] == f'posted (User talk:{QUENTIN})'
    assert rows[OLGA]['lastactive'] == '2021-03-01' and rows[OLGA]['talk'].startswith('posted')


def report_rows_any(path, columns=('talk', 'lastactive')) -> list[dict[str, str]]:
    """The rows of a report with the columns -alsotalk and -inactive: add."""
    with open(path, encoding='utf-8', newline='') as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ['username', 'status', 'detail', *columns]
        return list(reader)


def report_rows_talk(path) -> list[dict[str, str]]:
    return report_rows_any(path, ('talk',))


@pytest.mark.slow
@pytest.mark.mediawiki('1.43')
def test_the_inactive_administrator_notice_runs_from_two_crontab_lines_to_its_end(
    administrators, families, mailbox, tmp_path
):
    lines = crontab_commands(EXAMPLES / 'inactive-administrators.crontab')
    assert len(lines) == 2
    readme = README.read_text()
    for line in lines:
        assert line in readme, 'the README recipe is the sample'
    home = tmp_path / 'home'
    bot = make_home(home, families, 'Sender')
    for name in ('first-notice.txt', 'second-notice.txt'):
        shutil.copy(EXAMPLES / name, bot / name)

    def day(which=(0, 1)) -> list[dict]:
        """The lines, as cron runs them: nothing printed means no mail from cron."""
        found = []
        for at, status in enumerate(('first-notice.json', 'second-notice.json')):
            if at not in which:
                continue
            done = run_shell(lines[at], home)
            assert done.stdout + done.stderr == '', (bot / 'notices.log').read_text()
            found.append(json.loads((bot / status).read_text()))
        return found

    first, second = day()
    assert mine(mailbox) == {OLGA: 1, NILS: 1, SAM: 1, SUE: 1}
    inactive = {n: 1 for n in (OLGA, NILS, SAM, SUE, QUENTIN)}
    assert sections(administrators, FIRST) == inactive
    assert first['outcome'] == second['outcome'] == 'done'
    assert first['talk'] == {'posted': 5}
    assert 'sent' not in second['counts']  # nobody was reached 25 days ago yet
    first_mail = {m.to_address: m.body for m in mailbox.messages()}
    assert 'since 2021-03-01' in ' '.join(first_mail[ADDRESSES[OLGA]].split())

    # Sue comes back; 26 days pass.
    import_activity(administrators, [Edit(SUE, 'Notice comeback of Sue', NOW)], tmp_path)
    assert backdate_reached(bot / JOURNAL, 26 * 86400) > 0
    first, second = day()
    assert mine(mailbox) == {OLGA: 2, NILS: 2, SAM: 2, SUE: 1}
    assert sections(administrators, SECOND) == {n: 1 for n in (OLGA, NILS, SAM, QUENTIN)}
    assert first['counts'].get('sent', 0) == 0 and second['counts']['sent'] == 3
    assert second['talk'] == {'posted': 4}
    log = (bot / 'notices.log').read_text()
    assert f'{SUE} (active: an edit on {NOW:%Y-%m-%d}' in ' '.join(log.split())

    # The day after, the second line once more (the first ran again above): nothing more on
    # either channel.
    (second,) = day(which=(1,))
    assert second['outcome'] == 'done' and 'sent' not in second['counts']
    assert mine(mailbox) == {OLGA: 2, NILS: 2, SAM: 2, SUE: 1}
    assert sections(administrators, FIRST) == inactive
    assert sections(administrators, SECOND) == {n: 1 for n in (OLGA, NILS, SAM, QUENTIN)}
    logged = administrators.page_text(LOG_PAGE).splitlines()
    assert len([line for line in logged if 'first notice' in line]) == 5
    assert len([line for line in logged if 'second notice' in line]) == 4
    assert f'[[User:{QUENTIN}|<nowiki>{QUENTIN}</nowiki>]]: talk page' in '\n'.join(logged)
    assert '@' not in '\n'.join(logged)  # names, never addresses


@pytest.mark.mediawiki('1.43')
def test_a_deadline_that_passed_sends_nothing_and_ends_with_0(administrators, sender, mailbox):
    result = sender.run(
        '-group:sysop', '-subject:Too late', '-text:T', '-always', '-deadline:2025-01-31'
    )
    assert result.returncode == 0, result.output
    assert (
        'The deadline the end of 2025-01-31 (UTC) given with -deadline: has passed, and this '
        'campaign reached nobody before it: nothing was sent. Check the date.'
    ) in ' '.join(result.output.split())
    assert mailbox.messages() == []
    assert 'Plan for' not in result.output  # nothing was asked of the recipients


@pytest.mark.mediawiki('1.43')
def test_a_group_the_wiki_cannot_list_is_refused_naming_its_groups(administrators, sender):
    result = sender.run('-group:autoconfirmed', '-check')
    assert result.returncode == 1
    assert (
        '-group:autoconfirmed is a group the wiki gives implicitly, and cannot list the '
        'members of: give one of '
    ) in ' '.join(result.output.split())
    assert 'sysop' in result.output and '-group:user for every account' in result.output


@pytest.mark.mediawiki('1.39')
def test_email_and_talk_page_each_at_most_once_when_answers_are_lost(
    administrators, sender_via_proxy, proxy, mailbox, tmp_path
):
    subject = 'Notice under faults'
    args = [
        f'-page:User:{OLGA}',
        f'-page:User:{NILS}',
        f'-subject:{subject}',
        '-text:Hello {username}.',
        '-alsotalk',
        '-always',
    ]
    # Olga's talk page post: saved, its answer lost (proved from the page's history).
    proxy.arm('edit', '504-after', at=1)
    # Nils's email: sent, its answer lost; his post: lost before the wiki had it.
    proxy.arm('emailuser', '504-after', at=2)
    proxy.arm('edit', 'reset-before', at=2)
    first = sender_via_proxy.run(*args, f'-report:{tmp_path / "first.csv"}')
    assert first.returncode == 1, first.output  # an uncertain recipient
    proxy.disarm()
    rerun = sender_via_proxy.run(*args, f'-report:{tmp_path / "rerun.csv"}')
    assert rerun.returncode == 1, rerun.output
    assert mine(mailbox) == {OLGA: 1, NILS: 1}
    assert sections(administrators, subject) == {OLGA: 1}
    rows = {row['username']: row for row in report_rows_talk(tmp_path / 'rerun.csv')}
    assert rows[OLGA]['status'] == 'already-sent'
    assert rows[OLGA]['talk'] == 'posted (posted on the talk page by an earlier run)'
    assert rows[NILS]['status'] == 'uncertain'
    assert rows[NILS]['talk'].startswith('uncertain (talk page:')
    # Neither channel is tried again by itself: only -resend:uncertain would.
    assert proxy.forwarded('emailuser') == 2 and proxy.forwarded('edit') == 1


@pytest.mark.mediawiki('1.39')
def test_a_stop_between_the_email_and_the_post_leaves_the_post_to_the_next_run(
    administrators, sender_via_proxy, proxy, mailbox, tmp_path
):
    subject = 'Notice stopped between the channels'
    args = [
        *(f'-page:User:{n}' for n in (OLGA, NILS, SAM)),
        f'-subject:{subject}',
        '-text:Hello {username}.',
        '-alsotalk',
        '-always',
    ]
    run = {}
    # SIGTERM while Nils's email is on its way: it is finished and recorded, then the
    # run stops before his talk page post.
    proxy.call('emailuser', lambda: run['proc'].send_signal(signal.SIGTERM), at=2)
    run['proc'] = sender_via_proxy.start(*args)
    assert run['proc'].wait(120) == 75, sender_via_proxy.log()
    assert mine(mailbox) == {OLGA: 1, NILS: 1}
    assert sections(administrators, subject) == {OLGA: 1}
    rerun = sender_via_proxy.run(*args, f'-report:{tmp_path / "rerun.csv"}')
    assert rerun.returncode == 0, rerun.output
    assert mine(mailbox) == {OLGA: 1, NILS: 1, SAM: 1}
    assert sections(administrators, subject) == {OLGA: 1, NILS: 1, SAM: 1}
    rows = {row['username']: row for row in report_rows_talk(tmp_path / 'rerun.csv')}
    assert (rows[NILS]['status'], rows[NILS]['talk']) == (
        'already-sent',
        f'posted (User talk:{NILS})',
    )


@pytest.mark.mediawiki('1.39')
def test_a_stop_with_alsotalk_after_three_lost_answers_is_said_and_recorded(
    sender_via_proxy, proxy, mailbox, wiki, tmp_path
):
    # Three emails in a row whose answers are lost stop the run, the third one's talk
    # page post still due: it is left for the next run, as the status file says.
    names = [f'Notice Lost {i}' for i in range(1, 5)]
    wiki.add({'users': [{'name': n, 'email': f'lost{n[-1]}@{DOMAIN}'} for n in names]})
    status = tmp_path / 'status.json'
    proxy.arm('emailuser', '504-after', at=1, times=3)
    result = sender_via_proxy.run(
        *(f'-page:User:{n}' for n in names),
        '-alsotalk',
        '-subject:Notice lost answers',
        '-text:Hello {username}.',
        '-always',
        f'-statusfile:{status}',
        f'-report:{tmp_path / "report.csv"}',
    )
    assert 'Traceback' not in result.output, result.output
    # Stopped with recipients left (75); the uncertain ones are named for -resend:uncertain.
    assert result.returncode == 75, result.output
    assert 'The last 3 emails got no clear answer from the wiki' in result.output
    assert 'add -resend:uncertain' in result.output
    assert json.loads(status.read_text(encoding='utf-8'))['outcome'] == 'stopped'
    rows = {row['username']: row for row in report_rows_talk(tmp_path / 'report.csv')}
    assert [rows[n]['status'] for n in names] == ['uncertain'] * 3 + ['pending']
    assert [rows[n]['talk'].split(' ')[0] for n in names] == [
        'posted',
        'posted',
        'pending',
        'pending',
    ]
    assert sections(wiki, 'Notice lost answers', names) == {names[0]: 1, names[1]: 1}


@pytest.mark.mediawiki('1.39')
def test_a_post_of_alsotalk_is_the_post_of_fallback_talk_and_counts_as_reached(
    sender, mailbox, wiki
):
    # Quentin has no address: -alsotalk posts on his talk page. The next run of the
    # campaign counts him as reached, and -fallback:talk instead does not post again.
    name = 'Notice Talkonly'
    wiki.add({'users': [{'name': name}]})
    subject = 'Notice reached by talk'
    args = [f'-page:User:{name}', f'-subject:{subject}', '-text:Hello {username}.', '-always']
    first = sender.run(*args, '-alsotalk')
    assert first.returncode == 0, first.output
    again = sender.run(*args, '-alsotalk')
    assert again.returncode == 0, again.output
    assert '1 reached by earlier runs, with this text.' in again.output
    assert 'Talk pages: 1 already-posted' in again.output
    switched = sender.run(*args, '-fallback:talk')
    assert switched.returncode == 0, switched.output
    assert 'posted (1): Notice Talkonly (posted on the talk page by an earlier run)' in (
        switched.output
    )
    assert sections(wiki, subject, [name]) == {name: 1}
