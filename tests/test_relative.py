"""relative: root-relative URLs in a page become relative to the page; nothing else moves."""

from __future__ import annotations

import pytest

from salon_gen.pipeline.relative import relative_url, relativize


@pytest.mark.parametrize(
    ("url", "base", "here", "expected"),
    [
        ("/theme/salon.css", "/", "notes/x", "../../theme/salon.css"),
        ("/", "/", "notes/x", "../../index.html"),
        ("/", "/", "", "index.html"),
        ("/notes/y/", "/", "notes/x", "../y/index.html"),
        ("/notes/x/", "/", "notes/x", "index.html"),
        ("/notes/y/#top", "/", "notes/x", "../y/index.html#top"),
        ("/archive/?page=2", "/", "", "archive/index.html?page=2"),
        ("/feed.xml", "/", "archive/2026", "../../feed.xml"),
        ("/blog/theme/salon.css", "/blog/", "notes/x", "../../theme/salon.css"),
        ("/blog/", "/blog/", "", "index.html"),
        ("/other/page/", "/blog/", "notes/x", "/other/page/"),  # same host, not the site
        ("https://example.org/x/", "/", "notes/x", "https://example.org/x/"),
        ("//cdn.example.org/a.js", "/", "", "//cdn.example.org/a.js"),
        ("#main", "/", "notes/x", "#main"),
        ("mailto:a@example.org", "/", "", "mailto:a@example.org"),
        ("/static/caf%C3%A9.png", "/", "shares", "../static/caf%C3%A9.png"),
    ],
)
def test_relative_url(url: str, base: str, here: str, expected: str) -> None:
    assert relative_url(url, base, here) == expected


def test_only_url_values_change_byte_for_byte() -> None:
    page = (
        "<!doctype html>\n<html><head>\n"
        '<link rel="canonical" href="https://salon.example.org/notes/x/">\n'
        '<meta property="og:url" content="https://salon.example.org/notes/x/">\n'
        "<link rel=stylesheet href=/theme/salon.css>\n"
        "</head><body>\n"
        '<!-- <a href="/in-a-comment/"> -->\n'
        '<script>var s = "<a href=\\"/in-a-script/\\">";</script>\n'
        "<p title='/not-a-url/'>Go <A HREF='/people/ada/'>Ada</A>\n"
        '<img src="/notes/x/cat.png" srcset="/notes/x/cat.png 1x, /notes/x/cat@2x.png 2x" alt="">\n'
        '<a href="/search/?q=a&amp;b=c">s</a>\n'
        '<video poster="/static/p.jpg"></video>'
        '<form action="/search/"></form>\n'
        "</body></html>\n"
    )
    got = relativize(page, "notes/x/index.html", "/")
    assert got == (
        "<!doctype html>\n<html><head>\n"
        '<link rel="canonical" href="https://salon.example.org/notes/x/">\n'
        '<meta property="og:url" content="https://salon.example.org/notes/x/">\n'
        "<link rel=stylesheet href=../../theme/salon.css>\n"
        "</head><body>\n"
        '<!-- <a href="/in-a-comment/"> -->\n'
        '<script>var s = "<a href=\\"/in-a-script/\\">";</script>\n'
        "<p title='/not-a-url/'>Go <A HREF='../../people/ada/index.html'>Ada</A>\n"
        '<img src="cat.png" srcset="cat.png 1x, cat@2x.png 2x" alt="">\n'
        '<a href="../../search/index.html?q=a&amp;b=c">s</a>\n'
        '<video poster="../../static/p.jpg"></video>'
        '<form action="../../search/index.html"></form>\n'
        "</body></html>\n"
    )


def test_redirect_page_refresh_url_is_relative() -> None:
    page = (
        '<meta http-equiv="refresh" content="0; url=/notes/new/">'
        '<meta name="description" content="/notes/new/">'
    )
    assert relativize(page, "old/path/index.html", "/") == (
        '<meta http-equiv="refresh" content="0; url=../../notes/new/index.html">'
        '<meta name="description" content="/notes/new/">'
    )


def test_srcset_without_spaces_after_commas() -> None:
    page = '<img srcset="/a.png 1x,/b.png 2x">'
    assert relativize(page, "n/index.html", "/") == '<img srcset="../a.png 1x,../b.png 2x">'


def test_a_page_with_nothing_rooted_is_returned_as_is() -> None:
    page = '<p><a href="https://example.org/">x</a></p>'
    assert relativize(page, "index.html", "/") is page


def test_values_that_need_escaping_stay_well_formed() -> None:
    page = "<a href='/it&#39;s/'>x</a><a href=/a&amp;b/>y</a>"
    assert relativize(page, "index.html", "/") == (
        "<a href='it&#39;s/index.html'>x</a><a href=a&amp;b/index.html>y</a>"
    )
