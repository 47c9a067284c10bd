"""A subject of placeholders only names no campaign: refused at every door without -campaign:."""

from __future__ import annotations

import pytest

from emailuserlib.core.errors import OptionError
from emailuserlib.core.words import has_words
from emailuserlib.options.load import command_line
from emailuserlib.options.table import Door, check_rules, from_caller

hypothesis = pytest.importorskip('hypothesis')

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

#: A placeholder's name: no brace, no space of any kind (a space ends a placeholder).
NAME = st.text(
    st.characters(blacklist_categories=('Cc', 'Zs', 'Zl', 'Zp'), blacklist_characters='{}'),
    min_size=1,
    max_size=8,
)
#: What may sit between placeholders without being words: spaces and punctuation.
GLUE = st.text(st.sampled_from(' -:,.!?/|()[]'), max_size=3)


@st.composite
def placeholders_only(draw) -> str:
    parts = draw(st.lists(st.tuples(GLUE, NAME), min_size=1, max_size=4))
    return ''.join(f'{glue}{{{name}}}' for glue, name in parts) + draw(GLUE)


@given(placeholders_only())
def test_a_subject_of_placeholders_only_needs_a_campaign_name(subject):
    assert not has_words(subject)
    with pytest.raises(OptionError) as refused:
        from_caller({'subject': subject, 'text': 'T'})
    assert 'has no words besides placeholders' in str(refused.value)
    assert "add campaign='NAME'" in str(refused.value)
    settings, _ = from_caller({'subject': subject, 'text': 'T', 'campaign': 'Meetup'})
    assert settings.campaign == 'Meetup'


@given(placeholders_only(), st.text(min_size=1, max_size=10), placeholders_only())
def test_a_subject_with_a_word_of_its_own_names_its_campaign(before, word, after):
    subject = f'{before}{word}{after}'
    if any(c.isalnum() for c in word) and '{' not in word and '}' not in word:
        assert has_words(subject)
        assert from_caller({'subject': subject, 'text': 'T'})[0].subject == subject


def test_the_command_line_says_it_in_one_sentence():
    found = command_line(['-subject:{subject}', '-text:T'])
    with pytest.raises(OptionError) as refused:
        check_rules(found.values, found.texts, lambda name: Door())
    assert str(refused.value) == (
        '-subject:{subject} has no words besides placeholders, so it cannot name the campaign '
        'in the journal (every mailing written so would be one campaign, and a new one would '
        'reach nobody), and -campaign: is not given: add -campaign:NAME, or write words of the '
        'mailing into the subject.'
    )
    # Doubled braces are text of the subject's own.
    assert has_words('{{Meetup}} {username}')
