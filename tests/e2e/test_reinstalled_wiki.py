"""A journal from an earlier install of the same wiki: its user ids now name other people.

The wiki is installed again under the same identity (the same address and database
name) and its users are made again in another order: the user id of someone the
campaign emailed now belongs to someone it never emailed. An account is the account
the journal met, its user id and its registration time: the newcomer is emailed, and
the old row keeps its history.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from harness import population
from harness.checks import read_report
from harness.pwbconfig import SCRIPT, generate_family, make_config, run_pwb
from harness.wiki import LocalWiki

pytestmark = pytest.mark.wiki

DOMAIN = 'reinstalled.test'
FIRST, SECOND = 'Reinstall First', 'Reinstall Second'


def addr(name: str) -> str:
    return name.lower().replace(' ', '.') + f'@{DOMAIN}'


def accounts(wiki, *names: str) -> dict[str, tuple[int, str]]:
    users = wiki.api(action='query', list='users', ususers='|'.join(names), usprop='registration')[
        'query'
    ]['users']
    return {u['name']: (u['userid'], u['registration']) for u in users}


@pytest.mark.mediawiki('1.43')  # the registration time is the same on 1.39
def test_a_user_id_that_a_reinstalled_wiki_gives_to_someone_else_is_a_new_person(wiki, tmp_path):
    with LocalWiki(tmp_path / 'wiki', population.spec(), mediawiki=wiki.mediawiki) as fresh:
        config = make_config(
            tmp_path / 'pwb',
            generate_family(fresh, tmp_path / 'family'),
            'Sender',
            population.PASSWORD,
        )
        users = tmp_path / 'users.txt'
        journal = tmp_path / 'journal.sqlite3'
        report = tmp_path / 'report.csv'

        def run(name: str):
            users.write_text(f'{name}\n', encoding='utf-8')
            result = run_pwb(
                config,
                str(SCRIPT),
                f'-users:{users}',
                '-subject:Welcome back',
                '-text:Hello {username}.',
                '-always',
                f'-journal:{journal}',
                f'-report:{report}',
            )
            assert result.returncode == 0, result.stdout + result.stderr
            return read_report(report)[name]

        fresh.add({'users': [{'name': n, 'email': addr(n)} for n in (FIRST, SECOND)]})
        before = accounts(fresh, FIRST, SECOND)
        assert run(FIRST) == ('sent', '')

        # Installed again at the same address, its users made in the other order.
        fresh.stop_php()
        fresh.install()
        fresh.start_php()
        fresh.add({'users': [{'name': n, 'email': addr(n)} for n in (SECOND, FIRST)]})
        after = accounts(fresh, FIRST, SECOND)
        assert after[SECOND][0] == before[FIRST][0]
        assert after[SECOND][1] != before[FIRST][1]

        assert run(SECOND) == ('sent', '')
        assert fresh.mailbox.count_by_address() == Counter({addr(FIRST): 1, addr(SECOND): 1})
        # The row of the person the campaign emailed first is kept as it was.
        db = sqlite3.connect(journal)
        rows = sorted(db.execute('SELECT userid, registered, username, state FROM recipient'))
        db.close()
        assert rows == [
            (before[FIRST][0], before[FIRST][1], FIRST, 'sent'),
            (after[SECOND][0], after[SECOND][1], SECOND, 'sent'),
        ]
