"""A loopback HTTP server for the fetch tests, misbehaving on request by path.

`serve()` starts it on 127.0.0.1 with a free port and stops it (every handler thread wakes
and ends; none outlives the block). Nothing here ever talks to another address: redirects
point at the server itself or at non-network schemes the client must refuse.

Behaviours (NAME is any word; `?h=Name:Value` adds a header to any answer):
  /ok/NAME                 200 with `server.bodies[NAME]` (else `feed_body(NAME)`), ETag,
                           Last-Modified, Cache-Control; 304 to matching validators
  /status/CODE             that status; ?retry_after=V adds Retry-After
  /redirect/CODE/REST      CODE to "/REST" (nest them for chains: /redirect/301/redirect/...)
  /loop                    302 to itself
  /redirect-to?url=U       302 (or ?code=) to U as given: file:, javascript:, relative...
  /slow/SECONDS/NAME       waits, then answers like /ok/NAME
  /trickle                 200 head, then one byte every 0.2 s until the client goes
  /trickle?head=1          the same, but inside a header line: the head never ends
  /huge/BYTES              a BYTES-long body; ?mode=length (default), close or chunked
  /short/NAME              Content-Length promises more than is sent
  /gzip/NAME  /deflate/NAME[?raw=1]   the /ok body, compressed
  /gzip-bomb               `gzip_bomb()`: ~100 KB of gzip that inflates to ~100 MB of zeros
  /bad-gzip                says Content-Encoding: gzip, sends plain XML
  /ct/TYPE/NAME            the /ok body with Content-Type TYPE (URL-encoded)
`server.aliases[path] = other` makes `path` answer as `other` does (switchable mid-test).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import socket
import socketserver
import ssl
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

HOST = "127.0.0.1"
LAST_MODIFIED = formatdate(1_793_000_000, usegmt=True)  # a fixed moment in Nov 2026
MAX_SECONDS = 20.0  # no handler runs longer, whatever the client does
TRICKLE_INTERVAL = 0.2
BOMB_SIZE = 100 * 1024 * 1024


def feed_body(name: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{name}</title><link>http://{HOST}/</link><description>test</description>"
        f"<item><title>Hello from {name}</title><guid>{name}-1</guid></item>"
        "</channel></rss>\n"
    ).encode()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


@functools.cache
def gzip_bomb() -> bytes:
    """Made once per process, in memory: zeros compress about 1000:1."""
    co = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [co.compress(block) for _ in range(BOMB_SIZE // len(block))]
    parts.append(co.flush())
    return b"".join(parts)


@dataclass
class Hit:
    """One request the server saw, and how its answer went."""

    path: str  # with the query
    headers: Message
    sent: int = 0  # body bytes written
    complete: bool = False  # the whole answer was written
    done: threading.Event = field(default_factory=threading.Event)


class FeedServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins every handler thread

    def __init__(self) -> None:
        super().__init__((HOST, 0), _Handler)
        self.stopping = threading.Event()
        self.bodies: dict[str, bytes] = {}
        # path -> path: a stable feed URL whose behaviour a test switches mid-way
        # ("/feed/maya" answers like "/ok/maya", then like "/status/500").
        self.aliases: dict[str, str] = {}
        self.errors: list[str] = []  # unexpected handler exceptions
        self.peak = 0  # most requests in progress at once
        self._in_flight = 0
        self._hits: list[Hit] = []
        self._lock = threading.Lock()

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn); nothing here needs DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = HOST, self.server_address[1]

    @property
    def port(self) -> int:
        return self.server_port

    def url(self, path: str) -> str:
        scheme = "https" if isinstance(self.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{HOST}:{self.server_port}{path}"

    def hits(self, prefix: str) -> list[Hit]:
        with self._lock:
            return [h for h in self._hits if h.path.startswith(prefix)]

    def _begin(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)

    def _end(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):  # clients hang up: expected
            self.errors.append(repr(exc))


@contextmanager
def serve(tls: ssl.SSLContext | None = None) -> Iterator[FeedServer]:
    """A running server; with `tls` (a server-side context) it speaks https instead."""
    server = FeedServer()
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="feedserver"
    )
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()  # wakes every waiting handler
        server.shutdown()
        server.server_close()  # joins the handler threads
        thread.join(timeout=10)


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    protocol_version = "HTTP/1.1"
    timeout = 5  # a stuck client cannot hold a handler thread

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.close_connection = True
        parts = urlsplit(self.server.aliases.get(self.path, self.path))
        self.query = parse_qs(parts.query)
        self.hit = Hit(path=self.path, headers=self.headers)
        self.server._begin(self.hit)
        try:
            self._dispatch([unquote(s) for s in parts.path.split("/")[1:]])
        except (ConnectionError, TimeoutError):
            pass  # the client gave up, as it should with most of these
        finally:
            self.server._end()
            self.hit.done.set()

    # --- helpers ---

    def _send(
        self,
        code: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        ctype: str | None = "application/rss+xml",
        length: bool = True,
    ) -> None:
        self.send_response(code)
        all_headers = {"Content-Type": ctype} if ctype else {}
        all_headers |= headers or {}
        for extra in self.query.get("h", []):
            name, _, value = extra.partition(":")
            all_headers[name.strip()] = value.strip()
        for name, value in all_headers.items():
            self.send_header(name, value)
        if length and code not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self._write(body)
        self.hit.complete = True

    def _write(self, data: bytes) -> None:
        self.wfile.write(data)
        self.hit.sent += len(data)

    def _wait(self, seconds: float) -> bool:
        """Sleep; True when the server is stopping."""
        return self.server.stopping.wait(min(seconds, MAX_SECONDS))

    def _body(self, name: str) -> bytes:
        return self.server.bodies.get(name) or feed_body(name)

    def _ok(self, name: str, ctype: str = "application/rss+xml") -> None:
        body = self._body(name)
        etag = etag_of(body)
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED, "Cache-Control": "max-age=600"}
        inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        if inm is not None:  # RFC 9110 §13.1.2: If-None-Match wins over If-Modified-Since
            fresh = inm.strip() == "*" or etag in [
                t.strip().removeprefix("W/") for t in inm.split(",")
            ]
        elif ims is not None:
            try:
                fresh = parsedate_to_datetime(ims) >= parsedate_to_datetime(LAST_MODIFIED)
            except (TypeError, ValueError):
                fresh = False
        else:
            fresh = False
        if fresh:
            self._send(304, headers=validators, ctype=None)
        else:
            self._send(200, body, validators, ctype=ctype)

    # --- behaviours ---

    def _dispatch(self, seg: list[str]) -> None:
        kind, rest = seg[0], seg[1:]
        arg = self.query.get
        if kind == "ok" and rest:
            self._ok(rest[0])
        elif kind == "status" and rest:
            retry = arg("retry_after")
            code = int(rest[0])
            self._send(code, b"%d\n" % code, {"Retry-After": retry[0]} if retry else {})
        elif kind == "redirect" and len(rest) > 1:
            self._send(int(rest[0]), headers={"Location": "/" + "/".join(rest[1:])})
        elif kind == "loop":
            self._send(302, headers={"Location": "/loop"})
        elif kind == "redirect-to":
            code = int(arg("code", ["302"])[0])
            self._send(code, headers={"Location": arg("url", [""])[0]})
        elif kind == "slow" and len(rest) > 1:
            if not self._wait(float(rest[0])):
                self._ok(rest[1])
        elif kind == "trickle":
            self._trickle(head=bool(arg("head")))
        elif kind == "huge" and rest:
            self._huge(int(rest[0]), arg("mode", ["length"])[0])
        elif kind == "short" and rest:
            body = self._body(rest[0])
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) + 1000))
            self.send_header("Connection", "close")
            self.end_headers()
            self._write(body)
        elif kind == "gzip" and rest:
            body = gzip.compress(self._body(rest[0]), mtime=0)
            self._send(200, body, {"Content-Encoding": "gzip"})
        elif kind == "deflate" and rest:
            co = zlib.compressobj(wbits=-zlib.MAX_WBITS if arg("raw") else zlib.MAX_WBITS)
            body = co.compress(self._body(rest[0])) + co.flush()
            self._send(200, body, {"Content-Encoding": "deflate"})
        elif kind == "gzip-bomb":
            self._send(200, gzip_bomb(), {"Content-Encoding": "gzip"})
        elif kind == "bad-gzip":
            self._send(200, feed_body("bad-gzip"), {"Content-Encoding": "gzip"})
        elif kind == "ct" and len(rest) > 1:
            self._ok(rest[1], ctype=rest[0])
        else:
            self._send(404, b"unknown behaviour\n", ctype="text/plain")

    def _trickle(self, *, head: bool) -> None:
        if head:
            self._write(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nX-Trickle: ")
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Connection", "close")
            self.end_headers()
            self._write(b'<?xml version="1.0"?><rss version="2.0">')
        start = time.monotonic()
        while time.monotonic() - start < MAX_SECONDS and not self._wait(TRICKLE_INTERVAL):
            self._write(b" ")

    def _huge(self, size: int, mode: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if mode == "length":
            self.send_header("Content-Length", str(size))
        elif mode == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        block = b"<!-- filler -->\n" * 4096  # 64 KB
        left = size
        while left > 0 and not self.server.stopping.is_set():
            piece = block[:left]
            if mode == "chunked":
                self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                self.hit.sent += len(piece)
            else:
                self._write(piece)
            left -= len(piece)
        if mode == "chunked":
            self.wfile.write(b"0\r\n\r\n")
        self.hit.complete = left == 0


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])
