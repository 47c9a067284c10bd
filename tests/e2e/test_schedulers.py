"""The scheduler samples of examples/ are run as their scheduler would, until the campaign is done.

Each sample (a crontab line, a Toolforge jobs file, a systemd service) runs the same
emailuser command: the meetup invitation to the members of a category, from a
configuration folder in a home of its own, as the account that may send 3 emails a
day. The test reads the command from the sample, runs it as that scheduler does (cron
and Toolforge through /bin/sh, systemd by its own word splitting, specifiers and
Environment=), and after each run reads the status file: a deferred run is followed
by the next "day" (the wiki's and the journal's clocks moved, harness.clock), until it
says done. Nobody may be emailed twice, everyone must be emailed, and no run may count
as failed by the sample's own rule: cron mails any output of the line, Toolforge's
``emails: onfailure`` any non-zero exit, systemd any exit outside SuccessExitStatus=.

Then the status file of a refused and of a stopped run.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
from pathlib import Path

import pytest

from harness import population as pop
from harness.checks import JOURNAL, exactly_once, received, wait_for_mail
from harness.clock import new_window
from harness.schedulers import (
    EXAMPLES,
    crontab_commands,
    emailuser_args,
    env,
    jobs_file,
    make_home,
    run_shell,
    unit_file,
)

# The samples do the same whatever the MediaWiki version; 1.39 counts API emails against
# the account's limit at the wiki too, as a wiki of any version may.
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

ACCOUNT = 'LimitedSender'  # 3 emails a day
DAY = 86400 + 1


class Sample:
    """One scheduler's sample: how it runs its command, and what it counts as a failure."""

    def __init__(self, name: str, home: Path) -> None:
        self.name = name
        self.home = home

    def args(self) -> list[str]:
        """The emailuser arguments of the sample's command."""
        if self.name == 'systemd':
            return emailuser_args(shlex.split(self.exec_start()))
        return emailuser_args(shlex.split(self.command()))

    def command(self) -> str:
        if self.name == 'cron':
            (command,) = crontab_commands(EXAMPLES / 'crontab')
            return command
        (job,) = jobs_file(EXAMPLES / 'toolforge-jobs.yaml')
        return job['command']

    def exec_start(self) -> str:
        (line,) = unit_file(EXAMPLES / 'emailuser-meetup.service')['ExecStart']
        return line

    def run(self) -> tuple[int, str]:
        """Run the command as the scheduler does: its exit status, and what it printed."""
        if self.name in ('cron', 'toolforge'):
            # Both run the command with /bin/sh in the home folder.
            proc = run_shell(self.command(), self.home)
            return proc.returncode, proc.stdout + proc.stderr
        unit = unit_file(EXAMPLES / 'emailuser-meetup.service')
        variables = env(self.home)
        for setting in unit.get('Environment', []):
            name, _, value = setting.partition('=')
            variables[name] = self.specifiers(value)
        # systemd splits ExecStart= into words as a shell would quote them, expands
        # specifiers such as %h, and runs the program without a shell.
        words = [self.specifiers(word) for word in shlex.split(self.exec_start())]
        assert not any('$' in word for word in words), 'no variables in this sample'
        (cwd,) = unit['WorkingDirectory']
        proc = subprocess.run(
            words,
            cwd=self.specifiers(cwd),
            env=variables,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        return proc.returncode, proc.stdout + proc.stderr

    def specifiers(self, text: str) -> str:
        assert '%' not in text.replace('%h', ''), f'a specifier this test does not know: {text}'
        return text.replace('%h', str(self.home))

    def failed(self, status: int, printed: str) -> bool:
        """Whether the scheduler counts this run as failed, by the sample's own rule."""
        if self.name == 'cron':
            return bool(printed.strip())  # cron mails any output, the line prints on failure
        if self.name == 'toolforge':
            (job,) = jobs_file(EXAMPLES / 'toolforge-jobs.yaml')
            assert job['emails'] == 'onfailure'
            return status != 0
        unit = unit_file(EXAMPLES / 'emailuser-meetup.service')
        success = {0} | {int(s) for v in unit.get('SuccessExitStatus', []) for s in v.split()}
        return status not in success


SAMPLES = ['cron', 'toolforge', 'systemd']


@pytest.fixture
def home(tmp_path, families, wiki, kept_between_runs, mailbox, fresh_limits):
    """A home as the samples expect it: the venv's pwb, and the configuration folder
    ``emailuser-bot`` of the account that may send 3 emails a day, with the invitation."""
    home = tmp_path / 'home'
    bot = make_home(home, families, ACCOUNT)
    kept_between_runs.give(wiki, families, ACCOUNT, bot)
    (bot / 'invitation.txt').write_text('Hello {username}, see you on Saturday!\n')
    yield home
    kept_between_runs.keep(families, ACCOUNT, bot)


def test_the_samples_run_the_same_command():
    found = {name: Sample(name, Path('/home/tool')).args() for name in SAMPLES}
    assert found['cron'] == found['toolforge'] == found['systemd'], found
    assert (
        '-deferredexit:0' in found['cron'] and '-statusfile:emailuser-status.json' in found['cron']
    )


@pytest.mark.slow
@pytest.mark.parametrize('scheduler', SAMPLES)
def test_a_sample_runs_day_after_day_until_everyone_is_emailed_once(scheduler, home, wiki, mailbox):
    sample = Sample(scheduler, home)
    status_file = home / 'emailuser-bot' / 'emailuser-status.json'
    outcomes = []
    for _day in range(4):
        status, printed = sample.run()
        found = json.loads(status_file.read_text())
        outcomes.append((found['outcome'], status))
        log = (home / 'emailuser-bot' / 'emailuser.log').read_text() if scheduler == 'cron' else ''
        assert not sample.failed(status, printed), printed + log
        assert found['exit_status'] == status
        if found['outcome'] == 'done':
            break
        assert found['outcome'] == 'deferred', found
        assert found['next_possible_at'] > found['finished_at']
        assert found['command'].startswith('pwb emailuser ')
        if scheduler == 'toolforge' and len(outcomes) == 1:
            # Run again within the day: nothing fits the limit yet, which is no failure.
            status, printed = sample.run()
            again = json.loads(status_file.read_text())
            assert (again['outcome'], status) == ('deferred', 0), printed
            assert 'sent' not in again['counts'] and 'allows no email now' in again['message']
        # The next day: the account's limit counts from zero again.
        assert new_window(wiki, home / 'emailuser-bot' / JOURNAL, DAY) > 0
    assert outcomes == [('deferred', 0), ('done', 0)], outcomes
    assert found['counts'] == {'already-sent': 3, 'sent': 3, **NOT_REACHED}
    assert found['next_possible_at'] is None and found['command'] is None
    assert received(mailbox) == exactly_once(pop.CATEGORY_RECIPIENTS)


#: What the category's other members end as: the plan's reasons, as the report says them.
NOT_REACHED = {'no-such-user': 1, 'not-a-user': 1, 'not-emailable': 2}


def test_the_status_file_of_a_refused_and_of_a_stopped_run(sender, mailbox, tmp_path):
    status_file = tmp_path / 'status.json'
    common = ['-subject:Status', '-always', f'-statusfile:{status_file}', '-deferredexit:0']
    refused = sender.run('-page:User:Alice', '-textfile:missing.txt', *common)
    assert refused.returncode == 1, refused.output
    found = json.loads(status_file.read_text())
    assert found['outcome'] == 'refused' and found['exit_status'] == 1
    assert 'missing.txt does not exist' in found['message']
    assert found['command'] is None and found['next_possible_at'] is None
    assert status_file.stat().st_mode & 0o777 == 0o600

    # A signal is a stop, never a deferral: 75 whatever -deferredexit: says.
    run = sender.start(f'-links:{pop.CROWD_PAGE}', '-text:Hello {username}.', '-pt:0.5', *common)
    wait_for_mail(mailbox, 1, run)
    run.send_signal(signal.SIGTERM)
    assert run.wait(60) == 75, sender.log()
    found = json.loads(status_file.read_text())
    assert found['outcome'] == 'stopped' and found['exit_status'] == 75, found
    assert found['counts']['sent'] == len(mailbox.messages())
    assert found['counts']['pending'] == 60 - found['counts']['sent']
    assert found['command'].startswith('pwb emailuser ') and found['next_possible_at']
    assert not [p for p in os.listdir(tmp_path) if p.endswith('.tmp')]
