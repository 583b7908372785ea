"""Old URLs keep working: every alias (Hugo `aliases`, Jekyll `redirect_from`) of a shown
note or page becomes a small redirect page, valid HTML5, out of the sitemap; an alias that
would take another file's place fails the build at its line."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import html5lib
import pytest

from salon_gen.content.redirects import alias_output
from salon_gen.core.errors import BuildFailed
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.pipeline.relative import relative_url

from .conftest import NOW

OFFLINE = BuildOptions(offline=True)
XHTML = "{http://www.w3.org/1999/xhtml}"


def parse(path: Path) -> ElementTree.Element:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    return parser.parse(path.read_bytes(), transport_encoding="utf-8")  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("alias", "output"),
    [
        ("posts/old/", "posts/old/index.html"),
        ("2019/03/05/old.html", "2019/03/05/old.html"),
        ("old.HTM", "old.HTM"),
        ("posts/old", "posts/old/index.html"),
    ],
)
def test_where_an_alias_goes(alias: str, output: str) -> None:
    assert alias_output(alias) == output


SALON = {
    "content/notes/2019-03-05-renamed.md": (
        "---\ntitle: Renamed & moved\ndate: 2019-03-05\n"
        "aliases:\n  - /2019/03/05/old-title.html\n  - /posts/old-title/\n  - /notes/old-slug\n"
        "---\nBody.\n"
    ),
    "content/notes/jekyll.md": (
        "---\ntitle: Jekyll\ndate: 2019-04-01\nredirect_from: /blog/jekyll.htm\n---\nBody.\n"
    ),
    "content/pages/about.md": "---\ntitle: About\nAliases: [/about-me/]\n---\nAbout.\n",
    "content/notes/draft.md": (
        "---\ntitle: Draft\ndate: 2019-04-01\ndraft: true\naliases: [/draft-old/]\n---\nx\n"
    ),
}


def test_redirect_pages_are_written_valid_and_unlisted(make_salon: Callable[..., Path]) -> None:
    root = make_salon(SALON)
    build(root, now=NOW, options=OFFLINE)
    site = root / "site"
    pages = {
        "2019/03/05/old-title.html": "/notes/renamed/",
        "posts/old-title/index.html": "/notes/renamed/",
        "notes/old-slug/index.html": "/notes/renamed/",
        "blog/jekyll.htm": "/notes/jekyll/",
        "about-me/index.html": "/about/",
    }
    for path, target in pages.items():
        doc = parse(site / path)  # strict: any HTML5 parse error raises
        head = doc.find(f"{XHTML}head")
        assert head is not None
        metas = {
            m.get("name") or m.get("http-equiv"): m.get("content")
            for m in head.iter(f"{XHTML}meta")
        }
        # relative to the redirect page, so an old link works opened from disk too
        here = posixpath.dirname(path)
        assert metas["refresh"] == f"0; url={relative_url(target, '/', here)}", path
        assert metas["robots"] == "noindex"
        canonical = head.find(f"{XHTML}link[@rel='canonical']")
        assert canonical is not None and canonical.get("href") == "https://example.org" + target
        link = doc.find(f".//{XHTML}body//{XHTML}a")
        assert link is not None and link.get("href") == relative_url(target, "/", here)
    assert "Renamed &amp; moved" in (site / "posts/old-title/index.html").read_text()
    assert not (site / "draft-old").exists()  # a hidden note's old URL stays unanswered
    sitemap = (site / "sitemap.xml").read_text()
    assert "notes/renamed/" in sitemap
    assert "old-title" not in sitemap and "about-me" not in sitemap and "jekyll.htm" not in sitemap


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "content/notes/a.md": "---\ntitle: A\ndate: 2026-01-01\naliases:\n"
                "  - /elsewhere/\n  - /notes/b/\n---\nx\n",
                "content/notes/b.md": "---\ntitle: B\ndate: 2026-01-01\n---\nx\n",
            },
            "content/notes/a.md:6: error: alias /notes/b/ would replace the page of "
            "content/notes/b.md",
        ),
        (
            {
                "content/notes/a.md": "---\ntitle: A\ndate: 2026-01-01\n"
                "redirect_from: /old/\n---\nx\n",
                "content/pages/p.md": "---\ntitle: P\nredirect_from: [/old/]\n---\nx\n",
            },
            "content/pages/p.md:3: error: alias /old/ would replace an alias of content/notes/a.md",
        ),
        (
            {"content/pages/p.md": "---\ntitle: P\naliases: [/people/]\n---\nx\n"},
            "content/pages/p.md:3: error: alias /people/ is a path salon keeps for its own pages",
        ),
        (
            {"content/pages/p.md": "---\ntitle: P\naliases: [/index.html]\n---\nx\n"},
            "content/pages/p.md:3: error: alias /index.html is a path salon keeps for its own "
            "pages",
        ),
    ],
)
def test_an_alias_in_another_file_s_way_fails_the_build(
    make_salon: Callable[..., Path], files: dict[str, str], expected: str
) -> None:
    root = make_salon(files)
    with pytest.raises(BuildFailed) as failed:
        build(root, now=NOW, options=OFFLINE)
    assert [d.format().split("\n")[0] for d in failed.value.diagnostics] == [expected]
    assert not (root / "site").exists()


def test_an_alias_can_never_write_outside_the_site(make_salon: Callable[..., Path]) -> None:
    root = make_salon(
        {
            "content/notes/a.md": "---\ntitle: A\ndate: 2026-01-01\n"
            "aliases: ['../../outside/', '/x/../../y/']\n---\nx\n"
        }
    )
    with pytest.raises(BuildFailed) as failed:
        build(root, now=NOW, options=OFFLINE)
    assert failed.value.diagnostics and all(d.is_error for d in failed.value.diagnostics)
    assert not (root.parent / "outside").exists() and not (root / "site").exists()


def test_an_unsafe_alias_is_refused_even_if_a_parser_let_it_through() -> None:
    """notes.py refuses such aliases first; this is the second lock."""
    from datetime import timedelta

    from salon_gen.content.redirects import check_aliases
    from salon_gen.core.model import Note

    note = Note(
        kind="note",
        source="content/notes/a.md",
        slug="a",
        url="notes/a/",
        entry_id="x",
        title="A",
        date=NOW - timedelta(days=1),
        aliases=("../outside/", "a//b/", "/abs/"),
    )
    found = check_aliases([note], [], frozenset(), lambda _s, _a: 7)
    assert [d.format().split("\n")[0] for d in found] == [
        "content/notes/a.md:7: error: alias /../outside/ is not a path inside the site",
        "content/notes/a.md:7: error: alias /a//b/ is not a path inside the site",
        "content/notes/a.md:7: error: alias //abs/ is not a path inside the site",
    ]
