"""Who a recipient is, and the words for what becomes of one, defined once.

A :class:`Recipient` is an account of the wiki (its user id, and where the
wiki has them its central id), not a spelling of a name: the name is for
people to read. It is frozen: each stage that learns more about a recipient
(the check, the opt-out lists, the journal, the run) makes a new one with
:func:`dataclasses.replace`, so that what the plan showed is never changed
behind it.

:class:`Status` is what the operator reads: in the plan, the progress lines,
the ``-check`` listing, the report's ``status`` column and the end-of-run
statistics. A status and its detail always travel separately;
:func:`with_detail` joins them for display only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Word(str, Enum):
    """An enum whose members read as their value wherever they are printed."""

    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__
    # Equal to its value, so it must hash like it: counter['sent'] finds Status.SENT.
    __hash__ = str.__hash__


class Status(Word):
    """A recipient's status, as the operator reads it."""

    # What the emailable check finds.
    EMAILABLE = 'emailable'
    NOT_EMAILABLE = 'not-emailable'
    NO_SUCH_USER = 'no-such-user'
    NOT_A_USER = 'not-a-user'
    OPTED_OUT = 'opted-out'
    #: A temporary account (made by an edit without logging in): never emailed or posted to.
    TEMPORARY_ACCOUNT = 'temporary-account'
    #: A locked global account: it cannot log in to read a reply or to opt out.
    LOCKED = 'locked'
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


#: The value of a recipient that holds how many edits -editors counted, a number; its
#: space keeps it from ever being a placeholder ({edits} is that number with its noun).
EDIT_COUNT = 'edit count'


def with_detail(text: str, detail: str) -> str:
    """*text* followed by its detail in brackets, when there is one."""
    return f'{text} ({detail})' if detail else str(text)


@dataclass(frozen=True, eq=False)
class Recipient:
    """A user the run considered: what the check found, and later what the journal says.

    ``status`` is None until the check has settled it. ``userid`` and
    ``registered`` say which account of the wiki it is, once the wiki has
    answered (a user id names another account after a wiki is installed
    again; its registration time tells them apart); ``centralid`` is the
    global account it is attached to, where the wiki's central-id provider has
    global accounts. ``name`` is then the account's name, for display, reports
    and the mail. ``values`` fill the placeholders of a -users: CSV file (and
    of -editors) for this user: read, never changed.
    """

    name: str
    status: Status | None = None
    detail: str = ''
    source: str = ''
    values: dict[str, str] = field(default_factory=dict)
    userid: int | None = None
    #: The central id of the global account this account is attached to; None where
    #: the wiki has no global accounts, or this account is attached to none.
    centralid: int | None = None
    #: When the account was registered, as the wiki gives it ('' when it does not).
    registered: str = ''
    #: The name as it was given, which the wiki was asked about.
    written: str = ''
    #: -alsotalk: what became of the talk page post, None while it is not made (the
    #: email's outcome is ``status``), and its detail.
    talk: Status | None = None
    talkdetail: str = ''


@dataclass(frozen=True)
class WikiUser:
    """The wiki's answer for one name: the account, or why there is none."""

    name: str
    userid: int | None = None
    #: The central id of the global account it is attached to (see :class:`Recipient`).
    centralid: int | None = None
    emailable: bool = False
    invalid: bool = False
    #: A temporary account (group ``temp``): nobody to email or to write to.
    temporary: bool = False
    #: Its global account is locked (``list=globalusers``).
    locked: bool = False
    registered: str = ''
    #: Where the user page of a name without an account redirects (anyone can edit it).
    moved_to: str = ''
    #: The name without an account whose user page led here, the rename log silent.
    via: str = ''
    #: The name without an account that the wiki's rename log led here.
    renamed_from: str = ''
    #: The accounts a name was renamed to, when the log gives it to more than one (the
    #: name was registered again after a rename, and renamed again): nobody to guess.
    renamed_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Central:
    """How a run tells people apart beyond this wiki: the wiki's central-id provider
    (``CentralAuth`` on Wikimedia) and the sending account's central id under it.

    *provider* is '' where the wiki's provider is core's ``local`` one: its
    accounts are its own. A campaign matches recipients across wikis by central id
    only within one :attr:`domain`: the same provider, seen by the same global
    account, so that a number never stands for a stranger of another wiki farm.
    """

    provider: str = ''
    #: The sending account's central id; None when it is attached to no global account.
    sender: int | None = None
    #: The sending account's name, for the sentences that name it.
    account: str = ''
    #: Whether locked global accounts were asked for (``list=globalusers``).
    locks: bool = False

    @property
    def domain(self) -> tuple[str, int] | None:
        """(provider, sender's central id) where central ids mean people across wikis."""
        return (self.provider, self.sender) if self.provider and self.sender else None
