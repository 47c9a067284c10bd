"""wiki.site: names and pages as the wiki spells them, batches of names, and the
wiki's temporary accounts, without a wiki."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pywikibot.tools import is_ip_address, is_ip_network

from emailuserlib.wiki import site as recipients
from emailuserlib.wiki.site import name_problem


def site_with(info: dict):
    return SimpleNamespace(siteinfo=SimpleNamespace(get=lambda key, expiry=False: info))


@pytest.mark.parametrize(
    ('raw', 'expected'),
    [
        ('alice', 'Alice'),
        ('Grace_Hopper', 'Grace Hopper'),
        ('  Grace   Hopper ', 'Grace Hopper'),
        ('jürgen_Müller', 'Jürgen Müller'),
        ('ßeta', 'ßeta'),  # 'ß'.upper() is two letters: MediaWiki keeps it
    ],
)
def test_names_are_normalised_as_mediawiki_does(raw, expected):
    assert recipients.normalize_username(raw) == expected


@pytest.mark.parametrize(
    ('namespace', 'title', 'user'),
    [
        (2, 'Alice', 'Alice'),
        (2, 'Carol/Notes', 'Carol'),
        (3, 'Bob', 'Bob'),
        (3, 'Bob/Archive 1', 'Bob'),
        (0, 'Event report', None),
        (4, 'Crowd', None),
    ],
)
def test_pages_map_to_their_user(namespace, title, user):
    assert recipients.user_from_title(namespace, title) == user


@pytest.mark.parametrize(
    ('name', 'problem'),
    [
        ('127.0.0.1', 'IP address'),
        ('2001:db8::1', 'IP address'),
        ('10.0.0.0/8', 'IP address'),
        ('~2025-12345', 'temporary account'),
        # Which characters a name may hold is the wiki's to say (list=users).
        ('Bad#Name', None),
        ('=Equals', None),
        ('@At', None),
        ('Alice', None),
        ('Jürgen Müller', None),
    ],
)
def test_names_that_cannot_be_accounts(name, problem):
    assert recipients.name_problem(name, [('~', '')]) == problem


def test_batches_split_at_the_limit():
    assert [len(b) for b in recipients.batches(list(range(120)), 50)] == [50, 50, 20]
    assert [len(b) for b in recipients.batches(list(range(120)), 500)] == [120]


@pytest.mark.parametrize(
    ('info', 'patterns'),
    [
        ({'enabled': True, 'matchPatterns': ['~$1']}, [('~', '')]),  # MediaWiki 1.43
        ({'enabled': False, 'matchPatterns': ['~$1', '*$1*']}, [('~', ''), ('*', '*')]),
        ({'enabled': True, 'matchPattern': '~$1'}, [('~', '')]),
        ({'enabled': True, 'genPattern': '~$1'}, [('~', '')]),
        ({'enabled': False}, []),  # MediaWiki 1.39 and wikis without them
        ({}, []),
    ],
)
def test_temporary_account_patterns_come_from_siteinfo(info, patterns):
    assert recipients.temp_account_patterns(site_with(info)) == patterns


@pytest.mark.parametrize(
    ('name', 'temporary'),
    [('~2026-1', True), ('~1', True), ('Alice', False), ('A~2026-1', False), ('*x*', True)],
)
def test_temporary_names_match_as_mediawiki_matches_them(name, temporary):
    assert recipients.is_temporary_name(name, [('~', ''), ('*', '*')]) is temporary


addresses = st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses(v=4).map(lambda a: f'{a}/32'),
    st.ip_addresses(v=6).map(lambda a: f'{a}/128'),
)


@given(st.one_of(st.text(), addresses, st.text(alphabet='0123456789abcdefABCDEF.:/%')))
@example('fe80::1%eth0')
@example('10.0.0.0/8')
@example('1234')
def test_an_ip_address_is_found_as_pywikibot_finds_it(name):
    expected = bool(name) and (is_ip_address(name) or is_ip_network(name))
    assert (name_problem(name) == 'IP address') == expected
