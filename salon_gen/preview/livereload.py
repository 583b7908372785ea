"""The preview's decisions, apart from its sockets and threads: which file changes matter, where
a URL may lead inside the build folder, what content type a file is served with, how the
reload client is put into a page and what it is told.

Values in, values out, except `safe_path`, which must ask the file system where symlinks lead
(it reads, never writes). Must not open sockets, start threads or build anything: that is
`serve`.
"""

from __future__ import annotations

import html
import json
import mimetypes
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from salon_gen.content.sources import CONFIG_FILE, CONTENT_DIR, THEMES_DIR, is_ignored
from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import ChangeKind
from salon_gen.core.urls import MAX_SEGMENT_BYTES

# Folders of a salon whose changes never touch the site: the built site (salon serve never
# writes there, but `salon build` may run beside it), salon's own state (the build writes its
# render cache there on every rebuild: watching it would loop), private notes and git.
IGNORED_DIRS = frozenset({"site", ".salon", "private", ".git"})
# Editors' scratch files that sources.is_ignored does not already cover: vim's write test
# file (it creates and deletes "4913" to probe a folder), JetBrains' safe-write copies,
# Kate's swap files and Chrome's File System Access swap files.
_SCRATCH_NAMES = frozenset({"4913"})
_SCRATCH_SUFFIXES = ("___jb_tmp___", "___jb_old___", ".kate-swp", ".crswap")

# The preview's own URLs live under one prefix that no built file can have: the build only
# writes paths checked by urls.safe_output_path, and "__salon__" is not a slug salon makes.
ENDPOINT_PREFIX = "/__salon__/"
EVENTS_URL = ENDPOINT_PREFIX + "events"
STATUS_URL = ENDPOINT_PREFIX + "status"
CLIENT_URL = ENDPOINT_PREFIX + "client.js"


def classify(path: str, root: Path) -> ChangeKind:
    """What a change to `path` (as the watcher reports it) means for the salon at `root`.

    Pure: compares paths as text, so `root` must be spelled the way the watcher was given it
    (serve resolves it once and watches the resolved path).
    """
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return "ignore"
    if not parts or parts[0] in IGNORED_DIRS:
        return "ignore"
    if any(_scratch(name) for name in parts):
        return "ignore"
    if parts == (CONFIG_FILE,):
        return "config"
    if parts[0] == CONTENT_DIR:
        return "content"
    if parts[0] == THEMES_DIR:
        return "theme"
    return "ignore"


def _scratch(name: str) -> bool:
    """Hidden, temporary and backup files and folders: the build reads none of them."""
    return is_ignored(name) or name in _SCRATCH_NAMES or name.endswith(_SCRATCH_SUFFIXES)


def url_segments(url_path: str) -> tuple[str, ...] | None:
    """The path segments a request path names, or None when it tries to leave its folder.

    Percent-decoding happens exactly once (so `%252e%252e` stays the harmless name `%2e%2e`);
    NUL, backslashes (a Windows separator) and `..` segments are refused outright rather than
    normalised, since no page salon builds has any of them. Empty and `.` segments are
    dropped, so `//etc/passwd` means `etc/passwd` inside the folder, never the root of the disk.
    """
    decoded = unquote(url_path, errors="strict") if "%" in url_path else url_path
    if "\x00" in decoded or "\\" in decoded:
        return None
    segments = [s for s in decoded.split("/") if s not in ("", ".")]
    if ".." in segments:
        return None
    # No file salon writes has a longer name; the OS would refuse the stat (ENAMETOOLONG).
    if any(len(s.encode("utf-8", "surrogateescape")) > MAX_SEGMENT_BYTES for s in segments):
        return None
    return tuple(segments)


def safe_path(root: Path, url_path: str) -> Path | None:
    """The file or folder inside `root` that `url_path` names, symlinks resolved, or None
    when the path is malformed or leads outside `root` (also through a symlink)."""
    try:
        segments = url_segments(url_path)
    except UnicodeDecodeError:
        return None
    if segments is None:
        return None
    base = root.resolve()
    try:
        target = base.joinpath(*segments).resolve()
    except (OSError, RuntimeError, ValueError):  # symlink loops, names the OS refuses
        return None
    if target != base and not target.is_relative_to(base):
        return None
    return target


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".opml": "text/x-opml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".webmanifest": "application/manifest+json",
}
# Feeds by name: the extension alone cannot tell Atom from RSS (both .xml).
_FEED_TYPES = {
    "feed.xml": "application/atom+xml; charset=utf-8",  # RFC 4287 §7
    "rss.xml": "application/rss+xml; charset=utf-8",
    "feed.json": "application/feed+json",  # JSON Feed 1.1
}


def content_type(name: str) -> str:
    """The Content-Type a file of the built site is served with, by its name.

    salon's own outputs are in the tables, so the answer never depends on the machine's
    mime.types; anything else a salon publishes under content/static/ falls back to it.
    """
    base = PurePosixPath(name).name.lower()
    if base in _FEED_TYPES:
        return _FEED_TYPES[base]
    suffix = PurePosixPath(base).suffix
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(base, strict=False)
    return guessed or "application/octet-stream"


def is_html(content_type_value: str) -> bool:
    return content_type_value.startswith("text/html")


def inject(page: bytes, snippet: str) -> bytes:
    """`page` with `snippet` placed just before its last `</body>` (at the end when it has
    none). Only ever applied to responses: the files on disk stay exactly as built."""
    data = snippet.encode("utf-8")
    at = page.lower().rfind(b"</body")
    if at < 0:
        return page + data
    return page[:at] + data + page[at:]


def status_json(build_id: str, epoch: int, diagnostics: Sequence[Diagnostic]) -> str:
    """What the browser is told: which build it should be showing and what is wrong."""
    return json.dumps(
        {
            "build": build_id,
            "epoch": epoch,
            "diagnostics": [
                {
                    "path": d.path,
                    "line": d.line,
                    "col": d.col,
                    "severity": d.severity,
                    "message": d.message,
                    "hint": d.hint,
                    "text": d.format(),
                }
                for d in diagnostics
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def client_tag(state: str) -> str:
    """The tag injected into every HTML response. The state is an HTML-escaped attribute,
    so nothing in a diagnostic (a title with `</script>` in it) can end the tag; the client
    is an external same-origin script so a theme's `script-src 'self'` policy allows it."""
    return (
        f'<script src="{CLIENT_URL}" data-salon-state="{html.escape(state, quote=True)}"></script>'
    )


def sse_event(name: str, data: str, event_id: str | None = None) -> bytes:
    """One Server-Sent Event (HTML Living Standard §9.2). `data` must be a single line."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {data}\n\n".encode()


# The browser side: apply the state the page was served with at once (so a page opened while
# the build is broken shows the overlay without waiting), then follow the event stream. A
# different build id means new files: reload. The same id with diagnostics means the last
# build failed and the files are the last good ones: show the overlay, do not reload. Text
# goes in through textContent only, never innerHTML.
CLIENT_JS = """\
(function () {
  "use strict";
  var me = document.currentScript;
  var state = JSON.parse(me.getAttribute("data-salon-state"));
  var shown = state.build;
  var box = null;
  function show(diagnostics) {
    if (box) { box.remove(); box = null; }
    if (!diagnostics.length) { return; }
    box = document.createElement("div");
    box.id = "salon-preview-errors";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:#181010;color:#fff;padding:2rem;" +
      "font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;";
    var title = document.createElement("h2");
    title.style.cssText = "margin:0 0 .5rem;padding:0;border:0;background:transparent;" +
      "color:#ff8a80;font:inherit;font-weight:bold;";
    title.textContent = "salon could not build the site";
    var note = document.createElement("p");
    note.style.cssText = "margin:0 0 1rem;padding:0;background:transparent;color:#ccc;" +
      "font:inherit;max-width:none;";
    note.textContent = "You are seeing the last good build. Fix the file and save: " +
      "this page reloads by itself.";
    // The page's own stylesheet styles <pre>, <h2>, <p> and <button> (a cream code background,
    // say): every colour the overlay shows is set here, or white text lands on cream.
    var list = document.createElement("pre");
    list.style.cssText = "margin:0;padding:0;border:0;box-shadow:none;white-space:pre-wrap;" +
      "background:transparent;color:#fff;font:inherit;overflow:visible;";
    list.textContent = diagnostics.map(function (d) { return d.text; }).join("\\n\\n");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.style.cssText = "position:absolute;top:1rem;right:1rem;font:inherit;" +
      "color:#181010;background:#fff;border:2px solid #fff;border-radius:4px;" +
      "padding:.25rem .75rem;cursor:pointer;";
    close.addEventListener("click", function () { box.remove(); box = null; });
    box.append(close, title, note, list);
    document.body.appendChild(box);
  }
  function apply(next) {
    if (next.build !== shown) { location.reload(); return; }
    show(next.diagnostics);
  }
  show(state.diagnostics);
  if (!window.EventSource) { return; }
  var events = new EventSource("/__salon__/events");
  events.addEventListener("state", function (e) { apply(JSON.parse(e.data)); });
  // Browsers allow six connections per host: give this one back when the page goes away.
  window.addEventListener("pagehide", function () { events.close(); });
  window.addEventListener("pageshow", function (e) { if (e.persisted) { location.reload(); } });
})();
"""
