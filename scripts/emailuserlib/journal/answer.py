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
    #: The recipients, with what earlier runs of the campaign did to them.
    recipients: tuple[Recipient, ...] = ()
    #: How many earlier runs reached, and how many of them with an earlier text.
    reached: int = 0
    reached_earlier_text: int = 0
    #: The names of this run's recipients whom earlier runs reached with another text.
    earlier_text: tuple[str, ...] = ()
    #: {name: (userid, centralid, name)} for rows an older journal kept by name.
    adopt: dict = field(default_factory=dict, compare=False)
