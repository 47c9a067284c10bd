"""The campaign: who, what, as whom and under which limits; frozen.

:func:`.build.build_campaign` makes a :class:`Campaign`, the only place one is
made. Nothing changes it afterwards: what a run sends, spends and learns lives
in the run's own state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.accounts import Central, Recipient, Status
from ..journal.answer import Answer
from ..message.template import Message
from ..options.settings import RateLimit, Settings
from ..recipients.editors import EditorSearch
from ..recipients.resolve import Resolver
from ..wiki.account import Account

#: What a run delivers to: the emailable, and with -fallback:talk the not-emailable too
#: (a post on the talk page).
DELIVERS = (Status.EMAILABLE,)
DELIVERS_WITH_TALK = (Status.EMAILABLE, Status.NOT_EMAILABLE)


#: With -alsotalk, who gets the talk page post still due: those emailed now or earlier,
#: or whose email is uncertain, and those who cannot be emailed.
TALK_DUE = (
    Status.EMAILABLE,
    Status.NOT_EMAILABLE,
    Status.SENT,
    Status.ALREADY_SENT,
    Status.UNCERTAIN,
    Status.FAILED,
)


def delivers(settings: Settings) -> tuple[Status, ...]:
    """The statuses a run with these settings delivers to (an email, or a post)."""
    return DELIVERS_WITH_TALK if settings.talk else DELIVERS


@dataclass(frozen=True)
class Campaign:
    """What a run needs to send: who, what, as whom, and what the journal said."""

    site: object
    settings: Settings
    message: Message
    account: Account
    #: Every recipient considered, in order, as the check and the journal left them.
    recipients: tuple[Recipient, ...]
    journal: Answer
    #: The limits the account keeps to, strictest first.
    limits: tuple[RateLimit, ...]
    #: The wiki as it names itself, and the family whose wikis share a limit ('' or
    #: ``wikimedia``).
    wiki: str
    family: str = ''
    #: Looks recipients up again during the run (opt-outs, emailability).
    resolver: Resolver | None = None
    #: What -editors found, for the plan.
    search: EditorSearch | None = None
    #: Where options came from besides the command line, for the plan.
    origin: str = ''
    #: How people are told apart beyond this wiki (its central-id provider), for the
    #: plan and the journal.
    central: Central = field(default_factory=Central)
    #: The plan's lines about how the recipients were found and narrowed (-group:,
    #: -inactive:, -after:), in that order.
    notes: tuple[str, ...] = ()

    @property
    def sitename(self) -> str:
        return self.site.siteinfo['sitename']

    @property
    def delivers(self) -> tuple[Status, ...]:
        """The statuses this run delivers to (:data:`DELIVERS` or :data:`DELIVERS_WITH_TALK`)."""
        return delivers(self.settings)

    def deliverable(self, recipient: Recipient) -> bool:
        """Whether this run delivers to *recipient* as its status is now: an email, a talk
        page post, or with -alsotalk the post still due to one emailed earlier."""
        if self.settings.alsotalk and recipient.status == Status.NOT_EMAILABLE:
            return self.talk_due(recipient)  # the post is all it gets
        return recipient.status in self.delivers or self.talk_due(recipient)

    def talk_due(self, recipient: Recipient) -> bool:
        """-alsotalk: whether *recipient*'s talk page post is still to be made."""
        return self.settings.alsotalk and recipient.talk is None and recipient.status in TALK_DUE

    def email_for(self, recipient: Recipient) -> tuple[str, str]:
        """The subject and body that *recipient* gets, with their placeholders filled."""
        return self.message.for_user(recipient.name, self.sitename, recipient.values)
