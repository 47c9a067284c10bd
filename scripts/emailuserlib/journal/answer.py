"""What the journal says of this run's campaign: the typed answer of the reconciliation.

:func:`.reconcile.reconcile` returns it with the journal it read; the campaign
keeps it, and the plan reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.accounts import Recipient


@dataclass(frozen=True)
class Answer:
    """What earlier runs of the campaign did, as far as this run is concerned."""

    path: Path
    #: The campaign's name, as first written in the journal.
    name: str
    #: What tells this text of the campaign from its others (see :func:`.store.fingerprint`).
    fingerprint: str
    #: Pywikibot's name of the site, which schema 1 used.
    legacy: str = ''
    #: The journal did not exist before this run; it is created once the run goes ahead.
    new: bool = False
    #: The network filesystem the journal's folder is on (``nfs4`` ...), or '' when local:
    #: the journal then uses SQLite's rollback journal, and the lock comes first.
    filesystem: str = ''
    #: The recipients, with what earlier runs of the campaign did to them.
    recipients: tuple[Recipient, ...] = ()
    #: How many earlier runs reached, and how many of them with an earlier text.
    reached: int = 0
    reached_earlier_text: int = 0
    #: How many the campaign reached on each other wiki of the run's central-id domain,
    #: by the wiki's name.
    reached_elsewhere: tuple[tuple[str, int], ...] = ()
    #: The names of this run's recipients whom earlier runs reached with another text.
    earlier_text: tuple[str, ...] = ()
    #: {name: (userid, registered, centralid, name)} for rows an older journal kept by name.
    adopt: dict = field(default_factory=dict, compare=False)
    #: The recipients who opted out on this wiki, for the campaign's runs on other wikis.
    opted_out: tuple[Recipient, ...] = ()
    #: -after: the plan's line about the named campaign and who of it qualifies.
    after: str = ''
    #: -resend: when the resend this run goes on with began (on this wiki or, joined, on
    #: another of the campaign), or None for a new one, which begins as the run goes ahead.
    resend_from: float | None = None
