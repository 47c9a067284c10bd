"""recipients.editors without a wiki: {pages} wording, the plan's summary, who is left out,
and the edit counts of -check and the report (-since: and -minedits: are in
test_options_table.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from emailuserlib.core.accounts import EDIT_COUNT, Recipient, Status
from emailuserlib.core.errors import EmailUserError
from emailuserlib.recipients import editors
from emailuserlib.recipients.editors import Editor, EditorSearch
from emailuserlib.report.files import report_header, report_rows

UTC = timezone.utc


class _GermanWiki:
    lang = 'de'


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
    assert editor.values == {
        'edits': '6 edits',
        'pages': 'Cardinal, Blue jay, Wood duck and 1 more',
        EDIT_COUNT: '6',
    }


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
    # {edits} carries its noun; the count stays a number, for -check and the report.
    ann = Recipient('Ann', Status.EMAILABLE, values={'edits': '1 edit', EDIT_COUNT: '1'})
    bot = Recipient(
        'Bot',
        Status.LEFT_OUT,
        editors.BOT,
        values={'edits': '3 edits', EDIT_COUNT: '3', 'pages': 'A'},
    )
    assert editors.describe(ann) == '1 edit'
    assert editors.describe(bot) == 'member of the bot group; 3 edits'
    assert report_rows([bot], editors=True)[0][-2:] == ('3', 'A')
    assert report_header(editors=True)[-2:] == ('edits', 'pages')
    assert report_header(editors=False) == ('username', 'status', 'detail')


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
