"""The SMTP sink's Maildir, read the way a recipient's mail client reads it."""

from __future__ import annotations

import email
import email.policy
import email.utils
import mailbox
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mail:
    """One delivered message, headers decoded."""

    to: str
    subject: str
    body: str
    sender: str
    reply_to: str
    envelope_to: str = ''

    @property
    def to_address(self) -> str:
        return email.utils.parseaddr(self.to)[1]


class Mailbox:
    """Messages that reached the SMTP sink."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def create(self) -> None:
        mailbox.Maildir(self.path, create=True)

    def clear(self) -> None:
        """Forget every message delivered so far."""
        for sub in ('new', 'cur'):
            for item in (self.path / sub).iterdir():
                item.unlink()

    def count(self) -> int:
        """How many messages were delivered, without reading them.

        The sink writes a message into tmp/ and moves it whole into new/.
        """
        return sum(1 for sub in ('new', 'cur') for _ in (self.path / sub).iterdir())

    def messages(self) -> list[Mail]:
        """Every delivered message, in the order the sink stored them."""
        files = [f for sub in ('new', 'cur') for f in (self.path / sub).iterdir()]
        # Maildir names start with the delivery time in seconds, then a unique part.
        files.sort(key=lambda f: (f.stat().st_mtime_ns, f.name))
        mails = []
        for file in files:
            with file.open('rb') as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            body = msg.get_body(('plain',))
            mails.append(
                Mail(
                    to=str(msg['To'] or ''),
                    subject=str(msg['Subject'] or ''),
                    body=body.get_content() if body else '',
                    sender=str(msg['From'] or ''),
                    reply_to=str(msg['Reply-To'] or ''),
                    envelope_to=str(msg['X-RcptTo'] or ''),
                )
            )
        return mails

    def count_by_address(self) -> Counter:
        """How many messages each address received."""
        return Counter(m.to_address for m in self.messages())
