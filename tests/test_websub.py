"""WebSub: the hub advertised in every feed when configured (and nothing when not), and
`ping_hub` announcing changed feeds to a hub on a loopback server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from salon_gen.core.errors import BuildFailed
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.publish.websub import changed_feeds, feed_digests, ping_hub
from tests.mentionserver import Page, Web, serve_web

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FEEDS = ["feed.xml", "rss.xml", "feed.json", "shares/feed.xml"]


def _config(hub: str | None) -> str:
    line = f'hub = "{hub}"\n' if hub else ""
    return f'title = "T"\nbase_url = "https://example.org/"\n{line}[author]\nname = "Ada"\n'


NOTE = "---\ntitle: Hello\ndate: 2026-11-01\n---\nHello.\n"


@pytest.fixture
def hub() -> Iterator[Web]:
    with serve_web() as web:
        yield web


def _salon(make_salon: Callable[..., Path], hub: str | None) -> Path:
    root = make_salon({"content/notes/hello.md": NOTE}, config=_config(hub))
    build(root, now=NOW, options=BuildOptions(offline=True))
    return root


def test_every_feed_names_the_hub(make_salon: Callable[..., Path]) -> None:
    site = _salon(make_salon, "https://hub.example.net/") / "site"
    atom = (site / "feed.xml").read_text()
    assert '<link rel="hub" href="https://hub.example.net/"/>' in atom
    assert (
        '<link rel="hub" href="https://hub.example.net/"/>'
        in (site / "shares/feed.xml").read_text()
    )
    rss = (site / "rss.xml").read_text()
    assert '<atom:link href="https://hub.example.net/" rel="hub"/>' in rss
    feed = json.loads((site / "feed.json").read_text())
    assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example.net/"}]


def test_without_a_hub_no_feed_mentions_one(make_salon: Callable[..., Path]) -> None:
    site = _salon(make_salon, None) / "site"
    for name in FEEDS:
        text = (site / name).read_text()
        assert 'rel="hub"' not in text and "hubs" not in text


def test_a_hub_must_be_an_http_url(make_salon: Callable[..., Path]) -> None:
    root = make_salon({}, config=_config("hub.example.net"))
    with pytest.raises(BuildFailed) as failed:
        build(root, now=NOW, options=BuildOptions(offline=True))
    assert any(d.path == "salon.toml" and "hub" in d.format() for d in failed.value.diagnostics)


def _announced(web: Web, since: int = 0) -> list[str]:
    return [
        dict(form)["hub.url"]
        for path, form in web.posts[since:]
        if path == "/hub" and dict(form).get("hub.mode") == "publish"
    ]


def test_the_hub_hears_of_changed_feeds_only(make_salon: Callable[..., Path], hub: Web) -> None:
    root = _salon(make_salon, hub.url("/hub"))
    done = ping_hub(root)
    assert _announced(hub) == [f"https://example.org/{name}" for name in FEEDS]
    assert [p.error for p in done.pings] == [None] * 4
    assert ping_hub(root).pings == ()  # nothing changed: nothing said
    assert len(hub.posts) == 4

    before = feed_digests(root / "site", "https://example.org/")
    (root / "content/notes/hello.md").write_text(NOTE.replace("Hello.", "Hello again."))
    build(root, now=NOW, options=BuildOptions(offline=True))
    after = feed_digests(root / "site", "https://example.org/")
    changed = [url for url in after if before[url] != after[url]]
    assert changed  # the note's text is in the feeds
    ping_hub(root)
    assert _announced(hub, 4) == changed


def test_a_failed_ping_is_made_again(make_salon: Callable[..., Path], hub: Web) -> None:
    root = _salon(make_salon, hub.url("/hub"))
    hub.pages["/hub"] = Page(status=503, body=b"busy")
    failed = ping_hub(root)
    assert [p.status for p in failed.pings] == [503] * 4
    assert failed.summary().endswith("4 failed")
    del hub.pages["/hub"]
    assert len(ping_hub(root).pings) == 4
    assert ping_hub(root).pings == ()


def test_a_new_hub_hears_of_every_feed(make_salon: Callable[..., Path], hub: Web) -> None:
    root = _salon(make_salon, hub.url("/hub"))
    ping_hub(root)
    (root / "salon.toml").write_text(_config(hub.url("/other-hub")))
    assert len(ping_hub(root).pings) == 4
    assert [p for p, _ in hub.posts[4:]] == ["/other-hub"] * 4


def test_pinging_without_a_hub_says_how_to_name_one(make_salon: Callable[..., Path]) -> None:
    root = _salon(make_salon, None)
    with pytest.raises(BuildFailed) as failed:
        ping_hub(root)
    assert (
        failed.value.diagnostics[0].hint
        == 'name one in salon.toml: hub = "https://hub.example.org/"'
    )


def test_changed_feeds_is_a_plain_comparison() -> None:
    now = {"a": "1", "b": "2", "c": "3"}
    assert changed_feeds(now, {"a": "1", "b": "0"}, hub_changed=False) == ("b", "c")
    assert changed_feeds(now, now, hub_changed=True) == ("a", "b", "c")
