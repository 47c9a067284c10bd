"""Every exception of the script, and the exit statuses: one place.

:class:`EmailUserError` is what reaches the operator: its text is the one
sentence to show (what is wrong, where it came from, what to do) and its
:attr:`~EmailUserError.status` the exit status; the script's ``main`` catches
it once. Two of its kinds are told apart where they are caught: an
:class:`OptionError` (the command line's gets the script's help) and a
:class:`JournalError` (it stops a run that is sending). The other classes are
signals between two parts of the script that never reach the operator as
such: each is turned into a sentence, or an outcome, where it is caught.
"""

from __future__ import annotations

#: Exit statuses, for operators and schedulers.
EXIT_OK = 0
EXIT_ERROR = 1
#: EX_TEMPFAIL: stopped with recipients left; run the same command again later.
EXIT_PENDING = 75


class EmailUserError(Exception):
    """Something the operator must fix or wait for; nothing more was sent because of it.

    *status* is the exit status: :data:`EXIT_ERROR` unless given.
    """

    status = EXIT_ERROR

    def __init__(self, sentence: str = '', status: int | None = None) -> None:
        super().__init__(sentence)
        if status is not None:
            self.status = status


class OptionError(EmailUserError, ValueError):
    """A value of an option cannot be used.

    *door* is where it came from: ``command line``, ``scripts.ini`` or ``caller``.
    """

    def __init__(self, sentence: str, door: str = 'command line') -> None:
        super().__init__(sentence)
        self.door = door


class JournalError(EmailUserError):
    """The journal cannot be read or written; a run that is sending stops at once."""


class SenderRefused(EmailUserError):
    """The wiki refuses this sender: every further send would fail the same way.

    *code* is the wiki's error code.
    """

    def __init__(self, code: str, sentence: str, status: int | None = None) -> None:
        super().__init__(sentence, status)
        self.code = code


class Bad(Exception):
    """An option's value cannot be used: what is wrong with it and what to do.

    *todo* may hold ``{eg:VALUE}``, which becomes VALUE written as the door
    writes this option (``-max:20`` or ``max = 20``); the door turns it into an
    :class:`OptionError`.
    """

    def __init__(self, what: str, todo: str) -> None:
        super().__init__(what, todo)
        self.what = what
        self.todo = todo


class Interrupted(BaseException):
    """The run is asked to stop: a signal (Ctrl-C, SIGTERM, SIGHUP), or its output closed.

    *cause* names it for the operator's line (``Ctrl-C``, ``SIGTERM`` ...). A
    BaseException, as KeyboardInterrupt is, so that no ``except Exception`` takes
    it; not a KeyboardInterrupt, which Pywikibot would name in a line of its own.
    """

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class RateLimited(Exception):
    """The wiki's email rate limit for this account is reached; nothing was sent."""


class NotSent(Exception):
    """The wiki could not be asked (no connection, lost session); nothing was sent."""


class Unshowable(Exception):
    """A page's HTML has something that a plain text email cannot show.

    :param kind: ``refused`` (*what* cannot be shown as text), ``missing`` (*what*
        is the title of a page that does not exist, which a link leads to),
        ``error`` (*what* is the wiki's error message), ``redirect`` (a redirect
        to a redirect) or ``hidden`` (*what* is text the reader does not see)
    :param where: where in the text, as in ``after "the schedule:"``
    """

    def __init__(self, kind: str, what: str = '', where: str = '') -> None:
        super().__init__(f'{kind}: {what} {where}'.strip())
        self.kind, self.what, self.where = kind, what, where


class NotAJournal(Exception):
    """A file is not a journal of emailuser; the text says what it is.

    *newer* is the schema of a journal that a newer release wrote, else None.
    """

    def __init__(self, what: str, newer: int | None = None) -> None:
        super().__init__(what)
        self.newer = newer
