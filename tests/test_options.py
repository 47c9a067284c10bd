"""The option table: each door's values checked alike, as pure functions.

The end-to-end runs, where the operator sees these sentences, are in
test_scripts_ini.py; the help and docs/options.md are compared with the table here.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path

import emailuser
import options_doc
import pytest

from emailuserlib.core.errors import OptionError
from emailuserlib.options import ini as ini_file
from emailuserlib.options import table
from emailuserlib.options.load import command_line, load
from emailuserlib.options.settings import CcMe, Fallback, RateLimit, Resend, Settings
from emailuserlib.options.settings import TestMail as MailToSender
from emailuserlib.run.pipeline import email_users


def ini(tmp_path: Path, text: str, name: str = 'scripts.ini') -> Path:
    path = tmp_path / name
    path.write_text(text, encoding='utf-8')
    return path


def read_ini(path: Path) -> tuple[dict, bool]:
    """The typed values of *path*, and whether it has settings for this script."""
    read = ini_file.read(path)
    return {name: given.value for name, given in read.values.items()}, read.for_this_script


def given(settings: Settings) -> dict:
    """The fields of *settings* that are not their option's default."""
    return {
        f.name: getattr(settings, f.name)
        for f in fields(Settings)
        if getattr(settings, f.name) != f.default
    }


def refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(OptionError) as e:
        read_ini(ini(tmp_path, text))
    assert e.value.door == 'scripts.ini'
    return str(e.value)


# One place -------------------------------------------------------------------


def test_the_options_doc_table_is_the_option_table():
    written = options_doc.table(options_doc.DOC.read_text(encoding='utf-8'))
    assert written == options_doc.rows(), 'write it with: .venv/bin/python tests/options_doc.py'


def test_the_help_lists_every_option_of_the_table():
    assert emailuser.docuReplacements['&options;'] == table.help_text()
    assert '&options;' in emailuser.__doc__
    help_text = table.help_text()
    for option in table.OPTIONS:
        for form in option.usage:
            assert re.search(rf'(^|\n|, ){re.escape(form)}\b', help_text), form


def test_the_settings_take_the_table_defaults():
    defaults = {f.name: f.default for f in fields(Settings)}
    assert defaults == {o.name: o.default for o in table.OPTIONS}
    assert set(defaults) == {o.name for o in table.OPTIONS}


# scripts.ini -------------------------------------------------------------------


def test_scripts_ini_values_are_read_by_the_kind_of_their_option(tmp_path):
    values, found = read_ini(
        ini(
            tmp_path,
            '[emailuser]\nmax = 20\nalways = yes\nwait = off\nccme = first\n'
            'subject = 50% off ; a comment\nratelimit = 20/day\n'
            'optout = Project:No mail|Category:Opted-out\nusers =\n  a.csv\n  b.txt\n',
        )
    )
    assert found
    assert values == {
        'max': 20,
        'always': True,
        'wait': False,
        'ccme': CcMe.FIRST,
        'subject': '50% off',
        'ratelimit': RateLimit(20, 86400, 'set with -ratelimit'),
        'optout': ('Project:No mail', 'Category:Opted-out'),
        # A relative file is beside the scripts.ini that names it.
        'users': (tmp_path / 'a.csv', tmp_path / 'b.txt'),
    }


@pytest.mark.parametrize(
    ('text', 'sentence'),
    [
        (
            'max = abc',
            '[emailuser] max = abc is not a positive whole number: give the most emails to '
            'send in this run, as in max = 20.',
        ),
        ('max = -3', '[emailuser] max = -3 is not a positive whole number'),
        ('max = 0', '[emailuser] max = 0 is not a positive whole number'),
        ('wait = 2', '[emailuser] wait = 2 is not yes or no: write wait = yes or wait = no.'),
        ('always = maybe', '[emailuser] always = maybe is not yes or no'),
        ('ccme = last', '[emailuser] ccme = last is not known: write yes, no or ccme = first.'),
        ('fallback = mail', '[emailuser] fallback = mail is not known: use fallback = talk.'),
        ('ratelimit = lots', '[emailuser] ratelimit = lots is not a limit'),
        ('subject =', '[emailuser] subject =  needs a value'),
        (
            'resend = uncertian',
            '[emailuser] resend = uncertian: resend acts on one run only, so it is not read '
            'from scripts.ini: remove the line, and give -resend:uncertain or -resend on the '
            'command line of the run that needs it.',
        ),
        ('resend = false', '[emailuser] resend = false: resend acts on one run only'),
        ('resend = uncertain', '[emailuser] resend = uncertain: resend acts on one run only'),
        ('test = Ghost', '[emailuser] test = Ghost: test acts on one run only'),
        ('test = yes', '[emailuser] test = yes: test acts on one run only'),
        ('alwyas = yes', 'alwyas is not an option of emailuser: correct or remove the line'),
        ('text = a\ntextfile = b', '[emailuser] gives the message body more than once'),
    ],
)
def test_a_bad_scripts_ini_value_is_one_sentence_naming_the_file(tmp_path, text, sentence):
    said = refusal(tmp_path, f'[emailuser]\n{text}\n')
    assert said.startswith(str(tmp_path / 'scripts.ini'))
    assert sentence in said
    assert '\n' not in said


@pytest.mark.parametrize(
    ('text', 'sentence'),
    [
        ('max = 5\n', 'line 1 comes before any section line: begin the file with [emailuser]'),
        ('[emailuser]\nmax = 5\nmax = 6\n', 'gives max twice in [emailuser] (again on line 3)'),
        ('[emailuser]\n[emailuser]\n', 'has the section [emailuser] twice'),
        ('[emailuser]\nmax 5\n', 'line 2 cannot be read (max 5)'),
        ('[emailuser\n', 'line 1 comes before any section line'),
    ],
)
def test_a_scripts_ini_that_configparser_refuses_is_one_sentence(tmp_path, text, sentence):
    assert sentence in refusal(tmp_path, text)


def test_a_scripts_ini_that_is_not_utf8_is_one_sentence(tmp_path):
    path = tmp_path / 'scripts.ini'
    path.write_bytes(b'[emailuser]\nsubject = caf\xe9\n')
    with pytest.raises(OptionError, match='is not UTF-8 text: save it as UTF-8'):
        read_ini(path)


def test_other_scripts_sections_and_default_keys_of_other_scripts_are_left_alone(tmp_path):
    values, found = read_ini(
        ini(tmp_path, '[DEFAULT]\nsummary = x\nalways = yes\n[touch]\nfoo = 1\n')
    )
    assert values == {'always': True}
    assert found


def test_the_scripts_ini_of_the_current_folder_is_read_else_the_config_directory(tmp_path):
    here, config = tmp_path / 'here', tmp_path / 'config'
    here.mkdir()
    config.mkdir()
    assert ini_file.ini_path(here, config) == (None, [])
    ini(config, '[emailuser]\nratelimit = 20/day\n')
    assert ini_file.ini_path(here, config) == (config / 'scripts.ini', [])
    loaded = load(['-subject:S'], here, config)
    assert given(loaded.settings) == {
        'subject': 'S',
        'ratelimit': RateLimit(20, 86400, 'set with -ratelimit'),
    }
    assert loaded.origin == f'settings from {config / "scripts.ini"} [emailuser]'
    ini(here, '[emailuser]\nmax = 3\n')
    path, [warning] = ini_file.ini_path(here, config)
    assert path == here / 'scripts.ini'
    assert warning == (
        f'{config / "scripts.ini"} is not read, because {here / "scripts.ini"} in the current '
        'folder is: merge the settings into one of them, and keep only that one.'
    )
    assert ini_file.ini_path(config, config) == (config / 'scripts.ini', [])


def test_the_command_line_wins_and_its_body_replaces_the_files(tmp_path):
    ini(tmp_path, '[emailuser]\nmax = 3\ntextfile = a.txt\nsubject = From the file\n')
    loaded = load(['-max:5', '-text:Inline'], tmp_path, tmp_path / 'none')
    assert given(loaded.settings) == {'max': 5, 'text': 'Inline', 'subject': 'From the file'}


# Rules between options -----------------------------------------------------------


def test_an_option_without_the_one_it_needs_is_refused_in_the_words_of_its_door(tmp_path):
    with pytest.raises(OptionError) as e:
        load(['-since:2026-01-01'], tmp_path, tmp_path / 'none')
    assert str(e.value) == (
        '-since:2026-01-01 counts edits to the pages of the generators, and -editors is not '
        'given: add -editors, or leave -since: out.'
    )
    assert e.value.door == 'command line'
    path = ini(tmp_path, '[emailuser]\nsince = 2026-01-01\n')
    with pytest.raises(OptionError) as e:
        load([], tmp_path, tmp_path / 'none')
    assert str(e.value) == (
        f'{path} [emailuser] since = 2026-01-01 counts edits to the pages of the generators, '
        'and editors is not given: add editors = yes to [emailuser] or -editors to the '
        'command line, or remove the line.'
    )
    assert e.value.door == 'scripts.ini'
    with pytest.raises(OptionError) as e:
        table.from_caller({'since': '2026-01-01'})
    assert str(e.value) == (
        "The option since='2026-01-01' counts edits to the pages of the generators, and "
        'editors is not given: add editors=True, or leave since out.'
    )
    assert e.value.door == 'caller'


def test_an_option_and_the_one_it_needs_may_come_through_different_doors(tmp_path):
    ini(tmp_path, '[emailuser]\nsince = 2026-01-01\noptout = Project:No mail\n')
    settings = load(['-editors', '-optoutnote:Out: {url}'], tmp_path, tmp_path / 'x').settings
    assert settings.since == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert settings.optoutnote == 'Out: {url}'
    ini(tmp_path, '[DEFAULT]\nminedits = 2\n[emailuser]\nmax = 3\n')
    with pytest.raises(OptionError, match=r'\[DEFAULT\] minedits = 2 counts edits'):
        load([], tmp_path, tmp_path / 'x')
    assert load(['-editors'], tmp_path, tmp_path / 'x').settings.minedits == 2


@pytest.mark.parametrize(
    ('args', 'sentence'),
    [
        (['-minedits:2'], '-minedits:2 counts edits to the pages of the generators'),
        (
            ['-optoutnote:Out: {url}'],
            '-optoutnote:Out: {url} tells readers how to get onto an opt-out list, and -optout: '
            'is not given: add -optout:TITLE, or leave -optoutnote: out.',
        ),
        (
            ['-optout:P', '-optoutnote:Reply STOP.'],
            '-optoutnote:Reply STOP. does not say where readers opt out: put {url} where the '
            'address of the opt-out page goes, or give -optoutnote:none to leave the paragraph '
            'out.',
        ),
    ],
)
def test_each_rule_is_one_sentence(tmp_path, args, sentence):
    with pytest.raises(OptionError) as e:
        load(args, tmp_path, tmp_path / 'none')
    assert sentence in str(e.value)


def test_what_needs_nothing_passes_every_door(tmp_path):
    # -optoutnote:none is '' (no paragraph); -minedits:1 is its default.
    settings = load(['-optoutnote:none', '-minedits:1'], tmp_path, tmp_path).settings
    assert (settings.optoutnote, settings.minedits) == ('', 1)
    settings, others = table.from_caller({'optoutnote': 'none', 'since': ''})
    assert (settings.optoutnote, settings.since, others) == ('', None, {})


# The command line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ('args', 'sentence'),
    [
        (['-always:yes'], '-always:yes takes no value: write -always alone.'),
        (['-fallback:mail'], '-fallback:mail is not known: use -fallback:talk.'),
        (['-ratelimit:lots'], '-ratelimit:lots is not a limit: give the most emails per'),
        (['-resend:all'], '-resend:all is not known: use -resend alone, or -resend:uncertain.'),
        (['-max:²'], '-max:² is not a positive whole number'),
        (['-max:1\x1b[2J'], '-max:1\\x1b[2J is not a positive whole number'),
        (['-textfile:a', '-textpage:b'], 'Give the message body only once'),
    ],
)
def test_a_bad_command_line_value_is_one_sentence(args, sentence):
    with pytest.raises(OptionError) as e:
        command_line(args)
    assert sentence in str(e.value)
    assert e.value.door == 'command line'


# Callers of the library ------------------------------------------------------------


@pytest.mark.parametrize(
    ('given', 'value'),
    [
        ({'ccme': True}, CcMe.ALL),
        ({'ccme': 'first'}, CcMe.FIRST),
        ({'ccme': False}, CcMe.NONE),
        ({'ccme': 'no'}, CcMe.NONE),
        ({'max': 5}, 5),
        ({'max': '5'}, 5),
        ({'test': True}, MailToSender()),
        ({'test': 'Bob'}, MailToSender('Bob')),
        ({'resend': 'all'}, Resend.ALL),
        ({'optout': ['A', 'B']}, ('A', 'B')),
        ({'fallback': 'talk'}, Fallback.TALK),
    ],
)
def test_a_library_callers_values_are_checked_by_the_same_table(given, value):
    settings, others = table.from_caller(given)
    [(name, _)] = given.items()
    assert (getattr(settings, name), others) == (value, {})


@pytest.mark.parametrize('given', [{'max': -3}, {'max': 'abc'}, {'wait': 'maybe'}, {'ccme': 2.5}])
def test_a_library_callers_bad_value_is_refused(given):
    with pytest.raises(OptionError, match='The option'):
        table.from_caller(given)
    with pytest.raises(OptionError):
        email_users(object(), ['Alice'], 'Subject', 'Body', **given)


def test_a_run_that_sends_needs_a_body_from_one_option_of_the_group():
    with pytest.raises(OptionError) as e:
        table.check_body(Settings())
    assert str(e.value) == (
        'There is no message body: give it with -text:, -textfile: or -textpage:.'
    )
    for body in ({'text': 'x'}, {'textfile': Path('x')}, {'textpage': 'x'}):
        table.check_body(Settings(**body))
