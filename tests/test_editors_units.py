"""-editors without a wiki: {pages} wording, -since: and -minedits: values, the options."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.core.errors import Bad, EmailUserError, OptionError
from emailuserlib.options.settings import Settings
from emailuserlib.options.table import from_caller, parse_since
from emailuserlib.recipients import editors
from emailuserlib.recipients.editors import Editor, EditorSearch
from emailuserlib.recipients.gather import columns, gather
from emailuserlib.recipients.namelist import NameList
from emailuserlib.report.files import report_header, report_rows


@pytest.mark.parametrize(
    ('titles', 'expected'),
    [
        ([], ''),
        (['Blue jay'], 'Blue jay'),
        (['Blue jay', 'Cardinal'], 'Blue jay and Cardinal'),
        (['A', 'B', 'C'], 'A, B and C'),
        (['A', 'B', 'C', 'D'], 'A, B, C and 1 more'),
        (['A', 'B', 'C', 'D', 'E', 'F', 'G'], 'A, B, C and 4 more'),
    ],
)
def test_pages_read_as_a_sentence(titles, expected):
    assert editors.readable_titles(titles) == expected


def test_an_editors_pages_start_with_the_most_edited_then_the_order_read():
    editor = Editor('Ann', pages={'Blue jay': 1, 'Cardinal': 3, 'Wood duck': 1, 'Snowy owl': 1})
    assert editor.edits == 6
    assert editor.values == {'edits': '6', 'pages': 'Cardinal, Blue jay, Wood duck and 1 more'}


UTC = timezone.utc


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
    for given in ({'since': '2026-05-01'}, {'minedits': 2}):
        with pytest.raises(OptionError, match='add editors=True'):
            from_caller(given)
    checked, _ = from_caller({'editors': True, 'since': '2026-05-01', 'minedits': '3'})
    since, least = checked.since, checked.minedits
    assert (since, least) == (datetime(2026, 5, 1, tzinfo=UTC), 3)


def test_gather_without_a_generator_is_refused():
    with pytest.raises(EmailUserError, match='-editors reads the editors of the pages'):
        gather(None, Settings(editors=True), None, NameList())


def test_gather_without_editors_changes_nothing():
    # No placeholders added, nobody left out.
    lists = NameList(columns=('team',))
    assert columns(Settings(), lists) == ('team',)
    assert columns(Settings(editors=True), lists) == ('team', 'edits', 'pages')
    ann = Recipient('Ann', Status.EMAILABLE, values={})
    assert editors.left_out(None, [ann]) == []


def test_the_summary_says_pages_editors_left_out_and_reverted():
    search = EditorSearch(
        since=datetime(2026, 5, 1, tzinfo=UTC),
        minedits=2,
        pages_read=300,
        requests=303,
        reverted=1,
        editors=[Editor('Ann', pages={'A': 2})],
        left_out=[Recipient('Bot', Status.LEFT_OUT, editors.BOT)],
    )
    assert search.summary() == (
        '  Editors of 300 pages since 2026-05-01T00:00:00Z with at least 2 edits each: '
        '2 editors found, 1 left out (303 requests); 1 reverted edit not counted.'
    )


def test_users_from_files_without_edits_are_refused_when_the_message_uses_them():
    ann = Recipient('Ann', Status.EMAILABLE, values={'edits': '2', 'pages': 'A'})
    bob = Recipient('Bob', Status.EMAILABLE, values={'team': 'Red'})
    dave = Recipient('Dave', Status.NOT_EMAILABLE, values={})
    editors.check_values(['team'], [ann, bob], (Status.EMAILABLE,))
    editors.check_values(['edits'], [ann, dave], (Status.EMAILABLE,))
    named = r'1 recipient named by user pages or -users: files .*\{pages\}.*\(Bob\)'
    with pytest.raises(EmailUserError, match=named):
        editors.check_values(['pages'], [ann, bob, dave], (Status.EMAILABLE,))


def test_check_and_report_show_the_edit_count():
    ann = Recipient('Ann', Status.EMAILABLE, values={'edits': '1', 'pages': 'A'})
    bot = Recipient('Bot', Status.LEFT_OUT, editors.BOT, values={'edits': '3', 'pages': 'A'})
    assert editors.describe(ann) == '1 edit'
    assert editors.describe(bot) == 'member of the bot group; 3 edits'
    assert report_rows([bot], editors=True)[0][-2:] == ('3', 'A')
    assert report_header(editors=True)[-2:] == ('edits', 'pages')
    assert report_header(editors=False) == ('username', 'status', 'detail')


class _GermanWiki:
    lang = 'de'


@pytest.mark.parametrize(
    ('titles', 'expected'),
    [
        (['Blaumeise', 'Kardinal'], 'Blaumeise und Kardinal'),
        (['A', 'B', 'C', 'D', 'E'], 'A, B, C und 2 weitere'),
    ],
)
def test_pages_read_as_a_sentence_in_the_wikis_language(titles, expected):
    assert editors.readable_titles(titles, site=_GermanWiki()) == expected
    editor = Editor('Anna', pages=dict.fromkeys(titles, 1), site=_GermanWiki())
    assert editor.values['pages'] == expected
