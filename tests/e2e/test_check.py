"""-check: each user's status, said and reported, with nothing sent and no journal written.

For a category, a list of names and ten thousand names, looked up in batches.
"""

from __future__ import annotations

from collections import Counter

import pytest

from harness import population as pop
from harness.checks import JOURNAL, report_rows
from harness.files import write

# What -check tells does not depend on the MediaWiki version: 1.39 only (see
# tests/conftest.py), but for the category checked by accounts that may not send.
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]


def check_lines(output: str) -> dict[str, str]:
    """Name -> status from -check's one line per user."""
    lines = {}
    for line in output.splitlines():
        status, _, rest = line.partition(' ')
        if status in {*pop.CATEGORY_STATUS.values(), 'opted-out'}:
            lines[rest.strip().split(' (')[0]] = status
    return lines


@pytest.mark.mediawiki('1.39', '1.43')
@pytest.mark.parametrize('account', ['Sender', 'BlockedSender', 'NoAddressSender'])
def test_check_gives_each_user_status_and_sends_nothing(sender_factory, mailbox, account, tmp_path):
    runner = sender_factory(account)
    report = tmp_path / 'check.csv'
    result = runner.run(f'-cat:{pop.CATEGORY}', '-check', f'-report:{report}')
    assert result.returncode == 0, result.output
    assert check_lines(result.stdout) == pop.CATEGORY_STATUS
    assert '10 users checked: 6 emailable, 2 not-emailable' in result.output
    assert mailbox.messages() == []
    assert not (runner.config_dir / JOURNAL).exists()
    rows = report_rows(report)
    assert {r['username']: r['status'] for r in rows} == pop.CATEGORY_STATUS
    assert report.stat().st_mode & 0o777 == 0o600


def test_check_lists_the_users_of_a_list(sender, mailbox, tmp_path):
    names = write(tmp_path, 'names.txt', f'Alice\n{pop.OPTED_OUT}\n{pop.GHOST}\nUser:Bob\n')
    result = sender.run(f'-users:{names}', '-check')
    assert result.returncode == 0, result.output
    for line in ('emailable      Alice', 'not-emailable  Dave', 'no-such-user   Ghost'):
        assert line in result.output
    assert '4 users checked: 2 emailable' in result.output
    assert mailbox.messages() == []


@pytest.mark.slow
def test_check_of_ten_thousand_users_is_batched(sender_factory, wiki, tmp_path):
    # 500 names a request with apihighlimits (the bot) over all 10,000; 50 a request
    # without, shown on the first 1,000, which ask as many requests as the bot's 10,000.
    runs = {'BotSender': (pop.BULK_COUNT, 500), 'Sender': (1000, 50)}
    for account, (count, per_request) in runs.items():
        titles = tmp_path / f'{account}.txt'
        names = pop.bulk_names(count)
        titles.write_text(''.join(f'[[User:{n}]]\n' for n in names), encoding='utf-8')
        before = len(wiki.api_requests())
        result = sender_factory(account).run(
            f'-file:{titles}', '-check', f'-report:{tmp_path / account}.csv', timeout=600
        )
        assert result.returncode == 0, result.output[-2000:]
        # The recipients' batches: the members of MassMessage's opt-out category are
        # looked up too, in requests of their own.
        lookups = [
            r
            for r in wiki.api_requests()[before:]
            if r.get('list') == 'users' and any(n in r.get('ususers', '') for n in names)
        ]
        assert len(lookups) == count // per_request, account
        rows = report_rows(tmp_path / f'{account}.csv')
        assert [r['username'] for r in rows] == names
        statuses = Counter(r['status'] for r in rows)
        without = count // pop.BULK_NO_EMAIL_EVERY
        assert statuses == {'emailable': count - without, 'not-emailable': without}
