"""The stops of a run (run/interrupts.py): when a stop waits, when it cuts, and the output."""

from __future__ import annotations

import io
import os

import pytest

from emailuserlib.core.errors import Interrupted
from emailuserlib.core.sentences import CLOSED_OUTPUT, stopped
from emailuserlib.run.interrupts import GuardedOutput, Interrupts


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_stop_between_deliveries_stops_at_once_and_a_repeat_is_ignored():
    stops = Interrupts()
    with pytest.raises(Interrupted) as raised:
        stops.request('SIGTERM', 15)
    assert raised.value.cause == 'SIGTERM'
    stops.request('Ctrl-C', 2)  # the stop is under way already: nothing more to stop
    assert stops.received == 'SIGTERM'
    with pytest.raises(Interrupted):
        stops.check()


def test_a_stop_during_a_delivery_waits_for_it_and_a_second_one_cuts_it_short():
    clock = Clock()
    stops = Interrupts(clock)
    with pytest.raises(Interrupted) as raised, stops.protect('Alice'):
        stops.request('SIGTERM', 15)  # noted: the delivery finishes first
        assert stops.received == 'SIGTERM' and not stops.cut
        clock.now += 2
        stops.request('Ctrl-C', 2)
    assert raised.value.cause == 'SIGTERM'
    assert stops.cut == 'Alice'


def test_timeout_s_signal_twice_at_once_is_one_stop():
    # GNU timeout sends its signal to the process and then to its process group.
    clock = Clock()
    stops = Interrupts(clock)
    with stops.protect('Alice'):
        stops.request('SIGTERM', 15)
        clock.now += 0.01
        stops.request('SIGTERM', 15)
    assert stops.received == 'SIGTERM' and not stops.cut
    with pytest.raises(Interrupted):
        stops.check()


def test_a_closed_output_never_cuts_a_delivery_short():
    clock = Clock()
    stops = Interrupts(clock)
    with stops.protect('Alice'):
        stops.output_closed()
        stops.output_closed()
        # Ctrl-C after it is the operator's first: the delivery still finishes.
        stops.request('Ctrl-C', 2)
    assert not stops.cut and stops.received == 'Ctrl-C'
    later = Interrupts(clock)
    with pytest.raises(Interrupted) as raised:
        later.output_closed()
    assert raised.value.cause == CLOSED_OUTPUT


def test_once_the_run_ends_every_stop_is_ignored():
    stops = Interrupts()
    stops._ending = True  # as end() sets it, without touching this process's handlers
    stops.request('SIGTERM', 15)
    stops.output_closed()
    stops.check()
    assert stops.received is None


def test_a_reader_that_went_away_neither_raises_nor_is_written_to_again():
    read, write = os.pipe()
    os.close(read)
    stream = io.TextIOWrapper(io.FileIO(write, 'w'), encoding='utf-8')
    told = []
    guarded = GuardedOutput(stream)
    guarded.on_close = lambda: told.append('closed')
    assert guarded.write('line\n') == 5
    guarded.write('more\n')
    guarded.flush()
    assert told == ['closed'] and guarded.closed_by_reader
    stream.close()  # its buffer goes to the null device now: no BrokenPipeError


@pytest.mark.parametrize(
    ('cause', 'doing', 'sending', 'line'),
    [
        ('SIGTERM', '', True, 'Stopped by SIGTERM: run the same command again to go on.'),
        (
            'Ctrl-C',
            'reading the histories of the pages',
            True,
            'Stopped by Ctrl-C while reading the histories of the pages, before anything was '
            'sent: run the same command again.',
        ),
        (
            CLOSED_OUTPUT,
            'listing who can be emailed',
            False,
            'Stopped as its output was closed while listing who can be emailed: run the same '
            'command again.',
        ),
    ],
)
def test_the_stop_is_named(cause, doing, sending, line):
    assert stopped(cause, doing, sending=sending) == line
