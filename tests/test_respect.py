"""Respecting the people emailed: temporary accounts, MassMessage's opt-out category,
the way out in every mailing, a page per language, the new sender's warning."""

from __future__ import annotations

import pytest
import requests

from harness.checks import exactly_once, read_report, received

pytestmark = pytest.mark.wiki

SEND = ['-subject:Meetup', '-text:Hello {username}.', '-always']


def plan_lines(output: str) -> set[str]:
    return {' '.join(line.split()) for line in output.splitlines()}


def edit_without_logging_in(wiki, title: str) -> str:
    """Edit *title* as a reader who is not logged in; return the account the wiki made."""
    session = requests.Session()
    token = session.get(
        wiki.api_url, params={'action': 'query', 'meta': 'tokens', 'format': 'json'}, timeout=30
    ).json()['query']['tokens']['csrftoken']
    answer = session.post(
        wiki.api_url,
        data={'action': 'edit', 'title': title, 'appendtext': '\nA line.', 'token': token},
        params={'format': 'json'},
        timeout=30,
    ).json()
    assert answer['edit']['result'] == 'Success', answer
    page = wiki.api(action='query', prop='revisions', rvprop='user', titles=title)
    return page['query']['pages'][0]['revisions'][0]['user']


@pytest.mark.mediawiki('1.43')
def test_temporary_accounts_are_never_emailed_nor_posted_to(wiki, sender, mailbox, tmp_path):
    temp = edit_without_logging_in(wiki, 'Sandbox of a reader')
    assert temp.startswith('~'), temp
    never_made = '~2026-99999'  # a name of the wiki's pattern that is no account yet
    report = tmp_path / 'report.csv'
    pages = [f'-page:User:{temp}', f'-page:User talk:{never_made}', '-page:User:Alice']

    check = sender.run(*pages, '-check')
    assert check.returncode == 0, check.output
    lines = plan_lines(check.stdout)
    assert f'temporary-account {temp}' in lines and f'temporary-account {never_made}' in lines
    assert '3 users checked: 2 temporary-account, 1 emailable.' in check.output

    result = sender.run(*pages, '-fallback:talk', *SEND, f'-report:{report}')
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice'])
    assert f'temporary-account (2): {temp}, {never_made}' in plan_lines(result.output)
    assert 'talk page' not in result.output.split('End of the preview.')[0]
    assert wiki.page_text(f'User talk:{temp}') is None
    assert wiki.page_text(f'User talk:{never_made}') is None
    assert read_report(report) == {
        'Alice': ('sent', ''),
        temp: ('temporary-account', ''),
        never_made: ('temporary-account', ''),
    }
