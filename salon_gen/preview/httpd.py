"""The preview's HTTP server and its reload state.

Shell. Owns `PreviewServer` (one folder served with pretty URLs, the theme's 404 page, the
reload client injected into HTML and the `/__salon__/` endpoints) and `Reload` (an epoch the
browser follows over Server-Sent Events, and the diagnostics of a failed build). The
decisions it relies on (where a URL may lead, content types, what is injected into pages)
are pure functions in `livereload`. Must not build, watch or print.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import socketserver
import stat
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urlsplit

from salon_gen.core.errors import Diagnostic
from salon_gen.preview import livereload

DEFAULT_HOST = "127.0.0.1"  # loopback only: a preview is not for the network
DEFAULT_PORT = 8000
HEARTBEAT = 15.0  # seconds between SSE comments: finds dead clients, keeps proxies quiet
RETRY_MS = 1000  # how soon EventSource reconnects after the server goes away


# --- reload state --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Status:
    """What the browser should know, as of one moment."""

    epoch: int  # bumps on every change of state: a new build, or a failed one
    build: str  # which files are being served: changes only when a build succeeds
    ready: bool  # False until the first build succeeds (there is nothing to serve yet)
    diagnostics: tuple[Diagnostic, ...] = ()  # the last build's, when it failed
    base_path: str = "/"  # where the site lives on the server ("/" or "/blog/")

    def to_json(self) -> str:
        return livereload.status_json(self.build, self.epoch, self.diagnostics)


class Reload:
    """The reload state shared by the rebuild loop (writer) and every request (readers).

    A condition variable guards it; `wait` wakes on every change and on `close`, so no
    handler thread outlives the server.
    """

    def __init__(self, base_path: str = "/") -> None:
        self._cond = threading.Condition()
        # A token per server: a browser tab that outlives one `salon serve` and reconnects to
        # the next must reload even though both count builds from 1.
        self._token = secrets.token_hex(4)
        self._builds = 0
        self._status = Status(epoch=0, build=f"{self._token}-0", ready=False, base_path=base_path)
        self._closed = False

    def current(self) -> Status:
        with self._cond:
            return self._status

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    def built(self, base_path: str) -> Status:
        """A build succeeded: new files are being served and nothing is wrong."""
        with self._cond:
            self._builds += 1
            self._status = Status(
                epoch=self._status.epoch + 1,
                build=f"{self._token}-{self._builds}",
                ready=True,
                base_path=base_path,
            )
            self._cond.notify_all()
            return self._status

    def failed(self, diagnostics: Sequence[Diagnostic]) -> Status:
        """A build failed: the last good files stay, the browser shows what is wrong."""
        with self._cond:
            self._status = replace(
                self._status, epoch=self._status.epoch + 1, diagnostics=tuple(diagnostics)
            )
            self._cond.notify_all()
            return self._status

    def wait(self, epoch: int, timeout: float) -> Status | None:
        """The status once its epoch differs from `epoch` (or as it is after `timeout`);
        None once the server is closing."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._status.epoch != epoch, timeout)
            return None if self._closed else self._status

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


# --- the HTTP server -----------------------------------------------------------------------


_NOT_BUILT = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>salon: nothing to show yet</title></head>
<body><h1>salon could not build the site yet</h1>
<p>The problems are listed in the terminal. Fix them and save: this page reloads by itself.</p>
</body></html>
"""


class PreviewServer(ThreadingHTTPServer):
    """Serves one folder (the preview build) with pretty URLs, the theme's 404 page, the
    reload client injected into HTML, and the `/__salon__/` endpoints.

    Every handler thread is joined on `stop()`: handlers waiting for reload events are woken
    by `Reload.close`, and connections blocked on a read or write are shut down.
    """

    daemon_threads = False  # joined on close, never abandoned
    block_on_close = True

    def __init__(
        self,
        folder: Path,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        reload: Reload | None = None,
        heartbeat: float = HEARTBEAT,
    ) -> None:
        self.folder = folder
        self.reload = reload if reload is not None else Reload()
        self.heartbeat = heartbeat
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host up in DNS (getfqdn) only to fill in a name we
        # never use; that can take seconds on a machine with a slow resolver.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    @property
    def host(self) -> str:
        return str(self.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        host = self.host
        if host in ("0.0.0.0", "::"):  # listening everywhere; loopback works on this machine
            host = "127.0.0.1" if host == "0.0.0.0" else "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{self.reload.current().base_path}"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.2}, name="salon-serve"
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and join every thread this server started. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self.reload.close()
        if self._thread is not None:
            self.shutdown()  # returns once serve_forever has; no new connections after this
            self._thread.join()
        with self._connections_lock:
            open_connections = list(self._connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                conn.shutdown(socket.SHUT_RDWR)  # wakes a handler blocked on recv or send
        self.server_close()  # joins the handler threads (block_on_close)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # a browser that went away or stalled: nothing to report
        super().handle_error(request, client_address)


def host_allowed(header: str | None, bound: str) -> bool:
    """Whether a request's Host header names this preview (pure): an IP address, localhost,
    or the address it was told to listen on. A DNS-rebinding page reaches the preview under
    its own host name, which is none of these, and is refused."""
    if header is None:
        return True  # HTTP/1.0 without Host: no browser sends that
    name = header.strip().lower()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    name = name.rstrip(".")
    if name in ("localhost", bound.lower().strip("[]")) or name.endswith(".localhost"):
        return True
    import ipaddress

    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is(path: Path, kind: Callable[[int], bool]) -> bool:
    """Whether `path` is there and of `kind` (stat.S_ISDIR...). Any OSError is "no": a path
    the OS refuses to look up (ENAMETOOLONG past PATH_MAX, say) is a 404, not a traceback."""
    try:
        return kind(path.stat().st_mode)
    except OSError:
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request a connection: no idle keep-alive threads
    server_version = "salon-preview"
    timeout = 60  # a client that connects and never speaks cannot hold a thread forever

    @property
    def preview(self) -> PreviewServer:
        return cast(PreviewServer, self.server)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build results and diagnostics, not a request log

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        try:
            if not host_allowed(self.headers.get("Host"), self.preview.host):
                body = b"salon serve answers only to loopback names and its own address\n"
                self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain", body, head, None)
                return
            self._route(head)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _route(self, head: bool) -> None:
        split = urlsplit(self.path)
        path = split.path
        if path.startswith(livereload.ENDPOINT_PREFIX):
            self._endpoint(path, head)
            return
        # Read the status before any file: a page is then never older than the build id it
        # carries (at worst newer, which costs one needless reload, never a stale page).
        status = self.preview.reload.current()
        base = status.base_path
        if not path.startswith(base):
            if path in ("/", base.rstrip("/")):
                self._redirect(base, split.query)
            else:
                self._not_found(status, head)
            return
        if not status.ready:
            self._send(
                HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", _NOT_BUILT, head, status
            )
            return
        rel = path[len(base) :]
        folder = self._folder()
        target = livereload.safe_path(folder, rel)
        if target is not None and _is(target, stat.S_ISDIR):
            segments = livereload.url_segments(rel) or ()
            if not path.endswith("/"):
                # Built from the checked segments, never from the raw path: "//evil.example"
                # must not become a protocol-relative Location.
                self._redirect(base + "".join(quote(s) + "/" for s in segments), split.query)
                return
            target = livereload.safe_path(folder, "/".join((*segments, "index.html")))
        if target is None or not _is(target, stat.S_ISREG):
            self._not_found(status, head)
            return
        self._send_file(HTTPStatus.OK, target, head, status)

    def _folder(self) -> Path:
        folder = self.preview.folder
        # write_site swaps the new build in with two renames; a request landing between them
        # waits for the second instead of answering 404.
        for _ in range(50):
            if folder.is_dir():
                break
            time.sleep(0.01)
        return folder

    def _endpoint(self, path: str, head: bool) -> None:
        status = self.preview.reload.current()
        if path == livereload.EVENTS_URL:
            self._events(head)
        elif path == livereload.STATUS_URL:
            self._send(HTTPStatus.OK, "application/json", status.to_json().encode(), head, None)
        elif path == livereload.CLIENT_URL:
            self._send(
                HTTPStatus.OK,
                "text/javascript; charset=utf-8",
                livereload.CLIENT_JS.encode(),
                head,
                None,
            )
        else:
            self._send(
                HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n", head, None
            )

    def _events(self, head: bool) -> None:
        """Server-Sent Events: the current state at once, then each change, heartbeats in
        between; returns when the client leaves or the server closes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        if head:
            return
        reload = self.preview.reload
        status = reload.current()
        self.wfile.write(f"retry: {RETRY_MS}\n\n".encode())
        self.wfile.write(livereload.sse_event("state", status.to_json(), str(status.epoch)))
        while True:
            nxt = reload.wait(status.epoch, self.preview.heartbeat)
            if nxt is None:
                return
            if nxt.epoch == status.epoch:
                self.wfile.write(b": heartbeat\n\n")
                continue
            status = nxt
            self.wfile.write(livereload.sse_event("state", status.to_json(), str(status.epoch)))

    def _redirect(self, location: str, query: str) -> None:
        self.send_response(HTTPStatus.FOUND)  # not 301: browsers keep those forever
        self.send_header("Location", location + (f"?{query}" if query else ""))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_found(self, status: Status, head: bool) -> None:
        page = livereload.safe_path(self.preview.folder, "404.html") if status.ready else None
        if page is not None and page.is_file():
            self._send_file(HTTPStatus.NOT_FOUND, page, head, status)
        else:
            self._send(
                HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n", head, None
            )

    def _send_file(self, code: HTTPStatus, path: Path, head: bool, status: Status) -> None:
        kind = livereload.content_type(path.name)
        if livereload.is_html(kind):
            self._send(code, kind, path.read_bytes(), head, status)
            return
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            self._headers(code, kind, size)
            if not head:
                shutil.copyfileobj(f, self.wfile)

    def _send(
        self, code: HTTPStatus, kind: str, body: bytes, head: bool, status: Status | None
    ) -> None:
        """Send `body`; HTML gets the reload client (with `status`) before its </body>."""
        if status is not None and livereload.is_html(kind):
            body = livereload.inject(body, livereload.client_tag(status.to_json()))
        self._headers(code, kind, len(body))
        if not head:
            self.wfile.write(body)

    def _headers(self, code: HTTPStatus, kind: str, length: int) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")  # a preview is never to be cached
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
