"""message.read: the body from a file, the base page of a page per language, and the
opt-out note, without a wiki."""

from __future__ import annotations

import re

import pytest

from emailuserlib.core.errors import EmailUserError, OptionError
from emailuserlib.message import read as langpages
from emailuserlib.message import read as message
from emailuserlib.message import read as respect
from emailuserlib.options.table import from_caller, parse_optoutnote


def test_text_file_errors_name_the_file(tmp_path):
    with pytest.raises(EmailUserError, match=r'missing\.txt does not exist'):
        message.text_from_file(str(tmp_path / 'missing.txt'))
    latin1 = tmp_path / 'latin1.txt'
    latin1.write_bytes('Grüße'.encode('latin-1'))
    with pytest.raises(EmailUserError, match=r'latin1\.txt is not valid UTF-8'):
        message.text_from_file(str(latin1))
    good = tmp_path / 'good.txt'
    good.write_text('Grüße {username}\n', encoding='utf-8')
    assert message.text_from_file(str(good)) == 'Grüße {username}\n'


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
