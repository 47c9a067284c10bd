"""Respecting the people emailed, on the real wiki: temporary accounts, MassMessage's
opt-out category, -optout: lists and the way out in every mailing, the new sender's
warning; opt-out lists behind redirects; the standing list of scripts.ini."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest
import requests

from harness import population as pop
from harness.checks import address, exactly_once, read_report, received
from harness.hosts import HostRecorder, run_watched
from harness.population import crowd_address
from harness.sessions import TIMEOUT, csrf_token, login
from harness.wiki import ADMIN

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


MIA, NINA = pop.MASSMESSAGE_OPTED_OUT, pop.MASSMESSAGE_OPTED_OUT_DE


IN_CATEGORY = f'in {pop.OPTOUT_CATEGORY}'


def address_of(wiki, title: str) -> str:
    """The full address of *title*, as the wiki names the page."""
    query = wiki.api(action='query', titles=title, prop='info', inprop='url')['query']
    return query['pages'][0]['fullurl']


PAGES = [
    {'title': 'Project:Optpages loop A', 'text': '#REDIRECT [[Project:Optpages loop B]]'},
    {'title': 'Project:Optpages loop B', 'text': '#REDIRECT [[Project:Optpages loop A]]'},
    {'title': 'Project:Optpages self', 'text': '#REDIRECT [[Project:Optpages self]]'},
    {'title': 'Project:Optpages to special', 'text': '#REDIRECT [[Special:Random]]'},
    {'title': 'Project:Optpages to interwiki', 'text': '#REDIRECT [[wikipedia:Foo]]'},
    {'title': 'Project:Optpages to nothing', 'text': '#REDIRECT [[Project:Optpages nothing]]'},
    {'title': 'Category:Optpages loop A', 'text': '#REDIRECT [[Category:Optpages loop B]]'},
    {'title': 'Category:Optpages loop B', 'text': '#REDIRECT [[Category:Optpages loop A]]'},
    # A list reached through two redirects, and a page that redirects to a category.
    {'title': 'Project:Optpages chain 1', 'text': '#REDIRECT [[Project:Optpages chain 2]]'},
    {'title': 'Project:Optpages chain 2', 'text': '#REDIRECT [[Project:Optpages list]]'},
    {'title': 'Project:Optpages list', 'text': '* [[User:Optpages Quiet]]'},
    {'title': 'Project:Optpages to category', 'text': '#REDIRECT [[:Category:Optpages no mail]]'},
    {'title': 'User:Optpages Quiet', 'text': 'No mail. [[Category:Optpages no mail]]'},
]


READER = 'Optpages Reader'


QUIET = 'Optpages Quiet'


_added: set[int] = set()


def add_pages(wiki) -> None:
    if id(wiki) not in _added:
        users = [{'name': n, 'email': crowd_address(n)} for n in (READER, QUIET)]
        wiki.add({'users': users, 'pages': PAGES})
        _added.add(id(wiki))


@pytest.fixture
def other_hosts():
    recorder = HostRecorder()
    yield recorder
    recorder.close()


def refused_in_one_sentence(status: int, output: str, *fragments: str) -> None:
    """Exit 1, no traceback, and one error line that holds every fragment."""
    assert status == 1, output
    assert 'Traceback' not in output, output
    lines = [line for line in output.splitlines() if all(f in line for f in fragments)]
    assert len(lines) == 1 and lines[0].startswith('ERROR: '), output


BAD_OPTOUTS = {
    'self': (
        'Project:Optpages self',
        'is a redirect that leads back to itself (Emailuser Test Wiki:Optpages self → '
        'Emailuser Test Wiki:Optpages self): fix the redirect on the wiki',
    ),
    'loop': (
        'Project:Optpages loop A',
        'is a redirect that leads back to itself (Emailuser Test Wiki:Optpages loop A → '
        'Emailuser Test Wiki:Optpages loop B → Emailuser Test Wiki:Optpages loop A)',
    ),
    'category-loop': (
        'Category:Optpages loop A',
        'is a redirect that leads back to itself (Category:Optpages loop A → '
        'Category:Optpages loop B → Category:Optpages loop A)',
    ),
    'special': (
        'Project:Optpages to special',
        'redirects to the special page Special:Random, which is not a page of text',
    ),
    'interwiki': (
        'Project:Optpages to interwiki',
        'redirects to wikipedia:Foo on another wiki (the prefix "wikipedia:"), and the script '
        'reads only the wiki it emails from',
    ),
    'to-nothing': (
        'Project:Optpages to nothing',
        'redirects to Emailuser Test Wiki:Optpages nothing, which does not exist: fix the '
        'redirect on the wiki',
    ),
}


BAD_TEXTPAGES = {
    'self': ('Project:Optpages self', 'is a redirect that leads back to itself'),
    'loop': ('Project:Optpages loop A', 'is a redirect that leads back to itself'),
    'special': ('Project:Optpages to special', 'redirects to the special page Special:Random'),
    'interwiki': ('Project:Optpages to interwiki', 'redirects to wikipedia:Foo on another wiki'),
}


VANDALISED = {
    'loop': ('#REDIRECT [[Project:Optpages mid list]]', 'is a redirect that leads back to itself'),
    'interwiki': ('#REDIRECT [[wikipedia:Foo]]', 'redirects to wikipedia:Foo on another wiki'),
}


DOMAIN = 'accounts.test'


def addr(name: str) -> str:
    """A distinct address for each account these tests make."""
    ascii_name = unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode()
    return re.sub(r'[^a-z0-9]', '', ascii_name.lower()) + f'@{DOMAIN}'


def make_users(wiki, *names: str, pages=()) -> None:
    wiki.add({'users': [{'name': n, 'email': addr(n)} for n in names], 'pages': list(pages)})


def args(subject: str, *more: str) -> list[str]:
    return [f'-subject:{subject}', '-text:Hello {username}.', '-always', *more]


BODY = '-text:Hello {username},\\nwelcome to {sitename}.'


@pytest.mark.wiki
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_massmessage_optout_category_keeps_its_members_out_of_email(sender, mailbox, tmp_path):
    pages = [f'-page:User:{MIA}', f'-page:User:{NINA}', '-page:User:Alice']
    report = tmp_path / 'report.csv'

    check = sender.run(*pages, '-check')
    assert check.returncode == 0, check.output
    assert f'opted-out {MIA} ({IN_CATEGORY})' in plan_lines(check.stdout)

    result = sender.run(*pages, *SEND, f'-report:{report}')
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice', NINA])
    assert f'opted-out (1): {MIA} ({IN_CATEGORY})' in plan_lines(result.output)
    assert read_report(report)[MIA] == ('opted-out', IN_CATEGORY)

    # A personal notice, on purpose: the operator is told whom it reaches all the same.
    mailbox.clear()
    notice = sender.run(
        f'-page:User:{MIA}',
        '-subject:Your upload',
        '-text:Hello {username}.',
        '-always',
        '-ignoremassoptout',
    )
    assert notice.returncode == 0, notice.output
    assert received(mailbox) == exactly_once([MIA])
    assert (
        f'1 of the recipients are in {pop.OPTOUT_CATEGORY}, which asks for no mass messages '
        f'({MIA}): they are emailed as -ignoremassoptout asks.'
    ) in ' '.join(notice.output.split())


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_massmessage_optout_category_by_the_german_wikis_own_name(sender_de, mailbox_de, tmp_path):
    report = tmp_path / 'report.csv'
    result = sender_de.run(
        f'-page:Benutzer:{MIA}',
        f'-page:Benutzer:{NINA}',
        '-page:Benutzer:Alice',
        '-subject:Treffen',
        '-text:Hallo {username}.',
        '-always',
        f'-report:{report}',
    )
    assert result.returncode == 0, result.output
    # Mia's talk page is in the English name of the category, which this wiki does not use.
    assert received(mailbox_de) == exactly_once(['Alice', MIA])
    german = f'in Kategorie:{pop.GERMAN_MASSMESSAGE_OPTOUT}'
    assert f'opted-out (1): {NINA} ({german})' in plan_lines(result.output)
    assert read_report(report)[NINA] == ('opted-out', german)


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_every_email_of_a_mailing_with_an_optout_list_says_how_to_get_out(wiki, sender, mailbox):
    category_url = address_of(wiki, pop.OPTOUT_CATEGORY)
    optout = f'-optout:{pop.OPTOUT_CATEGORY}'
    note = (
        f'To get no more mailings like this one, add [[{pop.OPTOUT_CATEGORY}]] to your user '
        f'page. The category: {category_url}'
    )

    # The preview shows it, and -test sends it to the sender's own address.
    test = sender.run('-page:User:Alice', '-page:User:Bob', optout, *SEND, '-test')
    assert test.returncode == 0, test.output
    preview = test.output.split('Preview of the email to Alice:')[1].split('End of the preview.')[0]
    # The way out ends the message; the wiki's footer follows it, as the wiki adds it.
    lines = preview.strip().splitlines()
    assert lines[lines.index('  -- ') - 2 : lines.index('  -- ')] == [f'  {note}', '']
    [trial] = mailbox.messages()
    assert trial.to_address == 'sender@senders.test'
    assert trial.body.startswith(f'Hello Alice.\n\n{note}\n')

    mailbox.clear()
    result = sender.run('-page:User:Alice', '-page:User:Bob', optout, *SEND)
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob'])
    for mail in mailbox.messages():
        name = 'Alice' if mail.to_address == pop.EMAILABLE['Alice'] else 'Bob'
        assert mail.body.startswith(f'Hello {name}.\n\n{note}\n'), mail.body


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_the_way_out_names_an_optout_page_and_takes_the_operators_words(wiki, sender, mailbox):
    page_url = address_of(wiki, pop.CROWD_PAGE)
    optout = f'-optout:{pop.CROWD_PAGE}'
    result = sender.run('-page:User:Alice', optout, *SEND)
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert mail.body.startswith(
        'Hello Alice.\n\nTo get no more mailings like this one, edit this page and add a link '
        f'to your own user page to it: {page_url}\n'
    ), mail.body

    mailbox.clear()
    own = '-optoutnote:No more invitations? Write your name on {url}, {username}.'
    result = sender.run('-page:User:Bob', optout, own, *SEND)
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert mail.body.startswith(
        f'Hello Bob.\n\nNo more invitations? Write your name on {page_url}, Bob.\n'
    ), mail.body

    mailbox.clear()
    result = sender.run('-page:User:Carol', optout, '-optoutnote:none', *SEND)
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert mail.body.startswith('Hello Carol.\n') and page_url not in mail.body

    mailbox.clear()
    result = sender.run('-page:User:Grace Hopper', optout, '-optoutnote:Reply STOP.', *SEND)
    assert result.returncode == 1, result.output
    assert (
        'ERROR: -optoutnote:Reply STOP. does not say where readers opt out: put {url} where '
        'the address of the opt-out page goes, or give -optoutnote:none to leave the '
        'paragraph out.'
    ) in result.output
    assert 'Traceback' not in result.output
    assert mailbox.messages() == []


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_the_way_out_in_the_wikis_language(wiki_de, sender_de, mailbox_de):
    category = pop.GERMAN_OPTOUT_CATEGORY
    result = sender_de.run(
        '-page:Benutzer:Alice', f'-optout:{category}', '-subject:Treffen', '-text:Hallo.', '-always'
    )
    assert result.returncode == 0, result.output
    [mail] = mailbox_de.messages()
    url = address_of(wiki_de, category)
    assert mail.body.startswith(
        'Hallo.\n\nWer keine solchen Rundmails mehr bekommen möchte, setzt '
        f'[[{category}]] auf seine Benutzerseite. Die Kategorie: {url}\n'
    ), mail.body


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39', '1.43')
def test_a_new_sender_is_warned_that_some_users_refuse_its_mail(sender_factory, mailbox):
    warning = (
        'WARNING: The account NewSender is not autoconfirmed on Emailuser Test Wiki yet, so '
        'users who accept no email from new accounts will refuse this mail (a preference '
        'the check cannot see): send from an established account, or once this one is '
        'autoconfirmed.'
    )
    pages = [f'-page:User:{pop.REFUSES_NEWCOMERS}', '-page:User:Alice']
    result = sender_factory('NewSender').run(*pages, *SEND)
    assert result.returncode == 0, result.output
    out = ' '.join(result.output.split())
    assert warning in out
    assert out.index(warning) < out.index('Plan for')
    assert f'{pop.REFUSES_NEWCOMERS}: not-emailable' in result.output
    assert received(mailbox) == exactly_once(['Alice'])

    mailbox.clear()
    established = sender_factory('Sender').run(*pages, '-subject:Other', '-text:Hi.', '-always')
    assert established.returncode == 0, established.output
    assert 'autoconfirmed' not in established.output
    assert received(mailbox) == exactly_once(['Alice', pop.REFUSES_NEWCOMERS])


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize(('title', 'said'), list(BAD_OPTOUTS.values()), ids=list(BAD_OPTOUTS))
def test_an_optout_list_behind_a_bad_redirect_stops_the_run_before_anything_is_sent(
    sender, mailbox, wiki, other_hosts, title, said
):
    add_pages(wiki)
    status, output = run_watched(
        sender,
        other_hosts,
        f'-page:User:{READER}',
        '-page:User:Alice',
        '-subject:Optpages',
        '-text:Hello.',
        f'-optout:{title}',
        '-always',
    )
    # The opt-out page's own name starts the sentence when it is the page's fault.
    first = f'-optout:{title} ' if 'does not exist' not in said else f'page {title} '
    refused_in_one_sentence(status, output, first + said)
    assert received(mailbox) == Counter()
    assert other_hosts.requests == []


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize(('title', 'said'), list(BAD_TEXTPAGES.values()), ids=list(BAD_TEXTPAGES))
def test_a_message_page_behind_a_bad_redirect_is_one_sentence(
    sender, mailbox, wiki, other_hosts, title, said
):
    add_pages(wiki)
    status, output = run_watched(
        sender,
        other_hosts,
        '-page:User:Alice',
        '-subject:Optpages',
        f'-textpage:{title}',
        '-always',
    )
    refused_in_one_sentence(status, output, f'-textpage:{title} {said}')
    assert received(mailbox) == Counter()
    assert other_hosts.requests == []


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize('title', ['Project:Optpages chain 1', 'Project:Optpages to category'])
def test_an_optout_list_is_read_where_its_redirects_lead(sender, mailbox, wiki, tmp_path, title):
    add_pages(wiki)
    report = tmp_path / 'report.csv'
    result = sender.run(
        f'-page:User:{READER}',
        f'-page:User:{QUIET}',
        '-subject:Optpages',
        '-text:Hello.',
        f'-optout:{title}',
        '-always',
        f'-report:{report}',
    )
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once([READER])
    assert read_report(report)[QUIET][0] == 'opted-out'


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize('how', sorted(VANDALISED))
def test_an_optout_page_vandalised_during_the_run_stops_it_before_the_next_email(
    sender_via_proxy_factory, proxy, mailbox, wiki, other_hosts, tmp_path, how
):
    names = [f'Optpages Mid {how} {n}' for n in 'ABC']
    wiki.add(
        {
            'users': [{'name': n, 'email': crowd_address(n)} for n in names],
            'pages': [{'title': 'Project:Optpages mid list', 'text': '* [[User:Somebody]]'}],
        }
    )
    text, said = VANDALISED[how]

    def vandalise():
        wiki.add({'pages': [{'title': 'Project:Optpages mid list', 'text': text}]})

    # Just before the second email: the limit's wait after it reads the lists again.
    proxy.call('emailuser', vandalise, at=2)
    burst = sender_via_proxy_factory('BurstSender', extra='socket_timeout = (3, 120)\n')
    report = tmp_path / 'report.csv'
    status, output = run_watched(
        burst,
        other_hosts,
        *[f'-page:User:{n}' for n in names],
        '-subject:Optpages mid',
        '-text:Hello.',
        '-always',
        '-wait',
        '-optout:Project:Optpages mid list',
        f'-report:{report}',
        timeout=300,
    )
    refused_in_one_sentence(
        status,
        output,
        'The opt-out lists cannot be read again, so nobody more is emailed: '
        f'-optout:Project:Optpages mid list {said}',
    )
    assert received(mailbox) == exactly_once(names[:2])
    assert read_report(report)[names[2]][0] == 'pending'
    assert other_hosts.requests == []


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_fallback_talk_refuses_a_message_with_values_from_the_users_file(
    sender, mailbox, wiki, tmp_path
):
    wiki.add({'users': [{'name': 'Optpages Silent'}]})
    before = wiki.page_text('User talk:Optpages Silent')
    users = tmp_path / 'codes.csv'
    users.write_text('username,code\nAlice,ALICE-1\nOptpages Silent,SECRET-2\n', encoding='utf-8')
    result = sender.run(
        f'-users:{users}',
        '-subject:Your code',
        '-text:Hello {username}, your code is {code}.',
        '-always',
        '-fallback:talk',
    )
    refused_in_one_sentence(
        result.returncode,
        result.output,
        '-fallback:talk posts the message on public talk pages, where {code} from the -users: '
        "files would publish each row's value: leave out -fallback:talk, or {code} from the "
        'message.',
    )
    assert received(mailbox) == Counter()
    assert wiki.page_text('User talk:Optpages Silent') == before


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_fallback_talk_posts_nothing_on_a_talk_page_that_redirects(sender, mailbox, wiki, tmp_path):
    quiet, other = 'Optpages Redirected', 'Optpages Elsewhere'
    wiki.add(
        {
            'users': [{'name': quiet}, {'name': other, 'email': crowd_address(other)}],
            'pages': [{'title': f'User talk:{quiet}', 'text': f'#REDIRECT [[User talk:{other}]]'}],
        }
    )
    report = tmp_path / 'report.csv'
    result = sender.run(
        f'-page:User:{quiet}',
        '-page:User:Alice',
        '-subject:Optpages talk',
        '-text:Hello {username}.',
        '-always',
        '-fallback:talk',
        f'-report:{report}',
    )
    assert result.returncode == 0, result.output
    assert 'Traceback' not in result.output
    assert received(mailbox) == exactly_once(['Alice'])
    assert wiki.page_text(f'User talk:{quiet}') == f'#REDIRECT [[User talk:{other}]]'
    assert wiki.page_text(f'User talk:{other}') is None
    status, detail = read_report(report)[quiet]
    assert status == 'not-emailable'
    assert detail == (
        'opted out of email or has no confirmed address; '
        "talk page is a redirect, which may lead to another user's page"
    )
    assert address(other) not in received(mailbox)


@pytest.mark.wiki
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


@pytest.mark.wiki
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


@pytest.mark.wiki
def test_optout_pages_and_categories_are_never_emailed(sender, mailbox):
    result = sender.run(
        f'-cat:{pop.CATEGORY}',
        '-subject:S',
        BODY,
        '-always',
        f'-optout:{pop.MIXED_PAGE}',
        f'-optout:{pop.OPTOUT_CATEGORY}',
    )
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Grace Hopper', 'Jürgen Müller', 'Heidi'])
    listed = f'linked from {pop.MIXED_PAGE}'.replace('Project:', 'Emailuser Test Wiki:')
    category = f'in {pop.OPTOUT_CATEGORY}'
    assert (
        f'opted-out (4): Alice ({listed}), Bob ({listed}), Carol ({category}), Dave ({listed})'
    ) in ' '.join(result.output.split())
    # An opt-out list names accounts: Ghost has none, whatever lists name him.
    assert 'no-such-user (1): Ghost' in result.output
