"""What the options of a run are, as types: the one object every later stage reads.

The door (:mod:`.load`, through the table of :mod:`.table`) turns the text of
the command line, ``scripts.ini`` or a library caller into one frozen
:class:`Settings`, every bound checked: numbers are numbers, dates aware
datetimes, the rate limit a :class:`RateLimit`, lists tuples, files paths,
choices enums. Nothing after the door reads or splits an option's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..core.accounts import Word
from ..core.words import duration


class Resend(Word):
    """-resend: whom a run forgets of its campaign's earlier outcomes."""

    NONE = ''
    UNCERTAIN = 'uncertain'
    ALL = 'all'


class CcMe(Word):
    """-ccme: which emails of the run the sender gets a copy of."""

    NONE = ''
    ALL = 'all'
    FIRST = 'first'


class Fallback(Word):
    """-fallback: how those who cannot be emailed get the message."""

    NONE = ''
    TALK = 'talk'


@dataclass(frozen=True)
class RateLimit:
    """How many emails this account may send per period, and who says so."""

    hits: int
    seconds: int
    source: str = 'the wiki'
    #: Counted over every wiki of the family (Wikimedia's per-account limit), not one.
    across_family: bool = False

    def describe(self) -> str:
        """The limit in words: ``20 emails per day``."""
        per = {60: 'minute', 3600: 'hour', 86400: 'day', 7 * 86400: 'week'}.get(self.seconds)
        emails = 'email' if self.hits == 1 else 'emails'
        return f'{self.hits:,} {emails} per {per or duration(self.seconds)}'

    def said(self) -> str:
        """The limit and whose it is: ``20 emails per day (the wiki)``."""
        return f'{self.describe()} ({self.source})'


@dataclass(frozen=True)
class TestMail:
    """-test: one email, the first recipient's, to *to* ('' for the sending account)."""

    to: str = ''

    def target(self, account: str) -> str:
        """Who gets the test email when *account* sends it."""
        return self.to or account


@dataclass(frozen=True)
class Settings:
    """The options of one run, each of its type; the defaults are the options' defaults."""

    subject: str = ''
    #: The body given with -text:, its ``\\n`` already line breaks.
    text: str = ''
    textfile: Path | None = None
    #: The title of the message page; its ``{column}`` parts name a page per row.
    textpage: str = ''
    users: tuple[Path, ...] = ()
    check: bool = False
    report: Path | None = None
    fallback: Fallback = Fallback.NONE
    #: -alsotalk: every recipient emailed gets a talk page post too.
    alsotalk: bool = False
    editors: bool = False
    #: -since:, in UTC.
    since: datetime | None = None
    minedits: int = 1
    #: -group:, the user groups whose members are recipients (``user``: every account).
    group: tuple[str, ...] = ()
    #: -inactive:, days without an edit or a logged action; None for no such filter.
    inactive: int | None = None
    #: The opt-out pages and categories, as titles of this wiki.
    optout: tuple[str, ...] = ()
    #: The way-out paragraph in the operator's words (``{url}`` for the address);
    #: None for the script's own, '' for none at all.
    optoutnote: str | None = None
    ignoremassoptout: bool = False
    #: -max:, the most emails of this run; None for no limit.
    max: int | None = None
    ccme: CcMe = CcMe.NONE
    test: TestMail | None = None
    wait: bool = False
    ratelimit: RateLimit | None = None
    campaign: str = ''
    #: -after:, the campaign of the same journal whose reached recipients this run takes.
    after: str = ''
    afterdays: int = 0
    #: -deadline:, the first moment at which nothing is sent, in UTC.
    deadline: datetime | None = None
    always: bool = False
    journal: Path | None = None
    #: -statusfile:, where the outcome of every run is written as JSON.
    statusfile: Path | None = None
    #: -deferredexit:, the exit status of a run deferred by a limit or -max.
    deferredexit: int = 75
    #: -logpage:, the wiki page that gets who was reached after each run.
    logpage: str = ''
    resend: Resend = Resend.NONE

    @property
    def talk(self) -> bool:
        """Whether the run posts on talk pages (-fallback:talk or -alsotalk)."""
        return bool(self.fallback or self.alsotalk)

    @property
    def body_given(self) -> bool:
        """Whether an option gives the message body."""
        return bool(self.text or self.textfile or self.textpage)

    def inputs(self) -> list[tuple[str, Path]]:
        """The files the run reads, as (option, path): no output may overwrite them."""
        found = [('-textfile:', self.textfile)] if self.textfile else []
        return found + [('-users:', path) for path in self.users]
