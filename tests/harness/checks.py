"""What a test reads back, written once: mails received, the report, the journal, waits."""

from __future__ import annotations

import csv
import re
import sqlite3
import time
from collections import Counter
from pathlib import Path

from . import population as pop


def address(name: str) -> str:
    """The address of a recipient of the test wiki."""
    return pop.EMAILABLE.get(name) or pop.crowd_address(name)


def received(mailbox) -> Counter:
    """How many mails each address received."""
    return mailbox.count_by_address()


def exactly_once(names) -> Counter:
    """The count :func:`received` gives when each of *names* got one mail."""
    return Counter({address(n): 1 for n in names})


#: The columns of a -report CSV, in order.
REPORT_COLUMNS = ['username', 'status', 'detail']
#: The columns -editors adds after them.
EDITOR_COLUMNS = ['edits', 'pages']


def report_rows(path: str | Path) -> list[dict[str, str]]:
    """The -report CSV's rows in order, as column -> value; its header checked."""
    with open(path, encoding='utf-8', newline='') as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames in (REPORT_COLUMNS, REPORT_COLUMNS + EDITOR_COLUMNS), reader.fieldnames
    return rows


def read_report(path: str | Path) -> dict[str, tuple[str, str]]:
    """The -report CSV as name -> (status, detail)."""
    return {row['username']: (row['status'], row['detail']) for row in report_rows(path)}


#: The journal's file in a config directory, where a run puts it without -journal:.
JOURNAL = 'emailuser-journal.sqlite3'


def journal_states(journal: str | Path) -> Counter:
    """How many recipients the *journal* file holds in each state."""
    db = sqlite3.connect(journal)
    try:
        return Counter(state for (state,) in db.execute('SELECT state FROM recipient'))
    finally:
        db.close()


def wait_for_mail(mailbox, count: int, proc, limit: float = 60) -> None:
    """Wait until *count* mails arrived (or the process ended); never a timing assertion."""
    deadline = time.monotonic() + limit
    # Counted, not read: reading every message at every look cost more CPU than the run.
    while mailbox.count() < count and proc.poll() is None:
        assert time.monotonic() < deadline, 'the run sent nothing for a minute'
        time.sleep(0.05)


def assert_true_end_lines(output: str, status: int) -> None:
    """No Pywikibot line at the end of *output* contradicts the script's own summary."""
    assert 'operation time' not in output, output
    assert not re.search(r'^Execution time: *$', output, re.M), output
    assert re.search(r'^Execution time: \d+ (s|min)', output, re.M), output
    assert ('Script terminated successfully.' in output) == (status == 0), output


def one_line(text: str) -> str:
    """*text* with every run of spaces and line breaks as one space, as a sentence reads
    whatever width the terminal wrapped it at."""
    return ' '.join(text.split())
