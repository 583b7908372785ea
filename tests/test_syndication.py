"""Tests for salon_gen.pipeline.syndication: every feed read back by real parsers and validators.

feedparser reads Atom and RSS back, lxml validates Atom against the RFC 4287 RELAX NG schema,
jsonschema validates JSON Feed against a JSON Feed 1.1 schema (both under tests/schemas/, see
the README there), and lxml parses OPML, sitemap and the HTML inside the feeds.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
from lxml import etree

from salon_gen import __version__
from salon_gen.core.interests import gather
from salon_gen.core.model import (
    Author,
    Config,
    FeedOptions,
    Link,
    Note,
    OutputFile,
    Person,
    Site,
    Via,
    Year,
)
from salon_gen.pipeline.syndication import render_feeds, render_robots, render_sitemap

SCHEMAS = Path(__file__).parent / "schemas"
ATOM = "{http://www.w3.org/2005/Atom}"
TAGS = ["letters", "html", "zeta", "alpha", "mid"]
NASTY_TITLE = "Tags <b>&\"' here"
BASE = "https://example.org/blog/"


def utc(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, 30, tzinfo=UTC)


# --- a small site -------------------------------------------------------------------------


def make_notes() -> tuple[Note, ...]:
    """Three notes and two shares, newest first (as `Site.notes` is)."""
    share_new = Note(
        kind="share",
        source="content/shares/essay.md",
        slug="essay",
        url="shares/essay/",
        entry_id="tag:example.org,2026:shares/essay",
        title="The Art of the Letter",
        date=utc(8),
        tags=("letters",),
        excerpt="Worth reading, slowly.",
        html="<p>Worth reading, slowly.</p>",
        link=Link(
            url="https://www.example.com/essay?a=1&b=2",
            title="The Art of the Letter",
            domain="example.com",
        ),
        via=Via(name="Maya Okafor", person_id="maya"),
    )
    nasty = Note(
        kind="note",
        source="content/notes/nasty.md",
        slug="nasty",
        url="notes/nasty/",
        entry_id="tag:example.org,2026:notes/nasty",
        title=NASTY_TITLE,
        # Written at 08:00 in a +01:00 zone: must come out as 07:00Z.
        date=datetime(2026, 3, 7, 8, 0, tzinfo=timezone(timedelta(hours=1))),
        updated=utc(10, 12),  # newer than every date: the feed's updated
        # Several tags, in no sorted order: any set or hash ordering would show.
        tags=("letters", "html", "zeta", "alpha", "mid"),
        summary="About <markup> & such.",
        excerpt="See the other note.",
        html=(
            '<p>See <a href="../other/">the other note</a> and '
            '<a href="#fn1">a footnote</a>.</p>\n'
            '<p><img src="/blog/static/x.png" alt="x"></p>\n'
            '<p><a href="https://elsewhere.example/">elsewhere</a></p>'
        ),
    )
    share_old = Note(
        kind="share",
        source="content/shares/tool.md",
        slug="tool",
        url="shares/tool/",
        entry_id="tag:example.org,2026:shares/tool",
        title="A tool",
        date=utc(6),
        link=Link(url="https://tools.example.net/", title="A tool", domain="tools.example.net"),
        via=Via(name="Bob's blog", url="https://bob.example.net/"),
    )
    bell = Note(
        kind="note",
        source="content/notes/bell.md",
        slug="bell",
        url="notes/bell/",
        entry_id="tag:example.org,2026:notes/bell",
        title="Bell\x07 and café",
        date=utc(5),
        tags=("friendship",),
        excerpt="Ding\x00 dong.",
        html="<p>Ding\x00 dong, café.</p>",
    )
    first = Note(
        kind="note",
        source="content/notes/first.md",
        slug="first",
        url="notes/first/",
        entry_id="tag:example.org,2026:notes/first",
        title="First",
        date=utc(1),
        excerpt="Hello.",
        html='<p>Hello. <a href="notes/bell/">later</a></p>',
    )
    return (share_new, nasty, share_old, bell, first)


def make_site(notes: tuple[Note, ...] | None = None, **feeds: Any) -> Site:
    notes = make_notes() if notes is None else notes
    config = Config(
        title="Ada's <Salon>",
        base_url=BASE,
        description="Notes & links",
        language="en-GB",
        author=Author(
            name="Ada Lovelace",
            url="https://example.org/blog/about/",
            email="ada@example.org",
            avatar="/static/ada.png",
        ),
        feeds=FeedOptions(**feeds),
    )
    people = (
        Person(id="bob", source="content/people/bob.md", url_path="people/bob/", name="Bob"),
        Person(
            id="ghost",
            source="content/people/ghost.md",
            url_path="people/ghost/",
            name="Ghost",
            feeds=("https://ghost.example/feed.xml",),
            public=False,  # must never be published, even if it slipped into Site
        ),
        Person(
            id="maya",
            source="content/people/maya.md",
            url_path="people/maya/",
            name="Maya Okafor",
            url="https://maya.example.net/",
            feeds=("https://maya.example.net/feed.xml", "https://maya.example.net/links.rss"),
            # an interest nobody writes on here: a page, but no feed of the owner's writing
            interests=("gardening", "letters"),
        ),
    )
    interests = gather(notes, [p for p in people if p.public], (), {})
    years = (Year(year=2026, notes=notes),) if notes else ()
    return Site(
        config=config, notes=notes, pages=(), people=people, interests=interests, years=years
    )


def files_of(site: Site) -> dict[str, bytes]:
    out = render_feeds(site)
    assert all(isinstance(f, OutputFile) for f in out)
    return {f.path: f.data for f in out}


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return files_of(make_site())


def xml(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


# --- what is produced ---------------------------------------------------------------------


def test_render_feeds_paths(files: dict[str, bytes]) -> None:
    assert list(files) == [
        "feed.xml",
        "rss.xml",
        "feed.json",
        "shares/feed.xml",
        "interests/alpha/feed.xml",
        "interests/friendship/feed.xml",
        "interests/html/feed.xml",
        "interests/letters/feed.xml",
        "interests/mid/feed.xml",
        "interests/zeta/feed.xml",
        "blogroll.opml",
    ]


def test_deterministic_bytes() -> None:
    assert render_feeds(make_site()) == render_feeds(make_site())
    assert render_feeds(make_site(full_content=False)) == render_feeds(
        make_site(full_content=False)
    )


_DIGEST = """
import hashlib, sys
sys.path.insert(0, sys.argv[1])
from test_syndication import make_site, utc
from salon_gen.pipeline.syndication import render_feeds, render_robots, render_sitemap
site = make_site()
out = [*render_feeds(site), render_sitemap(site, [("", utc(8))]), render_robots(site)]
print(hashlib.sha256(repr(out).encode()).hexdigest())
"""


def test_same_bytes_in_other_processes_zones_and_locales() -> None:
    """Hash seeds (set order), the machine's zone and locale must not reach the output."""
    digests = set()
    for seed, zone in (("1", "UTC"), ("5", "Pacific/Chatham"), ("42", "America/St_Johns")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": zone, "LC_ALL": "C.UTF-8"}
        run = subprocess.run(
            [sys.executable, "-c", _DIGEST, str(Path(__file__).parent)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(run.stdout.strip())
    assert len(digests) == 1, digests


def test_no_forbidden_xml_characters(files: dict[str, bytes]) -> None:
    for path, data in files.items():
        assert b"\x07" not in data and b"\x00" not in data, path
    # The rest of the text survives, non-ASCII written as itself.
    assert "Bell and café".encode() in files["feed.xml"]
    assert '"Bell and café"'.encode() in files["feed.json"]


# --- Atom ---------------------------------------------------------------------------------


def test_atom_read_back_by_feedparser(files: dict[str, bytes]) -> None:
    d = feedparser.parse(files["feed.xml"])
    assert not d.bozo, d.get("bozo_exception")
    assert d.version == "atom10"
    assert d.feed.title == "Ada's <Salon>"
    assert d.feed.subtitle == "Notes & links"
    assert d.feed.id == BASE + "feed.xml"
    assert d.feed.updated == "2026-03-10T12:30:00Z"
    assert d.feed.language == "en-GB"
    assert d.feed.icon == BASE + "static/ada.png"
    assert d.feed.generator_detail.version == __version__
    links = {(link.rel, link.href) for link in d.feed.links}
    assert links == {("self", BASE + "feed.xml"), ("alternate", BASE)}
    assert [e.title for e in d.entries] == [
        "The Art of the Letter",
        NASTY_TITLE,
        "A tool",
        "Bell and café",
        "First",
    ]
    assert [e.id for e in d.entries] == [n.entry_id for n in make_notes()]
    assert [e.link for e in d.entries] == [BASE + n.url for n in make_notes()]
    nasty = d.entries[1]
    assert nasty.title_detail.type == "text/plain"
    assert nasty.published == "2026-03-07T07:00:00Z"
    assert nasty.updated == "2026-03-10T12:30:00Z"
    assert nasty.summary == "About <markup> & such."
    assert [t.term for t in nasty.tags] == TAGS
    assert nasty.author_detail.email == "ada@example.org"
    share = d.entries[0]
    related = [link.href for link in share.links if link.rel == "related"]
    assert related == ["https://www.example.com/essay?a=1&b=2"]
    assert share.updated == share.published == "2026-03-08T09:30:00Z"


def relaxng() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom-rfc4287.rng")))


def test_atom_feeds_valid_against_rfc4287_schema(files: dict[str, bytes]) -> None:
    schema = relaxng()
    atom = [p for p in files if p.endswith("feed.xml")]
    assert len(atom) == 8
    for path in atom:
        assert schema.validate(xml(files[path])), (path, schema.error_log)


def test_schema_rejects_a_broken_feed(files: dict[str, bytes]) -> None:
    """The validation above can fail: the same feed without its id is invalid."""
    root = xml(files["feed.xml"])
    root.remove(root.find(f"{ATOM}id"))
    assert not relaxng().validate(root)


def test_shares_feed_has_only_shares(files: dict[str, bytes]) -> None:
    d = feedparser.parse(files["shares/feed.xml"])
    assert not d.bozo
    assert [e.id for e in d.entries] == [n.entry_id for n in make_notes() if n.is_share]
    assert d.feed.id == BASE + "shares/feed.xml"


def test_interest_feed(files: dict[str, bytes]) -> None:
    d = feedparser.parse(files["interests/letters/feed.xml"])
    assert not d.bozo
    assert [e.title for e in d.entries] == ["The Art of the Letter", NASTY_TITLE]
    links = {(link.rel, link.href) for link in d.feed.links}
    assert ("alternate", BASE + "interests/letters/") in links
    assert ("self", BASE + "interests/letters/feed.xml") in links
    assert d.feed.id == BASE + "interests/letters/feed.xml"
    assert d.feed.updated == "2026-03-10T12:30:00Z"  # the nasty note's update
    # Each feed's date comes from its own entries, not from the site's newest note.
    assert feedparser.parse(files["interests/friendship/feed.xml"]).feed.updated == (
        "2026-03-05T09:30:00Z"
    )


def test_share_content_starts_with_what_it_points_at(files: dict[str, bytes]) -> None:
    d = feedparser.parse(files["feed.xml"])
    root = lxml.html.fragment_fromstring(d.entries[0].content[0].value, create_parent="div")
    first = root[0]
    assert first.text_content() == ("Shared: The Art of the Letter (example.com) — via Maya Okafor")
    hrefs = [a.get("href") for a in first.iter("a")]
    assert hrefs == ["https://www.example.com/essay?a=1&b=2", BASE + "people/maya/"]
    # A via URL is linked as it is.
    other = lxml.html.fragment_fromstring(d.entries[2].content[0].value, create_parent="div")
    assert [a.get("href") for a in other.iter("a")][-1] == "https://bob.example.net/"


# --- RSS ----------------------------------------------------------------------------------


def test_rss_read_back_by_feedparser(files: dict[str, bytes]) -> None:
    d = feedparser.parse(files["rss.xml"])
    assert not d.bozo, d.get("bozo_exception")
    assert d.version == "rss20"
    assert d.feed.title == "Ada's <Salon>"
    assert d.feed.link == BASE
    assert d.feed.language == "en-GB"
    assert ("self", BASE + "rss.xml") in {(link.rel, link.href) for link in d.feed.links}
    assert [e.title for e in d.entries][:2] == ["The Art of the Letter", NASTY_TITLE]
    assert [e.id for e in d.entries] == [n.entry_id for n in make_notes()]
    assert all(e.guidislink is False for e in d.entries)
    assert [e.link for e in d.entries] == [BASE + n.url for n in make_notes()]
    nasty = d.entries[1]
    assert nasty.published_parsed[:6] == (2026, 3, 7, 7, 0, 0)
    assert [t.term for t in nasty.tags] == TAGS
    # description is the summary, escaped as HTML; full content in content:encoded.
    assert nasty.summary == "About &lt;markup&gt; &amp; such."
    assert 'src="https://example.org/blog/static/x.png"' in nasty.content[0].value


def test_rss_items_name_their_author_in_dc_creator(files: dict[str, bytes]) -> None:
    channel = xml(files["rss.xml"]).find("channel")
    assert channel is not None
    dc = "{http://purl.org/dc/elements/1.1/}creator"
    for item in channel.iter("item"):
        assert item.findtext(dc) == "Ada Lovelace"
        assert item.find("author") is None  # not both in one item (W3C feed validator)
    assert channel.findtext("managingEditor") == "ada@example.org (Ada Lovelace)"
    d = feedparser.parse(files["rss.xml"])
    assert not d.bozo, d.get("bozo_exception")
    for entry in d.entries:
        assert entry.author == "Ada Lovelace"
        assert entry.authors == [{"name": "Ada Lovelace"}]


def test_rss_without_email_has_no_author_element() -> None:
    site = make_site()
    author = dataclasses.replace(site.config.author, email="")
    site = dataclasses.replace(site, config=dataclasses.replace(site.config, author=author))
    data = files_of(site)["rss.xml"]
    assert b"<author>" not in data and b"managingEditor" not in data
    d = feedparser.parse(data)
    assert not d.bozo, d.get("bozo_exception")
    assert [e.author for e in d.entries] == ["Ada Lovelace"] * 5
    assert all(e.authors == [{"name": "Ada Lovelace"}] for e in d.entries)


def test_atom_authors_read_back(files: dict[str, bytes]) -> None:
    for entry in feedparser.parse(files["feed.xml"]).entries:
        assert entry.author_detail.name == "Ada Lovelace"
        assert [a.href for a in entry.authors] == ["https://example.org/blog/about/"]


def test_rss_dates_are_rfc822_utc_and_no_build_time(files: dict[str, bytes]) -> None:
    channel = xml(files["rss.xml"]).find("channel")
    assert channel is not None
    assert channel.findtext("lastBuildDate") == "Tue, 10 Mar 2026 12:30:00 +0000"
    assert [i.findtext("pubDate") for i in channel.iter("item")][:2] == [
        "Sun, 08 Mar 2026 09:30:00 +0000",
        "Sat, 07 Mar 2026 07:00:00 +0000",
    ]
    guid = channel.find("item/guid")
    assert guid is not None and guid.get("isPermaLink") == "false"


def test_rss_plain_text_uses_hexadecimal_references(files: dict[str, bytes]) -> None:
    """RSS Best Practices Profile: "&" and "<" in plain-text elements as &#x26; and &#x3C;,
    so readers that treat titles as HTML still show them as characters."""
    rss = files["rss.xml"].decode("utf-8")
    assert "<title>Ada's &#x3C;Salon&gt;</title>" in rss
    assert "<title>Tags &#x3C;b&gt;&#x26;\"' here</title>" in rss
    assert "<description>Notes &#x26; links</description>" in rss


# --- JSON Feed ----------------------------------------------------------------------------


def json_validator() -> Any:
    # Imported here: its IRI format checker takes seconds to load, and the subprocesses of
    # the determinism test import this module.
    import jsonschema

    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text("utf-8"))
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    # Without jsonschema's format extras these formats would pass anything.
    assert {"iri", "date-time"} <= set(checker.checkers)
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def test_json_feed_valid_against_schema(files: dict[str, bytes]) -> None:
    validator = json_validator()
    feed = json.loads(files["feed.json"])
    validator.validate(feed)
    broken = dict(feed, home_page_url="blog/")  # a relative URL must be caught
    assert not validator.is_valid(broken)


def test_json_feed_fields(files: dict[str, bytes]) -> None:
    raw = files["feed.json"].decode("utf-8")
    assert raw.endswith("}\n") and "\n  " in raw
    feed = json.loads(raw)
    assert list(feed) == [
        "version",
        "title",
        "home_page_url",
        "feed_url",
        "description",
        "authors",
        "language",
        "items",
    ]
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == BASE + "feed.json"
    assert feed["authors"] == [
        {
            "name": "Ada Lovelace",
            "url": "https://example.org/blog/about/",
            "avatar": BASE + "static/ada.png",
        }
    ]
    items = feed["items"]
    assert [i["id"] for i in items] == [n.entry_id for n in make_notes()]
    assert [i.get("external_url") for i in items] == [
        "https://www.example.com/essay?a=1&b=2",
        None,
        "https://tools.example.net/",
        None,
        None,
    ]
    nasty = items[1]
    assert nasty["title"] == NASTY_TITLE
    assert nasty["summary"] == "About <markup> & such."
    assert nasty["date_published"] == "2026-03-07T07:00:00Z"
    assert nasty["date_modified"] == "2026-03-10T12:30:00Z"
    assert nasty["tags"] == TAGS
    assert "date_modified" not in items[0]
    assert all("content_html" in i and "content_text" not in i for i in items)
    # Every item names its author too: readers that do not inherit the feed's show none.
    assert all(i["authors"] == feed["authors"] for i in items)


# --- every URL absolute -------------------------------------------------------------------


def contents(files: dict[str, bytes]) -> Iterator[tuple[str, str]]:
    """(where, HTML) for every piece of HTML carried by any feed."""
    for path, data in files.items():
        if path.endswith("feed.xml"):
            for el in xml(data).iter(f"{ATOM}content"):
                yield path, el.text or ""
        elif path == "rss.xml":
            for item in xml(data).iter("item"):
                for name in ("description", "{http://purl.org/rss/1.0/modules/content/}encoded"):
                    yield f"{path} {name}", item.findtext(name) or ""
        elif path == "feed.json":
            for item in json.loads(data)["items"]:
                yield f"{path} {item['id']}", item.get("content_html", "")


def test_every_url_in_content_is_absolute(files: dict[str, bytes]) -> None:
    found: set[str] = set()
    for where, content in contents(files):
        if not content.strip():
            continue
        root = lxml.html.fragment_fromstring(content, create_parent="div")
        for el in root.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is not None:
                    parts = urlsplit(value)
                    assert parts.scheme in ("http", "https") and parts.netloc, (where, value)
                    found.add(value)
    assert {
        BASE + "static/x.png",  # a site-root path
        BASE + "notes/other/",  # a relative link
        BASE + "notes/nasty/#fn1",  # a fragment
        BASE + "notes/first/notes/bell/",  # relative to the note's own page
        "https://elsewhere.example/",
    } <= found


# --- options ------------------------------------------------------------------------------


def test_items_limit() -> None:
    files = files_of(make_site(items=2))
    ids = [n.entry_id for n in make_notes()]
    assert [e.id for e in feedparser.parse(files["feed.xml"]).entries] == ids[:2]
    assert [e.id for e in feedparser.parse(files["rss.xml"]).entries] == ids[:2]
    assert [i["id"] for i in json.loads(files["feed.json"])["items"]] == ids[:2]
    assert len(feedparser.parse(files["shares/feed.xml"]).entries) == 2
    one = files_of(make_site(items=1))
    assert len(feedparser.parse(one["interests/letters/feed.xml"]).entries) == 1
    assert len(feedparser.parse(one["shares/feed.xml"]).entries) == 1


def test_summaries_only() -> None:
    files = files_of(make_site(full_content=False))
    expected = [
        "Worth reading, slowly.",  # excerpt
        "About <markup> & such.",  # front-matter summary
        "Shared: A tool (tools.example.net)",  # a share with no commentary
        "Ding dong.",
        "Hello.",
    ]
    atom = xml(files["feed.xml"])
    assert atom.find(f".//{ATOM}content") is None
    assert [e.findtext(f"{ATOM}summary") for e in atom.iter(f"{ATOM}entry")] == expected
    assert relaxng().validate(atom), relaxng().error_log

    rss = feedparser.parse(files["rss.xml"])
    assert all("content" not in e for e in rss.entries)
    assert b"content:encoded" not in files["rss.xml"].split(b"<item>", 1)[1]
    assert rss.entries[1].summary == "About &lt;markup&gt; &amp; such."

    feed = json.loads(files["feed.json"])
    json_validator().validate(feed)
    assert [i["summary"] for i in feed["items"]] == expected
    assert [i["content_text"] for i in feed["items"]] == expected
    assert all("content_html" not in i for i in feed["items"])


def test_summaries_only_keep_what_a_share_points_at() -> None:
    files = files_of(make_site(full_content=False))
    essay, tool = "https://www.example.com/essay?a=1&b=2", "https://tools.example.net/"
    rss = feedparser.parse(files["rss.xml"])
    shares = [rss.entries[0], rss.entries[2]]
    for entry, url in zip(shares, (essay, tool), strict=True):
        html = lxml.html.fragment_fromstring(entry.summary, create_parent="div")
        assert url in [a.get("href") for a in html.iter("a")]
    # The note's own excerpt follows the link; the fallback "Shared: …" is not repeated.
    assert rss.entries[0].summary.endswith("<p>Worth reading, slowly.</p>")
    assert rss.entries[2].summary.count("Shared:") == 1
    assert "<a" not in rss.entries[1].summary  # a plain note stays plain text
    atom = feedparser.parse(files["feed.xml"])
    for entry, url in zip([atom.entries[0], atom.entries[2]], (essay, tool), strict=True):
        assert [link.href for link in entry.links if link.rel == "related"] == [url]
    items = json.loads(files["feed.json"])["items"]
    assert [items[0]["external_url"], items[2]["external_url"]] == [essay, tool]


def test_empty_site_has_fixed_dates() -> None:
    files = files_of(make_site(notes=()))
    atom = xml(files["feed.xml"])
    assert atom.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"
    assert relaxng().validate(atom)
    assert xml(files["rss.xml"]).find("channel/lastBuildDate") is None
    feed = json.loads(files["feed.json"])
    assert feed["items"] == []
    json_validator().validate(feed)


def test_empty_shares_feed_takes_the_sites_newest_date() -> None:
    only_notes = tuple(n for n in make_notes() if not n.is_share)
    files = files_of(make_site(notes=only_notes))
    shares = xml(files["shares/feed.xml"])
    assert shares.find(f"{ATOM}entry") is None
    assert shares.findtext(f"{ATOM}updated") == "2026-03-10T12:30:00Z"
    assert relaxng().validate(shares), relaxng().error_log


def test_unsafe_interest_url_is_refused() -> None:
    site = make_site()
    bad = dataclasses.replace(site.interests[0], url="../../etc/")
    with pytest.raises(ValueError, match="unsafe"):
        render_feeds(dataclasses.replace(site, interests=(bad,)))


# --- OPML ---------------------------------------------------------------------------------


def test_blogroll_opml(files: dict[str, bytes]) -> None:
    root = xml(files["blogroll.opml"])
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Ada's <Salon>: blogroll"
    assert root.findtext("head/ownerName") == "Ada Lovelace"
    assert root.findtext("head/ownerEmail") == "ada@example.org"
    assert root.findtext("head/ownerId") == "https://example.org/blog/about/"
    assert root.find("head/dateCreated") is None  # no build time
    assert root.find("head/docs") is None  # the W3C validator rejects it
    outlines = [dict(o.attrib) for o in root.iter("outline")]
    assert outlines == [
        {
            "type": "rss",
            "text": "Maya Okafor",
            "title": "Maya Okafor",
            "xmlUrl": url,
            "htmlUrl": "https://maya.example.net/",
        }
        for url in ("https://maya.example.net/feed.xml", "https://maya.example.net/links.rss")
    ]
    assert b"Bob" not in files["blogroll.opml"]  # no feeds
    assert b"ghost" not in files["blogroll.opml"].lower()  # not public


def test_blogroll_without_feeds_is_still_valid_opml() -> None:
    site = dataclasses.replace(make_site(), people=make_site().people[:1])  # Bob: no feeds
    root = xml(files_of(site)["blogroll.opml"])
    outlines = list(root.iter("outline"))
    # OPML 2.0: body holds one or more outlines; this one subscribes to nothing.
    assert [dict(o.attrib) for o in outlines] == [{"text": "No feeds yet"}]


# --- sitemap and robots -------------------------------------------------------------------


def test_sitemap() -> None:
    paths = [
        ("notes/nasty/", utc(7)),
        ("", utc(8)),
        ("about/", None),
        ("notes/nasty/", utc(10)),  # the same page twice: the newest lastmod wins
        ("interests/a b/", None),
    ]
    out = render_sitemap(make_site(), paths)
    assert out.path == "sitemap.xml"
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    root = xml(out.data)
    assert root.tag == f"{ns}urlset"
    urls = [(u.findtext(f"{ns}loc"), u.findtext(f"{ns}lastmod")) for u in root]
    assert urls == [
        (BASE, "2026-03-08T09:30:00Z"),
        (BASE + "about/", None),
        (BASE + "interests/a%20b/", None),
        (BASE + "notes/nasty/", "2026-03-10T09:30:00Z"),
    ]
    assert render_sitemap(make_site(), list(reversed(paths))) == out
    with pytest.raises(ValueError):
        render_sitemap(make_site(), [("https://evil.example/", None)])


def test_robots() -> None:
    out = render_robots(make_site())
    assert out.path == "robots.txt"
    lines = out.data.decode("ascii").splitlines()
    assert lines[:2] == ["User-agent: *", "Disallow:"]
    assert "Sitemap: https://example.org/blog/sitemap.xml" in lines
    assert not any(line.startswith("Disallow: /") for line in lines)
