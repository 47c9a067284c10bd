"""The rules between options hold alike at every door, and in the words of that door.

Whichever door gives an option (the command line, scripts.ini or a caller of
the library) and whichever gives the option it needs, the run is refused
exactly when the merged values break a rule, with one sentence that names the
door the option came through.
"""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip('hypothesis')

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from emailuserlib.core.errors import OptionError  # noqa: E402
from emailuserlib.options.load import load  # noqa: E402
from emailuserlib.options.table import (  # noqa: E402
    BY_NAME,
    RULES,
    Door,
    Rule,
    check_rules,
    convert,
    from_caller,
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
SLOW = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Some options, each with a good value and the door it comes through.
GIVEN = st.dictionaries(
    st.sampled_from(sorted(GOOD)),
    st.tuples(st.integers(0, 2), st.sampled_from(DOORS)),
).map(lambda d: {n: (GOOD[n][i % len(GOOD[n])], door) for n, (i, door) in d.items()})


def command_line(given: dict) -> list[str]:
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


@SLOW
@given(GIVEN)
def test_a_rule_is_kept_the_same_through_each_door_alone(tmp_path_factory, given):
    here = tmp_path_factory.mktemp('run')
    outcomes = {}
    for door in DOORS:
        try:
            if door == 'command line':
                settings = load(command_line(given), here, here / 'none').settings
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


@SLOW
@given(GIVEN)
def test_an_option_and_the_one_it_needs_may_come_through_different_doors(tmp_path_factory, given):
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
        loaded = load(command_line(cli), here, here / 'none')
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
