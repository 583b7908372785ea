"""`salon serve`: build into a temporary folder, serve it, rebuild on change, reload the browser.

Shell. Owns the preview's HTTP server (`PreviewServer`), its reload state (`Reload`: an epoch
the browser follows over Server-Sent Events, and the diagnostics of a failed build) and the
watch-debounce-rebuild loop (`Preview`, driven by `run`). The decisions it relies on (which
changes matter, where a URL may lead, content types, what is injected into pages) are pure
functions in `livereload`.

Must not write into the salon's output folder (`site/`): every build goes to a folder of its
own under the system's temp dir, removed on stop. Must not fetch feeds after start, print
directly or import Click: printing goes through the callables it is given.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import socketserver
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import quote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from . import livereload, state
from .build import BuildOptions, build, load_config
from .errors import BuildFailed, Diagnostic, has_errors
from .livereload import ChangeKind
from .sources import CONTENT_DIR

DEFAULT_HOST = "127.0.0.1"  # loopback only: a preview is not for the network
DEFAULT_PORT = 8000
HEARTBEAT = 15.0  # seconds between SSE comments: finds dead clients, keeps proxies quiet
DEBOUNCE = 0.1  # seconds of quiet after the last change before rebuilding
MAX_DEBOUNCE = 2.0  # rebuild anyway after this long, however busy the disk (a git checkout)
RETRY_MS = 1000  # how soon EventSource reconnects after the server goes away
# Events that mean a file's content or existence changed. watchdog 7 also reports opens and
# reads ("opened", "closed_no_write"): the build reads every file, so acting on those would
# rebuild forever. "attrib" (chmod, touch) changes nothing the build reads.
_CHANGE_EVENTS = frozenset({"created", "deleted", "modified", "moved", "closed"})
_WATCHED_DIRS = (CONTENT_DIR, livereload.THEMES_DIR)


class Echo(Protocol):
    """How the preview prints a line (click.echo fits)."""

    def __call__(self, message: str, *, err: bool = False) -> None: ...


Report = Callable[[tuple[Diagnostic, ...]], None]  # cli._report fits


def _print(message: str, *, err: bool = False) -> None:
    import sys

    print(message, file=sys.stderr if err else sys.stdout, flush=True)


def _print_diagnostics(diagnostics: tuple[Diagnostic, ...]) -> None:
    for d in diagnostics:
        _print(d.format(), err=True)


def _utcnow() -> datetime:
    return datetime.now(UTC)


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
        if target is not None and target.is_dir():
            segments = livereload.url_segments(rel) or ()
            if not path.endswith("/"):
                # Built from the checked segments, never from the raw path: "//evil.example"
                # must not become a protocol-relative Location.
                self._redirect(base + "".join(quote(s) + "/" for s in segments), split.query)
                return
            target = livereload.safe_path(folder, "/".join((*segments, "index.html")))
        if target is None or not target.is_file():
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


# --- watching ------------------------------------------------------------------------------


class Changes:
    """Changes the watcher saw and the rebuild has not yet taken. Called from watchdog's
    thread; only records (the rebuild happens on the main thread)."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._seen: dict[str, ChangeKind] = {}
        self._last = 0.0
        self._pending = threading.Event()

    def record(self, event_type: str, is_directory: bool, *paths: str | bytes) -> None:
        if event_type not in _CHANGE_EVENTS:
            return
        if is_directory and event_type == "modified":
            return  # a folder's entries changed: the entry's own event says which
        for raw in paths:
            if not raw:
                continue
            path = os.fsdecode(raw)
            kind = livereload.classify(path, self._root)
            if kind == "ignore":
                continue
            with self._lock:
                self._seen[path] = kind
                self._last = time.monotonic()
                self._pending.set()

    def wait(self, timeout: float) -> bool:
        return self._pending.wait(timeout)

    def quiet_for(self) -> float:
        with self._lock:
            return time.monotonic() - self._last

    def take(self) -> dict[str, ChangeKind]:
        with self._lock:
            seen, self._seen = self._seen, {}
            self._pending.clear()
            return seen


class _Recorder(FileSystemEventHandler):
    """watchdog's side: hands every event to `Changes.record`, on watchdog's thread."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self._changes = changes

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._changes.record(event.event_type, event.is_directory, event.src_path, event.dest_path)


# --- the preview ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Watches:
    """The watchdog observer and which folder each recursive watch is on (by inode, so a
    folder deleted and made again is watched again)."""

    observer: BaseObserver
    handler: _Recorder
    folders: dict[str, tuple[ObservedWatch, int]] = field(default_factory=dict)


class Preview:
    """The preview of one salon: `start()`, then `rebuild_if_changed()` in a loop, then
    `stop()`. `run` drives it from the CLI; tests drive it directly."""

    def __init__(
        self,
        root: Path,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        drafts: bool = False,
        offline: bool = False,
        now_fn: Callable[[], datetime] = _utcnow,
        echo: Echo = _print,
        report: Report = _print_diagnostics,
        debounce: float = DEBOUNCE,
        heartbeat: float = HEARTBEAT,
    ) -> None:
        # Resolved once: watchdog reports paths under the folder it was given, and
        # livereload.classify compares them with this spelling.
        self.root = root.resolve()
        self.host = host
        self.port = port
        self.drafts = drafts
        self.offline = offline
        self._now = now_fn
        self._echo = echo
        self._report = report
        self._debounce = debounce
        self._heartbeat = heartbeat
        self.reload = Reload()
        self.changes = Changes(self.root)
        self.temp: Path | None = None
        self.server: PreviewServer | None = None
        self._watches: _Watches | None = None

    @property
    def output(self) -> Path:
        if self.temp is None:
            raise RuntimeError("the preview has not started")
        return self.temp / "site"  # a folder of its own: write_site makes siblings of it

    @property
    def url(self) -> str:
        if self.server is None:
            raise RuntimeError("the preview has not started")
        return self.server.url

    def start(self) -> str:
        """Listen, fetch feeds once (unless offline), build, watch, serve. Returns the URL.
        Raises BuildFailed when the folder has no salon.toml, OSError when the address is
        taken; whatever it had started by then is stopped again.
        """
        load_config(self.root)  # no salon.toml: BuildFailed, nothing to preview
        try:
            return self._start()
        except BaseException:  # Ctrl-C during the first build included
            self.stop()
            raise

    def _start(self) -> str:
        self.temp = Path(tempfile.mkdtemp(prefix="salon-serve-")).resolve()
        # Listen first, so a port in use is reported before a long fetch and build.
        self.server = PreviewServer(
            self.output,
            host=self.host,
            port=self.port,
            reload=self.reload,
            heartbeat=self._heartbeat,
        )
        if not self.offline:
            self._fetch()
        # The first build may use a process pool; it runs before any thread is started,
        # since forking a process that has other threads can copy a lock in its held state.
        self.rebuild({}, jobs=None)
        self._watch()
        # A change saved during that first build was not watched yet: build() again. Its
        # no-change fast path makes this cost a few stat calls when nothing changed.
        self.rebuild({}, quiet_if_unchanged=True)
        self.server.start()
        return self.server.url

    def rebuild_if_changed(self, timeout: float) -> bool:
        """Wait up to `timeout` for a change; once changes stop for the debounce interval,
        rebuild. True if a rebuild ran."""
        if not self.changes.wait(timeout):
            return False
        started = time.monotonic()
        while (quiet := self.changes.quiet_for()) < self._debounce:
            if time.monotonic() - started >= MAX_DEBOUNCE:
                break
            time.sleep(self._debounce - quiet)
        changed = self.changes.take()
        if not changed:
            return False
        self._watch()  # content/ or themes/ may have been created or replaced
        self.rebuild(changed)
        return True

    def rebuild(
        self,
        changed: Mapping[str, ChangeKind],
        *,
        jobs: int | None = 1,
        quiet_if_unchanged: bool = False,
    ) -> bool:
        """The one rebuild entry point: build into the preview folder, then tell browsers.

        `changed` (absolute path → kind) is what incremental rebuilds will use; today every
        change is a full `build()`, which skips unchanged Markdown through its render cache.
        Rendering stays in this process (`jobs=1`) once the watcher and server threads run.
        """
        started = time.perf_counter()
        options = BuildOptions(offline=True, drafts=self.drafts, output=self.output, jobs=jobs)
        try:
            result = build(self.root, now=self._now(), options=options)
        except BuildFailed as failed:
            self._failed(failed.diagnostics)
            return False
        except Exception as e:  # a bug in salon must not end the preview: show it
            self._echo(traceback.format_exc().rstrip(), err=True)
            self._failed([Diagnostic(path=".", message=f"internal error: {e!r}")])
            return False
        current = self.reload.current()
        if result.up_to_date and current.ready and not current.diagnostics:
            if not quiet_if_unchanged:
                self._report(result.warnings)
            return True  # same inputs, same files: nothing for browsers to reload
        self._report(result.warnings)
        self.reload.built(self._base_path(current.base_path))
        took = time.perf_counter() - started
        what = _describe(changed, self.root)
        fixed = "fixed: " if current.diagnostics else ""
        self._echo(
            f"{fixed}built {result.pages} pages in {took:.2f} s" + (f" ({what})" if what else "")
        )
        return True

    def _failed(self, diagnostics: Sequence[Diagnostic]) -> None:
        self._report(tuple(diagnostics))
        errors = sum(1 for d in diagnostics if d.is_error)
        still = "serving the last good build" if self.reload.current().ready else "nothing built"
        self._echo(f"salon serve: {errors} error{'s' if errors != 1 else ''}; {still}", err=True)
        self.reload.failed(diagnostics)

    def _base_path(self, previous: str) -> str:
        try:
            config, diags = load_config(self.root)
        except BuildFailed:
            return previous
        return config.base_path if config is not None and not has_errors(diags) else previous

    def _fetch(self) -> None:
        """Fetch followed feeds once, at start; never on a save."""
        from .following import fetch_feeds

        config, diags = load_config(self.root)
        if config is None or has_errors(diags):
            return  # the build reports the config's problems
        self._echo("fetching the feeds of the people you follow...")
        try:
            report = fetch_feeds(self.root, config, self._now())
        except BuildFailed as failed:
            self._report(failed.diagnostics)
            return
        self._report(report.diagnostics)
        self._echo(report.summary())

    def _watch(self) -> None:
        """Watch salon.toml (the salon folder, not recursively: site/ and .salon/ may hold
        thousands of folders) and content/ and themes/ recursively, whichever exist."""
        if self._watches is None:
            observer = Observer()
            handler = _Recorder(self.changes)
            observer.schedule(handler, str(self.root), recursive=False)
            observer.daemon = True  # belt and braces: stop() joins it
            observer.start()
            self._watches = _Watches(observer=observer, handler=handler)
        w = self._watches
        for name in _WATCHED_DIRS:
            folder = self.root / name
            try:
                inode = folder.stat().st_ino if folder.is_dir() else None
            except OSError:
                inode = None
            known = w.folders.get(name)
            if known is not None and known[1] != inode:
                with contextlib.suppress(KeyError, OSError):  # it may have ended with its folder
                    w.observer.unschedule(known[0])
                del w.folders[name]
            if inode is not None and name not in w.folders:
                w.folders[name] = (
                    w.observer.schedule(w.handler, str(folder), recursive=True),
                    inode,
                )

    def stop(self) -> None:
        """Stop watching and serving, join every thread, remove the preview folder. Safe to
        call more than once, and after a start that failed half way."""
        if self._watches is not None:
            self._watches.observer.stop()
            self._watches.observer.join()
            self._watches = None
        if self.server is not None:
            self.server.stop()
        if self.temp is not None:
            self._forget_state(self.output)
            shutil.rmtree(self.temp, ignore_errors=True)
            self.temp = None

    def _forget_state(self, output: Path) -> None:
        # build() keeps a manifest and a fingerprint per output folder under .salon/; this
        # folder is gone after the preview, so its bookkeeping would only pile up.
        paths = state.StatePaths(root=self.root)
        for stale in (paths.manifest(output), paths.fingerprint(output)):
            stale.unlink(missing_ok=True)


def _describe(changed: Mapping[str, ChangeKind], root: Path) -> str:
    names = sorted(Path(p).relative_to(root).as_posix() for p in changed)
    if len(names) > 3:
        return ", ".join(names[:3]) + f" and {len(names) - 3} more"
    return ", ".join(names)


def run(
    root: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    drafts: bool = False,
    offline: bool = False,
    open_browser: bool = False,
    now_fn: Callable[[], datetime] = _utcnow,
    echo: Echo = _print,
    report: Report = _print_diagnostics,
) -> int:
    """`salon serve`: preview the salon at `root` until Ctrl-C. Returns the exit code:
    0 after Ctrl-C, 1 when there is no salon or the address cannot be used."""
    preview = Preview(
        root,
        host=host,
        port=port,
        drafts=drafts,
        offline=offline,
        now_fn=now_fn,
        echo=echo,
        report=report,
    )
    try:
        try:
            url = preview.start()
        except BuildFailed as failed:
            report(failed.diagnostics)
            return 1
        except OSError as e:
            echo(f"salon serve: error: cannot listen on {host}:{port}: {e.strerror or e}", err=True)
            echo("  hint: another server may be using it; try --port 8001", err=True)
            return 1
        echo(f"serving {url}  (a preview built in {preview.output}; Ctrl-C to stop)")
        if not _is_loopback(host):
            echo(f"warning: listening on {host}: other machines can see the preview", err=True)
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        while True:
            preview.rebuild_if_changed(timeout=1.0)
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        preview.stop()
    return 0


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
