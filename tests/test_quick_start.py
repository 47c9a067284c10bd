"""The README's quick start, command by command, as a new operator types it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from harness import population as pop
from harness.checks import exactly_once, received
from harness.pwbconfig import env_for, run_pwb

pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

README = Path(__file__).resolve().parents[1] / 'README.md'
CATEGORY_RECIPIENTS = ['Alice', 'Bob', 'Carol', 'Grace Hopper', 'Jürgen Müller', 'Heidi']


def quick_start_blocks() -> list[list[str]]:
    """The indented code blocks of the README's quick start, in order."""
    text = README.read_text(encoding='utf-8')
    section = text.split('## Quick start', 1)[1].split('\n### ', 1)[0]
    blocks, current = [], []
    for line in section.splitlines():
        if line.startswith('       ') and line.strip():
            current.append(line.strip())
        elif current and not line.strip():
            continue
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def test_the_quick_start_works_as_written(wiki, mailbox, tmp_path):
    blocks = quick_start_blocks()
    # Install (block 1) is what tests/test_install.py does; this test uses this venv.
    install, mkdir, family, config, password, *runs = blocks
    assert install[1].endswith('pip install .')
    assert mkdir[0].startswith('mkdir ') and mkdir[1].startswith('cd ')
    directory = tmp_path / 'emailuser-bot'
    directory.mkdir()
    env = env_for(directory)

    def substitute(text: str) -> str:
        return (
            text.replace('https://wiki.example.org/wiki/Main_Page', f'{wiki.url}/index.php')
            .replace('YourName', 'Sender')
            .replace('PASSWORD-THE-WIKI-SHOWED', pop.BOT_PASSWORD)
        )

    def pwb(command: str) -> subprocess.CompletedProcess:
        argv = shlex.split(substitute(command))
        assert argv[0] == 'pwb', command
        result = run_pwb(directory, *argv[1:], env=env)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f'{command}\n{output}'
        assert 'not found' not in output, f'{command}\n{output}'
        assert 'Traceback' not in result.stdout + result.stderr, command
        return result

    (family_command,) = family
    pwb(family_command)
    assert (directory / 'families' / 'mywiki_family.py').exists()
    # Step 1 (pip install .) is tested by tests/test_install.py; here pwb finds this
    # working tree's script the way a clone does, through user_script_paths.
    scripts = Path(__file__).resolve().parents[1] / 'scripts'
    (directory / 'user-config.py').write_text(
        substitute('\n'.join(config))
        + f'\nuser_script_paths = [{str(scripts)!r}]\n'
        + 'put_throttle = 0\n'  # the default 10 s between emails only makes the test slow
    )
    secret = directory / 'user-password.py'
    secret.write_text(substitute('\n'.join(password)) + '\n')
    os.chmod(secret, 0o600)
    (directory / 'invitation.txt').write_text('Hello {username},\n\ncome to the meetup.\n')

    outputs = {}
    for block in runs:
        for command in block:
            result = pwb(command)
            outputs[re.sub(r'\s+', ' ', command)] = result.stdout + result.stderr
    found = list(outputs.values())
    login, help_text, check, preview, test_mail, send = found
    assert 'Logged in' in login or 'logged in' in login
    assert '-textfile:FILE' in help_text
    assert re.search(r'^emailable +Alice$', check, re.M)
    assert 'Preview of the email to Alice' in preview and 'Hello Alice,' in preview
    assert 'The test email (the email to Alice) was sent to' in test_mail
    sender = pop.SENDERS['Sender'][0]
    assert 'Meetup on Saturday' in send
    counts = received(mailbox)
    assert counts.pop(sender) == 1  # the test email, once
    assert counts == exactly_once(CATEGORY_RECIPIENTS)
