"""A recorder of requests to hosts other than the local wiki, for runs that must reach none."""

from __future__ import annotations

import socket
import threading

from .pwbconfig import SCRIPT, env_for, run_pwb


class HostRecorder:
    """A proxy that takes every connection to a host other than the wiki, and answers none."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.requests.append(conn.recv(4096))
                except OSError:
                    self.requests.append(b'')

    def close(self) -> None:
        self.sock.close()


def run_watched(sender, recorder: HostRecorder, *args: str, timeout: float = 120):
    """Run the script with every host but the local wiki (and its proxy) behind *recorder*.

    Returns the exit status and the output.
    """
    env = env_for(sender.config_dir)
    proxy = f'http://127.0.0.1:{recorder.port}'
    env.update(HTTP_PROXY=proxy, HTTPS_PROXY=proxy, http_proxy=proxy, https_proxy=proxy)
    env.update(NO_PROXY='127.0.0.1,localhost', no_proxy='127.0.0.1,localhost')
    proc = run_pwb(sender.config_dir, str(SCRIPT), *args, env=env, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr
