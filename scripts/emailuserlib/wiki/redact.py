"""No secret in anything the process writes: the console and Pywikibot's log files.

Pywikibot logs the parameters of a request that failed, a login's password
among them. A filter on every handler of Pywikibot's loggers hides the values
of password and token parameters, in messages and in tracebacks alike, and log
files are made readable by their owner only, since they hold user names.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import traceback

_SECRET = re.compile(
    r'(?P<name>\b(?:lg|bot)?password|\bretype|\b(?:lg|login|csrf|edit)?token|\boauth_\w+)'
    r'(?P<sep>[\'"]?\s*(?:=|:)[\s\'"\[]*)'
    r'(?P<value>[^&\s\'",;)}\]]+)',
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """*text* with the values of password and token parameters hidden."""
    return _SECRET.sub(lambda m: f'{m["name"]}{m["sep"]}<hidden>', text)


class RedactSecrets(logging.Filter):
    """Hide secrets in a log record before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = ''.join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class ShortTracebacks(logging.Filter):
    """On the console, a traceback Pywikibot prints while it retries is one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith('Traceback (most recent call last)'):
            lines = message.rstrip().splitlines()
            record.msg, record.args = lines[-1], ()
        return True


_FILTER = RedactSecrets()
_SHORT = ShortTracebacks()


def install() -> None:
    """Filter every handler of Pywikibot's loggers; make their log files private."""
    for name in ('', 'pywiki'):
        logger = logging.getLogger(name)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
            filename = getattr(handler, 'baseFilename', None)
            if filename:
                with contextlib.suppress(OSError):
                    os.chmod(filename, 0o600)
            elif _SHORT not in handler.filters:
                handler.addFilter(_SHORT)
    # Pywikibot's record of command lines, which may hold a subject or text.
    from pywikibot import config

    with contextlib.suppress(OSError, AttributeError):
        os.chmod(os.path.join(config.base_dir, 'logs', 'commands.log'), 0o600)
