"""core.errors: every error for the operator is one class with an exit status."""

from __future__ import annotations

import pytest

from emailuserlib.core.errors import (
    EXIT_ERROR,
    EXIT_PENDING,
    EmailUserError,
    JournalError,
    OptionError,
    SenderRefused,
)


@pytest.mark.parametrize(
    'cls',
    [
        EmailUserError,
        OptionError,
        JournalError,
        lambda sentence: SenderRefused('mailnologin', sentence),
    ],
)
def test_every_error_for_the_operator_is_one_class_with_an_exit_status(cls):
    error = cls('The file x.csv does not exist: check the path given with -users:.')
    assert isinstance(error, EmailUserError)
    assert error.status == EXIT_ERROR
    assert str(error) == 'The file x.csv does not exist: check the path given with -users:.'


def test_a_refusal_carries_the_exit_status_it_is_given():
    assert EmailUserError('The wiki cannot be reached.', EXIT_PENDING).status == EXIT_PENDING
    assert EmailUserError('x').status == EXIT_ERROR
    # Not a class attribute changed for everyone.
    assert EmailUserError.status == EXIT_ERROR
