from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from salon_gen.content.parse import parse_note
from salon_gen.core.config import parse_config
from salon_gen.core.model import Config, FeedEntry, FetchResult, Note
from salon_gen.text.frontmatter import split
from salon_gen.text.markdown import MarkdownRenderer
from salon_gen.writing.share import (
    check_via,
    decode_html,
    fetch_page_title,
    page_title,
    render_share_file,
    share_from_store,
    share_path,
    share_slug,
    url_key,
    verify_front_matter,
    write_share,
    yaml_list,
    yaml_text,
)

from .conftest import MINIMAL_CONFIG

LISBON = ZoneInfo("Europe/Lisbon")
TOKYO = ZoneInfo("Asia/Tokyo")
MD = MarkdownRenderer()
WHEN = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


def config() -> Config:
    cfg, diags = parse_config(MINIMAL_CONFIG)
    assert cfg is not None, diags
    return cfg


def read_share(text: str, zone: ZoneInfo = LISBON) -> Note:
    path = "content/shares/2026-03-05-x.md"
    fm, diags = split(text, path)
    assert fm is not None, diags
    note, problems = parse_note("share", path, fm, MD.render(fm.body), config(), zone)
    assert [d.format() for d in problems] == []
    assert note is not None
    return note


# --- page_title ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "title"),
    [
        (b"<html><head><title>Plain</title></head></html>", "Plain"),
        (
            b'<head><title>Site</title><meta property="og:title" content="The Essay"></head>',
            "The Essay",
        ),
        (b'<meta name="og:title" content="By name"><title>T</title>', "By name"),
        (b'<meta property="og:title" content="  "><title>Fallback</title>', "Fallback"),
        (b"<title>\n  Lots \t of\n   space  </title>", "Lots of space"),
        (
            b"<title>Tom &amp; Jerry &lt;3 &#8212; caf&eacute;</title>",
            "Tom & Jerry <3 \u2014 caf\u00e9",
        ),
        (b"<body><svg><title>icon</title></svg></body><title>Real</title>", "Real"),
        (b"<title>First</title><title>Second</title>", "First"),
        (b"<title>Never closed", "Never closed"),
        (b"<title>a\x00b\x07c</title>", "abc"),
        (b"<html><head></head><body>no title</body></html>", None),
        (b"<title>   </title>", None),
        (b"", None),
        (b"<![if !IE]></><!x><title>Still</title><![bogus", "Still"),  # junk markup is skipped
        (b"<!<!-- a bogus comment eats <title>Eaten</title>", None),  # as in a browser
    ],
)
def test_page_title(html: bytes, title: str | None) -> None:
    assert page_title(html) == title


def test_page_title_decodes_the_declared_charset() -> None:
    body = "<meta charset=windows-1252><title>Caf\u00e9 \u2013 na\u00efve</title>".encode("cp1252")
    assert page_title(body) == "Caf\u00e9 \u2013 na\u00efve"
    http = "<title>\u00c5se</title>".encode("iso-8859-1")
    assert page_title(http, "text/html; charset=ISO-8859-1") == "\u00c5se"


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        ("é".encode(), None, "é"),
        (b"\xef\xbb\xbf\xc3\xa9", "text/html; charset=latin1", "é"),  # the BOM wins
        ("é".encode("utf-16-le"), None, "é\x00"),  # no BOM: never guessed to be UTF-16
        (b"\xff\xfe" + "é".encode("utf-16-le"), None, "é"),
        ("é".encode("cp1252"), None, "é"),  # not UTF-8: windows-1252, as browsers do
        ("é".encode("cp1252"), "text/html; charset=no-such-thing", "é"),
        ('<meta charset="utf-8">é'.encode(), "text/html; charset=utf-8", '<meta charset="utf-8">é'),
    ],
)
def test_decode_html(body: bytes, content_type: str | None, text: str) -> None:
    assert decode_html(body, content_type) == text


def page(status: int, body: bytes | None, content_type: str | None = "text/html") -> FetchResult:
    return FetchResult(
        url="https://x.example/",
        final_url="https://x.example/",
        status=status,
        body=body,
        content_type=content_type,
    )


@pytest.mark.parametrize(
    ("result", "title"),
    [
        (page(200, b"<title>Hi</title>"), "Hi"),
        (page(200, b"<title>Hi</title>", None), "Hi"),
        (page(200, b"<title>Hi</title>", "application/xhtml+xml"), "Hi"),
        (page(200, b"%PDF-1.4 <title>Hi</title>", "application/pdf"), None),
        (page(404, b"<title>Not found</title>"), None),
        (page(200, None), None),
        (FetchResult(url="u", final_url="u", status=None, error="refused"), None),
    ],
)
def test_fetch_page_title(result: FetchResult, title: str | None) -> None:
    asked: list[str] = []

    def fetcher(url: str) -> FetchResult:
        asked.append(url)
        return result

    assert fetch_page_title("https://x.example/", fetcher=fetcher) == title
    assert asked == ["https://x.example/"]


# --- share_from_store ---------------------------------------------------------------------------


def entry(feed: str, link: str | None, title: str, person_id: str = "") -> FeedEntry:
    return FeedEntry(
        feed_url=feed,
        entry_id=f"{feed}#{link}",
        title=title,
        link=link,
        published=WHEN,
        updated=WHEN,
        person_id=person_id,
    )


ENTRIES = (  # newest first, as FeedStore.entries gives them
    entry("https://maya.example/feed.xml", "https://maya.example/posts/new", "Newer post"),
    entry("https://jo.example/atom", "https://maya.example/posts/new", "Jo's copy"),
    entry("https://jo.example/atom", "https://jo.example/2026/letters/", "  On   letters "),
    entry("https://gone.example/feed", "https://gone.example/a", "Unowned", person_id="ghost"),
    entry("https://anon.example/feed", "https://anon.example/b", "Nobody's"),
    entry("https://jo.example/atom", None, "No link"),
)
OWNERS = {"https://maya.example/feed.xml": "maya", "https://jo.example/atom": "jo"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://maya.example/posts/new", ("Newer post", "maya")),  # the newest entry wins
        ("https://jo.example/2026/letters/", ("On letters", "jo")),
        ("http://www.JO.example:443/2026/letters#top", ("On letters", "jo")),
        ("https://jo.example/2026/letters?page=2", (None, None)),
        ("https://jo.example/2026/", (None, None)),
        ("https://gone.example/a", ("Unowned", "ghost")),  # owner from the entry itself
        ("https://anon.example/b", ("Nobody's", None)),
        ("https://elsewhere.example/", (None, None)),
    ],
)
def test_share_from_store(url: str, expected: tuple[str | None, str | None]) -> None:
    assert share_from_store(url, ENTRIES, OWNERS) == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://www.example.com/a/", "http://example.com/a", True),
        ("https://example.com:443/a", "https://EXAMPLE.com/a#frag", True),
        ("https://user@example.com/a", "https://example.com/a", True),
        ("https://example.com/a?x=1", "https://example.com/a?x=2", False),
        ("https://example.com:8080/a", "https://example.com/a", False),
        ("https://example.com/A", "https://example.com/a", False),
        ("https://[::1/a", "https://[::1/a", True),  # unparseable: compared as written
    ],
)
def test_url_key(a: str, b: str, same: bool) -> None:
    assert (url_key(a) == url_key(b)) is same


# --- front-matter text --------------------------------------------------------------------------

NASTY = [
    "Maya Okafor",
    'Ana: "the" Poet',
    "O'Brien",
    "yes",
    "No",
    "ON",
    "off",
    "true",
    "False",
    "null",
    "NULL",
    "~",
    "y",
    "n",
    "",
    "123",
    "0x1F",
    "1e3",
    "1_000",
    "12:30:00",
    "2026-03-05",
    ".inf",
    "-.NaN",
    "0o17",
    "- dash",
    "-",
    "? question",
    ": colon",
    "a: b",
    "a #b",
    "#comment",
    "a,b",
    "[x]",
    "{x: 1}",
    "&anchor",
    "*alias",
    "!tag",
    "!!python/object:os.system",
    "%YAML",
    "@at",
    "`tick`",
    "|",
    ">",
    "'single'",
    '"double"',
    "back\\slash",
    "\\n",
    "tab\there",
    "line\nbreak",
    "cr\rlf",
    " leading",
    "trailing ",
    "two  spaces",
    "\x00nul",
    "\x07bell",
    "\x1b[31mred",
    "\x7fdel",
    "\x85nel",
    "\u00a0nbsp",
    "\u2028ls\u2029ps",
    "\ufeffbom",
    "\ufffe",
    "\uffff",
    "emoji \U0001f600 \U0001f469\u200d\U0001f52c",
    "日本語のタイトル",
    "עברית",
    "e\u0301",
    "https://example.com/a?b=c&d=e#f",
    "https://example.com/feed.xml",
    "http://x:8080/a",
    "https://example.com/a b",
    "https://example.com/a,b",
    "https://example.com/[x]",
    "=",
    "<<",
    "...",
    "---",
    "--- x",
]


@pytest.mark.parametrize("value", NASTY)
def test_yaml_text_reads_back_exactly(value: str) -> None:
    head = f"block: {yaml_text(value)}\nflow: {yaml_list([value, value, 'x'])}\n"
    fm, diags = split(f"---\n{head}---\n", "x.md")
    assert fm is not None, (head, diags)
    assert dict(fm.data) == {"block": value, "flow": [value, value, "x"]}
    # PyYAML's pure-Python loader too (frontmatter uses it where libyaml is missing): it
    # folds U+2028 inside quotes, where libyaml keeps it.
    assert yaml.load(head, Loader=yaml.SafeLoader) == {"block": value, "flow": [value, value, "x"]}


def test_yaml_text_reads_back_for_random_strings() -> None:
    rng = random.Random(20261122)
    alphabet = [chr(c) for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF]
    alphabet += [
        '"',
        "\\",
        ":",
        "#",
        "-",
        "'",
        " ",
        ",",
        "[",
        "]",
        "{",
        "}",
        "\n",
        "\U0001f600",
    ] * 40
    for _ in range(400):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        text = f"---\nk: {yaml_text(value)}\nl: {yaml_list([value])}\n---\n"
        fm, _ = split(text, "x.md")
        assert fm is not None and dict(fm.data) == {"k": value, "l": [value]}, repr(value)


def test_a_lone_surrogate_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        yaml_text("a\ud800b")


def test_plain_scalars_are_left_plain() -> None:
    assert yaml_text("Maya Okafor") == "Maya Okafor"
    assert yaml_text("https://maya.example.net/feed.xml") == "https://maya.example.net/feed.xml"
    assert yaml_text("yes") == '"yes"'
    assert yaml_text('Ana: "the" Poet') == '"Ana: \\"the\\" Poet"'


def test_verify_front_matter_refuses_what_reads_back_differently() -> None:
    verify_front_matter("---\na: 1\n---\n", {"a": 1})
    with pytest.raises(ValueError, match="reads back"):
        verify_front_matter("---\na: yes\n---\n", {"a": "yes"})
    with pytest.raises(ValueError, match="never closed"):
        verify_front_matter("---\na: b\n", {"a": "b"})


# --- share files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    ['Ana: "the" Poet', "yes", "  The   Art of\nthe Letter ", "#1 — 日本語", "a: [b]", None, "   "],
)
@pytest.mark.parametrize("via", [None, "maya", "https://weekly.example.com/issues/112?x=1#y"])
def test_share_file_round_trip(title: str | None, via: str | None) -> None:
    link = "https://www.example.com/essays/the-art?ref=x&y=1"
    text = render_share_file(
        link=link,
        title=title,
        date=datetime(2026, 3, 5, 9, 30, 45, tzinfo=UTC),
        via=via,
        tags=["Letters", "friendship", "letters", " Two words "],
        commentary="Why it *matters*.\n\nSecond paragraph.",
        zone=LISBON,
    )
    note = read_share(text)
    expected_title = " ".join(title.split()) if title and title.strip() else "example.com"
    assert note.link is not None
    assert (note.link.url, note.link.title, note.title) == (link, expected_title, expected_title)
    assert note.date == datetime(2026, 3, 5, 9, 30, tzinfo=UTC)  # to the minute
    assert note.tags == ("Letters", "friendship", "Two words")  # first spelling kept
    assert "<em>matters</em>" in note.html and "Second paragraph." in note.html
    if via is None:
        assert note.via is None
    elif via == "maya":
        assert note.via is not None and (note.via.person_id, note.via.url) == ("maya", None)
    else:
        assert note.via is not None and (note.via.person_id, note.via.url) == (None, via)
    assert ("title:" in text) is bool(title and title.strip())


def test_share_date_is_written_in_the_site_zone() -> None:
    summer = datetime(2026, 7, 1, 8, 5, tzinfo=UTC)  # Lisbon is UTC+1 in summer
    text = render_share_file(
        link="https://e.example/",
        title="T",
        date=summer,
        via=None,
        tags=[],
        commentary="",
        zone=LISBON,
    )
    assert text == "---\nlink: https://e.example/\ntitle: T\ndate: 2026-07-01 09:05\n---\n"
    assert read_share(text).date == summer
    tokyo = render_share_file(
        link="https://e.example/",
        title=None,
        date=summer,
        via=None,
        tags=(),
        commentary="",
        zone=TOKYO,
    )
    assert "date: 2026-07-01 17:05\n" in tokyo
    assert read_share(tokyo, TOKYO).date == summer


def test_the_repeated_hour_keeps_its_offset() -> None:
    # 2026-10-25 in Lisbon: 01:30 happens twice (BST until 02:00, then GMT). The second one.
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    for moment in (first, second):
        text = render_share_file(
            link="https://e.example/",
            title="T",
            date=moment,
            via=None,
            tags=(),
            commentary="",
            zone=LISBON,
        )
        assert read_share(text).date == moment
    assert "date: 2026-10-25 01:30\n" in render_share_file(
        link="https://e.example/",
        title="T",
        date=first,
        via=None,
        tags=(),
        commentary="",
        zone=LISBON,
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"link": "javascript:alert(1)"}, "not an http"),
        ({"link": "example.com/x"}, "not an http"),
        ({"date": datetime(2026, 3, 5, 9, 30)}, "no time zone"),
        ({"via": "not a person"}, "neither a person"),
        ({"via": "mailto:maya@example.com"}, "neither a person"),
        ({"tags": ["ok", "!!!"]}, "no letters or digits"),
    ],
)
def test_render_share_file_refuses_what_the_file_could_not_hold(
    kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {
        "link": "https://e.example/",
        "title": "T",
        "date": WHEN,
        "via": None,
        "tags": (),
        "commentary": "",
        "zone": LISBON,
    }
    with pytest.raises(ValueError, match=message):
        render_share_file(**{**args, **kwargs})  # type: ignore[arg-type]


def test_check_via_takes_ids_urls_and_nothing_and_refuses_nobody() -> None:
    for via in (None, "", "maya", " maya ", "https://weekly.example.com/112"):
        check_via(via, ["maya", "tomas"])
    with pytest.raises(ValueError, match="no person 'mya' in content/people/; did you mean 'maya'"):
        check_via("mya", ["maya", "tomas"])
    with pytest.raises(ValueError, match=r"people: maya, tomas; or give an https:// URL$"):
        check_via("nobody", ["tomas", "maya"])


@pytest.mark.parametrize(
    ("title_or_url", "slug"),
    [
        ("The Art of the Letter", "the-art-of-the-letter"),
        ('Ana: "the" Poet\'s Café!', "ana-the-poets-café"),
        (
            "https://www.example.com/2024/05/the-art-of-letters.html",
            "example-com-the-art-of-letters",
        ),
        ("https://example.com/", "example-com"),
        ("!!!", "share"),
        ("a " * 80, "-".join(["a"] * 30)),
    ],
)
def test_share_slug(title_or_url: str, slug: str) -> None:
    assert share_slug(title_or_url) == slug


def test_share_path_is_new_and_its_slug_is_unused(tmp_path: Path) -> None:
    shares = tmp_path / "content" / "shares"
    assert (
        share_path(tmp_path, "The Essay", WHEN, zone=LISBON) == shares / "2026-03-05-the-essay.md"
    )
    late = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)  # already the 6th in Tokyo
    assert share_path(tmp_path, "The Essay", late, zone=TOKYO).name == "2026-03-06-the-essay.md"
    (shares / "2025").mkdir(parents=True)
    (shares / "2025" / "2025-01-01-the-essay.md").write_text("---\n---\n")  # same URL, other day
    (shares / "2026-01-01-x.md").write_text("---\nslug: the-essay-2\n---\n")  # an explicit slug
    (shares / "2026-01-02-broken.md").write_bytes(b"\xff\xfe not utf-8")
    assert share_path(tmp_path, "The Essay", WHEN, zone=LISBON).name == "2026-03-05-the-essay-3.md"


def test_write_share_never_replaces_a_file(tmp_path: Path) -> None:
    path = tmp_path / "content" / "shares" / "2026-03-05-x.md"
    assert write_share(path, "first\n") == path
    with pytest.raises(FileExistsError):
        write_share(path, "second\n")
    assert path.read_text() == "first\n"
