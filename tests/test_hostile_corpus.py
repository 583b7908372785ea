"""Every file of feedparser's own test corpus, ingested, stored and rendered: a scan of
the built pages finds no live script, event handler, embedded frame or dangerous URL.

Needs ../shared/corpus/feedparser-tests (CI has it; a user's clone does not: skipped)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import html5lib
import pytest

from salon_gen.following.ingest import parse_feed
from salon_gen.following.store import FeedStore
from salon_gen.pipeline.build import BuildOptions, build

from .conftest import MINIMAL_CONFIG, NOW, SHARED

CORPUS = SHARED / "corpus" / "feedparser-tests"
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")
URL_ATTRIBUTES = (
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "background",
    "cite",
    "srcset",
    "{http://www.w3.org/1999/xlink}href",
    "xlink:href",
)
FORBIDDEN_ELEMENTS = (
    "script",
    "iframe",
    "object",
    "embed",
    "form",
    "base",
    "frame",
    "frameset",
    "applet",
    "meta",
    "link",
    "style",
)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"feedparser corpus not found at {CORPUS}")
def test_hostile_feeds_never_reach_a_page_alive(make_salon: Callable[..., Path]) -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) > 2000
    feeds = [f"https://corpus.example/{p.relative_to(CORPUS).as_posix()}" for p in files]
    people = "\n".join(f"  - {url}" for url in feeds)
    root = make_salon(
        {
            "content/people/corpus.md": (
                f"---\nname: The Corpus\nfull_text: true\nfeeds:\n{people}\n---\nHostile.\n"
            ),
            "content/notes/n.md": "---\ntitle: A note\ndate: 2026-01-01\n---\nHello.\n",
        },
        config=MINIMAL_CONFIG + "\n[reading]\nper_page = 500\n",
    )
    (root / ".salon").mkdir()
    stored = 0
    with FeedStore(root / ".salon" / "feeds.sqlite") as store:
        for path, url in zip(files, feeds, strict=True):
            parsed = parse_feed(path.read_bytes(), url=url, content_type=None, now=NOW)
            stored += store.upsert_entries(url, parsed.entries, NOW)[0]
    assert stored > 1000
    build(root, now=NOW + timedelta(days=1), options=BuildOptions(offline=True))

    pages = sorted((root / "site").rglob("*.html"))
    search = root / "site/search/index.html"
    shown = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        shown += text.count("river-entry h-entry")
        doc = html5lib.parse(text, namespaceHTMLElements=False)
        body = doc.find("body")
        assert body is not None
        # Our own theme puts meta, link and style in <head>; remote HTML only ever lands in
        # <body>, where none of these may appear.
        for el in doc.iter():
            tag = el.tag.lower() if isinstance(el.tag, str) else ""
            if page == search:  # ours alone: it shows no entry; its one script is ours
                assert tag != "script" or el.get("src") == "../theme/search.js", (page, el.attrib)
            elif tag in FORBIDDEN_ELEMENTS:
                assert tag != "script", (page, tag)
                assert not any(el is b for b in body.iter()), (page, tag)
            for name, value in el.attrib.items():
                assert not name.lower().startswith("on"), (page, tag, name, value)
                if name in URL_ATTRIBUTES or name.lower() in URL_ATTRIBUTES:
                    cleaned = "".join(value.split()).lower()
                    assert not cleaned.startswith(DANGEROUS_SCHEMES), (page, tag, name, value)
    assert shown > 1000  # the scan looked at what was really rendered
