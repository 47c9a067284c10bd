"""Fixtures: a session-wide local wiki, a clean mailbox per test, a config dir per sender.

Every test that uses the wiki runs once per MediaWiki version, with the ids ``mw1.39``
and ``mw1.43``; each wiki is started once per session and xdist worker (tests/run.sh
runs several), copied from its cached template (harness.wiki), and pytest runs all the
tests of one version before starting the next. A test may run on any worker, after any
other test: it must not depend on what another test left on the wiki. ``--mw 1.43``
(repeatable) runs the wiki tests on the versions given only; ``-k mw1.43`` does too, but
also leaves out the unit tests.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import population
from harness.central import CentralPair
from harness.clock import forget_wiki_rate_limits
from harness.faultproxy import FaultProxy
from harness.pwbconfig import (
    SCRIPT,
    KeptBetweenRuns,
    env_for,
    generate_family,
    make_config,
    proxied_families,
    pwb_command,
    run_pwb,
)
from harness.wiki import MEDIAWIKIS, LocalWiki

# Unit tests import pywikibot without a configuration of their own.
os.environ.setdefault('PYWIKIBOT_NO_USER_CONFIG', '2')

try:
    from hypothesis import settings as _hypothesis
except ImportError:  # tests/requirements.txt installs it; the property tests need it
    pass
else:
    # In CI the property tests try the same examples on every run, so that a run is
    # judged by the change it tests; anywhere else they search anew each time.
    # No deadline: an example's time says how busy the machine is, not whether the door
    # holds (times are measured by the benchmark).
    _hypothesis.register_profile('default', deadline=None)
    _hypothesis.register_profile('ci', derandomize=True, database=None, deadline=None)
    _hypothesis.load_profile('ci' if os.environ.get('CI') else 'default')


def pytest_addoption(parser):
    parser.addoption(
        '--mw',
        action='append',
        choices=list(MEDIAWIKIS),
        help='run the wiki tests on this MediaWiki version only (repeatable; default: all)',
    )


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'mediawiki(*versions): run this wiki test on these MediaWiki versions only'
    )


def pytest_collection_modifyitems(config, items):
    """Leave out the wiki tests of versions not chosen with --mw or a mediawiki mark.

    The German wiki runs one version only: its tests are left out when --mw
    does not choose that version.
    """
    chosen = set(config.getoption('mw') or MEDIAWIKIS)
    keep, drop = [], []
    for item in items:
        version = getattr(item, 'callspec', None) and item.callspec.params.get('wiki')
        mark = item.get_closest_marker('mediawiki')
        wanted = chosen & set(mark.args) if mark else chosen
        if 'wiki_de' in getattr(item, 'fixturenames', ()):
            version = GERMAN_MEDIAWIKI
        (drop if version and version not in wanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(specname='pytest_collection_modifyitems', trylast=True)
def pytest_collection_modifyitems_slow_first(config, items):
    """Put the tests marked slow at the head of each xdist worker's first share of tests.

    pytest-xdist's worksteal gives each worker an equal run of the collection to start
    with and later moves tests from the end of a worker's queue to an idle one. A test
    that runs or waits long (a put throttle, a rate limit's window, pip) and starts last
    keeps the run going alone; started first, other tests fill the cores while it runs.
    Every worker computes the same order, as xdist requires.
    """
    workers = getattr(config, 'workerinput', {}).get('workercount', 0)
    slow = [item for item in items if item.get_closest_marker('slow')]
    if workers < 2 or not slow:
        return
    rest = [item for item in items if not item.get_closest_marker('slow')]
    heads = [slow[i::workers] for i in range(workers)]
    ordered, remaining = [], len(items)
    for i in range(workers):
        # The share worksteal sends to the i-th worker: what is left, split evenly.
        share = remaining // (workers - i)
        remaining -= share
        ordered += heads[i]
        take = max(0, share - len(heads[i]))
        ordered += rest[:take]
        del rest[:take]
    items[:] = ordered + rest


@pytest.fixture
def fake_wiki():
    """An in-memory MediaWiki 1.43 (fakes.wiki) with the sending account Sender."""
    from fakes.wiki import FakeWiki  # imports Pywikibot, which the wiki tests do not need

    wiki = FakeWiki()
    wiki.add_user('Sender', groups=['massmailer'])
    return wiki


@pytest.fixture
def fake_site(fake_wiki, monkeypatch):
    """A Pywikibot site on :func:`fake_wiki`, logged in as Sender; the script's own
    POSTs (emails, talk page sections) reach that wiki too."""
    from fakes.site import FakeSite, route_posts

    site = FakeSite(fake_wiki, user='Sender')
    route_posts(monkeypatch, site)
    return site


@pytest.fixture(scope='session')
def wikis(tmp_path_factory):
    """Each version's wiki, started when a test first needs it and kept for the session.

    An xdist worker runs tests of both versions in turns (it takes tests from the
    others as it runs out of its own); the parametrized :func:`wiki` alone would stop
    one version's wiki and start the other's, with cold caches, at every turn.
    """
    started: dict[str, LocalWiki] = {}
    with contextlib.ExitStack() as stack:

        def get(version: str) -> LocalWiki:
            if version not in started:
                root = tmp_path_factory.mktemp(f'wiki-{version}')
                local = LocalWiki(root, population.spec(), mediawiki=MEDIAWIKIS[version])
                started[version] = stack.enter_context(local)
            return started[version]

        yield get


@pytest.fixture(scope='session', params=list(MEDIAWIKIS), ids=lambda v: f'mw{v}')
def wiki(request, wikis):
    """The local MediaWiki of one version with its SMTP sink, populated, for the session.

    In CI the end-to-end tests fail, never skip, when it cannot start.
    """
    return wikis(request.param)


@pytest.fixture(scope='session')
def central_pairs(tmp_path_factory):
    """Each version's :class:`harness.central.CentralPair`, started when a test first
    needs it (two more wikis, started in about a second) and kept for the session."""
    started: dict[str, CentralPair] = {}
    with contextlib.ExitStack() as stack:

        def get(version: str) -> CentralPair:
            if version not in started:
                root = tmp_path_factory.mktemp(f'central-{version}')
                pair = CentralPair(root, mediawiki=MEDIAWIKIS[version])
                started[version] = stack.enter_context(pair)
            return started[version]

        yield get


@pytest.fixture(scope='session')
def central_pair(wiki, central_pairs):
    """Two wikis of :func:`wiki`'s version with user tables of their own, whose people
    share central ids (harness.central): for a test of one campaign across wikis.

    Shared by the tests of a session: a test makes people of its own names.
    """
    return central_pairs(wiki.branch)


@pytest.fixture(scope='session')
def families(wiki, tmp_path_factory):
    return generate_family(wiki, tmp_path_factory.mktemp('family'))


#: The one MediaWiki version the German wiki runs (its tests carry this mark).
GERMAN_MEDIAWIKI = '1.39'


@pytest.fixture(scope='session')
def wiki_de(tmp_path_factory):
    """A second wiki, in German (``install.php --lang de``), for the session."""
    root = tmp_path_factory.mktemp('wiki-de')
    local = LocalWiki(root, population.spec_de(), mediawiki=MEDIAWIKIS[GERMAN_MEDIAWIKI], lang='de')
    with local:
        yield local


@pytest.fixture(scope='session')
def families_de(wiki_de, tmp_path_factory):
    """Its families folder: a family of its own name, whose one code is ``de``."""
    return generate_family(
        wiki_de, tmp_path_factory.mktemp('family-de'), family=population.GERMAN_FAMILY
    )


@pytest.fixture
def mailbox_de(wiki_de):
    """The German wiki's mailbox, emptied before the test."""
    wiki_de.accept_all_mail()
    wiki_de.mailbox.clear()
    return wiki_de.mailbox


@pytest.fixture
def sender_de(families_de, mailbox_de, tmp_path, kept_between_runs, wiki_de):
    """The plain sender on the German wiki, with an empty mailbox."""
    directory = tmp_path / 'pwb-Sender-de'
    make_config(
        directory,
        families_de,
        'Sender',
        population.PASSWORD,
        family=population.GERMAN_FAMILY,
        lang='de',
    )
    kept_between_runs.give(wiki_de, families_de, 'Sender', directory)
    yield Sender(directory)
    kept_between_runs.keep(families_de, 'Sender', directory)


@pytest.fixture
def mailbox(wiki):
    """The SMTP sink's mailbox, emptied and taking every recipient, before the test."""
    wiki.accept_all_mail()
    wiki.mailbox.clear()
    yield wiki.mailbox
    wiki.accept_all_mail()


@pytest.fixture
def fresh_limits(wiki):
    """The wiki's rate limit counters emptied before and after the test, as a new day would.

    For the rate-limited senders, whose counters another test on this worker's wiki
    may have left within their window.
    """
    forget_wiki_rate_limits(wiki)
    yield
    forget_wiki_rate_limits(wiki)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Sender:
    """Runs ``pwb emailuser`` as one sender account of the test wiki."""

    def __init__(self, config_dir: Path) -> None:
        self.config_dir = config_dir
        self.started: list[subprocess.Popen] = []

    def run(self, *args: str, stdin: str | None = None, timeout: float = 300) -> Result:
        """Run the script from this repository's working tree, as pwb does."""
        return self.pwb(str(SCRIPT), *args, stdin=stdin, timeout=timeout)

    def run_from(self, folder: Path, *args: str) -> Result:
        """Run the script with *folder* as the current folder (as cron does)."""
        proc = run_pwb(self.config_dir, str(SCRIPT), *args, cwd=folder)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def start(self, *args: str) -> subprocess.Popen:
        """Start the script in the background; output goes to files in the config dir."""
        self.launched = getattr(self, 'launched', 0) + 1
        out = (self.config_dir / f'run-{self.launched}.log').open('w')
        proc = subprocess.Popen(
            [*pwb_command(), str(SCRIPT), *args],
            cwd=self.config_dir,
            env=env_for(self.config_dir),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.started.append(proc)
        return proc

    def log(self, number: int | None = None) -> str:
        """The output of a run started with :meth:`start` (the latest by default)."""
        return (self.config_dir / f'run-{number or self.launched}.log').read_text()

    def pwb(self, *args: str, stdin: str | None = None, timeout: float = 300) -> Result:
        proc = run_pwb(self.config_dir, *args, stdin=stdin, timeout=timeout)
        return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope='session')
def kept_between_runs(tmp_path_factory):
    """Each sender's cookies and API descriptions on each wiki of this worker
    (harness.pwbconfig.KeptBetweenRuns)."""
    return KeptBetweenRuns(tmp_path_factory.mktemp('kept'))


@pytest.fixture
def sender_factory(wiki, families, tmp_path, kept_between_runs):
    """Make a :class:`Sender` for a named account (see harness.population.SENDERS).

    A sender that logs in with its password starts with what Pywikibot kept of its
    first test on this wiki, as an operator's second run does (see
    harness.pwbconfig.KeptBetweenRuns); one with a bot password starts afresh.
    """

    made: list[Sender] = []
    keeping: list[tuple[str, Path]] = []

    def make(name: str = 'Sender', extra: str = '', bot_password: str | None = None) -> Sender:
        """*bot_password*: log in with this bot password (an app id) of *name*."""
        if bot_password:
            directory = tmp_path / f'pwb-{name}@{bot_password}'
            password = population.BOT_PASSWORD
        else:
            directory, password = tmp_path / f'pwb-{name}', population.PASSWORD
        make_config(directory, families, name, password, extra, bot_password=bot_password)
        if not bot_password:
            kept_between_runs.give(wiki, families, name, directory)
            keeping.append((name, directory))
        made.append(Sender(directory))
        return made[-1]

    yield make
    for name, directory in keeping:
        kept_between_runs.keep(families, name, directory)
    # A run a failed test left behind must not mail into the next test.
    for sender in made:
        for proc in sender.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(30)


@pytest.fixture
def sender(sender_factory, mailbox):
    """The plain sender with a generous rate limit, and an empty mailbox."""
    return sender_factory('Sender')


#: Pywikibot settings for runs through the fault proxy: give up on an answer after
#: 4 s, retry a read twice after 1 s, so that a lost answer costs seconds, not minutes.
PROXIED_EXTRA = 'socket_timeout = (3, 4)\nmax_retries = 2\nretry_wait = 1\nretry_max = 2\n'
#: How long the proxy holds an answer for ``hold-after``: past the read timeout above.
PROXY_HOLD = 6.0


@pytest.fixture(scope='session')
def proxy_server(wiki):
    """The fault proxy in front of the wiki, for the whole session (use :func:`proxy`)."""
    with FaultProxy(wiki.url, hold_seconds=PROXY_HOLD) as server:
        yield server


@pytest.fixture
def proxy(proxy_server):
    """The fault proxy with nothing armed and an empty log, for one test."""
    proxy_server.reset()
    proxy_server.hold_seconds = PROXY_HOLD
    yield proxy_server
    proxy_server.reset()
    proxy_server.hold_seconds = PROXY_HOLD


@pytest.fixture(scope='session')
def families_via_proxy(families, wiki, proxy_server, tmp_path_factory):
    """The families folder with the wiki's address replaced by the proxy's."""
    dest = tmp_path_factory.mktemp('family-proxied') / 'families'
    return proxied_families(families, wiki.port, proxy_server.port, dest)


@pytest.fixture(scope='session')
def sender_via_proxy_factory(families_via_proxy, tmp_path_factory):
    """Make a :class:`Sender` whose Pywikibot talks to the wiki through the proxy.

    Each call makes a new config directory (and so a new journal); short
    timeouts and few retries are set, *extra* comes after them.
    """

    def make(name: str = 'Sender', extra: str = '') -> Sender:
        directory = tmp_path_factory.mktemp(f'pwb-{name}-proxied')
        make_config(directory, families_via_proxy, name, population.PASSWORD, PROXIED_EXTRA + extra)
        return Sender(directory)

    return make


@pytest.fixture
def sender_via_proxy(sender_via_proxy_factory, proxy, mailbox):
    """The plain sender, through a disarmed proxy, with an empty mailbox."""
    return sender_via_proxy_factory('Sender')
