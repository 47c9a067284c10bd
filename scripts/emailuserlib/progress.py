"""What the operator sees while waiting: countdowns on a terminal, plain lines in a log."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

import pywikibot

from .timing import duration

#: Waits shorter than this pass without a word (Pywikibot's own message is not shown).
LONG_WAIT = 5.0


def wait_visibly(
    seconds: float,
    message: Callable[[float], str],
    stream=None,
    sleep=time.sleep,
    clock=time.monotonic,
) -> None:
    """Sleep *seconds*, showing *message(seconds_left)* as it goes.

    On a terminal the line counts down in place every second; in a log (not a
    terminal) it is written without control characters, once a minute.
    """
    stream = stream or sys.stderr
    tty = stream.isatty()
    end = clock() + seconds
    last_line = -math.inf
    while (left := end - clock()) > 0:
        if tty:
            stream.write(f'\r{message(left)}\x1b[K')
            stream.flush()
            sleep(min(1.0, left))
        else:
            if clock() - last_line >= 60:
                pywikibot.info(message(left))
                last_line = clock()
            sleep(min(60.0, left))
    if tty:
        stream.write('\r\x1b[K')
        stream.flush()


def throttle_wait(site, doing: str) -> None:
    """Wait out the put throttle before *doing* (``emailing Alice``), visibly when long.

    Pywikibot's throttle would wait too, in its own words ("Sleeping for 9.3
    seconds"); after this wait it has nothing left to wait for.
    """
    wait = site.throttle.waittime(write=True)
    if wait >= LONG_WAIT:
        wait_visibly(wait, lambda left: f'Put throttle: {doing} in {duration(left)}.')
    elif wait > 0:
        time.sleep(wait)
