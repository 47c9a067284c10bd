"""Every option of the script, defined in one table: :data:`OPTIONS`.

A value reaches an option through one of three doors: the command line
(``-max:20``), the ``[emailuser]`` section of ``scripts.ini`` (``max = 20``) or
a caller of the library (``max=20``). Each door's text goes through the same
parser of the option's :class:`Option` entry, which returns the value as its
type (see :class:`~.settings.Settings`) or raises :class:`~..core.errors.Bad`;
the door turns that into one :class:`~..core.errors.OptionError` sentence that
says where the value came from, before anything is sent or written.

To add an option, add one :class:`Option` to :data:`OPTIONS` and its field to
:class:`~.settings.Settings`: the parser, the ``-help`` list and
``docs/options.md`` (checked by a test) follow from it. Its *kind* says how a
value is written:

``flag``
    ``-name`` alone; in scripts.ini ``yes``/``no`` (or true/false, on/off, 1/0).
``text``
    ``-name:VALUE``, given once, never empty; *parse* turns it into its type.
``int``
    ``-name:N``, a whole number of at least 1.
``choice``
    ``-name:VALUE`` with VALUE one of *choices*.
``list``
    ``-name:VALUE`` given any number of times; in scripts.ini values separated
    by ``|`` or on lines of their own. A tuple.
``flag-or-choice``
    ``-name`` alone (which means *flag_value*) or ``-name:VALUE`` with VALUE
    one of *choices*; in scripts.ini also ``yes``/``no``.
``flag-or-text``
    ``-name`` alone or ``-name:VALUE``.

An option with *per_run* set acts on one run only and is refused in
scripts.ini, where it would act on every run. Options of one *group* (the
message body) exclude each other. An option that needs another (``-since:``
needs ``-editors``) says so in :data:`RULES`, checked once every door's values
are merged (:func:`check_rules`).
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..core.errors import Bad, OptionError
from ..core.sentences import UNNAMED_CAMPAIGN
from ..core.words import has_words, shown
from .settings import CcMe, Fallback, RateLimit, Resend, Settings, TestMail

#: The section of scripts.ini that holds this script's settings.
SECTION = 'emailuser'
INI = 'scripts.ini'
#: Where the reference of every option is, generated from this table.
REFERENCE = 'docs/options.md'

_TRUE = ('1', 'yes', 'true', 'on')
_FALSE = ('0', 'no', 'false', 'off')


@dataclass(frozen=True)
class Option:
    """One option: its name, how it is written, how it is parsed, and its help."""

    name: str
    kind: str
    #: One or two lines for -help and the reference's table.
    summary: str
    #: The reference's paragraph (the summary when empty).
    help: str = ''
    #: How the value is named in the help: TEXT, FILE, N ...
    metavar: str = ''
    #: The values of a choice, as written, and what each means.
    choices: dict[str, Any] | None = None
    #: What -name alone means, for flag-or-choice and flag-or-text.
    flag_value: Any = True
    #: Turns a given text into the option's value, or raises :class:`Bad`.
    parse: Callable[[str], Any] | None = None
    #: Acts on one run only: refused in scripts.ini.
    per_run: bool = False
    #: Options of one group exclude each other.
    group: str = ''
    #: The forms of -help and the reference when the kind's are not right.
    forms: tuple[str, ...] = ()
    #: What a value gives, for the sentence that refuses one: "the most emails ...".
    means: str = ''
    #: The value is a file (each item of a list): a home folder (``~user``) must exist,
    #: and a relative one in scripts.ini is taken relative to the folder of that file.
    path: bool = False

    @property
    def default(self) -> Any:
        """The value of :class:`Settings` when the option is not given."""
        return _DEFAULTS[self.name]

    @property
    def usage(self) -> tuple[str, ...]:
        """How the option is written on the command line, e.g. ``('-max:N',)``."""
        if self.forms:
            return self.forms
        if self.kind == 'flag':
            return (f'-{self.name}',)
        if self.kind == 'flag-or-choice':
            return (f'-{self.name}', *(f'-{self.name}:{c}' for c in self.choices))
        if self.kind == 'flag-or-text':
            return (f'-{self.name}', f'-{self.name}:{self.metavar}')
        if self.kind == 'choice':
            return tuple(f'-{self.name}:{c}' for c in self.choices)
        return (f'-{self.name}:{self.metavar or "VALUE"}',)


# Parsers: text to type, every bound checked --------------------------------------

#: A rate limit's bounds: beyond them a limit says nothing, and the arithmetic of
#: times would overflow.
MOST_HITS = 1_000_000
LONGEST_PERIOD = 366 * 86400
_UNITS = {
    's': 1,
    'sec': 1,
    'second': 1,
    'min': 60,
    'minute': 60,
    'h': 3600,
    'hour': 3600,
    'd': 86400,
    'day': 86400,
    'week': 7 * 86400,
}
_LIMIT = re.compile(r'\s*(\d{1,12})\s*/\s*(\d{0,12})\s*([a-z]*?)s?\s*')


def parse_ratelimit(text: str) -> RateLimit:
    """``20/day``, ``5/hour``, ``3/10min`` or ``2/600`` (seconds) as a limit.

    :raises Bad: no count and period, or one beyond the bounds
    """
    match = _LIMIT.fullmatch(text.lower())
    unit = match and (_UNITS.get(match.group(3)) if match.group(3) else 1)
    if (
        not match
        or not unit
        or int(match.group(1)) < 1
        or match.group(2) == '0'
        or not (match.group(2) or match.group(3))  # "20" alone has no period
    ):
        raise Bad(
            'is not a limit',
            'give the most emails per period, as in {eg:20/day}, {eg:5/hour} or {eg:2/600} '
            '(seconds)',
        )
    hits, seconds = int(match.group(1)), int(match.group(2) or 1) * unit
    if hits > MOST_HITS or seconds > LONGEST_PERIOD:
        raise Bad(
            'is beyond what a limit can say',
            f'give at most {MOST_HITS:,} emails per period of at most a year, as in {{eg:20/day}}',
        )
    return RateLimit(hits, seconds, 'set with -ratelimit')


_DATE = re.compile(r'\d{4}-\d{2}-\d{2}')


def _utc(text: str, bad: Bad, day_end: bool = False) -> datetime:
    """A date or an ISO 8601 time as an aware datetime in UTC: a date is the start of
    that day, or with *day_end* the start of the next; a time without an offset is UTC.

    :raises Bad: *bad*, when *text* is no such date or time, or one beyond the calendar
    """
    value = text.strip()
    if not _DATE.match(value):
        raise bad
    iso = value[:-1] + '+00:00' if value[-1:] in ('Z', 'z') else value
    try:
        when = datetime.fromisoformat(iso)
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        when = when.astimezone(timezone.utc)
        if day_end and _DATE.fullmatch(value):
            when += timedelta(days=1)
    except (ValueError, OverflowError):  # OverflowError: beyond the years a date has
        raise bad from None
    return when


def parse_since(text: str) -> datetime:
    """A date (its start in UTC) or an ISO 8601 time in the past, as an aware datetime.

    :raises Bad: no such date or time, or one in the future
    """
    bad = Bad(
        'is not a date or an ISO 8601 time in the past',
        'give it as {eg:2026-05-01} (a day in UTC) or {eg:2026-05-01T12:00:00Z}',
    )
    when = _utc(text, bad)
    if when > datetime.now(timezone.utc):
        raise bad
    return when


def parse_deadline(text: str) -> datetime:
    """A date (the end of that day in UTC) or an ISO 8601 time, as an aware datetime.

    The deadline is the first moment at which nothing is sent: for a date, the
    start of the next day in UTC. A deadline in the past is a value all the same
    (a scheduled job that outlived its event): the run says so.

    :raises Bad: no such date or time
    """
    bad = Bad(
        'is not a date or an ISO 8601 time',
        'give it as {eg:2026-05-01} (until the end of that day in UTC) or '
        '{eg:2026-05-01T18:00:00Z}',
    )
    return _utc(text, bad, day_end=True)


#: The most days -inactive: takes: a century, beyond which no wiki has a history.
MOST_DAYS = 36_525


def parse_days(text: str) -> int:
    """-inactive:DAYS, a whole number of days of at least 1.

    :raises Bad: not a positive whole number, or more than :data:`MOST_DAYS`
    """
    digits = text.strip()
    if not re.fullmatch(r'[0-9]{1,18}', digits) or not 1 <= int(digits) <= MOST_DAYS:
        raise Bad(
            'is not a positive whole number of days',
            f'give the days without an edit or a logged action, from 1 to {MOST_DAYS:,}, '
            'as in {eg:365}',
        )
    return int(digits)


def parse_afterdays(text: str) -> int:
    """-afterdays:N, a whole number of days of at least 0.

    :raises Bad: not a whole number, or more than :data:`MOST_DAYS`
    """
    digits = text.strip()
    if not re.fullmatch(r'[0-9]{1,18}', digits) or int(digits) > MOST_DAYS:
        raise Bad(
            'is not a whole number of days',
            f'give how many days ago, at least, the named campaign reached them, from 0 to '
            f'{MOST_DAYS:,}, as in {{eg:25}}',
        )
    return int(digits)


def parse_exit(text: str) -> int:
    """-deferredexit:N, an exit status from 0 to 255.

    :raises Bad: not a whole number from 0 to 255
    """
    digits = text.strip()
    if not re.fullmatch(r'[0-9]{1,3}', digits) or int(digits) > 255:
        raise Bad(
            'is not an exit status',
            'give a whole number from 0 to 255, as in {eg:0} for a scheduler that takes every '
            'other status for a failure',
        )
    return int(digits)


def parse_group(text: str) -> str:
    """A user group's name as the wiki writes it (``sysop``); the wiki says whether it has it.

    :raises Bad: no name, or one with characters no group name has
    """
    name = text.strip()
    if not name or re.search(r'[\s|:#<>\[\]{}]', name):
        raise Bad(
            'is not the name of a user group',
            'give the name the wiki uses, as in {eg:sysop} (or {eg:user} for every account)',
        )
    return name


def parse_name(text: str) -> str:
    """A name as written, without spaces at either end.

    :raises Bad: nothing but spaces
    """
    name = ' '.join(text.split())
    if not name:
        raise Bad('needs a value', 'give it as in {eg:NAME}')
    return name


def parse_optoutnote(text: str) -> str:
    """The way-out paragraph in the operator's words, '' for none (``none``).

    :raises Bad: the words do not say where readers opt out
    """
    note = text.strip()
    if note == 'none':
        return ''
    if not re.search(r'(?<!\{)\{url\}(?!\})', note):
        raise Bad(
            'does not say where readers opt out',
            'put {url} where the address of the opt-out page goes, or give {eg:none} to '
            'leave the paragraph out',
        )
    return note.replace('\\n', '\n')


def parse_path(text: str) -> Path:
    """A file path, ``~`` expanded.

    :raises Bad: it starts with a home folder (``~user``) this system does not know
    """
    path = text.strip()
    expanded = os.path.expanduser(path)
    if path.startswith('~') and expanded.startswith('~'):
        raise Bad(
            f'starts with the home folder {shown(path.split("/", 1)[0])}, which this system '
            'does not know',
            'write the path in full, without ~',
        )
    return Path(expanded)


def _body(text: str) -> str:
    # -text: writes a line break as \n.
    return text.replace('\\n', '\n')


#: The table: the only place where an option is defined.
OPTIONS: tuple[Option, ...] = (
    Option(
        'subject',
        'text',
        'subject; asked for when missing on a terminal',
        'Subject of the email. Asked for when not given and the script runs on a terminal. '
        'It also names the campaign in the journal, unless -campaign: does.',
        metavar='TEXT',
    ),
    Option(
        'text',
        'text',
        'body, given inline (`\\n` for a new line)',
        'Body of the email; \\n starts a new line.',
        metavar='TEXT',
        group='body',
        parse=_body,
    ),
    Option(
        'textfile',
        'text',
        'body, read from a UTF-8 text file',
        'Body of the email, read from a UTF-8 text file.',
        metavar='FILE',
        path=True,
        group='body',
        parse=parse_path,
    ),
    Option(
        'textpage',
        'text',
        'body, from a wiki page as its readers see it',
        'Body of the email, taken from a wiki page as its readers see it: a redirect is '
        'followed, templates and magic words are expanded by the wiki, and every link '
        'becomes "label (URL)". A page with a table, an image, a link to a missing page, '
        'text its readers do not see, or an error of the wiki is refused before anything is '
        'sent. Columns of the -users: files may appear in the title, as in '
        '-textpage:"Invitation/{lang}": each reader gets the page of their row, or '
        'Invitation where that page does not exist.',
        metavar='TITLE',
        group='body',
    ),
    Option(
        'users',
        'list',
        'email the users named in a UTF-8 file: one per line, or a CSV with a `username` '
        'column whose other columns become placeholders',
        'Email the users named in FILE (UTF-8; may be given more than once; combines with '
        'generators, each user emailed once). A plain list has one name per line, with or '
        'without the user namespace prefix; blank lines and lines starting with # are '
        'ignored. A CSV file (first line: a header with a username column, separated by '
        'commas, semicolons or tabs; or a first line sep=X as spreadsheets write it) adds '
        'its other columns as placeholders, e.g. {team}. A bad name, an unusable column '
        'name, an empty value of a used column or a second header row (files joined) is '
        'refused with its line number before anything is sent; a user named twice keeps '
        'the first row.',
        metavar='FILE',
        path=True,
        parse=parse_path,
    ),
    Option(
        'check',
        'flag',
        'only list who can be emailed and why not; sends nothing',
        'Only check who can be emailed: one line per user with its status, then the '
        'totals. Needs no subject or text, sends nothing, writes no journal, and works for '
        'any account.',
    ),
    Option(
        'report',
        'text',
        'write a CSV with one row per user the run considered',
        'Write a CSV (username,status,detail) with one row per user the run considered, '
        'also when it stops early. It replaces only a report of this script.',
        metavar='FILE',
        path=True,
        parse=parse_path,
    ),
    Option(
        'fallback',
        'choice',
        'post the message on the talk page of users who cannot be emailed',
        'Post the message on the user talk page of users who cannot be emailed, as a new '
        'section headed by the subject and signed; not where {{bots}}/{{nobots}} forbids it '
        "or the user page or talk page is in MassMessage's opt-out category (by the wiki's "
        'name for it; Category:Opted-out of message delivery in English), nor on a talk '
        'page that is a redirect. A talk page is public: a message that uses a column of '
        'the -users: files is refused.',
        choices={'talk': Fallback.TALK},
    ),
    Option(
        'alsotalk',
        'flag',
        'also post the message on the user talk page of everyone emailed (and of those who '
        'cannot be emailed, instead)',
        'Also post the message as a new section on the user talk page of every recipient '
        'who is emailed, and on the talk page of those who cannot be emailed instead (as '
        '-fallback:talk does). Email and talk page are each journaled on their own and '
        "delivered at most once; {{bots}}/{{nobots}}, MassMessage's opt-out category and "
        'talk pages that are redirects are honoured as with -fallback:talk, and a message '
        'that uses a column of the -users: files is refused (a talk page is public).',
    ),
    Option(
        'editors',
        'flag',
        "email the people who edited the generators' pages",
        'Email the people who edited the pages of the generators (user pages still mean '
        'their users; a redirect means the page it leads to): registered accounts only; IP '
        'editors, imported editors, temporary accounts, bots, accounts blocked sitewide and '
        'the sending account are left out, and so are edits tagged as reverted. {edits} '
        '(their number of edits to these pages, as in "3 edits") and {pages} (the titles, '
        'as in "Blue jay and Cardinal") can be used in the subject and body.',
    ),
    Option(
        'since',
        'text',
        'with `-editors`, count only edits at or after DATE (a day in UTC, or an ISO 8601 time)',
        'With -editors, count only edits at or after DATE, a date (2026-05-01, in UTC) or an '
        'ISO 8601 time (2026-05-01T12:00:00Z).',
        metavar='DATE',
        parse=parse_since,
    ),
    Option(
        'minedits',
        'int',
        'with `-editors`, email only those with at least N counted edits (default 1)',
        'With -editors, email only those with at least N counted edits to the pages together '
        '(default 1).',
        metavar='N',
        means='the fewest edits an editor must have made to these pages',
    ),
    Option(
        'group',
        'list',
        'email the members of this user group (repeatable; `-group:user` for every account)',
        'Email the members of the user group NAME (may be given more than once; combines '
        'with generators and -users:), as the wiki lists them: one of its explicit groups '
        '(sysop, bureaucrat, bot ...), or user for every account. An implicit group '
        '(autoconfirmed ...) or one the wiki does not have is refused, naming its groups. '
        'Temporary accounts and the sending account are left out.',
        metavar='NAME',
        parse=parse_group,
    ),
    Option(
        'inactive',
        'text',
        'email only those with no edit and no logged action in the last DAYS days',
        'Keep only the recipients (whatever their source) with no edit and no logged action '
        '(any log entry they made, but the creation of their own account) in the last DAYS '
        'days, nor registered in them; the others are left-out with their last activity. '
        'Checked after the emailable check and the opt-outs, with one request per '
        'recipient. {lastactive} (the date of the last activity in UTC, as 2025-03-01, or '
        'the registration date when there is none) can be used in the subject and body.',
        metavar='DAYS',
        parse=parse_days,
    ),
    Option(
        'optout',
        'list',
        'never email users linked from this page or in this category (repeatable)',
        'Never email users linked from this page or listed in this category, e.g. '
        '-optout:"Category:Opted-out of message delivery". May be given more than once. '
        'Every email then ends with a short paragraph that tells the reader how to get onto '
        'the first of them, with its full address.',
        metavar='TITLE',
    ),
    Option(
        'optoutnote',
        'text',
        'the way-out paragraph in words of your own (`{url}` for the address), or `none`',
        'That paragraph in words of your own, {url} standing for the address of the '
        'opt-out page; -optoutnote:none leaves it out.',
        metavar='TEXT',
        parse=parse_optoutnote,
    ),
    Option(
        'ignoremassoptout',
        'flag',
        "email the members of MassMessage's opt-out category too (a personal notice)",
        "Email the members of MassMessage's opt-out category too, for a personal notice "
        'that is no mass mailing (each of them is named in a warning first). By default '
        'they are opted-out, like the users of an -optout: list.',
        # A notice is one run: in scripts.ini it would reach them in every mass mailing.
        per_run=True,
    ),
    Option(
        'max',
        'int',
        'send at most N emails in this run',
        'Send at most N emails in this run; run again to go on.',
        metavar='N',
        means='the most emails to send in this run',
    ),
    Option(
        'ccme',
        'flag-or-choice',
        'a copy of every email to yourself / of the first email of the run only',
        'Send a copy of every email to yourself; -ccme:first: of the first email of the run only.',
        choices={'first': CcMe.FIRST},
        flag_value=CcMe.ALL,
    ),
    Option(
        'test',
        'flag-or-text',
        "send the first recipient's email to your own account (or to USER) as a test, "
        'and nothing else',
        'Send the email of the first recipient to this account itself, as a test, and '
        'nothing else; -test:USER sends it to the user USER instead, unless it holds '
        "values of the first recipient's row of the -users: files. The campaign is not "
        'touched: a run without -test still emails everyone. The test email counts against '
        "the account's email limit.",
        metavar='USER',
        per_run=True,
        flag_value=TestMail(),
        parse=TestMail,
    ),
    Option(
        'wait',
        'flag',
        "at the account's email rate limit, wait and go on instead of stopping",
        "At the account's email rate limit, wait visibly and go on instead of stopping.",
    ),
    Option(
        'ratelimit',
        'text',
        'never send more than N emails per PERIOD (`s`, `min`, `hour`, `day`, `week` or '
        'seconds), e.g. `-ratelimit:20/day`',
        'Never send more than N emails per PERIOD (s, min, hour, day, week or a number of '
        'seconds), e.g. -ratelimit:20/day, besides the limits the wiki reports (and '
        "Wikimedia's 20 a day per account on its wikis), counted from the journal.",
        metavar='N/PERIOD',
        parse=parse_ratelimit,
    ),
    Option(
        'campaign',
        'text',
        'the name of this mailing in the journal (default: the subject as written)',
        'Name of this mailing in the journal (default: the subject as written). Give the '
        'name of an earlier campaign to continue it with a corrected subject; give a new '
        'name for a new mailing (a reminder) to people whom another campaign reached in '
        'the last 7 days. A subject made only of placeholders needs it.',
        metavar='NAME',
    ),
    Option(
        'after',
        'text',
        'a staged notice: only those whom the campaign CAMPAIGN of the same journal reached',
        'A second notice: only the recipients whom the campaign CAMPAIGN, in the same '
        'journal and on the same wiki, reached (by email or talk page) at least -afterdays: '
        'days ago; the others are left-out. The named campaign does not count for the '
        '7-day guard between campaigns. A name the journal does not hold is refused, '
        'naming the campaigns it holds.',
        metavar='CAMPAIGN',
        parse=parse_name,
    ),
    Option(
        'afterdays',
        'text',
        'with `-after:`, only those it reached at least N days ago (default 0)',
        'With -after:, only those whom that campaign reached at least N days ago (0 or '
        'more; default 0).',
        metavar='N',
        parse=parse_afterdays,
    ),
    Option(
        'deadline',
        'text',
        'send nothing from DATE on (a date: until the end of that day in UTC; or an ISO 8601 time)',
        'From this moment on the campaign sends nothing: a date (2026-05-01) means the end '
        'of that day in UTC, an ISO 8601 time (2026-05-01T18:00:00Z) that moment. A run '
        'after it says that the deadline has passed and ends with exit status 0, so that a '
        'scheduled job that outlives its event stops mailing by itself. Before it, the plan '
        'says the deadline and warns when the limits cannot reach everyone in time.',
        metavar='DATE',
        parse=parse_deadline,
    ),
    Option(
        'always',
        'flag',
        'do not ask for each recipient',
        'Send without asking for each recipient.',
    ),
    Option(
        'journal',
        'text',
        'where delivery state is kept',
        'Where delivery state is kept (default: emailuser-journal.sqlite3 in the Pywikibot '
        'config directory). Running the same command again emails only those not emailed '
        'yet, also from another account or with a corrected text.',
        metavar='FILE',
        path=True,
        parse=parse_path,
    ),
    Option(
        'statusfile',
        'text',
        'at the end of every run, write its outcome as JSON (for schedulers)',
        'At the end of every run (also a refused, stopped or failed one), write a JSON file '
        'with its outcome (done, deferred, stopped, refused or failed), the counts by '
        'status, the campaign and journal, when the next email can go and the command to '
        'run then; written whole or not at all. It replaces only a status file of this '
        'script.',
        metavar='FILE',
        path=True,
        parse=parse_path,
    ),
    Option(
        'deferredexit',
        'text',
        'the exit status of a run that left recipients for a later one only because of a '
        'limit or -max (default 75)',
        'The exit status (0 to 255) of a deferred run: one that stopped, or sent nothing, '
        "only because the account's limit, -ratelimit: or -max left recipients for a later "
        'run (default 75). -deferredexit:0 suits a scheduler that takes every other status '
        'for a failure. Ctrl-C, signals and an unreachable wiki still end with 75.',
        metavar='N',
        parse=parse_exit,
    ),
    Option(
        'logpage',
        'text',
        'after a run that reached someone, append who was reached, when and how to this wiki page',
        'After each run that reached someone, append to the page TITLE, in one edit, who was '
        'reached, when and by which channels (email, talk page): never an address or a value '
        'of the -users: files. Recipients from -users: or -file: lists are refused with it, '
        'as such lists may be private.',
        metavar='TITLE',
    ),
    Option(
        'resend',
        'flag-or-choice',
        'email uncertain recipients again / start the campaign afresh',
        '-resend:uncertain emails again the recipients whose state is uncertain because a '
        'run stopped while emailing them; -resend emails everyone again (asks first unless '
        '-always is given on the command line), and a stopped resend goes on when run again.',
        choices={'uncertain': Resend.UNCERTAIN},
        flag_value=Resend.ALL,
        forms=('-resend:uncertain', '-resend'),
        per_run=True,
    ),
)

BY_NAME = {o.name: o for o in OPTIONS}
_DEFAULTS = {f.name: f.default for f in fields(Settings)}
assert set(_DEFAULTS) == set(BY_NAME), 'every option is a field of Settings, and no other'


@dataclass(frozen=True)
class Rule:
    """Between two options: *option*, when given, needs *needs* given as well."""

    option: str
    needs: str
    #: What *option* does that needs the other, for the sentence that refuses it.
    why: str
    #: Values of *option* that need nothing; so does its default.
    free: tuple[Any, ...] = ()
    #: Which values of *option* need the other (all but *free* when None).
    when: Callable[[Any], bool] | None = None
    #: The other way out, when it is not to leave *option* out.
    instead: str = ''

    def broken(self, values: dict[str, Any]) -> bool:
        """Whether *values* give *option* without *needs*."""
        value = values.get(self.option, BY_NAME[self.option].default)
        given = value != BY_NAME[self.option].default and value not in self.free
        if given and self.when is not None:
            given = self.when(value)
        return given and not values.get(self.needs)


#: The rules between options, checked once the doors' values are merged.
RULES: tuple[Rule, ...] = (
    Rule('since', 'editors', 'counts edits to the pages of the generators'),
    Rule('minedits', 'editors', 'counts edits to the pages of the generators'),
    Rule('optoutnote', 'optout', 'tells readers how to get onto an opt-out list', ('',)),
    Rule('afterdays', 'after', 'counts the days since another campaign reached them'),
    Rule(
        'subject',
        'campaign',
        UNNAMED_CAMPAIGN,
        when=lambda subject: not has_words(subject),
        instead='write words of the mailing into the subject',
    ),
)


# Doors: how each writes an option, for its sentences -------------------------------


class Door:
    """How one door writes an option and its value, for sentences: the command line."""

    name = 'command line'

    def given(self, option: str, value: str | None) -> str:
        return f'-{option}' if value is None else f'-{option}:{shown(str(value))}'

    def example(self, option: str, value: str) -> str:
        return f'-{option}:{value}'

    def error(self, option: str, value: str | None, bad: Bad) -> OptionError:
        """The sentence that refuses *value* for *bad*, in this door's words."""
        todo = re.sub(r'\{eg:([^}]*)\}', lambda m: self.example(option, m.group(1)), bad.todo)
        return OptionError(f'{self.given(option, value)} {bad.what}: {todo}.', self.name)

    def named(self, option: Option) -> str:
        """The option without a value, as this door names it: ``-editors``, ``-since:``
        on the command line, ``since`` through the other doors."""
        if self.name != 'command line':
            return option.name
        return f'-{option.name}' if option.kind == 'flag' else f'-{option.name}:'

    def add(self, option: Option) -> str:
        """How to give *option* through this door, for a sentence that asks for it."""
        return option.usage[0]

    def drop(self, option: Option) -> str:
        return f'leave {self.named(option)} out'

    def broken(self, rule: Rule, text: str | None) -> OptionError:
        """The sentence that refuses *text* of *rule*'s option given without the other."""
        option, needs = BY_NAME[rule.option], BY_NAME[rule.needs]
        return OptionError(
            f'{self.given(option.name, text)} {rule.why}, and {self.named(needs)} is not '
            f'given: add {self.add(needs)}, or {rule.instead or self.drop(option)}.',
            self.name,
        )


class IniDoor(Door):
    """Line *line* of the section *section* of the scripts.ini *path*."""

    name = 'scripts.ini'

    def __init__(self, path: Path, section: str = SECTION, line: int = 0) -> None:
        self.path = path
        self.section = section
        self.line = line

    def given(self, option: str, value: str | None) -> str:
        return f'{self.path} [{self.section}] {option} = {shown(str(value or ""))}'

    def example(self, option: str, value: str) -> str:
        return f'{option} = {value}'

    def add(self, option: Option) -> str:
        value = 'yes' if option.kind == 'flag' else option.metavar or 'VALUE'
        return f'{option.name} = {value} to [{SECTION}] or {option.usage[0]} to the command line'

    def drop(self, option: Option) -> str:
        return 'remove the line'


class CallerDoor(Door):
    """A caller of the library: ``email_users(..., max=20)``."""

    name = 'caller'

    def given(self, option: str, value: Any) -> str:
        return f'The option {option}={shown(repr(value))}'

    def example(self, option: str, value: str) -> str:
        return f'{option}={value!r}'

    def add(self, option: Option) -> str:
        value = True if option.kind == 'flag' else option.metavar or 'VALUE'
        return f'{option.name}={value!r}'


# Parsing one value ------------------------------------------------------------------


def _needs_value(option: Option) -> Bad:
    return Bad('needs a value', f'give it as in {{eg:{option.metavar or "VALUE"}}}')


def boolean(text: str) -> bool | None:
    """``yes``/``no`` and their kin as a bool, None for any other word."""
    word = text.strip().lower()
    return True if word in _TRUE else False if word in _FALSE else None


def convert(option: Option, value: str | None, ini: bool = False) -> Any:
    """The value of *option* given as *value* (None: the option alone), as its type.

    *ini*: the value is from scripts.ini, where a flag is written yes or no and a
    list item is a line of its own.

    :raises Bad: the value cannot be used
    """
    kind = option.kind
    if kind == 'flag':
        if not ini:
            if value is None:
                return True
            raise Bad('takes no value', f'write -{option.name} alone')
        flag = boolean(value or '')
        if flag is None:
            raise Bad('is not yes or no', 'write {eg:yes} or {eg:no}')
        return flag
    if value is None:
        if kind in ('flag-or-choice', 'flag-or-text'):
            return option.flag_value
        raise _needs_value(option)
    if kind == 'flag-or-text' and not ini and not value.strip():
        return option.flag_value  # -test: is -test
    if kind == 'flag-or-choice':
        word = value.strip().lower()
        if word in option.choices:
            return option.choices[word]
        if ini:
            flag = boolean(word)
            if flag is not None:
                return option.flag_value if flag else option.default
            if word == option.flag_value:
                return option.flag_value
        choices = ' or '.join(f'{{eg:{c}}}' for c in option.choices)
        raise Bad(
            'is not known',
            f'write yes, no or {choices}' if ini else f'use -{option.name} alone, or {choices}',
        )
    if not value.strip():
        raise _needs_value(option)
    if kind == 'flag-or-text':
        return option.parse(value.strip())
    if kind == 'int':
        digits = value.strip()
        if not re.fullmatch(r'[0-9]{1,18}', digits) or int(digits) < 1:
            raise Bad(
                'is not a positive whole number',
                f'give {option.means or "a number"}, as in {{eg:20}}',
            )
        return int(digits)
    if kind == 'choice':
        if value.strip() not in option.choices:
            which = ' or '.join(f'{{eg:{c}}}' for c in option.choices)
            raise Bad('is not known', f'use {which}')
        return option.choices[value.strip()]
    if kind == 'list':
        items = [i.strip() for i in re.split(r'[|\n]', value)]
        items = [i for i in items if i]
        if not items:
            raise _needs_value(option)
        return tuple(option.parse(i) if option.parse else i for i in items)
    return option.parse(value) if option.parse else value


def typed(option: Option, value: Any) -> Any:
    """A caller's *value* for *option*: typed already (``max=20``, ``always=True``) or
    text as scripts.ini writes it.

    :raises Bad: the value cannot be used
    """
    kind, default = option.kind, option.default
    wrong = Bad('is not a value of this option', 'give it as in {eg:VALUE}')
    if value is None or value is default or (isinstance(value, str) and not value):
        return default
    if isinstance(value, bool):
        if kind == 'flag':
            return value
        if kind in ('flag-or-choice', 'flag-or-text'):
            return option.flag_value if value else default
        raise wrong
    if kind == 'int' and isinstance(value, int):
        if value < 1 or value >= 10**18:
            raise Bad('is not a positive whole number', f'give {option.means}, as in {{eg:20}}')
        return value
    if isinstance(value, TestMail) and kind == 'flag-or-text':
        return option.parse(value.to) if value.to else option.flag_value
    if isinstance(value, RateLimit) and option.parse is parse_ratelimit:
        # Through the parser: a limit beyond the bounds is refused as its text would be.
        seconds = f'{value.seconds}' if value.seconds >= 1 else '0'
        return parse_ratelimit(f'{value.hits}/{seconds}')
    if isinstance(value, datetime) and option.parse in (parse_since, parse_deadline):
        if value.tzinfo is None:
            raise Bad('has no time zone', 'give an aware time, as in {eg:2026-05-01T12:00:00Z}')
        return option.parse(value.isoformat())
    if isinstance(value, (list, tuple)) and kind == 'list':
        if not all(isinstance(v, (str, Path)) for v in value):
            raise wrong
        return tuple(item for v in value for item in convert(option, str(v), ini=True))
    if option.path and isinstance(value, Path):
        value = str(value)
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        raise wrong
    return convert(option, value, ini=True)


# Between options --------------------------------------------------------------------


def check_groups(given: dict[str, Any], door: Door, where: str = '') -> None:
    """Refuse two options of one group (the message body) given through one door.

    :raises OptionError: which were given, and which one to keep
    """
    for group in {o.group for o in OPTIONS if o.group}:
        members = [o for o in OPTIONS if o.group == group]
        names = ', '.join(door.named(o) for o in members[:-1]) + f' and {door.named(members[-1])}'
        present = [o.name for o in members if given.get(o.name)]
        if len(present) < 2:
            continue
        if where:
            raise OptionError(
                f'{where} gives the message {group} more than once ({", ".join(present)}): '
                f'keep one of {names}.',
                door.name,
            )
        raise OptionError(f'Give the message {group} only once: use one of {names}.', door.name)


def check_rules(values: dict[str, Any], texts: dict[str, str | None], door_of) -> None:
    """Refuse an option given without the one it needs (:data:`RULES`), in the words of
    the door that gave it; *texts* are the values as written, *door_of* names each door.

    :raises OptionError: the first rule broken
    """
    for rule in RULES:
        if rule.broken(values):
            raise door_of(rule.option).broken(rule, texts.get(rule.option))


def check_body(settings: Settings) -> None:
    """Refuse the options of a run that sends, when none gives the message body.

    Called where a run reads its message: ``-check`` sends nothing and needs none.

    :raises OptionError: no option of the body group is given
    """
    if settings.body_given:
        return
    door = Door()
    members = [o for o in OPTIONS if o.group == 'body']
    names = ', '.join(door.named(o) for o in members[:-1])
    raise OptionError(
        f'There is no message body: give it with {names} or {door.named(members[-1])}.'
    )


def from_caller(given: dict[str, Any]) -> tuple[Settings, dict[str, Any]]:
    """The options a caller of the library gives, as :class:`Settings`, checked as the
    other doors check them; and the given values that are no option of the script
    (Pywikibot's own, for the bot).

    :raises OptionError: a value cannot be used, or an option lacks the one it needs
    """
    door = CallerDoor()
    values, others = {}, {}
    for name, value in given.items():
        option = BY_NAME.get(name)
        if option is None:
            others[name] = value
            continue
        try:
            values[name] = typed(option, value)
        except Bad as bad:
            raise door.error(name, value, bad) from None
    check_groups(values, door)
    check_rules(values, {name: given[name] for name in values}, lambda name: door)
    return Settings(**values), others


# Help -------------------------------------------------------------------------------


def help_text(indent: int = 22, width: int = 79) -> str:
    """The -help list of the options: one or two lines each, as the module docstring shows."""
    lines = []
    for option in OPTIONS:
        forms = ', '.join(option.usage)
        summary = option.summary.replace('`', '')
        body = textwrap.wrap(summary, width - indent, break_on_hyphens=False)
        if len(forms) < indent - 1:
            lines.append(forms.ljust(indent) + body[0])
        else:
            lines += [forms, ' ' * indent + body[0]]
        lines += [' ' * indent + line for line in body[1:]]
    return '\n'.join(lines)


def reference() -> str:
    """``docs/options.md``: every option with its whole paragraph, from this table."""
    rows = ['| option | meaning |', '| --- | --- |']
    for option in OPTIONS:
        forms = ' / '.join(f'`{form}`' for form in option.usage)
        where = ' Command line only: it acts on one run.' if option.per_run else ''
        text = (option.help or option.summary).replace('|', '\\|')
        rows.append(f'| {forms} | {text}{where} |')
    return '\n'.join(rows) + '\n'
