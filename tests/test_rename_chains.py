"""The rename log followed forward in time: a name freed by a rename and registered again
belongs to someone else, a name renamed from more than one account is nobody to guess, and
a log that cannot be read stops the run instead of dropping an opt-out."""

from __future__ import annotations

from collections import Counter

import pytest

from harness.checks import read_report, received
from harness.files import codes_campaign

pytestmark = pytest.mark.wiki
DOMAIN = 'renames.test'


def addr(name: str) -> str:
    return name.lower().replace(' ', '') + f'@{DOMAIN}'


def optout_page(title: str, name: str) -> dict:
    return {'title': title, 'text': f'* [[User:{name}]]'}


def test_a_row_follows_its_account_through_two_renames_not_to_who_took_the_middle_name(
    sender, mailbox, wiki, tmp_path
):
    wiki.add({'users': [{'name': 'Rc Alise', 'email': addr('Rc Alise')}]})
    wiki.rename_user('Rc Alise', 'Rc Mid')
    wiki.rename_user('Rc Mid', 'Rc Final')
    wiki.add({'users': [{'name': 'Rc Mid', 'email': addr('Rc Stranger')}]})
    args, report = codes_campaign(tmp_path, 'Rc Alise,SECRET-ALISE\n')
    result = sender.run(*args)
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter({addr('Rc Alise'): 1})
    assert 'SECRET-ALISE' in mailbox.messages()[0].body
    assert read_report(report)['Rc Final'][0] == 'sent'


def test_an_optout_follows_its_account_through_two_renames(sender, mailbox, wiki):
    wiki.add(
        {
            'users': [{'name': 'Rd Alise', 'email': addr('Rd Alise')}],
            'pages': [optout_page('Project:Rd optout', 'Rd Alise')],
        }
    )
    wiki.rename_user('Rd Alise', 'Rd Mid')
    wiki.rename_user('Rd Mid', 'Rd Final')
    wiki.add({'users': [{'name': 'Rd Mid', 'email': addr('Rd Stranger')}]})
    result = sender.run(
        '-page:User:Rd Final',
        '-page:User:Rd Mid',
        '-subject:Optout chain',
        '-text:Hi.',
        '-always',
        '-optout:Project:Rd optout',
    )
    assert result.returncode == 0, result.output
    # Alise opted out under her first name; whoever took her middle name did not.
    assert received(mailbox) == Counter({addr('Rd Stranger'): 1})


def test_a_name_given_up_by_two_accounts_opts_out_both_and_mails_neither_by_a_row(
    sender, mailbox, wiki, tmp_path
):
    wiki.add(
        {
            'users': [{'name': 'Ru Pat', 'email': addr('Ru Pat')}],
            'pages': [optout_page('Project:Ru optout', 'Ru Pat')],
        }
    )
    wiki.rename_user('Ru Pat', 'Ru Pat Renamed')
    wiki.add({'users': [{'name': 'Ru Pat', 'email': addr('Ru Second')}]})
    wiki.rename_user('Ru Pat', 'Ru Second')
    optout = sender.run(
        '-page:User:Ru Pat Renamed',
        '-page:User:Ru Second',
        '-subject:Reused',
        '-text:Hi.',
        '-always',
        '-optout:Project:Ru optout',
    )
    assert optout.returncode == 0, optout.output
    assert received(mailbox) == Counter()
    # A row under that name may be either person's: nobody gets it.
    users = tmp_path / 'codes.csv'
    users.write_text('username,code\nRu Pat,SECRET-PAT\n', encoding='utf-8')
    report = tmp_path / 'report.csv'
    row = sender.run(
        f'-users:{users}', '-subject:Code', '-text:{code}', '-always', f'-report:{report}'
    )
    assert row.returncode == 0, row.output
    assert received(mailbox) == Counter()
    status, detail = read_report(report)['Ru Pat']
    assert status == 'no-such-user'
    assert 'Ru Pat Renamed' in detail and 'Ru Second' in detail


@pytest.mark.mediawiki('1.39')
def test_a_rename_log_that_cannot_be_read_stops_the_run_before_anyone_is_mailed(
    sender_via_proxy, proxy, mailbox, wiki
):
    wiki.add(
        {
            'users': [{'name': 'Lf Quiet', 'email': addr('Lf Quiet')}],
            'pages': [optout_page('Project:Lf optout', 'Lf Quiet')],
        }
    )
    wiki.rename_user('Lf Quiet', 'Lf New')
    proxy.arm('query:logevents', 'apierror-before:internal_api_error_DBQueryError', times=20)
    result = sender_via_proxy.run(
        '-page:User:Lf New', '-subject:Lf', '-text:Hi.', '-always', '-optout:Project:Lf optout'
    )
    assert result.returncode == 75, result.output
    assert "The wiki's rename log could not be read" in result.output
    assert 'Traceback' not in result.output
    assert received(mailbox) == Counter()
