"""The doors of scripts.ini, the command line's bytes and CSV values, without a wiki.

Relative paths in scripts.ini are beside the file; a section named almost
[emailuser], a value in quotes, a home folder that does not exist, an argument
that is not UTF-8 and a control character in a CSV value are one sentence each;
the current folder's scripts.ini is read only when it holds settings of this
script; and always = yes in scripts.ini never confirms -resend.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

hypothesis = pytest.importorskip('hypothesis')

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from emailuserlib.core.errors import EmailUserError, OptionError  # noqa: E402
from emailuserlib.core.words import shown  # noqa: E402
from emailuserlib.options import ini as ini_file  # noqa: E402
from emailuserlib.options.load import check_utf8, command_line, load  # noqa: E402
from emailuserlib.options.settings import Settings  # noqa: E402
from emailuserlib.options.table import OPTIONS  # noqa: E402
from emailuserlib.recipients import namelist  # noqa: E402

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


def ini(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'scripts.ini'
    path.write_text(text, encoding='utf-8')
    return path


def read_ini(path: Path) -> tuple[dict, bool]:
    """The typed values of *path*, and whether it has settings for this script."""
    read = ini_file.read(path)
    return {name: given.value for name, given in read.values.items()}, read.for_this_script


def one_path(value) -> Path:
    """The one path of a path option's value (a list option holds a tuple of them)."""
    if isinstance(value, tuple):
        [value] = value
    return value


def test_the_path_options_are_the_files_of_the_table():
    assert sorted(PATHS) == ['journal', 'report', 'textfile', 'users']


# Relative paths --------------------------------------------------------------------------


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


def test_the_command_lines_relative_paths_stay_relative_to_the_current_folder(tmp_path):
    settings = load(['-journal:j.sqlite3', '-users:u.csv'], tmp_path, tmp_path / 'x').settings
    assert (settings.journal, settings.users) == (Path('j.sqlite3'), (Path('u.csv'),))


# Home folders ----------------------------------------------------------------------------


@pytest.mark.parametrize('name', PATHS)
def test_a_home_folder_nobody_has_is_one_sentence_at_either_door(tmp_path, name):
    with pytest.raises(OptionError) as e:
        command_line([f'-{name}:~nosuchuser/f'])
    assert str(e.value) == (
        f'-{name}:~nosuchuser/f starts with the home folder ~nosuchuser, which this system '
        'does not know: write the path in full, without ~.'
    )
    path = ini(tmp_path, f'[emailuser]\n{name} = ~nosuchuser/f\n')
    with pytest.raises(OptionError) as e:
        read_ini(path)
    assert str(e.value).startswith(f'{path} [emailuser] {name} = ~nosuchuser/f starts with')


def test_a_home_folder_that_cannot_be_found_is_refused_too(monkeypatch):
    monkeypatch.delenv('HOME', raising=False)
    monkeypatch.setattr(os.path, 'expanduser', lambda p: p)
    with pytest.raises(OptionError, match='starts with the home folder ~,'):
        command_line(['-report:~/r.csv'])


@SOME
@given(st.sampled_from(PATHS), st.text(max_size=20))
def test_a_path_option_never_leaves_a_home_folder_for_later_to_fail_on(name, value):
    try:
        values = command_line([f'-{name}:{value}']).values
    except OptionError as e:
        assert '\n' not in str(e)
        return
    items = values[name] if isinstance(values[name], tuple) else (values[name],)
    for item in items:
        Path(item).expanduser()  # raises RuntimeError for a home folder nobody has


# Sections --------------------------------------------------------------------------------

SECTION_LIKE = st.builds(
    lambda cased, before, after, py: f'{before}{cased}{after}{py}',
    st.lists(st.booleans(), min_size=9, max_size=9).map(
        lambda up: ''.join(c.upper() if u else c for c, u in zip('emailuser', up))
    ),
    st.sampled_from(['', ' ', '  ']),
    st.sampled_from(['', ' ', '\t']),
    st.sampled_from(['', '.py', '.PY']),
)


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


# Which scripts.ini -----------------------------------------------------------------------


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


# Quotes ----------------------------------------------------------------------------------

QUOTED_VALUES = st.builds(
    lambda q, inner: f'{q}{inner}{q}',
    st.sampled_from(['"', "'"]),
    st.text(st.characters(blacklist_categories=('Cs', 'Cc'), blacklist_characters='"\';|#'),
            max_size=15),
)  # fmt: skip


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


# -resend and always ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ('args', 'always'),
    [
        (['-resend'], False),
        (['-resend', '-always'], True),
        (['-resend:uncertain'], True),
        ([], True),
    ],
)
def test_always_from_scripts_ini_does_not_confirm_resend(tmp_path, args, always):
    ini(tmp_path, '[emailuser]\nalways = yes\n')
    assert load(args, tmp_path, tmp_path / 'none').settings.always is always
    # A simulation forgets nobody: it keeps the file's always.
    simulated = load(args, tmp_path, tmp_path / 'none', simulate=True)
    assert simulated.settings.always is True


# The command line's bytes ----------------------------------------------------------------


@SOME
@given(st.lists(st.binary(max_size=12), max_size=4))
def test_an_argument_that_is_not_utf8_is_one_sentence(raw):
    args = [os.fsdecode(b'-subject:' + r) for r in raw]
    try:
        for r in raw:
            r.decode('utf-8')
    except UnicodeDecodeError:
        with pytest.raises(OptionError) as e:
            check_utf8(args)
        sentence = str(e.value)
        sentence.encode('utf-8')  # shows the bytes, escaped
        assert sentence.startswith('The argument -subject:')
        assert sentence.endswith('is not UTF-8 text: write it in UTF-8 (a file name too: '
                                 'rename the file).')  # fmt: skip
        assert '\n' not in sentence
    else:
        check_utf8(args)


def test_the_argument_shows_its_byte():
    with pytest.raises(OptionError) as e:
        check_utf8(['-page:User:Alice', os.fsdecode(b'-users:caf\xe9.csv')])
    assert str(e.value).startswith('The argument -users:caf\\xe9.csv is not UTF-8 text')


# Control characters in CSV values --------------------------------------------------------

CONTROLS = [chr(c) for c in [*range(0x20), 0x7F] if chr(c) != '\t']


@SOME
@given(st.sampled_from(CONTROLS), st.text(st.characters(blacklist_categories=('Cs',)),
                                          max_size=8))  # fmt: skip
def test_a_control_character_in_a_csv_value_is_refused_with_its_line(char, text):
    value = f'A{text}{char}'.replace('"', '')
    csv = f'username,code\nAlice,"{value}"\nBob,B\n'
    with pytest.raises(EmailUserError) as e:
        namelist.parse_names(csv, 'u.csv')
    assert str(e.value).startswith('Line 2 of u.csv has ')
    assert '\x00' not in str(e.value)


def test_a_tab_in_a_csv_value_is_kept():
    names = namelist.parse_names('username,code\nAlice,"A\t1"\n', 'u.csv')
    assert names.values == {'Alice': {'code': 'A\t1'}}


@pytest.mark.parametrize('char', ['\x00', '\x1b', '\x7f'])
def test_a_control_character_in_a_plain_list_name_is_refused_and_shown_escaped(char):
    with pytest.raises(EmailUserError) as e:
        namelist.parse_names(f'Alice\nBo{char}b\n', 'n.txt')
    shown = char.encode('unicode_escape').decode()
    assert str(e.value) == (
        f'Line 2 of n.txt: "Bo{shown}b" cannot be a user name (control character): correct '
        'or remove the line.'
    )
