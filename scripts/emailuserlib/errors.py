"""The errors that reach the operator: one sentence each, and the run's exit status.

Every error the script explains derives from :class:`EmailUserError`, whose
text is the one sentence to show (what is wrong, where it came from, what to
do) and whose :attr:`~EmailUserError.status` is the exit status. The script's
``main`` catches it once; anything else is a bug and is not dressed up as a
refusal.
"""

from __future__ import annotations

from .outcomes import EXIT_ERROR


class EmailUserError(Exception):
    """Something the operator must fix or wait for; nothing was sent because of it.

    *status* is the exit status: :data:`.outcomes.EXIT_ERROR` unless given.
    """

    status = EXIT_ERROR

    def __init__(self, sentence: str = '', status: int | None = None) -> None:
        super().__init__(sentence)
        if status is not None:
            self.status = status


class Refusal(EmailUserError):
    """The run cannot go on; the text says why and what to do."""


class InputError(EmailUserError, ValueError):
    """What the wiki or a file gave cannot be used for this run (editors, opt-out lists).

    Also a :class:`ValueError`: the functions raising it are tested as raising one.
    """
