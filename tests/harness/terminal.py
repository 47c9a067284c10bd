"""The script on a pseudo-terminal, for the tests of what an operator at a terminal sees."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

from .pwbconfig import SCRIPT, env_for, pwb_command


class Terminal:
    """The script on a pseudo-terminal, answered like a person would."""

    def __init__(self, config_dir, *args: str) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [*pwb_command(), str(SCRIPT), *args],
            cwd=config_dir,
            env=env_for(config_dir),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
        os.close(slave)
        self.screen = ''

    def expect(self, text: str, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while text not in self.screen:
            assert time.monotonic() < deadline, f'no {text!r} in {self.screen[-1500:]!r}'
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.screen += os.read(self.master, 4096).decode(errors='replace')
                except OSError:  # the process closed the terminal
                    break
        assert text in self.screen, self.screen[-1500:]

    def answer(self, text: str) -> None:
        os.write(self.master, text.encode() + b'\r')

    def interrupt(self, limit: float = 30) -> None:
        """Press Ctrl-C at the question on the screen, once the script waits for the answer.

        A person presses a key after the question is shown, never in the same
        millisecond. A signal that lands in that millisecond, between the question's
        output and the read of the answer, is never seen: Python runs its handler
        when the read returns, and the read waits for ever. So the signal is sent
        once the script sleeps in that read (Linux: the process's state and wait channel).
        """
        proc = Path(f'/proc/{self.proc.pid}')
        deadline = time.monotonic() + limit
        while True:
            if self.proc.poll() is not None:
                return  # ended before the question was answered: finish() says how
            state = (proc / 'stat').read_text().rsplit(')', 1)[1].split()[0]
            waiting = (proc / 'wchan').read_text()
            if state == 'S' and any(w in waiting for w in ('poll', 'select', 'wait_woken', 'tty')):
                break
            assert time.monotonic() < deadline, (
                f'not waiting for an answer: {self.screen[-1500:]!r}'
            )
            time.sleep(0.02)
        self.proc.send_signal(signal.SIGINT)

    def finish(self, limit: float = 120) -> int:
        """Wait for the script to end, reading the terminal all the while: a script
        whose output fills the terminal's buffer would otherwise wait for ever."""
        deadline = time.monotonic() + limit
        while True:
            try:
                if select.select([self.master], [], [], 0.2)[0]:
                    self.screen += os.read(self.master, 4096).decode(errors='replace')
                    continue
            except OSError:  # the script closed the terminal
                time.sleep(0.05)
            if self.proc.poll() is not None:
                break
            assert time.monotonic() < deadline, f'still running: {self.screen[-1500:]!r}'
        os.close(self.master)
        return self.proc.returncode
