"""options.ini: which scripts.ini is read, and its [emailuser] section read strictly, without
a wiki: values by the kind of their option, relative paths beside the file, continued
and indented lines, sections named almost [emailuser], values in quotes, and any bytes
as the file."""

from __future__ import annotations

import os
import string
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from emailuserlib.core.errors import OptionError
from emailuserlib.core.words import shown
from emailuserlib.options import ini as ini_file
from emailuserlib.options.load import load
from emailuserlib.options.settings import CcMe, RateLimit, Settings
from emailuserlib.options.table import OPTIONS


def ini(folder: Path, text: str, name: str = 'scripts.ini') -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding='utf-8')
    return path


def read_ini(path: Path) -> tuple[dict, bool]:
    """The typed values of *path*, and whether it has settings for this script."""
    read = ini_file.read(path)
    return {name: given.value for name, given in read.values.items()}, read.for_this_script


def non_defaults(settings: Settings) -> dict:
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


PATHS = [o.name for o in OPTIONS if o.path]


SOME = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


#: A file name as an operator writes one: no separators of the ini file, no quotes.
FILE_NAMES = st.text(
    st.characters(
        whitelist_categories=('L', 'N', 'Zs', 'Pd', 'Pc'), blacklist_characters='|;#\'"~'
    ),
    min_size=1,
    max_size=20,
).filter(lambda t: t.strip() and not t.strip().startswith('['))


def one_path(value) -> Path:
    """The one path of a path option's value (a list option holds a tuple of them)."""
    if isinstance(value, tuple):
        [value] = value
    return value


SECTION_LIKE = st.builds(
    lambda cased, before, after, py: f'{before}{cased}{after}{py}',
    st.lists(st.booleans(), min_size=9, max_size=9).map(
        lambda up: ''.join(c.upper() if u else c for c, u in zip('emailuser', up))
    ),
    st.sampled_from(['', ' ', '  ']),
    st.sampled_from(['', ' ', '\t']),
    st.sampled_from(['', '.py', '.PY']),
)


QUOTED_VALUES = st.builds(
    lambda q, inner: f'{q}{inner}{q}',
    st.sampled_from(['"', "'"]),
    st.text(st.characters(blacklist_categories=('Cs', 'Cc'), blacklist_characters='"\';|#'),
            max_size=15),
)  # fmt: skip


SLOW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


WORDS = st.text(alphabet=string.ascii_letters + ' ', min_size=1, max_size=12).filter(str.strip)


ONE_LINE = [o.name for o in OPTIONS if not o.per_run and o.kind in ('text', 'int')]


LISTS = [o.name for o in OPTIONS if o.kind == 'list']


def _perturbed(draw) -> str:
    name = 'emailuser'
    kind = draw(st.sampled_from(['case', 'punctuation', 'plural', 'extension', 'typo']))
    if kind == 'case':
        return ''.join(c.upper() if draw(st.booleans()) else c for c in name)
    if kind == 'punctuation':
        at = draw(st.integers(0, len(name)))
        return name[:at] + draw(st.sampled_from('_-.: ')) + name[at:]
    if kind == 'plural':
        return name + 's'
    if kind == 'extension':
        return name + draw(st.sampled_from(['.py', '.ini', '.cfg']))
    at = draw(st.integers(0, len(name) - 2))
    return name[:at] + name[at + 1] + name[at] + name[at + 2 :]  # two letters swapped


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
    assert non_defaults(loaded.settings) == {
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


@SOME
@given(st.sampled_from(PATHS), FILE_NAMES, st.sampled_from(['', 'sub/', '../up/', './']))
def test_a_relative_path_in_scripts_ini_is_beside_the_file(tmp_path_factory, name, file, sub):
    folder = tmp_path_factory.mktemp('config')
    path = ini(folder, f'[emailuser]\n{name} = {sub}{file}\n')
    values, _ = read_ini(path)
    assert one_path(values[name]) == folder / f'{sub}{file}'.strip()
    assert one_path(values[name]).is_absolute()


def test_home_and_absolute_paths_in_scripts_ini_stay_where_they_point(tmp_path):
    path = ini(
        tmp_path / 'config',
        f'[emailuser]\njournal = ~/j.sqlite3\nreport = {tmp_path}/r.csv\n'
        'users = a.csv | ~/b.csv\n  /srv/c.csv\n',
    )
    values, _ = read_ini(path)
    home = Path(os.path.expanduser('~'))
    assert values['journal'] == home / 'j.sqlite3'
    assert values['report'] == tmp_path / 'r.csv'
    assert values['users'] == (tmp_path / 'config' / 'a.csv', home / 'b.csv', Path('/srv/c.csv'))


@SOME
@given(SECTION_LIKE)
def test_a_section_named_almost_emailuser_is_refused(tmp_path_factory, section):
    assume(section != 'emailuser')
    path = ini(tmp_path_factory.mktemp('ini'), f'[{section}]\nmax = 3\n')
    with pytest.raises(OptionError) as e:
        read_ini(path)
    assert str(e.value) == (
        f'{path} has the section [{shown(section)}], which is not read: name it '
        '[emailuser], as this script reads only that.'
    )


@pytest.mark.parametrize('section', ['replace', 'touch', 'DEFAULTS', 'mail', 'weblinkchecker'])
def test_other_scripts_sections_are_left_alone(tmp_path, section):
    assert read_ini(ini(tmp_path, f'[{section}]\nmax = 3\n')) == ({}, False)


@pytest.mark.parametrize('section', ['emailusers', 'emailuser2', 'emialuser', 'email_user'])
def test_a_plural_or_a_small_typo_of_emailuser_is_refused(tmp_path, section):
    path = ini(tmp_path, f'[{section}]\nmax = 3\n')
    with pytest.raises(OptionError) as e:
        read_ini(path)
    assert str(e.value) == (
        f'{path} has the section [{section}], which is not read: name it [emailuser], as '
        'this script reads only that.'
    )


@pytest.mark.parametrize(
    ('local', 'reads_local'),
    [
        ('[replace]\nalways = yes\n', False),
        ('[DEFAULT]\nsummary = Bot\n[touch]\nfoo = 1\n', False),
        # [DEFAULT] is for every script: alone, it does not make the file this script's.
        ('[DEFAULT]\nalways = yes\n', False),
        ('[emailuser]\n', True),
    ],
)
def test_the_current_folders_scripts_ini_is_read_only_with_an_emailuser_section(
    tmp_path, local, reads_local
):
    here, config = tmp_path / 'here', tmp_path / 'config'
    central = ini(config, '[emailuser]\noptout = Category:No mail\n')
    mine = ini(here, local)
    path, warnings = ini_file.ini_path(here, config)
    loaded = load([], here, config)
    # The central opt-out list applies whichever file is read.
    assert loaded.settings == Settings(optout=('Category:No mail',))
    if reads_local:
        assert path == mine
        assert warnings == [
            f'{central} is not read, because {mine} in the current folder is, except for '
            'its opt-out lists, which apply as well: merge the settings into one of them, '
            'and keep only that one.'
        ]
        assert loaded.origin == (
            f'settings from {mine} [emailuser], and the opt-out lists of {central} [emailuser]'
        )
    else:
        assert path == central
        assert loaded.origin == f'settings from {central} [emailuser]'
        if 'always' in local and '[DEFAULT]' in local:
            assert warnings == [
                f'{mine} in the current folder is not read, because it has no [emailuser] '
                'section, so its [DEFAULT] settings (always) do not apply to this script: '
                'put them under [emailuser] there if they are meant for it.'
            ]
            assert loaded.settings.always is False
        else:
            assert warnings == []


def test_a_central_scripts_ini_without_settings_of_this_script_is_no_warning(tmp_path):
    here, config = tmp_path / 'here', tmp_path / 'config'
    ini(config, '[replace]\nalways = yes\n')
    mine = ini(here, '[emailuser]\nmax = 3\n')
    assert ini_file.ini_path(here, config) == (mine, [])


def test_a_current_folders_scripts_ini_that_cannot_be_read_is_refused(tmp_path):
    here, config = tmp_path / 'here', tmp_path / 'config'
    ini(config, '[emailuser]\noptout = Category:No mail\n')
    mine = ini(here, 'max = 3\n')
    with pytest.raises(OptionError, match=f'{mine} line 1 comes before any section'):
        ini_file.ini_path(here, config)


@SOME
@given(st.sampled_from([o.name for o in OPTIONS if not o.per_run]), QUOTED_VALUES)
def test_a_value_wholly_in_quotes_is_refused_for_every_option(tmp_path_factory, name, value):
    path = ini(tmp_path_factory.mktemp('ini'), f'[emailuser]\n{name} = {value}\n')
    with pytest.raises(OptionError) as e:
        read_ini(path)
    assert str(e.value) == (
        f'{path} [emailuser] {name} = {shown(value)} is in quotes, but scripts.ini '
        'values are read as written, quotes and all: write it without the quotes.'
    )


@pytest.mark.parametrize(
    'value', ['Say "hi" now', '"Hi" and "bye"', "It's", '"', "''x", 'He said "yes"']
)
def test_quotes_inside_a_value_are_part_of_it(tmp_path, value):
    values, _ = read_ini(ini(tmp_path, f'[emailuser]\nsubject = {value}\n'))
    assert values == {'subject': value}


@SLOW
@given(st.binary(max_size=200))
def test_any_bytes_as_scripts_ini_give_values_or_one_sentence(tmp_path_factory, data):
    path = tmp_path_factory.mktemp('run') / 'scripts.ini'
    path.write_bytes(data)
    try:
        ini_file.read(path)
    except OptionError as e:
        assert str(e) and '\n' not in str(e)


@given(st.sampled_from(ONE_LINE), WORDS, WORDS, st.integers(1, 8))
def test_a_continued_value_of_a_one_line_option_is_refused_naming_the_line(
    tmp_path_factory, name, first, more, indent
):
    path = tmp_path_factory.mktemp('ini') / 'scripts.ini'
    path.write_text(f'[emailuser]\n{name} = {first}\n{" " * indent}{more}\n', encoding='utf-8')
    with pytest.raises(OptionError, match=f'{path} line 3 .* is indented'):
        ini_file.read(path)


@given(st.sampled_from([o.name for o in OPTIONS if not o.per_run]), st.sampled_from(ONE_LINE))
def test_an_indented_setting_is_refused_under_any_option(tmp_path_factory, above, setting):
    path = tmp_path_factory.mktemp('ini') / 'scripts.ini'
    path.write_text(f'[emailuser]\n{above} = x\n  {setting} = 5\n', encoding='utf-8')
    with pytest.raises(OptionError, match=f'line 3 \\({setting} = 5\\) is indented'):
        ini_file.read(path)


# One word each: what every list takes (a page title, a file, a group name).
@given(
    st.sampled_from(LISTS),
    st.lists(st.text(string.ascii_letters, min_size=1, max_size=9), min_size=2, max_size=5),
)
def test_each_line_of_a_list_option_is_one_item(tmp_path_factory, name, items):
    path = tmp_path_factory.mktemp('ini') / 'scripts.ini'
    path.write_text(f'[emailuser]\n{name} = {items[0]}\n' + ''.join(f'  {i}\n' for i in items[1:]))
    value = ini_file.read(path).values[name].value
    assert [str(v).rsplit('/', 1)[-1] for v in value] == [i.strip() for i in items]


@given(st.data())
def test_a_section_meant_for_this_script_is_refused(tmp_path_factory, data):
    section = _perturbed(data.draw)
    if section == 'emailuser':
        return  # the very name: read
    path = tmp_path_factory.mktemp('ini') / 'scripts.ini'
    path.write_text(f'[{section}]\noptout = Category:No mail\n', encoding='utf-8')
    with pytest.raises(OptionError, match='which is not read: name it \\[emailuser\\]'):
        ini_file.read(path)


@pytest.mark.parametrize('section', ['touch', 'replace', 'add_text', 'welcome', 'user', 'mail'])
def test_other_scripts_sections_with_this_scripts_keys_are_left_alone(tmp_path, section):
    path = tmp_path / 'scripts.ini'
    path.write_text(f'[{section}]\nalways = yes\nmax = 3\ntext = x\n', encoding='utf-8')
    assert ini_file.read(path).values == {}
