"""The door: the command line merged over scripts.ini, parsed once into :class:`Settings`.

:func:`load` is all a run needs: every value is parsed by its option
(:mod:`.table`), every rule between options checked after the merge, and a bad
value is one :class:`~..core.errors.OptionError` sentence that names the door it
came through, before anything is sent or written.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import Bad, OptionError
from ..core.words import shown
from . import ini
from .settings import Resend, Settings
from .table import BY_NAME, SECTION, Door, IniDoor, check_groups, check_rules, convert


@dataclass(frozen=True)
class Loaded:
    """What the door gives a run: its settings, and what the operator is told about them."""

    settings: Settings
    #: The arguments that are no option of this script (Pywikibot says so).
    unknown: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    #: Where options came from besides the command line, for the plan:
    #: ``settings from PATH [emailuser]``; '' when only from the command line.
    origin: str = ''


@dataclass
class _CommandLine:
    values: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str | None] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


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


def command_line(args: list[str]) -> _CommandLine:
    """The script's own arguments as typed values, and the arguments it does not know.

    :raises OptionError: a value cannot be used; the text says which and what to do
    """
    door = Door()
    found = _CommandLine()
    lists: dict[str, list] = {}
    for arg in args:
        name, sep, value = arg[1:].partition(':') if arg.startswith('-') else ('', '', '')
        option = BY_NAME.get(name)
        if option is None:
            found.unknown.append(arg)
            continue
        given = value if sep else None
        try:
            converted = convert(option, given)
        except Bad as bad:
            raise door.error(name, given, bad) from None
        if option.kind == 'list':
            lists.setdefault(name, []).extend(converted)
            found.texts[name] = given
        elif name in found.values and option.kind != 'flag':
            raise OptionError(f'-{name} is given twice: give it once.')
        else:
            found.values[name] = converted
            found.texts[name] = given
    for name, items in lists.items():
        found.values[name] = tuple(items)
    check_groups(found.values, door)
    return found


def load(args: list[str], here: Path, config_dir: Path, simulate: bool = False) -> Loaded:
    """The command line merged over scripts.ini, every value and rule checked.

    The command line's message body replaces scripts.ini's; opt-out lists add
    up (the command line's, the file's, and the other scripts.ini's). ``always``
    from scripts.ini does not confirm ``-resend`` (all): unless *simulate*
    (nothing is forgotten then), the run goes on without it and asks.

    :raises OptionError: a value cannot be used, or an option lacks the one it
        needs; nothing was sent or written
    """
    cli = command_line(args)
    path, warnings = ini.ini_path(here, config_dir)
    read = ini.read(path) if path else ini.IniValues(Path(), {}, False)
    other = ini.other_ini(path, here, config_dir)
    extra = ini.other_optout(other) if other else ()
    from_ini = read.values
    groups = {BY_NAME[n].group for n in cli.values if BY_NAME[n].group}
    merged = {k: g.value for k, g in from_ini.items() if BY_NAME[k].group not in groups}
    merged.update(cli.values)
    texts = {k: g.text for k, g in from_ini.items()}
    texts.update(cli.texts)
    # Opt-out lists add up: one given for a run never drops the file's standing list,
    # nor a scripts.ini in the current folder the configuration directory's.
    optout = [*cli.values.get('optout', ()), *_value(from_ini, 'optout', ()), *extra]
    if optout:
        merged['optout'] = tuple(dict.fromkeys(optout))

    def door_of(name: str) -> Door:
        if name in cli.values:
            return Door()
        given = from_ini[name]
        return IniDoor(path, given.section, given.line)

    check_rules(merged, texts, door_of)
    resend = merged.get('resend') == Resend.ALL and not simulate
    if resend and merged.get('always') and 'always' not in cli.values:
        # Forgetting everyone is confirmed for one run, on its command line or at the
        # terminal: a standing always = yes was written for other runs.
        merged['always'] = False
        if sys.stdin.isatty():
            warnings.append(
                f'{path} [{from_ini["always"].section}] always = yes does not confirm '
                '-resend, which emails everyone again: this run asks first, and for '
                'each recipient (add -always to the command line to confirm it there).'
            )
    return Loaded(
        Settings(**merged),
        tuple(cli.unknown),
        tuple(warnings),
        _origin(read, cli.values, other if extra else None),
    )


def _value(values: dict[str, ini.Given], name: str, default: Any) -> Any:
    given = values.get(name)
    return default if given is None else given.value


def _origin(read: ini.IniValues, cli: dict[str, Any], optout_from: Path | None) -> str:
    """``settings from PATH [emailuser]`` for the plan, or ''."""
    parts = []
    if read.for_this_script:
        used = [
            section
            for section in ('DEFAULT', SECTION)
            if any(
                g.section == section
                for k, g in read.values.items()
                if k not in cli or k == 'optout'
            )
        ]
        names = ' and '.join(f'[{section}]' for section in used or [SECTION])
        parts.append(f'settings from {read.path} {names}')
    if optout_from:
        parts.append(f'the opt-out lists of {optout_from} [{SECTION}]')
    return ', and '.join(parts)
