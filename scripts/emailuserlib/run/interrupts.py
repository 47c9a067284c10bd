"""Ctrl-C, SIGTERM, SIGHUP and a closed output: finish the delivery in flight, then stop.

A stop between two deliveries stops the run at once (:class:`~..core.errors.Interrupted`);
one while an email is being sent and recorded waits until its outcome is in the
journal. A second signal meanwhile stops at once, and that recipient is then
uncertain. Every stop ends the run the same way: the report is written, the cause
said, and the exit status is 75 (run the same command again). Once the run ends,
further signals are ignored: the report and the end lines are written whole, and no
traceback follows them.

Output that nobody reads any more (``| head`` has exited) is a stop too, but never
cuts a delivery short: :func:`guard_output` makes every later line go nowhere
instead of raising ``BrokenPipeError`` wherever a line happens to be written.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

import pywikibot

from ..core.errors import Interrupted
from ..core.sentences import CLOSED_OUTPUT

#: The stop signals, and how the operator's lines name each.
NAMES = {
    getattr(signal, name): said
    for name, said in (('SIGINT', 'Ctrl-C'), ('SIGTERM', 'SIGTERM'), ('SIGHUP', 'SIGHUP'))
    if hasattr(signal, name)
}
SIGNALS = tuple(NAMES)
#: The same signal again within this many seconds is the same stop: ``timeout`` sends
#: its signal to the process and then to its process group, so it arrives twice.
REPEAT_SECONDS = 1.0


class Interrupts:
    """The stops of one run, handled the same way whatever asked for them.

    *received* is the cause of the first stop (``Ctrl-C``, ``SIGTERM`` ...), None
    until one came; *cut* the recipient whose delivery a second stop cut short.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.received: str | None = None
        self.cut = ''
        self.clock = clock
        self._in_flight = ''
        self._ending = False
        #: The signal that asked to finish the delivery in flight first, and when.
        self._first: tuple[int | None, float] | None = None
        self._previous: dict[int, object] = {}

    @property
    def installed(self) -> bool:
        return bool(self._previous)

    def install(self) -> bool:
        """Handle the signals from now on (only in the main thread); whether it did."""
        if threading.current_thread() is not threading.main_thread() or self._previous:
            return False
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, GuardedOutput):
                stream.on_close = self.output_closed
        return True

    def restore(self) -> None:
        """The handlers as they were before :meth:`install`."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, GuardedOutput) and stream.on_close == self.output_closed:
                stream.on_close = None

    def end(self) -> None:
        """The run is ending: from now on a stop is ignored, so that the report and the
        end lines are written whole, and no signal raises or kills while Python exits.

        The signals are ignored by the system itself: Python puts its own handlers back
        to the default (which ends the process) as it shuts down, an ignored one not.
        """
        self._ending = True
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in SIGNALS:
            previous = signal.signal(signum, signal.SIG_IGN)
            self._previous.setdefault(signum, previous)

    def _handle(self, signum, frame) -> None:
        self.request(NAMES.get(signum, f'signal {signum}'), signum)

    def output_closed(self) -> None:
        """Nobody reads the output any more: stop, but never cut a delivery short."""
        if self._ending or self.received is not None:
            return
        self.received = CLOSED_OUTPUT
        if not self._in_flight:
            raise Interrupted(CLOSED_OUTPUT)

    def request(self, cause: str, signum: int | None = None) -> None:
        """A stop asked for by *cause*: at once, or after the delivery in flight."""
        if self._ending:
            return
        now = self.clock()
        if not self._in_flight:
            if self.received is None:
                self.received = cause
                raise Interrupted(cause)
            return  # a stop is under way already
        if self._first is None:
            self._first = (signum, now)
            self.received = cause
            pywikibot.info(
                f'Finishing the delivery to {self._in_flight} first; press Ctrl-C again to '
                'stop at once (that recipient would then be uncertain).'
            )
            return
        if signum == self._first[0] and now - self._first[1] < REPEAT_SECONDS:
            return  # the same stop, delivered twice
        self.cut = self._in_flight
        raise Interrupted(self.received)

    @contextlib.contextmanager
    def protect(self, name: str):
        """Let the delivery to *name* and its journal entries complete first."""
        self._in_flight = name
        try:
            yield
        finally:
            self._in_flight = ''

    def check(self) -> None:
        """Stop now if a stop came while a delivery was protected."""
        if self.received is not None and not self._ending:
            raise Interrupted(self.received)


class GuardedOutput:
    """sys.stdout or sys.stderr, which a reader that went away cannot break.

    Pywikibot writes every line through ``sys.stdout``/``sys.stderr``; once the
    reader is gone, writing raises ``BrokenPipeError`` wherever a line is written
    (a ``ConnectionError``, easily taken for the wiki's). Here the stream is then
    pointed at the null device, so that nothing written later fails, and
    *on_close* is told once (:meth:`Interrupts.output_closed` while a run goes on).
    """

    def __init__(self, stream) -> None:
        self._stream = stream
        self.on_close: Callable[[], None] | None = None
        self.closed_by_reader = False

    def write(self, text: str) -> int:
        if not self.closed_by_reader:
            try:
                self._stream.write(text)
                self._stream.flush()
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if not self.closed_by_reader:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    def _reader_gone(self) -> None:
        self.closed_by_reader = True
        # What is still buffered, and anything written later, goes nowhere.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())
            finally:
                os.close(devnull)
        if self.on_close is not None:
            self.on_close()


def guard_output() -> None:
    """Guard sys.stdout and sys.stderr (:class:`GuardedOutput`), once per process."""
    for name in ('stdout', 'stderr'):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, GuardedOutput):
            setattr(sys, name, GuardedOutput(stream))
