"""`salon import` of a WordPress export and of bookmark exports (tests/importing/), each
into a fresh salon through the CLI, then built offline; and `--feed`, which keeps ids."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .importing.harness import FIXTURES, build_offline, leftovers, new_salon, pages, salon_import


def test_wordpress_export(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    run = salon_import(root, FIXTURES / "export.xml")
    assert run.code == 0, run.err
    assert run.err.splitlines() == [
        "SITE:22: warning: WordPress shortcode [gallery] left as it is",
        "  hint: replace it with what it showed (Markdown or HTML)",
    ]
    assert run.out.splitlines() == [
        "  wrote content/notes/2018-07-08-block-post.md",
        "  wrote content/notes/2018-08-01-unfinished.md",
        "  wrote content/notes/2018-09-01-secret-diary.md",
        "  wrote content/pages/about.md",
        "1 attachment(s) not downloaded (still at their old URLs):",
        "  https://wp.example.com/wp-content/uploads/2018/07/sea.jpg",
        "1 comment(s) not imported",
        "1 post (trash) item(s) left out",
        "wordpress: 3 notes, 1 pages written; 0 existing file(s) left alone,"
        " 1 item(s) skipped, 1 warning(s)",
    ]
    notes = root / "content" / "notes"
    assert (notes / "2018-07-08-block-post.md").read_text() == (
        "---\n"
        "title: Block post\n"
        "date: 2018-07-08 09:00\n"
        "tags: [sea]\n"
        'aliases: ["2018/07/08/block-post/"]\n'
        "---\n"
        "<p>Hello from <strong>Gutenberg</strong>.</p>\n\n\n"
        '<figure><img src="https://wp.example.com/wp-content/uploads/2018/07/sea.jpg"'
        ' alt="The sea" /><figcaption>The sea at dawn</figcaption></figure>\n\n'
        '[gallery ids="7,8"]\n\n'
        '<p>See <a href="../pages/about.md">about</a>.</p>\n'
    )
    assert "draft: true\n" in (notes / "2018-08-01-unfinished.md").read_text()
    assert "private: true\n" in (notes / "2018-09-01-secret-diary.md").read_text()
    assert (root / "content/pages/about.md").read_text() == (
        "---\ntitle: About\n---\n<p>The about page.</p>\n"  # its old URL is its new one
    )
    build_offline(root)
    built = pages(root)
    assert "notes/block-post/index.html" in built
    assert "notes/unfinished/index.html" not in built
    assert not any("Mine." in html for html in built.values())  # private stays private
    assert leftovers(built) == set()


def test_wordpress_export_with_a_doctype_is_refused(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>'
        "<title>&b;</title></item></channel></rss>\n"
    )
    run = salon_import(root, bomb)
    assert run.code == 1
    assert run.err == (
        "SITE: error: refused to read an export that declares a <!DOCTYPE> or <!ENTITY>\n"
        "  hint: WordPress writes neither; export the file again\n"
    )
    assert not list((root / "content" / "notes").glob("*bomb*"))


def test_netscape_bookmarks(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    run = salon_import(root, FIXTURES / "bookmarks.html")
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out.splitlines() == [
        "  wrote content/shares/2020-09-13-an-essay-more.md",
        "  wrote content/shares/2020-09-13-one-poem.md",
        "  wrote content/shares/2020-09-13-to-read-later.md",
        "1 duplicate bookmark(s) skipped (same URL)",
        "1 bookmark(s) that are not http(s) links skipped",
        "netscape: 3 shares written; 0 existing file(s) left alone, 2 item(s) skipped,"
        " 0 warning(s)",
    ]
    shares = root / "content" / "shares"
    assert (shares / "2020-09-13-an-essay-more.md").read_text() == (
        "---\n"
        'title: "An essay & more"\n'
        "link: https://example.org/essay\n"
        "date: 2020-09-13 12:28:20\n"
        "tags: [essays, long reads]\n"
        "---\n"
        "Worth it for the &lt;b> part &amp; the end.\n"
    )
    poem = (shares / "2020-09-13-one-poem.md").read_text()
    assert "tags: [poetry]\n" in poem and "private: true\n" in poem
    assert "draft: true\n" in (shares / "2020-09-13-to-read-later.md").read_text()
    build_offline(root)
    built = pages(root)
    essay = built["shares/an-essay-more/index.html"]
    assert "Worth it for the &lt;b&gt; part &amp; the end." in essay
    assert not any("poems.example.net" in html for html in built.values())
    # Importing again finds every link already shared.
    again = salon_import(root, FIXTURES / "bookmarks.html")
    assert "  skipped https://example.org/essay: already shared" in again.out
    assert again.out.splitlines()[-1] == (
        "netscape: nothing written; 0 existing file(s) left alone, 5 item(s) skipped, 0 warning(s)"
    )


def test_pinboard_json(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    run = salon_import(root, FIXTURES / "pinboard.json")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "  wrote content/shares/2021-02-03-a-pin.md",
        "  wrote content/shares/2021-02-04-private-pin.md",
        "1 duplicate bookmark(s) skipped (same URL)",
        "pinboard: 2 shares written; 0 existing file(s) left alone, 1 item(s) skipped,"
        " 0 warning(s)",
    ]
    assert (root / "content/shares/2021-02-03-a-pin.md").read_text() == (
        "---\ntitle: A pin\nlink: https://example.com/pin\ndate: 2021-02-03 04:05:06\n"
        "tags: [design, web]\n---\nWhy I kept it.\n"
    )
    assert (root / "content/shares/2021-02-04-private-pin.md").read_text() == (
        "---\ntitle: Private pin\nlink: https://example.com/secret\ndate: 2021-02-04 04:05:06\n"
        "draft: true\nprivate: true\n---\n"
    )
    build_offline(root)
    assert "shares/a-pin/index.html" in pages(root)


FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Old blog</title>
  <id>https://old.example.org/</id>
  <updated>2019-04-02T00:00:00Z</updated>
  <entry>
    <title>Hello, world</title>
    <id>tag:old.example.org,2019:hello</id>
    <link href="https://old.example.org/essays/2019/03/05/hello-world.html"/>
    <updated>2019-03-05T00:00:00Z</updated>
  </entry>
  <entry>
    <title>Elsewhere</title>
    <id>tag:old.example.org,2019:gone</id>
    <link href="https://old.example.org/gone.html"/>
    <updated>2019-03-06T00:00:00Z</updated>
  </entry>
</feed>
"""


def test_feed_keeps_entry_ids(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    feed = tmp_path / "atom.xml"
    feed.write_text(FEED)
    run = salon_import(root, FIXTURES / "jekyll", "--feed", str(feed))
    assert run.code == 0, run.err
    assert "feed: 1 post(s) keep their feed id" in run.out.splitlines()
    assert "feed: 1 entry(ies) matched no imported post:" in run.out.splitlines()
    assert "  https://old.example.org/gone.html" in run.out.splitlines()
    hello = (root / "content/notes/2019-03-05-hello-world.md").read_text()
    assert 'id: "tag:old.example.org,2019:hello"\n' in hello
    assert "id:" not in (root / "content/notes/2019-04-01-second.md").read_text()
    build_offline(root)
    atom = (root / "site" / "feed.xml").read_text()
    assert "<id>tag:old.example.org,2019:hello</id>" in atom


def test_unknown_folder_is_an_error(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    run = salon_import(root, empty)
    assert run.code == 1
    assert run.err.startswith("SITE: error: not a folder salon can import\n  hint: salon imports")


def test_salon_import_as_a_subprocess(tmp_path: Path) -> None:
    """The command as a user runs it: a dry run prints the plan and writes nothing."""
    root = new_salon(tmp_path)
    before = sorted(root.rglob("*"))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "salon_gen.cli.main",
            "import",
            "--dry-run",
            "-s",
            str(root),
            str(FIXTURES / "pinboard.json"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "  would write content/shares/2021-02-03-a-pin.md"
    assert sorted(root.rglob("*")) == before
