"""Feeds that are files in the salon folder: read on every build, offline too, and never
reachable from outside it (no `..`, no symlink out, no remote redirect)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from salon_gen.following.localfeed import read_local_feed
from salon_gen.pipeline.build import BuildOptions, build

from .conftest import NOW
from .httpserver import serve

OFFLINE = BuildOptions(offline=True, jobs=1)


def feed(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Ada</title>'
        "<link>https://ada.example.net/</link><description>d</description>"
        f"<item><title>{title}</title><link>https://ada.example.net/{len(title)}</link>"
        f"<guid>{title}</guid><pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate>"
        "<description>Hello.</description></item></channel></rss>\n"
    )


def person(feeds: str) -> str:
    return f"---\nname: Ada Lovelace\nurl: https://ada.example.net/\nfeeds: [{feeds}]\n---\nAda.\n"


def river(root: Path) -> str:
    return (root / "site/reading/index.html").read_text(encoding="utf-8")


def test_an_offline_build_reads_local_feeds_and_sees_them_change(
    make_salon: Callable[..., Path],
) -> None:
    root = make_salon(
        {
            "content/people/ada.md": person("content/feeds/ada.xml"),
            "content/feeds/ada.xml": feed("Notes on the engine"),
        }
    )
    first = build(root, now=NOW, options=OFFLINE)
    assert first.warnings == ()
    assert "Notes on the engine" in river(root)
    assert "Notes on the engine" in (root / "site/people/ada/index.html").read_text("utf-8")
    # the path is read, never linked: nothing on the site points into the owner's folder
    assert not [p for p in (root / "site").rglob("*.html") if "content/feeds" in p.read_text()]

    again = build(root, now=NOW, options=OFFLINE)
    assert again.up_to_date  # the same file: nothing to do

    (root / "content/feeds/ada.xml").write_text(feed("A second note"), encoding="utf-8")
    build(root, now=NOW, options=OFFLINE)
    assert "A second note" in river(root)
    assert "Notes on the engine" in river(root)  # kept, as a fetched feed's entries are


def test_a_missing_local_feed_is_a_warning_with_a_way_out(
    make_salon: Callable[..., Path],
) -> None:
    root = make_salon({"content/people/ada.md": person("ada.example.net/feed.xml")})
    result = build(root, now=NOW, options=OFFLINE)
    (warning,) = [w.format() for w in result.warnings]
    assert warning.startswith("content/people/ada.md:4: warning: feed ada.example.net/feed.xml")
    assert "no file ada.example.net/feed.xml in the salon folder" in warning
    assert "https://" in warning


def test_a_symlink_out_of_the_salon_is_not_read(
    make_salon: Callable[..., Path], tmp_path: Path
) -> None:
    outside = tmp_path / "outside.xml"
    outside.write_text(feed("Secret from outside"), encoding="utf-8")
    root = make_salon({"content/people/ada.md": person("content/feeds/ada.xml")})
    (root / "content/feeds").mkdir()
    os.symlink(outside, root / "content/feeds/ada.xml")
    result = build(root, now=NOW, options=OFFLINE)
    assert any("leads outside the salon folder" in w.message for w in result.warnings)
    assert "Secret from outside" not in river(root)
    # a symlink to a file inside the salon is fine
    (root / "content/feeds/ada.xml").unlink()
    (root / "content/feeds/real.xml").write_text(feed("Inside"), encoding="utf-8")
    os.symlink(root / "content/feeds/real.xml", root / "content/feeds/ada.xml")
    assert build(root, now=NOW, options=OFFLINE).warnings == ()
    assert "Inside" in river(root)


def test_a_remote_redirect_never_reaches_a_local_file(make_salon: Callable[..., Path]) -> None:
    with serve() as server:
        root = make_salon({"content/people/ada.md": "---\nname: Ada\n---\n"})
        local = root / "content/feeds/ada.xml"
        local.parent.mkdir(parents=True)
        local.write_text(feed("Only on disk"), encoding="utf-8")
        targets = [
            local.as_uri(),  # file:///.../content/feeds/ada.xml
            "file:content/feeds/ada.xml",
            "content/feeds/ada.xml",  # relative: resolves against the server, not the disk
        ]
        urls = [server.url(f"/redirect-to?url={t}") for t in targets]
        (root / "content/people/ada.md").write_text(person(", ".join(urls)), encoding="utf-8")
        result = build(root, now=NOW)
        messages = [w.message for w in result.warnings]
        assert len(messages) == 3, messages
        assert sum("refused to follow a redirect to a file URL" in m for m in messages) == 2
        assert any("HTTP 404" in m for m in messages)
        assert "Only on disk" not in river(root)
        assert [h.path for h in server.hits("/content/feeds/ada.xml")] != []  # asked the server


def test_read_local_feed_refuses_what_is_not_a_file_inside(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds/big.xml").write_bytes(b"x" * 2048)
    (tmp_path / "feeds/ok.xml").write_bytes(b"<rss/>")

    def error(path: str, max_bytes: int = 1024) -> str | None:
        return read_local_feed(tmp_path, path, max_bytes=max_bytes, base=None).error

    assert error("feeds/ok.xml") is None
    assert read_local_feed(tmp_path, "feeds/ok.xml", max_bytes=10, base=None).body == b"<rss/>"
    assert "larger than the size limit" in (error("feeds/big.xml") or "")
    assert "is not a file" in (error("feeds") or "")
    for bad in ("../x.xml", "/etc/passwd", "feeds/../../x.xml", "file:feeds/ok.xml"):
        assert "must be a path inside the salon folder" in (error(bad) or ""), bad
