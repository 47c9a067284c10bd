"""An SMTP sink that stores mail in a Maildir and refuses recipients on demand.

Started by :meth:`harness.wiki.LocalWiki.start_smtp` as::

    python -m aiosmtpd -n -l 127.0.0.1:PORT -c harness.smtpsink.RefusingMailbox MAILDIR CONTROL

with the tests folder on ``PYTHONPATH``. The control file is read at every
``RCPT TO``: each line holds an address to refuse, or ``*`` to refuse every
recipient; a missing or empty file refuses nobody. A refused recipient gets
``550 5.1.1 mailbox unavailable``, as from a mail server that bounces at once.
"""

from __future__ import annotations

from pathlib import Path

from aiosmtpd.handlers import Mailbox

REFUSAL = '550 5.1.1 mailbox unavailable'


def refused(control: Path, address: str) -> bool:
    """Whether the control file says to refuse *address*."""
    try:
        lines = control.read_text().split()
    except FileNotFoundError:
        return False
    return '*' in lines or address.lower() in {line.lower() for line in lines}


class RefusingMailbox(Mailbox):
    """aiosmtpd's Maildir handler, refusing the recipients its control file lists."""

    def __init__(self, mail_dir, control) -> None:
        super().__init__(mail_dir)
        self.control = Path(control)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802 - aiosmtpd's hook name
        if refused(self.control, address):
            return REFUSAL
        envelope.rcpt_tos.append(address)
        return '250 OK'

    @classmethod
    def from_cli(cls, parser, *args) -> RefusingMailbox:
        if len(args) != 2:
            parser.error('RefusingMailbox takes the Maildir and the control file')
        return cls(args[0], args[1])
