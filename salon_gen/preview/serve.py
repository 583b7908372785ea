"""`salon serve`: build into a temporary folder, serve it, rebuild on change, reload the browser.

Shell. Owns the watch-debounce-rebuild loop (`Preview`, driven by `run`): watchdog records
changes, the main thread waits for a moment of quiet, the build `engine` rebuilds what they
touched, and the HTTP server (`httpd`) tells browsers to reload. Which changes matter is
decided by `livereload.classify`.

Must not write into the salon's output folder (`site/`): every build goes to a folder of its
own under the system's temp dir, removed on stop. Must not fetch feeds after start, print
directly or import Click: printing goes through the callables it is given.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from salon_gen.content.sources import CONTENT_DIR, THEMES_DIR
from salon_gen.core.errors import BuildFailed, Diagnostic, has_errors
from salon_gen.core.model import ChangeKind
from salon_gen.pipeline.build import load_config
from salon_gen.pipeline.engine import Engine
from salon_gen.preview import livereload
from salon_gen.preview.httpd import DEFAULT_HOST, DEFAULT_PORT, HEARTBEAT, PreviewServer, Reload
from salon_gen.workspace import state
from salon_gen.workspace.lock import hold
from salon_gen.workspace.stopping import stop_on_signals

# Seconds of quiet after the last change before rebuilding. An editor's save (write a temp
# file, rename it over the note) takes a few milliseconds; a longer burst (a git checkout)
# that pauses longer than this only costs an extra rebuild, never a stale page.
DEBOUNCE = 0.04
MAX_DEBOUNCE = 2.0  # rebuild anyway after this long, however busy the disk (a git checkout)
# Events that mean a file's content or existence changed. watchdog 7 also reports opens and
# reads ("opened", "closed_no_write"): the build reads every file, so acting on those would
# rebuild forever. "attrib" (chmod, touch) changes nothing the build reads.
_CHANGE_EVENTS = frozenset({"created", "deleted", "modified", "moved", "closed"})
_WATCHED_DIRS = (CONTENT_DIR, THEMES_DIR)


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
        self._builder: Engine | None = None

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
            # The first fetch and build write .salon/: one writer at a time (lock.Busy is a
            # BuildFailed). Later rebuilds write only the preview's own folder and record.
            with hold(self.root, "salon serve"):
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
        self._fetch()  # offline: only the feeds that are files in the salon
        # The first build may use a process pool; it runs before any thread is started,
        # since forking a process that has other threads can copy a lock in its held state.
        self.rebuild({}, jobs=None)
        self._watch()
        # A change saved during that first build was not watched yet: look again. Files are
        # compared by stamp, so this re-reads and re-renders nothing when nothing changed.
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
        """The one rebuild entry point: bring the preview folder up to date, then tell
        browsers. `changed` (absolute path -> kind) says what the watcher saw; the
        incremental builder re-reads and re-renders only what that touched, and starts over
        on a config or theme change. Rendering stays in this process (`jobs=1`) once the
        watcher and server threads run."""
        started = time.perf_counter()
        if self._builder is None:
            self._builder = Engine(self.root, self.output, drafts=self.drafts)
        try:
            result = self._builder.rebuild(changed, now=self._now(), jobs=jobs)
        except BuildFailed as failed:
            self._failed(failed.diagnostics)
            return False
        except Exception as e:  # a bug in salon must not end the preview: show it
            self._builder = None  # and start over next time: its memory may be half updated
            self._echo(traceback.format_exc().rstrip(), err=True)
            self._failed([Diagnostic(path=".", message=f"internal error: {e!r}")])
            return False
        took = time.perf_counter() - started
        if result.full:
            # The salon now kept in memory lives until the next full build: move it out of
            # the garbage collector's way, so later rebuilds do not pay to scan it.
            gc.collect()
            gc.freeze()
        current = self.reload.current()
        if result.unchanged and current.ready and not current.diagnostics:
            if not quiet_if_unchanged:
                self._report(result.warnings)
            return True  # same inputs, same files: nothing for browsers to reload
        self._report(result.warnings)
        self.reload.built(self._base_path(current.base_path))
        what = _describe(changed, self.root)
        fixed = "fixed: " if current.diagnostics else ""
        done = (
            f"built {result.pages} pages"
            if result.full
            else f"rendered {result.rendered} of {result.pages} pages"
        )
        self._echo(f"{fixed}{done} in {took * 1000:.0f} ms" + (f" ({what})" if what else ""))
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
        from salon_gen.following.follow import fetch_feeds

        config, diags = load_config(self.root)
        if config is None or has_errors(diags):
            return  # the build reports the config's problems
        if not self.offline:
            self._echo("fetching the feeds of the people you follow...")
        try:
            report = fetch_feeds(self.root, config, self._now(), local_only=self.offline)
        except BuildFailed as failed:
            self._report(failed.diagnostics)
            return
        self._report(report.diagnostics)
        if not self.offline:
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
        # A full write keeps a manifest per output folder under .salon/; this folder is gone
        # after the preview, so its manifest would only pile up. (The preview never writes
        # a build fingerprint: it does not use salon build's no-change fast path.)
        state.StatePaths(root=self.root).manifest(output).unlink(missing_ok=True)


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
    """`salon serve`: preview the salon at `root` until Ctrl-C (or SIGTERM, SIGHUP). Returns
    the exit code: 0 once stopped, 1 when there is no salon or the address cannot be used."""
    restore = stop_on_signals()  # SIGTERM, SIGHUP stop it as Ctrl-C does: the folder goes
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
            echo(f"  hint: {_listen_hint(e, port)}", err=True)
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
        restore()
    return 0


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listen_hint(error: OSError, port: int) -> str:
    """What to do when the server cannot listen: it depends on why."""
    import errno
    import socket

    if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
        return "--host takes an address of this machine, e.g. 127.0.0.1, ::1 or localhost"
    if error.errno == errno.EACCES:
        return f"port {port} needs privileges; use a port above 1023, e.g. --port 8000"
    return f"another server may be using port {port}; try --port {port + 1 if port else 8001}"
