"""The scheduler samples of examples/, read and run as their schedulers would.

A sample's command expects a home with ``emailuser-venv/bin/pwb`` and the Pywikibot
configuration folder ``emailuser-bot``: :func:`make_home` lays one out for an account
of the test wiki, where pwb finds the script through ``user_script_paths`` (as the
README says for a clone without ``pip install``). cron and Toolforge's jobs run a
command with /bin/sh in the home folder (:func:`run_shell`).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from . import population as pop
from .pwbconfig import SCRIPT, make_config, pwb_command

EXAMPLES = Path(__file__).resolve().parents[2] / 'examples'
#: A minimal environment, as cron, a container or systemd give a job.
BASE_ENV = {'PATH': '/usr/bin:/bin', 'SHELL': '/bin/sh', 'LANG': 'C.UTF-8', 'LOGNAME': 'tool'}


def crontab_commands(path: Path) -> list[str]:
    """The commands of the crontab *path*, one per line that is no comment."""
    return [
        line.split(None, 5)[5]
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith('#')
    ]


def jobs_file(path: Path) -> list[dict[str, str]]:
    """The jobs of a Toolforge jobs file, each a mapping of its scalar keys.

    The samples use the part of YAML that needs no library: a list of mappings whose
    values are plain, double-quoted or single-quoted scalars on one line.
    """
    jobs: list[dict[str, str]] = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        match = re.fullmatch(r'(- |  )(\w[\w-]*): (.*)', line)
        assert match, f'{path}: a line this test cannot read: {line}'
        if match.group(1) == '- ':
            jobs.append({})
        value = match.group(3)
        if value.startswith("'"):
            value = value[1:-1].replace("''", "'")
        elif value.startswith('"'):
            value = json.loads(value)
        jobs[-1][match.group(2)] = value
    return jobs


def unit_file(path: Path) -> dict[str, list[str]]:
    """The settings of a systemd unit file: each key with its values, in order."""
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if '=' in line and not line.startswith(('#', ';', '[')):
            key, _, value = line.partition('=')
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def emailuser_args(words: list[str]) -> list[str]:
    """The arguments after ``emailuser``, up to the first word of the shell's own."""
    rest = words[words.index('emailuser') + 1 :]
    ends = [i for i, w in enumerate(rest) if w in ('&&', '||', ';', '|') or w.startswith('>')]
    return rest[: ends[0]] if ends else rest


def make_home(home: Path, families: Path, account: str) -> Path:
    """A home as the samples expect it, for *account*; returns its ``emailuser-bot``."""
    bin_folder = home / 'emailuser-venv' / 'bin'
    bin_folder.mkdir(parents=True)
    (bin_folder / 'pwb').symlink_to(pwb_command()[0])
    bot = home / 'emailuser-bot'
    scripts = f'user_script_paths = [{str(SCRIPT.parent)!r}]\n'
    make_config(bot, families, account, pop.PASSWORD, scripts)
    return bot


def env(home: Path) -> dict[str, str]:
    return {**BASE_ENV, 'HOME': str(home)}


def run_shell(command: str, home: Path) -> subprocess.CompletedProcess:
    """Run *command* with /bin/sh in *home*, as cron and Toolforge's jobs do."""
    return subprocess.run(
        ['/bin/sh', '-c', command],
        cwd=home,
        env=env(home),
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
