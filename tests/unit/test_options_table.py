"""The doors of the notice options: -group:, -inactive:, -after:, -afterdays:, -deadline:,
-statusfile:, -deferredexit:, -logpage: and -alsotalk, parsed once into their types.

Every value is judged alike at the command line, in scripts.ini and by a library
caller; a bad one is one sentence naming it and what to do, never a traceback.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emailuserlib.core.errors import Bad, OptionError
from emailuserlib.options.load import command_line
from emailuserlib.options.table import (
    BY_NAME,
    MOST_DAYS,
    convert,
    from_caller,
    parse_afterdays,
    parse_deadline,
    parse_exit,
    parse_group,
)


def test_a_date_alone_is_a_deadline_at_the_end_of_that_day_in_utc():
    assert parse_deadline('2026-05-01') == datetime(2026, 5, 2, tzinfo=timezone.utc)
    assert parse_deadline('2026-05-01T18:00:00Z') == datetime(2026, 5, 1, 18, tzinfo=timezone.utc)
    # Another offset is the same moment in UTC; no offset is UTC.
    assert parse_deadline('2026-05-01T20:00:00+02:00') == datetime(
        2026, 5, 1, 18, tzinfo=timezone.utc
    )
    assert parse_deadline('2026-05-01T18:00') == datetime(2026, 5, 1, 18, tzinfo=timezone.utc)


def test_a_deadline_in_the_past_is_a_value_all_the_same():
    # The run says that it has passed: a scheduled job that outlived its event stops.
    assert parse_deadline('2001-01-01') < datetime.now(timezone.utc)


@pytest.mark.parametrize(
    'text', ['tomorrow', '2026-13-01', '2026-02-30', '01.05.2026', '9999-12-31']
)
def test_a_deadline_that_is_no_date_is_refused_with_an_example(text):
    with pytest.raises(OptionError) as e:
        command_line([f'-deadline:{text}'])
    assert str(e.value).startswith(f'-deadline:{text} is not a date or an ISO 8601 time')
    assert '-deadline:2026-05-01' in str(e.value)


@pytest.mark.parametrize('text', ['0', '-5', '1.5', 'a year', str(MOST_DAYS + 1), ''])
def test_inactive_days_must_be_a_positive_whole_number(text):
    with pytest.raises(OptionError) as e:
        command_line([f'-inactive:{text}'])
    assert '-inactive:' in str(e.value)
    assert 'positive whole number' in str(e.value) or 'needs a value' in str(e.value)


def test_afterdays_takes_zero_and_needs_after():
    assert parse_afterdays('0') == 0 and parse_afterdays(' 25 ') == 25
    with pytest.raises(Bad):
        parse_afterdays('-1')
    with pytest.raises(OptionError) as e:
        from_caller({'afterdays': 3})
    assert 'after' in str(e.value)
    settings, _ = from_caller({'after': 'First notice', 'afterdays': 3})
    assert (settings.after, settings.afterdays) == ('First notice', 3)


@pytest.mark.parametrize(('text', 'status'), [('0', 0), ('75', 75), ('255', 255), (' 2 ', 2)])
def test_deferredexit_is_an_exit_status(text, status):
    assert parse_exit(text) == status


@pytest.mark.parametrize('text', ['256', '-1', '75.0', 'zero', '1000'])
def test_deferredexit_beyond_an_exit_status_is_refused(text):
    with pytest.raises(OptionError) as e:
        command_line([f'-deferredexit:{text}'])
    assert 'is not an exit status: give a whole number from 0 to 255' in str(e.value)


def test_the_defaults_keep_todays_behaviour():
    settings, _ = from_caller({})
    assert settings.deferredexit == 75
    assert settings.group == () and settings.inactive is None and not settings.alsotalk
    assert settings.deadline is None and settings.statusfile is None and settings.logpage == ''


def test_groups_add_up_and_a_caller_gives_them_typed():
    found = command_line(['-group:sysop', '-group:bureaucrat'])
    assert found.values['group'] == ('sysop', 'bureaucrat')
    settings, _ = from_caller({'group': ['sysop', 'bot'], 'inactive': 365, 'deferredexit': 0})
    assert settings.group == ('sysop', 'bot')
    assert settings.inactive == 365 and settings.deferredexit == 0


def test_a_group_name_with_characters_no_group_has_is_refused():
    for text in ('sys op', 'a|b', '[[sysop]]'):
        with pytest.raises(Bad):
            parse_group(text)


def test_statusfile_is_a_path():
    settings, _ = from_caller({'statusfile': '~/status.json'})
    assert settings.statusfile == Path('~/status.json').expanduser()


@given(st.text(max_size=40))
def test_any_text_at_the_new_doors_is_a_value_or_one_sentence(text):
    for name in ('group', 'inactive', 'after', 'afterdays', 'deadline', 'deferredexit', 'logpage'):
        try:
            value = convert(BY_NAME[name], text)
        except Bad as bad:
            assert bad.what and bad.todo
            continue
        if name == 'inactive':
            assert 1 <= value <= MOST_DAYS
        elif name == 'afterdays':
            assert 0 <= value <= MOST_DAYS
        elif name == 'deferredexit':
            assert 0 <= value <= 255
        elif name == 'deadline':
            assert value.tzinfo is not None and value.utcoffset() == timedelta(0)


@given(st.dates(min_value=datetime(1, 1, 1).date(), max_value=datetime(9998, 12, 30).date()))
def test_every_date_is_a_deadline_at_the_start_of_the_next_day(day):
    found = parse_deadline(day.isoformat())
    assert found - timedelta(days=1) == datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
