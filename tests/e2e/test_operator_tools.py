"""-report, progress and -fallback:talk, against the real wiki and SMTP sink."""

from __future__ import annotations

import signal
from collections import Counter

import pytest

from harness import population as pop
from harness.checks import address, read_report, received, report_rows, wait_for_mail

# What this module tests does not depend on the MediaWiki version: it runs on 1.39 only,
# which keeps the suite within its time budget (see tests/conftest.py).
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

BODY = '-text:Hello {username}.'


def sent_in(report) -> set[str]:
    return {row['username'] for row in report if row['status'] in ('sent', 'already-sent')}


def addresses(names) -> Counter:
    return Counter(address(n) for n in names)


def test_report_of_a_run_and_its_rerun_matches_what_arrived(sender, mailbox, tmp_path):
    crowd = [f'-links:{pop.CROWD_PAGE}', '-subject:S', BODY, '-always']
    first = sender.run(*crowd, '-max:20', f'-report:{tmp_path / "first.csv"}')
    assert first.returncode == 75
    rows = report_rows(tmp_path / 'first.csv')
    assert list(rows[0]) == ['username', 'status', 'detail']
    assert Counter(r['status'] for r in rows) == {'sent': 20, 'pending': 40}
    assert addresses(sent_in(rows)) == received(mailbox)

    second = sender.run(*crowd, f'-report:{tmp_path / "second.csv"}')
    assert second.returncode == 0, second.output
    rows = report_rows(tmp_path / 'second.csv')
    assert Counter(r['status'] for r in rows) == {'already-sent': 20, 'sent': 40}
    assert addresses(sent_in(rows)) == received(mailbox)


def test_report_of_an_interrupted_run_matches_what_arrived(sender, mailbox, tmp_path):
    report = tmp_path / 'interrupted.csv'
    proc = sender.start(
        f'-links:{pop.CROWD_PAGE}', '-subject:S', BODY, '-always', f'-report:{report}'
    )
    wait_for_mail(mailbox, 8, proc)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(120) == 75, sender.log()
    rows = report_rows(report)
    assert len(rows) == 60
    assert addresses(sent_in(rows)) == received(mailbox)
    assert {r['status'] for r in rows} == {'sent', 'pending'}


def test_report_of_a_real_category_run_has_every_reason(sender, mailbox, tmp_path):
    report = tmp_path / 'run.csv'
    result = sender.run(f'-cat:{pop.CATEGORY}', '-subject:S', BODY, '-always', f'-report:{report}')
    assert result.returncode == 0
    rows = read_report(report)
    expected = {n: ('sent' if s == 'emailable' else s) for n, s in pop.CATEGORY_STATUS.items()}
    assert {n: s for n, (s, _) in rows.items()} == expected
    assert rows['Event report'][1] == 'not a user page'
    # The progress lines count and estimate as they go.
    assert '[1/6] Alice: sent, about' in result.output


@pytest.mark.slow
def test_long_put_throttle_waits_show_one_plain_line_in_a_log(sender, mailbox):
    # The wait is what this test shows, so it is real: 6 s, the shortest throttle whose
    # wait before Bob, less the time Alice's request took, stays over the 5 s from which
    # the script shows it (progress.LONG_WAIT).
    result = sender.pwb(
        str(sender_script()),
        '-pt:6',
        '-page:User:Alice',
        '-page:User:Bob',
        '-subject:S',
        BODY,
        '-always',
    )
    assert result.returncode == 0, result.output
    assert result.output.count('Put throttle: emailing Bob in') == 1
    assert 'Sleeping for' not in result.output.split('Alice: sent')[1]  # no second wait
    assert '\r' not in result.output and '\x1b' not in result.output
    assert len(mailbox.messages()) == 2


def sender_script():
    from harness.pwbconfig import SCRIPT

    return SCRIPT


def talk_sections(wiki, name: str) -> int:
    text = wiki.page_text(f'User talk:{name}') or ''
    return sum(1 for line in text.splitlines() if line.startswith('== '))


def test_fallback_posts_once_on_the_talk_page_of_users_without_email(sender, mailbox, wiki):
    args = [
        f'-page:User:{n}' for n in ('Alice', pop.NO_ADDRESS_POSTABLE, pop.NO_ADDRESS, pop.OPTED_OUT)
    ]
    args += ['-subject:Meetup for {username}', BODY, '-always', '-fallback:talk']
    before = {n: talk_sections(wiki, n) for n in (pop.NO_ADDRESS, pop.OPTED_OUT)}
    franks = talk_sections(wiki, pop.NO_ADDRESS_POSTABLE)  # other tests may post there too
    result = sender.run(*args)
    assert result.returncode == 0, result.output
    assert received(mailbox) == {pop.EMAILABLE['Alice']: 1}
    frank = wiki.page_text(f'User talk:{pop.NO_ADDRESS_POSTABLE}')
    assert frank.count('== Meetup for Frank ==') == 1
    assert 'Hello Frank. [[User:Sender|Sender]]' in frank  # signed with ~~~~
    # {{nobots}} on Erin's talk page, and Dave's talk page is in the opt-out category.
    assert {n: talk_sections(wiki, n) for n in before} == before
    assert 'forbids this bot' in result.output and 'Opted-out of message delivery' in result.output
    revision = wiki.api(
        action='query',
        prop='revisions',
        rvprop='comment',
        titles=f'User talk:{pop.NO_ADDRESS_POSTABLE}',
    )
    comment = revision['query']['pages'][0]['revisions'][0]['comment']
    assert 'Delivering a message that could not be sent by email' in comment

    again = sender.run(*args)
    assert again.returncode == 0, again.output
    assert talk_sections(wiki, pop.NO_ADDRESS_POSTABLE) == franks + 1
    assert len(mailbox.messages()) == 1
    assert 'posted on the talk page by an earlier run' in again.output
