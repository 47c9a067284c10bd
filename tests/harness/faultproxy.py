"""An HTTP proxy in front of the test wiki that loses, garbles or delays answers on demand.

The proxy runs in a thread of the test process, on a free port of 127.0.0.1, and
forwards every request to the wiki unchanged (method, path, headers with cookies,
body), keeping the client's connection alive as a plain server would. A test arms
faults by request kind and count::

    with FaultProxy(wiki.url) as proxy:
        proxy.arm('emailuser', '504-after', at=3)

and the third ``action=emailuser`` request from then on gets a 504 although the
wiki sent the mail. The kind of a request is its ``action`` parameter, from the
query string or the POST body (urlencoded or multipart); a query is also known as
``query:NAME`` for each of its ``meta``, ``list`` and ``prop`` modules, so that
``proxy.arm('query:tokens', ...)`` hits only token requests.

Faults named ``...-after`` let the wiki act first and then spoil the answer;
faults named ``...-before`` never reach the wiki:

``502-after``, ``504-after`` (any ``5xx-after``)
    forward, drop the wiki's answer, answer that status with a small HTML page
``html-after``
    forward, answer 200 with an HTML page (a captive portal, a CDN error page)
``hold-after``
    forward, hold the answer for :attr:`FaultProxy.hold_seconds`, then close
``reset-after``
    forward, then reset the connection (RST) without answering
``reset-before``
    reset the connection without forwarding
``503-before``
    answer 503 with an HTML page without forwarding
``apierror-before:CODE``
    answer 200 with the API error *CODE* (``maxlag``, ``readonly``,
    ``ratelimited``...) as MediaWiki words it, without forwarding
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

#: Faults that let the wiki act before the answer is spoiled.
AFTER = ('html-after', 'hold-after', 'reset-after')
#: Faults that never reach the wiki.
BEFORE = ('reset-before', '503-before')

# Headers that belong to one connection, not to the request or the answer.
_HOP_BY_HOP = {
    'connection',
    'keep-alive',
    'proxy-authenticate',
    'proxy-authorization',
    'proxy-connection',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
}

_API_ERRORS = {
    'maxlag': ('Waiting for 127.0.0.1: 3 seconds lagged.', {'lag': 3, 'host': '127.0.0.1'}),
    'readonly': (
        'The wiki is currently in read-only mode.',
        {'readonlyreason': 'Database maintenance, back soon.'},
    ),
    'ratelimited': (
        'As an anti-abuse measure, you are limited from performing this action too many times '
        'in a short space of time, and you have exceeded this limit. Please try again in a few '
        'minutes.',
        {},
    ),
}

_PAGE = (
    '<!DOCTYPE html>\n<html><head><title>{title}</title></head>'
    '<body><h1>{title}</h1><p>The proxy between you and the wiki says so.</p></body></html>\n'
)


def fault_name_is_valid(fault: str) -> bool:
    """Whether *fault* is one that :meth:`FaultProxy.arm` accepts."""
    if fault in AFTER or fault in BEFORE:
        return True
    if re.fullmatch(r'5\d\d-after', fault):
        return True
    return fault.startswith('apierror-before:') and len(fault) > len('apierror-before:')


class Entry(NamedTuple):
    """One request the proxy saw: its kind, what it did to it, whether the wiki got it."""

    kind: str
    fault: str  # 'pass' when untouched
    forwarded: bool


@dataclass
class _Armed:
    kind: str
    fault: str
    at: int
    times: int
    seen: int = 0
    fired: int = 0
    call: Callable[[], object] | None = None


def request_kinds(method: str, path: str, headers, body: bytes) -> list[str]:
    """The kinds of a request: its ``action`` first, then ``query:MODULE`` for a query.

    Non-API requests (index.php, static files) are of kind ``other``.
    """
    params = parse_qs(urlsplit(path).query)
    content_type = headers.get('Content-Type', '')
    if method == 'POST' and body:
        if content_type.startswith('multipart/form-data'):
            params.update(_multipart_fields(content_type, body))
        else:
            params.update(parse_qs(body.decode('utf-8', 'replace')))
    action = (params.get('action') or [''])[0]
    if not action:
        return ['other']
    kinds = [action]
    if action == 'query':
        for key in ('meta', 'list', 'prop'):
            for value in params.get(key, []):
                kinds += [f'query:{module}' for module in value.split('|') if module]
    return kinds


def _multipart_fields(content_type: str, body: bytes) -> dict[str, list[str]]:
    boundary = re.search(r'boundary="?([^";]+)"?', content_type)
    if not boundary:
        return {}
    fields: dict[str, list[str]] = {}
    for part in body.split(b'--' + boundary.group(1).encode()):
        head, sep, value = part.partition(b'\r\n\r\n')
        name = re.search(rb'name="([^"]*)"', head)
        if sep and name:
            fields.setdefault(name.group(1).decode(), []).append(
                value.removesuffix(b'\r\n').decode('utf-8', 'replace')
            )
    return fields


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # keep-alive, as requests expects from a wiki
    # Headers and body go out in two writes: without this, Nagle's algorithm and the
    # client's delayed ACK add 40 ms to every answer.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.proxy._accepted(self.connection)

    def finish(self) -> None:
        self.server.proxy._connections.discard(self.connection)
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    def log_message(self, format, *args) -> None:
        pass  # the proxy's own log is FaultProxy.log

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        proxy = self.server.proxy
        kinds = request_kinds(self.command, self.path, self.headers, body)
        fault, calls = proxy._take_fault(kinds)
        for call in calls:
            call()
        if fault in BEFORE or fault.startswith('apierror-before:'):
            proxy._record(kinds[0], fault, forwarded=False)
            if fault == 'reset-before':
                self._reset()
            elif fault == '503-before':
                self._answer_page(503, 'Service Unavailable')
            else:
                self._answer_api_error(fault.partition(':')[2])
            return
        try:
            status, headers, payload = self._forward(body)
        except OSError:
            # The wiki is down: say so as a gateway would, and log it as not forwarded.
            proxy._record(kinds[0], fault, forwarded=False)
            self._answer_page(502, 'Bad Gateway')
            return
        proxy._record(kinds[0], fault, forwarded=True)
        if fault == 'pass':
            self._answer(status, headers, payload)
        elif fault == 'html-after':
            self._answer_page(200, 'Welcome to the guest network')
        elif fault == 'hold-after':
            proxy._stopping.wait(proxy.hold_seconds)
            self.close_connection = True
        elif fault == 'reset-after':
            self._reset()
        else:  # 5xx-after
            code = int(fault[:3])
            self._answer_page(code, http.client.responses.get(code, 'Server Error'))

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        proxy = self.server.proxy
        upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            headers['Host'] = f'{proxy.upstream_host}:{proxy.upstream_port}'
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
            return response.status, response.getheaders(), payload
        finally:
            upstream.close()

    def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        self.send_response_only(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP and name.lower() != 'content-length':
                self.send_header(name, value)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(payload)

    def _answer_page(self, status: int, title: str) -> None:
        page = _PAGE.format(title=f'{status} {title}' if status != 200 else title).encode()
        self._answer(status, [('Content-Type', 'text/html; charset=utf-8')], page)

    def _answer_api_error(self, code: str) -> None:
        info, extra = _API_ERRORS.get(code, (f'The proxy says {code}.', {}))
        error = {'code': code, 'info': info, **extra, 'docref': 'See /api.php for API usage.'}
        headers = [
            ('Content-Type', 'application/json; charset=utf-8'),
            ('MediaWiki-API-Error', code),
        ]
        if code in ('maxlag', 'ratelimited', 'readonly'):
            headers.append(('Retry-After', '1'))
        payload = json.dumps({'error': error, 'servedby': 'faultproxy'}).encode()
        self._answer(200, headers, payload)

    def _reset(self) -> None:
        """Close the client's connection with a TCP reset instead of an answer."""
        self.close_connection = True
        # Linger 0: close() sends RST at once, whatever is still buffered.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        # The socket really closes when its last reader does; the writer is unbuffered
        # and stays open, so that the server's final flush finds nothing to send.
        self.connection.close()
        self.rfile.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: FaultProxy

    def handle_error(self, request, client_address) -> None:
        # A client that went away (after a reset or a read timeout) is not an error here.
        pass


class FaultProxy:
    """A fault-injecting proxy for the wiki at *upstream* (``http://127.0.0.1:PORT``).

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, upstream: str, hold_seconds: float = 6.0) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or '127.0.0.1'
        self.upstream_port = parts.port or 80
        #: How long ``hold-after`` holds an answer: longer than the client's read timeout.
        self.hold_seconds = hold_seconds
        self.port = 0
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []
        self._log: list[Entry] = []
        self._forwarded: Counter = Counter()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        #: Client connections accepted since the last :meth:`reset`.
        self.connections = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    @property
    def api_url(self) -> str:
        """The wiki's api.php through the proxy: harness.sessions talks to either."""
        return f'{self.url}/api.php'

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """Listen on a free port of 127.0.0.1 and serve in a background thread."""
        self._stopping.clear()
        self._server = _Server(('127.0.0.1', 0), _Handler)
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f'faultproxy:{self.port}', daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release held answers; safe to call twice."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        # Kept-alive client connections would otherwise go on being served.
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def arm(self, kind: str, fault: str, at: int = 1, times: int = 1) -> None:
        """Give *fault* to the *at*-th request of *kind* from now on (and *times* - 1 after it)."""
        if not fault_name_is_valid(fault):
            raise ValueError(f'unknown fault {fault!r}')
        if at < 1 or times < 1:
            raise ValueError('at and times count from 1')
        with self._lock:
            self._armed.append(_Armed(kind, fault, at, times))

    def call(self, kind: str, function: Callable[[], object], at: int = 1) -> None:
        """Run *function* just before the *at*-th request of *kind* from now on is handled.

        For changes of the world at a given point of a run, e.g. a mail server
        that starts bouncing at the 20th email.
        """
        if at < 1:
            raise ValueError('at counts from 1')
        with self._lock:
            self._armed.append(_Armed(kind, 'pass', at, 1, call=function))

    def disarm(self) -> None:
        """Let every further request pass."""
        with self._lock:
            self._armed.clear()

    def reset(self) -> None:
        """Disarm, and forget the log and the counts."""
        with self._lock:
            self._armed.clear()
            self._log.clear()
            self._forwarded.clear()
            self.connections = 0

    @property
    def log(self) -> list[Entry]:
        """Every request so far: (kind, fault or ``'pass'``, forwarded)."""
        with self._lock:
            return list(self._log)

    def forwarded(self, kind: str) -> int:
        """How many requests of *kind* (an action) reached the wiki."""
        with self._lock:
            return self._forwarded[kind]

    def pending(self) -> int:
        """How many armed faults and calls have not happened yet."""
        with self._lock:
            return sum(a.times - a.fired for a in self._armed)

    def _accepted(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)
            self.connections += 1

    def _take_fault(self, kinds: list[str]) -> tuple[str, list[Callable[[], object]]]:
        fault, calls = 'pass', []
        with self._lock:
            for armed in self._armed:
                if armed.kind not in kinds:
                    continue
                armed.seen += 1
                if not armed.at <= armed.seen < armed.at + armed.times:
                    continue
                if armed.call is not None:
                    armed.fired += 1
                    calls.append(armed.call)
                elif fault == 'pass':
                    armed.fired += 1
                    fault = armed.fault
        return fault, calls

    def _record(self, kind: str, fault: str, forwarded: bool) -> None:
        with self._lock:
            self._log.append(Entry(kind, fault, forwarded))
            if forwarded:
                self._forwarded[kind] += 1
