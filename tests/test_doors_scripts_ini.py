"""The doors an operator can get wrong without noticing: scripts.ini read from another
folder or written a little differently, bytes that are not UTF-8 on the command line,
home folders that do not exist, and control characters in a CSV value.

Each mistake either does what the operator meant (a relative path in scripts.ini is
beside that file) or is one sentence with exit status 1, nothing sent and no traceback;
none may email anyone twice or drop an opt-out.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from collections import Counter

import pytest
from conftest import Result

from harness import population as pop
from harness.checks import exactly_once, one_line, received
from harness.files import write_ini
from harness.pwbconfig import SCRIPT, env_for, pwb_command

# The doors do not depend on the MediaWiki version.
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

SEND = ['-page:User:Alice', '-subject:Doors', '-text:Hello {username}.']


def refused(result: Result, sentence: str) -> None:
    """*result* is the one-sentence refusal *sentence*, with exit status 1."""
    assert result.returncode == 1, result.output
    assert sentence in one_line(result.output), result.output
    assert 'Traceback' not in result.output


# Relative paths in scripts.ini --------------------------------------------------------


def test_a_relative_journal_and_body_file_in_the_central_scripts_ini_are_found_from_cron(
    sender, mailbox, tmp_path
):
    (sender.config_dir / 'body.txt').write_text('From the file beside scripts.ini.\n')
    ini = write_ini(
        sender.config_dir,
        '[emailuser]\njournal = cron-journal.sqlite3\ntextfile = body.txt\nalways = yes\n',
    )
    args = ['-page:User:Alice', '-subject:Cron']
    first = sender.run(*args)
    assert first.returncode == 0, first.output
    journal = sender.config_dir / 'cron-journal.sqlite3'
    assert f'Campaign "Cron" in {journal}:' in one_line(first.output)
    elsewhere = tmp_path / 'cron-cwd'
    elsewhere.mkdir()
    again = sender.run_from(elsewhere, *args)
    assert again.returncode == 0, again.output
    assert f'With the settings from {ini} [emailuser].' in one_line(again.output)
    assert f'Campaign "Cron" in {journal}:' in one_line(again.output)
    assert '1 reached by earlier runs' in again.output
    assert received(mailbox) == exactly_once(['Alice'])
    [mail] = mailbox.messages()
    assert mail.body.startswith('From the file beside scripts.ini.')
    assert list(elsewhere.iterdir()) == []


# Which scripts.ini, and which section ---------------------------------------------------


@pytest.mark.parametrize('section', ['EmailUser', 'emailuser.py', ' emailuser ', 'EMAIL USER'])
def test_a_section_named_almost_emailuser_is_refused_not_dropped_with_its_optout(
    sender, mailbox, section
):
    ini = write_ini(sender.config_dir, f'[{section}]\noptout = {pop.OPTOUT_CATEGORY}\n')
    result = sender.run('-page:User:Carol', '-subject:Case', '-text:Hi.', '-always')
    refused(
        result,
        f'{ini} has the section [{section}], which is not read: name it [emailuser], as '
        'this script reads only that.',
    )
    assert mailbox.messages() == []


def test_a_scripts_ini_of_other_scripts_in_the_folder_leaves_the_central_optout_applying(
    sender, mailbox, tmp_path
):
    central = write_ini(sender.config_dir, f'[emailuser]\noptout = {pop.OPTOUT_CATEGORY}\n')
    folder = tmp_path / 'project'
    folder.mkdir()
    write_ini(folder, '[replace]\nalways = yes\n[DEFAULT]\nsummary = Bot\n')
    result = sender.run_from(
        folder,
        '-page:User:Carol',
        '-page:User:Bob',
        '-subject:Shadow',
        '-text:Hi.',
        '-always',
    )
    assert result.returncode == 0, result.output
    assert f'With the settings from {central} [emailuser].' in one_line(result.output)
    assert 'is not read' not in result.output
    assert received(mailbox) == exactly_once(['Bob'])


def test_a_local_scripts_ini_with_emailuser_settings_wins_and_names_the_central_one(
    sender, mailbox, tmp_path
):
    central = write_ini(sender.config_dir, '[emailuser]\nmax = abc\n')
    folder = tmp_path / 'project'
    folder.mkdir()
    # An [emailuser] section makes it this script's; [DEFAULT] alone would not.
    local = write_ini(folder, '[emailuser]\n[DEFAULT]\nalways = yes\n')
    result = sender.run_from(folder, *SEND)
    assert result.returncode == 0, result.output
    assert (
        f'{central} is not read, because {local} in the current folder is: merge the '
        'settings into one of them, and keep only that one.'
    ) in one_line(result.output)
    assert f'With the settings from {local} [DEFAULT].' in one_line(result.output)
    assert received(mailbox) == exactly_once(['Alice'])


# Quoted values ---------------------------------------------------------------------------


def test_a_campaign_moved_into_scripts_ini_in_quotes_is_refused_not_started_anew(sender, mailbox):
    first = sender.run(*SEND, '-always', '-campaign:Meet up Q')
    assert first.returncode == 0, first.output
    ini = write_ini(sender.config_dir, '[emailuser]\ncampaign = "Meet up Q"\n')
    again = sender.run(*SEND, '-always')
    refused(
        again,
        f'{ini} [emailuser] campaign = "Meet up Q" is in quotes, but scripts.ini values are '
        'read as written, quotes and all: write it without the quotes.',
    )
    ini.write_text('[emailuser]\ncampaign = Meet up Q\n')
    fixed = sender.run(*SEND, '-always')
    assert fixed.returncode == 0, fixed.output
    assert received(mailbox) == exactly_once(['Alice'])


@pytest.mark.parametrize(
    'value', [f"'{pop.OPTOUT_CATEGORY}'", f'Project:Other | "{pop.OPTOUT_CATEGORY}"']
)
def test_an_optout_in_quotes_is_refused_before_anyone_is_emailed(sender, mailbox, value):
    ini = write_ini(sender.config_dir, f'[emailuser]\noptout = {value}\n')
    result = sender.run('-page:User:Carol', '-subject:Quoted', '-text:Hi.', '-always')
    refused(result, f'{ini} [emailuser] optout = {value} is in quotes')
    assert mailbox.messages() == []


# -resend and always = yes ------------------------------------------------------------------


def test_always_in_scripts_ini_does_not_confirm_resend(sender, mailbox):
    write_ini(sender.config_dir, '[emailuser]\nalways = yes\n')
    first = sender.run(*SEND)
    assert first.returncode == 0, first.output
    result = sender.run(*SEND, '-resend')
    refused(
        result,
        '-resend emails everyone of this campaign again: confirm it on a terminal, or add '
        '-always to the command line (always = yes in scripts.ini does not confirm it).',
    )
    assert received(mailbox) == exactly_once(['Alice'])
    simulated = sender.run(*SEND, '-resend', '-simulate')
    assert simulated.returncode == 0, simulated.output
    assert received(mailbox) == exactly_once(['Alice'])
    confirmed = sender.run(*SEND, '-resend', '-always')
    assert confirmed.returncode == 0, confirmed.output
    assert received(mailbox) == Counter({pop.EMAILABLE['Alice']: 2})


def test_always_in_scripts_ini_still_asks_before_resend_on_a_terminal(sender, mailbox):
    ini = write_ini(sender.config_dir, '[emailuser]\nalways = yes\n')
    assert sender.run(*SEND).returncode == 0
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*pwb_command(), str(SCRIPT), *SEND, '-resend'],
        cwd=sender.config_dir,
        env=env_for(sender.config_dir),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    screen, answered = '', False
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            try:
                screen += os.read(master, 4096).decode(errors='replace')
            except OSError:
                time.sleep(0.05)
        if not answered and 'email everyone again?' in screen:
            os.write(master, b'n\r')
            answered = True
    proc.wait(30)
    os.close(master)
    assert answered, screen[-1500:]
    assert proc.returncode == 1, screen[-1500:]
    assert f'{ini} [emailuser] always = yes does not confirm -resend' in one_line(screen)
    assert 'Nothing was sent: -resend was not confirmed.' in screen
    assert received(mailbox) == exactly_once(['Alice'])


# The command line's bytes and home folders -------------------------------------------------


@pytest.mark.parametrize(
    ('arg', 'shown'),
    [
        ('-subject:Caf\udce9', '-subject:Caf\\xe9'),
        ('-users:caf\udce9.csv', '-users:caf\\xe9.csv'),
        ('-journal:caf\udce9.sqlite3', '-journal:caf\\xe9.sqlite3'),
    ],
)
def test_an_argument_that_is_not_utf8_is_one_sentence(sender, mailbox, arg, shown):
    result = sender.run('-page:User:Alice', '-subject:S', '-text:Hi.', '-always', arg)
    refused(result, f'The argument {shown} is not UTF-8 text: write it in UTF-8')
    assert mailbox.messages() == []


@pytest.mark.parametrize('option', ['journal', 'report', 'users', 'textfile'])
def test_a_home_folder_that_does_not_exist_is_one_sentence(sender, mailbox, option):
    args = ['-page:User:Alice', '-subject:S', '-always']
    if option != 'textfile':
        args.append('-text:Hi.')
    result = sender.run(*args, f'-{option}:~nosuchuser/file')
    refused(
        result,
        f'-{option}:~nosuchuser/file starts with the home folder ~nosuchuser, which this '
        'system does not know: write the path in full, without ~.',
    )
    assert mailbox.messages() == []


def test_a_home_folder_that_does_not_exist_in_scripts_ini_is_one_sentence(sender, mailbox):
    ini = write_ini(sender.config_dir, '[emailuser]\njournal = ~nosuchuser/j.sqlite3\n')
    result = sender.run(*SEND, '-always')
    refused(
        result,
        f'{ini} [emailuser] journal = ~nosuchuser/j.sqlite3 starts with the home folder '
        '~nosuchuser, which this system does not know: write the path in full, without ~.',
    )
    assert mailbox.messages() == []


# Control characters in a CSV value -------------------------------------------------------


@pytest.mark.parametrize(('char', 'shown'), [('\x00', '\\x00'), ('\x1b', '\\x1b')])
def test_a_control_character_in_a_csv_value_is_refused_with_its_line(
    sender, mailbox, tmp_path, char, shown
):
    users = tmp_path / 'codes.csv'
    users.write_text(f'username,code\nAlice,A-1{char}\nBob,B-2\n', encoding='utf-8')
    result = sender.run(
        f'-users:{users}', '-subject:Code {code}', '-text:Hi {username}, code {code}.', '-always'
    )
    refused(
        result,
        f"Line 2 of {users} has the control character '{shown}' in the value of code, which "
        'a subject or a mail must not carry: remove it.',
    )
    assert mailbox.messages() == []
