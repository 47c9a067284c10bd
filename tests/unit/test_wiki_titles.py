"""Following the wiki's answer about redirects: pure logic, no wiki needed.

The end-to-end cases (the real wiki's answers, the operator's sentences) are in
tests/e2e/test_optouts.py; here any answer the wiki could give, redirect graphs
included, gives a chain or one EmailUserError, and never loops.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emailuserlib.core.errors import EmailUserError
from emailuserlib.wiki.titles import follow_redirects

GIVEN, WANTED = '-optout:Project:List', 'an opt-out page or category'


def answer(*hops, pages=(), normalized=()):
    """A ``redirects`` query answer with *hops* as (from, to[, interwiki prefix])."""
    redirects = []
    for hop in hops:
        entry = {'from': hop[0], 'to': hop[1]}
        if len(hop) > 2:
            entry['tointerwiki'] = hop[2]
        redirects.append(entry)
    return {
        'normalized': [{'from': f, 'to': t} for f, t in normalized],
        'redirects': redirects,
        'pages': list(pages),
    }


TITLES = st.sampled_from(['A', 'B', 'C', 'D', 'E'])


def test_a_page_that_is_no_redirect_is_a_chain_of_one():
    assert follow_redirects(answer(pages=[{'title': 'A', 'ns': 4}]), 'A', GIVEN, WANTED) == ['A']


def test_the_chain_starts_at_the_title_as_the_wiki_normalised_it():
    query = answer(('P:A', 'P:B'), ('P:B', 'P:C'), normalized=[('Project:A', 'P:A')])
    query['pages'] = [{'title': 'P:C', 'ns': 4}]
    assert follow_redirects(query, 'Project:A', GIVEN, WANTED) == ['P:A', 'P:B', 'P:C']


@pytest.mark.parametrize(
    ('query', 'said'),
    [
        (answer(('A', 'A')), f'{GIVEN} is a redirect that leads back to itself (A → A)'),
        (answer(('A', 'B'), ('B', 'A')), 'leads back to itself (A → B → A)'),
        (answer(('A', 'B'), ('B', 'C'), ('C', 'B')), 'leads back to itself (B → C → B)'),
        (
            answer(('A', 'wikipedia:Foo', 'wikipedia')),
            f'{GIVEN} redirects to wikipedia:Foo on another wiki (the prefix "wikipedia:")',
        ),
        (
            answer(('A', 'Special:Random'), pages=[{'title': 'Special:Random', 'ns': -1}]),
            f'{GIVEN} redirects to the special page Special:Random',
        ),
        (
            answer(('A', 'Bad'), pages=[{'title': 'Bad', 'invalid': True}]),
            f'{GIVEN} redirects to "Bad", which is not a valid page title',
        ),
    ],
    ids=['self', 'loop', 'loop-further-on', 'interwiki', 'special', 'invalid'],
)
def test_a_redirect_that_cannot_be_read_is_one_sentence(query, said):
    with pytest.raises(EmailUserError) as e:
        follow_redirects(query, 'A', GIVEN, WANTED)
    assert said in str(e.value)
    assert '\n' not in str(e.value)
    assert str(e.value).endswith(f'{WANTED}.') or str(e.value).endswith('fix the redirect.')


@given(
    hops=st.dictionaries(TITLES, st.tuples(TITLES, st.sampled_from(['', '', 'wikipedia']))),
    special=st.sets(TITLES),
)
def test_any_redirects_give_a_chain_of_hops_or_one_sentence(hops, special):
    query = answer(*[(f, t, iw) if iw else (f, t) for f, (t, iw) in hops.items()])
    query['pages'] = [{'title': t, 'ns': -1 if t in special else 4} for t in 'ABCDE']
    try:
        chain = follow_redirects(query, 'A', GIVEN, WANTED)
    except EmailUserError as e:
        assert str(e).startswith(GIVEN) and '\n' not in str(e)
        return
    assert chain[0] == 'A' and len(set(chain)) == len(chain)
    assert all(hops[a][0] == b and not hops[a][1] for a, b in zip(chain, chain[1:]))
    assert chain[-1] not in hops  # followed to the end
    assert len(chain) == 1 or chain[-1] not in special
