"""The rename log asked in bulk or name by name: the same accounts, and few requests.

A fake wiki answers ``list=users`` and ``list=logevents`` as MediaWiki does (its
rename log, page by page or for one title); random histories of registrations and
renames check that reading the whole log finds exactly the accounts that asking
name by name finds, and those the history itself says.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pywikibot.exceptions import APIError

from emailuserlib.core.accounts import Status
from emailuserlib.core.errors import EXIT_PENDING, EmailUserError
from emailuserlib.recipients.renamelog import RenameLog
from emailuserlib.recipients.resolve import Resolver, rename_log_error
from emailuserlib.run.progress import CheckProgress


class FakeWiki:
    """Accounts, a rename log and user page redirects, answered as the API does.

    *page* is how many log entries one ``list=logevents`` page holds (``lelimit=max``).
    """

    def __init__(self, page: int = 500, batch: int = 500) -> None:
        self.page = page
        self.batch = batch
        self.ids: dict[str, int] = {}  # name -> user id, of the accounts as they are now
        self.log: list[tuple[int, str, str]] = []  # (log id, old name, new name)
        self.redirects: dict[str, str] = {}  # user page -> user page
        self.requests: Counter = Counter()
        self.stop_at: dict[str, int] = {}  # request kind -> Ctrl-C at that request
        self.error: Exception | None = None
        self._next_id = 1
        self._next_log = 100
        self.namespaces = {2: SimpleNamespace(custom_name='User', case='first-letter')}
        self.siteinfo = SimpleNamespace(get=lambda key, expiry=False: {})

    # The history.
    def register(self, name: str) -> int:
        assert name not in self.ids
        self.ids[name] = self._next_id
        self._next_id += 1
        return self.ids[name]

    def rename(self, old: str, new: str) -> None:
        assert old in self.ids and new not in self.ids
        self.ids[new] = self.ids.pop(old)
        self._next_log += 1
        self.log.append((self._next_log, old, new))

    # What Pywikibot's site offers the resolver.
    def logged_in(self) -> bool:
        return True

    def has_right(self, right: str) -> bool:
        return self.batch == 500

    def simple_request(self, **params):
        return SimpleNamespace(submit=lambda: self._answer(params))

    def _answer(self, params: dict) -> dict:
        kind = params.get('list')
        self.requests[kind] += 1
        if self.stop_at.get(kind) == self.requests[kind]:
            raise KeyboardInterrupt
        if kind == 'logevents':
            if self.error is not None:
                raise self.error
            return self._logevents(params)
        return self._users(params)

    def _users(self, params: dict) -> dict:
        names = params['ususers'].split('\x1f')[1:]
        assert len(names) <= self.batch
        users = []
        for name in names:
            if name in self.ids:
                users.append({'name': name, 'userid': self.ids[name], 'emailable': True})
            else:
                users.append({'name': name, 'missing': True})
        query: dict = {'users': users}
        if 'titles' in params:
            titles = params['titles'].split('\x1f')[1:]
            query['redirects'] = [
                {'from': t, 'to': self.redirects[t]} for t in titles if t in self.redirects
            ]
        return {'query': query}

    def _logevents(self, params: dict) -> dict:
        assert params['letype'] == 'renameuser' and params['ledir'] == 'newer'
        entries = [
            {'logid': logid, 'title': f'User:{old}', 'params': {'olduser': old, 'newuser': new}}
            for logid, old, new in self.log
        ]
        if 'letitle' in params:
            title = params['letitle']
            return {'query': {'logevents': [e for e in entries if e['title'] == title]}}
        assert params['lenamespace'] == 2
        start = int(params.get('lecontinue', 0))
        page = entries[start : start + self.page]
        answer: dict = {'query': {'logevents': page}}
        if start + self.page < len(entries):
            answer['continue'] = {'lecontinue': str(start + self.page), 'continue': '-||'}
        return answer


def resolver(wiki: FakeWiki, optout=(), progress=None) -> Resolver:
    r = Resolver(wiki, optout, progress=progress)
    r._user_page = lambda title: title.partition(':')[2]  # no Pywikibot site to parse it
    return r


def history_of(steps, names) -> FakeWiki:
    """A wiki after *steps*: (name, other) registers *name*, or renames it to *other*."""
    wiki = FakeWiki()
    for first, second in steps:
        old, new = names[first], names[second]
        if old not in wiki.ids:
            wiki.register(old)
        elif new not in wiki.ids:
            wiki.rename(old, new)
    return wiki


def accounts_renamed_from(wiki: FakeWiki, name: str, hops: int = 5) -> set[str]:
    """The history's answer: the names now of the accounts once renamed away from *name*,
    followed through at most *hops* renames."""
    found = set()
    for at, (_, old, new) in enumerate(wiki.log):
        if old != name:
            continue
        current, later = new, wiki.log[at + 1 :]
        for _ in range(hops):
            step = next(((i, n) for i, (_, o, n) in enumerate(later) if o == current), None)
            if step is None:
                found.add(current)
                break
            current, later = step[1], later[step[0] + 1 :]
    return {n for n in found if n in wiki.ids}


NAMES = [f'N{i}' for i in range(8)]
histories = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=30)


def accounts_found(user) -> set[str]:
    """The names of the accounts a lookup's answer for a name is."""
    if user.userid is not None:
        return {user.name}
    return set(user.renamed_to)


@settings(max_examples=300, deadline=None)
@given(histories, st.sampled_from([500, 2, 1]), st.integers(0, 120), st.integers(0, 255))
def test_reading_the_whole_log_finds_what_asking_name_by_name_finds(steps, page, extra, keep):
    wiki = history_of(steps, NAMES)
    wiki.page, wiki.batch = page, 50
    # Some of the names without an account, among others, in batches of 50.
    gone = [n for i, n in enumerate(NAMES) if n not in wiki.ids and keep >> i & 1]
    names = [f'Z{i}' for i in range(extra)] + gone
    found = resolver(wiki).accounts(names)
    one_by_one = resolver(wiki)
    for name in gone:
        accounts = accounts_renamed_from(wiki, name)
        assert accounts_found(found[name]) == accounts, (name, wiki.log)
        assert {u.name for u in one_by_one.renames(name)} == accounts, (name, wiki.log)


def test_a_long_list_costs_a_page_of_the_log_per_five_thousand_renames_not_a_request_a_name():
    wiki = FakeWiki(page=5000)
    for i in range(12_000):  # a long log: three pages
        wiki.register(f'Old {i}')
        wiki.rename(f'Old {i}', f'New {i}')
    names = [f'Gone {i}' for i in range(5000)] + ['Old 7', 'Old 11999']
    found = resolver(wiki).accounts(names)
    assert wiki.requests['logevents'] == 3
    # 11 batches of names, one for the two accounts the log leads to.
    assert wiki.requests['users'] == 12
    assert found['Old 7'].name == 'New 7' and found['Old 7'].renamed_from == 'Old 7'
    assert found['Old 11999'].name == 'New 11999'
    assert found['Gone 1'].userid is None


def test_a_log_longer_than_the_list_is_given_up_for_one_request_a_name():
    wiki = FakeWiki(page=500)
    for i in range(3000):  # six pages
        wiki.register(f'Old {i}')
        wiki.rename(f'Old {i}', f'New {i}')
    r = resolver(wiki)
    found = r.accounts(['Gone', 'Old 5', 'Old 2999'])
    # Three pages read (as many as names), then each name on its own.
    assert wiki.requests['logevents'] == 3 + 3 + 2  # and one later rename asked per hop
    assert found['Old 5'].name == 'New 5' and found['Old 2999'].name == 'New 2999'
    # The log is known to be long now: two more names are asked on their own at once.
    before = wiki.requests['logevents']
    r.accounts(['Old 6', 'Gone again'])
    assert wiki.requests['logevents'] - before == 3  # Old 6, its hop, Gone again


def test_a_read_given_up_early_in_a_long_list_goes_on_as_more_names_turn_out_gone():
    wiki = FakeWiki(page=500, batch=50)
    for i in range(10_000):  # a log of twenty pages
        wiki.register(f'Old {i}')
        wiki.rename(f'Old {i}', f'New {i}')
    for i in range(49):
        wiki.register(f'Here {i}')
    # The first batch: 49 accounts and one name without; then 350 names without.
    names = [f'Here {i}' for i in range(49)] + [f'Gone {i}' for i in range(351)]
    found = resolver(wiki).accounts(names)
    # Eight pages for the one name the first batch suggested a list of (1 + 350 / 50),
    # then that name on its own, then the rest of the log as more names turned out gone.
    assert wiki.requests['logevents'] == 8 + 1 + 12
    assert found['Gone 350'].userid is None


def test_a_name_announced_while_the_log_is_being_read_is_not_taken_as_read():
    wiki = FakeWiki(page=1)
    for i in range(3):
        wiki.register(f'Old {i}')
        wiki.rename(f'Old {i}', f'New {i}')
    r = resolver(wiki)
    r.accounts(['Gone'])  # one page read for one name, then that name on its own
    assert wiki.requests['logevents'] == 2
    # The rest of the log is read for five names; its first page was read without them.
    found = r.accounts(['Old 0', 'Z1', 'Z2', 'Z3', 'Z4'])
    assert found['Old 0'].name == 'New 0'


def test_names_the_log_was_read_for_cost_nothing_more_later_in_the_run():
    wiki = FakeWiki()
    wiki.register('Alise')
    wiki.rename('Alise', 'Final')
    r = resolver(wiki, optout=['Alise'])
    r.log.expect(['Gone', 'Bob'])
    assert set(r.optout) == {wiki.ids['Final']}
    assert wiki.requests['logevents'] == 1
    assert r.accounts(['Gone', 'Bob'])['Gone'].userid is None
    assert wiki.requests['logevents'] == 1


def test_chains_a_freed_name_and_a_name_given_up_twice_as_in_the_log():
    wiki = FakeWiki()
    alise = wiki.register('Alise')
    wiki.rename('Alise', 'Mid')
    wiki.rename('Mid', 'Final')
    stranger = wiki.register('Mid')  # the freed middle name, registered again
    wiki.register('Pat')
    wiki.rename('Pat', 'Pat Renamed')
    wiki.register('Pat')
    wiki.rename('Pat', 'Pat Second')
    wiki.register('Quiet')
    wiki.redirects['User:Quiet Old'] = 'User:Quiet'
    wiki.redirects['User:Pat'] = 'User:Quiet'
    names = ['Alise', 'Mid', 'Pat', 'Quiet Old', 'Nobody']
    for page in (500, 1):
        wiki.page, wiki.requests = page, Counter()
        rows = {r.written: r for r in resolver(wiki).from_names_and_pages([], [], names)}
        assert (rows['Alise'].userid, rows['Alise'].detail) == (alise, 'renamed from Alise')
        assert rows['Mid'].userid == stranger
        # The log gives Pat to two accounts: its user page's redirect is not followed.
        assert rows['Pat'].status == Status.NO_SUCH_USER
        assert 'Pat Renamed, Pat Second' in rows['Pat'].detail
        # The log says nothing of Quiet Old: its user page leads to Quiet.
        assert rows['Quiet Old'].name == 'Quiet'
        assert rows['Quiet Old'].detail == 'user page of Quiet Old redirects here'
        assert rows['Nobody'].status == Status.NO_SUCH_USER


@pytest.mark.parametrize('page', [500, 1])
def test_a_log_that_cannot_be_read_is_the_same_sentence_either_way(page):
    wiki = FakeWiki(page=page)
    for i in range(3):
        wiki.register(f'Old {i}')
        wiki.rename(f'Old {i}', f'New {i}')
    wiki.error = APIError('internal_api_error_DBQueryError', 'Database query error')
    with pytest.raises(EmailUserError) as stop:
        resolver(wiki).accounts(['Gone', 'Old 1'])
    expected = rename_log_error('Gone', wiki.error)
    assert str(stop.value) == str(expected)
    assert stop.value.status == EXIT_PENDING


def test_a_wiki_without_renames_has_nobody_renamed():
    wiki = FakeWiki()
    wiki.error = APIError('badvalue', 'Unrecognized value for parameter "letype"')
    assert resolver(wiki).accounts(['Gone'])['Gone'].userid is None


def test_the_log_is_read_forward_in_time_from_the_oldest_entry():
    wiki = FakeWiki(page=1)
    wiki.register('A')
    wiki.rename('A', 'B')
    wiki.rename('B', 'C')
    log = RenameLog(wiki, 'User', rename_log_error)
    assert log.finals(['A', 'X', 'Y']) == {'A': ('C',)}
    assert wiki.requests['logevents'] == 2


class Said:
    def __init__(self, tty: bool = False) -> None:
        self.lines: list[str] = []
        self.written: list[str] = []
        self.tty = tty
        self.now = 0.0

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.written.append(text)

    def flush(self) -> None:
        pass

    def progress(self) -> CheckProgress:
        return CheckProgress(stream=self, clock=lambda: self.now, say=self.lines.append)


def test_a_stop_hands_on_what_was_known_and_the_rest_as_pending():
    wiki = FakeWiki(batch=50)
    wiki.register('Alice')
    wiki.register('Was Bob')
    wiki.rename('Was Bob', 'Bob')
    names = ['Alice', 'Was Bob'] + [f'Gone {i}' for i in range(148)]
    said = Said()
    progress = said.progress()
    wiki.stop_at['users'] = 3
    with pytest.raises(KeyboardInterrupt):
        resolver(wiki, progress=progress).from_names_and_pages(names, [])
    rows = {r.written: r for r in progress.known}
    assert len(rows) == 150
    assert rows['Alice'].status == Status.EMAILABLE
    # Renamed, by the log, but the account it leads to was not asked yet: not known.
    assert rows['Was Bob'].status == Status.PENDING
    # Two batches of names checked, the log read once; the third batch not answered.
    assert [rows[f'Gone {i}'].status for i in (0, 97, 98, 147)] == [
        Status.NO_SUCH_USER,
        Status.NO_SUCH_USER,
        Status.PENDING,
        Status.PENDING,
    ]
    assert Counter(r.status for r in rows.values()) == {
        Status.NO_SUCH_USER: 98,
        Status.PENDING: 51,
        Status.EMAILABLE: 1,
    }
    assert wiki.requests['logevents'] == 1
    assert said.lines == ['Checking 150 names, 50 a request.']


def test_a_stop_while_names_are_asked_one_by_one_keeps_those_asked():
    wiki = FakeWiki(page=1)
    for i in range(10):
        wiki.register(f'Old {i}')
        wiki.rename(f'Old {i}', f'New {i}')
    names = ['Gone 0', 'Gone 1', 'Gone 2', 'Old 3']
    wiki.stop_at['logevents'] = 4 + 3  # four pages read, then two names asked
    progress = Said().progress()
    with pytest.raises(KeyboardInterrupt):
        resolver(wiki, progress=progress).from_names_and_pages(names, [])
    statuses = {r.written: r.status for r in progress.known}
    assert statuses == {
        'Gone 0': Status.NO_SUCH_USER,
        'Gone 1': Status.NO_SUCH_USER,
        'Gone 2': Status.PENDING,
        'Old 3': Status.PENDING,
    }


def test_the_cost_is_said_before_and_followed_once_a_minute_in_a_log():
    said = Said()
    progress = said.progress()
    progress.begin(100_000, 500)
    for done in range(1, 201):
        said.now += 0.5
        progress.step('users', done * 500, 100_000)
    progress.end()
    assert said.lines == [
        'Checking 100,000 names, 500 a request: this may take up to about 3 min 20 s.',
        'Checking names: 60,000 of 100,000 looked up, about 40 s left',
    ]
    assert said.written == []


def test_on_a_terminal_the_line_changes_in_place_and_goes():
    said = Said(tty=True)
    progress = said.progress()
    progress.begin(1000, 50)
    said.now += 1
    progress.step('users', 500, 1000)
    said.now += 1
    progress.step('log', 1, 400)
    progress.end()
    assert said.lines == ['Checking 1,000 names, 50 a request.']
    assert said.written == [
        '\rChecking names: 500 of 1,000 looked up, about 1 s left\x1b[K',
        "\rChecking names: 500 of 1,000 looked up; the wiki's rename log, 1 page read, "
        'about 2 s left\x1b[K',
        '\r\x1b[K',
    ]


def test_asking_many_names_one_by_one_is_said_once_with_its_time():
    said = Said()
    progress = said.progress()
    progress.begin(10_000, 500)
    for done in range(1, 21):
        said.now += 0.5
        progress.step('users', done * 500, 10_000)
        progress.step('renames', 0, 20, expected=400)
    assert said.lines[1:] == [
        "The wiki's rename log is longer than the list: about 400 names without an account "
        'are asked about one by one, about 3 min 20 s more.'
    ]
