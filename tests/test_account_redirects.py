"""Whose account a name is when its user page redirects: the rename log decides.

Anyone can edit a user page, and so make the page of a name without an account
redirect to their own; only administrators rename accounts, and the wiki's
rename log says so. These tests make the world hostile in that way (a vandal
redirects a typo's page, retargets a renamed user's old page, leaves a renamed
user's talk page in MassMessage's opt-out category, renames an account while
the run sends) and check who received what, what the operator was told and the
exit status. Renames are real: 1.39's Renameuser extension, 1.43's
maintenance/renameUser.php.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from harness import population as pop
from harness.checks import read_report, received
from harness.files import codes_campaign

pytestmark = pytest.mark.wiki

DOMAIN = 'redirects.test'


def addr(name: str) -> str:
    """A distinct address for each account these tests make."""
    return re.sub(r'[^a-z0-9]', '', name.lower()) + f'@{DOMAIN}'


def make_users(wiki, *names: str, pages=()) -> None:
    wiki.add({'users': [{'name': n, 'email': addr(n)} for n in names], 'pages': list(pages)})


def bodies(mailbox) -> list[tuple[str, str]]:
    return [(m.to_address, m.body) for m in mailbox.messages()]


def no_traceback(result) -> None:
    assert 'Traceback' not in result.output, result.output


@pytest.mark.mediawiki('1.39')
def test_a_typed_name_whose_user_page_redirects_unconfirmed_is_nobody(
    sender, mailbox, wiki, tmp_path
):
    # "Ra Alise" has no account (a typo, or not registered yet); anyone may create
    # its user page, and a vandal redirects it to his own.
    make_users(
        wiki,
        'Ra Mallory',
        pages=[{'title': 'User:Ra Alise', 'text': '#REDIRECT [[User:Ra Mallory]]'}],
    )
    args, report = codes_campaign(tmp_path, 'Ra Alise,SECRET-ALISE\n')
    result = sender.run(*args)
    no_traceback(result)
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter()
    assert 'SECRET-ALISE' not in ''.join(b for _, b in bodies(mailbox))
    status, detail = read_report(report)['Ra Alise']
    assert status == 'no-such-user'
    assert detail == (
        "its user page redirects to User:Ra Mallory, which the wiki's rename log does not confirm"
    )
    assert 'Ra Mallory' not in read_report(report)

    # -check says the same before anything is sent.
    check = sender.run(args[0], '-check')  # args[0]: the same -users: file
    assert check.returncode == 0, check.output
    assert 'no-such-user   Ra Alise (its user page redirects to User:Ra Mallory' in check.output


@pytest.mark.mediawiki('1.39')
def test_a_generator_page_still_follows_the_redirect_with_only_its_accounts_own_row(
    sender, mailbox, wiki, tmp_path
):
    # A page a generator gives means the user the page leads to, as before; the
    # values it gets are those of the row of that account's own name.
    make_users(
        wiki,
        'Rb Target',
        pages=[{'title': 'User:Rb Page', 'text': '#REDIRECT [[User:Rb Target]]'}],
    )
    args, report = codes_campaign(tmp_path, 'Rb Target,TARGET-7\n', subject='Code')
    result = sender.run(*args, '-page:User:Rb Page')
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter({addr('Rb Target'): 1})
    assert 'Your code is TARGET-7.' in mailbox.messages()[0].body
    assert read_report(report)['Rb Target'][0] == 'sent'

    # Without a row of its own, the page's user is sent the mail that needs no values.
    again = sender.run(
        '-page:User:Rb Page', '-subject:Plain', '-text:Hi {username}.', '-always', '-campaign:Plain'
    )
    assert again.returncode == 0, again.output
    assert received(mailbox) == Counter({addr('Rb Target'): 2})
    assert 'Hi Rb Target.' in mailbox.messages()[-1].body


def test_the_rename_log_wins_over_a_redirect_a_vandal_retargeted(sender, mailbox, wiki, tmp_path):
    make_users(wiki, 'Rc Old', 'Rc Mallory', pages=[{'title': 'User:Rc Old', 'text': 'Rc.'}])
    wiki.rename_user('Rc Old', 'Rc New')
    wiki.add({'pages': [{'title': 'User:Rc Old', 'text': '#REDIRECT [[User:Rc Mallory]]'}]})
    args, report = codes_campaign(tmp_path, 'Rc Old,SECRET-RC\n', subject='Code')
    result = sender.run(*args)
    assert result.returncode == 0, result.output
    # The account keeps its address through the rename: Rc New is reached at Rc Old's.
    assert received(mailbox) == Counter({addr('Rc Old'): 1})
    assert 'Your code is SECRET-RC.' in mailbox.messages()[0].body
    assert read_report(report)['Rc New'][0] == 'sent'
    check = sender.run(args[0], '-check')  # args[0]: the same -users: file
    assert check.returncode == 0, check.output
    assert 'emailable      Rc New (renamed from Rc Old)' in check.output

    # A generator's page of the old name is the renamed account too, not the vandal.
    again = sender.run(
        '-page:User:Rc Old',
        '-page:User:Rc Mallory',
        '-subject:Hello',
        '-text:Hi {username}.',
        '-always',
        '-campaign:Hello',
        f'-report:{report}',
    )
    assert again.returncode == 0, again.output
    assert read_report(report)['Rc New'][0] == 'sent'
    assert received(mailbox) == Counter({addr('Rc Old'): 2, addr('Rc Mallory'): 1})
    assert 'SECRET-RC' not in ''.join(b for a, b in bodies(mailbox) if a == addr('Rc Mallory'))


def test_an_optout_under_the_old_name_holds_when_a_vandal_retargets_the_redirect(
    sender, mailbox, wiki, tmp_path
):
    make_users(
        wiki,
        'Rd Old',
        'Rd Mallory',
        'Rd Target',
        pages=[
            {'title': 'User:Rd Old', 'text': 'Rd.'},
            {'title': 'User:Rd Typo', 'text': '#REDIRECT [[User:Rd Target]]'},
            {'title': 'Project:Rd optout list', 'text': '* [[User:Rd Old]]\n* [[User:Rd Typo]]'},
        ],
    )
    wiki.rename_user('Rd Old', 'Rd New')
    wiki.add({'pages': [{'title': 'User:Rd Old', 'text': '#REDIRECT [[User:Rd Mallory]]'}]})
    report = tmp_path / 'report.csv'
    result = sender.run(
        '-page:User:Rd New',
        '-page:User:Rd Mallory',
        '-page:User:Rd Target',
        '-subject:Opt',
        '-text:Hi.',
        '-always',
        '-optout:Project:Rd optout list',
        f'-report:{report}',
    )
    assert result.returncode == 0, result.output
    # The rename log says whose link it is; a redirect the log does not contradict
    # opts out its target too (opting out one more is safe).
    assert received(mailbox) == Counter({addr('Rd Mallory'): 1})
    rows = read_report(report)
    assert rows['Rd New'][0] == 'opted-out'
    assert rows['Rd Target'][0] == 'opted-out'
    assert rows['Rd Mallory'][0] == 'sent'


def test_massmessage_optout_of_a_renamed_user_whose_talk_page_stayed(
    sender, mailbox, wiki, tmp_path
):
    make_users(
        wiki,
        'Re Old',
        pages=[{'title': 'User talk:Re Old', 'text': f'No mass mail. [[{pop.OPTOUT_CATEGORY}]]'}],
    )
    wiki.rename_user('Re Old', 'Re New')
    report = tmp_path / 'report.csv'
    result = sender.run(
        '-page:User:Re New', '-subject:MM', '-text:Hi.', '-always', f'-report:{report}'
    )
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter()
    # The category names the old name: the reason says through which rename.
    assert read_report(report)['Re New'] == (
        'opted-out',
        f'in {pop.OPTOUT_CATEGORY}, as Re Old, renamed to Re New',
    )


def test_an_account_renamed_during_the_run_gets_its_one_mail_under_the_new_name(
    sender_via_proxy_factory, proxy, mailbox, wiki, tmp_path
):
    make_users(wiki, 'Rf A', 'Rf B', pages=[{'title': 'User:Rf B', 'text': 'B.'}])
    # Renamed while the first email is on its way: the second finds its name gone.
    proxy.call('emailuser', lambda: wiki.rename_user('Rf B', 'Rf B Renamed'), at=1)
    s = sender_via_proxy_factory('Sender', extra='socket_timeout = (3, 120)\n')
    report = tmp_path / 'report.csv'
    common = ['-subject:During', '-text:Hi {username}.', '-always', f'-report:{report}']
    first = s.run('-page:User:Rf A', '-page:User:Rf B', *common)
    assert first.returncode == 0, first.output
    assert 'Rf B was renamed to Rf B Renamed during the run.' in first.output
    assert received(mailbox) == Counter({addr('Rf A'): 1, addr('Rf B'): 1})
    mail = next(m for m in mailbox.messages() if m.to_address == addr('Rf B'))
    assert 'Hi Rf B Renamed.' in mail.body
    assert read_report(report)['Rf B Renamed'][0] == 'sent'

    proxy.disarm()
    again = s.run('-page:User:Rf A', '-page:User:Rf B Renamed', *common)
    assert again.returncode == 0, again.output
    assert read_report(report)['Rf B Renamed'][0] == 'already-sent'
    assert received(mailbox) == Counter({addr('Rf A'): 1, addr('Rf B'): 1})


def test_an_account_renamed_and_opted_out_during_the_run_is_not_emailed(
    sender_via_proxy_factory, proxy, mailbox, wiki, tmp_path
):
    make_users(
        wiki,
        'Rg A',
        'Rg B',
        pages=[
            {'title': 'User:Rg B', 'text': 'B.'},
            {'title': 'Category:Rg optout', 'text': 'Who wants no mail.'},
        ],
    )

    def rename_and_opt_out():
        wiki.rename_user('Rg B', 'Rg B Renamed')
        wiki.add({'pages': [{'title': 'User:Rg B Renamed/No', 'text': '[[Category:Rg optout]]'}]})

    proxy.call('emailuser', rename_and_opt_out, at=1)
    s = sender_via_proxy_factory('Sender', extra='socket_timeout = (3, 120)\n')
    report = tmp_path / 'report.csv'
    common = [
        '-subject:Renamed and out',
        '-text:Hi {username}.',
        '-always',
        '-optout:Category:Rg optout',
        f'-report:{report}',
    ]
    first = s.run('-page:User:Rg A', '-page:User:Rg B', *common)
    assert first.returncode == 0, first.output
    assert received(mailbox) == Counter({addr('Rg A'): 1})
    assert read_report(report)['Rg B Renamed'][0] == 'opted-out'

    # Nothing was left uncertain: the rerun sends nobody anything and warns of nothing.
    proxy.disarm()
    again = s.run('-page:User:Rg A', '-page:User:Rg B Renamed', *common)
    assert again.returncode == 0, again.output
    assert 'uncertain' not in again.output
    assert read_report(report)['Rg B Renamed'][0] == 'opted-out'
    assert received(mailbox) == Counter({addr('Rg A'): 1})
