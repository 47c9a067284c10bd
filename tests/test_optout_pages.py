"""Opt-out lists and message pages that anyone can turn into a bad redirect, and the
talk page fallback, which publishes what it posts.

An opt-out page or category that is a redirect loop, a redirect to a special page or
to another wiki cannot be read, before the run or while it goes on: one sentence,
exit 1, nobody (more) emailed, and no request to another host. -fallback:talk refuses
a message with values from the -users: files, and posts nothing on a talk page that
redirects.
"""

from __future__ import annotations

from collections import Counter

import pytest

from harness.checks import address, exactly_once, read_report, received
from harness.hosts import HostRecorder, run_watched
from harness.population import crowd_address

pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

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


# Before the run ----------------------------------------------------------------

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


BAD_TEXTPAGES = {
    'self': ('Project:Optpages self', 'is a redirect that leads back to itself'),
    'loop': ('Project:Optpages loop A', 'is a redirect that leads back to itself'),
    'special': ('Project:Optpages to special', 'redirects to the special page Special:Random'),
    'interwiki': ('Project:Optpages to interwiki', 'redirects to wikipedia:Foo on another wiki'),
}


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


# During the run ----------------------------------------------------------------

VANDALISED = {
    'loop': ('#REDIRECT [[Project:Optpages mid list]]', 'is a redirect that leads back to itself'),
    'interwiki': ('#REDIRECT [[wikipedia:Foo]]', 'redirects to wikipedia:Foo on another wiki'),
}


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


# -fallback:talk ------------------------------------------------------------------


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
