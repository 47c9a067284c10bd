"""scripts.ini: which one is read, and its ``[emailuser]`` section read strictly.

The file is read as Pywikibot reads it (``configparser``, ``;`` starts an
inline comment), then checked for what configparser would take silently:

- a line break inside a value: an indented line continues the value above it.
  A list option (``optout``, ``users``) takes each line as one item; any other
  option is one line, and a continued one is refused with its line, as is an
  indented ``name = value`` line (a setting that was meant to stand alone);
- a section meant for this script under another name (``[email_user]``,
  ``[emailusers]``, ``[emailuser.py]``, ``[emialuser]``), or another section
  that holds settings only this script has: its settings, the opt-out lists
  above all, would be lost without a word;
- a value in quotes, which would keep its quotes.

A ``[DEFAULT]`` section applies, as in Pywikibot, for the options this script
has. A relative path is taken relative to the folder of the file.
"""

from __future__ import annotations

import ast
import configparser
import contextlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import Bad, OptionError
from ..core.words import shown
from .table import BY_NAME, INI, OPTIONS, SECTION, IniDoor, check_groups, convert

#: Options that only this script has: a section holding two of them is meant for it.
#: (``always``, ``text``, ``max`` and the like are other scripts' too.)
OWN_KEYS = frozenset(
    {
        'subject',
        'textfile',
        'textpage',
        'users',
        'optout',
        'optoutnote',
        'campaign',
        'journal',
        'ratelimit',
        'fallback',
        'ccme',
        'minedits',
        'ignoremassoptout',
        'resend',
    }
)
_SETTING = re.compile(r'\s*([A-Za-z_][\w.-]*)\s*[=:]')
_HEADER = re.compile(r'\[(.+)\]\s*(?:[;#].*)?$')


@dataclass(frozen=True)
class Given:
    """One value of scripts.ini: as its type, as written, and where."""

    value: Any
    text: str
    section: str
    line: int


@dataclass(frozen=True)
class IniValues:
    """The settings of one scripts.ini for this script."""

    path: Path
    values: dict[str, Given]
    #: The file has an [emailuser] section, or a [DEFAULT] one with this script's keys.
    for_this_script: bool


def parse(path: Path, sections: bool = True) -> configparser.ConfigParser:
    """The sections of *path*, read as Pywikibot reads scripts.ini, and checked.

    :param sections: refuse a section meant for this script under another name
        (:func:`check_sections`)
    :raises OptionError: the file cannot be read, or has such a section
    """
    parser = configparser.ConfigParser(
        interpolation=None,
        inline_comment_prefixes=(';',),  # as Pywikibot reads scripts.ini
        strict=True,
        default_section='\0',  # [DEFAULT] is read by read(), only for this script's options
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
    if sections:
        check_sections(path, parser)
    return parser


def check_sections(path: Path, parser: configparser.ConfigParser) -> None:
    """Refuse a section that is meant for this script but not read: its settings, the
    opt-out lists above all, would be lost without a word.

    :raises OptionError: naming the file and the section
    """
    for section in parser.sections():
        if section in (SECTION, 'DEFAULT'):
            continue
        if meant_for_this_script(section):
            raise OptionError(
                f'{path} has the section [{shown(section)}], which is not read: name it '
                f'[{SECTION}], as this script reads only that.',
                INI,
            )
        own = sorted(OWN_KEYS.intersection(parser[section]))
        if len(own) >= 2:
            raise OptionError(
                f'{path} has settings of this script ({", ".join(own)}) in the section '
                f'[{shown(section)}], which it does not read: move them under [{SECTION}].',
                INI,
            )


def meant_for_this_script(section: str) -> bool:
    """Whether the section name *section* is ``emailuser`` but for case, spaces,
    punctuation, an extension, a plural or a small typo."""
    lowered = section.strip().lower()
    # emailuser.py, emailuser.ini: the extension too, or only the punctuation of email.user
    for name in (re.sub(r'\.[a-z0-9]{1,4}$', '', lowered), lowered):
        name = re.sub(r'[\W_]+', '', name)
        if name.endswith('s') and name != 's':
            name = name[:-1]
        if _distance(name, SECTION) <= (0 if len(name) < 6 else 2):
            return True
    return False


def _distance(a: str, b: str) -> int:
    """The optimal string alignment distance: edits, transpositions counting one."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def _lines(path: Path) -> dict[tuple[str, str], list[tuple[int, str]]]:
    """Where each key of each section is: [(line, text)] of its own line and of the
    indented lines that continue its value, as configparser joins them."""
    found: dict[tuple[str, str], list[tuple[int, str]]] = {}
    section, key, indent = '', None, 0
    text = path.read_text(encoding='utf-8-sig')
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in '#;':
            continue
        depth = len(line) - len(line.lstrip())
        if key is not None and depth > indent:
            found[(section, key)].append((number, stripped))
            continue
        header = _HEADER.match(stripped)
        if header:
            section, key = header.group(1), None
            continue
        match = _SETTING.match(line)
        if match:
            key, indent = match.group(1).lower(), depth
            found[(section, key)] = [(number, stripped)]
    return found


def _quoted(text: str) -> bool:
    """Whether *text* is wholly enclosed in one pair of matching quotes."""
    text = text.strip()
    return len(text) >= 2 and text[0] == text[-1] and text[0] in '\'"' and text[0] not in text[1:-1]


def read(path: Path) -> IniValues:
    """The [emailuser] (and [DEFAULT]) settings of *path*, each as its type.

    :raises OptionError: the file cannot be read or a value cannot be used; the
        sentence names the file, the line and the setting
    """
    parser = parse(path)
    lines = _lines(path)
    folder = path.parent.absolute()
    values: dict[str, Given] = {}
    for section in ('DEFAULT', SECTION):
        if not parser.has_section(section):
            continue
        for key, text in parser.items(section):
            option = BY_NAME.get(key)
            where = lines.get((section, key)) or [(0, '')]
            door = IniDoor(path, section, where[0][0])
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
            _check_continued(path, section, key, where, option.kind == 'list')
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
                raise door.error(key, text, bad) from None
            if option.path:
                value = (
                    tuple(folder / v for v in value) if option.kind == 'list' else folder / value
                )
            values[key] = Given(value, text, section, door.line)
    check_groups({k: g.value for k, g in values.items()}, IniDoor(path), f'{path} [{SECTION}]')
    return IniValues(path, values, for_this_script(parser))


def _check_continued(
    path: Path, section: str, key: str, where: list[tuple[int, str]], is_list: bool
) -> None:
    """Refuse a value that an indented line continues, unless each line is an item.

    :raises OptionError: naming the line
    """
    first, rest = where[0][0], where[1:]
    for number, text in rest:
        setting = _SETTING.match(text)
        if setting and setting.group(1).lower() in BY_NAME:
            raise OptionError(
                f'{path} line {number} ({shown(text)}) is indented, so it is read as part of '
                f'the value of {key} on line {first}, not as a setting of its own: start it '
                'at the beginning of the line.',
                INI,
            )
        if not is_list:
            raise OptionError(
                f'{path} line {number} ({shown(text)}) is indented, so it continues the value '
                f'of {key} on line {first} [{section}], which takes one line: write the value '
                f'on one line, or start line {number} at the beginning of the line if it is a '
                'setting of its own.',
                INI,
            )


def for_this_script(parser: configparser.ConfigParser) -> bool:
    """Whether the file has settings for this script: an [emailuser] section, or a
    [DEFAULT] one with keys of this script's options."""
    return parser.has_section(SECTION) or (
        parser.has_section('DEFAULT') and any(k in BY_NAME for k in parser['DEFAULT'])
    )


def _has_settings(path: Path) -> bool:
    """Whether *path* has settings for this script, or may have: it cannot be read."""
    try:
        return for_this_script(parse(path, sections=False))
    except OptionError:
        return True


def other_optout(path: Path) -> tuple[str, ...]:
    """The opt-out lists (``optout``) of the [emailuser] section of *path*, a
    scripts.ini not read for the run; () when it has none, or they cannot be read.

    Opt-out lists only ever add: a scripts.ini in the current folder does not
    drop the standing list of the one in the configuration directory, whatever
    else is wrong in that file (only its opt-out lists are read).

    :raises OptionError: the file has a section meant for this script under
        another name, whose opt-out lists would be lost without a word
    """
    try:
        parser = parse(path, sections=False)
    except OptionError:
        return ()
    check_sections(path, parser)
    if not parser.has_section(SECTION) or 'optout' not in parser[SECTION]:
        return ()
    text = parser[SECTION]['optout']
    if any(_quoted(item) for item in [text, *re.split(r'[|\n]', text)]):
        return ()
    try:
        return convert(BY_NAME['optout'], text, ini=True)
    except Bad:
        return ()


def _same(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


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
    parser = parse(local)
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
    if for_this_script(parser):
        keys = ', '.join(k for k in parser['DEFAULT'] if k in BY_NAME)
        warnings.append(
            f'{local} in the current folder is not read, because it has no [{SECTION}] '
            f'section, so its [DEFAULT] settings ({keys}) do not apply to this script: '
            f'put them under [{SECTION}] there if they are meant for it.'
        )
    return (central if central.is_file() else None), warnings


def other_ini(path: Path | None, here: Path, config_dir: Path) -> Path | None:
    """The scripts.ini that is not *path*, of the current folder and the
    configuration directory, if there is one."""
    for candidate in (here / INI, config_dir / INI):
        if candidate.is_file() and (path is None or not _same(candidate, path)):
            return candidate
    return None


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
