"""-editors: the people who edited a set of pages get the mail, with their {edits} and {pages}.

The module's fixture makes its own accounts (one PHP process, harness/fixtures.php)
and edits five pages of a category through the API as each of them: plain users, a
bot, an IP, an account then blocked sitewide, the sender, someone only before
-since:, and an edit that another reverts (tagged ``mw-reverted`` by the job queue).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import requests

from harness import population as pop
from harness.checks import read_report, received
from harness.histories import START, import_histories
from harness.sessions import csrf_token, login
from harness.wiki import ADMIN, HERE

DOMAIN = 'editors.test'


CATEGORY = 'Category:Wren birds'


#: In the order the category lists them (by title).
PAGES = ['Blue jay', 'Cardinal', 'Northern flicker', 'Snowy owl', 'Wood duck']


ANN, BEN, CY = 'Wren Ann', 'Wren Ben', 'Wren Cy'


#: An editor without an address (not-emailable, as anyone), and an administrator, whose
#: undo of the vandal's edit is autopatrolled, so MediaWiki tags the edit it reverts.
NOMAIL = 'Wren Nomail'


BOT, BLOCKED, EARLY, VANDAL = 'Wren Bot', 'Wren Blocked', 'Wren Early', 'Wren Vandal'


ADDRESSES = {n: n.lower().replace(' ', '.') + f'@{DOMAIN}' for n in (ANN, BEN, CY, BOT, BLOCKED)}


ADDRESSES.update({EARLY: f'early@{DOMAIN}', VANDAL: f'vandal@{DOMAIN}'})


MESSAGE = ['-subject:Your {edits}, {username}', '-text:Thank you for your work on {pages}.']


def _edit(wiki, session, title: str, text: str = '', category: bool = True, **extra) -> dict:
    data = {
        'action': 'edit',
        'title': title,
        'token': csrf_token(wiki, session),
        'format': 'json',
        'formatversion': '2',
        **extra,
    }
    if not extra.get('undo'):
        data['text'] = f'{text}\n[[{CATEGORY}]]' if category else text
    answer = session.post(wiki.api_url, data=data).json()
    assert answer.get('edit', {}).get('result') == 'Success', answer
    return answer['edit']


@pytest.fixture(scope='module')
def birds(wiki, tmp_path_factory):
    """The pages and their editors; returns the -since: time between early and later edits."""
    return wiki.once('editors: birds', lambda: _birds(wiki, tmp_path_factory))


def _birds(wiki, tmp_path_factory):
    users = [
        {'name': name, 'password': pop.PASSWORD, 'email': address}
        for name, address in ADDRESSES.items()
    ]
    users += [{'name': NOMAIL, 'password': pop.PASSWORD, 'groups': ['sysop']}]
    for u in users:
        if u['name'] == BOT:
            u['groups'] = ['bot']
    spec = tmp_path_factory.mktemp('editors') / 'editors.json'
    spec.write_text(json.dumps({'users': users}))
    wiki._php_script(HERE / 'fixtures.php', str(spec))
    s = {name: login(wiki, name) for name in [ANN, BEN, CY, NOMAIL, BOT, BLOCKED, EARLY, VANDAL]}
    s['Sender'] = login(wiki, 'Sender')

    # Before -since: the early editor writes every page.
    for title in PAGES:
        early = _edit(wiki, s[EARLY], title, f'{title}, first words.')
    first = datetime.strptime(early['newtimestamp'], '%Y-%m-%dT%H:%M:%SZ')
    since = (first + timedelta(seconds=1)).replace(tzinfo=timezone.utc)
    # Revision timestamps have whole seconds: from now on each edit is at or after since.
    time.sleep(max(0.0, (since - datetime.now(timezone.utc)).total_seconds()) + 0.2)

    _edit(wiki, s[ANN], 'Blue jay', 'Blue jay, by Ann.')
    _edit(wiki, s[ANN], 'Blue jay', 'Blue jay, by Ann again.')
    _edit(wiki, s[ANN], 'Cardinal', 'Cardinal, by Ann.')
    for title in ('Cardinal', 'Northern flicker', 'Snowy owl', 'Wood duck'):
        _edit(wiki, s[BEN], title, f'{title}, by Ben.')
    _edit(wiki, s[CY], 'Snowy owl', 'Snowy owl, by Cy.')
    # An editor is the account that edited, wherever their user page leads.
    _edit(wiki, s[CY], f'User:{CY}', f'#REDIRECT [[User:{ANN}]]', category=False)
    _edit(wiki, s[BOT], 'Cardinal', 'Cardinal, by a bot.')
    _edit(wiki, requests.Session(), 'Northern flicker', 'Northern flicker, by an IP.', token='+\\')
    _edit(wiki, s['Sender'], 'Wood duck', 'Wood duck, by the sender.')
    _edit(wiki, s[BLOCKED], 'Snowy owl', 'Snowy owl, before the block.')
    _edit(wiki, s[NOMAIL], 'Blue jay', 'Blue jay, by someone without an address.')
    vandal = _edit(wiki, s[VANDAL], 'Wood duck', 'Nonsense.')
    _edit(wiki, s[NOMAIL], 'Wood duck', undo=str(vandal['newrevid']))

    admin = login(wiki, *ADMIN)
    blocked = admin.post(
        wiki.api_url,
        data={
            'action': 'block',
            'user': BLOCKED,
            'expiry': 'infinite',
            'reason': 'test',
            'token': csrf_token(wiki, admin),
            'format': 'json',
        },
    ).json()
    assert 'block' in blocked, blocked
    # The job queue tags the reverted edit (mw-reverted); this wiki runs no jobs on requests.
    wiki._php_script(wiki.mediawiki / 'maintenance' / 'runJobs.php', '--quiet')
    return since.strftime('%Y-%m-%dT%H:%M:%SZ')


def anonymous_editor(wiki) -> tuple[str, str]:
    """Who made the edit without logging in, and why -editors leaves them out: an IP,
    or on a wiki with temporary accounts (1.43 here) the temporary account it made."""
    query = wiki.api(
        action='query', prop='revisions', titles='Northern flicker', rvprop='user', rvlimit='max'
    )['query']
    users = [r['user'] for r in query['pages'][0]['revisions']]
    ip = next((u for u in users if u.replace('.', '').isdigit() or ':' in u), None)
    return (
        (ip, 'IP editor')
        if ip
        else (next(u for u in users if u.startswith('~')), 'temporary account')
    )


def mails(mailbox) -> dict[str, tuple[str, str]]:
    """Subject and first body line of each mail, by address."""
    return {m.to_address: (m.subject, m.body.split('\n')[0]) for m in mailbox.messages()}


def history_requests(wiki) -> int:
    return sum(1 for r in wiki.api_requests() if r.get('prop') == 'revisions')


LONG = 'Passenger pigeon'


@pytest.fixture(scope='module')
def long_history(birds, wiki, tmp_path_factory):
    """A page with 520 revisions: more than one answer of 500 for a sender without
    ``apihighlimits``; Ann made the even ones, Ben the odd ones, an IP the last."""
    authors = [ANN if i % 2 == 0 else BEN for i in range(519)] + ['10.0.0.1']
    wiki.once(
        'editors: long history',
        lambda: import_histories(wiki, {LONG: authors}, tmp_path_factory.mktemp('long')),
    )
    return authors


TEMP_SETTINGS = "$wgAutoCreateTempUser['enabled'] = true;"


TEMP_PAGE = 'Wren temporary notes'


@pytest.mark.wiki
def test_the_editors_since_a_time_get_their_own_edits_and_pages_once(
    birds, sender, mailbox, wiki, tmp_path
):
    report = tmp_path / 'report.csv'
    args = ['-editors', f'-cat:{CATEGORY}', f'-since:{birds}', *MESSAGE, '-always']
    before = history_requests(wiki)
    result = sender.run(*args, f'-report:{report}')
    assert result.returncode == 0, result.output
    # One history query per page.
    assert history_requests(wiki) - before == len(PAGES)
    assert received(mailbox) == Counter({ADDRESSES[n]: 1 for n in (ANN, BEN, CY)})
    assert mails(mailbox) == {
        ADDRESSES[ANN]: (
            'Your 3 edits, Wren Ann',
            'Thank you for your work on Blue jay and Cardinal.',
        ),
        ADDRESSES[BEN]: (
            'Your 4 edits, Wren Ben',
            'Thank you for your work on Cardinal, Northern flicker, Snowy owl and 1 more.',
        ),
        ADDRESSES[CY]: ('Your 1 edit, Wren Cy', 'Thank you for your work on Snowy owl.'),
    }
    out = result.output
    assert (
        f'Editors of 5 pages since {birds}: 8 editors found, 4 left out (6 requests); '
        '1 reverted edit not counted.'
    ) in out
    assert 'left-out (4): ' in out
    anonymous, why = anonymous_editor(wiki)
    for who in (
        f'{anonymous} ({why})',
        f'{BOT} (member of the bot group)',
        f'{BLOCKED} (blocked sitewide)',
        'Sender (the sending account)',
    ):
        assert who in out
    assert EARLY not in out and VANDAL not in out
    # The preview shows the first recipient's own values: the one with the most edits.
    assert 'Preview of the email to Wren Ben:\n' in out
    assert '  To: Wren Ben\n  Subject: Your 4 edits, Wren Ben\n' in out
    assert f'not-emailable (1): {NOMAIL}' in out
    rows = read_report(report)
    assert {n: s for n, (s, _) in rows.items()} == {
        ANN: 'sent',
        BEN: 'sent',
        CY: 'sent',
        NOMAIL: 'not-emailable',
        BOT: 'left-out',
        BLOCKED: 'left-out',
        'Sender': 'left-out',
        anonymous: 'left-out',
    }

    # The same command again: nobody is emailed twice.
    mailbox.clear()
    again = sender.run(*args)
    assert again.returncode == 0, again.output
    assert 'already-sent (3)' in again.output
    assert received(mailbox) == Counter()


@pytest.mark.wiki
def test_minedits_keeps_those_with_enough_edits_to_the_pages_together(birds, sender, mailbox):
    result = sender.run(
        '-editors', f'-cat:{CATEGORY}', f'-since:{birds}', '-minedits:2', *MESSAGE, '-always'
    )
    assert result.returncode == 0, result.output
    assert received(mailbox) == Counter({ADDRESSES[ANN]: 1, ADDRESSES[BEN]: 1})
    assert f'{CY} (1 edit, fewer than -minedits:2)' in result.output


@pytest.mark.wiki
def test_check_lists_each_editor_with_the_edit_count(birds, sender, mailbox, wiki, tmp_path):
    report = tmp_path / 'check.csv'
    # Without -since: the early editor counts too, with an edit to every page. A user
    # page keeps its meaning: its user, not those who edited it.
    result = sender.run(
        '-editors', f'-cat:{CATEGORY}', '-page:User:Alice', '-check', f'-report:{report}'
    )
    assert result.returncode == 0, result.output
    lines = result.stdout.splitlines()
    anonymous, why = anonymous_editor(wiki)
    for line in (
        f'emailable      {EARLY} (5 edits)',
        f'emailable      {BEN} (4 edits)',
        f'emailable      {ANN} (3 edits)',
        f'emailable      {CY} (1 edit)',
        f'not-emailable  {NOMAIL} (opted out of email or has no confirmed address; 2 edits)',
        f'left-out       {BOT} (member of the bot group; 1 edit)',
        f'left-out       {anonymous} ({why}; 1 edit)',
        'emailable      Alice',
    ):
        assert line in lines, result.output
    assert 'Editors of 5 pages: 9 editors found, 4 left out' in result.output
    assert 'Fixture setup' not in result.output
    assert received(mailbox) == Counter()
    with open(report, encoding='utf-8', newline='') as f:
        header = f.readline().strip()
    assert header == 'username,status,detail,edits,pages'
    assert read_report(report)[EARLY] == ('emailable', '')


@pytest.mark.wiki
# The refusals do not depend on the version.
@pytest.mark.mediawiki('1.39')
def test_since_and_minedits_are_refused_when_wrong(birds, sender, mailbox):
    for args, sentence in (
        (['-since:yesterday'], '-since:yesterday is not a date or an ISO 8601 time'),
        (['-minedits:0'], '-minedits:0 is not a positive whole number'),
    ):
        result = sender.run('-editors', f'-cat:{CATEGORY}', *args, *MESSAGE, '-always')
        assert result.returncode == 1
        assert sentence in result.output
        assert 'Traceback' not in result.output
    # Alice's user page means Alice, who did not edit the pages: {edits} has no value.
    alice = sender.run('-editors', f'-cat:{CATEGORY}', '-page:User:Alice', *MESSAGE, '-always')
    assert alice.returncode == 1
    assert (
        '1 recipient named by user pages or -users: files did not edit these pages, so '
        '{edits}, {pages} has no value for them (Alice)'
    ) in alice.output
    alone = sender.run(f'-cat:{CATEGORY}', '-minedits:2', *MESSAGE, '-always')
    assert alone.returncode == 1
    assert (
        '-minedits:2 counts edits to the pages of the generators, and -editors is not given: '
        'add -editors, or leave -minedits: out.'
    ) in alone.output
    assert received(mailbox) == Counter()


@pytest.mark.wiki
# Continuing a history does not depend on the version; the import takes seconds.
@pytest.mark.mediawiki('1.39')
def test_a_long_history_is_read_to_its_end_and_since_reads_only_what_counts(
    long_history, sender, mailbox, wiki
):
    before = history_requests(wiki)
    result = sender.run('-editors', f'-page:{LONG}', '-check')
    assert result.returncode == 0, result.output
    assert history_requests(wiki) - before == 2  # continued once
    lines = result.stdout.splitlines()
    assert f'emailable      {ANN} (260 edits)' in lines, result.output
    assert f'emailable      {BEN} (259 edits)' in lines, result.output
    assert 'left-out       10.0.0.1 (IP editor; 1 edit)' in lines, result.output

    # From revision 401 on (a minute apart): 120 revisions, one answer.
    since = (START + timedelta(minutes=400)).strftime('%Y-%m-%dT%H:%M:%SZ')
    before = history_requests(wiki)
    result = sender.run('-editors', f'-page:{LONG}', f'-since:{since}', '-check')
    assert result.returncode == 0, result.output
    assert history_requests(wiki) - before == 1
    lines = result.stdout.splitlines()
    assert f'emailable      {ANN} (60 edits)' in lines, result.output
    assert f'emailable      {BEN} (59 edits)' in lines, result.output
    assert received(mailbox) == Counter()


@pytest.mark.wiki
# MediaWiki 1.39 has no temporary accounts.
@pytest.mark.mediawiki('1.43')
def test_a_temporary_account_is_left_out(birds, sender, mailbox, wiki):
    with wiki.extra_settings(TEMP_SETTINGS):
        anonymous = requests.Session()
        created = _edit(wiki, anonymous, TEMP_PAGE, 'Notes by someone without an account.')
        _edit(wiki, login(wiki, ANN), TEMP_PAGE, 'Notes, tidied by Ann.')
        temp = wiki.api(action='query', prop='revisions', titles=TEMP_PAGE, rvdir='newer')
        name = temp['query']['pages'][0]['revisions'][0]['user']
        assert created['new'] and name.startswith('~'), temp
        result = sender.run('-editors', f'-page:{TEMP_PAGE}', '-check')
    assert result.returncode == 0, result.output
    lines = result.stdout.splitlines()
    assert f'left-out       {name} (temporary account; 1 edit)' in lines, result.output
    assert f'emailable      {ANN} (1 edit)' in lines, result.output


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_users_column_that_editors_fills_is_refused(birds, sender, mailbox, tmp_path):
    users = tmp_path / 'users.csv'
    users.write_text('username,edits\nAlice,many\n', encoding='utf-8')
    result = sender.run(
        '-editors',
        f'-cat:{CATEGORY}',
        f'-users:{users}',
        '-subject:Thanks',
        '-text:You made {edits} edits.',
        '-always',
    )
    assert result.returncode == 1, result.output
    assert 'have a column edits, and -editors fills {edits}' in result.output
    assert 'Traceback' not in result.output
    assert mailbox.messages() == []


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_editors_of_a_redirect_are_the_editors_of_its_page_and_imports_are_left_out(
    sender, wiki, tmp_path
):
    # Bob wrote the article; a revision was imported from another wiki by someone with no
    # account here; the old title, a redirect, was made by the fixture's admin.
    import_histories(wiki, {'Meaning article': ['Bob', 'Stranger Abroad', 'Bob']}, tmp_path)
    wiki.add({'pages': [{'title': 'Meaning old title', 'text': '#REDIRECT [[Meaning article]]'}]})
    report = tmp_path / 'report.csv'
    result = sender.run('-editors', '-page:Meaning old title', '-check', f'-report:{report}')
    assert result.returncode == 0, result.output
    rows = read_report(report)
    assert rows['Bob'][0] == 'emailable'
    [imported] = [name for name in rows if 'Stranger Abroad' in name]
    assert rows[imported] == ('left-out', 'imported editor, whose account is on another wiki')
    assert 'Admin' not in rows
    assert 'Editors of 1 page' in result.output
