"""recipients.gather: -editors needs a generator, and without it adds nothing; without a wiki."""

from __future__ import annotations

import pytest

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.core.errors import EmailUserError
from emailuserlib.options.settings import Settings
from emailuserlib.recipients import editors
from emailuserlib.recipients.gather import columns, gather
from emailuserlib.recipients.namelist import NameList


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
