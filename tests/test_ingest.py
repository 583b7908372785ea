"""ingest: feed bytes to entries.

Data-driven: every feed in tests/feeds/ sits beside `<name>.expected.json`, which holds the
inputs (URL, content type, clock) and every value parse_feed must produce, compared exactly.
Then the defences (XML entities, files named by the body, hopeless bodies), JSON Feed edge
cases, and the feedparser test corpus from ../shared (skipped when it is absent).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from salon_gen.core.urls import is_http_url
from salon_gen.following import ingest
from salon_gen.following.ingest import ParsedFeed, parse_feed

from .conftest import NOW, SHARED
from .test_sanitize import dom_problems

FEEDS = Path(__file__).resolve().parent / "feeds"
FIXTURES = sorted(
    p for p in FEEDS.iterdir() if p.is_file() and not p.name.startswith(".")
    and not p.name.endswith(".expected.json")
)  # fmt: skip


def expected_path(feed: Path) -> Path:
    return feed.with_name(feed.name.rsplit(".", 1)[0] + ".expected.json")


def as_json(parsed: ParsedFeed) -> dict[str, Any]:
    """The shape of the .expected.json files (less "input")."""
    return {
        "title": parsed.title,
        "link": parsed.link,
        "format": parsed.format,
        "problems": list(parsed.problems),
        "entries": [
            {
                "entry_id": e.entry_id,
                "title": e.title,
                "link": e.link,
                "published": e.published.isoformat(),
                "updated": e.updated.isoformat(),
                "date_guessed": e.date_guessed,
                "categories": list(e.categories),
                "author": e.author,
                "summary": e.summary,
                "content_html": e.content_html,
            }
            for e in parsed.entries
        ],
    }


def test_every_fixture_has_its_expected_values() -> None:
    assert len(FIXTURES) >= 14
    expected = {p.name for p in FEEDS.glob("*.expected.json")}
    assert expected == {expected_path(p).name for p in FIXTURES}


@pytest.mark.parametrize("feed", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture(feed: Path, update_golden: bool) -> None:
    expected = json.loads(expected_path(feed).read_text(encoding="utf-8"))
    given = expected.pop("input")
    parsed = parse_feed(
        feed.read_bytes(),
        url=given["url"],
        content_type=given["content_type"],
        now=datetime.fromisoformat(given["now"]),
    )
    if update_golden:  # `pytest --update-golden` rewrites the values; review the diff
        text = json.dumps({"input": given, **as_json(parsed)}, indent=2, ensure_ascii=False)
        expected_path(feed).write_text(text + "\n", encoding="utf-8")
        expected = as_json(parsed)
    assert as_json(parsed) == expected
    for entry in parsed.entries:
        assert entry.feed_url == given["url"]
        assert entry.person_id == ""
        assert entry.published.tzinfo is UTC and entry.updated.tzinfo is UTC
        assert dom_problems(entry.content_html) == []


def test_fixtures_cover_every_format() -> None:
    formats = {json.loads(expected_path(p).read_text(encoding="utf-8"))["format"] for p in FIXTURES}
    assert {"rss20", "rss10", "rss091n", "atom10", "json10", "json11"} <= formats


def test_parsing_is_deterministic() -> None:
    body = (FEEDS / "duplicate-ids.atom").read_bytes()
    first = parse_feed(body, url="https://hal.example/atom.xml", content_type=None, now=NOW)
    again = parse_feed(body, url="https://hal.example/atom.xml", content_type=None, now=NOW)
    assert first == again


def test_a_naive_clock_is_read_as_utc() -> None:
    body = (FEEDS / "rss091-no-dates.xml").read_bytes()
    naive = NOW.replace(tzinfo=None)
    parsed = parse_feed(body, url="http://dan.example/rss.xml", content_type=None, now=naive)
    assert {e.published for e in parsed.entries} == {NOW}


# --- never fetch, never read a file ------------------------------------------------------


def test_a_body_that_names_a_file_is_not_read(tmp_path: Path) -> None:
    # feedparser.parse(b"/some/path") opens the file: parse_feed must never let it.
    local = tmp_path / "local.xml"
    local.write_text(
        '<rss version="2.0"><channel><title>LOCAL SECRET</title>'
        "<item><title>secret item</title></item></channel></rss>",
        encoding="utf-8",
    )
    parsed = parse_feed(
        str(local).encode(), url="https://x.example/feed", content_type=None, now=NOW
    )
    assert "LOCAL SECRET" not in repr(parsed)
    assert parsed.entries == ()


# --- XML entities: XXE and billion laughs -------------------------------------------------


def xxe_bodies(secret: Path) -> dict[str, bytes]:
    uri = secret.as_uri()
    item = "<item><title>t &xxe;</title><description>&xxe;</description></item>"
    rss = f'<rss version="2.0"><channel><title>&xxe;</title>{item}</channel></rss>'
    multiline = f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "{uri}">\n]>\n{rss}'
    oneline = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{uri}">]>{rss}'
    parameter = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY % p SYSTEM "{uri}">\n%p;\n]>\n'
        '<rss version="2.0"><channel><title>x</title><item><title>t</title></item>'
        "</channel></rss>"
    )
    utf7 = oneline.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-7"?>')
    return {
        "multiline": multiline.encode(),
        "oneline": oneline.encode(),
        "parameter": parameter.encode(),
        "utf16": multiline.replace('"1.0"?>', '"1.0" encoding="utf-16"?>').encode("utf-16"),
        "utf7": utf7.encode("utf-7"),
    }


@pytest.mark.parametrize("variant", ["multiline", "oneline", "parameter", "utf16", "utf7"])
@pytest.mark.parametrize("content_type", [None, "application/rss+xml", "text/xml"])
def test_external_entities_are_never_read(
    tmp_path: Path, variant: str, content_type: str | None
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    body = xxe_bodies(secret)[variant]
    parsed = parse_feed(body, url="https://x.example/feed", content_type=content_type, now=NOW)
    assert "TOP-SECRET-MARKER" not in repr(parsed)
    # Read as US-ASCII (text/xml without a charset), UTF-16 is not XML at all: no DOCTYPE.
    unreadable = variant == "utf16" and content_type == "text/xml"
    assert unreadable or any("DOCTYPE" in p for p in parsed.problems), parsed.problems


def laughs(levels: int) -> str:
    """A "billion laughs" document with `levels` levels of ten (10**levels "lol"s)."""
    decls = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels + 1)
    ]
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{chr(10).join(decls)}\n]>\n'
        f'<rss version="2.0"><channel><title>&lol{levels};</title><item>'
        f"<title>&lol{levels};</title><description>&lol{levels};</description>"
        "</item></channel></rss>"
    )


def test_internal_entities_are_not_expanded() -> None:
    # 1,000 "lol"s: well under expat's own limits, so this fails if the DOCTYPE gets through.
    parsed = parse_feed(laughs(3).encode(), url="https://x.example/", content_type=None, now=NOW)
    assert "lollol" not in repr(parsed)
    assert any("DOCTYPE" in p for p in parsed.problems)


@pytest.mark.parametrize("variant", ["multiline", "oneline", "utf16", "utf7"])
def test_a_billion_laughs_does_not_explode(variant: str) -> None:
    text = laughs(9)
    if variant == "oneline":
        text = text.replace("\n", "")
    body = {
        "multiline": text.encode(),
        "oneline": text.encode(),
        "utf16": text.replace('"1.0"?>', '"1.0" encoding="utf-16"?>').encode("utf-16"),
        "utf7": text.replace('"1.0"?>', '"1.0" encoding="utf-7"?>').encode("utf-7"),
    }[variant]
    parsed = parse_feed(body, url="https://x.example/", content_type=None, now=NOW)
    assert "lollol" not in repr(parsed)
    assert any("DOCTYPE" in p for p in parsed.problems)


def test_a_harmless_entity_declaration_costs_only_the_entity() -> None:
    # feedparser's own test: the DOCTYPE goes, the feed is read leniently, &id; stays text.
    body = (
        b'<!DOCTYPE rss [\n  <!ENTITY id "tag:example.com,">\n]>\n<rss version="2.0"><channel>'
        b"<title>T</title><item><title>Item</title><guid isPermaLink='false'>&id;2006:/b/</guid>"
        b"</item></channel></rss>"
    )
    parsed = parse_feed(body, url="https://x.example/", content_type=None, now=NOW)
    assert [e.title for e in parsed.entries] == ["Item"]
    assert "tag:example.com," not in parsed.entries[0].entry_id
    assert parsed.problems[0].startswith("ignored the entity declarations in its DOCTYPE")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<rss/>", "<rss/>"),
        ('<?xml version="1.0"?><!-- c --><rss/>', '<?xml version="1.0"?><!-- c --><rss/>'),
        ('<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd"><rss/>',
         '<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd"><rss/>'),
        ('<!DOCTYPE rss [<!ENTITY a "b">]><rss/>', "<!DOCTYPE rss><rss/>"),
        ('<!doctype rss SYSTEM "x[.dtd" [ <!ENTITY a "b"> ] ><rss/>',
         '<!doctype rss SYSTEM "x[.dtd"><rss/>'),
        # "]>" inside a literal, a comment or a processing instruction does not end the subset
        ('<!DOCTYPE r [<!ENTITY a "]>"><!ENTITY lol "x">]><r/>', "<!DOCTYPE r><r/>"),
        ("<!DOCTYPE r [<!-- ]> --><!ENTITY lol 'x'>]><r/>", "<!DOCTYPE r><r/>"),
        ("<!DOCTYPE r [<?pi ]> ?><!ENTITY lol 'x'>]><r/>", "<!DOCTYPE r><r/>"),
        # what cannot be read safely is refused
        ('<!DOCTYPE r [<!ENTITY a "unterminated>]><r/>', None),
        ("<!DOCTYPE r [<!ENTITY a 'x'>", None),
        ("<!DOCTYPE r [<!ENTITY a 'x'>] junk><r/>", None),
        ("junk<!DOCTYPE r [<!ENTITY a 'x'>]><r/>", None),
        ('<!ENTITY lol "x"><r/>', None),
        ('<!DOCTYPE r SYSTEM "r.dtd"><!ENTITY lol "x"><r/>', None),
        # entity declarations in element content are text, not declarations
        ("<r><![CDATA[<!ENTITY x 'y'>]]></r>", "<r><![CDATA[<!ENTITY x 'y'>]]></r>"),
    ],
)  # fmt: skip
def test_doctype_internal_subset_is_removed(text: str, expected: str | None) -> None:
    assert ingest._without_internal_subset(text) == expected


# --- bodies that are not feeds ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n",
        b"\x00\xff" * 100,
        bytes(range(256)) * 4,
        b"<html><body><p>Not a feed</p></body></html>",
        b"<rss version='2.0'><channel><item><title>unclosed",
        b"<?xml version='1.0' encoding='no-such-encoding'?><rss/>",
        b"{",
        b"[1, 2, 3]",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": "not a list"}',
        b'{"items": [{"id": {"x": 1}, "title": 5, "tags": "x", "date_published": []}]}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    ],
    ids=lambda b: repr(b[:24]),
)
def test_hopeless_bodies_never_raise(body: bytes) -> None:
    for content_type in (None, "application/json", "application/rss+xml", "text/html"):
        parsed = parse_feed(body, url="https://x.example/", content_type=content_type, now=NOW)
        assert isinstance(parsed, ParsedFeed)
        assert parsed.problems or parsed.entries


def test_an_exception_inside_the_parser_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(ingest.feedparser, "parse", broken)
    body = (FEEDS / "no-ids.xml").read_bytes()
    parsed = parse_feed(body, url="https://ivy.example/rss.xml", content_type=None, now=NOW)
    assert parsed == ParsedFeed(
        title="",
        link=None,
        format="",
        entries=(),
        problems=("could not read the feed: RuntimeError: parser bug",),
    )


def test_a_broken_entry_costs_only_that_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    real = ingest.sanitize_html

    def fussy(html: str, base_url: str) -> str:
        if "Nothing but text" in html or "hash." in html:
            raise ValueError("cannot")
        return real(html, base_url)

    monkeypatch.setattr(ingest, "sanitize_html", fussy)
    body = (FEEDS / "no-ids.xml").read_bytes()
    parsed = parse_feed(body, url="https://ivy.example/rss.xml", content_type=None, now=NOW)
    assert [e.title for e in parsed.entries] == [
        "Link only",
        "A javascript: link is no link",
        "",
    ]
    assert "entry 2 skipped: ValueError: cannot" in parsed.problems


# --- JSON Feed details --------------------------------------------------------------------


def json_feed(items: list[dict[str, Any]], **feed: Any) -> bytes:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items, **feed}
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xef\xbb\xbf" + json_feed([{"id": "1", "title": "bom"}]), None),
        (json_feed([{"id": "1", "title": "bom"}]).decode().encode("utf-16"), "application/json"),
        (b"\n  " + json_feed([{"id": "1", "title": "bom"}]), "text/plain"),
    ],
    ids=["utf8-bom", "utf16-by-content-type", "leading-whitespace"],
)
def test_json_feed_is_recognised(body: bytes, content_type: str | None) -> None:
    parsed = parse_feed(body, url="https://j.example/feed.json", content_type=content_type, now=NOW)
    assert parsed.format == "json11"
    assert [e.title for e in parsed.entries] == ["bom"]


def test_json_content_type_with_an_xml_body_is_read_as_xml() -> None:
    body = (FEEDS / "no-ids.xml").read_bytes()
    parsed = parse_feed(body, url="https://ivy.example/", content_type="application/json", now=NOW)
    assert parsed.format == "rss20"


def test_json_feed_with_invalid_utf8_is_read_with_replacements() -> None:
    body = json_feed([{"id": "1", "title": "caf\u00e9"}]).replace(b"\\u00e9", b"\xe9")
    parsed = parse_feed(body, url="https://j.example/", content_type=None, now=NOW)
    assert [e.title for e in parsed.entries] == ["caf\ufffd"]
    assert parsed.problems[0] == "not valid UTF-8; undecodable bytes replaced"


def test_json_feed_of_unknown_version_is_read_with_a_problem() -> None:
    body = json_feed([{"id": "1"}], version="https://jsonfeed.org/version/9")
    parsed = parse_feed(body, url="https://j.example/", content_type=None, now=NOW)
    assert parsed.format == "json"
    assert len(parsed.entries) == 1
    assert parsed.problems[0] == "unknown JSON Feed version 'https://jsonfeed.org/version/9'"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-10T09:00:00-05:00", "2026-11-10T14:00:00+00:00"),
        ("2026-11-10T09:00:00Z", "2026-11-10T09:00:00+00:00"),
        ("2026-11-10T09:00:00.123456z", "2026-11-10T09:00:00.123456+00:00"),
        ("2026-11-10T09:00:00", "2026-11-10T09:00:00+00:00"),
        ("2026-11-10", "2026-11-10T00:00:00+00:00"),
        ("Tue, 10 Nov 2026 09:00:00 +0100", "2026-11-10T08:00:00+00:00"),
        ("yesterday", None),
        (20261110, None),
    ],
)
def test_json_feed_dates(value: object, expected: str | None) -> None:
    parsed = parse_feed(
        json_feed([{"id": "1", "date_published": value}]),
        url="https://j.example/",
        content_type=None,
        now=NOW,
    )
    (entry,) = parsed.entries
    if expected is None:
        assert entry.date_guessed and entry.published == NOW
    else:
        assert not entry.date_guessed and entry.published.isoformat() == expected


# --- the feedparser test corpus -----------------------------------------------------------

CORPUS = SHARED / "corpus" / "feedparser-tests"
HARNESS = "http://127.0.0.1:8097/"  # where feedparser's own harness serves these files
TAG_LIKE = re.compile(r"<[a-zA-Z/!?]")
# Text that looks like markup and is meant as text: an Atom type="text" title, escaped
# markup (&lt;blink&gt;), Atom 0.3's base64 "text/plain". Every other title and summary in
# the corpus must come out without anything that looks like a tag.
TEXT_THAT_LOOKS_LIKE_MARKUP = {
    ("wellformed/atom/entry_content_mode_base64.xml", "summary"): "Example <b>Atom</b>",
    ("wellformed/atom/entry_summary_base64.xml", "summary"): "Example <b>Atom</b>",
    ("wellformed/atom/entry_summary_base64_2.xml", "summary"):
        "<p>History of the &lt;blink&gt; tag</p>",
    ("wellformed/atom/entry_summary_content_mode_base64.xml", "summary"): "Example <b>Atom</b>",
    ("wellformed/atom/entry_summary_inline_markup_2.xml", "summary"): "History of the <blink> tag",
    ("wellformed/atom/entry_title_base64.xml", "title"): "Example <b>Atom</b>",
    ("wellformed/atom/entry_title_base64_2.xml", "title"):
        "<p>History of the &lt;blink&gt; tag</p>",
    ("wellformed/atom/entry_title_content_mode_base64.xml", "title"): "Example <b>Atom</b>",
    ("wellformed/atom/entry_title_inline_markup_2.xml", "title"): "History of the <blink> tag",
    ("wellformed/atom/entry_title_text_plain_brackets.xml", "title"): "History of the <blink> tag",
    ("wellformed/atom10/entry_content_base64_2.xml", "summary"): "History of the <blink> tag",
    ("wellformed/atom10/entry_content_inline_markup_2.xml", "summary"):
        "History of the <blink> tag",
    ("wellformed/atom10/entry_content_text_plain_brackets.xml", "summary"):
        "History of the <blink> tag",
    ("wellformed/atom10/entry_summary_base64_2.xml", "summary"): "History of the <blink> tag",
    ("wellformed/atom10/entry_summary_inline_markup_2.xml", "summary"):
        "History of the <blink> tag",
    ("wellformed/atom10/entry_title_base64_2.xml", "title"): "History of the <blink> tag",
    ("wellformed/atom10/entry_title_inline_markup_2.xml", "title"): "History of the <blink> tag",
    ("wellformed/atom10/entry_title_text_plain_brackets.xml", "title"):
        "History of the <blink> tag",
    ("wellformed/rss/item_description_code_br.xml", "summary"): "<br />",
    ("wellformed/atom/feed_title_base64.xml", "feed title"): "Example <b>Atom</b>",
    ("wellformed/atom/feed_title_base64_2.xml", "feed title"):
        "<p>History of the &lt;blink&gt; tag</p>",
    ("wellformed/atom/feed_title_content_mode_base64.xml", "feed title"): "Example <b>Atom</b>",
    ("wellformed/atom/feed_title_inline_markup_2.xml", "feed title"):
        "History of the <blink> tag",
    ("wellformed/atom10/feed_title_base64_2.xml", "feed title"): "History of the <blink> tag",
    ("wellformed/atom10/feed_title_inline_markup_2.xml", "feed title"):
        "History of the <blink> tag",
}  # fmt: skip


def corpus_headers() -> dict[str, dict[str, str]]:
    """INDEX.tsv's last column: the HTTP headers feedparser's harness sends with a file."""
    headers: dict[str, dict[str, str]] = {}
    index = CORPUS / "INDEX.tsv"
    for line in index.read_text(encoding="utf-8").splitlines()[1:]:
        path, *_, sent = line.split("\t")
        if ":" in sent:
            name, value = sent.split(":", 1)
            headers.setdefault(path, {})[name.strip().lower()] = value.strip()
    return headers


def corpus_params() -> list[Any]:
    if not CORPUS.is_dir():
        reason = f"the feedparser test corpus is not at {CORPUS} (set SALON_SHARED)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="corpus-absent")]
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    return [pytest.param(p, id=p.relative_to(CORPUS).as_posix()) for p in files]


@pytest.fixture(scope="module")
def headers_by_path() -> dict[str, dict[str, str]]:
    return corpus_headers()


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_file(path: Path, headers_by_path: dict[str, dict[str, str]]) -> None:
    name = path.relative_to(CORPUS).as_posix()
    headers = headers_by_path.get(name, {})
    url = urljoin(HARNESS + name, headers.get("content-location", ""))
    url = url if is_http_url(url) else HARNESS + name
    parsed = parse_feed(
        path.read_bytes(), url=url, content_type=headers.get("content-type"), now=NOW
    )
    meant = TEXT_THAT_LOOKS_LIKE_MARKUP.get((name, "feed title"))
    assert parsed.title == meant if meant else not TAG_LIKE.search(parsed.title), parsed.title
    assert parsed.link is None or is_http_url(parsed.link)
    ids = [e.entry_id for e in parsed.entries]
    assert len(ids) == len(set(ids)) and all(ids)
    order = [(-e.published.timestamp(), e.entry_id) for e in parsed.entries]
    assert order == sorted(order)
    for entry in parsed.entries:
        assert dom_problems(entry.content_html) == [], entry.content_html
        assert entry.link is None or is_http_url(entry.link), entry.link
        for field in ("title", "summary"):
            text = getattr(entry, field)
            meant = TEXT_THAT_LOOKS_LIKE_MARKUP.get((name, field))
            assert text == meant if meant else not TAG_LIKE.search(text), (field, text)
        assert entry.published.tzinfo is UTC and entry.published <= entry.updated


def test_the_corpus_check_can_fail() -> None:
    # The corpus test's own checks, shown to catch what they look for.
    assert dom_problems('<a href="javascript:alert(1)" rel="nofollow ugc noopener">x</a>')
    assert dom_problems('<img src="data:image/png;base64,AA" loading="lazy">')
    assert dom_problems("<p onmouseover=alert(1)>x</p>")
    assert dom_problems("<script>alert(1)</script>")
    assert TAG_LIKE.search("title with <b>markup</b>")
    assert not is_http_url("javascript:alert(1)")
