"""Install, populate, serve and stop a local MediaWiki with an SMTP sink.

The wiki is Debian's ``mediawiki`` package on SQLite, served by PHP's built-in
server: Debian 12's MediaWiki 1.39 installed with apt-get, or Debian 13's 1.43 that
tests/setup.sh unpacks into a cache. Its mail goes over SMTP to an ``aiosmtpd`` Maildir
sink, so a test reads the very message a recipient would get. Every process is started
in its own session and stopped by PID, whatever happens to the caller.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

import requests

from .mailbox import Mailbox

#: Where tests/setup.sh keeps what it downloads (the same default as there).
CACHE = Path(
    os.environ.get('EMAILUSER_TEST_CACHE')
    or Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache') / 'emailuser-tests'
)
#: The MediaWiki trees the suite runs against, by version.
MEDIAWIKIS = {
    '1.39': Path(os.environ.get('EMAILUSER_TEST_MEDIAWIKI', '/usr/share/mediawiki')),
    '1.43': CACHE / 'mediawiki-1.43',
}
#: The default: Debian 12's own package.
MEDIAWIKI = MEDIAWIKIS['1.39']
HERE = Path(__file__).resolve().parent
#: Installed and populated wikis, copied instead of installed again (see LocalWiki.install).
TEMPLATES = CACHE / 'wikis'
#: A template nobody used for this long is removed when another one is made.
TEMPLATE_MAX_AGE = 14 * 86400
#: The code that installs and populates a wiki, as imported: part of a template's key,
#: read once so that editing it during a session does not change the session's wikis.
_HARNESS_SOURCES = (Path(__file__).read_bytes(), (HERE / 'fixtures.php').read_bytes())
SITENAME = 'Emailuser Test Wiki'
ADMIN = ('Admin', 'Admin-pass-7f3k2q9z')

# Appended to the installer's LocalSettings.php.
SETTINGS = """
$wgEnableEmail = true;
$wgEnableUserEmail = true;
$wgEmailAuthentication = false;
$wgPasswordSender = 'wiki@localhost';
$wgEmergencyContact = 'wiki@localhost';
$wgSMTP = [
    'host' => '127.0.0.1', 'port' => {smtp_port}, 'IDHost' => 'localhost',
    'localhost' => 'localhost', 'auth' => false,
];
// Rate limits are only counted with a real object cache.
$wgMainCacheType = CACHE_DB;
$wgJobRunRate = 0;
// Messages from PHP files that the opcode cache keeps, not from SQLite on every request:
// an email costs half the CPU. Made with the template, copied with the wiki.
$wgCacheDirectory = __DIR__ . '/cache';
$wgLocalisationCacheConf['store'] = 'array';
$wgShowExceptionDetails = true;
// MediaWiki 1.39 counts emails as 'emailuser', 1.41 and later as 'sendemail': each
// wiki gets only its own name, as a real one has, so the script must read the right one.
foreach ( [ version_compare( MW_VERSION, '1.41', '>=' ) ? 'sendemail' : 'emailuser' ] as $limit ) {
    $wgRateLimits[$limit] = [
        // Plain users may send 3 emails a day: the rate-limited sender.
        'user' => [3, 86400], 'newbie' => [3, 86400],
        // Senders in this group may send plenty.
        'massmailer' => [100000, 86400],
        // A short window, so that waiting for the limit can be tested.
        'burstmailer' => [2, 6],
    ];
}
$wgGroupPermissions['massmailer']['read'] = true;
// Members of this group may not send email at all.
$wgRevokePermissions['nomailer']['sendemail'] = true;
// Members of this group are never autoconfirmed: the new users that recipients may refuse.
$wgAutopromote['autoconfirmed'] = ['!', [APCOND_INGROUPS, 'newcomer']];
$wgEnableUserEmailMuteList = true;
$wgEnableBotPasswords = true;
// Every run of the script logs in: password hashes of 1,000 rounds instead of the default
// 30,000 make a login cost a tenth of the CPU, and change nothing that a test checks.
$wgPasswordConfig['pbkdf2']['cost'] = '1000';
// Every API request with its parameters (tokens and passwords redacted).
$wgDebugLogGroups['api'] = '{api_log}';
// The bot-flagged sender is exempt from rate limits.
$wgGroupPermissions['bot']['noratelimit'] = true;
// Renames: 1.39 has them in Debian's Renameuser extension, 1.40 and later in core.
if ( version_compare( MW_VERSION, '1.40', '<' ) && is_dir( "$IP/extensions/Renameuser" ) ) {
    wfLoadExtension( 'Renameuser' );
}
// Temporary accounts from 1.43 on, as on Wikimedia's wikis: an edit without logging in
// makes one (~2026-1). No test edits without logging in unless it is about them.
if ( version_compare( MW_VERSION, '1.43', '>=' ) ) {
    $wgAutoCreateTempUser['enabled'] = true;
}
// Settings a test switches on for a while (LocalWiki.extra_settings). PHP's built-in server
// keeps compiled files (OPcache) and looks at their time stamps every 2 s only: without
// this, a request soon after a change would still run the settings of the test before.
if ( is_file( __DIR__ . '/extra-settings.php' ) ) {
    if ( function_exists( 'opcache_invalidate' ) ) {
        opcache_invalidate( __DIR__ . '/extra-settings.php', true );
    }
    require __DIR__ . '/extra-settings.php';
}
"""


def mediawiki_version(tree: Path) -> str:
    """The version of the MediaWiki in *tree*, such as ``1.43.9``."""
    defines = (Path(tree) / 'includes' / 'Defines.php').read_text()
    return defines.split("define( 'MW_VERSION', '")[1].split("'")[0]


#: Ports handed out lately, by every test process of this machine (the suite's workers and
#: the version matrix run at once): a server is started a moment after its port is chosen,
#: and another process must not be given that port meanwhile, or a test would reach a
#: wiki or a mail sink that is not its own.
PORTS_GIVEN = Path(tempfile.gettempdir()) / f'emailuser-tests-ports-{os.getuid()}'
#: How long a port handed out stays reserved.
PORT_RESERVED = 600.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now, and that no
    other test process of this machine was given in the last :data:`PORT_RESERVED` s."""
    with open(PORTS_GIVEN, 'a+', encoding='ascii') as registry:
        fcntl.flock(registry, fcntl.LOCK_EX)
        registry.seek(0)
        now = time.time()
        given = {}
        for line in registry.read().split('\n'):
            port, _, at = line.partition(' ')
            with contextlib.suppress(ValueError):
                if now - float(at) < PORT_RESERVED:
                    given[int(port)] = float(at)
        while True:
            with socket.socket() as sock:
                sock.bind(('127.0.0.1', 0))
                port = sock.getsockname()[1]
            if port not in given:
                break
        given[port] = now
        registry.seek(0)
        registry.truncate()
        registry.write(''.join(f'{p} {at}\n' for p, at in given.items()))
        return port


def _wait_for(check, what: str, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f'{what} exited with {proc.returncode}: {log.read_text()[-2000:]}')
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f'{what} did not start within {timeout} s: {log.read_text()[-2000:]}')


@functools.cache
def _php_version() -> str:
    return subprocess.run(
        ['php', '-r', 'echo PHP_VERSION;'], check=True, capture_output=True, text=True
    ).stdout


def _prune_templates(keep: Path) -> None:
    """Remove the templates nobody used for :data:`TEMPLATE_MAX_AGE` (old keys).

    Also what a session that was killed while making one left behind.
    """
    for folder in [*TEMPLATES.glob('mediawiki-*'), *TEMPLATES.glob('building-*')]:
        max_age = TEMPLATE_MAX_AGE if folder.name.startswith('mediawiki-') else 86400
        if folder != keep and folder.is_dir():
            with contextlib.suppress(OSError):
                if time.time() - folder.stat().st_mtime > max_age:
                    shutil.rmtree(folder)


class LocalWiki:
    """The MediaWiki in the tree *mediawiki*, installed under *root*, with its SMTP sink.

    *lang* is the wiki's content language (``install.php --lang``): its namespace
    names, categories and messages.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        root: Path,
        spec: dict,
        php_workers: int = 1,
        mediawiki: Path = MEDIAWIKI,
        lang: str = 'en',
    ) -> None:
        self.root = Path(root)
        self.spec = spec
        self.lang = lang
        self.mediawiki = Path(mediawiki)
        self.php_workers = php_workers
        self.port = 0
        self.smtp_port = 0
        self.procs: dict[str, subprocess.Popen] = {}
        self.mailbox = Mailbox(self.root / 'maildir')
        self.settings_file = self.root / 'LocalSettings.php'
        self.php_log = self.root / 'php-server.log'
        self.api_log = self.root / 'api.log'
        #: Called with no arguments whenever extra_settings changes the wiki's settings.
        self.settings_listeners: list = []

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    @property
    def api_url(self) -> str:
        return f'{self.url}/api.php'

    def __enter__(self) -> LocalWiki:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def php_env(self) -> dict[str, str]:
        return {
            **os.environ,
            'MW_CONFIG_FILE': str(self.settings_file),
            'MW_INSTALL_PATH': str(self.mediawiki),
        }

    def start(self) -> None:
        """Install the wiki (a copy of its template), start SMTP sink and web server."""
        if not (self.mediawiki / 'api.php').exists():
            raise RuntimeError(
                f'MediaWiki is not installed at {self.mediawiki}: '
                'run tests/setup.sh, which installs it'
            )
        self.root.mkdir(parents=True, exist_ok=True)
        self.port, self.smtp_port = free_port(), free_port()
        self.install()
        self.start_smtp()
        self.start_php()

    def install(self) -> None:
        """Make the wiki: a copy of its template, which is installed first when missing.

        Installing and populating takes seconds of CPU; every session, every xdist
        worker and every worktree needs the same wiki, so the installed database and
        settings are kept in :data:`TEMPLATES`, under a key that hashes everything that
        shapes them (this file, fixtures.php, the spec, the language, MediaWiki's and
        PHP's versions). A change to any of these makes a new template. Only the
        settings that differ between copies (the folder, the ports) are filled in here.
        """
        template = self.template()
        db = self.root / 'db'
        shutil.rmtree(db, ignore_errors=True)
        shutil.copytree(template / 'db', db)
        shutil.rmtree(self.root / 'cache', ignore_errors=True)
        shutil.copytree(template / 'cache', self.root / 'cache')
        shutil.copy2(template / 'fixtures.json', self.root / 'fixtures.json')
        self.settings_file.write_text(self._settings((template / 'LocalSettings.php').read_text()))
        os.utime(template)  # in use: kept by the pruning in template()

    def _settings(self, text: str) -> str:
        """The template's settings *text* with this wiki's folder and ports."""
        return (
            text.replace('{root}', str(self.root))
            .replace('{server}', self.url)
            .replace('{smtp_port}', str(self.smtp_port))
            .replace('{api_log}', str(self.api_log))
        )

    def template_key(self) -> str:
        """A hash of everything that shapes the installed and populated wiki."""
        digest = hashlib.sha256()
        for part in (
            *_HARNESS_SOURCES,
            json.dumps(self.spec, sort_keys=True).encode(),
            self.lang.encode(),
            str(self.mediawiki.resolve()).encode(),
            self.version.encode(),
            _php_version().encode(),
        ):
            digest.update(hashlib.sha256(part).digest())
        return digest.hexdigest()[:20]

    def template(self) -> Path:
        """The folder of this wiki's template, made first if it is missing.

        Made under a lock, in a temporary folder renamed into place when complete:
        sessions started at once make it once, and never see half of it.
        """
        TEMPLATES.mkdir(parents=True, exist_ok=True)
        path = TEMPLATES / f'mediawiki-{self.branch}-{self.lang}-{self.template_key()}'
        if path.is_dir():
            return path
        with open(TEMPLATES / f'{path.name}.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.is_dir():
                building = Path(tempfile.mkdtemp(prefix='building-', dir=TEMPLATES))
                try:
                    self._build_template(building)
                    building.rename(path)
                except BaseException:
                    shutil.rmtree(building, ignore_errors=True)
                    raise
                _prune_templates(keep=path)
        return path

    def _build_template(self, folder: Path) -> None:
        """Run the installer and the fixture script in *folder* (a few seconds)."""
        # The installer writes the folder and the address into the settings; they
        # are put back as placeholders, which every copy fills in with its own.
        builder = LocalWiki(folder, self.spec, mediawiki=self.mediawiki, lang=self.lang)
        builder.port, builder.smtp_port = free_port(), free_port()
        db = folder / 'db'
        db.mkdir()
        (folder / 'cache').mkdir()
        subprocess.run(
            [
                'php',
                'maintenance/install.php',
                '--dbtype',
                'sqlite',
                '--dbpath',
                str(db),
                '--dbname',
                'wiki',
                '--confpath',
                str(folder),
                '--server',
                builder.url,
                '--scriptpath',
                '',
                '--pass',
                ADMIN[1],
                '--skins',
                'Vector',
                '--lang',
                self.lang,
                '--quiet',
                SITENAME,
                ADMIN[0],
            ],
            cwd=self.mediawiki,
            check=True,
            capture_output=True,
            text=True,
        )
        installed = builder.settings_file.read_text()
        template = (
            installed.replace(str(folder), '{root}').replace(builder.url, '{server}') + SETTINGS
        )
        builder.settings_file.write_text(builder._settings(template))
        spec_file = folder / 'fixtures.json'
        spec_file.write_text(json.dumps(self.spec))
        builder._php_script(HERE / 'fixtures.php', str(spec_file))
        builder._php_script(self.mediawiki / 'maintenance' / 'runJobs.php', '--quiet')
        builder.api_log.unlink(missing_ok=True)
        builder.settings_file.write_text(template)

    def _php_script(self, script: Path, *args: str) -> None:
        result = subprocess.run(
            ['php', str(script), *args], env=self.php_env(), capture_output=True, text=True
        )
        if result.returncode:
            raise RuntimeError(f'{script.name} failed: {result.stdout}{result.stderr}')

    def _spawn(self, name: str, argv: list[str], env=None) -> subprocess.Popen:
        log = self.root / f'{name}.log'
        with log.open('ab') as out:
            proc = subprocess.Popen(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.procs[name] = proc
        (self.root / f'{name}.pid').write_text(str(proc.pid))
        return proc

    @property
    def smtp_control(self) -> Path:
        """The file that tells the SMTP sink whom to refuse (see harness.smtpsink)."""
        return self.root / 'smtp-refuse.txt'

    def start_smtp(self) -> None:
        self.mailbox.create()
        self.accept_all_mail()
        # The handler lives in this package: the sink imports it from the tests folder.
        env = {
            **os.environ,
            'PYTHONPATH': os.pathsep.join(
                filter(None, [str(HERE.parent), os.environ.get('PYTHONPATH')])
            ),
        }
        proc = self._spawn(
            'smtp',
            [
                sys.executable,
                '-m',
                'aiosmtpd',
                '-n',
                '-l',
                f'127.0.0.1:{self.smtp_port}',
                '-c',
                'harness.smtpsink.RefusingMailbox',
                str(self.mailbox.path),
                str(self.smtp_control),
            ],
            env=env,
        )

        def ready() -> bool:
            with socket.create_connection(('127.0.0.1', self.smtp_port), timeout=1) as s:
                return s.recv(100).startswith(b'220')

        _wait_for(ready, 'the SMTP sink', 20, proc, self.root / 'smtp.log')

    def refuse_mail_to(self, *addresses: str) -> None:
        """Make the SMTP sink answer 550 to RCPT TO for *addresses* (besides earlier ones)."""
        with self.smtp_control.open('a') as f:
            f.writelines(f'{address}\n' for address in addresses)

    def refuse_all_mail(self) -> None:
        """Make the SMTP sink answer 550 to every RCPT TO."""
        self.smtp_control.write_text('*\n')

    def accept_all_mail(self) -> None:
        """Make the SMTP sink take every recipient again."""
        self.smtp_control.write_text('')

    def start_php(self) -> None:
        """Start PHP's built-in server; its request log goes to php-server.log."""
        env = self.php_env()
        if self.php_workers > 1:
            env['PHP_CLI_SERVER_WORKERS'] = str(self.php_workers)
        proc = self._spawn(
            'php-server',
            ['php', '-S', f'127.0.0.1:{self.port}', '-t', str(self.mediawiki)],
            env=env,
        )

        def ready() -> bool:
            # Our own server, not another process's on a port it was given before.
            if 'started' not in self.php_log.read_text(errors='replace'):
                return False
            r = requests.get(
                self.api_url,
                params={'action': 'query', 'meta': 'siteinfo', 'format': 'json'},
                timeout=5,
            )
            return r.ok and 'query' in r.json()

        _wait_for(ready, 'the PHP server', 30, proc, self.php_log)

    @property
    def version(self) -> str:
        """The MediaWiki version, such as ``1.43.9``."""
        return mediawiki_version(self.mediawiki)

    @property
    def branch(self) -> str:
        """The release branch, such as ``1.43``: the key of :data:`MEDIAWIKIS`."""
        return '.'.join(self.version.split('.')[:2])

    @property
    def settings_changed(self) -> bool:
        """Whether a test's extra settings are in force (see :meth:`extra_settings`)."""
        return (self.root / 'extra-settings.php').exists()

    @contextlib.contextmanager
    def extra_settings(self, php: str):
        """Add *php* to the wiki's settings for the duration of the ``with`` block.

        The settings are read again on every request, so the server keeps running.
        Each of :attr:`settings_listeners` is called after the change and after its end.
        """
        extra = self.root / 'extra-settings.php'
        extra.write_text(f'<?php\n{php}\n')
        for listener in self.settings_listeners:
            listener()
        try:
            yield self
        finally:
            extra.unlink()
            for listener in self.settings_listeners:
                listener()

    def stop_php(self) -> None:
        self._stop('php-server')

    def stop(self) -> None:
        """Stop every process this wiki started, by PID; safe to call twice."""
        for name in list(self.procs):
            self._stop(name)

    def _stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        if proc.poll() is None:
            # Each server leads its own process group: PHP workers go with it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        (self.root / f'{name}.pid').unlink(missing_ok=True)

    def once(self, key: str, make):
        """What *make()* gives, made once for this wiki.

        For fixtures that add users or pages: pytest makes a fixture of a wider scope
        again when an xdist worker's tests alternate between the MediaWiki versions,
        and the second time the wiki has them already.
        """
        made = self.__dict__.setdefault('_made', {})
        if key not in made:
            made[key] = make()
        return made[key]

    def add(self, spec: dict) -> None:
        """Create more users and pages, as the fixture script does (see harness.population)."""
        self.added = getattr(self, 'added', 0) + 1
        spec_file = self.root / f'added-{self.added}.json'
        spec_file.write_text(json.dumps(spec))
        self._php_script(HERE / 'fixtures.php', str(spec_file))

    def rename_user(self, old: str, new: str) -> None:
        """Rename the account *old* to *new*, moving its user page and leaving a redirect.

        1.39: Debian's Renameuser extension, then its user page moved as
        Special:RenameUser does; 1.40 and later: maintenance/renameUser.php.
        """
        if self.branch == '1.39':
            script = self.mediawiki / 'extensions' / 'Renameuser' / 'maintenance' / 'renameUser.php'
            self._php_script(script, '--oldname', old, '--newname', new, '--performer', ADMIN[0])
            moves = self.root / f'moves-{old}.txt'
            moves.write_text(f'User:{old}|User:{new}\n')
            self._php_script(
                self.mediawiki / 'maintenance' / 'moveBatch.php', '--u', ADMIN[0], str(moves)
            )
        else:
            self._php_script(
                self.mediawiki / 'maintenance' / 'renameUser.php',
                '--performer',
                ADMIN[0],
                old,
                new,
            )
        self._php_script(self.mediawiki / 'maintenance' / 'runJobs.php', '--quiet')

    def api(self, **params) -> dict:
        """A read-only API query, for tests that check the wiki's state."""
        params.setdefault('format', 'json')
        params.setdefault('formatversion', '2')
        return requests.get(self.api_url, params=params, timeout=30).json()

    def page_text(self, title: str) -> str | None:
        """The current wikitext of *title*, or None when the page does not exist."""
        page = self.api(
            action='query', prop='revisions', rvprop='content', rvslots='main', titles=title
        )['query']['pages'][0]
        if page.get('missing'):
            return None
        return page['revisions'][0]['slots']['main']['content']

    def api_requests(self) -> list[dict[str, str]]:
        """Every API request the wiki served so far: method, user and parameters."""
        if not self.api_log.exists():
            return []
        requests_ = []
        for line in self.api_log.read_text(errors='replace').splitlines():
            words = line.split(' ')
            if 'API' not in words:
                continue
            at = words.index('API')
            entry = {'method': words[at + 1], 'user': unquote(words[at + 2])}
            for word in words[at + 5 :]:
                name, _, value = word.partition('=')
                entry[name] = unquote(value)
            requests_.append(entry)
        return requests_
