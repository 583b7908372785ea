"""Following friends when the machine or a friend's server misbehaves (issue 15, items 8, 9).

- The feed store's disk is full (a real 256 KB tmpfs mounted on .salon/, where mounting is
  allowed; and everywhere SQLite's own `max_page_count` on the store's connection): `salon
  fetch` and `salon build` end in `.salon/feeds.sqlite: error: ...` with a hint, exit 1, the
  entries stored before are all there, the site and the people's files untouched.
- Ctrl-C while a friend's server is slow (it trickles its answer, so only salon's 60 s
  total timeout would end the request): `salon fetch` and `salon build` stop at once, say
  so, exit 130, and leave the store whole and unlocked.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from salon_gen.core.model import FeedEntry
from salon_gen.following.store import FeedStore, StoreError

from .conftest import snapshot
from .httpserver import FeedServer, serve

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
SEEN = datetime(2026, 11, 1, tzinfo=UTC)


def salon(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "salon_gen", *args],
        cwd=root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )


def person(name: str, feed: str) -> str:
    return f"---\nname: {name.title()}\nurl: https://{name}.example/\nfeeds: [{feed}]\n---\nHi.\n"


def big_feed(entries: int) -> bytes:
    words = "a sentence of a long post " * 40
    items = "".join(
        f"<item><title>Post {i}</title><guid>big-{i}</guid>"
        f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>{i} {words}"
        "</description></item>"
        for i in range(entries)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def stored(root: Path) -> tuple[str, list[str]]:
    """The store's own integrity check and the ids it holds, read without writing."""
    db = sqlite3.connect(f"file:{root / '.salon/feeds.sqlite'}?mode=ro", uri=True)
    try:
        (check,) = db.execute("PRAGMA integrity_check").fetchone()
        ids = [i for (i,) in db.execute("SELECT entry_id FROM entries ORDER BY entry_id")]
    finally:
        db.close()
    return check, ids


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with serve() as server:
        yield server


@pytest.fixture
def small_disk(make_salon: Callable[..., Path]) -> Iterator[Path]:
    """A salon whose .salon/ is a 256 KB tmpfs: a disk that fills up for real."""
    root = make_salon()
    (root / ".salon").mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(root / ".salon")],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs is not allowed here (test_store_full_* still runs)")
    try:
        yield root
    finally:
        subprocess.run(["umount", str(root / ".salon")], check=True)


def test_a_full_disk_under_the_feed_store_is_a_diagnostic(
    small_disk: Path, feeds: FeedServer
) -> None:
    root = small_disk
    (root / "content/people").mkdir(parents=True)
    (root / "content/people/ada.md").write_text(person("ada", feeds.url("/ok/ada")))
    first = salon(root, "fetch")
    assert first.returncode == 0, first.stderr
    assert salon(root, "build", "--offline").returncode == 0
    site = snapshot(root / "site")
    before = stored(root)
    assert before[0] == "ok" and len(before[1]) == 1

    feeds.bodies["big"] = big_feed(400)  # ~900 KB of entries: more than the disk holds
    (root / "content/people/cy.md").write_text(person("cy", feeds.url("/ok/big")))
    people = snapshot(root / "content")
    expected = (
        ".salon/feeds.sqlite: error: the feed store has no room to grow: the disk is full "
        "(database or disk is full)\n"
        "  hint: free some space on the disk that holds .salon/, then run 'salon fetch' "
        "again; what was stored before is kept\n"
    )
    for command in (("fetch",), ("build",)):  # a build fetches the due feed, and fails so
        done = salon(root, *command)
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith(expected), done.stderr
        assert "Traceback" not in done.stderr
        assert stored(root) == before  # the failed feed's transaction was rolled back
        assert snapshot(root / "site") == site
        assert snapshot(root / "content") == people


def _entries(n: int) -> list[FeedEntry]:
    return [
        FeedEntry(
            feed_url="https://big.example/feed",
            entry_id=f"e-{i}",
            title=f"Post {i}",
            link=None,
            published=SEEN,
            updated=SEEN,
            summary="",
            content_html="<p>" + "words " * 200 + "</p>",
            person_id="big",
        )
        for i in range(n)
    ]


def test_store_full_is_a_store_error_with_a_hint_and_keeps_what_was_stored(
    tmp_path: Path,
) -> None:
    """SQLite itself refusing to grow the file (`max_page_count`, a limit of the connection
    the store writes through): where no tmpfs can be mounted this is the same SQLITE_FULL."""
    path = tmp_path / "feeds.sqlite"
    with FeedStore(path) as store:
        store.upsert_entries("https://big.example/feed", _entries(3), SEEN)
        (pages,) = store.db.execute("PRAGMA page_count").fetchone()
        store.db.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(StoreError) as caught:
            store.upsert_entries("https://big.example/feed", _entries(300), SEEN)
        assert caught.value.message == (
            "the feed store has no room to grow: the disk is full (database or disk is full)"
        )
        assert caught.value.hint is not None and "free some space" in caught.value.hint
        assert [e.entry_id for e in store.entries()] == ["e-0", "e-1", "e-2"]
    with FeedStore(path) as again:  # opens clean: nothing half-written
        assert len(again.entries()) == 3


class SlowServer:
    """A friend's server on 127.0.0.1 that answers one header byte a second, for as long as
    the test lasts: salon's per-read timeout never fires, only its 60 s total would."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connected = threading.Event()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.threads.append(threading.Thread(target=self._accept))
        self.threads[0].start()

    def _accept(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._trickle, args=(conn,))
            self.threads.append(thread)
            thread.start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            self.connected.set()
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while not self.stop.wait(1.0):
                    conn.sendall(b"z")
            except OSError:
                pass  # salon hung up: what it should do when stopped

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)
        self.sock.close()


@pytest.mark.parametrize("command", ["fetch", "build"])
def test_ctrl_c_stops_a_fetch_from_a_slow_server_at_once(
    make_salon: Callable[..., Path], feeds: FeedServer, command: str
) -> None:
    root = make_salon({"content/people/ada.md": person("ada", feeds.url("/ok/ada"))})
    assert salon(root, "build").returncode == 0  # fetches ada's feed, builds the site
    site = snapshot(root / "site")
    before = stored(root)
    assert before[0] == "ok" and len(before[1]) == 1
    slow = SlowServer()
    try:
        (root / "content/people/bo.md").write_text(
            person("bo", f"http://127.0.0.1:{slow.port}/feed.xml")
        )
        args = ["fetch", "--force"] if command == "fetch" else ["build"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "salon_gen", *args],
            cwd=root,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert slow.connected.wait(60), "salon never asked the slow server"
            proc.send_signal(signal.SIGINT)
            # Generous, and well before the 60 s the request would otherwise take.
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    finally:
        slow.close()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    if command == "fetch":
        assert "salon fetch: interrupted before it finished; nothing half-stored, the feed " in err
    else:
        assert "salon build: interrupted before it finished; the site folder is left whole" in err
    assert stored(root) == before
    assert snapshot(root / "site") == site
    again = salon(root, "fetch")  # not locked, not wedged: bo's server is gone now
    assert again.returncode == 0, again.stderr
    assert "content/people/bo.md:4: warning:" in again.stderr, again.stderr
