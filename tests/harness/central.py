"""Two wikis whose people share central ids, as a Wikimedia person's accounts do.

On Wikimedia a person is one global account (CentralAuth) with a local account on each
wiki, attached to it. CentralAuth cannot be installed here; the smallest real thing
MediaWiki offers in its place is a ``CentralIdLookup`` provider: core's API then answers
``list=users&usprop=centralids``, ``meta=userinfo&uiprop=centralids`` and
``meta=siteinfo`` as on Wikimedia, under the provider's name.

A :class:`CentralPair` is two wikis of one MediaWiki version (:class:`CentralWiki`),
each a copy of the same template as the session's wiki, with user tables of their own
and their own wiki ids (``awiki``, ``bwiki``), whose provider ``TestCentral``
(tests/harness/TestCentralIdLookup.php) reads the global accounts from one SQLite file
that both name (:class:`CentralStore`), laid out as CentralAuth's ``globaluser`` and
``localuser`` tables. They also answer ``list=globalusers`` as CentralAuth does
(tests/harness/TestCentralGlobalUsers.php), and a lock has CentralAuth's local effects.
The session's wiki (harness.wiki.LocalWiki) has no such provider and stays so.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import population
from .wiki import HERE, MEDIAWIKI, LocalWiki

#: The provider's name in $wgCentralIdLookupProviders, as ``CentralAuth`` is on Wikimedia:
#: the key of ``centralids`` and ``attachedlocal`` in the API's answers.
PROVIDER = 'TestCentral'
#: The first central id: beyond every local id of the template (about 10,100), so that a
#: test that takes a local id for a central one, or the other way round, fails.
FIRST_CENTRAL_ID = 50_001
#: How far beyond the first wiki's next local id the second wiki's starts: with people
#: made in a different order on each (CentralPair.create_people), no one has the same
#: local id on both, as on two real wikis.
USER_ID_GAP = 1_000
#: Where the wikis' settings hand over to a test's extra settings (harness.wiki.SETTINGS):
#: the pair's settings go before it, so that a test may still change them.
_EXTRA_SETTINGS_MARK = '// Settings a test switches on for a while'

SCHEMA = """
CREATE TABLE IF NOT EXISTS globaluser (
    gu_id INTEGER PRIMARY KEY AUTOINCREMENT,
    gu_name TEXT NOT NULL UNIQUE,
    gu_locked INTEGER NOT NULL DEFAULT 0,
    gu_registration TEXT
);
CREATE TABLE IF NOT EXISTS localuser (
    lu_wiki TEXT NOT NULL,
    lu_name TEXT NOT NULL,
    lu_local_id INTEGER,
    lu_attached_timestamp TEXT,
    PRIMARY KEY (lu_wiki, lu_name)
);
"""

# Required by the wiki's LocalSettings.php before a test's extra settings.
CENTRAL_SETTINGS = """<?php
foreach ( [ 'Store', 'IdLookup', 'Hooks', 'LockedLogin' ] as $class ) {
    $wgAutoloadClasses["TestCentral$class"] = {harness} . '/TestCentralIdLookup.php';
}
$wgAutoloadClasses['TestCentralGlobalUsers'] = {harness} . '/TestCentralGlobalUsers.php';
$wgTestCentralStore = {store};
$wgCentralIdLookupProviders['{provider}'] = [ 'class' => 'TestCentralIdLookup' ];
$wgCentralIdLookupProvider = '{provider}';
$wgAPIListModules['globalusers'] = [
    'class' => 'TestCentralGlobalUsers', 'services' => [ 'UserNameUtils' ],
];
$wgAuthManagerAutoConfig['secondaryauth']['TestCentralLockedLogin'] = [
    'class' => 'TestCentralLockedLogin', 'sort' => 0,
];
$wgHooks['UserIsLocked'][] = 'TestCentralHooks::onUserIsLocked';
$wgHooks['UserGetEmailAuthenticationTimestamp'][] =
    'TestCentralHooks::onUserGetEmailAuthenticationTimestamp';
// As on Wikimedia's wikis: only a confirmed address takes email, which is how
// CentralAuth keeps email from a locked account.
$wgEmailAuthentication = true;
"""


def _php_string(text: str) -> str:
    return "'" + text.replace('\\', '\\\\').replace("'", "\\'") + "'"


def _now() -> str:
    """The time as MediaWiki stores it (TS_MW)."""
    return time.strftime('%Y%m%d%H%M%S', time.gmtime())


class CentralStore:
    """The global accounts of a pair: one SQLite file, written here, read by the wikis.

    Names are canonical user names (``Grace Hopper``, not ``grace_Hopper``).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with self._db() as db:
            db.executescript(SCHEMA)
            db.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'globaluser', ?"
                " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'globaluser')",
                (FIRST_CENTRAL_ID - 1,),
            )

    @contextlib.contextmanager
    def _db(self):
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:
                yield db
        finally:
            db.close()

    def create(self, name: str) -> int:
        """Make the global account *name*, attached nowhere yet; return its central id."""
        with self._db() as db:
            return db.execute(
                'INSERT INTO globaluser (gu_name, gu_registration) VALUES (?, ?)', (name, _now())
            ).lastrowid

    def central_id(self, name: str) -> int | None:
        """The central id of the global account *name*, or None."""
        with self._db() as db:
            row = db.execute('SELECT gu_id FROM globaluser WHERE gu_name = ?', (name,)).fetchone()
        return row and row[0]

    def attach(self, name: str, wiki_id: str, local_id: int) -> None:
        """Attach the local account *local_id* of the wiki *wiki_id* to the global *name*."""
        with self._db() as db:
            if not db.execute('SELECT 1 FROM globaluser WHERE gu_name = ?', (name,)).fetchone():
                raise KeyError(f'no global account {name!r}')
            db.execute(
                'INSERT OR REPLACE INTO localuser VALUES (?, ?, ?, ?)',
                (wiki_id, name, local_id, _now()),
            )

    def detach(self, name: str, wiki_id: str) -> None:
        """Detach the global account *name* from its local account on *wiki_id*."""
        with self._db() as db:
            db.execute('DELETE FROM localuser WHERE lu_wiki = ? AND lu_name = ?', (wiki_id, name))

    def attachments(self, name: str) -> dict[str, int]:
        """The local ids of the global account *name*, by the id of the wiki they are on."""
        with self._db() as db:
            return dict(
                db.execute('SELECT lu_wiki, lu_local_id FROM localuser WHERE lu_name = ?', (name,))
            )

    def set_locked(self, name: str, locked: bool = True) -> None:
        with self._db() as db:
            changed = db.execute(
                'UPDATE globaluser SET gu_locked = ? WHERE gu_name = ?', (int(locked), name)
            ).rowcount
        if not changed:
            raise KeyError(f'no global account {name!r}')

    def rename(self, old: str, new: str) -> None:
        """Rename the global account and its attachments; its central id stays."""
        with self._db() as db:
            db.execute('UPDATE globaluser SET gu_name = ? WHERE gu_name = ?', (new, old))
            db.execute('UPDATE localuser SET lu_name = ? WHERE lu_name = ?', (new, old))


class CentralWiki(LocalWiki):
    """A :class:`LocalWiki` whose central ids come from the :class:`CentralStore` at
    *store*, under its own wiki id *wiki_id* (its database's name, as on a wiki farm).

    *user_id_gap*: how far to move its next local user id on, once copied.
    """

    def __init__(
        self,
        root: Path,
        spec: dict,
        store: Path,
        wiki_id: str,
        user_id_gap: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(root, spec, **kwargs)
        self.store = Path(store)
        self.wiki_id = wiki_id
        self.user_id_gap = user_id_gap

    def install(self) -> None:
        super().install()
        # Each wiki of a farm has its own database name, which is its wiki id: the key
        # of attachments in the store, and of the session cookie's name, so that one
        # client logged in on both wikis of 127.0.0.1 keeps both sessions.
        db = self.root / 'db'
        for path in [db / 'wiki.sqlite', *db.glob('wiki_*.sqlite')]:
            path.rename(db / (self.wiki_id + path.name[len('wiki') :]))
        if self.user_id_gap:
            main = sqlite3.connect(db / f'{self.wiki_id}.sqlite')
            try:
                with main:
                    main.execute(
                        "UPDATE sqlite_sequence SET seq = seq + ? WHERE name = 'user'",
                        (self.user_id_gap,),
                    )
            finally:
                main.close()
        (self.root / 'central-settings.php').write_text(
            CENTRAL_SETTINGS.replace('{harness}', _php_string(str(HERE)))
            .replace('{store}', _php_string(str(self.store)))
            .replace('{provider}', PROVIDER)
        )

    def _settings(self, text: str) -> str:
        text = super()._settings(text)
        name = '$wgDBname = "wiki";'
        if name not in text or _EXTRA_SETTINGS_MARK not in text:
            raise RuntimeError(
                f'the template settings lack {name!r} or {_EXTRA_SETTINGS_MARK!r}: '
                'harness.central must follow harness.wiki'
            )
        require = "require __DIR__ . '/central-settings.php';\n"
        return text.replace(name, f'$wgDBname = "{self.wiki_id}";').replace(
            _EXTRA_SETTINGS_MARK, require + _EXTRA_SETTINGS_MARK, 1
        )

    def user_ids(self, names: Iterable[str]) -> dict[str, int]:
        """The local user ids of the accounts *names* (canonical), missing ones left out."""
        names = list(names)
        ids = {}
        for start in range(0, len(names), 50):
            answer = self.api(
                action='query', list='users', ususers='|'.join(names[start : start + 50])
            )
            for user in answer['query']['users']:
                if 'userid' in user:
                    ids[user['name']] = user['userid']
        return ids


def person(who: str | dict) -> dict:
    """The fixture spec of a user (harness.population): a name alone takes email at
    the address :func:`harness.population.crowd_address` gives."""
    if isinstance(who, dict):
        return who
    return {'name': who, 'email': population.crowd_address(who)}


def _each(calls: Iterable[tuple]) -> None:
    """Call each ``(function, *args)`` at once, in threads: they wait for PHP processes."""
    calls = list(calls)
    if not calls:
        return
    with ThreadPoolExecutor(len(calls)) as pool:
        for future in [pool.submit(*call) for call in calls]:
            future.result()


class CentralPair:
    """Two wikis of the MediaWiki in *mediawiki* (:attr:`a` and :attr:`b`) with one
    store of global accounts (:attr:`store`), each a copy of *spec*'s template.

    Once started, the accounts of *spec* that log in (those with a password: the
    senders of harness.population.SENDERS) are global accounts attached on both
    wikis, and a mute list names central ids, as
    Special:Preferences writes it under a central provider. The template's other
    people have no global account; they have the same local ids on both wikis, being
    copies. People made with :meth:`create_people` have different local ids on each.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, root: Path, mediawiki: Path = MEDIAWIKI, spec: dict | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.spec = spec or population.spec()
        self.store = CentralStore(self.root / 'central.sqlite')
        self.a = CentralWiki(
            self.root / 'a', self.spec, self.store.path, 'awiki', mediawiki=mediawiki
        )
        self.b = CentralWiki(
            self.root / 'b',
            self.spec,
            self.store.path,
            'bwiki',
            user_id_gap=USER_ID_GAP,
            mediawiki=mediawiki,
        )
        self.wikis = (self.a, self.b)

    def __enter__(self) -> CentralPair:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        _each((wiki.start,) for wiki in self.wikis)
        self.globalize(*(u['name'] for u in self.spec['users'] if u.get('password')))
        self._mute_by_central_ids()

    def stop(self) -> None:
        for wiki in self.wikis:
            wiki.stop()

    def _mute_by_central_ids(self) -> None:
        """Write the template's mute lists again with central ids.

        The template was made under core's ``local`` provider, whose central ids are
        local ids: under this one, the same numbers would name other people.
        """
        muting = {u['name']: u['mute'] for u in self.spec['users'] if u.get('mute')}
        for wiki in self.wikis:
            ids = wiki.user_ids(muting)
            db = sqlite3.connect(wiki.root / 'db' / f'{wiki.wiki_id}.sqlite', timeout=30)
            try:
                with db:
                    for name, muted in muting.items():
                        central = [str(self.store.central_id(m) or 0) for m in muted]
                        db.execute(
                            'UPDATE user_properties SET up_value = ?'
                            " WHERE up_user = ? AND up_property = 'email-blacklist'",
                            ('\n'.join(central), ids[name]),
                        )
            finally:
                db.close()

    def create_people(
        self, *people: str | dict, on: Sequence[CentralWiki] | None = None
    ) -> dict[str, int]:
        """Make each of *people* (names or fixture specs, see :func:`person`) one global
        account with a local account on each wiki of *on* (both by default), attached.

        The local accounts are made on the first wiki in the order given, on the second
        in the reverse order. Returns each name's central id.
        """
        specs = [person(p) for p in people]
        names = [s['name'] for s in specs]
        wikis = list(on or self.wikis)
        _each(
            (wiki.add, {'users': specs if i % 2 == 0 else specs[::-1]})
            for i, wiki in enumerate(wikis)
        )
        central = {name: self.store.create(name) for name in names}
        for wiki in wikis:
            for name, local_id in wiki.user_ids(names).items():
                self.store.attach(name, wiki.wiki_id, local_id)
        return central

    def create_local(self, wiki: CentralWiki, *people: str | dict) -> dict[str, int]:
        """Make local accounts on *wiki* only, attached to nothing: where a global account
        of the same name exists, the account of someone else. Returns the local ids."""
        specs = [person(p) for p in people]
        wiki.add({'users': specs})
        return wiki.user_ids(s['name'] for s in specs)

    def globalize(self, *names: str, on: Sequence[CentralWiki] | None = None) -> dict[str, int]:
        """Make the existing local accounts *names* one global account each, attached on
        every wiki of *on* (both by default) where they exist. Returns the central ids."""
        central = {name: self.store.central_id(name) or self.store.create(name) for name in names}
        for wiki in on or self.wikis:
            for name, local_id in wiki.user_ids(names).items():
                self.store.attach(name, wiki.wiki_id, local_id)
        return central

    def attach(self, name: str, wiki: CentralWiki) -> None:
        """Attach *wiki*'s existing local account *name* to the global account *name*."""
        [local_id] = wiki.user_ids([name]).values()
        self.store.attach(name, wiki.wiki_id, local_id)

    def detach(self, name: str, wiki: CentralWiki) -> None:
        """Detach *wiki*'s local account *name* from its global account; both stay."""
        self.store.detach(name, wiki.wiki_id)

    def rename(self, old: str, new: str) -> None:
        """Rename the global account *old* to *new*, as CentralAuth's global rename does:
        the global account first, keeping its central id, then each attached local
        account with its wiki's own rename (harness.wiki.LocalWiki.rename_user)."""
        attached = self.store.attachments(old)
        self.store.rename(old, new)
        _each((wiki.rename_user, old, new) for wiki in self.wikis if wiki.wiki_id in attached)

    def lock(self, *names: str) -> None:
        """Lock the global accounts *names*, on every wiki at once."""
        for name in names:
            self.store.set_locked(name, True)

    def unlock(self, *names: str) -> None:
        for name in names:
            self.store.set_locked(name, False)

    def central_id(self, name: str) -> int | None:
        return self.store.central_id(name)
