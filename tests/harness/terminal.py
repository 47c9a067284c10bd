"""The script on a pseudo-terminal, for the tests of what an operator at a terminal sees."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time

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
