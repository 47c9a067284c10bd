"""recipients.resolve: an account's status from the wiki's answer, without a wiki."""

from __future__ import annotations

import pytest

from emailuserlib.core.accounts import Status, WikiUser
from emailuserlib.recipients.resolve import account_status


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
