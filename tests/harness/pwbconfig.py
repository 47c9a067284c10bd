"""Pywikibot configuration directories for the senders of the test wiki."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .wiki import LocalWiki

FAMILY = 'localwiki'
SCRIPT = Path(__file__).resolve().parents[2] / 'scripts' / 'emailuser.py'


def pwb_command(python: str | Path = sys.executable) -> list[str]:
    """The ``pwb`` command installed beside *python* (a pip-installed Pywikibot)."""
    return [str(Path(python).parent / 'pwb')]


def generate_family(
    wiki: LocalWiki, dest: Path, python=sys.executable, family: str = FAMILY
) -> Path:
    """Run ``pwb generate_family_file`` against *wiki*; return the families folder.

    The family is called *family*; its one code is the wiki's language (``en``, ``de``).
    What it writes depends on the wiki's template and the Pywikibot beside *python*
    only, besides the port: it is kept beside the template and copied, with this
    wiki's port, the next time (every session and xdist worker starts its own wiki).
    """
    dest.mkdir(parents=True, exist_ok=True)
    families = dest / 'families'
    pwb = Path(pwb_command(python)[0])
    key = hashlib.sha256(f'{pwb.resolve()} {pwb.stat().st_mtime_ns} {family}'.encode())
    cached = wiki.template() / f'families-{key.hexdigest()[:16]}'
    host = f'127.0.0.1:{wiki.port}'
    if cached.is_dir():
        shutil.copytree(cached, families)
        for path in families.glob('*.py'):
            path.write_text(path.read_text().replace('127.0.0.1:{port}', host))
        return families
    env = {**os.environ, 'PYWIKIBOT_DIR': str(dest), 'PYWIKIBOT_NO_USER_CONFIG': '2'}
    result = subprocess.run(
        [*pwb_command(python), 'generate_family_file', f'{wiki.url}/index.php', family, 'n', 'n'],
        cwd=dest,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode or not (families / f'{family}_family.py').exists():
        raise RuntimeError(f'generate_family_file failed: {result.stdout}{result.stderr}')
    keeping = Path(tempfile.mkdtemp(prefix='building-', dir=cached.parent))
    for path in families.glob('*.py'):
        (keeping / path.name).write_text(path.read_text().replace(host, '127.0.0.1:{port}'))
    try:
        keeping.rename(cached)
    except OSError:  # another session kept it first
        shutil.rmtree(keeping)
    return families


def proxied_families(families: Path, wiki_port: int, proxy_port: int, dest: Path) -> Path:
    """A copy of *families* whose wiki is reached through the proxy on *proxy_port*.

    The generated family file names the wiki by ``127.0.0.1:PORT`` (its ``langs``
    and the ``server`` of each code); every occurrence of the wiki's port is
    rewritten, so that Pywikibot talks to the proxy only.
    """
    shutil.copytree(families, dest, dirs_exist_ok=True)
    family_file = dest / f'{FAMILY}_family.py'
    text = family_file.read_text()
    wiki_host, proxy_host = f'127.0.0.1:{wiki_port}', f'127.0.0.1:{proxy_port}'
    if wiki_host not in text:
        raise RuntimeError(f'{family_file} does not name the wiki as {wiki_host}: {text}')
    family_file.write_text(text.replace(wiki_host, proxy_host))
    return dest


class KeptBetweenRuns:
    """What Pywikibot keeps in its folder between an operator's runs, kept per sender and wiki.

    Every test makes a new config dir, so every test's first run would start as an
    operator's very first run does: log in, and ask the wiki for its siteinfo and to
    describe its API modules: 21 requests where a later run makes 10, and about 0.4 s
    more of the wiki's CPU, hundreds of times over. An operator's Pywikibot
    keeps its login cookies (``pywikibot-NAME.lwp``) and those answers (in
    ``apicache``) between runs, and so does this: once a sender has run on a wiki, a
    new config dir of that sender starts with them, as an operator's second run does.

    A test that changes the wiki's settings (LocalWiki.extra_settings) changes what
    its siteinfo says: the cache of every config dir given out since the last test is
    removed then, and again when the settings are back, and such a test's cache is not
    kept. Cookies that no longer hold (the session expired, the account was renamed)
    cost Pywikibot a login, as they would an operator. Senders whose login a test is
    about (through the fault proxy, with a bot password) are given nothing.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.given: set[Path] = set()  # config dirs given to since the last test
        self.changed: set[Path] = set()  # those whose wiki's settings changed meanwhile

    def _kept(self, families: Path, name: str) -> Path:
        key = hashlib.sha256(f'{families.resolve()}|{name}'.encode()).hexdigest()[:16]
        return self.folder / key

    def _watch(self, wiki: LocalWiki) -> None:
        """Forget the caches given out whenever a test changes *wiki*'s settings."""
        if self._settings_changed not in wiki.settings_listeners:
            wiki.settings_listeners.append(self._settings_changed)

    def _settings_changed(self) -> None:
        for config_dir in self.given:
            for cache in config_dir.glob('apicache*'):
                shutil.rmtree(cache)
        self.changed |= self.given

    def give(self, wiki: LocalWiki, families: Path, name: str, config_dir: Path) -> None:
        """Put what was kept of *name* on *wiki* (named by *families*) into *config_dir*;
        only the cookies while a test has changed the wiki's settings."""
        self._watch(wiki)
        self.given.add(config_dir)
        if wiki.settings_changed:
            self.changed.add(config_dir)
        kept = self._kept(families, name)
        for path in sorted(kept.rglob('*')):
            if config_dir in self.changed and path.parent != kept:
                continue
            if path.is_file():
                target = config_dir / path.relative_to(kept)
                target.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, 'wb') as f:
                    f.write(path.read_bytes())

    def keep(self, families: Path, name: str, config_dir: Path) -> None:
        """Keep the cookies of *config_dir*'s runs (unless some are kept already) and
        every answer they cached that is not kept yet, unless the settings changed.

        A worker runs one test at a time: nothing gives while this keeps.
        """
        changed = config_dir in self.changed
        self.given.discard(config_dir)
        self.changed.discard(config_dir)
        kept = self._kept(families, name)
        cookies = sorted(config_dir.glob('pywikibot*.lwp'))
        if not cookies:
            return
        if not kept.exists():
            kept.mkdir()
            for path in cookies:
                shutil.copy2(path, kept / path.name)
        if changed:
            return
        for path in sorted(config_dir.glob('apicache*/*')):
            target = kept / path.parent.name / path.name
            if path.is_file() and not target.exists():
                target.parent.mkdir(exist_ok=True)
                shutil.copy2(path, target)


def make_config(
    directory: Path,
    families: Path,
    username: str,
    password: str,
    extra: str = '',
    *,
    family: str = FAMILY,
    lang: str = 'en',
    bot_password: str | None = None,
) -> Path:
    """A Pywikibot config directory logged in as *username* (password file 0600).

    *family* and *lang* name the wiki as the family file does. With *bot_password*
    (an app id, such as ``mail``), *password* is that bot password of *username*.
    """
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(families, directory / 'families', dirs_exist_ok=True)
    password_file = directory / 'user-password.py'
    if bot_password:
        line = f'({username!r}, BotPassword({bot_password!r}, {password!r}))\n'
    else:
        line = f'({username!r}, {password!r})\n'
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write(line)
    # No pause between requests (Pywikibot's minthrottle is 0.1 s a read, put_throttle
    # 10 s a write): the script's own waits are what the tests are about.
    (directory / 'user-config.py').write_text(
        f'family = {family!r}\n'
        f'mylang = {lang!r}\n'
        f'usernames[{family!r}][{lang!r}] = {username!r}\n'
        "password_file = 'user-password.py'\n"
        'put_throttle = 0\n'
        'minthrottle = 0\n'
        'max_retries = 2\n'
        'retry_wait = 1\n'
        'retry_max = 2\n' + extra
    )
    return directory


def run_pwb(
    config_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 300,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess:
    """Run ``pwb *args`` with *config_dir*'s settings, in *cwd* (the config dir itself by
    default), as an operator would there; output captured."""
    return subprocess.run(
        [*pwb_command(), *args],
        cwd=cwd or config_dir,
        env=env if env is not None else env_for(config_dir),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def env_for(config_dir: Path) -> dict[str, str]:
    """The environment for running pwb with *config_dir* as its base directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYWIKIBOT')}
    env['PYWIKIBOT_DIR'] = str(config_dir)
    env['PYTHONIOENCODING'] = 'utf-8'
    return env
