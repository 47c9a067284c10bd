"""A journal on a network filesystem (Toolforge's NFS home): rollback journal, lock first.

The mount table is the test's own (``EMAILUSER_MOUNT_TABLE``): it puts the sender's
configuration folder, where the journal is, on ``nfs4``. Two runs started together on
one journal there: one waits or is refused, and nobody is emailed twice. (A journal
moved there from a local disk is converted: tests/unit/test_journal_filesystem.py.)
"""

from __future__ import annotations

import subprocess

import pytest

from harness import population as pop
from harness.checks import JOURNAL, exactly_once, received
from harness.pwbconfig import SCRIPT, env_for, pwb_command

# What this module tests does not depend on the MediaWiki version.
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.43')]

PEOPLE = pop.CROWD[:12]
CROWD = [*(f'-page:User:{n}' for n in PEOPLE), '-text:Hello {username}.', '-always', '-pt:0.05']


def on_nfs(sender, tmp_path) -> dict[str, str]:
    """The environment of a run that finds the sender's folder on an NFS mount."""
    table = tmp_path / 'mounts'
    table.write_text(
        '/dev/vda1 / ext4 rw,relatime 0 0\n'
        f'tools-nfs.example:/srv/tools {sender.config_dir} nfs4 rw,relatime,vers=4.2 0 0\n'
    )
    return {**env_for(sender.config_dir), 'EMAILUSER_MOUNT_TABLE': str(table)}


def start(sender, env, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [*pwb_command(), str(SCRIPT), *args],
        cwd=sender.config_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def rollback_journal(path) -> bool:
    """Whether the SQLite file *path* is in rollback mode (header bytes 18 and 19 are 1)."""
    head = path.read_bytes()[:20]
    return head[18:20] == b'\x01\x01'


def test_two_runs_started_together_on_an_nfs_journal_email_nobody_twice(sender, mailbox, tmp_path):
    journal = sender.config_dir / JOURNAL
    env = on_nfs(sender, tmp_path)
    runs = [start(sender, env, *CROWD, '-subject:Crowd on NFS') for _ in range(2)]
    outputs = [run.communicate(timeout=180)[0] for run in runs]
    statuses = sorted(run.returncode for run in runs)
    assert received(mailbox) == exactly_once(PEOPLE), outputs
    assert statuses[0] == 0, outputs
    other = outputs[[run.returncode for run in runs].index(statuses[1])]
    if statuses[1] == 0:  # the second ran after the first: everyone was reached already
        assert 'already-sent (12)' in other and 'Nobody to email.' in other
    else:  # or found the first one holding the lock, or the journal it had just begun
        assert statuses[1] in (1, 75), other
        assert 'Another run' in other and 'Traceback' not in other
    plan = outputs[[run.returncode for run in runs].index(0)]
    assert (
        "The journal's folder is on a network filesystem (nfs4): the journal uses SQLite's "
        'rollback journal instead of WAL, and each run takes its lock before it opens the '
        'journal.'
    ) in ' '.join(plan.split())
    assert rollback_journal(journal)
    assert not (sender.config_dir / f'{JOURNAL}-wal').exists()
