"""A recipient is an account, not a spelling: renames, user pages that redirect, and names
in any form the wiki folds, on the real wiki.

The rename log is followed forward in time: a name freed by a rename and registered
again belongs to someone else, a name renamed from more than one account is nobody to
guess, and a log that cannot be read stops the run instead of dropping an opt-out. When
a user page redirects, the rename log decides whose account a name is."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import population as pop
from harness.checks import read_report, received
from harness.files import codes_campaign, write
from harness.terminal import Terminal

DOMAIN = 'renames.test'


def addr(name: str) -> str:
    return name.lower().replace(' ', '') + f'@{DOMAIN}'


def optout_page(title: str, name: str) -> dict:
    return {'title': title, 'text': f'* [[User:{name}]]'}


REDIRECTS_DOMAIN = 'redirects.test'


def redirects_addr(name: str) -> str:
    """A distinct address for each account these tests make."""
    return re.sub(r'[^a-z0-9]', '', name.lower()) + f'@{REDIRECTS_DOMAIN}'


def make_users(wiki, *names: str, pages=()) -> None:
    wiki.add(
        {'users': [{'name': n, 'email': redirects_addr(n)} for n in names], 'pages': list(pages)}
    )


def bodies(mailbox) -> list[tuple[str, str]]:
    return [(m.to_address, m.body) for m in mailbox.messages()]


def no_traceback(result) -> None:
    assert 'Traceback' not in result.output, result.output


ACCOUNTS_DOMAIN = 'accounts.test'


def accounts_addr(name: str) -> str:
    """A distinct address for each account these tests make."""
    ascii_name = unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode()
    return re.sub(r'[^a-z0-9]', '', ascii_name.lower()) + f'@{ACCOUNTS_DOMAIN}'


def make_accounts(wiki, *names: str, pages=()) -> None:
    wiki.add(
        {'users': [{'name': n, 'email': accounts_addr(n)} for n in names], 'pages': list(pages)}
    )


def args(subject: str, *more: str) -> list[str]:
    return [f'-subject:{subject}', '-text:Hello {username}.', '-always', *more]


ACCOUNTS = ['Grace Hopper', 'Jürgen Müller', 'Crowd 07']


SPACES = [' ', '_', '\u00a0', '\u2003', '\u2002', '\u2009', '\u202f', '\u3000', '  ', ' _ ']


@st.composite
def spellings(draw) -> str:
    name = draw(st.sampled_from(ACCOUNTS))
    space = draw(st.sampled_from(SPACES))
    name = name.replace(' ', space)
    if draw(st.booleans()):
        name = name[0].lower() + name[1:]
    name = unicodedata.normalize(draw(st.sampled_from(['NFC', 'NFD'])), name)
    return draw(st.sampled_from(['', ' ', '\u00a0'])) + name + draw(st.sampled_from(['', ' ']))


def wiki_says(wiki, name: str) -> str | None:
    """The account list=users gives for *name* as written, or None."""
    user = wiki.api(action='query', list='users', ususers=name)['query']['users'][0]
    return None if user.get('missing') or user.get('invalid') else user['name']


BODY = '-text:Hello {username},\\nwelcome to {sitename}.'


TAKEN_DOMAIN = 'swap.test'


@pytest.mark.wiki
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


@pytest.mark.wiki
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


@pytest.mark.wiki
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


@pytest.mark.wiki
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


@pytest.mark.wiki
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


@pytest.mark.wiki
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
    assert received(mailbox) == Counter({redirects_addr('Rb Target'): 1})
    assert 'Your code is TARGET-7.' in mailbox.messages()[0].body
    assert read_report(report)['Rb Target'][0] == 'sent'

    # Without a row of its own, the page's user is sent the mail that needs no values.
    again = sender.run(
        '-page:User:Rb Page', '-subject:Plain', '-text:Hi {username}.', '-always', '-campaign:Plain'
    )
    assert again.returncode == 0, again.output
    assert received(mailbox) == Counter({redirects_addr('Rb Target'): 2})
    assert 'Hi Rb Target.' in mailbox.messages()[-1].body


@pytest.mark.wiki
def test_the_rename_log_wins_over_a_redirect_a_vandal_retargeted(sender, mailbox, wiki, tmp_path):
    make_users(wiki, 'Rc Old', 'Rc Mallory', pages=[{'title': 'User:Rc Old', 'text': 'Rc.'}])
    wiki.rename_user('Rc Old', 'Rc New')
    wiki.add({'pages': [{'title': 'User:Rc Old', 'text': '#REDIRECT [[User:Rc Mallory]]'}]})
    args, report = codes_campaign(tmp_path, 'Rc Old,SECRET-RC\n', subject='Code')
    result = sender.run(*args)
    assert result.returncode == 0, result.output
    # The account keeps its address through the rename: Rc New is reached at Rc Old's.
    assert received(mailbox) == Counter({redirects_addr('Rc Old'): 1})
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
    assert received(mailbox) == Counter(
        {redirects_addr('Rc Old'): 2, redirects_addr('Rc Mallory'): 1}
    )
    assert 'SECRET-RC' not in ''.join(
        b for a, b in bodies(mailbox) if a == redirects_addr('Rc Mallory')
    )


@pytest.mark.wiki
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
    assert received(mailbox) == Counter({redirects_addr('Rd Mallory'): 1})
    rows = read_report(report)
    assert rows['Rd New'][0] == 'opted-out'
    assert rows['Rd Target'][0] == 'opted-out'
    assert rows['Rd Mallory'][0] == 'sent'


@pytest.mark.wiki
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
    # Where the talk page stayed under the old name (1.39's Renameuser moves the user page
    # only), the reason says through which rename; where it moved, it is the account's own.
    stayed = 'REDIRECT' not in (wiki.page_text('User talk:Re Old') or 'REDIRECT')
    through = ', as Re Old, renamed to Re New' if stayed else ''
    assert read_report(report)['Re New'] == ('opted-out', f'in {pop.OPTOUT_CATEGORY}{through}')


@pytest.mark.wiki
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
    assert received(mailbox) == Counter({redirects_addr('Rf A'): 1, redirects_addr('Rf B'): 1})
    mail = next(m for m in mailbox.messages() if m.to_address == redirects_addr('Rf B'))
    assert 'Hi Rf B Renamed.' in mail.body
    assert read_report(report)['Rf B Renamed'][0] == 'sent'

    proxy.disarm()
    again = s.run('-page:User:Rf A', '-page:User:Rf B Renamed', *common)
    assert again.returncode == 0, again.output
    assert read_report(report)['Rf B Renamed'][0] == 'already-sent'
    assert received(mailbox) == Counter({redirects_addr('Rf A'): 1, redirects_addr('Rf B'): 1})


@pytest.mark.wiki
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
    assert received(mailbox) == Counter({redirects_addr('Rg A'): 1})
    assert read_report(report)['Rg B Renamed'][0] == 'opted-out'

    # Nothing was left uncertain: the rerun sends nobody anything and warns of nothing.
    proxy.disarm()
    again = s.run('-page:User:Rg A', '-page:User:Rg B Renamed', *common)
    assert again.returncode == 0, again.output
    assert 'uncertain' not in again.output
    assert read_report(report)['Rg B Renamed'][0] == 'opted-out'
    assert received(mailbox) == Counter({redirects_addr('Rg A'): 1})


@pytest.mark.wiki
@pytest.mark.slow
def test_a_rename_never_causes_a_second_mail_and_a_new_account_under_the_old_name_is_new(
    sender, mailbox, wiki, tmp_path
):
    make_accounts(wiki, 'Rena Old', pages=[{'title': 'User:Rena Old', 'text': 'Rena.'}])
    first = sender.run('-page:User:Rena Old', *args('Rename'))
    assert first.returncode == 0, first.output
    assert received(mailbox) == Counter({accounts_addr('Rena Old'): 1})

    wiki.rename_user('Rena Old', 'Rena New')
    report = tmp_path / 'report.csv'
    # The list left as it was (the old name, whose user page now redirects), and updated.
    for page in ('User:Rena Old', 'User:Rena New'):
        again = sender.run(f'-page:{page}', *args('Rename', f'-report:{report}'))
        assert again.returncode == 0, again.output
        assert read_report(report)['Rena New'][0] == 'already-sent'
    assert received(mailbox) == Counter({accounts_addr('Rena Old'): 1})

    # Someone registers the freed name: another person, who has not had the mail.
    wiki.add({'users': [{'name': 'Rena Old', 'email': f'newcomer@{ACCOUNTS_DOMAIN}'}]})
    fresh = sender.run('-page:User:Rena Old', *args('Rename', f'-report:{report}'))
    assert fresh.returncode == 0, fresh.output
    assert read_report(report)['Rena Old'][0] == 'sent'
    assert received(mailbox) == Counter(
        {accounts_addr('Rena Old'): 1, f'newcomer@{ACCOUNTS_DOMAIN}': 1}
    )


@pytest.mark.wiki
def test_a_live_account_is_its_own_recipient_whatever_its_user_page_says(
    sender, mailbox, wiki, tmp_path
):
    make_accounts(
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
    assert [(m.to_address, m.subject) for m in mails] == [(accounts_addr('Vic Bob'), 'Team Red')]
    assert 'Hello Vic Bob, you are in team Red.' in mails[0].body


@pytest.mark.wiki
def test_names_in_forms_the_wiki_folds_reach_their_account(sender, mailbox, wiki, tmp_path):
    with wiki.extra_settings("$wgInvalidUsernameCharacters = '';"):
        # Valid on 1.39 and kept by 1.43, which no longer creates them.
        make_accounts(wiki, 'Ünïcødé', 'Erin Example', 'Nora Space', '=Equals', '@At')
    names = tmp_path / 'names.txt'
    names.write_text(
        unicodedata.normalize('NFD', 'Ünïcødé')
        + '\nErin\u00a0Example\nNora\u2003Space\n=Equals\n@At\n',
        encoding='utf-8',
    )
    result = sender.run(f'-users:{names}', *args('Folded'))
    assert result.returncode == 0, result.output
    expected = ['Ünïcødé', 'Erin Example', 'Nora Space', '=Equals', '@At']
    assert received(mailbox) == Counter({accounts_addr(n): 1 for n in expected})


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39', '1.43')
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(names=st.lists(spellings(), min_size=1, max_size=6))
def test_every_spelling_reaches_the_account_the_wiki_names(names, sender, wiki, tmp_path):
    path = tmp_path / 'names.txt'
    path.write_text(''.join(f'{n}\n' for n in names), encoding='utf-8')
    result = sender.run(f'-users:{path}', '-check')
    assert result.returncode == 0, result.output
    found = {}
    for line in result.stdout.splitlines():
        status, _, name = line.partition(' ')
        found[name.strip()] = status
    expected = {wiki_says(wiki, n) for n in names} - {None}
    checked = {n for n, s in found.items() if s in ('emailable', 'not-emailable', 'opted-out')}
    assert checked == expected, (names, result.output)


@pytest.mark.wiki
def test_renamed_account_is_reached_through_its_user_page_redirect(sender, mailbox):
    result = sender.run(f'-page:User:{pop.RENAMED_FROM}', '-subject:Hi {username}', BODY, '-always')
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert (mail.to_address, mail.subject) == (pop.EMAILABLE['Heidi'], 'Hi Heidi')


@pytest.mark.wiki
@pytest.mark.slow
def test_a_name_taken_over_between_the_check_and_the_send_is_not_mailed(
    sender, mailbox, wiki, tmp_path
):
    wiki.add({'users': [{'name': 'Swap Old', 'email': f'swap@{TAKEN_DOMAIN}'}]})
    codes = write(tmp_path, 'codes.csv', 'username,code\nAlice,a-1\nSwap Old,s-2\n')
    report = tmp_path / 'report.csv'
    term = Terminal(
        sender.config_dir,
        f'-users:{codes}',
        '-subject:Your code',
        '-text:Your code is {code}.',
        f'-report:{report}',
    )
    # The plan has checked both names; while the operator reads it, the account is
    # renamed and someone else registers the name it had.
    term.expect('Email Alice?')
    wiki.rename_user('Swap Old', 'Swap New')
    wiki.add({'users': [{'name': 'Swap Old', 'email': f'newcomer@{TAKEN_DOMAIN}'}]})
    term.answer('a')
    assert term.finish() == 0, term.screen
    assert 'Swap Old was renamed to Swap New before the send.' in term.screen
    mails = {m.to_address: m.body for m in mailbox.messages()}
    assert received(mailbox)[f'newcomer@{TAKEN_DOMAIN}'] == 0
    assert received(mailbox)[f'swap@{TAKEN_DOMAIN}'] == 1
    assert mails[f'swap@{TAKEN_DOMAIN}'].startswith('Your code is s-2.')
    assert read_report(report)['Swap New'][0] == 'sent'
    assert received(mailbox) == Counter({f'swap@{TAKEN_DOMAIN}': 1, pop.EMAILABLE['Alice']: 1})
