"""Respecting the people emailed: temporary accounts, MassMessage's opt-out category,
the way out in every mailing, a page per language, the new sender's warning."""

from __future__ import annotations

import re

import pytest
import requests

from harness import population as pop
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


MIA, NINA = pop.MASSMESSAGE_OPTED_OUT, pop.MASSMESSAGE_OPTED_OUT_DE
IN_CATEGORY = f'in {pop.OPTOUT_CATEGORY}'


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


def address_of(wiki, title: str) -> str:
    """The full address of *title*, as the wiki names the page."""
    query = wiki.api(action='query', titles=title, prop='info', inprop='url')['query']
    return query['pages'][0]['fullurl']


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


@pytest.mark.mediawiki('1.39')
def test_a_page_per_language_reaches_each_reader_in_theirs(sender, mailbox, tmp_path):
    readers = tmp_path / 'readers.csv'
    readers.write_text(
        'username,lang\nAlice,de\nBob,fr\nCarol,nl\nGrace Hopper,sv\nJürgen Müller,de\n',
        encoding='utf-8',
    )
    result = sender.run(
        f'-users:{readers}', '-subject:Welcome', f'-textpage:{pop.WELCOME_PAGE}/{{lang}}', '-always'
    )
    assert result.returncode == 0, result.output
    texts = pop.WELCOME_TEXTS
    expected = {
        'Alice': texts['de'],
        'Bob': texts['fr'],
        'Carol': texts['nl'],
        'Grace Hopper': texts[''],  # no Swedish page: the page itself
        'Jürgen Müller': texts['de'],
    }
    assert received(mailbox) == exactly_once(expected)
    bodies = {m.to_address: m.body.split('\n')[0] for m in mailbox.messages()}
    assert bodies == {
        pop.EMAILABLE[name]: text.replace('{username}', name) for name, text in expected.items()
    }
    out = plan_lines(result.output)
    project = 'Emailuser Test Wiki:Welcome'  # the wiki's name for the project namespace
    assert f'Pages of -textpage:{pop.WELCOME_PAGE}/{{lang}}:' in out, result.output
    # Each page is named with who edited it last: the fixtures' account, not the sender.
    edited = r', last edited by Fixture setup on \S+ \S+ UTC: '
    for page, users in (
        (f'{project}/de', '2 users (Alice, Jürgen Müller)'),
        (f'{project}/fr', '1 user (Bob)'),
        (f'{project}/nl', '1 user (Carol)'),
        (f'{project} ({pop.WELCOME_PAGE}/sv does not exist)', '1 user (Grace Hopper)'),
    ):
        line = re.escape(page) + edited + re.escape(users)
        assert any(re.fullmatch(line, each) for each in out), (line, result.output)
    # One preview per page: four, each before anything was sent.
    previews = [line for line in out if line.startswith('Preview of the email to')]
    assert sorted(previews) == [
        f'Preview of the email to Alice (the page {project}/de):',
        f'Preview of the email to Bob (the page {project}/fr):',
        f'Preview of the email to Carol (the page {project}/nl):',
        f'Preview of the email to Grace Hopper (the page {project}):',
    ]
    assert result.output.rindex('End of the preview.') < result.output.index('Alice: sent')


@pytest.mark.mediawiki('1.39')
def test_a_page_per_language_names_a_column_of_the_users_files(sender, mailbox, tmp_path):
    readers = tmp_path / 'readers.csv'
    readers.write_text('username,lang\nAlice,de\n', encoding='utf-8')
    result = sender.run(
        f'-users:{readers}', '-subject:Welcome', f'-textpage:{pop.WELCOME_PAGE}/{{lng}}', '-always'
    )
    assert result.returncode == 1, result.output
    assert (
        f'-textpage:{pop.WELCOME_PAGE}/{{lng}} has the placeholder {{lng}}, which is no column '
        'of the -users: files (columns: {lang}): name a column, or give one page.'
    ) in ' '.join(result.output.split())
    assert mailbox.messages() == []


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


@pytest.mark.mediawiki('1.39')
def test_every_page_of_a_page_per_language_is_checked_before_the_first_email(
    sender, mailbox, tmp_path
):
    readers = tmp_path / 'readers.csv'
    # Alice's page is fine; Bob's, further down, has a table that plain text cannot show.
    readers.write_text('username,page\nAlice,Registration\nBob,Schedule\n', encoding='utf-8')
    result = sender.run(f'-users:{readers}', '-subject:S', '-textpage:Project:{page}', '-always')
    assert result.returncode == 1, result.output
    assert 'Emailuser Test Wiki:Schedule has a table after' in result.output
    assert 'Traceback' not in result.output
    assert mailbox.messages() == []
