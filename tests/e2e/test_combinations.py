"""Features together: opt-outs with the talk-page fallback, CSV values with renamed accounts.

Each test combines options that work on their own, and checks what a recipient
gets (or does not get) when they meet. Every test makes accounts of its own.
"""

from __future__ import annotations

from collections import Counter

import pytest

from harness import population as pop
from harness.checks import read_report, received
from harness.files import codes_campaign
from harness.histories import import_histories

pytestmark = pytest.mark.wiki

DOMAIN = 'combinations.test'


def addr(name: str) -> str:
    return name.lower().replace(' ', '') + f'@{DOMAIN}'


@pytest.mark.mediawiki('1.39')
def test_massmessage_optout_on_the_user_page_keeps_the_talk_page_fallback_away(
    sender, mailbox, wiki, tmp_path
):
    # Email off, and the user page (not the talk page) in MassMessage's opt-out category.
    wiki.add(
        {
            'users': [
                {'name': 'Comb Quiet', 'email': addr('Comb Quiet'), 'options': {'disablemail': 1}}
            ],
            'pages': [
                {'title': 'User:Comb Quiet', 'text': f'No, thanks. [[{pop.OPTOUT_CATEGORY}]]'}
            ],
        }
    )
    report = tmp_path / 'report.csv'
    result = sender.run(
        '-page:User:Comb Quiet',
        '-fallback:talk',
        '-subject:Fallback',
        '-text:Hello {username}.',
        '-always',
        f'-report:{report}',
    )
    assert result.returncode == 0, result.output
    plan = ' '.join(result.output.split())
    assert "unless {{bots}}/{{nobots}} there or MassMessage's opt-out category" in plan
    assert wiki.page_text('User talk:Comb Quiet') is None
    assert received(mailbox) == Counter()
    status, detail = read_report(report)['Comb Quiet']
    assert status == 'not-emailable'
    assert f'user page is in {pop.OPTOUT_CATEGORY}' in detail


@pytest.mark.mediawiki('1.39')
def test_a_csv_row_of_another_name_never_gives_its_values_to_an_account_with_its_own_row(
    sender, mailbox, wiki, tmp_path
):
    # "Comb Typo" has no account; its user page was made to redirect to Comb Ann's.
    wiki.add(
        {
            'users': [{'name': 'Comb Ann', 'email': addr('Comb Ann')}],
            'pages': [{'title': 'User:Comb Typo', 'text': '#REDIRECT [[User:Comb Ann]]'}],
        }
    )
    args, report = codes_campaign(tmp_path, 'Comb Typo,SECRET-17\nComb Ann,ANN-2\n')
    result = sender.run(*args)
    assert 'Traceback' not in result.output
    assert 'SECRET-17' not in ''.join(m.body for m in mailbox.messages())
    # The rename log does not confirm the redirect: the typed name is nobody, and
    # Comb Ann gets her own row's value only.
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter({addr('Comb Ann'): 1})
    assert 'Your code is ANN-2.' in mailbox.messages()[0].body
    assert read_report(report)['Comb Typo'][0] == 'no-such-user'


@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize('user_page', ['user page', 'no user page'])
def test_a_row_under_the_old_name_and_the_edits_under_the_new_one_meet_in_one_mail(
    sender, mailbox, wiki, tmp_path, user_page
):
    # Without a user page, no redirect is left behind: the rename log says who it is.
    old, new = ('Comb Old', 'Comb New') if user_page == 'user page' else ('Comb Bare', 'Comb Clad')
    pages = [{'title': f'User:{old}', 'text': 'Comb.'}] if user_page == 'user page' else []
    wiki.add({'users': [{'name': old, 'email': addr(old)}], 'pages': pages})
    edited = f'{old} edited page'
    import_histories(wiki, {edited: [old]}, tmp_path)
    wiki.rename_user(old, new)
    users = tmp_path / 'teams.csv'
    users.write_text(f'username,team\n{old},Blue\n', encoding='utf-8')
    report = tmp_path / 'report.csv'
    result = sender.run(
        f'-users:{users}',
        f'-page:{edited}',
        '-editors',
        '-subject:Thanks',
        '-text:Team {team}: {edits} to {pages}.',
        '-always',
        f'-report:{report}',
    )
    assert result.returncode == 0, result.output
    mails = mailbox.messages()
    assert [m.to_address for m in mails] == [addr(old)]
    assert f'Team Blue: 1 edit to {edited}.' in mails[0].body
    assert read_report(report)[new][0] == 'sent'


@pytest.mark.mediawiki('1.39')
def test_an_optout_list_on_the_command_line_adds_to_the_one_in_scripts_ini(sender, mailbox, wiki):
    wiki.add(
        {
            'users': [
                {'name': n, 'email': addr(n)} for n in ('Comb Always', 'Comb Event', 'Comb Yes')
            ],
            'pages': [
                {'title': 'Project:Comb never', 'text': '* [[User:Comb Always]]'},
                {'title': 'Project:Comb event', 'text': '* [[User:Comb Event]]'},
            ],
        }
    )
    (sender.config_dir / 'scripts.ini').write_text(
        '[emailuser]\noptout = Project:Comb never\n', encoding='utf-8'
    )
    result = sender.run(
        *(f'-page:User:Comb {n}' for n in ('Always', 'Event', 'Yes')),
        '-optout:Project:Comb event',
        '-subject:Opt-outs add up',
        '-text:Hello {username}.',
        '-always',
    )
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter({addr('Comb Yes'): 1})
    assert 'opted-out (2)' in ' '.join(result.output.split())


@pytest.mark.mediawiki('1.39')
def test_a_csv_row_never_gives_its_values_to_a_newcomer_under_a_renamed_users_old_name(
    sender, mailbox, wiki, tmp_path
):
    wiki.add(
        {
            'users': [{'name': 'Comb Was', 'email': addr('Comb Was')}],
            'pages': [{'title': 'User:Comb Was', 'text': 'Was.'}],
        }
    )
    users = tmp_path / 'codes.csv'
    users.write_text('username,code\nComb Was,WAS-42\n', encoding='utf-8')
    send = [f'-users:{users}', '-subject:Your code', '-text:Your code is {code}.', '-always']
    first = sender.run(*send)
    assert first.returncode == 0, first.output
    assert received(mailbox) == Counter({addr('Comb Was'): 1})

    # The account is renamed, and someone else registers the freed name.
    wiki.rename_user('Comb Was', 'Comb Now')
    wiki.add({'users': [{'name': 'Comb Was', 'email': f'newcomer@{DOMAIN}'}]})
    again = sender.run(*send)
    assert 'Traceback' not in again.output
    assert received(mailbox) == Counter({addr('Comb Was'): 1})
    assert again.returncode == 1, again.output
    assert 'Comb Was' in again.output and 'Comb Now' in again.output


@pytest.mark.mediawiki('1.39')
def test_a_user_named_by_a_file_and_left_out_as_an_editor_is_one_line_of_the_plan(
    sender, mailbox, wiki, tmp_path
):
    wiki.add({'users': [{'name': n, 'email': addr(n)} for n in ('Comb Few', 'Comb Many')]})
    import_histories(wiki, {'Comb counted page': ['Comb Few', 'Comb Many', 'Comb Many']}, tmp_path)
    users = tmp_path / 'named.csv'
    users.write_text('username,team\nComb Few,Red\n', encoding='utf-8')
    report = tmp_path / 'report.csv'
    result = sender.run(
        f'-users:{users}',
        '-page:Comb counted page',
        '-editors',
        '-minedits:2',
        '-subject:Named',
        '-text:Hello {username}.',
        '-always',
        f'-report:{report}',
    )
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter({addr('Comb Few'): 1, addr('Comb Many'): 1})
    assert read_report(report) == {'Comb Few': ('sent', ''), 'Comb Many': ('sent', '')}
    assert 'fewer than -minedits:2' not in result.output


@pytest.mark.mediawiki('1.39')
def test_ignoremassoptout_in_scripts_ini_is_refused_and_emails_nobody(sender, mailbox):
    path = sender.config_dir / 'scripts.ini'
    path.write_text('[emailuser]\nignoremassoptout = yes\n', encoding='utf-8')
    result = sender.run(
        f'-page:User:{pop.MASSMESSAGE_OPTED_OUT}',
        '-subject:Standing notice',
        '-text:Hello {username}.',
        '-always',
    )
    assert result.returncode == 1, result.output
    assert 'Traceback' not in result.output
    assert (
        f'{path} [emailuser] ignoremassoptout = yes: ignoremassoptout acts on one run only'
    ) in ' '.join(result.output.split())
    assert mailbox.messages() == []


@pytest.mark.mediawiki('1.39')
def test_the_header_of_a_one_column_csv_file_is_nobody_to_email(sender, mailbox, wiki, tmp_path):
    # An account of that name exists, as on large wikis.
    wiki.add({'users': [{'name': 'Username', 'email': addr('Username')}]})
    users = tmp_path / 'column.csv'
    users.write_text('username\nAlice\n', encoding='utf-8')
    result = sender.run(f'-users:{users}', '-subject:Column', '-text:Hello {username}.', '-always')
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter({pop.EMAILABLE['Alice']: 1})


@pytest.mark.mediawiki('1.39')
def test_a_user_on_an_optout_list_stays_out_after_a_rename_without_a_user_page(
    sender, mailbox, wiki
):
    # No user page: the rename leaves no redirect, only the wiki's rename log.
    wiki.add(
        {
            'users': [{'name': 'Comb Hush', 'email': addr('Comb Hush')}],
            'pages': [{'title': 'Project:Comb hush list', 'text': '* [[User:Comb Hush]]'}],
        }
    )
    wiki.rename_user('Comb Hush', 'Comb Loud')
    result = sender.run(
        '-page:User:Comb Loud',
        '-page:User:Alice',
        '-optout:Project:Comb hush list',
        '-subject:Renamed opt-out',
        '-text:Hello {username}.',
        '-always',
    )
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter({pop.EMAILABLE['Alice']: 1})
    assert 'opted-out (1): Comb Loud' in ' '.join(result.output.split())
