"""Pure logic of respecting the people emailed: no wiki needed."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from emailuserlib.core.accounts import Status, WikiUser
from emailuserlib.core.errors import EmailUserError, OptionError
from emailuserlib.message import read as langpages
from emailuserlib.message import read as respect
from emailuserlib.options.table import from_caller, parse_optoutnote
from emailuserlib.recipients.resolve import account_status
from emailuserlib.wiki import site as recipients


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
    ('user', 'status'),
    [
        (WikiUser('~2026-1', 7, temporary=True), Status.TEMPORARY_ACCOUNT),
        (WikiUser('Odd', 8, emailable=True, temporary=True), Status.TEMPORARY_ACCOUNT),
        (WikiUser('Alice', 2, emailable=True), Status.EMAILABLE),
        (WikiUser('Bob', 3, emailable=True), Status.OPTED_OUT),
        (WikiUser('Dave', 4), Status.NOT_EMAILABLE),
    ],
)
def test_an_account_is_classified_as_temporary_first(user, status):
    assert account_status(user, optout={3})[0] == status


@pytest.mark.parametrize(
    ('template', 'base'),
    [
        ('Invitation/{lang}', 'Invitation'),
        ('Project:Events/Invitation/{lang}', 'Project:Events/Invitation'),
        ('Invitation {lang}', None),  # no /{lang} part: no page to fall back to
        ('Invitation/{lang}/text', None),
        ('{team}/{lang}', None),  # the base page would still need a column
    ],
)
def test_the_base_page_is_the_title_without_its_language_part(template, base):
    assert langpages.base_title(template) == base


def test_an_own_optout_note_needs_a_list_and_its_address():
    with pytest.raises(OptionError, match="optout is not given: add optout='TITLE'"):
        from_caller({'optoutnote': 'Write to {url}.'})
    with pytest.raises(OptionError, match=re.escape('put {url} where the address')):
        from_caller({'optoutnote': 'Reply STOP.', 'optout': 'Category:X'})
    # none is no paragraph at all: ''.
    assert from_caller({'optoutnote': 'none'})[0].optoutnote == ''
    with pytest.raises(EmailUserError, match=re.escape('unknown placeholder {team}')):
        respect.optout_note(None, ('Category:X',), '{team}: {url}')
    assert respect.optout_note(None, ('Category:X',), parse_optoutnote('none')) == ''
    assert respect.optout_note(None, (), None) == ''


def test_the_note_is_the_last_paragraph():
    assert respect.with_note('Hello.\n\n', 'Out: URL') == 'Hello.\n\nOut: URL\n'
    assert respect.with_note('Hello.\n', '') == 'Hello.\n'
