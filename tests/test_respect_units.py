"""Pure logic of respecting the people emailed: no wiki needed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from emailuserlib import recipients
from emailuserlib.outcomes import Status


def site_with(info: dict):
    return SimpleNamespace(siteinfo=SimpleNamespace(get=lambda key, expiry=False: info))


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


@pytest.mark.parametrize(
    ('entry', 'status'),
    [
        (None, Status.NO_SUCH_USER),
        ({'name': 'X', 'missing': True}, Status.NO_SUCH_USER),
        ({'name': 'X', 'invalid': True}, Status.NOT_A_USER),
        ({'name': '~2026-1', 'groups': ['temp'], 'emailable': False}, Status.TEMPORARY_ACCOUNT),
        ({'name': 'Odd', 'groups': ['*', 'temp'], 'emailable': True}, Status.TEMPORARY_ACCOUNT),
        ({'name': 'Alice', 'groups': ['*', 'user'], 'emailable': True}, Status.EMAILABLE),
        ({'name': 'Dave', 'groups': ['*', 'user'], 'emailable': False}, Status.NOT_EMAILABLE),
    ],
)
def test_a_checked_user_is_classified_by_its_groups_first(entry, status):
    assert recipients.classify(entry)[0] == status
