"""A recipient is an account: renames, redirects, folded names and opt-outs that hold.

Each test is a way the wiki changes while a campaign runs for days: accounts
renamed (1.39 with Debian's Renameuser extension, 1.43 with
maintenance/renameUser.php), user pages edited by anyone, names written by hand
in other forms, people opting out while the run waits for its limit. Every test
makes accounts of its own, so that the tests do not depend on each other.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import Counter

import pytest

from harness import population as pop
from harness.checks import JOURNAL, journal_states, read_report, received
from harness.sessions import TIMEOUT, csrf_token, login
from harness.wiki import ADMIN

pytestmark = pytest.mark.wiki

DOMAIN = 'accounts.test'


def addr(name: str) -> str:
    """A distinct address for each account these tests make."""
    ascii_name = unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode()
    return re.sub(r'[^a-z0-9]', '', ascii_name.lower()) + f'@{DOMAIN}'


def make_users(wiki, *names: str, pages=()) -> None:
    wiki.add({'users': [{'name': n, 'email': addr(n)} for n in names], 'pages': list(pages)})


def args(subject: str, *more: str) -> list[str]:
    return [f'-subject:{subject}', '-text:Hello {username}.', '-always', *more]


@pytest.mark.slow
def test_a_rename_never_causes_a_second_mail_and_a_new_account_under_the_old_name_is_new(
    sender, mailbox, wiki, tmp_path
):
    make_users(wiki, 'Rena Old', pages=[{'title': 'User:Rena Old', 'text': 'Rena.'}])
    first = sender.run('-page:User:Rena Old', *args('Rename'))
    assert first.returncode == 0, first.output
    assert received(mailbox) == Counter({addr('Rena Old'): 1})

    wiki.rename_user('Rena Old', 'Rena New')
    report = tmp_path / 'report.csv'
    # The list left as it was (the old name, whose user page now redirects), and updated.
    for page in ('User:Rena Old', 'User:Rena New'):
        again = sender.run(f'-page:{page}', *args('Rename', f'-report:{report}'))
        assert again.returncode == 0, again.output
        assert read_report(report)['Rena New'][0] == 'already-sent'
    assert received(mailbox) == Counter({addr('Rena Old'): 1})

    # Someone registers the freed name: another person, who has not had the mail.
    wiki.add({'users': [{'name': 'Rena Old', 'email': f'newcomer@{DOMAIN}'}]})
    fresh = sender.run('-page:User:Rena Old', *args('Rename', f'-report:{report}'))
    assert fresh.returncode == 0, fresh.output
    assert read_report(report)['Rena Old'][0] == 'sent'
    assert received(mailbox) == Counter({addr('Rena Old'): 1, f'newcomer@{DOMAIN}': 1})


def test_a_journal_of_names_migrates_and_keeps_who_was_reached_through_a_rename(
    sender, mailbox, wiki
):
    make_users(wiki, 'Mig Old', 'Mig Other')
    first = sender.run('-page:User:Mig Old', '-page:User:Mig Other', *args('Migrate'))
    assert first.returncode == 0, first.output
    # Make the journal what schema 2 wrote: rows keyed by name only.
    path = sender.config_dir / JOURNAL
    db = sqlite3.connect(path)
    with db:
        db.execute('DROP INDEX recipient_by_account')
        db.execute('DROP INDEX recipient_by_name')
        db.execute(
            'CREATE TABLE v2 AS SELECT campaign, username, state, status, detail, final,'
            ' version, account, updated FROM recipient'
        )
        db.execute('DROP TABLE recipient')
        db.execute('ALTER TABLE v2 RENAME TO recipient')
        db.execute('PRAGMA user_version=2')
    db.close()
    wiki.rename_user('Mig Old', 'Mig New')
    again = sender.run('-page:User:Mig New', '-page:User:Mig Other', *args('Migrate'))
    assert again.returncode == 0, again.output
    assert received(mailbox) == Counter({addr('Mig Old'): 1, addr('Mig Other'): 1})
    db = sqlite3.connect(path)
    rows = dict(db.execute('SELECT username, userid IS NOT NULL FROM recipient'))
    assert db.execute('PRAGMA user_version').fetchone()[0] == 3
    db.close()
    assert rows == {'Mig New': 1, 'Mig Other': 1}


def test_a_live_account_is_its_own_recipient_whatever_its_user_page_says(
    sender, mailbox, wiki, tmp_path
):
    make_users(
        wiki,
        'Vic Bob',
        'Vic Mallory',
        pages=[{'title': 'User:Vic Bob', 'text': '#REDIRECT [[User:Vic Mallory]]'}],
    )
    users = tmp_path / 'team.csv'
    users.write_text('username,team\nVic Bob,Red\n', encoding='utf-8')
    result = sender.run(
        f'-users:{users}',
        '-page:User:Vic Bob',
        '-subject:Team {team}',
        '-text:Hello {username}, you are in team {team}.',
        '-always',
    )
    assert result.returncode == 0, result.output
    mails = mailbox.messages()
    assert [(m.to_address, m.subject) for m in mails] == [(addr('Vic Bob'), 'Team Red')]
    assert 'Hello Vic Bob, you are in team Red.' in mails[0].body


def test_optouts_hold_through_a_redirected_list_and_a_renamed_user(sender, mailbox, wiki):
    make_users(
        wiki,
        'Opt Red',
        'Opt Old',
        'Opt Keen',
        pages=[
            {'title': 'Project:Opt list', 'text': '* [[User:Opt Red]]\n* [[User:Opt Old]]'},
            {'title': 'Project:Opt redirect', 'text': '#REDIRECT [[Project:Opt list]]'},
            {'title': 'User:Opt Old', 'text': 'Old.'},
        ],
    )
    wiki.rename_user('Opt Old', 'Opt Renamed')
    result = sender.run(
        '-page:User:Opt Red',
        '-page:User:Opt Renamed',
        '-page:User:Opt Keen',
        *args('Optouts', '-optout:Project:Opt redirect'),
    )
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter({addr('Opt Keen'): 1})
    # Each with the list that named them, through its redirect and the rename.
    listed = (
        'linked from Emailuser Test Wiki:Opt list, which the opt-out list '
        'Emailuser Test Wiki:Opt redirect redirects to'
    )
    assert (
        f'opted-out (2): Opt Red ({listed}), Opt Renamed ({listed}, as Opt Old, renamed to '
        'Opt Renamed)'
    ) in ' '.join(result.output.split())


def test_names_in_forms_the_wiki_folds_reach_their_account(sender, mailbox, wiki, tmp_path):
    with wiki.extra_settings("$wgInvalidUsernameCharacters = '';"):
        # Valid on 1.39 and kept by 1.43, which no longer creates them.
        make_users(wiki, 'Ünïcødé', 'Erin Example', 'Nora Space', '=Equals', '@At')
    names = tmp_path / 'names.txt'
    names.write_text(
        unicodedata.normalize('NFD', 'Ünïcødé')
        + '\nErin\u00a0Example\nNora\u2003Space\n=Equals\n@At\n',
        encoding='utf-8',
    )
    result = sender.run(f'-users:{names}', *args('Folded'))
    assert result.returncode == 0, result.output
    expected = ['Ünïcødé', 'Erin Example', 'Nora Space', '=Equals', '@At']
    assert received(mailbox) == Counter({addr(n): 1 for n in expected})


def test_someone_who_opts_out_while_the_run_waits_is_not_mailed(
    sender_via_proxy_factory, proxy, mailbox, wiki, fresh_limits
):
    make_users(
        wiki,
        'Wait A',
        'Wait B',
        'Wait C',
        pages=[{'title': 'Category:Wait optout', 'text': 'Who wants no mail.'}],
    )
    admin = login(wiki, *ADMIN)
    token = csrf_token(wiki, admin)

    def opt_out():
        # An edit through the API, as a person makes it: the run's request waits for it
        # within its socket timeout, which a maintenance script can outlast on a busy machine.
        answer = admin.post(
            wiki.api_url,
            data={
                'action': 'edit',
                'title': 'User:Wait C/No',
                'text': '[[Category:Wait optout]]',
                'token': token,
                'format': 'json',
            },
            timeout=TIMEOUT,
        ).json()
        assert answer['edit']['result'] == 'Success', answer

    proxy.call('emailuser', opt_out, at=2)
    # 2 emails per 6 seconds. The email the proxy holds for the opt-out waits for it
    # beyond the proxied read timeout, however busy the machine.
    burst = sender_via_proxy_factory('BurstSender', extra='socket_timeout = (3, 120)\n')
    result = burst.run(
        '-page:User:Wait A',
        '-page:User:Wait B',
        '-page:User:Wait C',
        *args('Waiting', '-wait', '-optout:Category:Wait optout'),
    )
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter({addr('Wait A'): 1, addr('Wait B'): 1})
    assert 'Wait C: opted-out' in result.output


@pytest.mark.mediawiki('1.39')
def test_a_refused_run_changes_nothing(sender_via_proxy, proxy, mailbox, wiki, tmp_path):
    make_users(wiki, 'Ref One')
    proxy.arm('emailuser', '504-after', at=1)
    common = ['-page:User:Ref One', *args('Refused')]
    first = sender_via_proxy.run(*common)
    assert first.returncode == 1, first.output
    proxy.disarm()
    path = sender_via_proxy.config_dir / JOURNAL
    assert journal_states(path) == {'uncertain': 1}
    typo = sender_via_proxy.run(*common, '-resend:uncertain', '-ratelimit:many')
    assert typo.returncode == 1, typo.output
    no_terminal = sender_via_proxy.run(
        '-page:User:Ref One', '-subject:Refused', '-text:Hello {username}.', '-resend:uncertain'
    )
    assert no_terminal.returncode == 1, no_terminal.output
    assert 'add -always' in no_terminal.output
    assert journal_states(path) == {'uncertain': 1}
    plain = sender_via_proxy.run(*common, f'-report:{tmp_path / "r.csv"}')
    assert plain.returncode == 1, plain.output  # uncertain, as before the refused runs
    assert read_report(tmp_path / 'r.csv')['Ref One'][0] == 'uncertain'
    assert received(mailbox) == Counter({addr('Ref One'): 1})


@pytest.mark.mediawiki('1.39')
def test_a_new_journal_says_it_knows_no_other_journal(sender, mailbox, tmp_path):
    other = tmp_path / 'elsewhere' / 'journal.sqlite3'
    common = ['-page:User:Alice', *args('Another memory', f'-journal:{other}')]
    first = sender.run(*common)
    assert first.returncode == 0, first.output
    assert f'The journal {other} is new: runs recorded in any other journal' in first.output
    second = sender.run(*common)
    assert 'is new' not in second.output
    assert received(mailbox) == Counter({pop.EMAILABLE['Alice']: 1})
    # A refused run creates no journal.
    refused = tmp_path / 'refused.sqlite3'
    result = sender.run('-page:User:Alice', *args('X', f'-journal:{refused}', '-ratelimit:x'))
    assert result.returncode == 1
    assert not refused.exists()
