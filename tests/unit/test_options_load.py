"""options.load: the command line merged over scripts.ini, every rule between options kept
alike at every door and in that door's words, the standing opt-out list of the
configuration directory always applying, and arguments that are not UTF-8; without a wiki."""

from __future__ import annotations

import os
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path

import pytest
from doors import NAMES, TEXT, TYPES, VALUES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emailuserlib.core.errors import OptionError
from emailuserlib.options import table
from emailuserlib.options.load import check_utf8, command_line, load
from emailuserlib.options.settings import Resend, Settings
from emailuserlib.options.table import (
    BY_NAME,
    RULES,
    Door,
    Rule,
    check_rules,
    convert,
    from_caller,
)


def ini(folder: Path, text: str, name: str = 'scripts.ini') -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding='utf-8')
    return path


def non_defaults(settings: Settings) -> dict:
    """The fields of *settings* that are not their option's default."""
    return {
        f.name: getattr(settings, f.name)
        for f in fields(Settings)
        if getattr(settings, f.name) != f.default
    }


OPTION_NAMES = st.one_of(st.sampled_from(NAMES), st.text(min_size=1, max_size=10))


SLOW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def typed_as_its_option(settings: Settings) -> bool:
    """Whether every value of *settings* is of its option's type, or None."""
    return all(
        value is None or isinstance(value, TYPES[name]) for name, value in vars(settings).items()
    )


def arg(name: str, value: str | None) -> str:
    return f'-{name}' if value is None else f'-{name}:{value}'


ARGS = st.lists(
    st.builds(arg, OPTION_NAMES, st.one_of(st.none(), VALUES)), max_size=6
)  # fmt: skip


def ini_line(name: str, value: str) -> str:
    return f'{name} = {value}'


INI_TEXT = st.one_of(
    st.lists(st.builds(ini_line, OPTION_NAMES, VALUES), max_size=6).map(
        lambda lines: '[emailuser]\n' + '\n'.join(lines) + '\n'
    ),
    TEXT.map(lambda t: '[emailuser]\n' + t),
    TEXT,
)


#: Values that pass each option's own check, as the command line writes them (None: alone).
GOOD = {
    'editors': [None],
    'since': ['2026-01-01', '2025-12-31T10:00:00Z'],
    'minedits': ['1', '2', '40'],
    'optout': ['Project:No mail', 'Category:Opted-out'],
    'optoutnote': ['none', 'Out: {url}', 'Write your name on {url}, {username}.'],
    'max': ['3'],
}


DOORS = ('command line', 'scripts.ini', 'caller')


RULES_SLOW = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


#: Some options, each with a good value and the door it comes through.
GIVEN = st.dictionaries(
    st.sampled_from(sorted(GOOD)),
    st.tuples(st.integers(0, 2), st.sampled_from(DOORS)),
).map(lambda d: {n: (GOOD[n][i % len(GOOD[n])], door) for n, (i, door) in d.items()})


def cli_args(given: dict) -> list[str]:
    return [f'-{n}' if v is None else f'-{n}:{v}' for n, (v, _door) in given.items()]


def ini_text(given: dict) -> str:
    return '[emailuser]\n' + ''.join(
        f'{n} = {"yes" if v is None else v}\n' for n, (v, _door) in given.items()
    )


def caller_values(given: dict) -> dict:
    return {n: True if v is None else v for n, (v, _door) in given.items()}


def converted(given: dict) -> dict:
    """The values *given* hold once their options' own checks converted them."""
    values = {}
    for name, (value, _door) in given.items():
        values[name] = convert(BY_NAME[name], value)
    return values


def expected_break(values: dict) -> Rule | None:
    return next((rule for rule in RULES if rule.broken(values)), None)


def words_of(door: str, sentence: str, ini: str) -> bool:
    """Whether *sentence* begins as its door writes an option."""
    if door == 'command line':
        return sentence.startswith('-')
    if door == 'scripts.ini':
        return sentence.startswith(ini)
    return sentence.startswith('The option ')


def folders(tmp_path: Path, local: str, central: str) -> tuple[Path, Path, Path, Path]:
    here, config = tmp_path / 'here', tmp_path / 'config'
    return here, config, ini(here, local), ini(config, central)


SOME = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def test_the_command_line_wins_and_its_body_replaces_the_files(tmp_path):
    ini(tmp_path, '[emailuser]\nmax = 3\ntextfile = a.txt\nsubject = From the file\n')
    loaded = load(['-max:5', '-text:Inline'], tmp_path, tmp_path / 'none')
    assert non_defaults(loaded.settings) == {'max': 5, 'text': 'Inline', 'subject': 'From the file'}


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


@pytest.mark.slow
@SLOW
@given(ARGS)
def test_any_command_line_gives_values_or_one_sentence(args):
    try:
        found = command_line(args)
    except OptionError as e:
        assert str(e) and '\n' not in str(e)
        return
    values, unknown = found.values, found.unknown
    if any(rule.broken(values) for rule in RULES):
        # One option lacks another, which scripts.ini may still give: load() decides.
        with pytest.raises(OptionError):
            check_rules(values, found.texts, lambda name: Door())
        return
    # The values are the settings' own, of their types: they make Settings unchanged.
    settings = Settings(**values)
    assert {name: getattr(settings, name) for name in values} == values
    assert typed_as_its_option(settings)
    if 'resend' in values:
        assert values['resend'] in (Resend.ALL, Resend.UNCERTAIN)
    if values.get('resend') == Resend.ALL:
        assert '-resend' in args
    assert all(a in args for a in unknown)


@SLOW
@given(INI_TEXT, ARGS)
def test_any_scripts_ini_with_any_command_line_gives_values_or_one_sentence(
    tmp_path_factory, text, args
):
    here = tmp_path_factory.mktemp('run')
    (here / 'scripts.ini').write_text(text, encoding='utf-8')
    try:
        loaded = load(args, here, here / 'config')
    except OptionError as e:
        assert str(e) and '\n' not in str(e)
        return
    settings = loaded.settings
    assert typed_as_its_option(settings)
    assert not any(rule.broken(vars(settings)) for rule in RULES)
    # Nothing in scripts.ini forgets anyone; only -resend alone on the command line does.
    if settings.resend == Resend.ALL:
        assert '-resend' in args


@RULES_SLOW
@given(GIVEN)
def test_a_rule_is_kept_the_same_through_each_door_alone(tmp_path_factory, given):
    here = tmp_path_factory.mktemp('run')
    outcomes = {}
    for door in DOORS:
        try:
            if door == 'command line':
                settings = load(cli_args(given), here, here / 'none').settings
            elif door == 'scripts.ini':
                (here / 'scripts.ini').write_text(ini_text(given), encoding='utf-8')
                settings = load([], here, here / 'none').settings
                (here / 'scripts.ini').unlink()
            else:
                settings, _others = from_caller(caller_values(given))
        except OptionError as e:
            sentence = str(e)
            assert '\n' not in sentence
            assert e.door == door
            assert words_of(door, sentence, str(here / 'scripts.ini')), sentence
            outcomes[door] = ('refused', next(r.why for r in RULES if r.why in sentence))
            (here / 'scripts.ini').unlink(missing_ok=True)
            continue
        assert expected_break(vars(settings)) is None
        outcomes[door] = ('taken', settings)
    broken = expected_break(converted(given))
    if broken is None:
        assert {o[0] for o in outcomes.values()} == {'taken'}
        # The same values, whichever door gave them.
        first, *others = (o[1] for o in outcomes.values())
        assert all(other == first for other in others)
    else:
        assert set(outcomes.values()) == {('refused', broken.why)}


@RULES_SLOW
@given(GIVEN)
def test_any_split_between_doors_is_refused_exactly_when_the_merge_breaks_a_rule(
    tmp_path_factory, given
):
    """Split between the command line and scripts.ini: refused iff the merge breaks a rule."""
    here = tmp_path_factory.mktemp('run')
    cli = {n: g for n, g in given.items() if g[1] == 'command line'}
    ini = {n: g for n, g in given.items() if g[1] != 'command line'}
    (here / 'scripts.ini').write_text(ini_text(ini), encoding='utf-8')
    merged = {**converted(ini), **converted(cli)}
    if 'optout' in cli and 'optout' in ini:
        merged['optout'] = True  # the two lists add up; only "given" matters here
    broken = expected_break(merged)
    try:
        loaded = load(cli_args(cli), here, here / 'none')
    except OptionError as e:
        assert broken is not None, str(e)
        assert broken.why in str(e) and '\n' not in str(e)
        door = 'command line' if broken.option in cli else 'scripts.ini'
        assert e.door == door
        assert words_of(door, str(e), str(here / 'scripts.ini')), str(e)
        return
    assert broken is None
    assert expected_break(vars(loaded.settings)) is None
    # The run takes the merged settings as they are: they break no rule at any door.
    check_rules(vars(loaded.settings), {}, lambda name: Door())


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


def test_the_command_lines_relative_paths_stay_relative_to_the_current_folder(tmp_path):
    settings = load(['-journal:j.sqlite3', '-users:u.csv'], tmp_path, tmp_path / 'x').settings
    assert (settings.journal, settings.users) == (Path('j.sqlite3'), (Path('u.csv'),))


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
