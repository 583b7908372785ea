"""`salon serve`: the pure decisions (change classification, the traversal guard, content
types, injection) as tables; then the real preview on 127.0.0.1 with a real watchdog
observer, read through raw sockets so that no client library normalises a hostile path
before it reaches the server. Every wait is bounded."""

from __future__ import annotations

import _thread
import html
import json
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from salon_gen.core.errors import Diagnostic
from salon_gen.preview import livereload
from salon_gen.preview.livereload import classify, content_type, inject, safe_path, url_segments
from salon_gen.preview.serve import Preview, PreviewServer, Reload, run

from .conftest import MINIMAL_CONFIG, NOW, write_tree
from .httpserver import serve as feed_server

WAIT = 10.0  # the longest any single step may take before the test fails

NOTE = "---\ntitle: X marks\ndate: {date}\n---\n{body}\n"
SALON = {
    "content/notes/x.md": NOTE.format(date="2026-01-02", body="Original words."),
    "content/people/maya.md": (
        "---\nname: Maya\nurl: https://maya.example.net/\n"
        "feeds: [https://maya.example.net/feed.xml]\n---\nA friend.\n"
    ),
}


# --- pure decisions ------------------------------------------------------------------------

ROOT = Path("/srv/salon")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/srv/salon/salon.toml", "config"),
        ("/srv/salon/content/notes/x.md", "content"),
        ("/srv/salon/content/static/photo.jpg", "content"),
        ("/srv/salon/content", "content"),
        ("/srv/salon/themes/mine/templates/note.html", "theme"),
        ("/srv/salon/themes", "theme"),
        # editors' scratch files
        ("/srv/salon/content/notes/.#x.md", "ignore"),  # emacs lock
        ("/srv/salon/content/notes/#x.md#", "ignore"),  # emacs autosave
        ("/srv/salon/content/notes/x.md~", "ignore"),  # backup
        ("/srv/salon/content/notes/.x.md.swp", "ignore"),  # vim swap
        ("/srv/salon/content/notes/.x.md.swx", "ignore"),
        ("/srv/salon/content/notes/4913", "ignore"),  # vim's write test
        ("/srv/salon/content/.DS_Store", "ignore"),
        ("/srv/salon/content/notes/x.md___jb_tmp___", "ignore"),  # JetBrains safe write
        ("/srv/salon/themes/t/templates/.note.html.kate-swp", "ignore"),
        ("/srv/salon/.salon.toml.swp", "ignore"),
        ("/srv/salon/content/.obsidian/workspace.json", "ignore"),  # hidden folder
        # folders whose changes never touch the site
        ("/srv/salon/site/index.html", "ignore"),
        ("/srv/salon/.salon/render-cache.sqlite", "ignore"),
        ("/srv/salon/private/notes.md", "ignore"),
        ("/srv/salon/.git/index", "ignore"),
        # not inputs at all
        ("/srv/salon/README.md", "ignore"),
        ("/srv/salon/sub/salon.toml", "ignore"),
        ("/srv/salon", "ignore"),
        ("/srv/other/content/x.md", "ignore"),
        ("/srv/salon-two/content/x.md", "ignore"),
    ],
)
def test_classify(path: str, kind: str) -> None:
    assert classify(path, ROOT) == kind


@pytest.fixture
def jail(tmp_path: Path) -> Path:
    """A build folder with a secret beside it and symlinks leading out of it."""
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    root = tmp_path / "site"
    write_tree(root, {"index.html": "home", "notes/x/index.html": "x", "static/a.css": "a"})
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (root / "out").symlink_to(tmp_path)
    (root / "alias.html").symlink_to(root / "index.html")  # inside: allowed
    (root / "%2e%2e").mkdir()  # a folder named like an encoded "..": only ever itself
    return root


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", ""),
        ("", ""),
        ("/index.html", "index.html"),
        ("/notes/x/", "notes/x"),
        ("/notes/./x/index.html", "notes/x/index.html"),
        ("//notes//x/", "notes/x"),
        ("//etc/passwd", "etc/passwd"),  # an absolute path stays inside
        ("/alias.html", "index.html"),
        ("/%252e%252e/", "%2e%2e"),  # decoded once: a name, not a parent
        ("/../secret.txt", None),
        ("/..", None),
        ("/%2e%2e/secret.txt", None),
        ("/%2E%2E%2Fsecret.txt", None),
        ("/..%2fsecret.txt", None),
        ("/static/../../secret.txt", None),
        ("/notes/x/..%2f..%2f..%2fsecret.txt", None),
        ("/..\\secret.txt", None),
        ("/..%5csecret.txt", None),
        ("/index.html%00.txt", None),
        ("/%00", None),
        ("/%ff%fe", None),  # not UTF-8
        ("/leak.txt", None),  # symlink to a file outside
        ("/out/secret.txt", None),  # symlink to a folder outside
        ("/out", None),
    ],
)
def test_safe_path(jail: Path, url: str, expected: str | None) -> None:
    found = safe_path(jail, url)
    if expected is None:
        assert found is None
    else:
        assert found == (jail / expected).resolve()


def test_url_segments_drops_empty_and_dot_segments() -> None:
    assert url_segments("//a/./b//c/") == ("a", "b", "c")
    assert url_segments("/a/../b") is None


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (b"<body><p>x</p></body></html>", b"<body><p>x</p>[S]</body></html>"),
        (b"<BODY>x</BODY>", b"<BODY>x[S]</BODY>"),
        # the last </body> counts: an earlier one inside a code sample is content
        (
            b"<pre>&lt;/body&gt; </body> </pre></body>",
            b"<pre>&lt;/body&gt; </body> </pre>[S]</body>",
        ),
        (b"<p>no body end", b"<p>no body end[S]"),
        (b"", b"[S]"),
    ],
)
def test_inject(page: bytes, expected: bytes) -> None:
    assert inject(page, "[S]") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("feed.xml", "application/atom+xml"),
        ("interests/letters/feed.xml", "application/atom+xml"),
        ("rss.xml", "application/rss+xml"),
        ("sitemap.xml", "application/xml"),
        ("feed.json", "application/feed+json"),
        ("data.json", "application/json"),
        ("blogroll.opml", "text/x-opml"),
        ("events.ics", "text/calendar"),
        ("index.html", "text/html; charset=utf-8"),
        ("theme/salon.css", "text/css"),
        ("static/me.svg", "image/svg+xml"),
        ("robots.txt", "text/plain"),
        ("photo.JPG", "image/jpeg"),
        ("mystery.salon-unknown", "application/octet-stream"),
    ],
)
def test_content_type(name: str, expected: str) -> None:
    assert content_type(name).startswith(expected)


def test_client_tag_cannot_be_broken_out_of() -> None:
    state = livereload.status_json(
        "b-1", 2, [Diagnostic(path="content/notes/x.md", line=3, message="'</script><img src=x>'")]
    )
    tag = livereload.client_tag(state)
    assert "<img" not in tag and tag.count("<script") == 1
    attr = re.search(r'data-salon-state="([^"]*)"', tag)
    assert attr is not None
    decoded = json.loads(html.unescape(attr.group(1)))
    assert decoded["diagnostics"][0]["text"] == (
        "content/notes/x.md:3: error: '</script><img src=x>'"
    )


def test_reload_state() -> None:
    reload = Reload()
    first = reload.built("/")
    failed = reload.failed([Diagnostic(path="a.md", message="m")])
    assert failed.build == first.build and failed.epoch == first.epoch + 1
    assert failed.diagnostics
    second = reload.built("/")
    assert second.build != first.build and second.diagnostics == ()
    assert reload.wait(second.epoch - 1, timeout=WAIT) == second  # already newer: no wait
    woken: list[object] = []
    waiter = threading.Thread(target=lambda: woken.append(reload.wait(second.epoch, WAIT)))
    waiter.start()
    reload.close()
    waiter.join(WAIT)
    assert not waiter.is_alive() and woken == [None]


def test_build_ids_differ_between_servers() -> None:
    # A tab left open across two `salon serve` runs must reload on reconnecting.
    assert Reload().built("/").build != Reload().built("/").build


# --- a real preview ------------------------------------------------------------------------


class Http:
    """One request over a raw socket: the path goes on the wire exactly as written."""

    def __init__(self, port: int) -> None:
        self.port = port

    def __call__(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        with socket.create_connection(("127.0.0.1", self.port), timeout=WAIT) as sock:
            sock.sendall(f"{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode("latin-1"))
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), headers, body


class EventStream:
    """The SSE endpoint read the way a browser's EventSource would."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.sock.sendall(b"GET /__salon__/events HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        self.buffer = b""
        self.retry: int | None = None
        head = self._read_until(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200")
        assert b"text/event-stream" in head

    def _read_until(self, mark: bytes) -> bytes:
        while mark not in self.buffer:
            chunk = self.sock.recv(4096)  # times out after WAIT: a bounded wait
            if not chunk:
                raise EOFError("the event stream closed")
            self.buffer += chunk
        block, _, self.buffer = self.buffer.partition(mark)
        return block

    def next_block(self) -> str:
        block = self._read_until(b"\n\n").decode()
        if block.startswith("retry:"):
            self.retry = int(block.split(":", 1)[1])
        return block

    def next_state(self) -> dict[str, Any]:
        """The next `state` event's data, skipping comments and the retry field."""
        while True:
            block = self.next_block()
            fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
            if fields.get("event") == "state":
                return dict(json.loads(fields["data"]))

    def next_comment(self) -> str:
        while not (block := self.next_block()).startswith(":"):
            pass
        return block

    def ends(self) -> bool:
        """True once the server closes the stream (EOF), after whatever it still sent."""
        try:
            while True:
                self.next_block()
        except EOFError:
            return True

    def close(self) -> None:
        self.sock.close()


class Output:
    """What the preview printed, through the callables `run` and `Preview` take."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        self.diagnostics: list[Diagnostic] = []

    def echo(self, message: str, *, err: bool = False) -> None:
        (self.err if err else self.out).append(message)

    def report(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)


def make_salon(
    tmp_path: Path, files: dict[str, str] | None = None, config: str = MINIMAL_CONFIG
) -> Path:
    root = tmp_path / "salon"
    write_tree(root, {"salon.toml": config, **SALON, **(files or {})})
    return root


def edit(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Callable[..., tuple[Preview, Http, Output]]]:
    previews: list[Preview] = []

    def start(
        files: dict[str, str] | None = None, config: str = MINIMAL_CONFIG
    ) -> tuple[Preview, Http, Output]:
        root = make_salon(tmp_path, files, config)
        output = Output()
        preview = Preview(
            root,
            port=0,
            offline=True,
            now_fn=lambda: NOW,
            echo=output.echo,
            report=output.report,
        )
        previews.append(preview)
        preview.start()
        assert preview.server is not None
        return preview, Http(preview.server.port), output

    yield start
    for preview in previews:
        preview.stop()


def rebuilt(preview: Preview) -> bool:
    return preview.rebuild_if_changed(timeout=WAIT)


def test_serves_the_preview_build(started: Callable[..., tuple[Preview, Http, Output]]) -> None:
    preview, get, _ = started()

    code, headers, body = get("/")
    assert code == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert b'<script src="/__salon__/client.js"' in body
    assert body.rstrip().endswith(b"</script></body>\n</html>")
    on_disk = (preview.output / "index.html").read_bytes()
    assert b"__salon__" not in on_disk  # injected into responses only

    code, _, body = get("/notes/x/")
    assert code == 200 and b"Original words." in body
    for path, location in [
        ("/notes/x", "/notes/x/"),
        ("/notes/x?utm=1", "/notes/x/?utm=1"),
        ("//notes/x", "/notes/x/"),  # never a protocol-relative Location
        ("/notes/./x", "/notes/x/"),  # built from the checked segments, not the raw path
    ]:
        code, headers, _ = get(path)
        assert (code, headers["location"]) == (302, location)

    code, headers, body = get("/no/such/page/")
    assert code == 404
    assert b"Page not found" in body  # the theme's 404.html
    assert b"/__salon__/client.js" in body

    code, headers, body = get("/", method="HEAD")
    assert code == 200 and body == b""
    assert int(headers["content-length"]) == len(get("/")[2])

    for path, kind in [
        ("/feed.xml", "application/atom+xml"),
        ("/rss.xml", "application/rss+xml"),
        ("/feed.json", "application/feed+json"),
        ("/blogroll.opml", "text/x-opml"),
        ("/theme/salon.css", "text/css"),
        ("/sitemap.xml", "application/xml"),
    ]:
        code, headers, body = get(path)
        assert code == 200, path
        assert headers["content-type"].startswith(kind), path
        assert b"__salon__" not in body, path
        assert int(headers["content-length"]) == len(body)

    code, headers, body = get("/__salon__/client.js")
    assert code == 200 and headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in body
    assert get("/__salon__/nothing")[0] == 404


def test_binds_loopback_and_never_writes_site(
    started: Callable[..., tuple[Preview, Http, Output]],
) -> None:
    preview, _, output = started()  # no host given
    assert preview.server is not None
    assert preview.server.server_address[0] == "127.0.0.1"
    assert preview.server.socket.family == socket.AF_INET
    assert preview.url == f"http://127.0.0.1:{preview.server.port}/"
    assert not (preview.root / "site").exists()
    assert preview.output.is_relative_to(preview.temp or Path("/nowhere"))
    assert output.out and output.out[0].startswith("built ")


def test_edit_rebuilds_and_notifies_the_browser(
    started: Callable[..., tuple[Preview, Http, Output]],
) -> None:
    preview, get, output = started()
    events = EventStream(preview.server.port if preview.server else 0)
    try:
        first = events.next_state()
        assert events.retry == 1000
        assert first["diagnostics"] == []

        edit(preview.root / "content/notes/x.md", NOTE.format(date="2026-01-02", body="Revised."))
        assert rebuilt(preview)

        after = events.next_state()
        assert after["build"] != first["build"]
        assert after["diagnostics"] == []
        code, _, body = get("/notes/x/")
        assert code == 200 and b"Revised." in body and b"Original words." not in body
        assert any("content/notes/x.md" in line for line in output.out)
    finally:
        events.close()


def test_a_broken_note_keeps_the_last_good_build_and_shows_an_overlay(
    started: Callable[..., tuple[Preview, Http, Output]],
) -> None:
    preview, get, output = started()
    note = preview.root / "content/notes/x.md"
    assert preview.server is not None
    events = EventStream(preview.server.port)
    try:
        good = events.next_state()

        edit(note, NOTE.format(date='"</script><img src=x onerror=alert(1)>"', body="Broken."))
        assert rebuilt(preview)
        broken = events.next_state()
        assert broken["build"] == good["build"]  # same files: the browser must not reload
        status = json.loads(get("/__salon__/status")[2])
        texts = [d["text"] for d in status["diagnostics"]]
        assert len(texts) == 1
        assert texts[0].startswith("content/notes/x.md:3: error: date: cannot read")
        assert status["diagnostics"][0]["line"] == 3
        assert broken["diagnostics"] == status["diagnostics"]

        # The last good build is still served, and every page carries the overlay's state,
        # escaped so the hostile date cannot end the tag.
        for path in ("/", "/notes/x/", "/missing/"):
            code, _, body = get(path)
            assert code in (200, 404)
            assert b"content/notes/x.md:3: error: date: cannot read" in body, path
            assert b"<img src=x" not in body, path
        assert b"Original words." in get("/notes/x/")[2]
        assert [d.line for d in output.diagnostics] == [3]  # the terminal got it too
        assert any("serving the last good build" in line for line in output.err)

        edit(note, NOTE.format(date="2026-01-03", body="Mended."))
        assert rebuilt(preview)
        fixed = events.next_state()
        assert fixed["diagnostics"] == [] and fixed["build"] != good["build"]
        assert json.loads(get("/__salon__/status")[2])["diagnostics"] == []
        code, _, body = get("/notes/x/")
        assert code == 200 and b"Mended." in body and b"cannot read" not in body
        assert any(line.startswith("fixed: ") for line in output.out)
    finally:
        events.close()


def test_nothing_outside_the_build_folder_is_ever_served(
    started: Callable[..., tuple[Preview, Http, Output]],
) -> None:
    preview, get, _ = started()
    assert preview.temp is not None
    secret = "TOP SECRET beside the build folder"
    (preview.temp / "secret.txt").write_text(secret)
    (preview.output / "leak.txt").symlink_to(preview.temp / "secret.txt")
    (preview.output / "out").symlink_to(preview.temp)
    attempts = [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/static/../../secret.txt",
        "/notes/x/..%2f..%2f..%2fsecret.txt",
        "/%00/../secret.txt",
        "/index.html%00",
        "//etc/passwd",
        "/..%2f..%2f..%2f..%2f..%2f..%2fetc/passwd",
        "http://127.0.0.1/../secret.txt",
        "/leak.txt",
        "/out/secret.txt",
        "/out",
    ]
    for path in attempts:
        code, _, body = get(path)
        assert code == 404, path
        assert secret.encode() not in body, path
        assert b"root:" not in body, path
    assert get("/feed.xml")[0] == 200  # the guard does not refuse everything


def test_own_builds_and_scratch_files_do_not_rebuild(
    started: Callable[..., tuple[Preview, Http, Output]],
) -> None:
    preview, _, _ = started()
    notes = preview.root / "content/notes"
    assert not preview.rebuild_if_changed(timeout=0.3)  # the build read every file: no loop
    for name in (".x.md.swp", "4913", "x.md~", ".#x.md", "#x.md#"):
        (notes / name).write_text("scratch")
    write_tree(preview.root, {"private/diary.md": "x", ".salon/junk": "x", "README.md": "x"})
    assert not preview.rebuild_if_changed(timeout=0.5)
    (notes / "y.md").write_text(NOTE.format(date="2026-01-04", body="Why not."))
    assert rebuilt(preview)
    # That full build opened and read every file: reads are not changes.
    assert not preview.rebuild_if_changed(timeout=0.5)


def test_feeds_are_fetched_once_at_start_and_never_on_a_save(tmp_path: Path) -> None:
    with feed_server() as feeds:
        feeds.aliases["/feed/maya"] = "/ok/maya"
        person = f"---\nname: Maya\nfeeds: [{feeds.url('/feed/maya')}]\n---\nA friend.\n"
        root = make_salon(tmp_path, {"content/people/maya.md": person})
        for offline, fetched in ((True, 0), (False, 1)):
            preview = Preview(root, port=0, offline=offline, now_fn=lambda: NOW, echo=Output().echo)
            try:
                preview.start()
                assert len(feeds.hits("/feed/maya")) == fetched
                edit(root / "content/notes/x.md", NOTE.format(date="2026-01-02", body=str(offline)))
                assert rebuilt(preview)
                assert len(feeds.hits("/feed/maya")) == fetched  # a save fetches nothing
                assert preview.server is not None
                reading = Http(preview.server.port)("/reading/")[2]
                assert (b"Hello from maya" in reading) == (not offline)
            finally:
                preview.stop()


def test_a_save_between_the_first_build_and_watching_is_not_lost(tmp_path: Path) -> None:
    root = make_salon(tmp_path)
    output = Output()

    def echo(message: str, *, err: bool = False) -> None:
        if message.startswith("built ") and not output.out:  # the first build is done
            edit(root / "content/notes/x.md", NOTE.format(date="2026-01-02", body="Meanwhile."))
        output.echo(message, err=err)

    preview = Preview(root, port=0, offline=True, now_fn=lambda: NOW, echo=echo)
    try:
        preview.start()
        assert preview.server is not None
        assert b"Meanwhile." in Http(preview.server.port)("/notes/x/")[2]
    finally:
        preview.stop()


def test_a_theme_made_while_serving_is_watched(
    started: Callable[..., tuple[Preview, Http, Output]],
) -> None:
    preview, get, _ = started()
    template = preview.root / "themes/mine/templates/note.html"
    write_tree(
        preview.root,
        {"themes/mine/templates/note.html": '{% extends "default/note.html" %}'},
    )
    edit(
        preview.root / "salon.toml",
        MINIMAL_CONFIG.replace("[author]", 'theme = "mine"\n\n[author]'),
    )
    assert rebuilt(preview)
    edit(
        template,
        '{% extends "default/base.html" %}{% block content %}THEMED {{ note.title }}{% endblock %}',
    )
    assert rebuilt(preview)
    assert b"THEMED X marks" in get("/notes/x/")[2]


def test_a_first_build_that_fails_is_shown_and_then_served_once_fixed(
    started: Callable[..., tuple[Preview, Http, Output]],
) -> None:
    preview, get, _ = started({"content/notes/x.md": NOTE.format(date="2026-02-30", body="Leap.")})
    code, _, body = get("/")
    assert code == 503
    assert b"/__salon__/client.js" in body and b"impossible date" in body
    assert get("/feed.xml")[0] == 503  # nothing is served before a build succeeds
    edit(preview.root / "content/notes/x.md", NOTE.format(date="2026-02-28", body="Leap."))
    assert rebuilt(preview)
    code, _, body = get("/notes/x/")
    assert code == 200 and b"Leap." in body


def test_a_site_in_a_sub_folder_is_served_under_its_base_path(
    started: Callable[..., tuple[Preview, Http, Output]],
) -> None:
    config = MINIMAL_CONFIG.replace("https://example.org/", "https://example.org/blog/")
    preview, get, _ = started(config=config)
    assert preview.url.endswith("/blog/")
    assert get("/")[1]["location"] == "/blog/"
    assert get("/blog")[1]["location"] == "/blog/"
    code, _, body = get("/blog/")
    assert code == 200 and b'href="theme/salon.css"' in body  # relative to the page
    assert get("/blog/theme/salon.css")[0] == 200
    assert get("/blog/notes/x")[1]["location"] == "/blog/notes/x/"
    assert get("/theme/salon.css")[0] == 404


def test_event_stream_heartbeats_and_ends_on_stop(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    reload = Reload()
    reload.built("/")
    server = PreviewServer(tmp_path, port=0, reload=reload, heartbeat=0.05)
    assert server.server_address[0] == "127.0.0.1"  # no host given: loopback
    server.start()
    events = EventStream(server.port)
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)  # says nothing
    try:
        assert events.next_state()["diagnostics"] == []
        assert events.retry == 1000
        assert events.next_comment() == ": heartbeat"
        assert events.next_comment() == ": heartbeat"
        reload.failed([Diagnostic(path="content/notes/x.md", line=3, message="bad")])
        state = events.next_state()
        assert state["diagnostics"][0]["text"] == "content/notes/x.md:3: error: bad"
    finally:
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        stopper.join(WAIT)
    try:
        assert not stopper.is_alive(), "stop() hung on an open connection"
        assert events.ends()
        assert idle.recv(1) == b""  # the idle connection was closed, not abandoned
        assert set(threading.enumerate()) == before
    finally:
        events.close()
        idle.close()


def test_stop_joins_every_thread_and_removes_the_preview(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    root = make_salon(tmp_path)
    preview = Preview(
        root, port=0, offline=True, now_fn=lambda: NOW, echo=Output().echo, report=Output().report
    )
    preview.start()
    assert preview.server is not None and preview.temp is not None
    temp = preview.temp
    events = EventStream(preview.server.port)
    events.next_state()
    idle = socket.create_connection(("127.0.0.1", preview.server.port), timeout=WAIT)
    assert set(threading.enumerate()) - before  # server, observer, handlers are running
    stopper = threading.Thread(target=preview.stop)
    stopper.start()
    stopper.join(WAIT)
    assert not stopper.is_alive()
    assert set(threading.enumerate()) == before
    assert not temp.exists()
    assert not (root / "site").exists()
    left = sorted(p.name for p in (root / ".salon").iterdir())
    # no manifest or fingerprint for a folder now gone; the lock file stays (lock.py)
    assert left == ["lock", "render-cache.sqlite"]
    preview.stop()  # again: harmless
    events.close()
    idle.close()


def test_run_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    root = make_salon(tmp_path)
    output = Output()
    before = set(threading.enumerate())

    def interrupt_once_serving() -> None:
        deadline = time.monotonic() + WAIT
        while not any(line.startswith("serving ") for line in output.out):
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        _thread.interrupt_main()  # what Ctrl-C does to the main thread

    ctrl_c = threading.Thread(target=interrupt_once_serving)
    ctrl_c.start()
    code = run(
        root, port=0, offline=True, now_fn=lambda: NOW, echo=output.echo, report=output.report
    )
    ctrl_c.join(WAIT)
    assert code == 0
    serving = next(line for line in output.out if line.startswith("serving "))
    assert serving.startswith("serving http://127.0.0.1:")
    where = re.search(r"built in (\S+);", serving)
    assert where is not None
    temp = Path(where.group(1))
    assert temp.name == "site" and temp.parent.name.startswith("salon-serve-")
    assert not temp.parent.exists()
    assert output.out[-1] == "stopped"
    assert set(threading.enumerate()) == before
    assert not (root / "site").exists()


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_a_terminated_preview_removes_its_folder(tmp_path: Path, signal_name: str) -> None:
    """A service manager's SIGTERM, or the terminal closing (SIGHUP), stops `salon serve`
    as Ctrl-C does: exit 0, the temporary build folder gone."""
    import signal
    import sys

    root = make_salon(tmp_path)
    argv = [sys.executable, "-m", "salon_gen", "serve", "--offline", "--port", "0"]
    with subprocess.Popen(
        [*argv, "--source", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            lines = iter(proc.stdout.readline, "")
            serving = next((line for line in lines if line.startswith("serving ")), "")
            where = re.search(r"built in (\S+);", serving)
            assert where is not None, "salon serve did not start"
            temp = Path(where.group(1)).parent
            assert temp.exists()
            proc.send_signal(getattr(signal, signal_name))
            assert proc.wait(timeout=WAIT) == 0
            assert "stopped" in proc.stdout.read()
        finally:
            if proc.poll() is None:
                proc.kill()
    assert not temp.exists()


def test_run_refuses_a_taken_port_and_a_folder_without_salon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "temp"  # where the preview's folder would be made
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    root = make_salon(tmp_path)
    output = Output()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code = run(
            root,
            port=taken.getsockname()[1],
            offline=True,
            now_fn=lambda: NOW,
            echo=output.echo,
            report=output.report,
        )
        preview = Preview(root, port=taken.getsockname()[1], offline=True, echo=output.echo)
        with pytest.raises(OSError):
            preview.start()
        assert list(temp.iterdir()) == []  # a failed start undoes itself
    assert code == 1
    assert output.err[0].startswith("salon serve: error: cannot listen on 127.0.0.1:")
    assert list(temp.iterdir()) == []  # the preview folder made before listening is gone

    empty = tmp_path / "empty"
    empty.mkdir()
    output = Output()
    assert run(empty, port=0, offline=True, echo=output.echo, report=output.report) == 1
    assert [d.path for d in output.diagnostics] == ["salon.toml"]


# --- the client in a JavaScript engine and a real browser ----------------------------------

# The client with just enough of a DOM, EventSource and location to watch what it does.
CLIENT_HARNESS = """
const log = [];
function element(tag) {
  return { tag, style: {}, children: [], attrs: {}, textContent: "",
    setAttribute(k, v) { this.attrs[k] = v; }, addEventListener() {},
    append(...c) { this.children.push(...c); },
    remove() { log.push("removed"); document.body.children = []; } };
}
const handlers = {};
globalThis.document = {
  currentScript: { getAttribute: () => process.argv[2] },
  createElement: element,
  body: { children: [], appendChild(c) { this.children.push(c); log.push("overlay"); } },
};
globalThis.location = { reload() { log.push("reload"); } };
globalThis.window = globalThis;
window.addEventListener = () => {};
window.EventSource = class { constructor(url) { log.push("connect " + url); }
  addEventListener(name, f) { handlers[name] = f; } close() {} };
CLIENT_JS
function snapshot() {
  const overlay = document.body.children[0];
  log.push(overlay ? "showing " + overlay.children[3].textContent : "clear");
}
snapshot();  // as the page opens, before any event
for (const data of process.argv.slice(3)) {
  handlers.state({ data });
  snapshot();
}
console.log(JSON.stringify(log));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the client")
def test_client_reloads_on_a_new_build_and_shows_an_overlay_otherwise(tmp_path: Path) -> None:
    bad = [Diagnostic(path="content/notes/x.md", line=3, message="<b>bad</b>")]
    shown = "showing content/notes/x.md:3: error: <b>bad</b>"  # as text, never as markup
    served = livereload.status_json("b-1", 2, bad)  # a page opened while the build is broken
    events = [
        livereload.status_json("b-1", 3, []),  # cleared without new files: no reload
        livereload.status_json("b-1", 4, bad),  # failed again: same files, overlay
        livereload.status_json("b-2", 5, []),  # new files: reload
    ]
    script = tmp_path / "client.js"
    script.write_text(CLIENT_HARNESS.replace("CLIENT_JS", livereload.CLIENT_JS))
    result = subprocess.run(
        ["node", str(script), served, *events], capture_output=True, text=True, timeout=WAIT
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "overlay",
        "connect /__salon__/events",
        shown,
        "removed",
        "clear",
        "overlay",
        shown,
        "reload",
        shown,  # (the stub's reload does not navigate away)
    ]


CHROMIUM = next(
    (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_the_overlay_in_a_real_browser(
    started: Callable[..., tuple[Preview, Http, Output]], tmp_path: Path
) -> None:
    preview, _, _ = started()
    edit(
        preview.root / "content/notes/x.md",
        NOTE.format(date='"</script><img src=x onerror=alert(1)>"', body="Broken."),
    )
    assert rebuilt(preview)
    assert CHROMIUM is not None
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # a loopback page in a throwaway profile; root in CI containers
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            preview.url + "notes/x/",
        ],
        capture_output=True,
        text=True,
        timeout=30,  # an alert() from an injected <img onerror> would block it: a failure
    )
    dom = result.stdout
    assert 'id="salon-preview-errors"' in dom
    assert "content/notes/x.md:3: error: date: cannot read '&lt;/script&gt;&lt;img src=x" in dom
    assert "<img src" not in dom  # shown as text: no element was made from it
    assert "Original words." in dom  # under it, the last good build


# Every text of the overlay against the background it is drawn on, as the browser computes
# them (WCAG 2.x contrast): the theme's own styles for <pre> and <p> must not show through.
_OVERLAY_CONTRAST = """() => {
  function rgb(text) { return text.match(/[\\d.]+/g).map(Number); }
  function lum(c) {
    var v = c.slice(0, 3).map(function (x) {
      x /= 255; return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function background(el) {
    for (; el; el = el.parentElement) {
      var c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] === 1) { return c; }
      if (c[3] > 0) { return null; }  // translucent: cannot be judged alone
    }
    return null;
  }
  var box = document.getElementById("salon-preview-errors");
  return Array.from(box.querySelectorAll("*")).concat([box]).filter(function (el) {
    return el.firstChild && el.firstChild.nodeType === 3;
  }).map(function (el) {
    var bg = background(el);
    var fg = lum(rgb(getComputedStyle(el).color)), back = bg ? lum(bg) : -1;
    var ratio = bg ? (Math.max(fg, back) + 0.05) / (Math.min(fg, back) + 0.05) : 0;
    return [el.tagName, Math.round(ratio * 10) / 10];
  });
}"""


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_overlay_is_readable_in_both_colour_schemes(
    started: Callable[..., tuple[Preview, Http, Output]], browser: Any, scheme: str
) -> None:
    preview, _, _ = started()
    edit(preview.root / "content/notes/x.md", NOTE.format(date="2026-02-30", body="Broken."))
    assert rebuilt(preview)
    page = browser.new_page(color_scheme=scheme)
    try:
        page.goto(preview.url + "notes/x/")  # a themed page: its <pre> has a cream ground
        page.wait_for_selector("#salon-preview-errors", timeout=10_000)
        ratios = page.evaluate(_OVERLAY_CONTRAST)
    finally:
        page.close()
    assert {tag for tag, _ in ratios} >= {"H2", "P", "PRE", "BUTTON"}
    assert all(ratio >= 4.5 for _, ratio in ratios), ratios  # WCAG AA for normal text


@pytest.mark.parametrize(
    ("header", "bound", "allowed"),
    [
        ("127.0.0.1:8000", "127.0.0.1", True),
        ("localhost:8000", "127.0.0.1", True),
        ("LOCALHOST.", "127.0.0.1", True),
        ("app.localhost:8000", "127.0.0.1", True),
        ("[::1]:8000", "::1", True),
        ("192.168.1.5:8000", "0.0.0.0", True),  # an address cannot be rebound
        ("preview.lan:8000", "preview.lan", True),  # the name it was told to listen on
        ("evil.example:8000", "127.0.0.1", False),  # a DNS-rebinding page's own name
        ("127.0.0.1.evil.example", "127.0.0.1", False),
        ("", "127.0.0.1", False),
        (None, "127.0.0.1", True),
    ],
)
def test_host_allowed(header: str | None, bound: str, allowed: bool) -> None:
    from salon_gen.preview.httpd import host_allowed

    assert host_allowed(header, bound) is allowed


def test_the_preview_refuses_a_foreign_host_header(tmp_path: Path) -> None:
    """Issue 15, item 9: a DNS-rebinding page (Host: its own name) must not read the preview."""
    (tmp_path / "index.html").write_text("<p>drafts</p>")
    reload = Reload()
    reload.built("/")
    server = PreviewServer(tmp_path, port=0, reload=reload, heartbeat=0.05)
    server.start()
    try:
        for host, code in (("evil.example", 421), ("127.0.0.1", 200), ("localhost", 200)):
            with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
                sock.sendall(f"GET / HTTP/1.0\r\nHost: {host}:{server.port}\r\n\r\n".encode())
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
            assert data.split(b" ", 2)[1] == str(code).encode(), (host, data[:200])
            assert (b"drafts" in data) is (code == 200)
    finally:
        server.stop()
