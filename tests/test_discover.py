"""Webmention endpoint discovery: the 23 webmention.rocks discovery cases, recreated as pages
on a loopback server (tests/mentionserver.py), each sent a real Webmention; plus the pure
Link-header and HTML readers on their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from salon_gen.conversation.discover import find_endpoint, first_html_endpoint, parse_link_header
from salon_gen.following.fetch import FetchLimits
from salon_gen.publish.mention import discover_endpoint, send_webmention
from tests.mentionserver import Page, Web, serve_web

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SOURCE = "http://127.0.0.1:9/notes/hello/"  # a loopback source: loopback targets are allowed


@pytest.fixture(scope="module")
def web() -> Iterator[Web]:
    with serve_web() as web:
        yield web


def _doc(head: str = "", body: str = "") -> str:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


# Each case: (number, what it is, set up the page and return (target path, endpoint path)).
Case = Callable[[Web], tuple[str, str]]


def _header(n: int, value: str, *, name: str = "Link") -> Case:
    def setup(web: Web) -> tuple[str, str]:
        web.html(f"/test/{n}", _doc(body="hello"), [(name, value.format(url=web.url("")))])
        return f"/test/{n}", f"/test/{n}/webmention"

    return setup


def _html(n: int, head: str = "", body: str = "", endpoint: str | None = None) -> Case:
    def setup(web: Web) -> tuple[str, str]:
        base = web.url("")
        head_, body_ = (t.format(url=base, W='rel="webmention"') for t in (head, body))
        web.html(f"/test/{n}", _doc(head_, body_))
        return f"/test/{n}", endpoint or f"/test/{n}/webmention"

    return setup


def _case11(web: Web) -> tuple[str, str]:
    web.html(
        "/test/11",
        _doc(
            '<link rel="webmention" href="/test/11/wrong-link">',
            '<a rel="webmention" href="/test/11/wrong-a">a</a>',
        ),
        [("Link", "</test/11/webmention>; rel=webmention")],
    )
    return "/test/11", "/test/11/webmention"


def _case18(web: Web) -> tuple[str, str]:
    web.html(
        "/test/18",
        _doc(),
        [
            ("Link", '</test/18/other>; rel="other"'),
            ("Link", "</test/18/webmention>; rel=webmention"),
        ],
    )
    return "/test/18", "/test/18/webmention"


def _case23(web: Web) -> tuple[str, str]:
    web.pages["/test/23/page"] = Page(status=302, headers=[("Location", "/test/23/page/moved/")])
    web.html("/test/23/page/moved/", _doc(), [("Link", "<endpoint>; rel=webmention")])
    return "/test/23/page", "/test/23/page/moved/endpoint"


CASES: list[tuple[int, str, Case]] = [
    (
        1,
        "Link header, unquoted rel, relative URL",
        _header(1, "</test/1/webmention>; rel=webmention"),
    ),
    (2, "Link header, absolute URL", _header(2, '<{url}/test/2/webmention>; rel="webmention"')),
    (3, "<link>, relative URL", _html(3, '<link {W} href="/test/3/webmention">')),
    (4, "<link>, absolute URL", _html(4, '<link rel="webmention" href="{url}/test/4/webmention">')),
    (5, "<a>, relative URL", _html(5, body='<a {W} href="/test/5/webmention">e</a>')),
    (
        6,
        "<a>, absolute URL",
        _html(6, body='<a href="{url}/test/6/webmention" rel="webmention">e</a>'),
    ),
    (
        7,
        "Link header with strange casing",
        _header(7, '</test/7/webmention>; REL="WebMention"', name="LinK"),
    ),
    (8, "Link header, quoted rel", _header(8, '</test/8/webmention>; rel="webmention"')),
    (
        9,
        "<link> with several rel values",
        _html(9, '<link rel="webmention somethingelse" href="/test/9/webmention">'),
    ),
    (
        10,
        "Link header with several rel values",
        _header(10, '</test/10/webmention>; rel="webmention somethingelse"'),
    ),
    (11, "several endpoints: the Link header wins", _case11),
    (
        12,
        'rel="not-webmention" is ignored',
        _html(
            12,
            '<link rel="not-webmention" href="/test/12/wrong">'
            '<link {W} href="/test/12/webmention">',
        ),
    ),
    (
        13,
        "an endpoint in an HTML comment is ignored",
        _html(
            13,
            body='<!-- <a {W} href="/test/13/wrong">x</a> -->'
            '<a {W} href="/test/13/webmention">e</a>',
        ),
    ),
    (
        14,
        "an endpoint in escaped HTML is ignored",
        _html(
            14,
            body='<code>&lt;a {W} href="/test/14/wrong"&gt;&lt;/a&gt;</code>'
            '<a {W} href="/test/14/webmention">e</a>',
        ),
    ),
    (
        15,
        "an empty href is the page itself",
        _html(15, '<link rel="webmention" href="">', endpoint="/test/15"),
    ),
    (
        16,
        "<a> before <link>: the first in document order",
        _html(16, body='<a {W} href="/test/16/webmention">e</a><link {W} href="/test/16/wrong">'),
    ),
    (
        17,
        "<link> before <a>",
        _html(17, '<link {W} href="/test/17/webmention">', '<a {W} href="/test/17/wrong">e</a>'),
    ),
    (18, "several Link headers", _case18),
    (
        19,
        "one Link header with several values",
        _header(19, '</test/19/other>; rel="other", </test/19/webmention>; rel="webmention"'),
    ),
    (
        20,
        "a <link rel=webmention> with no href is skipped",
        _html(20, "<link {W}>", '<a {W} href="/test/20/webmention">e</a>'),
    ),
    (
        21,
        "the endpoint's query string is kept",
        _html(
            21,
            '<link {W} href="/test/21/webmention?query=yes">',
            endpoint="/test/21/webmention?query=yes",
        ),
    ),
    (
        22,
        "an endpoint relative to the page path",
        _html(22, '<link rel="webmention" href="22/webmention">'),
    ),
    (23, "the page redirects: the endpoint is relative to the final URL", _case23),
]


@pytest.mark.parametrize(("number", "what", "setup"), CASES, ids=[f"test{c[0]}" for c in CASES])
def test_webmention_rocks_discovery(web: Web, number: int, what: str, setup: Case) -> None:
    target_path, endpoint_path = setup(web)
    target = web.url(target_path)
    found = discover_endpoint(target)
    assert found.endpoint == web.url(endpoint_path), what
    before = len(web.posts)
    sent = send_webmention(SOURCE, target, now=NOW)
    assert sent.outcome == "sent", sent
    assert sent.status == 202
    # exactly one POST, to that endpoint (query string and all), with source and target
    assert web.posts[before:] == [(endpoint_path, [("source", SOURCE), ("target", target)])]


def test_all_23_cases_are_there() -> None:
    assert [c[0] for c in CASES] == list(range(1, 24))


def test_a_page_without_an_endpoint_gets_no_post(web: Web) -> None:
    target = web.html("/plain", _doc('<link rel="stylesheet" href="/s.css">', "<a href='/x'>x</a>"))
    before = len(web.posts)
    sent = send_webmention(SOURCE, target, now=NOW)
    assert sent.outcome == "no-endpoint"
    assert web.posts[before:] == []


def test_markup_in_a_non_html_page_is_not_read(web: Web) -> None:
    web.pages["/text"] = Page(
        body=b'<link rel="webmention" href="/text/webmention">', ctype="text/plain"
    )
    assert discover_endpoint(web.url("/text")).outcome == "no-endpoint"


def test_a_page_over_the_size_cap_is_not_read(web: Web) -> None:
    body = '<link rel="webmention" href="/big/webmention">' + "x" * 5000
    target = web.html("/big", _doc(body))
    found = discover_endpoint(target, FetchLimits(max_bytes=4096))
    assert found.endpoint is None
    assert found.outcome == "failed"
    assert found.detail is not None and "limit" in found.detail


def test_a_missing_page_has_no_endpoint_and_a_broken_one_is_retried(web: Web) -> None:
    assert discover_endpoint(web.url("/nowhere")).outcome == "no-endpoint"
    web.pages["/broken"] = Page(status=503)
    assert discover_endpoint(web.url("/broken")).outcome == "failed"


@pytest.mark.parametrize(("status", "outcome"), [(400, "rejected"), (500, "failed"), (201, "sent")])
def test_the_endpoints_answer_decides_the_outcome(web: Web, status: int, outcome: str) -> None:
    target = web.html(f"/answer{status}", _doc(f'<link rel="webmention" href="/ep{status}">'))
    web.pages[f"/ep{status}"] = Page(status=status, body=b"said")
    sent = send_webmention(SOURCE, target, now=NOW)
    assert (sent.outcome, sent.status) == (outcome, status)
    assert sent.endpoint == web.url(f"/ep{status}")


def test_a_public_source_never_reaches_into_a_private_network(web: Web) -> None:
    target = web.html("/private", _doc('<link rel="webmention" href="/private/webmention">'))
    gets, posts = len(web.gets), len(web.posts)
    sent = send_webmention("https://example.org/notes/x/", target, now=NOW)
    assert sent.outcome == "refused"
    assert sent.detail is not None and "private network" in sent.detail
    assert (len(web.gets), len(web.posts)) == (gets, posts)  # not even fetched


def test_an_endpoint_with_another_scheme_is_refused(web: Web) -> None:
    target = web.html("/mailto", _doc('<link rel="webmention" href="mailto:me@example.org">'))
    assert discover_endpoint(target).outcome == "refused"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("<a>; rel=webmention", [("a", {"webmention"})]),
        ('<a,b>; rel="x webmention", <c>; rel=y', [("a,b", {"x", "webmention"}), ("c", {"y"})]),
        ('<a>; title="x, y; z"; rel="WebMention"', [("a", {"webmention"})]),
        ('<a>; rel="one"; rel="webmention"', [("a", {"one"})]),  # RFC 8288 §3.3: first rel only
        ("<a>", [("a", set())]),
        ("garbage, <b>;rel=webmention", [("b", {"webmention"})]),
    ],
)
def test_link_headers_parse(header: str, expected: list[tuple[str, set[str]]]) -> None:
    assert [(t, set(r)) for t, r in parse_link_header(header)] == expected


@pytest.mark.parametrize(
    ("html", "href"),
    [
        ('<script>"<a rel=webmention href=/s>"</script><a rel=webmention href=/ok>', "/ok"),
        ('<style>a[rel=webmention]{}</style><link href="/ok" rel="webmention"/>', "/ok"),
        ('<a rel="webmention" href="/first" href="/second">', "/first"),
        ('<a rel="me" href="/me">', None),
        ('<a rel="webmention" href="  /spaced  ">', "/spaced"),
    ],
)
def test_html_endpoints(html: str, href: str | None) -> None:
    assert first_html_endpoint(html) == href


def test_link_header_is_read_before_the_body() -> None:
    page = b'<link rel="webmention" href="/body">'
    assert (
        find_endpoint("http://h/p", ["</head>; rel=webmention"], page, "text/html")
        == "http://h/head"
    )
    assert find_endpoint("http://h/p", [], page, "text/html; charset=latin-1") == "http://h/body"
