"""The script's messages with a number (wiki/i18n.py): {edits} carries its noun."""

from __future__ import annotations

import pytest

from emailuserlib.recipients.editors import EDIT_COUNT, Editor
from emailuserlib.wiki.i18n import translate


class Site:
    def __init__(self, lang: str) -> None:
        self.lang = lang


@pytest.mark.parametrize(
    ('lang', 'counts'),
    [
        ('en', ['1 edit', '2 edits', '21 edits']),
        ('de', ['1 Bearbeitung', '2 Bearbeitungen', '21 Bearbeitungen']),
        # Bavarian falls back to German, as MediaWiki's languages do.
        ('bar', ['1 Bearbeitung', '2 Bearbeitungen', '21 Bearbeitungen']),
        # No translation: English, with English's plural.
        ('ru', ['1 edit', '2 edits', '21 edits']),
    ],
)
def test_edits_has_the_noun_for_its_number_in_the_wiki_s_language(lang, counts):
    english = '%(count)s {{PLURAL:%(count)s|edit|edits}}'
    said = [
        translate(Site(lang), 'emailuser-edits', {'count': str(n)}, english) for n in (1, 2, 21)
    ]
    assert said == counts


def test_an_editor_s_values_are_the_words_and_the_number_for_the_report():
    editor = Editor('Ann', pages={'Blue jay': 1}, site=Site('en'))
    assert editor.values == {'edits': '1 edit', 'pages': 'Blue jay', EDIT_COUNT: '1'}
