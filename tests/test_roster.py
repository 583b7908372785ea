from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from salon_gen.content.parse import parse_person
from salon_gen.core.model import FetchResult, Person, PrivateProfile
from salon_gen.following.fetch import FetchLimits
from salon_gen.text.frontmatter import split
from salon_gen.text.markdown import MarkdownRenderer
from salon_gen.writing.roster import (
    COMMON_PATHS,
    PLACEHOLDER,
    Fetcher,
    FoundFeed,
    ImportPlan,
    NewPerson,
    OpmlError,
    OpmlFeed,
    OpmlRead,
    Problem,
    SkippedFeed,
    SkippedOutline,
    apply_import,
    discover_feeds,
    feed_about,
    feed_kind,
    feed_meta,
    find_feed,
    followed_feeds,
    import_opml,
    person_id_for,
    plan_follow,
    plan_import,
    read_opml,
    render_person_file,
    write_new_person,
    write_person,
)

MD = MarkdownRenderer()
PAGE = "https://maya.example.net/blog/post.html"


def read_person(text: str, pid: str = "maya") -> tuple[Person, PrivateProfile]:
    path = f"content/people/{pid}.md"
    fm, diags = split(text, path)
    assert fm is not None, diags
    pair, problems = parse_person(path, fm, MD.render(fm.body))
    assert [d.format() for d in problems] == []
    assert pair is not None
    return pair


def link(href: str, kind: str = "application/rss+xml", rel: str = "alternate") -> str:
    return f'<link rel="{rel}" type="{kind}" href="{href}">'


# --- discover_feeds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "feeds"),
    [
        (link("/feed.xml"), ["https://maya.example.net/feed.xml"]),
        (link("atom.xml", "application/atom+xml"), ["https://maya.example.net/blog/atom.xml"]),
        (link("../index.json", "application/feed+json"), ["https://maya.example.net/index.json"]),
        (link("f.json", "application/json"), ["https://maya.example.net/blog/f.json"]),
        (link("//cdn.example/feed"), ["https://cdn.example/feed"]),
        (link("http://other.example/rss"), ["http://other.example/rss"]),
        ('<base href="/base/">' + link("feed.xml"), ["https://maya.example.net/base/feed.xml"]),
        (
            '<base href="https://b.example/x/"><base href="/ignored/">' + link("rss"),
            ["https://b.example/x/rss"],
        ),
        ('<base href="javascript:alert(1)">' + link("f"), ["https://maya.example.net/blog/f"]),
        (
            link("/a.xml") + link("/b.xml", "application/atom+xml") + link("/a.xml"),
            ["https://maya.example.net/a.xml", "https://maya.example.net/b.xml"],
        ),
        (
            link("/comments", rel="alternate") + link("/main", rel="Alternate Feed"),
            ["https://maya.example.net/comments", "https://maya.example.net/main"],
        ),
        (
            '<LINK REL=ALTERNATE TYPE="Application/RSS+XML; charset=utf-8" HREF=" /up.xml "/>',
            ["https://maya.example.net/up.xml"],
        ),
        ("<body><p>hi</p>" + link("/late.xml") + "</body>", ["https://maya.example.net/late.xml"]),
        (link("/x", "text/html"), []),
        (link("/x", rel="stylesheet"), []),
        (link("/x", rel="alternate stylesheet", kind="text/css"), []),
        ('<link rel="alternate" type="application/rss+xml">', []),
        (link(""), []),
        (link("javascript:alert(1)"), []),
        (link("JaVaScRiPt:alert(1)"), []),
        (link("java&#x09;script:alert(1)"), []),
        (link("javascript&colon;alert(1)"), []),
        (link("data:application/rss+xml,<rss/>"), []),
        (link("file:///etc/passwd"), []),
        (link("ftp://example.com/feed"), []),
        ('<a rel="alternate" type="application/rss+xml" href="/not-a-link-tag">', []),
        ("<html><head><title>No feeds</title></head></html>", []),
        ("", []),
        ("<<<>>> not <html really", []),
    ],
)
def test_discover_feeds(html: str, feeds: list[str]) -> None:
    assert discover_feeds(html.encode(), PAGE) == tuple(feeds)


def test_discover_feeds_reads_the_declared_charset() -> None:
    html = '<meta charset="windows-1252">' + link("/caf\u00e9.xml")
    assert discover_feeds(html.encode("cp1252"), PAGE) == (
        "https://maya.example.net/caf\u00e9.xml",
    )


# --- is it a feed? ------------------------------------------------------------------------------

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Maya &amp; Co</title>'
    b"<link>https://maya.example.net/</link><atom:link xmlns:atom='http://www.w3.org/2005/Atom'"
    b' rel="self" href="https://maya.example.net/feed.xml"/></channel></rss>'
)
ATOM = (
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Jo &lt;b&gt;writes&lt;/b&gt;'
    b'</title><link rel="self" href="/atom.xml"/><link href="/home/" type="text/html"/></feed>'
)
RDF = (
    b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>Old school</title>'
    b"<link>http://old.example/</link></channel></rdf:RDF>"
)
JSONFEED = (
    b'{"version": "https://jsonfeed.org/version/1.1", "title": "Jay",'
    b' "home_page_url": "https://jay.example/", "items": []}'
)
RSS091 = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
    b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel>'
    b"<title>Ninety-one</title><link>http://91.example/</link></channel></rss>"
)
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<rss><channel><title>&b;</title></channel></rss>"
)


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (RSS, "text/xml", "xml"),
        (RSS, None, "xml"),
        (b"\xef\xbb\xbf\n  " + RSS, "text/plain", "xml"),
        (ATOM, "application/octet-stream", "xml"),
        (RDF, None, "xml"),
        (JSONFEED, "application/json", "json"),
        (JSONFEED, None, "json"),
        (b'{"version": "1.1", "items": []}', "application/json", None),
        (b'{"version": "1.1"}', "application/feed+json", "json"),
        (b"[1, 2]", "application/json", None),
        (b"{not json", "application/feed+json", None),
        (b"[" * 100_000, None, None),
        (b"<!doctype html><html><body>&lt;rss&gt; is a format</body></html>", None, None),
        (b"<html><body><feed>", "text/html", None),
        (b"<x/>", "application/rss+xml", "xml"),
        (b"plain text", "text/plain", None),
        (b"", None, None),
    ],
)
def test_feed_kind(body: bytes, content_type: str | None, kind: str | None) -> None:
    assert feed_kind(body, content_type) == kind


@pytest.mark.parametrize(
    ("body", "kind", "meta"),
    [
        (RSS, "xml", ("Maya & Co", "https://maya.example.net/")),
        (ATOM, "xml", ("Jo writes", "https://jo.example/home/")),
        (RDF, "xml", ("Old school", "http://old.example/")),
        (JSONFEED, "json", ("Jay", "https://jay.example/")),
        (RSS091, "xml", ("Ninety-one", "http://91.example/")),  # a DOCTYPE alone is fine
        (BOMB, "xml", ("", None)),  # entities: not expanded, not read
        (b"<rss><channel><link>javascript:alert(1)</link></channel></rss>", "xml", ("", None)),
        (b"<rss><channel><title>x", "xml", ("", None)),
        (b"<html/>", "xml", ("", None)),
        (b'{"version": "https://jsonfeed.org/version/1", "title": 3}', "json", ("", None)),
        (b"[]", "json", ("", None)),
    ],
)
def test_feed_meta(body: bytes, kind: str, meta: tuple[str, str | None]) -> None:
    assert feed_meta(body, kind, "https://jo.example/feeds/atom.xml") == meta  # type: ignore[arg-type]


# --- find_feed, decided over fake answers -------------------------------------------------------

HOME = "https://maya.example.net/"


def answers(routes: Mapping[str, tuple[int, bytes, str]]) -> tuple[list[str], Fetcher]:
    asked: list[str] = []

    def fetcher(url: str) -> FetchResult:
        asked.append(url)
        status, body, ctype = routes.get(url, (404, b"", "text/html"))
        return FetchResult(
            url=url,
            final_url=url,
            status=status,
            body=body if status == 200 else None,
            content_type=ctype,
            error=None if status == 200 else f"HTTP {status}",
        )

    return asked, fetcher


def html_page(*links: str, title: str = "Maya Okafor") -> tuple[int, bytes, str]:
    return 200, f"<title>{title}</title>{''.join(links)}".encode(), "text/html"


FEED = (200, RSS, "application/rss+xml")


def test_a_stale_link_falls_through_to_the_next_and_then_to_common_paths() -> None:
    asked, fetcher = answers(
        {
            HOME: html_page(link("/gone.xml"), link("/page.html")),
            HOME + "rss.xml": FEED,
            HOME + "page.html": html_page(),
        }
    )
    found = find_feed("maya.example.net/", fetcher=fetcher)
    assert found == FoundFeed(
        feed_url=HOME + "rss.xml",
        site_url=HOME,
        title="Maya Okafor",
        candidates=(HOME + "gone.xml", HOME + "page.html"),
    )
    assert asked == [
        HOME,
        HOME + "gone.xml",
        HOME + "page.html",
        HOME + "feed.xml",
        HOME + "atom.xml",
        HOME + "rss.xml",
    ]


def test_only_the_first_candidates_are_tried() -> None:
    links = [link(f"/c{n}.xml") for n in range(8)]
    asked, fetcher = answers({HOME: html_page(*links)})
    found = find_feed(HOME, fetcher=fetcher)
    assert isinstance(found, Problem)
    assert "advertises 8 feed(s), but none of them answered with a feed" in found.message
    assert asked == [
        HOME,
        *(f"{HOME}c{n}.xml" for n in range(5)),
        *(HOME[:-1] + p for p in COMMON_PATHS),
    ]


def test_the_feed_title_names_a_page_without_a_title() -> None:
    _, fetcher = answers(
        {HOME: (200, link("/feed.xml").encode(), "text/html"), HOME + "feed.xml": FEED}
    )
    found = find_feed(HOME, fetcher=fetcher)
    assert isinstance(found, FoundFeed) and found.title == "Maya & Co"


@pytest.mark.parametrize(
    ("url", "routes", "message"),
    [
        ("javascript:alert(1)", {}, "not an http or https URL"),
        ("", {}, "not an http or https URL"),
        ("ftp://x.example/", {}, "not an http or https URL"),
        ("//x.example/", {}, "not an http or https URL"),
        (HOME, {}, f"could not fetch {HOME}: HTTP 404"),
        (HOME, {HOME: html_page()}, f"found no feed at {HOME}"),
    ],
)
def test_find_feed_problems(
    url: str, routes: dict[str, tuple[int, bytes, str]], message: str
) -> None:
    asked, fetcher = answers(routes)
    found = find_feed(url, fetcher=fetcher)
    assert isinstance(found, Problem)
    assert message in found.message
    assert found.hint
    assert len(asked) == (0 if "not an http" in message else 1 + len(routes) * len(COMMON_PATHS))


# --- find_feed against a real server on 127.0.0.1 -----------------------------------------------

LIMITS = FetchLimits(connect_timeout=2, read_timeout=2, total_timeout=5)
Route = tuple[int, bytes, str] | tuple[int, str]  # (status, body, type) or (status, location)


@contextmanager
def serve(routes: Mapping[str, Route]) -> Iterator[str]:
    """A loopback HTTP server answering `routes` by path (404 otherwise); yields its origin."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path, (404, b"not found", "text/plain"))
            self.send_response(route[0])
            if len(route) == 2:
                self.send_header("Location", route[1])
                body = b""
            else:
                body = route[1]
                self.send_header("Content-Type", route[2])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


SITE: dict[str, Route] = {
    "/": (200, b"<title>Home of Maya</title>" + link("/blog/feed.rss").encode(), "text/html"),
    "/blog/feed.rss": (200, RSS, "application/rss+xml; charset=utf-8"),
    "/plain/": (200, b"<html><head><title>  No   link  </title></head></html>", "text/html"),
    "/feed.xml": (200, ATOM, "application/atom+xml"),
    "/direct.json": (200, JSONFEED, "application/json"),
    "/moved.xml": (301, "/feed.xml"),
    "/hop": (302, "/blog/feed.rss"),
}


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve(SITE) as origin:
        yield origin


def test_find_feed_follows_the_link_in_the_page(site: str) -> None:
    found = find_feed(site + "/", LIMITS)
    assert found == FoundFeed(
        feed_url=site + "/blog/feed.rss",
        site_url=site + "/",
        title="Home of Maya",
        candidates=(site + "/blog/feed.rss",),
    )


def test_find_feed_tries_the_common_paths(site: str) -> None:
    found = find_feed(site + "/plain/", LIMITS)
    assert found == FoundFeed(
        feed_url=site + "/feed.xml", site_url=site + "/plain/", title="No link"
    )


@pytest.mark.parametrize(
    ("path", "feed", "site_url", "title"),
    [
        ("/blog/feed.rss", "/blog/feed.rss", "https://maya.example.net/", "Maya & Co"),
        ("/direct.json", "/direct.json", "https://jay.example/", "Jay"),
        ("/feed.xml", "/feed.xml", "{site}/home/", "Jo writes"),
        ("/moved.xml", "/feed.xml", "{site}/home/", "Jo writes"),  # permanent: the new URL
        ("/hop", "/hop", "https://maya.example.net/", "Maya & Co"),  # temporary: as given
    ],
)
def test_find_feed_given_a_feed(site: str, path: str, feed: str, site_url: str, title: str) -> None:
    found = find_feed(site + path, LIMITS)
    assert found == FoundFeed(
        feed_url=site + feed, site_url=site_url.format(site=site), title=title
    )


def test_find_feed_problems_from_a_real_server() -> None:
    with serve({"/": (200, b"<title>Nothing here</title>", "text/html")}) as origin:
        none = find_feed(origin + "/", LIMITS)
        missing = find_feed(origin + "/nope", LIMITS)
    assert isinstance(none, Problem) and none.message.startswith(f"found no feed at {origin}/")
    assert isinstance(missing, Problem)
    assert missing.message == f"could not fetch {origin}/nope: HTTP 404 Not Found"


# --- person ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "existing", "pid"),
    [
        ("Maya Okafor", set(), "maya-okafor"),
        ('Ana: "the" Poet', set(), "ana-the-poet"),
        ("José Núñez-Ødegård", set(), "jose-nunez-degard"),
        ("O'Brien & Sons", set(), "obrien-sons"),
        ("  __Under_score__  ", set(), "under-score"),
        ("Maya Okafor", {"maya-okafor"}, "maya-okafor-2"),
        ("Maya Okafor", {"maya-okafor", "maya-okafor-2", "maya-okafor-3"}, "maya-okafor-4"),
        ("Maya Okafor", {"maya-okafor-2"}, "maya-okafor"),
        ("https://www.maya.example.net/blog/", set(), "maya-example"),
        ("https://ana.blog", set(), "ana"),
        ("http://localhost:8000/", set(), "localhost"),
        ("http://127.0.0.1:8000/", set(), "127-0-0-1"),
        ("https://www.example.com", {"example"}, "example-2"),
        ("李雷", set(), "friend"),
        ("!!!", {"friend"}, "friend-2"),
        ("a-very-long-name " * 6, set(), "a-very-long-name-a-very-long-name-a-very"),
    ],
)
def test_person_id_for(text: str, existing: set[str], pid: str) -> None:
    assert person_id_for(text, existing) == pid


def test_person_id_falls_back_to_the_url() -> None:
    assert person_id_for("李雷", set(), url="https://li.example.cn/") == "li-example"
    assert person_id_for("Li Lei", set(), url="https://li.example.cn/") == "li-lei"


# --- person files -------------------------------------------------------------------------------

NAMES = [
    "Maya Okafor",
    'Ana: "the" Poet',
    "yes",
    "123",
    "O'Brien",
    "#hash",
    "- dash",
    "[brackets]",
    "  spaced \n  out  ",
    "Zoë 🌿 日本",
    "a: b # c",
    "null",
    "~",
    "&anchor *alias !tag",
]


@pytest.mark.parametrize("name", NAMES)
def test_person_file_round_trip(name: str) -> None:
    feeds = ["https://maya.example.net/feed.xml", "https://maya.example.net/feed?tag=a,b&x=1#f"]
    text = render_person_file(
        name=name,
        url="https://maya.example.net/?x=1&y=yes",
        feeds=[*feeds, feeds[0]],
        interests=["Letters", "yes", "a, b", " gardening ", "letters", 'Nulls: "x"'],
    )
    person, private = read_person(text)
    assert person.name == " ".join(name.split())
    assert person.url == "https://maya.example.net/?x=1&y=yes"
    assert person.feeds == tuple(feeds)
    assert person.interests == ("letters", "yes", "a, b", "gardening", 'nulls: "x"')
    assert person.public and dict(private.fields) == {}
    assert "private" not in text
    assert text.endswith(f"\n{PLACEHOLDER}\n---\n")  # a YAML comment: never published
    assert person.html == ""


def test_person_file_looks_hand_written() -> None:
    text = render_person_file(
        name="Maya Okafor",
        url="https://maya.example.net/",
        feeds=["https://maya.example.net/feed.xml"],
        interests=["letters", "gardening"],
    )
    assert text == (
        "---\nname: Maya Okafor\nurl: https://maya.example.net/\n"
        "feeds: [https://maya.example.net/feed.xml]\ninterests: [letters, gardening]\n"
        f"{PLACEHOLDER}\n---\n"
    )


def test_person_file_without_url_feeds_or_interests() -> None:
    text = render_person_file(name="Jo", url=None, feeds=[], interests=[])
    assert text == f"---\nname: Jo\n{PLACEHOLDER}\n---\n"
    person, _ = read_person(text, "jo")
    assert (person.url, person.feeds, person.interests) == (None, (), ())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  \n "}, "needs a name"),
        ({"url": "javascript:alert(1)"}, "url 'javascript"),
        ({"feeds": ["https://ok.example/", "feed.xml"]}, "feed 'feed.xml'"),
        ({"feeds": ["https://ok.example/a b"]}, "not an http"),
    ],
)
def test_render_person_file_refuses(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"name": "Jo", "url": None, "feeds": [], "interests": []}
    with pytest.raises(ValueError, match=message):
        render_person_file(**{**args, **kwargs})  # type: ignore[arg-type]


def test_write_person_never_replaces_a_file(tmp_path: Path) -> None:
    path = write_person(tmp_path, "maya", "first\n")
    assert path == tmp_path / "content" / "people" / "maya.md"
    with pytest.raises(FileExistsError):
        write_person(tmp_path, "maya", "second\n")
    assert path.read_text() == "first\n"
    for bad in ("../evil", "Maya", "a/b", "", "-x", "x-", "a--b", "café"):
        with pytest.raises(ValueError, match="lowercase"):
            write_person(tmp_path, bad, "x\n")
    assert sorted(p.name for p in (tmp_path / "content" / "people").iterdir()) == ["maya.md"]


PEOPLE = {
    "content/people/maya.md": "---\nname: Maya\nfeeds: [https://maya.example/feed.xml]\n---\n",
    "content/people/jo.md": (
        "---\nname: Jo\nfeeds: https://jo.example/a.xml, https://jo.example/b.xml\n"
        "avatar: not-a-path\n---\n"  # an error for the build, not for following
    ),
    "content/people/zed.md": "---\nname: Zed\nfeeds: [https://maya.example/feed.xml]\n---\n",
    "content/people/broken.md": "---\nname: [unclosed\n---\n",
    "content/people/binary.md": b"\xff\xfe\x00garbage",
    "content/people/nofeeds.md": "---\nname: Nobody\nfeeds: 3\n---\n",
    "content/people/notes.txt": "---\nfeeds: [https://txt.example/]\n---\n",
}


def test_followed_feeds(make_salon: Callable[..., Path]) -> None:
    root = make_salon(PEOPLE)
    assert followed_feeds(root) == {
        "https://jo.example/a.xml": "jo",
        "https://jo.example/b.xml": "jo",
        "https://maya.example/feed.xml": "maya",  # zed lists it too; the first id keeps it
    }
    assert followed_feeds(root / "nowhere") == {}


# --- OPML ---------------------------------------------------------------------------------------

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Friends">
      <outline text="Poets / Writers">
        <outline type="rss" text="Ana &amp; the Poets" xmlUrl="https://ana.example/feed.xml"
                 htmlUrl="https://ana.example/" category="letters, Art"/>
      </outline>
      <outline text="Maya" title="Maya O." xmlUrl="https://maya.example/feed"
               htmlUrl="javascript:x"/>
    </outline>
    <outline title="No text, a title" xmlurl="https://t.example/rss" category="/Tech/Web"/>
    <outline text="Ana again" xmlUrl="https://ana.example/feed.xml" category="Gardening"/>
    <outline text="Not http" xmlUrl="feed://weird.example/rss"/>
    <outline text="Local file" xmlUrl="file:///etc/passwd"/>
    <outline text="Empty" xmlUrl=""/>
    <outline xmlUrl="https://untitled.example/atom"/>
  </body>
</opml>
"""


def test_import_opml() -> None:
    assert import_opml(OPML) == (
        OpmlFeed(
            xml_url="https://ana.example/feed.xml",
            title="Ana & the Poets",
            html_url="https://ana.example/",
            interests=("friends", "poets", "writers", "letters", "art", "gardening"),
        ),
        OpmlFeed(xml_url="https://maya.example/feed", title="Maya", interests=("friends",)),
        OpmlFeed(
            xml_url="https://t.example/rss", title="No text, a title", interests=("tech", "web")
        ),
        OpmlFeed(xml_url="https://untitled.example/atom", title=""),
    )


def test_import_opml_reads_outlines_inside_a_feed_outline() -> None:
    opml = b"""<opml version="2.0"><body><outline text="Blogs">
      <outline text="Jo" xmlUrl="https://jo.example/feed"><outline text="Jo's photos"
        xmlUrl="https://jo.example/photos" category="photos"/></outline></outline></body></opml>"""
    assert import_opml(opml) == (
        OpmlFeed(xml_url="https://jo.example/feed", title="Jo", interests=("blogs",)),
        OpmlFeed(
            xml_url="https://jo.example/photos", title="Jo's photos", interests=("blogs", "photos")
        ),
    )


def test_import_opml_1_0_without_a_body_or_head() -> None:
    opml = (
        b'<opml version="1.0"><body><outline title="X" xmlUrl="http://x.example/"/></body></opml>'
    )
    assert import_opml(opml) == (OpmlFeed(xml_url="http://x.example/", title="X"),)
    assert import_opml(b'<opml version="1.0"><head/></opml>') == ()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<opml><body><outline text="&lol9;" xmlUrl="https://x.example/"/></body></opml>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml><body><outline text="&secret;" xmlUrl="https://x.example/"/></body></opml>
"""
PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<opml><body/></opml>
"""
JUST_DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "opml.dtd"><opml><body/></opml>'
UTF16_BOMB = BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16")


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL, PARAMETER, JUST_DOCTYPE, UTF16_BOMB])
def test_import_opml_refuses_a_dtd(data: bytes) -> None:
    with pytest.raises(
        OpmlError, match=r"refused to read an OPML file that declares <!DOCTYPE"
    ) as e:
        import_opml(data)
    assert e.value.hint and "DOCTYPE" in e.value.hint


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not well-formed XML: line 1, column 1: no element found"),
        (b"\x00\x01 binary, no markup", "not well-formed XML"),
        (b"<rss><channel/></rss>", "not an OPML file: the document is <rss>"),
    ],
)
def test_import_opml_refuses_what_is_not_opml(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError, match=message):
        import_opml(data)


def test_read_opml_names_every_outline_it_skips() -> None:
    read = read_opml(OPML)
    assert read.feeds == import_opml(OPML)
    assert read.recovered is None
    assert read.skipped == (
        SkippedOutline(
            line=14,
            name="Ana again",
            reason="the same feed as line 7 (its interests are added there)",
        ),
        SkippedOutline(
            line=15,
            name="Not http",
            reason="xmlUrl is not an http(s) address: feed://weird.example/rss",
        ),
        SkippedOutline(
            line=16,
            name="Local file",
            reason="xmlUrl is not an http(s) address: file:///etc/passwd",
        ),
        SkippedOutline(line=17, name="Empty", reason="its xmlUrl is empty"),
    )


def test_read_opml_recovers_a_file_that_is_not_well_formed() -> None:
    read = read_opml(b"<opml><body><outline text='A & B' xmlUrl='https://ab.example/'>")
    assert read == OpmlRead(
        feeds=(OpmlFeed(xml_url="https://ab.example/", title="A & B"),),
        recovered="line 1, column 31: not well-formed (invalid token)",
    )


OPML_DIR = Path(__file__).parent / "opml"
# What each messy export (written as these feed readers write them, quirks included) gives.
EXPORTS: dict[str, OpmlRead] = {
    "feedly.opml": OpmlRead(  # bare "&" in titles, folders and URLs; a feed in two folders
        feeds=(
            OpmlFeed(
                xml_url="https://ana.example/feed.xml?format=rss&lang=en",
                title="Ana & the Poets",
                html_url="https://ana.example/",
                interests=("poetry & letters",),
            ),
            OpmlFeed(
                xml_url="https://lisbon.example.org/atom.xml",
                title="Letters from Lisbon",
                html_url="https://lisbon.example.org",
                interests=("poetry & letters", "tech"),
            ),
            OpmlFeed(
                xml_url="https://rust.example.net/index.xml",
                title="Rust & Roses",
                html_url="https://rust.example.net/",
                interests=("tech",),
            ),
        ),
        skipped=(
            SkippedOutline(line=12, name="Must Read", reason="a folder with nothing in it"),
            SkippedOutline(
                line=16,
                name="Letters from Lisbon",
                reason="the same feed as line 10 (its interests are added there)",
            ),
        ),
        recovered="line 8, column 32: not well-formed (invalid token)",
    ),
    "inoreader.opml": OpmlRead(  # HTML entities, a feed:// URL, a link outline
        feeds=(
            OpmlFeed(
                xml_url="https://cafe.example.com/feed/",
                title="Caf\xe9 Society",
                html_url="https://cafe.example.com/",
                interests=("caf\xe9s & books",),
            ),
            OpmlFeed(
                xml_url="https://slow.example.com/rss",
                title="The \u201cSlow\u201d Reader",
                html_url="https://slow.example.com",
                interests=("caf\xe9s & books",),
            ),
        ),
        skipped=(
            SkippedOutline(
                line=10,
                name="Podcast feed",
                reason="xmlUrl is not an http(s) address: feed://pod.example.com/episodes.rss",
            ),
            SkippedOutline(
                line=12, name="A page, not a feed", reason="no xmlUrl: a link, not a feed"
            ),
        ),
        recovered="line 7, column 5: undefined entity",
    ),
    "netnewswire.opml": OpmlRead(  # "<" in attribute values, a local file, an empty xmlUrl
        feeds=(
            OpmlFeed(
                xml_url="https://jo.example/feed.json",
                title="Jo's Notes",
                html_url="https://jo.example/",
            ),
            OpmlFeed(
                xml_url="https://seeds.example/rss.xml",
                title="Seeds and Soil",
                html_url="https://seeds.example/",
                interests=("gardening",),
            ),
        ),
        skipped=(
            SkippedOutline(
                line=11,
                name="Local notes",
                reason="xmlUrl is not an http(s) address: file:///Users/ines/notes.xml",
            ),
            SkippedOutline(line=12, name="Empty one", reason="its xmlUrl is empty"),
        ),
        recovered="line 10, column 23: not well-formed (invalid token)",
    ),
    # Windows-1252 without a declaration, unclosed outlines and file, unescaped quotes,
    # single quotes, unquoted values, a comment
    "hand-edited.opml": OpmlRead(
        feeds=(
            OpmlFeed(
                xml_url="https://jose.example.pt/feed",
                title="Jos\xe9 Sa\xfal",
                html_url="https://jose.example.pt/",
                interests=("amigos",),
            ),
            OpmlFeed(
                xml_url="https://table.example.org/feed.xml",
                title='The "Long" Table',
                interests=("amigos", "food", "wine"),
            ),
            OpmlFeed(
                xml_url="https://unquoted.example/rss.xml",
                title="Unquoted",
                interests=("amigos",),
            ),
        ),
        skipped=(SkippedOutline(line=10, name="Gone", reason="no xmlUrl: a link, not a feed"),),
        recovered="line 5, column 23: not well-formed (invalid token)",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_read_opml_reads_messy_exports(name: str) -> None:
    assert read_opml((OPML_DIR / name).read_bytes()) == EXPORTS[name]


def test_plan_import_skips_who_is_already_followed(make_salon: Callable[..., Path]) -> None:
    root = make_salon(
        {
            "content/people/ana.md": "---\nname: Ana\nfeeds: [http://www.ana.example/feed.xml/]\n---\n",
            "content/people/maya.md": "---\nname: Old Maya\n---\n",  # the id is taken, no feeds
            "content/people/broken.md": "---\nname: [\n---\n",
        }
    )
    plan = plan_import(
        root, [*import_opml(OPML), OpmlFeed(xml_url="https://T.example/rss/", title="Dup")]
    )
    assert plan == ImportPlan(
        add=(
            NewPerson(
                person_id="maya-2",
                name="Maya",
                url=None,  # no htmlUrl: not guessed from the feed's host
                feeds=("https://maya.example/feed",),
                interests=("friends",),
            ),
            NewPerson(
                person_id="no-text-a-title",
                name="No text, a title",
                url=None,  # no htmlUrl: not guessed from the feed's host
                feeds=("https://t.example/rss",),
                interests=("tech", "web"),
            ),
            NewPerson(
                person_id="untitled",
                name="untitled.example",
                url=None,  # no htmlUrl: not guessed from the feed's host
                feeds=("https://untitled.example/atom",),
            ),
        ),
        skipped=(
            SkippedFeed(feed=import_opml(OPML)[0], person_id="ana"),
            SkippedFeed(
                feed=OpmlFeed(xml_url="https://T.example/rss/", title="Dup"),
                person_id="no-text-a-title",
                reason="listed twice in the file",
            ),
        ),
    )
    paths = apply_import(root, plan)
    assert [p.name for p in paths] == ["maya-2.md", "no-text-a-title.md", "untitled.md"]
    person, _ = read_person(paths[1].read_text(), "no-text-a-title")
    assert (person.name, person.feeds, person.interests) == (
        "No text, a title",
        ("https://t.example/rss",),
        ("tech", "web"),
    )
    assert plan_import(root, import_opml(OPML)).add == ()  # a second import adds nobody


def test_apply_import_writes_nothing_when_one_file_exists(tmp_path: Path) -> None:
    plan = ImportPlan(
        add=(
            NewPerson(person_id="a", name="A", url=None, feeds=("https://a.example/",)),
            NewPerson(person_id="b", name="B", url=None, feeds=("https://b.example/",)),
        ),
        skipped=(),
    )
    write_person(tmp_path, "b", "mine\n")
    with pytest.raises(FileExistsError, match=r"content/people/b\.md"):
        apply_import(tmp_path, plan)
    assert sorted(p.name for p in (tmp_path / "content" / "people").iterdir()) == ["b.md"]
    assert (tmp_path / "content" / "people" / "b.md").read_text() == "mine\n"


# --- follow -------------------------------------------------------------------------------------

FOUND = FoundFeed(
    feed_url="https://maya.example.net/feed.xml",
    site_url="https://maya.example.net/",
    title="Maya's Notebook",
)


def test_plan_follow_then_write(make_salon: Callable[..., Path]) -> None:
    root = make_salon({"content/people/maya-okafor.md": "---\nname: Someone else\n---\n"})
    person = plan_follow(root, FOUND, name="  Maya\nOkafor ", interests=["Letters", "letters"])
    assert person == NewPerson(
        person_id="maya-okafor-2",
        name="Maya Okafor",
        url="https://maya.example.net/",
        feeds=("https://maya.example.net/feed.xml",),
        interests=("letters",),
    )
    assert isinstance(person, NewPerson)
    path = write_new_person(root, person)
    assert path == root / "content" / "people" / "maya-okafor-2.md"
    read, _ = read_person(path.read_text(), "maya-okafor-2")
    assert (read.name, read.url, read.feeds, read.interests) == (
        "Maya Okafor",
        "https://maya.example.net/",
        ("https://maya.example.net/feed.xml",),
        ("letters",),
    )
    again = plan_follow(
        root,
        FoundFeed(
            feed_url="http://www.maya.example.net/feed.xml/",
            site_url="https://x.example/",
            title="",
        ),
    )
    assert again == Problem(
        message="http://www.maya.example.net/feed.xml/ is already followed, in "
        "content/people/maya-okafor-2.md",
        hint="edit that file to change the person's name or interests",
    )
    with pytest.raises(FileExistsError):
        write_new_person(root, person)


def test_plan_follow_names_from_the_title_else_the_domain(tmp_path: Path) -> None:
    named = plan_follow(tmp_path, FOUND)
    assert isinstance(named, NewPerson)
    assert (named.person_id, named.name) == ("mayas-notebook", "Maya's Notebook")
    bare = plan_follow(
        tmp_path, FoundFeed(feed_url=FOUND.feed_url, site_url=FOUND.site_url, title="")
    )
    assert isinstance(bare, NewPerson)
    assert (bare.person_id, bare.name) == ("maya-example", "maya.example.net")


ABOUT_FEEDS = [
    (
        "xml",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Kiln notes</title>'
        b"<subtitle>Pots, letters &amp; &lt;script&gt;</subtitle>"
        b"<author><name>Maya Okafor</name></author></feed>",
        ("Pots, letters &", "Maya Okafor"),  # plain text: markup is dropped
    ),
    (
        "xml",
        b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        b"<title>T</title><description>A bookbinder in Lisbon.</description>"
        b"<managingEditor>tomas@example.pt (Tom\xc3\xa1s Ferreira)</managingEditor>"
        b"</channel></rss>",
        ("A bookbinder in Lisbon.", "Tomás Ferreira"),
    ),
    (
        "xml",
        b"<rss><channel><title>T</title><managingEditor>x@example.org</managingEditor>"
        b"</channel></rss>",
        ("", ""),  # an address alone names nobody
    ),
    (
        "json",
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "description": "Hi.",'
        b' "authors": [{"name": "Jo"}], "items": []}',
        ("Hi.", "Jo"),
    ),
    ("json", b"[1, 2]", ("", "")),
    ("xml", b"<rss><channel>", ("", "")),
]


@pytest.mark.parametrize(("kind", "body", "expected"), ABOUT_FEEDS)
def test_what_a_feed_says_of_itself(kind: str, body: bytes, expected: tuple[str, str]) -> None:
    assert feed_about(body, kind) == expected  # type: ignore[arg-type]


def test_a_feed_description_is_published_as_the_text_it_was() -> None:
    about = "Pots, letters & <script>alert(1)</script> *not emphasis* [x](javascript:y)"
    text = render_person_file(name="Maya", url=None, feeds=[], about=about)
    person, _ = read_person(text)
    assert "<script" not in person.html and "<em>" not in person.html
    assert "<a " not in person.html
    assert person.html == (
        "<p>Pots, letters &amp; &lt;script&gt;alert(1)&lt;/script&gt; *not emphasis* "
        "[x](javascript:y)</p>\n"
    )
    listy = render_person_file(name="Maya", url=None, feeds=[], about="- 1. # not a heading")
    assert read_person(listy)[0].html == "<p>- 1. # not a heading</p>\n"


def test_following_takes_the_author_as_the_name_and_the_feed_description() -> None:
    found = FoundFeed(
        feed_url="https://maya.example.net/feed.xml",
        site_url="https://maya.example.net/",
        title="Kiln notes",
        about="Pots and letters.",
        author="Maya Okafor",
    )
    with tempfile.TemporaryDirectory() as folder:
        person = plan_follow(Path(folder), found)
    assert isinstance(person, NewPerson)
    assert (person.person_id, person.name, person.about) == (
        "maya-okafor",
        "Maya Okafor",
        "Pots and letters.",
    )
