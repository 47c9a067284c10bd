"""The words for what becomes of a recipient, defined once.

:class:`Status` is what the operator reads: in the plan, the progress lines, the
``-check`` listing, the report's ``status`` column and the end-of-run
statistics. :class:`State` is what the journal keeps between runs. A status
and its detail always travel separately; :func:`with_detail` joins them for
display only.
"""

from __future__ import annotations

from enum import Enum


class _Word(str, Enum):
    """An enum whose members read as their value wherever they are printed."""

    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__
    # Equal to its value, so it must hash like it: counter['sent'] finds Status.SENT.
    __hash__ = str.__hash__


class Status(_Word):
    """A recipient's status, as the operator reads it."""

    # What the emailable check finds.
    EMAILABLE = 'emailable'
    NOT_EMAILABLE = 'not-emailable'
    NO_SUCH_USER = 'no-such-user'
    NOT_A_USER = 'not-a-user'
    OPTED_OUT = 'opted-out'
    #: A temporary account (made by an edit without logging in): never emailed or posted to.
    TEMPORARY_ACCOUNT = 'temporary-account'
    #: An editor of the pages that -editors does not write to (an IP, a bot ...).
    LEFT_OUT = 'left-out'
    # What a run does or finds in the journal.
    SENT = 'sent'
    SIMULATED = 'simulated'
    ALREADY_SENT = 'already-sent'
    POSTED = 'posted'
    FAILED = 'failed'
    UNCERTAIN = 'uncertain'
    PENDING = 'pending'


class State(_Word):
    """A recipient's state in the journal of a campaign.

    ``planned`` → ``sending`` (committed before the POST) → ``sent``,
    ``uncertain``, ``failed``, ``skipped`` or, for a talk page message,
    ``posted``. A ``sending`` row found by a later run is uncertain too.
    """

    PLANNED = 'planned'
    SENDING = 'sending'
    SENT = 'sent'
    UNCERTAIN = 'uncertain'
    FAILED = 'failed'
    SKIPPED = 'skipped'
    POSTED = 'posted'


#: The journal state a delivery outcome is recorded as.
JOURNAL_STATE = {
    Status.SENT: State.SENT,
    Status.POSTED: State.POSTED,
    Status.UNCERTAIN: State.UNCERTAIN,
    Status.FAILED: State.FAILED,
    # Refusals by the wiki at the send itself: final, never retried.
    Status.NOT_EMAILABLE: State.SKIPPED,
    Status.NO_SUCH_USER: State.SKIPPED,
}

#: Exit statuses, for operators and cron jobs.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_PENDING = 75  # EX_TEMPFAIL: stopped with recipients left; run again later


def with_detail(text: str, detail: str) -> str:
    """*text* followed by its detail in brackets, when there is one."""
    return f'{text} ({detail})' if detail else str(text)
