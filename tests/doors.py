"""What the property-based tests of the option doors feed them: each option's type once
a door took it, and the texts an operator's command line or a file can hold."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hypothesis import strategies as st

from emailuserlib.options.settings import CcMe, Fallback, RateLimit, Resend
from emailuserlib.options.settings import TestMail as MailToSender
from emailuserlib.options.table import OPTIONS

NAMES = [o.name for o in OPTIONS]


#: The type of each option's value once a door took it (None: the option is not given).
TYPES = {
    'subject': str,
    'text': str,
    'textfile': Path,
    'textpage': str,
    'users': tuple,
    'check': bool,
    'report': Path,
    'fallback': Fallback,
    'alsotalk': bool,
    'editors': bool,
    'since': datetime,
    'minedits': int,
    'group': tuple,
    'inactive': int,
    'optout': tuple,
    'optoutnote': str,
    'ignoremassoptout': bool,
    'max': int,
    'ccme': CcMe,
    'test': MailToSender,
    'wait': bool,
    'ratelimit': RateLimit,
    'campaign': str,
    'after': str,
    'afterdays': int,
    'deadline': datetime,
    'always': bool,
    'journal': Path,
    'statusfile': Path,
    'deferredexit': int,
    'logpage': str,
    'resend': Resend,
}


#: Any text a file or a shell can hold (no lone surrogates, which no file holds).
TEXT = st.text(st.characters(blacklist_categories=('Cs',)), max_size=40)


#: Values that look like what operators write, and are likely to pass a check.
LIKELY = st.sampled_from(
    ['', 'yes', 'no', 'true', 'false', '0', '1', '-3', '20', 'first', 'talk', 'uncertain',
     'all', '20/day', '5/hour', 'a.csv', 'Project:No mail', '50% off', ' 7 ', 'uncertian',
     '²', '１２', '1_000', '1e3', '%(x)s', ' ; comment', '\n', '\x00', '[emailuser]']
)  # fmt: skip


VALUES = st.one_of(TEXT, LIKELY, st.builds(str.__add__, LIKELY, LIKELY))
