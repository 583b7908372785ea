"""What goes live, through real builds: drafts, private notes, a future publishDate and a
past expiryDate (Hugo, Jekyll and Pelican spellings) reach no page, no feed and no sitemap;
a scheduled note appears, and an expiring one goes, when its time comes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest

from salon_gen.pipeline.build import BuildOptions, build

from .conftest import NOW

OFFLINE = BuildOptions(offline=True)

LIVE = "---\ntitle: Plainly live\ndate: 2026-11-01\n---\nLIVE-BODY\n"
HIDDEN = {
    "draft": "---\ntitle: Hidden draft\ndate: 2026-11-01\ndraft: true\n---\nHIDDEN-BODY\n",
    "unpublished": "---\ntitle: Hidden jekyll\ndate: 2026-11-01\npublished: false\n---\n"
    "HIDDEN-BODY\n",
    "pelican": "Title: Hidden pelican\nDate: 2026-11-01\nStatus: draft\n\nHIDDEN-BODY\n",
    "private": "---\ntitle: Hidden private\ndate: 2026-11-01\nprivate: true\n---\nHIDDEN-BODY\n",
    "scheduled": "---\ntitle: Hidden scheduled\ndate: 2026-11-01\n"
    "publishDate: 2026-12-01\n---\nHIDDEN-BODY\n",
    "expired": "---\ntitle: Hidden expired\ndate: 2026-10-01\nexpiryDate: 2026-11-01\n---\n"
    "HIDDEN-BODY\n",
    "future": "---\ntitle: Hidden future\ndate: 2027-01-01\n---\nHIDDEN-BODY\n",
}
PAGES = {
    "content/pages/about.md": "---\ntitle: About\n---\nABOUT-BODY\n",
    "content/pages/secret.md": "---\ntitle: Hidden page\nprivate: true\n---\nHIDDEN-BODY\n",
    "content/pages/wip.md": "---\ntitle: Hidden wip\ndraft: true\n---\nHIDDEN-BODY\n",
}


def every_file(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture
def salon(make_salon: Callable[..., Path]) -> Path:
    files = {f"content/notes/{name}.md": text for name, text in HIDDEN.items()}
    return make_salon({"content/notes/live.md": LIVE, **files, **PAGES})


def test_hidden_notes_and_pages_are_in_no_page_no_feed_no_sitemap(salon: Path) -> None:
    build(salon, now=NOW, options=OFFLINE)
    files = every_file(salon / "site")
    leaked = sorted(p for p, data in files.items() if b"HIDDEN" in data or b"Hidden" in data)
    assert leaked == []
    assert b"LIVE-BODY" in files["notes/live/index.html"]
    assert b"ABOUT-BODY" in files["about/index.html"]
    assert not any(p.startswith(("notes/draft", "secret", "wip")) for p in files)
    for feed in ("feed.xml", "rss.xml"):
        parsed = feedparser.parse(files[feed])
        assert not parsed.bozo, feed
        assert [e.title for e in parsed.entries] == ["Plainly live"], feed
    items = json.loads(files["feed.json"])["items"]  # feedparser does not read JSON Feed
    assert [i["title"] for i in items] == ["Plainly live"]
    assert b"notes/scheduled" not in files["sitemap.xml"]


def test_drafts_shows_all_but_private(salon: Path) -> None:
    build(salon, now=NOW, options=BuildOptions(offline=True, drafts=True))
    files = every_file(salon / "site")
    titles = {e.title for e in feedparser.parse(files["feed.xml"]).entries}
    assert titles == {
        "Plainly live",
        "Hidden draft",
        "Hidden jekyll",
        "Hidden pelican",
        "Hidden scheduled",
        "Hidden expired",
        "Hidden future",
    }
    assert not any(b"Hidden private" in data or b"Hidden page" in data for data in files.values())
    assert "wip/index.html" in files


def test_scheduled_notes_appear_and_expiring_ones_go_when_their_time_comes(
    make_salon: Callable[..., Path],
) -> None:
    root = make_salon(
        {
            "content/notes/soon.md": "---\ntitle: Soon\ndate: 2026-11-01\n"
            "publishDate: 2026-11-25T00:00:00Z\n---\nx\n",
            "content/notes/ending.md": "---\ntitle: Ending\ndate: 2026-11-01\n"
            "expiryDate: 2026-11-28T00:00:00Z\n---\nx\n",
        }
    )
    site = root / "site"
    build(root, now=NOW, options=OFFLINE)
    assert (site / "notes/ending/index.html").exists() and not (site / "notes/soon").exists()
    # nothing comes due before 25 November: the no-change fast path holds
    assert build(root, now=NOW + timedelta(days=2), options=OFFLINE).up_to_date
    assert not build(root, now=NOW + timedelta(days=3), options=OFFLINE).up_to_date
    assert (site / "notes/soon/index.html").exists()
    titles = {e.title for e in feedparser.parse((site / "feed.xml").read_bytes()).entries}
    assert titles == {"Ending", "Soon"}
    # next: the expiry on 28 November
    assert build(root, now=NOW + timedelta(days=5), options=OFFLINE).up_to_date
    assert not build(root, now=NOW + timedelta(days=6), options=OFFLINE).up_to_date
    assert not (site / "notes/ending").exists()
    left = [e.title for e in feedparser.parse((site / "feed.xml").read_bytes()).entries]
    assert left == ["Soon"]
