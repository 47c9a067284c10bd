"""Recipients from files given with ``-users:``: plain name lists and CSV files for mail merge.

A plain list has one user name per line, with or without the wiki's user
namespace prefix (``User:``, ``Benutzer:`` ... as the wiki names it); blank
lines and lines starting with ``#`` are ignored (no user name starts with
``#``), and so is a first line that is ``username`` alone (a CSV file of one
column). A file whose first line holds a ``username`` header and a comma,
semicolon or tab is a CSV file: its other columns become placeholders of the
subject and body for the user of each row. A first line ``sep=X``, as
spreadsheets write it, declares the delimiter X of the CSV header that follows.
In a CSV file every row is data, a ``#`` in a cell too; a later row that is the
header again (files joined with ``cat``) is refused. Files are read as UTF-8,
with or without a byte order mark.

Every bad line is found before anything is sent, and said with its line
number; a user named twice keeps the first row, and the repeat is reported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import EmailUserError
from ..core.words import CONTROL, LINE_BREAK, braces
from ..core.words import shown as shown_value
from ..wiki.site import (
    capitalises_users,
    name_problem,
    normalize_username,
    temp_account_patterns,
    user_prefixes,
)

#: The column that holds the user name in a CSV file.
NAME_COLUMN = 'username'
#: Placeholders the script fills in itself; a CSV column may not take their names.
BUILTIN = ('username', 'sitename')
_DELIMITERS = (',', ';', '\t')
_WORD = re.compile(r'\w+')


@dataclass
class Row:
    """One user of a -users: file: where it is and the values of its other columns."""

    path: str
    line: int
    name: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class NameList:
    """The users of one or more -users: files, each once, in the order first named."""

    columns: tuple[str, ...] = ()
    rows: list[Row] = field(default_factory=list)
    #: One sentence per user named again (the first row is used).
    duplicates: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [row.name for row in self.rows]

    @property
    def values(self) -> dict[str, dict[str, str]]:
        """Each user's placeholder values, by user name."""
        return {row.name: row.values for row in self.rows}

    def extend(self, other: NameList) -> None:
        """Add *other*'s users; one already here keeps its first row."""
        seen = {row.name: row for row in self.rows}
        self.duplicates += other.duplicates
        for row in other.rows:
            first = seen.get(row.name)
            if first is not None:
                self.duplicates.append(_repeat(row, first))
                continue
            seen[row.name] = row
            self.rows.append(row)
        self.columns += tuple(c for c in other.columns if c not in self.columns)

    def empty_values(self, used: Iterable[str]) -> list[str]:
        """One sentence per row without a value for a placeholder in *used*."""
        problems = []
        for row in self.rows:
            missing = [p for p in used if not row.values.get(p, '').strip()]
            if missing:
                which = braces(missing)
                problems.append(
                    f'Line {row.line} of {row.path} ({row.name}) has no value for {which}: '
                    'fill it in, or remove the placeholder from the message.'
                )
        return problems


def _repeat(row: Row, first: Row) -> str:
    where = f'line {first.line}' if first.path == row.path else f'line {first.line} of {first.path}'
    return f'Line {row.line} of {row.path} names {row.name} again ({where}): the first row is used.'


def csv_delimiter(first_line: str) -> str | None:
    """The delimiter of a CSV header line with a ``username`` column, or None for a plain list."""
    for delimiter in _DELIMITERS:
        if delimiter not in first_line:
            continue
        try:
            header = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:  # a stray quote or line break: :func:`parse_names` says where
            header = first_line.split(delimiter)
        # A plain split too: a stray quote must not turn a CSV file into a list of
        # odd names, but be refused with its line by :func:`parse_names`.
        cells = [*header, *first_line.split(delimiter)]
        if any(cell.replace('"', '').strip().lower() == NAME_COLUMN for cell in cells):
            return delimiter
    return None


def strip_prefix(name: str, prefixes: Iterable[str]) -> str:
    """*name* without a leading user namespace prefix, in any of the wiki's names for it."""
    prefix, sep, rest = name.partition(':')
    known = {_fold(p) for p in prefixes}
    if sep and _fold(prefix) in known:
        return rest.strip()
    return name


def _fold(text: str) -> str:
    # Namespace names are case-insensitive, and spaces and underscores are the same.
    return re.sub(r'[ _]+', ' ', text).strip().casefold()


def parse_names(
    text: str,
    path: str,
    prefixes: Iterable[str] = ('User',),
    first_letter: bool = True,
    temp_patterns: Iterable[tuple[str, str]] = (),
) -> NameList:
    """The users of the -users: file *path*, whose text is *text*.

    :raises EmailUserError: a line or a column cannot be used; one sentence each
    """
    prefixes = list(prefixes)
    text = text.lstrip('\ufeff')
    first, *rest = re.split(r'\r\n|\r|\n', text, maxsplit=1)
    declared = SEP_LINE.fullmatch(first.strip(' '))  # a tab may be the delimiter
    if declared:
        # Excel's "sep=;" line: the header follows on the next line.
        columns, entries = _csv_entries(''.join(rest), path, declared.group(1), skipped=1)
    elif csv_delimiter(first):
        columns, entries = _csv_entries(text, path, csv_delimiter(first))
    else:
        columns = ()
        entries = []
        # Lines as an editor counts them: str.splitlines() would also break at U+2028 and
        # other characters, and give every line after them a wrong number.
        lines = text.replace('\r\n', '\n').replace('\r', '\n').split('\n')
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if line.strip('"').strip().lower() == NAME_COLUMN:
                if number == 1:
                    continue  # the header of a CSV file with one column, not a user
                raise EmailUserError(_joined(path, number, 1))
            if line and not line.startswith('#'):
                entries.append((number, line, {}))
    result = NameList(columns)
    problems = []
    seen: dict[str, Row] = {}
    for number, raw, values in entries:
        name = normalize_username(strip_prefix(raw, prefixes), first_letter)
        problem = (
            'line break'
            if LINE_BREAK.search(raw)
            else 'control character'
            if CONTROL.search(raw)
            else name_problem(name, temp_patterns)
        )
        if problem:
            shown = f'"{shown_value(raw, 1000)}"' if raw else 'the user name'
            problems.append(
                f'Line {number} of {path}: {shown} cannot be a user name ({problem}): '
                'correct or remove the line.'
            )
            continue
        row = Row(path, number, name, values)
        if name in seen:
            result.duplicates.append(_repeat(row, seen[name]))
            continue
        seen[name] = row
        result.rows.append(row)
    if problems:
        raise EmailUserError('\n'.join(problems))
    return result


#: Excel's declaration of the delimiter, on the first line of a CSV file it saves.
SEP_LINE = re.compile(r'sep=(.)', re.IGNORECASE)


def _bare(cell: str) -> str:
    return cell.replace('\ufeff', '').strip().lower()


def _joined(path: str, number: int, header: int) -> str:
    return (
        f'Line {number} of {path} is the header row again (as on line {header}): the file '
        'seems to be several files joined; give each file with its own -users:, or remove '
        'the repeated header.'
    )


def _csv_entries(text: str, path: str, delimiter: str, skipped: int = 0):
    # strict=True: a quote that is not closed where CSV expects it raises, instead of
    # swallowing the rows after it into one value.
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter, strict=True)
    try:
        header = [cell.strip() for cell in next(reader, [''])]
    except csv.Error as e:
        raise EmailUserError(_csv_problem(path, 1 + skipped, delimiter, e)) from None
    first = 1 + skipped
    if any(LINE_BREAK.search(column) for column in header):
        raise EmailUserError(
            f'Line {first} of {path} has a line break inside a column name of the header: put '
            'the header on one line.'
        )
    lowered = [c.lower() for c in header]
    if NAME_COLUMN not in lowered:  # the header line alone looked otherwise
        raise EmailUserError(
            f'Line {first} of {path} has no {NAME_COLUMN} column once its quotes are read: '
            'quote each column name whole, or not at all.'
        )
    name_index = lowered.index(NAME_COLUMN)
    columns = _placeholder_columns(header, name_index, path)
    problems = []
    entries = []
    line = reader.line_num + skipped
    while True:
        number = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            # The rows after a broken one cannot be told apart: stop at the first.
            problems.append(_csv_problem(path, number, delimiter, e))
            break
        line = reader.line_num + skipped
        if not any(cell.strip() for cell in cells):
            continue
        problem = _row_problem(cells, header, name_index, (path, number, first), delimiter)
        if problem:
            problems.append(problem)
            continue
        cells += [''] * (len(header) - len(cells))
        values = {c: v for i, (c, v) in enumerate(zip(header, cells)) if i != name_index}
        entries.append((number, cells[name_index].strip(), values))
    if problems:
        raise EmailUserError('\n'.join(problems))
    return tuple(columns), entries


def _placeholder_columns(header: list[str], name_index: int, path: str) -> list[str]:
    """The columns of *header* besides the user name's, each a placeholder's name.

    :raises EmailUserError: a sentence per column that cannot be a placeholder
    """
    problems = []
    columns = []
    for number, column in enumerate(header, 1):
        if number - 1 == name_index:
            continue
        if not column:
            problems.append(
                f'Column {number} of {path} has no name in the header: name it, or remove it.'
            )
        elif not _WORD.fullmatch(column):
            problems.append(
                f'The column "{column}" of {path} cannot be a placeholder: name it with '
                'letters, digits and _ only, as in event_date.'
            )
        elif column.lower() in BUILTIN:
            problems.append(
                f'The column "{column}" of {path} has the name of a placeholder the script '
                'fills in itself: rename it.'
            )
        elif column in columns:
            problems.append(f'The column "{column}" of {path} is there twice: rename one.')
        columns.append(column)
    if problems:
        raise EmailUserError('\n'.join(problems))
    return columns


def _row_problem(
    cells: list[str], header: list[str], name_index: int, where: tuple, delimiter: str
) -> str | None:
    """Why the row *cells* at *where* (the file, its line and the header's line) cannot be
    read as a recipient's row, or None."""
    path, number, first = where
    # A second header: files joined (cat a.csv b.csv), the second's byte order mark
    # and all. Its "username" would be a recipient, its column names the values.
    name_cell = cells[name_index] if name_index < len(cells) else ''
    if _bare(name_cell) == NAME_COLUMN or [_bare(c) for c in cells] == [_bare(c) for c in header]:
        return _joined(path, number, first)
    if len(cells) > len(header):
        return (
            f'Line {number} of {path} has {len(cells)} fields but the header has '
            f'{len(header)}: quote values that hold "{delimiter}", or remove the extra ones.'
        )
    broken = [
        header[i] or f'column {i + 1}' for i, cell in enumerate(cells) if LINE_BREAK.search(cell)
    ]
    if broken:
        return (
            f'Line {number} of {path} has a line break inside the value of '
            f'{", ".join(broken)}, which is how a quote left open swallows the next rows, '
            'and a subject or a mail header must be one line: put the value on one line.'
        )
    controls = [
        header[i] or f'column {i + 1}' for i, cell in enumerate(cells) if CONTROL.search(cell)
    ]
    if controls:
        found = CONTROL.search(''.join(cells)).group()
        return (
            f'Line {number} of {path} has the control character {found!r} in the value of '
            f'{", ".join(controls)}, which a subject or a mail must not carry: remove it.'
        )
    return None


def _csv_problem(path: str, number: int, delimiter: str, error: csv.Error) -> str:
    """The sentence for the row starting at line *number* that the CSV reader refused."""
    text = str(error)
    if 'field larger than field limit' in text:
        return (
            f'Line {number} of {path} has a value longer than {csv.field_size_limit():,} '
            'characters, more than a -users: file may hold: shorten it.'
        )
    if 'unexpected end of data' in text:
        return (
            f'Line {number} of {path} opens a quoted value that is never closed, so the rows '
            'after it cannot be told apart: close the quote, or remove it.'
        )
    if 'expected after' in text:
        return (
            f'Line {number} of {path} has text after the closing quote of a value: '
            f'quote the whole value and double the quotes inside it, as in "say ""hi""", or '
            'remove the quote.'
        )
    if 'NUL' in text:  # Python before 3.11 reads no NUL at all
        return (
            f"Line {number} of {path} has the control character '\\x00', which a subject or "
            'a mail must not carry: remove it.'
        )
    if 'new-line character' in text:
        return (
            f'Line {number} of {path} has a line break inside a value that is not quoted: '
            'put the value on one line.'
        )
    return f'Line {number} of {path} is not a CSV row ({text}): correct it.'


def read_names(
    path: str,
    prefixes: Iterable[str] = ('User',),
    first_letter: bool = True,
    temp_patterns: Iterable[tuple[str, str]] = (),
) -> NameList:
    """The users of the -users: file at *path* (see :func:`parse_names`).

    :raises EmailUserError: the file cannot be read or a line cannot be used
    """
    try:
        data = Path(path).expanduser().read_bytes()
    except FileNotFoundError:
        raise EmailUserError(
            f'The user list {path} does not exist: check the path given with -users:.'
        ) from None
    except OSError as e:
        raise EmailUserError(
            f'The user list {path} cannot be read ({e.strerror}): check the path given with '
            '-users: and its permissions.'
        ) from None
    try:
        text = data.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b'\n') + 1
        raise EmailUserError(
            f'Line {line} of the user list {path} is not valid UTF-8: save the file as UTF-8.'
        ) from None
    return parse_names(text, path, prefixes, first_letter, temp_patterns)


def read_lists(site, paths: Iterable[str]) -> NameList:
    """The users of every -users: file, with the wiki's names for the user namespace."""
    prefixes = user_prefixes(site)
    first_letter = capitalises_users(site)
    temp_patterns = temp_account_patterns(site)
    result = NameList()
    problems = []
    for path in paths:
        try:
            result.extend(read_names(path, prefixes, first_letter, temp_patterns))
        except EmailUserError as e:
            problems.append(str(e))
    if problems:
        raise EmailUserError('\n'.join(problems))
    return result
