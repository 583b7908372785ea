"""Page bundles (a folder with an index.md and its files) and relative links to files:
found on disk by `sources`, resolved by `bundles`, published beside their page by a real
build; a hidden bundle's files stay unpublished with it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from salon_gen.content import sources
from salon_gen.content.bundles import Resource, Targets, resolve_links
from salon_gen.pipeline.build import BuildOptions, build

from .conftest import NOW

OFFLINE = BuildOptions(offline=True)
PNG = b"\x89PNG\r\n\x1a\n"


def note(title: str, body: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: 2026-11-01\n{extra}---\n{body}\n"


BUNDLED: dict[str, str | bytes] = {
    "content/notes/trip/index.md": note(
        "Trip", "![The view](images/view.png)\n\n[The map](map.pdf) and [back](../post.md)."
    ),
    "content/notes/trip/images/view.png": PNG,
    "content/notes/trip/map.pdf": b"%PDF-1.4\n",
    "content/notes/trip/.hidden.png": PNG,
    "content/notes/trip/images/view.png~": PNG,
    "content/notes/trip/draft-notes.md": note("Not a note", "inside the bundle"),
    "content/notes/trip/gallery/index.md": note("Nested", "a bundle inside a bundle"),
    "content/notes/post.md": note(
        "Post", "![x](../static/img/x.png) and [the trip](trip/index.md), [its map](trip/map.pdf)"
    ),
    "content/static/img/x.png": PNG,
    "content/notes/2026/wip/index.md": note("Wip", "![p](photo.jpg)", "draft: true\n"),
    "content/notes/2026/wip/photo.jpg": b"JPEG",
    "content/shares/link/index.md": (
        "---\nlink: https://example.com/essay\ntitle: An essay\ndate: 2026-11-02\n---\n"
        "![shot](shot.png)\n"
    ),
    "content/shares/link/shot.png": PNG,
    "content/pages/about/index.md": "---\ntitle: About\n---\n![me](me.jpg)\n",
    "content/pages/about/me.jpg": b"JPEG",
    "content/pages/about/more/deeper.jpg": b"JPEG",
    "content/pages/plain.md": "---\ntitle: Plain\n---\nA page.\n",
    "content/pages/loose/stray.jpg": b"JPEG",  # no index.md: not a bundle, not published
}


def test_sources_find_bundles_their_files_and_nothing_else(
    make_salon: Callable[..., Path],
) -> None:
    root = make_salon(BUNDLED)
    tree, diags = sources.read_content(root)
    assert [f.path for f in tree.notes] == [
        "content/notes/2026/wip/index.md",
        "content/notes/post.md",
        "content/notes/trip/index.md",
    ]
    assert [f.path for f in tree.shares] == ["content/shares/link/index.md"]
    assert [f.path for f in tree.pages] == [
        "content/pages/about/index.md",
        "content/pages/plain.md",
    ]
    assert [(r.bundle, r.path) for r in tree.resources] == [
        ("content/notes/2026/wip/index.md", "photo.jpg"),
        ("content/notes/trip/index.md", "images/view.png"),
        ("content/notes/trip/index.md", "map.pdf"),
        ("content/shares/link/index.md", "shot.png"),
        ("content/pages/about/index.md", "me.jpg"),
        ("content/pages/about/index.md", "more/deeper.jpg"),
    ]
    assert all(Path(r.source).read_bytes() for r in tree.resources)
    hint = (
        "\n  hint: a bundle is one page (its index.md) and its files; move this file out of "
        "the folder to make it a page of its own"
    )
    assert [d.format() for d in diags] == [
        "content/notes/trip/draft-notes.md: warning: not published: a Markdown file inside "
        "the page bundle content/notes/trip/" + hint,
        "content/notes/trip/gallery/index.md: warning: not published: a Markdown file inside "
        "the page bundle content/notes/trip/" + hint,
    ]


def test_a_build_publishes_bundle_files_beside_their_page(make_salon: Callable[..., Path]) -> None:
    root = make_salon(BUNDLED)
    result = build(root, now=NOW, options=OFFLINE)
    site = root / "site"
    published = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    for path in (
        "notes/trip/index.html",
        "notes/trip/images/view.png",
        "notes/trip/map.pdf",
        "shares/link/index.html",
        "shares/link/shot.png",
        "about/index.html",
        "about/me.jpg",
        "about/more/deeper.jpg",
        "static/img/x.png",
    ):
        assert path in published
    assert (site / "notes/trip/images/view.png").read_bytes() == PNG
    # never: hidden and temporary files, Markdown inside a bundle, a draft bundle's files,
    # a folder of pages without index.md
    assert not [p for p in published if p.endswith(("~", ".md")) or "hidden" in p]
    assert not [p for p in published if "wip" in p or "stray" in p or "gallery" in p]

    trip = (site / "notes/trip/index.html").read_text()
    # written rooted by the bundle pass, made relative to the page by the last one
    assert '<img src="images/view.png" alt="The view">' in trip
    assert '<a href="map.pdf">The map</a>' in trip
    assert '<a href="../post/index.html">back</a>' in trip
    post = (site / "notes/post/index.html").read_text()
    assert '<img src="../../static/img/x.png" alt="x">' in post
    assert '<a href="../trip/index.html">the trip</a>' in post
    assert '<a href="../trip/map.pdf">its map</a>' in post
    assert '<img src="me.jpg" alt="me">' in (site / "about/index.html").read_text()
    assert "https://example.org/notes/trip/images/view.png" in (site / "feed.xml").read_text()
    assert sorted(d.path for d in result.warnings) == [
        "content/notes/trip/draft-notes.md",
        "content/notes/trip/gallery/index.md",
    ]

    # --drafts shows the draft bundle, and its files with it
    build(root, now=NOW, options=BuildOptions(offline=True, drafts=True))
    assert (site / "notes/wip/photo.jpg").read_bytes() == b"JPEG"


def test_a_bundle_file_linked_from_a_published_note_stays_hidden_with_its_draft(
    make_salon: Callable[..., Path],
) -> None:
    root = make_salon(
        {
            "content/notes/wip/index.md": note("Wip", "![p](photo.jpg)", "draft: true\n"),
            "content/notes/wip/photo.jpg": b"JPEG",
            "content/notes/post.md": note("Post", "Soon:\n\n![p](wip/photo.jpg)"),
        }
    )
    result = build(root, now=NOW, options=OFFLINE)
    assert not (root / "site/notes/wip").exists()
    assert [d.format() for d in result.warnings] == [
        "content/notes/post.md:7: warning: 'wip/photo.jpg' belongs to "
        "content/notes/wip/index.md, which is a draft, private or not published\n"
        "  hint: its files are published with it, not before"
    ]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("images/x.png", "/notes/trip/images/x.png"),
        ("./images/x.png", "/notes/trip/images/x.png"),
        ("images/../images/x.png", "/notes/trip/images/x.png"),
        ("../../static/img/a.png", "/static/img/a.png"),
        ("../../static/img/my%20photo.png", "/static/img/my%20photo.png"),
        ("../../static/img/a.png#frag", "/static/img/a.png#frag"),
        ("images/x.png?v=2", "/notes/trip/images/x.png?v=2"),
        ("https://example.com/images/x.png", "https://example.com/images/x.png"),
        ("//cdn.example.com/x.png", "//cdn.example.com/x.png"),
        ("data:image/png;base64,AAAA", "data:image/png;base64,AAAA"),
        ("#top", "#top"),
        ("/static/img/a.png", "/static/img/a.png"),
    ],
)
def test_resolving_relative_urls(written: str, expected: str) -> None:
    targets = Targets(
        files={
            "content/notes/trip/images/x.png": "notes/trip/images/x.png",
            "content/static/img/a.png": "static/img/a.png",
            "content/static/img/my photo.png": "static/img/my photo.png",
        }
    )
    html = f'<img src="{written}" alt="">'
    out, problems = resolve_links(
        "content/notes/trip/index.md", html, "/", targets, lambda _s, _n: 1
    )
    assert (out, problems) == (f'<img src="{expected}" alt="">', [])


def test_the_fast_path_leaves_absolute_only_html_alone() -> None:
    html = (
        '<p><a href="https://example.com/">x</a> <img src="/static/a.png"> <a href="#n">n</a></p>'
    )
    out, problems = resolve_links("content/notes/x.md", html, "/", Targets(), lambda _s, _n: 1)
    assert out is html and problems == []


def test_a_resource_knows_its_path_in_the_salon() -> None:
    r = Resource(bundle="content/notes/trip/index.md", path="images/x.png", source="/x")
    assert r.content_path == "content/notes/trip/images/x.png"


@pytest.mark.parametrize(
    "html",
    [
        '<img src="x.png">',
        "<a href='x.pdf'>",
        '<A HREF="x.pdf">',
        '<video poster="still.jpg">',
        '<a class="u" href="https://e.x/">e</a><img alt="" src="x.png">',
    ],
)
def test_the_fast_path_never_skips_a_relative_url(html: str) -> None:
    from salon_gen.content.bundles import needs_resolving

    assert needs_resolving(html, "/")
    _, problems = resolve_links("content/notes/x.md", html, "/", Targets(), lambda _s, _n: 1)
    assert len(problems) == 1


def test_the_fast_path_skips_absolute_urls_only() -> None:
    from salon_gen.content.bundles import needs_resolving

    html = (
        '<a href="mailto:a@b.c">m</a><a href="#x">x</a><img src="/static/a.png">'
        '<a class="x" href="//h/">h</a><span class="y">code</span>'
    )
    assert not needs_resolving(html, "/")
    assert needs_resolving(html, "/blog/")


def test_a_bundle_file_linked_from_outside_the_salon_is_refused(
    make_salon: Callable[..., Path], tmp_path: Path
) -> None:
    from salon_gen.core.errors import BuildFailed

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not yours")
    root = make_salon(
        {
            "content/notes/trip/index.md": note("Trip", "![x](x.png)"),
            "content/pages/about/index.md": "---\ntitle: About\n---\nx\n",
        }
    )
    (root / "content/notes/trip/x.png").symlink_to(secret)
    (root / "content/pages/about/me.png").symlink_to(secret)
    tree, diags = sources.read_content(root)
    assert tree.resources == ()
    assert [d.path for d in diags] == ["content/notes/trip/x.png", "content/pages/about/me.png"]
    assert all(d.is_error and "outside the salon" in d.message for d in diags)
    with pytest.raises(BuildFailed):
        build(root, now=NOW, options=OFFLINE)
    assert not (root / "site").exists()


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("{filename}/2019/other.md", "/notes/other/"),  # from Pelican's content root
        ("{filename}other.md#part", "/notes/other/#part"),  # the file's own folder
        ("{filename}/moved-away.md", "/notes/moved/"),  # found by its unique file name
        ("|filename|/2019/other.md", "/notes/other/"),  # Pelican's older spelling
        ("{static}/images/x.png", "/static/images/x.png"),
        ("{attach}images/x.png", "/static/images/x.png"),
        ("{filename}/about.md", "/about/"),
    ],
)
def test_pelican_placeholders_resolve_natively(written: str, expected: str) -> None:
    targets = Targets(
        items={
            "content/notes/2019/other.md": "notes/other/",
            "content/notes/archive/moved-away.md": "notes/moved/",
            "content/pages/about.md": "about/",
        },
        files={"content/static/images/x.png": "static/images/x.png"},
    )
    html = f'<a href="{written}">x</a>'
    out, problems = resolve_links("content/notes/2019/post.md", html, "/", targets, lambda *_: 4)
    assert (out, problems) == (f'<a href="{expected}">x</a>', [])


def test_a_pelican_placeholder_to_nothing_is_reported_as_written() -> None:
    html = '<a href="{filename}/gone.md">x</a>'
    out, problems = resolve_links("content/notes/p.md", html, "/", Targets(), lambda *_: 4)
    assert out == html
    assert [p.format() for p in problems] == [
        "content/notes/p.md:4: error: link to '{filename}/gone.md' matches no file\n"
        "  hint: links between notes are relative paths, e.g. [x](other-note.md)"
    ]
