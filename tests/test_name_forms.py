"""Names in any form the wiki folds reach the account the wiki's own list=users names.

Property-based: hypothesis writes the names of real accounts in NFC or NFD, with
each kind of space MediaWiki folds (and some it may not), with the first letter
in lower case and with spaces around; ``-check`` must settle each on the account
that ``list=users`` itself gives for that very spelling, or on none when it gives none.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39', '1.43')]

ACCOUNTS = ['Grace Hopper', 'Jürgen Müller', 'Crowd 07']
SPACES = [' ', '_', '\u00a0', '\u2003', '\u2002', '\u2009', '\u202f', '\u3000', '  ', ' _ ']


@st.composite
def spellings(draw) -> str:
    name = draw(st.sampled_from(ACCOUNTS))
    space = draw(st.sampled_from(SPACES))
    name = name.replace(' ', space)
    if draw(st.booleans()):
        name = name[0].lower() + name[1:]
    name = unicodedata.normalize(draw(st.sampled_from(['NFC', 'NFD'])), name)
    return draw(st.sampled_from(['', ' ', '\u00a0'])) + name + draw(st.sampled_from(['', ' ']))


def wiki_says(wiki, name: str) -> str | None:
    """The account list=users gives for *name* as written, or None."""
    user = wiki.api(action='query', list='users', ususers=name)['query']['users'][0]
    return None if user.get('missing') or user.get('invalid') else user['name']


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(names=st.lists(spellings(), min_size=1, max_size=6))
def test_every_spelling_reaches_the_account_the_wiki_names(names, sender, wiki, tmp_path):
    path = tmp_path / 'names.txt'
    path.write_text(''.join(f'{n}\n' for n in names), encoding='utf-8')
    result = sender.run(f'-users:{path}', '-check')
    assert result.returncode == 0, result.output
    found = {}
    for line in result.stdout.splitlines():
        status, _, name = line.partition(' ')
        found[name.strip()] = status
    expected = {wiki_says(wiki, n) for n in names} - {None}
    checked = {n for n, s in found.items() if s in ('emailable', 'not-emailable', 'opted-out')}
    assert checked == expected, (names, result.output)
