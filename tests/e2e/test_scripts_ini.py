"""scripts.ini on the real wiki: read strictly, checked like the command line, found from
cron; the doors an operator can get wrong without noticing (a scripts.ini read from
another folder, a section named almost [emailuser], values in quotes, always = yes and
-resend, arguments that are not UTF-8, home folders that do not exist); and the standing
opt-out list of the configuration directory."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import Result

from harness import population as pop
from harness.checks import exactly_once, one_line, received
from harness.files import write_ini
from harness.pwbconfig import SCRIPT, env_for, pwb_command

SEND = ['-page:User:Alice', '-subject:Settings test', '-text:Hello {username}.']


JOURNAL = 'emailuser-journal.sqlite3'


DOORS_SEND = ['-page:User:Alice', '-subject:Doors', '-text:Hello {username}.']


def refused(result: Result, sentence: str) -> None:
    """*result* is the one-sentence refusal *sentence*, with exit status 1."""
    assert result.returncode == 1, result.output
    assert sentence in one_line(result.output), result.output
    assert 'Traceback' not in result.output


DOMAIN = 'central-optout.test'


def ini(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'scripts.ini'
    path.write_text(text, encoding='utf-8')
    return path


def addr(name: str) -> str:
    return name.lower().replace(' ', '') + f'@{DOMAIN}'


MEANING_SEND = ['-page:User:Alice', '-subject:Meaning', '-text:Hello {username}.', '-always']


def refused_with(result: Result, *sentence: str) -> None:
    """*result* is a one-sentence refusal holding each of *sentence*, exit status 1."""
    assert result.returncode == 1, result.output
    for part in sentence:
        assert part in one_line(result.output), result.output
    assert 'Traceback' not in result.output


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_percent_sign_is_an_ordinary_character_and_the_plan_names_the_file(sender, mailbox):
    path = write_ini(
        sender.config_dir, '[emailuser]\nsubject = 50% off for {username}\nalways = yes\n'
    )
    result = sender.run('-page:User:Alice', '-text:Hello.')
    assert result.returncode == 0, result.output
    assert f'With the settings from {path} [emailuser].' in one_line(result.output)
    [mail] = mailbox.messages()
    assert mail.subject == '50% off for Alice'


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_run_from_another_folder_reads_the_config_directorys_scripts_ini(
    sender, mailbox, tmp_path
):
    path = write_ini(sender.config_dir, '[emailuser]\nmax = 1\nalways = yes\n')
    elsewhere = tmp_path / 'cron'
    elsewhere.mkdir()
    result = sender.run_from(elsewhere, '-page:User:Alice', '-page:User:Bob', *SEND[1:])
    assert result.returncode == 75, result.output
    assert f'With the settings from {path} [emailuser].' in one_line(result.output)
    assert 'Stopped after 1 email as -max:1 asks' in result.output
    assert sum(received(mailbox).values()) == 1


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_local_scripts_ini_with_emailuser_settings_wins_and_names_the_central_one(
    sender, mailbox, tmp_path
):
    central = write_ini(sender.config_dir, '[emailuser]\nmax = abc\n')
    folder = tmp_path / 'project'
    folder.mkdir()
    # An [emailuser] section makes it this script's; [DEFAULT] alone would not.
    local = write_ini(folder, '[emailuser]\n[DEFAULT]\nalways = yes\n')
    result = sender.run_from(folder, *DOORS_SEND)
    assert result.returncode == 0, result.output
    assert (
        f'{central} is not read, because {local} in the current folder is: merge the '
        'settings into one of them, and keep only that one.'
    ) in one_line(result.output)
    assert f'With the settings from {local} [DEFAULT].' in one_line(result.output)
    assert received(mailbox) == exactly_once(['Alice'])


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_campaign_moved_into_scripts_ini_in_quotes_is_refused_not_started_anew(sender, mailbox):
    first = sender.run(*DOORS_SEND, '-always', '-campaign:Meet up Q')
    assert first.returncode == 0, first.output
    ini = write_ini(sender.config_dir, '[emailuser]\ncampaign = "Meet up Q"\n')
    again = sender.run(*DOORS_SEND, '-always')
    refused(
        again,
        f'{ini} [emailuser] campaign = "Meet up Q" is in quotes, but scripts.ini values are '
        'read as written, quotes and all: write it without the quotes.',
    )
    ini.write_text('[emailuser]\ncampaign = Meet up Q\n')
    fixed = sender.run(*DOORS_SEND, '-always')
    assert fixed.returncode == 0, fixed.output
    assert received(mailbox) == exactly_once(['Alice'])


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize(
    'value', [f"'{pop.OPTOUT_CATEGORY}'", f'Project:Other | "{pop.OPTOUT_CATEGORY}"']
)
def test_an_optout_in_quotes_is_refused_before_anyone_is_emailed(sender, mailbox, value):
    ini = write_ini(sender.config_dir, f'[emailuser]\noptout = {value}\n')
    result = sender.run('-page:User:Carol', '-subject:Quoted', '-text:Hi.', '-always')
    refused(result, f'{ini} [emailuser] optout = {value} is in quotes')
    assert mailbox.messages() == []


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_always_in_scripts_ini_does_not_confirm_resend(sender, mailbox):
    write_ini(sender.config_dir, '[emailuser]\nalways = yes\n')
    first = sender.run(*DOORS_SEND)
    assert first.returncode == 0, first.output
    result = sender.run(*DOORS_SEND, '-resend')
    refused(
        result,
        '-resend emails everyone of this campaign again: confirm it on a terminal, or add '
        '-always to the command line (always = yes in scripts.ini does not confirm it).',
    )
    assert received(mailbox) == exactly_once(['Alice'])
    simulated = sender.run(*DOORS_SEND, '-resend', '-simulate')
    assert simulated.returncode == 0, simulated.output
    # What the resend would send, and nothing sent.
    assert 'A real run would forget 1 recipient of this campaign (-resend).' in simulated.output
    assert '1 user would be emailed (simulation).' in simulated.output
    assert received(mailbox) == exactly_once(['Alice'])
    confirmed = sender.run(*DOORS_SEND, '-resend', '-always')
    assert confirmed.returncode == 0, confirmed.output
    assert received(mailbox) == Counter({pop.EMAILABLE['Alice']: 2})


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_always_in_scripts_ini_still_asks_before_resend_on_a_terminal(sender, mailbox):
    ini = write_ini(sender.config_dir, '[emailuser]\nalways = yes\n')
    assert sender.run(*DOORS_SEND).returncode == 0
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*pwb_command(), str(SCRIPT), *DOORS_SEND, '-resend'],
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize(
    ('arg', 'shown'),
    [
        ('-subject:Caf\udce9', '-subject:Caf\\xe9'),
        ('-users:caf\udce9.csv', '-users:caf\\xe9.csv'),
        ('-journal:caf\udce9.sqlite3', '-journal:caf\\xe9.sqlite3'),
    ],
)
def test_the_script_refuses_an_argument_that_is_not_utf8_in_one_sentence(
    sender, mailbox, arg, shown
):
    result = sender.run('-page:User:Alice', '-subject:S', '-text:Hi.', '-always', arg)
    refused(result, f'The argument {shown} is not UTF-8 text: write it in UTF-8')
    assert mailbox.messages() == []


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_home_folder_that_does_not_exist_in_scripts_ini_is_one_sentence(sender, mailbox):
    ini = write_ini(sender.config_dir, '[emailuser]\njournal = ~nosuchuser/j.sqlite3\n')
    result = sender.run(*DOORS_SEND, '-always')
    refused(
        result,
        f'{ini} [emailuser] journal = ~nosuchuser/j.sqlite3 starts with the home folder '
        '~nosuchuser, which this system does not know: write the path in full, without ~.',
    )
    assert mailbox.messages() == []


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize(('char', 'shown'), [('\x00', '\\x00'), ('\x1b', '\\x1b')])
def test_the_script_refuses_a_control_character_in_a_csv_value_with_its_line(
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


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')  # which file is read does not depend on the wiki
@pytest.mark.parametrize(
    'local',
    ['[emailuser]\nmax = 50\n', '[DEFAULT]\nalways = yes\n\n[replace]\nsummary = Bot\n'],
    ids=['emailuser-section', 'default-for-other-scripts'],
)
def test_the_central_optout_is_honoured_from_a_folder_with_its_own_scripts_ini(
    sender, mailbox, wiki, tmp_path, local
):
    who = 'Co' if local.startswith('[emailuser]') else 'Cd'  # one wiki for both cases
    quiet, loud = f'{who} Quiet', f'{who} Loud'
    wiki.add(
        {
            'users': [
                {'name': quiet, 'email': addr(quiet)},
                {'name': loud, 'email': addr(loud)},
            ],
            'pages': [{'title': f'User:{quiet}', 'text': f'[[Category:{who} no mail]]'}],
        }
    )
    central = ini(sender.config_dir, f'[emailuser]\noptout = Category:{who} no mail\n')
    mine = ini(tmp_path / 'project', local)
    result = sender.run_from(
        tmp_path / 'project',
        f'-page:User:{quiet}',
        f'-page:User:{loud}',
        '-subject:Central',
        '-text:Hi.',
        '-always',
    )
    assert result.returncode == 0, result.output
    assert 'Traceback' not in result.output
    assert received(mailbox) == Counter({addr(loud): 1}), result.output
    text = one_line(result.output)
    if local.startswith('[emailuser]'):
        assert (
            f'With the settings from {mine} [emailuser], and the opt-out lists of {central} '
            '[emailuser].'
        ) in text
        assert f'{central} is not read, because {mine} in the current folder is, except' in text
    else:
        assert f'With the settings from {central} [emailuser].' in text
        assert f'{mine} in the current folder is not read' in text


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize(
    ('ini', 'said'),
    [
        (
            '[emailuser]\ncampaign = Spring meetup\n    max = 5\n',
            'line 3 (max = 5) is indented, so it is read as part of the value of campaign on '
            'line 2, not as a setting of its own',
        ),
        (
            '[emailuser]\njournal = spring.sqlite3\n  autumn.sqlite3\n',
            'line 3 (autumn.sqlite3) is indented, so it continues the value of journal on '
            'line 2 [emailuser], which takes one line',
        ),
    ],
    ids=['indented-setting', 'continued-value'],
)
def test_an_indented_line_of_scripts_ini_is_refused_with_its_line(sender, mailbox, ini, said):
    path = write_ini(sender.config_dir, ini)
    refused_with(sender.run(*MEANING_SEND), f'{path} {said}')
    assert received(mailbox) == Counter()
    assert not list(sender.config_dir.glob('*.sqlite3'))


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_each_line_of_a_list_in_scripts_ini_is_an_item(sender, mailbox, wiki):
    wiki.add({'pages': [{'title': 'Project:Meaning optout', 'text': '* [[User:Bob]]'}]})
    write_ini(
        sender.config_dir,
        f'[emailuser]\noptout = {pop.OPTOUT_CATEGORY}\n    Project:Meaning optout\n',
    )
    result = sender.run('-page:User:Alice', '-page:User:Bob', *MEANING_SEND[1:])
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice'])
    assert 'opted-out (1): Bob' in result.output


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize('section', ['email_user', 'emailusers', 'emailuser:', 'emialuser'])
def test_a_section_meant_for_this_script_is_refused_with_its_optout(sender, mailbox, section):
    path = write_ini(sender.config_dir, f'[{section}]\noptout = {pop.OPTOUT_CATEGORY}\n')
    result = sender.run('-page:User:Carol', '-subject:Near', '-text:Hi.', '-always')
    refused_with(
        result, f'{path} has the section [{section}], which is not read: name it [emailuser]'
    )
    assert received(mailbox) == Counter()


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_settings_of_this_script_under_another_section_are_refused_and_others_left_alone(
    sender, mailbox
):
    # Another script's always and max are its own business; subject and optout are ours.
    write_ini(sender.config_dir, '[touch]\nalways = yes\nmax = 3\n')
    assert sender.run(*MEANING_SEND).returncode == 0
    path = write_ini(
        sender.config_dir, f'[mailing]\nsubject = Hi\noptout = {pop.OPTOUT_CATEGORY}\n'
    )
    result = sender.run('-page:User:Carol', '-subject:Other', '-text:Hi.', '-always')
    refused_with(
        result, f'{path} has settings of this script (optout, subject) in the section [mailing]'
    )
    assert received(mailbox) == exactly_once(['Alice'])
