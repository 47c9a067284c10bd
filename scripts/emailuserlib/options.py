"""Every option of the script, defined and checked in one place: :data:`OPTIONS`.

A value reaches an option through one of three doors: the command line
(``-max:20``), the ``[emailuser]`` section of ``scripts.ini`` (``max = 20``) or
a caller of the library (``max=20``). Each door's text goes through the same
check of the option's :class:`Option` entry, after the command line and
``scripts.ini`` are merged, and a bad value is one sentence that says where it
came from: :class:`OptionError`, raised before anything is sent or written.

To add an option, add one :class:`Option` to :data:`OPTIONS`: the parser, the
bot's ``update_options``, the ``-help`` list and the README's table (checked by
a test) follow from it. Its *kind* says how a value is written and read:

``flag``
    ``-name`` alone; in scripts.ini ``yes``/``no`` (or true/false, on/off, 1/0).
``text``
    ``-name:VALUE``, given once, never empty; *check* may refuse or convert it.
``int``
    ``-name:N``, a whole number of at least 1; the default 0 means "not given".
``choice``
    ``-name:VALUE`` with VALUE one of *choices*.
``list``
    ``-name:VALUE`` given any number of times; in scripts.ini values separated
    by ``|`` or on lines of their own. The bot holds them joined by ``|``.
``flag-or-choice``
    ``-name`` alone (which means *flag_value*) or ``-name:VALUE`` with VALUE
    one of *choices*; in scripts.ini also ``yes``/``no``.
``flag-or-text``
    ``-name`` alone (True) or ``-name:VALUE``.

An option with *per_run* set acts on one run only and is refused in
scripts.ini, where it would act on every run. Options of one *group* (the
message body) exclude each other; the command line's replaces scripts.ini's,
and a run that sends needs one of them (:func:`check_body`). An option that
needs another (``-since:`` needs ``-editors``) says so in :data:`RULES`,
checked once both doors' values are merged, and for a caller of the library;
the sentence names the door the option came through.
"""

from __future__ import annotations

import ast
import configparser
import contextlib
import os
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import EmailUserError

#: The section of scripts.ini that holds this script's settings.
SECTION = 'emailuser'
INI = 'scripts.ini'

_TRUE = ('1', 'yes', 'true', 'on')
_FALSE = ('0', 'no', 'false', 'off')


class OptionError(EmailUserError, ValueError):
    """A value of an option cannot be used; the text is the sentence to show.

    *door* is where the value came from: ``command line``, ``scripts.ini`` or
    ``caller``.
    """

    def __init__(self, sentence: str, door: str = 'command line') -> None:
        super().__init__(sentence)
        self.door = door


class Bad(Exception):
    """Raised by a check: what is wrong with a value and what to do.

    *todo* may hold ``{eg:VALUE}``, which becomes VALUE written as the door
    writes this option (``-max:20`` or ``max = 20``).
    """

    def __init__(self, what: str, todo: str) -> None:
        super().__init__(what, todo)
        self.what = what
        self.todo = todo


@dataclass(frozen=True)
class Option:
    """One option: its name, how it is written, its default, its check and help."""

    name: str
    kind: str
    #: One line for the README's table.
    summary: str
    #: The paragraph of -help (the summary when empty).
    help: str = ''
    #: How the value is named in the help: TEXT, FILE, N ...
    metavar: str = ''
    choices: tuple[str, ...] = ()
    #: What -name alone means, for flag-or-choice.
    flag_value: Any = True
    #: Converts a given text to the option's value, or raises :class:`Bad`.
    check: Callable[[str], Any] | None = None
    #: Acts on one run only: refused in scripts.ini.
    per_run: bool = False
    #: Options of one group exclude each other.
    group: str = ''
    #: The forms of -help and the README when the kind's are not right.
    forms: tuple[str, ...] = ()
    #: What a value gives, for the sentence that refuses one: "the most emails ...".
    means: str = ''
    #: The value is a file (each item of a list): a home folder (``~user``) must exist,
    #: and a relative one in scripts.ini is taken relative to the folder of that file.
    path: bool = False
    default: Any = field(default=None)

    @property
    def default_value(self) -> Any:
        """The value the bot holds when the option is not given."""
        if self.default is not None:
            return self.default
        return {'flag': False, 'int': 0, 'flag-or-text': False}.get(self.kind, '')

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


def _ratelimit(text: str):
    from .budget import parse_ratelimit

    try:
        parse_ratelimit(text)
    except ValueError:
        raise Bad(
            'is not a limit',
            'give the most emails per period, as in {eg:20/day}, {eg:5/hour} or {eg:2/600} '
            '(seconds)',
        ) from None
    return text.strip()


def _optoutnote(text: str):
    from .respect import NO_NOTE, URL

    note = text.strip()
    if note != NO_NOTE and not URL.search(note):
        raise Bad(
            'does not say where readers opt out',
            'put {url} where the address of the opt-out page goes, or give {eg:none} to '
            'leave the paragraph out',
        )
    return note


def _since(text: str):
    from .editors import parse_since

    try:
        parse_since(text)
    except ValueError:
        raise Bad(
            'is not a date or an ISO 8601 time in the past',
            'give it as {eg:2026-05-01} (a day in UTC) or {eg:2026-05-01T12:00:00Z}',
        ) from None
    return text.strip()


#: The table: the only place where an option is defined.
OPTIONS: tuple[Option, ...] = (
    Option(
        'subject',
        'text',
        'subject; asked for when missing on a terminal',
        'Subject of the email. Asked for when not given and the script runs on a terminal.',
        metavar='TEXT',
    ),
    Option(
        'text',
        'text',
        'body, given inline (`\\n` for a new line)',
        'Body of the email; \\n starts a new line.',
        metavar='TEXT',
        group='body',
    ),
    Option(
        'textfile',
        'text',
        'body, read from a UTF-8 text file',
        'Body of the email, read from a UTF-8 text file.',
        metavar='FILE',
        path=True,
        group='body',
    ),
    Option(
        'textpage',
        'text',
        'body, from a wiki page as its readers see it (see below)',
        'Body of the email, taken from a wiki page as its readers see it: a redirect is '
        'followed, templates and magic words are expanded by the wiki, and every link '
        'becomes "label (URL)". A page with a table, an image, a link to a missing page or '
        'an error of the wiki is refused before anything is sent. Columns of the -users: '
        'files may appear in the title, as in -textpage:"Invitation/{lang}": each reader '
        'gets the page of their row, or Invitation where that page does not exist.',
        metavar='TITLE',
        group='body',
    ),
    Option(
        'users',
        'list',
        'email the users named in a UTF-8 file, one per line or a CSV with a `username` '
        'column whose other columns become placeholders (repeatable; combines with '
        'generators; see below)',
        'Email the users named in FILE (UTF-8; may be given more than once; combines with '
        'generators, each user emailed once). A plain list has one name per line, with or '
        'without the user namespace prefix; blank lines and lines starting with # are '
        'ignored. A CSV file (first line: a header with a username column, separated by '
        'commas, semicolons or tabs) adds its other columns as placeholders, e.g. {team}. '
        'A bad name, an unusable column name or an empty value of a used column is refused '
        'with its line number before anything is sent; a user named twice keeps the first '
        'row.',
        metavar='FILE',
        path=True,
    ),
    Option(
        'check',
        'flag',
        'only check who can be emailed (see below)',
        'Only check who can be emailed: one line per user with its status, then the '
        'totals. Needs no subject or text, sends nothing, writes no journal, and works for '
        'any account.',
    ),
    Option(
        'report',
        'text',
        'write a CSV with one row per user the run considered',
        'Write a CSV (username,status,detail) with one row per user the run considered, '
        'also when it stops early.',
        metavar='FILE',
        path=True,
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
        choices=('talk',),
    ),
    Option(
        'editors',
        'flag',
        "email the people who edited the generators' pages (see below)",
        'Email the people who edited the pages of the generators (user pages still mean '
        'their users): registered accounts only; IP editors, temporary accounts, bots, '
        'accounts blocked sitewide and the sending account are left out, and so are edits '
        'tagged as reverted. {edits} (their number of edits to these pages) and {pages} '
        '(the titles, as in "Blue jay and Cardinal") can be used in the subject and body.',
    ),
    Option(
        'since',
        'text',
        'with `-editors`, count only edits at or after DATE (a day in UTC, or an ISO 8601 time)',
        'With -editors, count only edits at or after DATE, a date (2026-05-01, in UTC) or an '
        'ISO 8601 time (2026-05-01T12:00:00Z).',
        metavar='DATE',
        check=_since,
    ),
    Option(
        'minedits',
        'int',
        'with `-editors`, email only those with at least N counted edits (default 1)',
        'With -editors, email only those with at least N counted edits to the pages together '
        '(default 1).',
        metavar='N',
        means='the fewest edits an editor must have made to these pages',
        default=1,
    ),
    Option(
        'optout',
        'list',
        'never email users linked from this page or in this category (repeatable), e.g. '
        '`-optout:"Category:Opted-out of message delivery"`',
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
        check=_optoutnote,
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
        'send a copy of every email to yourself / of the first email of the run only',
        'Send a copy of every email to yourself; -ccme:first: of the first email of the run only.',
        choices=('first',),
        default='',
    ),
    Option(
        'test',
        'flag-or-text',
        "send the first recipient's email to your own account (or to USER) as a test, and "
        'nothing else (see below)',
        'Send the email of the first recipient to this account itself, as a test, and '
        'nothing else; -test:USER sends it to the user USER instead. The campaign is not '
        'touched: a run without -test still emails everyone.',
        metavar='USER',
        per_run=True,
    ),
    Option(
        'wait',
        'flag',
        "at the account's email rate limit, wait visibly and go on instead of stopping",
        "At the account's email rate limit, wait and go on instead of stopping.",
    ),
    Option(
        'ratelimit',
        'text',
        'never send more than N emails per PERIOD (`s`, `min`, `hour`, `day`, `week` or '
        'seconds), e.g. `-ratelimit:20/day` (see below)',
        'Never send more than N emails per PERIOD (s, min, hour, day, week or a number of '
        'seconds), e.g. -ratelimit:20/day, besides the limits the wiki reports (and '
        "Wikimedia's 20 a day per account on its wikis), counted from the journal.",
        metavar='N/PERIOD',
        check=_ratelimit,
    ),
    Option(
        'campaign',
        'text',
        'the name of this mailing in the journal (default: the subject as written; see below)',
        'Name of this mailing in the journal (default: the subject as written). Give the '
        'name of an earlier campaign to continue it with a corrected subject; give a new '
        'name to email people whom another campaign reached in the last 7 days on purpose.',
        metavar='NAME',
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
        'where delivery state is kept (see below)',
        'Where delivery state is kept (default: emailuser-journal.sqlite3 in the Pywikibot '
        'config directory). Running the same command again emails only those not emailed '
        'yet, also from another account or with a corrected text.',
        metavar='FILE',
        path=True,
    ),
    Option(
        'resend',
        'flag-or-choice',
        'email uncertain recipients again / start the campaign afresh',
        '-resend:uncertain emails again the recipients whose state is uncertain because a '
        'run stopped while emailing them; -resend forgets who already got this message and '
        'emails everyone again (asks first unless -always is given on the command line).',
        choices=('uncertain',),
        flag_value='all',
        forms=('-resend:uncertain', '-resend'),
        per_run=True,
    ),
)

BY_NAME = {o.name: o for o in OPTIONS}


@dataclass(frozen=True)
class Rule:
    """Between two options: *option*, when given, needs *needs* given as well."""

    option: str
    needs: str
    #: What *option* does that needs the other, for the sentence that refuses it.
    why: str
    #: Values of *option* that need nothing; so does its default.
    free: tuple[str, ...] = ()

    def broken(self, values: dict[str, Any]) -> bool:
        """Whether *values* give *option* without *needs*."""
        value = values.get(self.option)
        given = value not in (None, '', BY_NAME[self.option].default_value, *self.free)
        return given and not values.get(self.needs)


#: The rules between options, checked once the doors' values are merged.
RULES: tuple[Rule, ...] = (
    Rule('since', 'editors', 'counts edits to the pages of the generators'),
    Rule('minedits', 'editors', 'counts edits to the pages of the generators'),
    Rule('optoutnote', 'optout', 'tells readers how to get onto an opt-out list', ('none',)),
)


def defaults() -> dict[str, Any]:
    """Every option's default: the bot's ``update_options``."""
    return {o.name: o.default_value for o in OPTIONS}


# Showing values -------------------------------------------------------------


def shown(value: str, limit: int = 60) -> str:
    """*value* as a sentence can show it: control characters escaped, long ones cut."""
    text = ''.join(
        c if c.isprintable() or c == ' ' else c.encode('unicode_escape').decode('ascii')
        for c in value
    )
    return text if len(text) <= limit else text[: limit - 1] + '…'


class _Door:
    """How one door writes an option and its value, for sentences."""

    name = 'command line'

    def given(self, option: str, value: Any) -> str:
        return f'-{option}' if value is None else f'-{option}:{shown(str(value))}'

    def example(self, option: str, value: str) -> str:
        return f'-{option}:{value}'

    def sentence(self, option: str, value: str | None, bad: Bad) -> str:
        todo = re.sub(r'\{eg:([^}]*)\}', lambda m: self.example(option, m.group(1)), bad.todo)
        return f'{self.given(option, value)} {bad.what}: {todo}.'

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

    def broken(self, rule: Rule, value: Any) -> str:
        """The sentence that refuses *value* of *rule*'s option given without the other."""
        option, needs = BY_NAME[rule.option], BY_NAME[rule.needs]
        return (
            f'{self.given(option.name, value)} {rule.why}, and {self.named(needs)} is not '
            f'given: add {self.add(needs)}, or {self.drop(option)}.'
        )


class _IniDoor(_Door):
    name = 'scripts.ini'

    def __init__(self, path: Path, section: str = SECTION) -> None:
        self.path = path
        self.section = section

    def given(self, option: str, value: Any) -> str:
        return f'{self.path} [{self.section}] {option} = {shown(str(value or ""))}'

    def example(self, option: str, value: str) -> str:
        return f'{option} = {value}'

    def add(self, option: Option) -> str:
        value = 'yes' if option.kind == 'flag' else option.metavar or 'VALUE'
        return f'{option.name} = {value} to [{SECTION}] or {option.usage[0]} to the command line'

    def drop(self, option: Option) -> str:
        return 'remove the line'


class _CallerDoor(_Door):
    name = 'caller'

    def given(self, option: str, value: Any) -> str:
        return f'The option {option}={shown(repr(value))}'

    def example(self, option: str, value: str) -> str:
        return f'{option}={value!r}'

    def add(self, option: Option) -> str:
        value = True if option.kind == 'flag' else option.metavar or 'VALUE'
        return f'{option.name}={value!r}'


# Checking one value ---------------------------------------------------------


def _needs_value(option: Option) -> Bad:
    return Bad('needs a value', f'give it as in {{eg:{option.metavar or "VALUE"}}}')


def _boolean(text: str) -> bool | None:
    word = text.strip().lower()
    return True if word in _TRUE else False if word in _FALSE else None


def convert(option: Option, value: str | None, ini: bool = False) -> Any:
    """The value of *option* given as *value* (None: the option alone, no value).

    *ini*: the value is from scripts.ini, where a flag is written yes or no.

    :raises Bad: the value cannot be used
    """
    kind = option.kind
    if kind == 'flag':
        if not ini:
            if value is None:
                return True
            raise Bad('takes no value', f'write -{option.name} alone')
        flag = _boolean(value or '')
        if flag is None:
            raise Bad('is not yes or no', 'write {eg:yes} or {eg:no}')
        return flag
    if value is None:
        if kind in ('flag-or-choice', 'flag-or-text'):
            return option.flag_value
        raise _needs_value(option)
    if kind == 'flag-or-text' and not ini and not value.strip():
        return option.flag_value  # -test: is -test
    text = value
    if kind == 'flag-or-choice':
        word = text.strip().lower()
        if word in option.choices:
            return word
        if ini:
            flag = _boolean(word)
            if flag is not None:
                return option.flag_value if flag else option.default_value
            if word == option.flag_value:
                return option.flag_value
        choices = ' or '.join(f'{{eg:{c}}}' for c in option.choices)
        raise Bad(
            'is not known',
            f'write yes, no or {choices}' if ini else f'use -{option.name} alone, or {choices}',
        )
    if not text.strip():
        raise _needs_value(option)
    if kind == 'flag-or-text':
        return text.strip()
    if kind == 'int':
        digits = text.strip()
        if not re.fullmatch(r'[0-9]{1,18}', digits) or int(digits) < 1:
            raise Bad(
                'is not a positive whole number',
                f'give {option.means or "a number"}, as in {{eg:20}}',
            )
        return int(digits)
    if kind == 'choice':
        if text.strip() not in option.choices:
            which = ' or '.join(f'{{eg:{c}}}' for c in option.choices)
            raise Bad('is not known', f'use {which}')
        return text.strip()
    if kind == 'list':
        # The bot holds the items joined by |, which no title and hardly a file name has.
        items = [i.strip() for i in re.split(r'[|\n]', text)]
        items = [i for i in items if i]
        if not items:
            raise _needs_value(option)
        if option.path:
            for item in items:
                _check_home(item)
        return items
    if option.path:
        _check_home(text)
    if option.check is not None:
        return option.check(text)
    return text


def _check_home(path: str) -> None:
    """Refuse a path starting with a home folder (``~`` or ``~user``) that cannot be found.

    Python's ``Path.expanduser`` raises for it wherever the file is opened; the
    door says so first, in one sentence.
    """
    path = path.strip()
    if path.startswith('~') and os.path.expanduser(path).startswith('~'):
        home = path.split('/', 1)[0]
        raise Bad(
            f'starts with the home folder {shown(home)}, which this system does not know',
            'write the path in full, without ~',
        )


def expand(path: str, folder: Path | None = None) -> str:
    """*path* with ``~`` expanded and, when *folder* is given and *path* is relative,
    taken relative to *folder*.

    A relative path in scripts.ini means the same file from wherever the run
    starts (cron), as the file that names it does.
    """
    expanded = Path(os.path.expanduser(path.strip()))
    if folder is not None and not expanded.is_absolute():
        expanded = folder / expanded
    return str(expanded)


# The command line -------------------------------------------------------------


def check_utf8(args) -> None:
    """Refuse an argument with bytes that are not UTF-8 (Python holds them as lone
    surrogates), before Pywikibot reads the arguments and fails on them.

    :raises OptionError: the first such argument, shown with its bytes escaped
    """
    for arg in args:
        try:
            arg.encode('utf-8')
        except UnicodeEncodeError:
            try:
                raw = arg.encode('utf-8', 'surrogateescape')
            except UnicodeEncodeError:
                raw = arg.encode('utf-8', 'backslashreplace')
            text = raw.decode('utf-8', 'backslashreplace')
            raise OptionError(
                f'The argument {shown(text)} is not UTF-8 text: write it in UTF-8 (a file '
                'name too: rename the file).'
            ) from None


def parse_command_line(args: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The script's own arguments as option values, and the arguments it does not know.

    The rules between options (:data:`RULES`) are checked by :func:`load`, once
    scripts.ini's values are merged in: one may give what the other needs.

    :raises OptionError: a value cannot be used; the text says which and what to do
    """
    door = _Door()
    values: dict[str, Any] = {}
    lists: dict[str, list[str]] = {}
    unknown = []
    for arg in args:
        name, sep, value = arg[1:].partition(':') if arg.startswith('-') else ('', '', '')
        option = BY_NAME.get(name)
        if option is None:
            unknown.append(arg)
            continue
        given = value if sep else None
        try:
            converted = convert(option, given)
        except Bad as bad:
            raise OptionError(door.sentence(name, given, bad)) from None
        if option.kind == 'list':
            lists.setdefault(name, []).extend(converted)
        elif name in values and option.kind not in ('flag',):
            raise OptionError(f'-{name} is given twice: give it once.')
        else:
            values[name] = converted
    for name, items in lists.items():
        values[name] = '|'.join(items)
    _check_groups(values, lambda name: f'-{name}:')
    return values, unknown


def _check_groups(values: dict[str, Any], spell: Callable[[str], str], where: str = '') -> None:
    for group in {o.group for o in OPTIONS if o.group}:
        members = [o.name for o in OPTIONS if o.group == group]
        given = [n for n in members if values.get(n)]
        if len(given) > 1:
            names = ', '.join(spell(n) for n in members[:-1]) + f' and {spell(members[-1])}'
            raise OptionError(
                f'{where}Give the message {group} only once: use one of {names}.'
                if not where
                else f'{where} gives the message {group} more than once '
                f'({", ".join(given)}): keep one of {names}.',
                'scripts.ini' if where else 'command line',
            )


def _check_rules(values: dict[str, Any], door_of: Callable[[str], _Door]) -> None:
    """Refuse an option given without the one it needs (:data:`RULES`), in the words of
    the door that gave it."""
    for rule in RULES:
        if rule.broken(values):
            door = door_of(rule.option)
            raise OptionError(door.broken(rule, values[rule.option]), door.name)


def check_body(values) -> None:
    """Refuse the options of a run that sends, when none gives the message body.

    Called where a run reads its message: ``-check`` sends nothing and needs none.

    :raises OptionError: no option of the body group is given
    """
    members = [o for o in OPTIONS if o.group == 'body']
    if not any(values.get(o.name) for o in members):
        door = _Door()
        names = ', '.join(door.named(o) for o in members[:-1])
        raise OptionError(
            f'There is no message body: give it with {names} or {door.named(members[-1])}.'
        )


# scripts.ini ------------------------------------------------------------------


def ini_path(here: Path, config_dir: Path) -> tuple[Path | None, list[str]]:
    """Which scripts.ini is read, and warnings about one that is not.

    The one in the current folder when it has an [emailuser] section (a
    [DEFAULT] one alone is not enough: it is for every script, and the folder's
    file may be for others); otherwise the one in the configuration directory,
    so that a run started from elsewhere (cron) still finds its settings, and a
    scripts.ini kept in a folder for other scripts does not hide them. The
    opt-out lists of the file not read apply as well (:func:`other_optout`),
    which its warning says.

    :raises OptionError: the current folder's scripts.ini cannot be read, so
        whether it holds settings of this script cannot be told
    """
    local, central = here / INI, config_dir / INI
    if not local.is_file() or _same(local, central):
        return (central if central.is_file() else None), []
    parser = _parse(local)
    if parser.has_section(SECTION):
        if central.is_file() and _has_settings(central):
            still = (
                ', except for its opt-out lists, which apply as well'
                if other_optout(central)
                else ''
            )
            return local, [
                f'{central} is not read, because {local} in the current folder is{still}: '
                'merge the settings into one of them, and keep only that one.'
            ]
        return local, []
    warnings = []
    if _for_this_script(parser):
        keys = ', '.join(k for k in parser['DEFAULT'] if k in BY_NAME)
        warnings.append(
            f'{local} in the current folder is not read, because it has no [{SECTION}] '
            f'section, so its [DEFAULT] settings ({keys}) do not apply to this script: '
            f'put them under [{SECTION}] there if they are meant for it.'
        )
    return (central if central.is_file() else None), warnings


def other_optout(path: Path) -> str:
    """The opt-out lists (``optout``) of the [emailuser] section of *path*, a
    scripts.ini not read for the run; '' when it has none, or they cannot be read.

    Opt-out lists only ever add: a scripts.ini in the current folder does not
    drop the standing list of the one in the configuration directory.
    """
    try:
        parser = _parse(path)
    except OptionError:
        return ''
    if not parser.has_section(SECTION) or 'optout' not in parser[SECTION]:
        return ''
    option, text = BY_NAME['optout'], parser[SECTION]['optout']
    if any(_quoted(item) for item in [text, *re.split(r'[|\n]', text)]):
        return ''
    try:
        return '|'.join(convert(option, text, ini=True))
    except Bad:
        return ''


def _same(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _has_settings(path: Path) -> bool:
    """Whether *path* has settings for this script, or may have: it cannot be read."""
    try:
        return _for_this_script(_parse(path))
    except OptionError:
        return True


def _for_this_script(parser: configparser.ConfigParser) -> bool:
    return parser.has_section(SECTION) or (
        parser.has_section('DEFAULT') and any(k in BY_NAME for k in parser['DEFAULT'])
    )


def read_ini(path: Path) -> tuple[dict[str, Any], bool]:
    """The [emailuser] settings of *path*, each checked by its option, and whether
    the file has settings for this script (an [emailuser] section, or a [DEFAULT]
    one with keys of this script's options).

    :raises OptionError: the file cannot be read or a value cannot be used
    """
    values, found, _sections = _read_ini(path)
    return values, found


def _parse(path: Path) -> configparser.ConfigParser:
    """The sections of *path*, read as Pywikibot reads scripts.ini.

    A section named like [emailuser] but for case, spaces or a ``.py`` suffix is
    refused: it would be left out silently, and the opt-out lists in it with it.

    :raises OptionError: the file cannot be read
    """
    parser = configparser.ConfigParser(
        interpolation=None,
        inline_comment_prefixes=(';',),  # as Pywikibot reads scripts.ini
        strict=True,
        default_section='\0',  # [DEFAULT] is read by _read_ini, only for this script's options
    )
    try:
        with open(path, encoding='utf-8-sig') as f:
            parser.read_file(f, str(path))
    except UnicodeDecodeError:
        raise OptionError(f'{path} is not UTF-8 text: save it as UTF-8.', INI) from None
    except OSError as e:
        raise OptionError(
            f'{path} cannot be read ({e.strerror}): check the file and its permissions.', INI
        ) from None
    except configparser.Error as e:
        raise OptionError(_ini_error(path, e), INI) from None
    for section in parser.sections():
        if section != SECTION and _section_name(section) == SECTION:
            raise OptionError(
                f'{path} has the section [{shown(section)}], which is not read: name it '
                f'[{SECTION}], as this script reads only that.',
                INI,
            )
    return parser


def _section_name(section: str) -> str:
    name = re.sub(r'\s+', '', section).lower()
    return name[:-3] if name.endswith('.py') else name


def _quoted(text: str) -> bool:
    """Whether *text* is wholly enclosed in one pair of matching quotes."""
    text = text.strip()
    return len(text) >= 2 and text[0] == text[-1] and text[0] in '\'"' and text[0] not in text[1:-1]


def _read_ini(path: Path) -> tuple[dict[str, Any], bool, dict[str, str]]:
    """:func:`read_ini`, and the section each value was read from.

    A ``[DEFAULT]`` section applies, as in Pywikibot, for the options this
    script has; its other keys belong to other scripts. Values are read as
    written: ``%`` is a plain character (no interpolation), and a value in
    quotes is refused, as the quotes would be part of it. A relative path is
    taken relative to the folder of *path*.

    :raises OptionError: the file cannot be read or a value cannot be used
    """
    parser = _parse(path)
    folder = path.parent.absolute()
    values: dict[str, Any] = {}
    sections: dict[str, str] = {}
    for section in ('DEFAULT', SECTION):
        if not parser.has_section(section):
            continue
        door = _IniDoor(path, section)
        for key, text in parser.items(section):
            option = BY_NAME.get(key)
            if option is None:
                if section == SECTION:
                    raise OptionError(
                        f'{door.given(key, text)}: {shown(key)} is not an option of emailuser: '
                        'correct or remove the line (the options are '
                        f'{", ".join(o.name for o in OPTIONS if not o.per_run)}).',
                        INI,
                    )
                continue
            if option.per_run:
                raise OptionError(
                    f'{door.given(key, text)}: {key} acts on one run only, so it is not read '
                    f'from {INI}: remove the line, and give {" or ".join(option.usage)} on '
                    'the command line of the run that needs it.',
                    INI,
                )
            items = re.split(r'[|\n]', text) if option.kind == 'list' else []
            if any(_quoted(item) for item in [text, *items]):
                # campaign = "Meet up" would name another campaign, and everyone
                # would be emailed again; optout = "Category:X" would name no page.
                raise OptionError(
                    f'{door.given(key, text)} is in quotes, but {INI} values are read as '
                    'written, quotes and all: write it without the quotes.',
                    INI,
                )
            try:
                value = convert(option, text, ini=True)
            except Bad as bad:
                raise OptionError(door.sentence(key, text, bad), INI) from None
            if option.path:
                value = (
                    [expand(v, folder) for v in value]
                    if option.kind == 'list'
                    else expand(value, folder)
                )
            values[key] = '|'.join(value) if option.kind == 'list' else value
            sections[key] = section
    _check_groups(values, lambda name: name, f'{path} [{SECTION}]')
    return values, _for_this_script(parser), sections


def _ini_error(path: Path, e: configparser.Error) -> str:
    if isinstance(e, configparser.MissingSectionHeaderError):
        return (
            f'{path} line {e.lineno} comes before any section line: begin the file with '
            f'[{SECTION}] (or the section of the script the settings are for).'
        )
    if isinstance(e, configparser.DuplicateOptionError):
        return (
            f'{path} gives {shown(e.option)} twice in [{shown(e.section)}] (again on line '
            f'{e.lineno}): keep one of them.'
        )
    if isinstance(e, configparser.DuplicateSectionError):
        return (
            f'{path} has the section [{shown(e.section)}] twice (again on line {e.lineno}): '
            'merge them into one.'
        )
    if isinstance(e, configparser.ParsingError):
        lineno, line = e.errors[0]
        with contextlib.suppress(ValueError, SyntaxError):
            line = ast.literal_eval(line)  # configparser gives the line as repr() up to 3.12
        line = str(line).strip()
        return (
            f'{path} line {lineno} cannot be read ({shown(line)}): write each setting as '
            'name = value under a [section] line.'
        )
    first = str(e).splitlines()[0] if str(e) else type(e).__name__
    return f'{path} cannot be read ({shown(first, 120)}): correct the file.'


# The merge --------------------------------------------------------------------


@dataclass
class Settings:
    """The checked options of a run and where they came from."""

    values: dict[str, Any]
    unknown: list[str]
    #: The scripts.ini that was read, or None.
    source: Path | None = None
    warnings: list[str] = field(default_factory=list)
    #: The sections of :attr:`source` the values came from.
    sections: tuple[str, ...] = (SECTION,)
    #: The scripts.ini not read whose opt-out lists apply as well, or None.
    optout_from: Path | None = None

    def describe(self) -> str:
        """``settings from PATH [emailuser]`` for the plan, or ''."""
        parts = []
        if self.source:
            names = ' and '.join(f'[{section}]' for section in self.sections)
            parts.append(f'settings from {self.source} {names}')
        if self.optout_from:
            parts.append(f'the opt-out lists of {self.optout_from} [{SECTION}]')
        return ', and '.join(parts)


def load(args: list[str], here: Path, config_dir: Path, simulate: bool = False) -> Settings:
    """The command line merged over scripts.ini, every value and rule checked.

    ``always`` from scripts.ini does not confirm ``-resend`` (all): unless
    *simulate* (nothing is forgotten then), the run goes on without it and asks.

    :raises OptionError: a value cannot be used, or an option lacks the one it
        needs; nothing was sent or written
    """
    cli, unknown = parse_command_line(args)
    path, warnings = ini_path(here, config_dir)
    ini, found, sections = _read_ini(path) if path else ({}, False, {})
    other = _other_ini(path, here, config_dir)
    extra = other_optout(other) if other else ''
    groups = {BY_NAME[n].group for n in cli if BY_NAME[n].group}
    merged = {k: v for k, v in ini.items() if BY_NAME[k].group not in groups}
    merged.update(cli)
    # Opt-out lists add up: one given for a run never drops the file's standing list,
    # nor a scripts.ini in the current folder the configuration directory's.
    lists = [cli.get('optout', ''), ini.get('optout', ''), extra]
    titles = [title for found_list in lists if found_list for title in found_list.split('|')]
    if titles:
        merged['optout'] = '|'.join(dict.fromkeys(titles))

    def door_of(name: str) -> _Door:
        if name in cli:
            return _Door()
        if name == 'optout' and 'optout' not in ini:
            return _IniDoor(other, SECTION)
        return _IniDoor(path, sections[name])

    _check_rules(merged, door_of)
    resend = merged.get('resend') == 'all' and not simulate
    if resend and merged.get('always') and 'always' not in cli:
        # Forgetting everyone is confirmed for one run, on its command line or at the
        # terminal: a standing always = yes was written for other runs.
        merged['always'] = False
        if sys.stdin.isatty():
            warnings.append(
                f'{path} [{sections["always"]}] always = yes does not confirm -resend, '
                'which emails everyone again: this run asks first, and for each recipient '
                '(add -always to the command line to confirm it there).'
            )
    used = [
        section
        for section in ('DEFAULT', SECTION)
        if any(sections.get(k) == section for k in ini if k not in cli or k == 'optout')
    ]
    return Settings(
        merged,
        unknown,
        path if found else None,
        warnings,
        sections=tuple(used or [SECTION]),
        optout_from=other if extra else None,
    )


def _other_ini(path: Path | None, here: Path, config_dir: Path) -> Path | None:
    """The scripts.ini that is not *path*, of the current folder and the
    configuration directory, if there is one."""
    for candidate in (here / INI, config_dir / INI):
        if candidate.is_file() and (path is None or not _same(candidate, path)):
            return candidate
    return None


def check_values(given: dict[str, Any]) -> dict[str, Any]:
    """Options given by a caller of the library, checked as the doors check them,
    with the rules between them.

    Values may be typed (``max=20``, ``always=True``) or text as in scripts.ini.

    :raises OptionError: a value cannot be used, or an option lacks the one it needs
    """
    door = _CallerDoor()
    checked = {}
    for name, value in given.items():
        option = BY_NAME.get(name)
        if option is None:
            checked[name] = value  # Pywikibot's own, or refused by it with a warning
            continue
        if value is None or value == option.default_value:
            checked[name] = option.default_value
            continue
        try:
            checked[name] = _typed(option, value)
        except Bad as bad:
            raise OptionError(door.sentence(name, value, bad), 'caller') from None
    _check_groups(checked, lambda name: f'{name}=')
    _check_rules(checked, lambda name: door)
    return checked


def _typed(option: Option, value: Any) -> Any:
    kind = option.kind
    if isinstance(value, bool):
        if kind == 'flag':
            return value
        if kind in ('flag-or-choice', 'flag-or-text'):
            return option.flag_value if value else option.default_value
        raise Bad('is not a value of this option', 'give it as in {eg:VALUE}')
    if isinstance(value, int):
        if kind == 'int' and value >= 1:
            return value
        value = str(value)
    if isinstance(value, (list, tuple)) and kind == 'list':
        value = '|'.join(str(v) for v in value)
    if not isinstance(value, str):
        raise Bad('is not a value of this option', 'give it as in {eg:VALUE}')
    if kind == 'flag-or-choice' and value == option.flag_value:
        return value
    converted = convert(option, value, ini=True)
    return '|'.join(converted) if kind == 'list' else converted


# Help -------------------------------------------------------------------------


def help_text(indent: int = 18, width: int = 79) -> str:
    """The -help list of the options, as the module docstring shows it."""
    blocks = []
    for option in OPTIONS:
        forms = ', '.join(option.usage)
        body = textwrap.wrap(option.help or option.summary, width - indent, break_on_hyphens=False)
        if len(forms) < indent - 1:
            first = forms.ljust(indent) + body[0]
            lines = [first] + [' ' * indent + line for line in body[1:]]
        else:
            lines = [forms] + [' ' * indent + line for line in body]
        blocks.append('\n'.join(lines))
    return '\n\n'.join(blocks)


def readme_rows() -> list[str]:
    """The README's table of options, one Markdown row per option."""
    rows = ['| option | meaning |', '| --- | --- |']
    for option in OPTIONS:
        forms = ' / '.join(f'`{form}`' for form in option.usage)
        rows.append(f'| {forms} | {option.summary} |')
    return rows
