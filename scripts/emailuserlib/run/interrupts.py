"""Ctrl-C, SIGTERM and SIGHUP: finish the email in flight, record it, then stop.

A signal between two sends stops the run at once; a signal while an email is
being sent and recorded waits until its outcome is in the journal. A second
signal meanwhile stops at once, and that recipient is then uncertain. All three
signals end the run the same way: the report is written, the reason said, and
the exit status is 75 (run the same command again).
"""

from __future__ import annotations

import contextlib
import signal
import threading

import pywikibot

SIGNALS = tuple(
    getattr(signal, name) for name in ('SIGINT', 'SIGTERM', 'SIGHUP') if hasattr(signal, name)
)


class Interrupts:
    """The stop signals of one run, handled the same way."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._in_flight = ''
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        """Handle the signals from now on (only possible in the main thread)."""
        if threading.current_thread() is not threading.main_thread() or self._previous:
            return
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _handle(self, signum, frame) -> None:
        if self._in_flight and self.received is None:
            self.received = signum
            pywikibot.info(
                f'Finishing the delivery to {self._in_flight} first; press Ctrl-C again to '
                'stop at once (that recipient would then be uncertain).'
            )
            return
        self.received = signum
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def protect(self, name: str):
        """Let the delivery to *name* and its journal entries complete first."""
        self._in_flight = name
        try:
            yield
        finally:
            self._in_flight = ''

    def check(self) -> None:
        """Stop now if a signal came while a delivery was protected."""
        if self.received is not None:
            raise KeyboardInterrupt
