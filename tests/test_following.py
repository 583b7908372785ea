"""Following people end to end: `salon build` against a real HTTP server on 127.0.0.1.

Every failure a friend's server can produce must leave the build at exit 0 with a clear
warning, and the entries stored before must survive it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from salon_gen.cli.main import main
from salon_gen.pipeline.build import BuildOptions, build

from .conftest import MINIMAL_CONFIG, NOW, snapshot
from .httpserver import FeedServer, serve

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Maya's letters</title><link>https://maya.example.net/</link>
<description>Letters</description>
<item><title>On postscripts</title><link>https://maya.example.net/postscripts</link>
<guid>https://maya.example.net/postscripts</guid><pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate>
<category>Letters</category>
<description><![CDATA[<p>A postscript is a second chance.<script>alert(1)</script>
<a href="javascript:alert(2)">click</a> <img src="x.png" onerror="alert(3)"></p>]]></description>
</item>
<item><title>Tomatoes &lt;b&gt;again&lt;/b&gt;</title><link>javascript:alert(4)</link>
<guid>tomatoes</guid><pubDate>Wed, 18 Nov 2026 08:00:00 GMT</pubDate>
<description>Growing them on a balcony.</description></item>
</channel></rss>
"""


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve() as s:
        s.bodies["maya"] = FEED
        s.aliases["/feed/maya"] = "/ok/maya"
        yield s


@pytest.fixture
def salon(make_salon: Callable[..., Path], server: FeedServer) -> Path:
    config = MINIMAL_CONFIG + "\n[fetch]\ntimeout = 2\nmax_size_mb = 1\n"
    return make_salon(
        {
            "content/people/maya.md": (
                f"---\nname: Maya Okafor\nfeeds: [{server.url('/feed/maya')}]\n"
                "interests: [letters]\nfull_text: true\n---\nMaya writes letters.\n"
            ),
            "content/notes/letters.md": "---\ntitle: On letters\ndate: 2026-11-01\n"
            "tags: [letters]\n---\nWrite more.\n",
        },
        config=config,
    )


def read(root: Path, page: str) -> str:
    return (root / "site" / page).read_text(encoding="utf-8")


def test_fetch_store_render_then_304_then_offline_is_identical(
    salon: Path, server: FeedServer
) -> None:
    first = build(salon, now=NOW)
    assert first.fetched is not None and "1 fetched" in first.fetched
    assert first.warnings == ()
    river = read(salon, "reading/index.html")
    assert "On postscripts" in river
    assert "Tomatoes again" in river  # markup in a title is dropped: titles are plain text
    assert "<b>again" not in river
    assert "On postscripts" in read(salon, "people/maya/index.html")
    assert "On postscripts" in read(salon, "interests/letters/index.html")  # category = tag
    assert "On postscripts" in read(salon, "index.html")  # "from the salon"
    assert "https://maya.example.net/postscripts" in river
    for page in ("reading/index.html", "people/maya/index.html"):
        html = read(salon, page).lower()
        assert "<script>alert" not in html and "javascript:" not in html
        assert "onerror" not in html
    outgoing = read(salon, "feed.xml")
    assert "postscript" not in outgoing.lower()  # outgoing feeds stay the owner's writing

    # An hour later the feed is due again: validators go out, a 304 comes back.
    again = build(salon, now=NOW + timedelta(hours=2))
    assert again.fetched is not None and "1 unchanged" in again.fetched
    assert again.up_to_date  # a poll that changed no entry changes no page: nothing rebuilt
    hits = server.hits("/feed/maya")
    assert len(hits) == 2
    assert hits[1].headers["If-None-Match"] is not None
    assert "salon/" in hits[1].headers["User-Agent"]

    # Not due: nothing is fetched at all.
    build(salon, now=NOW + timedelta(hours=2, minutes=5))
    assert len(server.hits("/feed/maya")) == 2

    online = {k: v[0] for k, v in snapshot(salon / "site").items()}
    import shutil

    shutil.rmtree(salon / "site")
    offline = build(salon, now=NOW + timedelta(hours=2), options=BuildOptions(offline=True))
    assert offline.fetched is None
    assert {k: v[0] for k, v in snapshot(salon / "site").items()} == online


FAILURES = [
    ("/status/404", "HTTP 404"),
    ("/status/410", "is gone (HTTP 410)"),
    ("/status/500", "HTTP 500"),
    ("/status/429?retry_after=120", "HTTP 429"),
    ("/status/503?retry_after=Wed, 25 Nov 2026 10:00:00 GMT", "HTTP 503"),
    ("/loop", "redirect"),
    ("/redirect-to?url=file:///etc/passwd", "file"),
    ("/slow/5/maya", "timed out"),
    ("/trickle", "timed out"),
    ("/huge/3000000", "limit"),
    ("/huge/3000000?mode=chunked", "limit"),
    ("/gzip-bomb", "limit"),
    ("/bad-gzip", "gzip"),
    ("/ct/text%2Fhtml/nothing-here", "could not be read"),
]


@pytest.mark.parametrize(("path", "expected"), FAILURES, ids=[p for p, _ in FAILURES])
def test_a_failing_feed_is_a_warning_and_history_survives(
    salon: Path, server: FeedServer, path: str, expected: str
) -> None:
    build(salon, now=NOW)
    server.aliases["/feed/maya"] = path
    if path.startswith("/ct/"):
        server.bodies["nothing-here"] = b"<html><body>not a feed</body></html>"
    result = build(salon, now=NOW + timedelta(hours=2))
    messages = [d.format() for d in result.warnings]
    assert len(messages) == 1, messages
    assert messages[0].startswith("content/people/maya.md:3: warning: feed http://127.0.0.1:")
    assert expected.lower() in messages[0].lower(), messages[0]
    assert "On postscripts" in read(salon, "reading/index.html")  # stored entries survive


@pytest.mark.parametrize("code", ["301", "308"])
def test_a_permanent_redirect_is_followed_and_the_fix_is_offered(
    salon: Path, server: FeedServer, code: str
) -> None:
    server.aliases["/feed/maya"] = f"/redirect/{code}/ok/maya"
    result = build(salon, now=NOW)
    assert "On postscripts" in read(salon, "reading/index.html")
    [warning] = [d.format() for d in result.warnings]
    new = server.url("/ok/maya")
    assert f"has moved permanently to {new}" in warning
    assert "salon feeds --fix" in warning
    runner = CliRunner()
    fixed = runner.invoke(main, ["feeds", "--source", str(salon), "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert new in (salon / "content/people/maya.md").read_text()
    # The history moved with the feed: an offline build still shows it.
    build(salon, now=NOW, options=BuildOptions(offline=True))
    assert "On postscripts" in read(salon, "reading/index.html")


def test_fetch_and_feeds_commands(salon: Path, server: FeedServer) -> None:
    runner = CliRunner()
    now = ["--now", NOW.isoformat()]
    fetched = runner.invoke(main, ["fetch", "--source", str(salon), *now])
    assert fetched.exit_code == 0, fetched.output
    assert "1 feeds due: 1 fetched" in fetched.stdout
    health = runner.invoke(main, ["feeds", "--source", str(salon), *now])
    assert health.exit_code == 0
    assert "maya" in health.stdout and "ok (HTTP 200)" in health.stdout
    assert "2 entries stored" in health.stdout
    again = runner.invoke(main, ["fetch", "--source", str(salon), *now])
    assert "0 feeds due" in again.stdout  # polite: not due yet


def test_a_corrupt_store_is_a_clear_error_with_a_way_out(salon: Path, server: FeedServer) -> None:
    build(salon, now=NOW)
    before = snapshot(salon / "site")
    (salon / ".salon/feeds.sqlite").write_bytes(b"garbage" * 1000)
    runner = CliRunner()
    failed = runner.invoke(main, ["build", "--source", str(salon), "--now", NOW.isoformat()])
    assert failed.exit_code == 1
    assert ".salon/feeds.sqlite: error:" in failed.stderr
    assert "salon fetch --rebuild-store" in failed.stderr
    assert snapshot(salon / "site") == before
    rebuilt = runner.invoke(
        main, ["fetch", "--source", str(salon), "--rebuild-store", "--now", NOW.isoformat()]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "kept as" in rebuilt.stdout
    assert "1 fetched" in rebuilt.stdout
