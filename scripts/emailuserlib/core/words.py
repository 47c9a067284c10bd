"""How the script writes values in its sentences: durations, names, counts, raw text.

Also the characters that end a line, which no value that goes into a mail
header or a line of the operator's may hold.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime, timedelta, timezone

#: How many names a sentence lists before it says "and N more".
SHOW_NAMES = 20

#: Characters that end a line in a mail header or on a terminal.
LINE_BREAK = re.compile('[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]')
#: A placeholder ``{name}`` (its name in group 1), or a run in doubled braces such as
#: ``{{tl}}``, matched first so that it is skipped as a whole (no group 1).
PLACEHOLDER = re.compile(r'\{\{.*?\}\}|\{([^{}\s]*)\}', re.DOTALL)

#: C0 control characters but tab, and DEL: a NUL or an escape sequence from a careless
#: export would reach the subject and the mail. (Line breaks are refused first, as such.)
CONTROL = re.compile('[\x00-\x08\x0a-\x1f\x7f]')


def duration(seconds: float) -> str:
    """A short human duration: ``45 s``, ``7 min 30 s``, ``2 h 5 min``, ``1 day 3 h``."""
    seconds = math.ceil(seconds)
    if seconds < 60:
        return f'{seconds} s'
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f'{minutes} min' + (f' {secs} s' if secs else '')
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f'{hours} h' + (f' {minutes} min' if minutes else '')
    days, hours = divmod(hours, 24)
    return f'{days} day{"s" if days > 1 else ""}' + (f' {hours} h' if hours else '')


def estimate_seconds(count: int, per_send: float, limit=None, used: int = 0) -> float:
    """How long *count* more sends take at *per_send* seconds each and a rate limit.

    Every send waits its *per_send* (the put throttle waits before the first
    one too). *limit* has ``hits`` and ``seconds``; *used* sends of its current
    window are already spent, and each further window lets ``hits`` more through.
    """
    if count <= 0:
        return 0.0
    paced = count * per_send
    if limit is None or used + count <= limit.hits:
        return paced
    windows = math.ceil((used + count) / limit.hits) - 1
    return max(paced, windows * limit.seconds)


def moment(when: datetime) -> str:
    """A moment in UTC as a sentence says it: ``2026-05-01 18:00 UTC``, and a deadline
    at midnight as the end of the day before: ``the end of 2026-05-01 (UTC)``."""
    when = when.astimezone(timezone.utc)
    if (when.hour, when.minute, when.second, when.microsecond) == (0, 0, 0, 0):
        try:
            return f'the end of {(when - timedelta(days=1)):%Y-%m-%d} (UTC)'
        except OverflowError:  # the first day of the calendar
            pass
    return f'{when:%Y-%m-%d %H:%M} UTC'


def shown(value: str, limit: int = 60) -> str:
    """*value* as a sentence can show it: control characters escaped, long ones cut."""
    text = ''.join(
        c if c.isprintable() or c == ' ' else c.encode('unicode_escape').decode('ascii')
        for c in value
    )
    return text if len(text) <= limit else text[: limit - 1] + '…'


def name_list(names: list[str], limit: int = SHOW_NAMES) -> str:
    """The first *limit* of *names*, and how many more there are."""
    more = len(names) - limit
    return ', '.join(names[:limit]) + (f' and {more} more' if more > 0 else '')


def plural(count: int, word: str, words: str = '') -> str:
    """``1 edit``, ``2 edits``; *words* for a plural that is not *word* + s."""
    return f'{count} {word if count == 1 else words or word + "s"}'


def braces(names) -> str:
    """Placeholders as the operator writes them: ``{team}, {lang}``."""
    return ', '.join('{%s}' % name for name in names)  # noqa: UP031


#: Symbols that say something of their own: currency signs, emoji and other symbols.
_WORDS = ('Sc', 'So')


def has_words(template: str) -> bool:
    """Whether *template* has text of its own besides its placeholders: a letter, a digit
    or a symbol (``€``, an emoji), not only spaces, punctuation and signs such as ``|``
    between them."""
    own = PLACEHOLDER.sub(lambda m: m.group(0) if m.group(1) is None else '', template)
    return any(unicodedata.category(c) in _WORDS or unicodedata.category(c)[0] in 'LN' for c in own)
