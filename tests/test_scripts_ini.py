"""scripts.ini on the real wiki: read strictly, checked like the command line, found from cron.

Each bad value is one sentence naming the file, exit status 1, no mail in the
sink and no journal written; a good file is named in the plan.
"""

from __future__ import annotations

import re

import pytest

from harness import population as pop
from harness.checks import exactly_once, one_line, received
from harness.files import write_ini

# How scripts.ini is read does not depend on the wiki: one version is enough.
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

SEND = ['-page:User:Alice', '-subject:Settings test', '-text:Hello {username}.']
JOURNAL = 'emailuser-journal.sqlite3'


@pytest.mark.parametrize(
    ('ini', 'sentence'),
    [
        (
            'max = abc',
            '[emailuser] max = abc is not a positive whole number: give the most emails to '
            'send in this run, as in max = 20.',
        ),
        (
            'max = -3',
            '[emailuser] max = -3 is not a positive whole number: give the most emails to '
            'send in this run, as in max = 20.',
        ),
        ('wait = 2', '[emailuser] wait = 2 is not yes or no: write wait = yes or wait = no.'),
        (
            'always = maybe',
            '[emailuser] always = maybe is not yes or no: write always = yes or always = no.',
        ),
        (
            'test = Ghost',
            '[emailuser] test = Ghost: test acts on one run only, so it is not read from '
            'scripts.ini: remove the line, and give -test or -test:USER on the command line '
            'of the run that needs it.',
        ),
        ('test = yes', '[emailuser] test = yes: test acts on one run only'),
        ('max = 5\nmax = 6', 'gives max twice in [emailuser] (again on line 3): keep one of them.'),
        (
            'since = 2026-01-01',
            '[emailuser] since = 2026-01-01 counts edits to the pages of the generators, and '
            'editors is not given: add editors = yes to [emailuser] or -editors to the command '
            'line, or remove the line.',
        ),
    ],
)
def test_a_bad_scripts_ini_value_is_refused_in_one_sentence_before_anything(
    sender, mailbox, ini, sentence
):
    path = write_ini(sender.config_dir, f'[emailuser]\n{ini}\n')
    result = sender.run(*SEND, '-always')
    assert result.returncode == 1, result.output
    assert f'{path} {sentence}' in one_line(result.output)
    assert 'Traceback' not in result.output
    assert mailbox.messages() == []
    assert not (sender.config_dir / JOURNAL).exists()


def test_a_scripts_ini_without_a_section_line_is_one_sentence(sender, mailbox):
    path = write_ini(sender.config_dir, 'always = true\nmax = 5\n')
    result = sender.run(*SEND)
    assert result.returncode == 1, result.output
    assert (
        f'{path} line 1 comes before any section line: begin the file with [emailuser] (or '
        'the section of the script the settings are for).'
    ) in one_line(result.output)
    assert 'Traceback' not in result.output
    assert mailbox.messages() == []


@pytest.mark.parametrize('value', ['uncertian', 'false'])
def test_resend_in_scripts_ini_is_refused_and_forgets_nobody(sender, mailbox, value):
    first = sender.run(*SEND, '-always')
    assert first.returncode == 0, first.output
    path = write_ini(sender.config_dir, f'[emailuser]\nresend = {value}\nalways = true\n')
    result = sender.run(*SEND)
    assert result.returncode == 1, result.output
    assert (
        f'{path} [emailuser] resend = {value}: resend acts on one run only, so it is not read '
        'from scripts.ini: remove the line, and give -resend:uncertain or -resend on the '
        'command line of the run that needs it.'
    ) in one_line(result.output)
    assert 'forgot' not in result.output
    assert received(mailbox) == exactly_once(['Alice'])
    # The journal still knows Alice: the same command without the line sends nothing.
    path.unlink()
    again = sender.run(*SEND, '-always')
    assert again.returncode == 0, again.output
    assert received(mailbox) == exactly_once(['Alice'])


def test_a_percent_sign_is_an_ordinary_character_and_the_plan_names_the_file(sender, mailbox):
    path = write_ini(
        sender.config_dir, '[emailuser]\nsubject = 50% off for {username}\nalways = yes\n'
    )
    result = sender.run('-page:User:Alice', '-text:Hello.')
    assert result.returncode == 0, result.output
    assert f'With the settings from {path} [emailuser].' in one_line(result.output)
    [mail] = mailbox.messages()
    assert mail.subject == '50% off for Alice'


def test_a_run_from_another_folder_reads_the_config_directorys_scripts_ini(
    sender, mailbox, tmp_path
):
    path = write_ini(sender.config_dir, '[emailuser]\nmax = 1\nalways = yes\n')
    elsewhere = tmp_path / 'cron'
    elsewhere.mkdir()
    result = sender.run_from(elsewhere, '-page:User:Alice', '-page:User:Bob', *SEND[1:])
    assert result.returncode == 75, result.output
    assert f'With the settings from {path} [emailuser].' in one_line(result.output)
    assert 'Stopped after 1 emails as -max:1 asks' in result.output
    assert sum(received(mailbox).values()) == 1


def test_the_current_folders_scripts_ini_wins_with_a_warning_about_the_other(
    sender, mailbox, tmp_path
):
    central = write_ini(sender.config_dir, '[emailuser]\nmax = abc\n')
    elsewhere = tmp_path / 'project'
    elsewhere.mkdir()
    local = write_ini(elsewhere, '[emailuser]\nalways = on\n')
    result = sender.run_from(elsewhere, *SEND)
    assert result.returncode == 0, result.output
    assert (
        f'{central} is not read, because {local} in the current folder is: merge the '
        'settings into one of them, and keep only that one.'
    ) in one_line(result.output)
    assert f'With the settings from {local} [emailuser].' in one_line(result.output)
    assert received(mailbox) == exactly_once(['Alice'])


def test_the_command_line_wins_over_scripts_ini(sender, mailbox):
    write_ini(sender.config_dir, '[emailuser]\nmax = 1\nalways = yes\ntextfile = missing.txt\n')
    result = sender.run('-page:User:Alice', '-page:User:Bob', *SEND[1:], '-max:2')
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob'])
    # The body of the command line, not the file of scripts.ini.
    assert sorted(m.body.split('\n')[0] for m in mailbox.messages()) == [
        'Hello Alice.',
        'Hello Bob.',
    ]


@pytest.mark.parametrize(
    'ini',
    ['max = \x1b[2J', 'ccme = %(home)s', 'users = |', 'ratelimit = 20/fortnight', 'optout ='],
)
def test_odd_scripts_ini_values_never_give_a_traceback(sender, mailbox, ini):
    path = write_ini(sender.config_dir, f'[emailuser]\n{ini}\n')
    result = sender.run(*SEND, '-always')
    assert result.returncode == 1, result.output
    assert str(path) in result.output
    assert 'Traceback' not in result.output
    assert mailbox.messages() == []


@pytest.mark.parametrize(
    ('arg', 'sentence'),
    [
        ('-max:²', '-max:² is not a positive whole number'),
        ('-resend:', '-resend: is not known: use -resend alone, or -resend:uncertain.'),
        ('-always:yes', '-always:yes takes no value: write -always alone.'),
        ('-ratelimit:20/fortnight', '-ratelimit:20/fortnight is not a limit'),
    ],
)
def test_odd_command_line_values_are_one_sentence_and_forget_nobody(sender, mailbox, arg, sentence):
    first = sender.run(*SEND, '-always')
    assert first.returncode == 0, first.output
    result = sender.run(*SEND, '-always', arg)
    assert result.returncode == 1, result.output
    assert sentence in one_line(result.output)
    assert 'Traceback' not in result.output
    assert received(mailbox) == exactly_once(['Alice'])


def test_check_from_another_folder_names_the_settings_it_read(sender, mailbox, tmp_path):
    path = write_ini(sender.config_dir, f'[emailuser]\noptout = {pop.OPTOUT_CATEGORY}\n')
    elsewhere = tmp_path / 'cron'
    elsewhere.mkdir()
    result = sender.run_from(elsewhere, '-page:User:Carol', '-page:User:Bob', '-check')
    assert result.returncode == 0, result.output
    assert f'Checking with the settings from {path} [emailuser].' in one_line(result.output)
    # The file's opt-out list was applied.
    assert re.search(r'^opted-out +Carol', result.stdout, re.M), result.output
    assert re.search(r'^emailable +Bob', result.stdout, re.M), result.output
    assert mailbox.messages() == []
