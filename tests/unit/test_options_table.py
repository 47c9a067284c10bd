"""options.table: every option's parser, help and reference from one table, and the
library caller's door, without a wiki.

The property-based tests give any value to any option; the end-to-end runs, where the
operator sees these sentences, are in tests/e2e/test_scripts_ini.py."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import fields
from datetime import datetime, timedelta, timezone
from pathlib import Path

import emailuser
import options_doc
import pytest
from doors import NAMES, TYPES, VALUES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emailuserlib.core.errors import Bad, OptionError
from emailuserlib.options import ini as ini_file
from emailuserlib.options import table
from emailuserlib.options.load import command_line
from emailuserlib.options.settings import CcMe, Fallback, Resend, Settings
from emailuserlib.options.settings import TestMail as MailToSender
from emailuserlib.options.table import (
    BY_NAME,
    MOST_DAYS,
    OPTIONS,
    convert,
    from_caller,
    parse_afterdays,
    parse_deadline,
    parse_exit,
    parse_group,
    parse_ratelimit,
    parse_since,
)
from emailuserlib.recipients import editors
from emailuserlib.run.pipeline import email_users

SLOW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def typed_as_its_option(settings: Settings) -> bool:
    """Whether every value of *settings* is of its option's type, or None."""
    return all(
        value is None or isinstance(value, TYPES[name]) for name, value in vars(settings).items()
    )


UTC = timezone.utc


PATHS = [o.name for o in OPTIONS if o.path]


SOME = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def ini(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'scripts.ini'
    path.write_text(text, encoding='utf-8')
    return path


def read_ini(path: Path) -> tuple[dict, bool]:
    """The typed values of *path*, and whether it has settings for this script."""
    read = ini_file.read(path)
    return {name: given.value for name, given in read.values.items()}, read.for_this_script


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
        ({'deadline': '2026-05-01'}, datetime(2026, 5, 2, tzinfo=UTC)),
        ({'deadline': datetime(2026, 5, 1, 20, tzinfo=UTC)}, datetime(2026, 5, 1, 20, tzinfo=UTC)),
    ],
)
def test_a_library_callers_values_are_checked_by_the_same_table(given, value):
    settings, others = table.from_caller(given)
    [(name, _)] = given.items()
    assert (getattr(settings, name), others) == (value, {})


@pytest.mark.parametrize(
    'given',
    [
        {'max': -3},
        {'max': 'abc'},
        {'wait': 'maybe'},
        {'ccme': 2.5},
        {'deadline': datetime(2026, 5, 1)},  # no time zone: which 2026-05-01 is it?
        {'since': datetime(2999, 5, 1, tzinfo=UTC), 'editors': True},
    ],
)
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


@SLOW
@given(st.sampled_from(NAMES), st.one_of(VALUES, st.integers(), st.booleans(), st.none()))
def test_any_value_from_a_library_caller_gives_a_value_or_one_sentence(name, value):
    try:
        checked, others = from_caller({name: value})
    except OptionError as e:
        assert str(e) and '\n' not in str(e)
        return
    assert others == {}
    assert typed_as_its_option(checked)
    # What the door gave, given back to it, is taken unchanged.
    again, _ = from_caller({name: getattr(checked, name)})
    assert again == checked


def test_text_option_takes_backslash_n_for_line_breaks():
    assert command_line(['-text:one\\ntwo']).values['text'] == 'one\ntwo'


@pytest.mark.parametrize(
    ('text', 'hits', 'seconds'),
    [('20/day', 20, 86400), ('5/hour', 5, 3600), ('3/10min', 3, 600), ('2/600', 2, 600)],
)
def test_ratelimit_option_reads_count_and_period(text, hits, seconds):
    limit = parse_ratelimit(text)
    assert (limit.hits, limit.seconds) == (hits, seconds)


@pytest.mark.parametrize('text', ['20', 'lots/day', '0/day', '5/fortnight', '5/0'])
def test_ratelimit_option_refuses_what_it_cannot_read(text):
    with pytest.raises(Bad, match='not a limit'):
        parse_ratelimit(text)


@pytest.mark.parametrize(
    ('value', 'expected'),
    [
        ('2026-05-01', datetime(2026, 5, 1, tzinfo=UTC)),
        ('2026-05-01T12:30', datetime(2026, 5, 1, 12, 30, tzinfo=UTC)),
        ('2026-05-01T12:30:05Z', datetime(2026, 5, 1, 12, 30, 5, tzinfo=UTC)),
        ('2026-05-01T12:30:05z', datetime(2026, 5, 1, 12, 30, 5, tzinfo=UTC)),
        ('2026-05-01T14:30:05+02:00', datetime(2026, 5, 1, 12, 30, 5, tzinfo=UTC)),
        (' 2026-05-01 ', datetime(2026, 5, 1, tzinfo=UTC)),
    ],
)
def test_since_takes_a_date_or_an_iso_time_in_utc(value, expected):
    assert parse_since(value) == expected
    assert editors.api_timestamp(parse_since(value)) == expected.strftime('%Y-%m-%dT%H:%M:%SZ')


@pytest.mark.parametrize(
    'value', ['yesterday', '1.5.2026', '05/01/2026', '2026-13-01', '2026-05-01T25:00', '20260501']
)
def test_since_refuses_what_is_no_date(value):
    with pytest.raises(Bad):
        parse_since(value)
    with pytest.raises(OptionError, match='is not a date or an ISO 8601 time'):
        from_caller({'editors': True, 'since': value})


def test_since_refuses_the_future():
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).strftime('%Y-%m-%d')
    with pytest.raises(Bad, match='in the past'):
        parse_since(tomorrow)
    with pytest.raises(OptionError, match='ISO 8601 time in the past'):
        from_caller({'editors': True, 'since': tomorrow})


@pytest.mark.parametrize(('value', 'expected'), [('1', 1), ('2', 2), (3, 3), (' 10 ', 10)])
def test_minedits_takes_a_positive_whole_number(value, expected):
    assert from_caller({'editors': True, 'minedits': value})[0].minedits == expected


@pytest.mark.parametrize('value', ['0', '-1', 'two', '1.5', 0])
def test_minedits_refuses_anything_else(value):
    with pytest.raises(OptionError, match='is not a positive whole number'):
        from_caller({'editors': True, 'minedits': value})


def test_since_and_minedits_need_editors():
    assert (Settings().since, Settings().minedits) == (None, 1)
    for values in ({'since': '2026-05-01'}, {'minedits': 2}):
        with pytest.raises(OptionError, match='add editors=True'):
            from_caller(values)
    checked, _ = from_caller({'editors': True, 'since': '2026-05-01', 'minedits': '3'})
    since, least = checked.since, checked.minedits
    assert (since, least) == (datetime(2026, 5, 1, tzinfo=UTC), 3)


def test_the_path_options_are_the_files_of_the_table():
    assert sorted(PATHS) == ['journal', 'report', 'statusfile', 'textfile', 'users']


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


@given(st.text(max_size=40))
def test_since_and_ratelimit_parse_or_say_what_is_wrong(text):
    for parse in (parse_since, parse_ratelimit):
        with contextlib.suppress(Bad):
            parse(text)


@pytest.mark.parametrize(
    'text', ['0001-01-01T00:00:00+01:00', '0001-01-01T00:30:00+00:31', '9999-12-31T23:59:59-01:00']
)
def test_a_date_beyond_the_calendar_is_refused_as_a_date(text):
    with pytest.raises(Bad, match='is not a date or an ISO 8601 time in the past'):
        parse_since(text)


@pytest.mark.parametrize('text', ['1/99999999999999999999999999', '99999999999/day', '1/1000week'])
def test_a_limit_beyond_any_bound_is_refused(text):
    with pytest.raises(Bad):
        parse_ratelimit(text)
    assert BY_NAME['ratelimit'].parse is parse_ratelimit


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
