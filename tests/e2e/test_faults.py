"""Every fault at the first, a middle and the last send, then a rerun: never twice, never lost.

Each cell runs ``pwb emailuser`` for 40 recipients through the fault proxy with
one fault armed, then runs the same command again without faults, and counts the
mails per address at the sink. Whatever the fault, nobody may get two mails, and
whoever got none must be reported ``uncertain`` by the rerun (a send whose answer
was lost may or may not have gone out; only the operator may decide to resend).
When the answer proves that the wiki did not act (a ``maxlag`` error), the send is
retried and everybody gets exactly one mail.

Every cell is recorded, pass or fail, in ``fault-matrix.md`` in pytest's base
temporary directory (each xdist worker's own, for the cells it ran), printed at the end
of the module (visible with ``-s``).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness import population as pop
from harness.checks import read_report

pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

RECIPIENTS = pop.CROWD[:40]


ADDRESSES = {pop.crowd_address(n): n for n in RECIPIENTS}


SENDER_ADDRESS = pop.SENDERS['Sender'][0]


POSITIONS = {'first': 1, 'middle': 20, 'last': 40}


FAULTS = [
    '504-after',
    'html-after',
    'hold-after',
    'reset-after',
    'reset-before',
    '503-before',
    'apierror-before:maxlag',
]


#: Faults whose answer proves that the wiki did not act: the send may be retried.
PROVEN_NOT_SENT = {'apierror-before:maxlag'}


#: How many refusals of every mail in a row a run may meet before it stops.
FEW = 5


@dataclass
class Cell:
    """What one cell of the matrix found."""

    name: str
    exits: tuple[int | None, int | None] = (None, None)
    mails: int = 0
    duplicates: int = 0
    uncertain: int = 0
    lost: int = 0
    seconds: float = 0.0
    verdict: str = 'error'  # until a check passes or fails
    notes: list[str] = field(default_factory=list)


class Matrix:
    """The cells run so far, written out as a markdown table after each one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cells: list[Cell] = []
        self.started = time.monotonic()

    def table(self) -> str:
        lines = [
            '| cell | exit run 1 | exit rerun | mails | duplicates | uncertain | lost | s '
            '| verdict |',
            '|---|---|---|---|---|---|---|---|---|',
        ]
        for c in self.cells:
            verdict = c.verdict + (f': {"; ".join(c.notes)}' if c.notes else '')
            lines.append(
                f'| {c.name} | {c.exits[0]} | {c.exits[1]} | {c.mails} | {c.duplicates} '
                f'| {c.uncertain} | {c.lost} | {c.seconds:.1f} | {verdict} |'
            )
        failed = sum(c.verdict != 'pass' for c in self.cells)
        lines.append('')
        lines.append(
            f'{len(self.cells)} cells, {failed} failed, '
            f'{time.monotonic() - self.started:.0f} s wall time for the module.'
        )
        return '\n'.join(lines) + '\n'

    def write(self) -> None:
        self.path.write_text(self.table())


@pytest.fixture(scope='module')
def matrix(tmp_path_factory):
    found = Matrix(tmp_path_factory.getbasetemp() / 'fault-matrix.md')
    yield found
    found.write()
    print(f'\n\nFault matrix ({found.path}):\n\n{found.table()}')


@pytest.fixture(scope='module')
def recipients_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp('matrix') / 'recipients.txt'
    path.write_text(''.join(f'User:{name}\n' for name in RECIPIENTS))
    return path


@pytest.fixture(scope='module')
def matrix_sender(sender_via_proxy_factory):
    """One sender config for every cell: each cell is its own campaign (subject)."""
    return sender_via_proxy_factory('Sender')


@dataclass
class Outcome:
    """A cell's record, and what the tests check beyond its numbers."""

    cell: Cell
    fired: bool
    counts: Counter  # mails per crowd address
    nothing: list[str]  # recipients who got no mail
    uncertain: set[str]  # recipients the rerun reports uncertain


@pytest.fixture
def run_cell(matrix, matrix_sender, proxy, mailbox, wiki, recipients_file, tmp_path):
    """Run the crowd with a fault armed, then the same command without; count the mails.

    ``run_cell(name, arm, at=N, ccme=False)``: *arm* arms the proxy before run 1;
    the fault "fired" when run 1 made at least *at* sends. For the rerun the proxy
    is disarmed and the sink takes every mail again. The cell is recorded in the
    matrix whatever happens.
    """

    def run(name: str, arm, *, at: int, ccme: bool = False) -> Outcome:
        cell = Cell(name)
        matrix.cells.append(cell)
        started = time.monotonic()
        args = [
            f'-file:{recipients_file}',
            f'-subject:Matrix {name} for {{username}}',
            # Each cell mails the same people again, on purpose.
            f'-campaign:Matrix {name}',
            f'-text:Hello {{username}}, this is cell {name}.',
            '-always',
            *(['-ccme'] if ccme else []),
        ]
        try:
            arm()
            first = matrix_sender.run(*args, f'-report:{tmp_path / "first.csv"}', timeout=240)
            fired = sum(entry.kind == 'emailuser' for entry in proxy.log) >= at
            proxy.disarm()
            wiki.accept_all_mail()
            rerun = matrix_sender.run(*args, f'-report:{tmp_path / "rerun.csv"}', timeout=240)
            cell.exits = (first.returncode, rerun.returncode)
            (tmp_path / 'first.log').write_text(first.output)
            (tmp_path / 'rerun.log').write_text(rerun.output)
            counts = Counter(m.to_address for m in mailbox.messages() if m.to_address in ADDRESSES)
            rerun_report = tmp_path / 'rerun.csv'
            report = read_report(rerun_report) if rerun_report.exists() else {}
            uncertain = {user for user, (status, _) in report.items() if status == 'uncertain'}
            nothing = [ADDRESSES[a] for a in ADDRESSES if counts[a] == 0]
            cell.mails = sum(counts.values())
            cell.duplicates = sum(n - 1 for n in counts.values() if n > 1)
            cell.uncertain = len(uncertain)
            cell.lost = sum(user not in uncertain for user in nothing)
            if cell.duplicates:
                twice = sorted(ADDRESSES[a] for a, n in counts.items() if n > 1)
                cell.notes.append(f'twice: {", ".join(twice)}')
            if cell.lost:
                lost = [user for user in nothing if user not in uncertain]
                cell.notes.append(f'lost: {", ".join(lost)}')
            return Outcome(cell, fired, counts, nothing, uncertain)
        finally:
            cell.seconds = time.monotonic() - started
            matrix.write()

    return run


def check(cell: Cell, condition: bool, failure: str) -> None:
    """Record a failed expectation on the cell, then fail the test with it."""
    if not condition:
        cell.verdict = 'FAIL'
        cell.notes.insert(0, failure)
    assert condition, f'{cell.name}: {failure} ({"; ".join(cell.notes)})'


#: Faults at the edit of -fallback:talk; after the "-after" ones the section is saved.
TALK_FAULTS = ['504-after', 'html-after', 'hold-after', 'reset-after', 'reset-before', '503-before']


@pytest.mark.parametrize('position', POSITIONS, ids=list(POSITIONS))
@pytest.mark.parametrize('fault', FAULTS)
def test_a_lost_or_refused_answer_never_sends_twice_nor_loses_anyone(
    fault, position, run_cell, proxy
):
    at = POSITIONS[position]
    found = run_cell(f'{fault}@{at}', lambda: proxy.arm('emailuser', fault, at=at), at=at)
    cell = found.cell
    check(cell, found.fired, f'run 1 did not reach send {at}')
    check(cell, cell.duplicates == 0, 'somebody got two mails')
    check(cell, cell.lost == 0, f'{cell.lost} got no mail and are not reported uncertain')
    if fault in PROVEN_NOT_SENT:
        check(cell, set(found.counts) == set(ADDRESSES), 'a send the wiki refused was not retried')
        check(cell, cell.exits[0] == 0, f'run 1 ended with {cell.exits[0]}')
    cell.verdict = 'pass'


@pytest.mark.parametrize('position', [20])
def test_a_refused_copy_to_the_sender_is_uncertain_and_not_sent_again(
    position, run_cell, proxy, wiki
):
    def arm():
        # The copy of the 20th email bounces; the wiki answers Failure after sending it.
        proxy.call('emailuser', lambda: wiki.refuse_mail_to(SENDER_ADDRESS), at=position)
        proxy.call('emailuser', wiki.accept_all_mail, at=position + 1)

    found = run_cell(f'ccme, copy refused@{position}', arm, at=position, ccme=True)
    cell = found.cell
    check(cell, found.fired, f'run 1 did not reach send {position}')
    check(cell, cell.duplicates == 0, 'somebody got two mails')
    check(cell, cell.lost == 0, f'{cell.lost} got no mail and are not reported uncertain')
    refused = RECIPIENTS[position - 1]
    check(cell, found.counts[pop.crowd_address(refused)] == 1, f'{refused} got no mail')
    check(cell, refused in found.uncertain, f'{refused} (a Failure) is not reported uncertain')
    cell.verdict = 'pass'


@pytest.mark.parametrize('position', [20])
def test_a_mail_server_that_refuses_everything_stops_the_run(position, run_cell, proxy, wiki):
    found = run_cell(
        f'all mail refused from @{position}',
        lambda: proxy.call('emailuser', wiki.refuse_all_mail, at=position),
        at=position,
    )
    cell = found.cell
    check(cell, found.fired, f'run 1 did not reach send {position}')
    check(cell, cell.exits[0] == 75, f'run 1 ended with {cell.exits[0]}, not 75')
    check(cell, cell.duplicates == 0, 'somebody got two mails')
    check(cell, cell.lost == 0, f'{cell.lost} got no mail and are not reported uncertain')
    refused = len(found.nothing)
    check(cell, 1 <= refused <= FEW, f'{refused} refused sends before the run stopped')
    cell.verdict = 'pass'


@pytest.mark.parametrize('fault', TALK_FAULTS)
def test_a_lost_answer_to_a_talk_page_post_never_posts_twice(
    fault, matrix, matrix_sender, proxy, mailbox, wiki, tmp_path
):
    """-fallback:talk: the edit is never repeated blindly; a lost answer is proved or uncertain."""
    cell = Cell(f'talk {fault}@1')
    matrix.cells.append(cell)
    started = time.monotonic()
    user = pop.NO_ADDRESS_POSTABLE
    subject = f'Talk matrix {fault}'
    args = [
        f'-page:User:{user}',
        f'-subject:{subject}',
        '-text:Hello {username}, this is a talk page cell.',
        '-fallback:talk',
        '-always',
    ]
    try:
        proxy.arm('edit', fault, at=1)
        first = matrix_sender.run(*args, f'-report:{tmp_path / "first.csv"}', timeout=240)
        fired = any(entry.kind == 'edit' and entry.fault != 'pass' for entry in proxy.log)
        proxy.disarm()
        rerun = matrix_sender.run(*args, f'-report:{tmp_path / "rerun.csv"}', timeout=240)
        cell.exits = (first.returncode, rerun.returncode)
        (tmp_path / 'first.log').write_text(first.output)
        (tmp_path / 'rerun.log').write_text(rerun.output)
        posts = (wiki.page_text(f'User talk:{user}') or '').count(f'== {subject} ==')
        first_status = read_report(tmp_path / 'first.csv').get(user, ('', ''))[0]
        status = read_report(tmp_path / 'rerun.csv').get(user, ('', ''))[0]
        cell.mails = posts
        cell.duplicates = max(0, posts - 1)
        cell.uncertain = int(status == 'uncertain')
        cell.lost = int(posts == 0 and status != 'uncertain')
        check(cell, fired, 'the fault did not fire')
        check(cell, cell.duplicates == 0, f'the section was posted {posts} times')
        check(cell, cell.lost == 0, f'nothing was posted and the rerun says {status}')
        if fault.endswith('-after'):
            check(cell, posts == 1, 'the saved section is not on the page')
            check(cell, first_status == 'posted', f'a saved post was not proved ({first_status})')
        cell.verdict = 'pass'
    finally:
        cell.seconds = time.monotonic() - started
        matrix.write()
