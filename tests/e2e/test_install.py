"""pwb finds the script in each way an operator installs it, and it really sends."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import population
from harness.pwbconfig import env_for, make_config, pwb_command

# How pwb finds the script does not depend on the wiki: one version is enough.
pytestmark = [pytest.mark.wiki, pytest.mark.slow, pytest.mark.mediawiki('1.39')]

REPO = Path(__file__).resolve().parents[2]
HELP_LINE = 'Email many wiki users at once'
ARGS = ['emailuser', '-page:User:Alice', '-subject:Installed {username}', '-text:Body', '-always']


def make_venv(path: Path, *requirements: str) -> Path:
    """A fresh virtual environment with *requirements*; returns its python.

    The suite's own pip installs into it (``pip --python``): installing pip itself into
    every new venv cost most of the CPU time of these tests.
    """
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(path)], check=True)
    python = path / 'bin' / 'python'
    subprocess.run(
        [
            *(sys.executable, '-m', 'pip', '--python', str(python), 'install', '-q'),
            *('--disable-pip-version-check', *requirements),
        ],
        check=True,
        capture_output=True,
    )
    return python


def pwb(python: Path, cwd: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*pwb_command(python), *args],
        cwd=cwd,
        env=env or env_for(cwd),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def copy_clone(dest: Path) -> Path:
    """The repository's files as a plain clone would hold them (working tree)."""
    shutil.copytree(
        REPO,
        dest,
        ignore=shutil.ignore_patterns(
            '.git',
            '.hypothesis',
            '.venv',
            '.venvs',
            '__pycache__',
            '*.egg-info',
            'build',
            '.pytest_cache',
            '.ruff_cache',
            'user-config.py',
            'user-password.py',
        ),
    )
    return dest


@pytest.mark.parametrize('pywikibot_version', ['9.6.1', '11.9.0'])
def test_pip_install_then_pwb_finds_it_from_any_config_dir(
    tmp_path, families, mailbox, pywikibot_version
):
    """``pip install .`` into a fresh venv: found through the entry point, no copying."""
    clone = copy_clone(tmp_path / 'clone')
    python = make_venv(tmp_path / 'venv', f'pywikibot=={pywikibot_version}', str(clone))
    shutil.rmtree(clone)  # the installed copy must stand on its own
    config = make_config(tmp_path / 'elsewhere', families, 'Sender', population.PASSWORD)

    helped = pwb(python, config, 'emailuser', '-help')
    assert helped.returncode == 0, helped.stderr
    assert HELP_LINE in helped.stdout
    assert '-textfile:FILE' in helped.stdout
    assert 'GENERATOR OPTIONS' in helped.stdout.upper()

    sent = pwb(python, config, *ARGS)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    [mail] = mailbox.messages()
    assert (mail.to_address, mail.subject) == (population.EMAILABLE['Alice'], 'Installed Alice')

    # Pywikibot's own messages stay in place for its other scripts.
    login_help = pwb(python, config, 'login', '-help')
    assert login_help.returncode == 0, login_help.stderr


def test_clone_with_the_sample_config_runs_from_its_root(tmp_path, families, mailbox):
    """cp user-config.py.sample user-config.py, edit family/lang/user, run from the clone."""
    clone = copy_clone(tmp_path / 'clone')
    python = make_venv(tmp_path / 'venv', 'pywikibot==11.9.0')
    sample = (clone / 'user-config.py.sample').read_text()
    edited = sample.replace("family = 'wikipedia'", "family = 'localwiki'").replace(
        "'ExampleUser'", "'Sender'"
    )
    assert edited != sample
    (clone / 'user-config.py').write_text(edited)
    shutil.copytree(families, clone / 'families')
    password = clone / 'user-password.py'
    password.write_text(f"('Sender', {population.PASSWORD!r})\n")
    password.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYWIKIBOT')}

    helped = pwb(python, clone, 'emailuser', '-help', env=env)
    assert helped.returncode == 0, helped.stderr
    assert HELP_LINE in helped.stdout

    sent = pwb(python, clone, *ARGS, '-pt:0', env=env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert [m.to_address for m in mailbox.messages()] == [population.EMAILABLE['Alice']]


def test_clone_listed_by_absolute_path_in_user_script_paths(tmp_path, families, mailbox):
    """A Pywikibot-only environment with the clone's scripts folder in user_script_paths."""
    clone = copy_clone(tmp_path / 'clone')
    assert '.' not in str(clone), 'pwb splits user_script_paths entries on dots'
    python = make_venv(tmp_path / 'venv', 'pywikibot==11.9.0')
    config = make_config(
        tmp_path / 'config',
        families,
        'Sender',
        population.PASSWORD,
        extra=f'user_script_paths = [{str(clone / "scripts")!r}]\n',
    )

    helped = pwb(python, config, 'emailuser', '-help')
    assert helped.returncode == 0, helped.stderr
    assert HELP_LINE in helped.stdout

    sent = pwb(python, config, *ARGS)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert [m.to_address for m in mailbox.messages()] == [population.EMAILABLE['Alice']]
