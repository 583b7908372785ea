"""Root-relative links to nothing: a warning at the line that wrote them, checked against
every file the build is about to publish; through a real build and in the preview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from salon_gen.content.assemble import SourceInfo, assemble
from salon_gen.core.config import parse_config
from salon_gen.core.model import Config, Note, Page, Person
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.pipeline.engine import Engine
from salon_gen.pipeline.linkcheck import check_links

from .conftest import MINIMAL_CONFIG, NOW

OUTPUTS = {
    "index.html",
    "notes/a/index.html",
    "about/index.html",
    "static/img/x.png",
    "feed.xml",
    "old/page.html",
}
BODY = (
    '<a href="/notes/a/">a</a> <a href="/about">about</a> <a href="/">home</a> '
    '<img src="/static/img/x.png"> <a href="/feed.xml?x=1#top">feed</a> '
    '<a href="/old/page.html">old</a> <a href="https://example.org/nope/">abs</a> '
    '<a href="//cdn.example.org/nope/">cdn</a> <a href="#nope">frag</a> '
    '<a href="/nope/">nope</a> <img src="/static/img/y%20z.png"> <a href="/nope/">again</a>'
)
TEXT = "---\ntitle: N\n---\nfine\n[nope](/nope/)\n![y](/static/img/y%20z.png)\n[again](/nope/)\n"


def config(base: str = "https://example.org/") -> Config:
    c, _ = parse_config(MINIMAL_CONFIG.replace('"https://example.org/"', f'"{base}"'))
    assert c is not None
    return c


def note(html: str) -> Note:
    return Note(
        kind="note",
        source="content/notes/n.md",
        slug="n",
        url="notes/n/",
        entry_id="x",
        title="N",
        date=NOW - timedelta(days=1),
        html=html,
    )


def check(html: str, base: str = "https://example.org/", outputs: set[str] = OUTPUTS) -> list[str]:
    info = {"content/notes/n.md": SourceInfo(text=TEXT, key_lines={}, body_line=4)}
    site = assemble(config(base), [note(html)], [], [], [], info, now=NOW, drafts=False).site
    return [d.format().split("\n")[0] for d in check_links(site, outputs, info)]


def test_root_links_to_nothing_are_warnings_at_their_line() -> None:
    assert check(BODY) == [
        "content/notes/n.md:5: warning: link to '/nope/' matches no page or file of the site",
        "content/notes/n.md:6: warning: missing image '/static/img/y%20z.png'",
    ]
    assert check(BODY, outputs=OUTPUTS | {"nope/index.html", "static/img/y z.png"}) == []


def test_under_a_base_path_links_are_checked_inside_it() -> None:
    # assemble gives root links the base path; /blog/nope/ is reported as written: /nope/
    html = '<a href="/notes/a/">a</a> <a href="/nope/">nope</a>'
    assert check(html, "https://example.org/blog/") == [
        "content/notes/n.md:5: warning: link to '/nope/' matches no page or file of the site"
    ]


def test_pages_and_people_are_checked_too() -> None:
    page = Page(source="content/pages/p.md", slug="p", url="p/", title="P", html='<a href="/x/">')
    person = Person(
        id="maya",
        source="content/people/maya.md",
        url_path="people/maya/",
        name="Maya",
        html='<img src="/static/maya.png">',
    )
    site = assemble(config(), [], [page], [person], [], {}, now=NOW, drafts=False).site
    found = check_links(site, {"p/index.html", "people/maya/index.html"}, {})
    assert [d.format().split("\n")[0] for d in found] == [
        "content/pages/p.md:1: warning: link to '/x/' matches no page or file of the site",
        "content/people/maya.md:1: warning: missing image '/static/maya.png'",
    ]


def test_a_build_and_the_preview_warn_alike(make_salon: Callable[..., Path]) -> None:
    root = make_salon(
        {
            "content/notes/a.md": "---\ntitle: A\ndate: 2026-01-01\naliases: [/old/a.html]\n---\n"
            "[b](/notes/b/) [old](/old/a.html) [feed](/interests/letters/feed.xml) "
            "[css](/theme/salon.css) [nope](/notes/c/) [draft](/notes/d/)\n",
            "content/notes/b.md": "---\ntitle: B\ndate: 2026-01-01\ntags: [letters]\n---\nx\n",
            "content/notes/d.md": "---\ntitle: D\ndate: 2026-01-01\ndraft: true\n---\nx\n",
        }
    )
    result = build(root, now=NOW, options=BuildOptions(offline=True))
    expected = [
        "content/notes/a.md:6: warning: link to '/notes/c/' matches no page or file of the site",
        "content/notes/a.md:6: warning: link to '/notes/d/' matches no page or file of the site",
    ]
    assert [d.format().split("\n")[0] for d in result.warnings] == expected
    preview = Engine(root, root.parent / "preview")
    report = preview.rebuild({}, now=NOW)
    assert [d.format().split("\n")[0] for d in report.warnings] == expected
    # the preview remembers what it looked at: an edit is seen, the unchanged note is not lost
    (root / "content/notes/b.md").write_text(
        "---\ntitle: B\ndate: 2026-01-01\ntags: [letters]\n---\n[gone](/gone/)\n"
    )
    report = preview.rebuild({str(root / "content/notes/b.md"): "content"}, now=NOW)
    assert [d.format().split("\n")[0] for d in report.warnings] == [
        *expected,
        "content/notes/b.md:6: warning: link to '/gone/' matches no page or file of the site",
    ]
    # a page appearing answers a link that was broken
    (root / "content/pages").mkdir()
    (root / "content/pages/gone.md").write_text("---\ntitle: Gone\n---\nHere.\n")
    report = preview.rebuild({str(root / "content/pages/gone.md"): "content"}, now=NOW)
    assert [d.format().split("\n")[0] for d in report.warnings] == expected
