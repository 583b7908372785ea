"""The demo salon built and read back by real parsers: html5lib for every page, feedparser
for the feeds, RELAX NG (RFC 4287) for Atom, JSON Schema for JSON Feed, lxml for OPML and
the sitemap. Microformats are checked on the parsed DOM."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import html5lib
import jsonschema
import pytest
from lxml import etree

from salon_gen.pipeline.build import BuildOptions, build

from .conftest import NOW, REPO

SCHEMAS = Path(__file__).parent / "schemas"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "salon.toml", root / "salon.toml")
    shutil.copytree(REPO / "themes", root / "themes")
    result = build(root, now=NOW, options=BuildOptions(jobs=1, offline=True))
    assert result.warnings == ()
    return result.output


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def parse(path: Path) -> ElementTree.Element:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    return parser.parse(path.read_bytes(), transport_encoding="utf-8")  # type: ignore[no-any-return]


def classes(el: ElementTree.Element) -> set[str]:
    return set((el.get("class") or "").split())


def find_class(root: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [el for el in root.iter() if name in classes(el)]


def test_every_page_is_well_formed_html5_with_the_head_it_needs(demo: Path) -> None:
    found = pages(demo)
    assert len(found) > 30
    for path in found:
        doc = parse(path)  # strict: any parse error raises
        head = doc.find(f"{XHTML}head")
        assert head is not None, path
        links = [
            (link.get("rel"), link.get("type"), link.get("href"))
            for link in head.iter(f"{XHTML}link")
        ]
        rels = [r for r, _, _ in links]
        assert "canonical" in rels, path
        feeds = {t for r, t, _ in links if r == "alternate"}
        assert {"application/atom+xml", "application/rss+xml", "application/feed+json"} <= feeds, (
            path
        )
        assert rels.count("me") >= 2, path  # the owner's identities
        metas = {m.get("property") for m in head.iter(f"{XHTML}meta")}
        assert {"og:title", "og:url", "og:type"} <= metas, path
        assert len(list(doc.iter(f"{XHTML}h1"))) == 1, path
        for img in doc.iter(f"{XHTML}img"):
            assert img.get("alt") is not None, path


def test_posts_are_h_entries(demo: Path) -> None:
    posts = sorted((demo / "notes").glob("*/index.html")) + sorted(
        (demo / "shares").glob("*/index.html")
    )
    assert len(posts) == 13
    for path in posts:
        doc = parse(path)
        entries = find_class(doc, "h-entry")
        assert entries, path
        entry = entries[0]
        for prop in ("p-name", "dt-published", "u-url", "e-content", "p-author"):
            assert find_class(entry, prop), (path, prop)
        if "/shares/" in path.as_posix():
            assert find_class(entry, "u-bookmark-of"), path
    assert find_class(parse(demo / "index.html"), "h-feed")
    assert find_class(parse(demo / "people/index.html"), "h-card")


def test_atom_feeds_are_valid_rfc4287(demo: Path) -> None:
    schema = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom-rfc4287.rng")))
    atom_files = [
        demo / "feed.xml",
        demo / "shares/feed.xml",
        *sorted((demo / "interests").glob("*/feed.xml")),
    ]
    assert len(atom_files) > 5
    for path in atom_files:
        doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
        assert schema.validate(doc), (path, schema.error_log)


def test_feeds_read_back_with_titles_links_and_dates(demo: Path) -> None:
    atom = feedparser.parse((demo / "feed.xml").read_bytes())
    rss = feedparser.parse((demo / "rss.xml").read_bytes())
    data = json.loads((demo / "feed.json").read_text(encoding="utf-8"))
    for parsed in (atom, rss):
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.feed.title == "Clara's Reading Room"
        assert len(parsed.entries) == 13
    arithmetic = next(e for e in atom.entries if e.title == "The arithmetic of introductions")
    content = arithmetic.content[0].value  # MathML, no JavaScript; feedparser adds xmlns
    assert "<math " in content and 'display="block"' in content and "<script" not in content
    assert (demo / "notes/the-arithmetic-of-introductions/five-friends.svg").is_file()
    titles = [e.title for e in atom.entries]
    assert titles == [e.title for e in rss.entries] == [i["title"] for i in data["items"]]
    assert "Read your friends, not strangers" in titles  # title from the first heading
    for entry in atom.entries:
        assert entry.link.startswith("https://salon.example.org/")
        assert entry.published_parsed is not None
    assert (
        [e.id for e in atom.entries]
        == [e.id for e in rss.entries]
        == [i["id"] for i in data["items"]]
    )
    newest = atom.entries[0]
    assert newest.title == "The arithmetic of introductions"  # 2026-11-20, a bundle
    shared = [i for i in data["items"] if "external_url" in i]
    assert len(shared) == 6
    assert all(i["external_url"].startswith("https://") for i in shared)


def test_json_feed_matches_the_schema(demo: Path) -> None:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text())
    data = json.loads((demo / "feed.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_no_relative_urls_inside_feed_content(demo: Path) -> None:
    parsed = feedparser.parse((demo / "feed.xml").read_bytes())
    for entry in parsed.entries:
        html = entry.content[0].value
        doc = html5lib.parse(html, namespaceHTMLElements=False)
        for el in doc.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is not None:
                    assert value.startswith(("https://", "http://", "mailto:")), (
                        entry.title,
                        value,
                    )


def test_blogroll_sitemap_robots(demo: Path) -> None:
    opml = etree.parse(str(demo / "blogroll.opml"))
    urls = {o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")}
    assert "https://www.example.com/jonah/feed.xml" in urls
    assert not any("content/feeds" in u for u in urls)  # a local file is read, not offered
    assert not any("elsa" in u for u in urls)  # a private person is not in the blogroll
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in etree.parse(str(demo / "sitemap.xml")).findall(".//s:loc", ns)]
    assert "https://salon.example.org/" in locs
    assert "https://salon.example.org/notes/checking-in/" in locs
    assert not any("404" in (loc or "") for loc in locs)
    assert len(locs) == len(set(locs)) == len(pages(demo)) - 1
    assert "Sitemap: https://salon.example.org/sitemap.xml" in (demo / "robots.txt").read_text()
    assert "https://salon.example.org/interests/letters/" in locs


def test_the_demos_aliases_fold_spellings_into_one_interest(demo: Path) -> None:
    assert not (demo / "tags").exists()  # one URL per interest
    letters = (demo / "interests/letters/index.html").read_text(encoding="utf-8")
    assert "The Lost Art of the Postscript" in letters  # tagged "correspondence"
    assert "Tomás Ferreira" in letters  # declares "letter-writing"
    assert "Also written as correspondence, letter-writing." in letters
    assert not (demo / "interests/correspondence").exists()
    assert not (demo / "interests/letter-writing").exists()
    feed = feedparser.parse((demo / "interests/letters/feed.xml").read_bytes())
    assert "The Lost Art of the Postscript" in [e.title for e in feed.entries]
    assert not (demo / "interests/walking").exists()  # only a private person declares it
    share = (demo / "shares/the-lost-art-of-the-postscript/index.html").read_text("utf-8")
    assert (
        'href="../../interests/letters/index.html">correspondence</a>' in share
    )  # as written, linked


def test_share_page_puts_the_linked_title_and_domain_first(demo: Path) -> None:
    doc = parse(demo / "shares/bring-back-the-blogroll/index.html")
    h1 = next(doc.iter(f"{XHTML}h1"))
    link = h1.find(f".//{XHTML}a")
    assert link is not None and "u-bookmark-of" in classes(link)
    assert link.get("href", "").startswith("https://")
    text = "".join(doc.find(f".//{XHTML}main").itertext())  # type: ignore[union-attr]
    assert "Hana Sato" in text  # via credit, by name


def test_the_demos_reading_river_lives_offline(demo: Path) -> None:
    """Maya, Priya and Hana are followed through feed files in content/feeds/ (RSS, Atom,
    RSS): the offline demo shows their 7 entries, newest first, and each on its person."""
    river = (demo / "reading/index.html").read_text(encoding="utf-8")
    doc = parse(demo / "reading/index.html")
    titles = [
        "".join(a.itertext())
        for a in doc.iter(f"{XHTML}a")
        if (a.get("class") or "").split() == ["u-url", "p-name"]  # an entry's title
    ]
    assert titles[:3] == [
        "My blogroll is a guest list",
        "The coffee-house as a postal address",
        "A letter that took three weeks",
    ]
    assert len(titles) == 7
    assert "content/feeds" not in river
    assert "Glazing day" in (demo / "people/maya-okafor/index.html").read_text("utf-8")
