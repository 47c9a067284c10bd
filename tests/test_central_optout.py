"""The standing opt-out list of the configuration directory's scripts.ini always applies.

The current folder's scripts.ini is read for this script only when it has an
[emailuser] section; whichever file is read, the opt-out lists of the other's
[emailuser] section apply as well, as -optout: on the command line adds to
scripts.ini's: opt-out lists only ever add. The plan names the sections the
settings truly came from.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from emailuserlib.options.load import load
from emailuserlib.options.settings import Settings
from harness.checks import one_line, received

DOMAIN = 'central-optout.test'


def ini(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'scripts.ini'
    path.write_text(text, encoding='utf-8')
    return path


# Unit tests ------------------------------------------------------------------


def folders(tmp_path: Path, local: str, central: str) -> tuple[Path, Path, Path, Path]:
    here, config = tmp_path / 'here', tmp_path / 'config'
    return here, config, ini(here, local), ini(config, central)


def test_the_central_optout_adds_to_the_current_folders_and_the_command_lines(tmp_path):
    here, config, mine, central = folders(
        tmp_path,
        '[emailuser]\nmax = 3\noptout = Category:Here\n',
        '[emailuser]\noptout = Category:A\n',
    )
    loaded = load(['-optout:Category:Run'], here, config)
    assert loaded.settings.optout == ('Category:Run', 'Category:Here', 'Category:A')
    assert loaded.settings.max == 3
    loaded = load([], here, config)
    assert loaded.settings.optout == ('Category:Here', 'Category:A')
    assert loaded.origin == (
        f'settings from {mine} [emailuser], and the opt-out lists of {central} [emailuser]'
    )


def test_the_central_optout_applies_though_another_of_its_lines_is_wrong(tmp_path):
    here, config, mine, central = folders(
        tmp_path, '[emailuser]\nalways = yes\n', '[emailuser]\nmax = abc\noptout = Category:A\n'
    )
    loaded = load([], here, config)
    assert loaded.settings == Settings(always=True, optout=('Category:A',))
    assert list(loaded.warnings) == [
        f'{central} is not read, because {mine} in the current folder is, except for its '
        'opt-out lists, which apply as well: merge the settings into one of them, and keep '
        'only that one.'
    ]


@pytest.mark.parametrize(
    'central',
    [
        '[emailuser]\nmax = abc\n',
        '[emailuser]\noptout = "Category:A"\n',
        '[emailuser\noptout = Category:A\n',
        '[replace]\noptout = Category:A\n',
    ],
    ids=['no-optout', 'quoted', 'unreadable', 'other-script'],
)
def test_without_a_central_optout_that_can_be_read_the_warning_says_nothing_of_it(
    tmp_path, central
):
    here, config, mine, path = folders(tmp_path, '[emailuser]\nalways = yes\n', central)
    loaded = load([], here, config)
    assert loaded.settings == Settings(always=True)
    assert 'opt-out lists' not in loaded.origin
    assert loaded.origin == f'settings from {mine} [emailuser]'
    expected = (
        []
        if central.startswith('[replace]')
        else [
            f'{path} is not read, because {mine} in the current folder is: merge the '
            'settings into one of them, and keep only that one.'
        ]
    )
    assert list(loaded.warnings) == expected


def test_a_default_section_alone_does_not_make_the_folders_file_this_scripts(tmp_path):
    here, config, mine, central = folders(
        tmp_path,
        '[DEFAULT]\nalways = yes\n\n[replace]\nsummary = Bot\n',
        '[emailuser]\noptout = Category:A\n',
    )
    loaded = load([], here, config)
    assert loaded.settings == Settings(optout=('Category:A',))
    assert loaded.origin.startswith(f'settings from {central} ')
    assert loaded.origin == f'settings from {central} [emailuser]'
    [warning] = loaded.warnings
    assert warning.startswith(f'{mine} in the current folder is not read')


@pytest.mark.parametrize(
    ('text', 'sections'),
    [
        ('[emailuser]\n[DEFAULT]\nalways = yes\n', '[DEFAULT]'),
        ('[emailuser]\nmax = 3\n[DEFAULT]\nalways = yes\n', '[DEFAULT] and [emailuser]'),
        ('[emailuser]\nmax = 3\n', '[emailuser]'),
        ('[DEFAULT]\nalways = yes\n', '[DEFAULT]'),
    ],
)
def test_the_plan_names_the_sections_the_values_came_from(tmp_path, text, sections):
    path = ini(tmp_path, text)
    loaded = load([], tmp_path, tmp_path)
    assert loaded.origin == f'settings from {path} {sections}'


def test_an_optoutnote_may_go_with_the_central_optout_alone(tmp_path):
    here, config, _mine, _central = folders(
        tmp_path,
        '[emailuser]\noptoutnote = Opt out at {url}.\n',
        '[emailuser]\noptout = Category:A\n',
    )
    loaded = load([], here, config)
    assert loaded.settings.optout == ('Category:A',)


# The script, against the test wiki ---------------------------------------------------


def addr(name: str) -> str:
    return name.lower().replace(' ', '') + f'@{DOMAIN}'


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
