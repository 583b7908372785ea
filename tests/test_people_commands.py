"""`salon follow`, `salon import` and `salon share` as a user runs them, against a real
HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from salon_gen.cli.main import main
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.text.frontmatter import split

from .conftest import NOW
from .httpserver import FeedServer, serve

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hana's notebook</title><link>https://hana.example.net/</link>
<description>Notes</description>
<item><title>Bring back the blogroll</title><link>https://hana.example.net/blogroll</link>
<guid>blogroll</guid><pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate></item>
</channel></rss>
"""


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve() as s:
        s.bodies["hana"] = FEED
        yield s


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_follow_a_feed_url_then_build_shows_it(
    make_salon: Callable[..., Path], server: FeedServer
) -> None:
    root = make_salon({})
    url = server.url("/ok/hana")
    code, out, err = run("follow", "--source", str(root), url, "--interest", "blogging")
    assert code == 0, err
    assert "following Hana" in out
    person = root / "content/people/hana-s-notebook.md"
    if not person.exists():  # the id comes from the feed title; find the one file written
        [person] = (root / "content/people").glob("*.md")
    fm, _ = split(person.read_text(), "p.md")
    assert fm is not None
    assert fm.data["feeds"] == [url] and fm.data["interests"] == ["blogging"]
    again = run("follow", "--source", str(root), url)
    assert again[0] == 1 and "already" in again[2]
    build(root, now=NOW)
    assert "Bring back the blogroll" in (root / "site/reading/index.html").read_text()


def test_follow_reports_a_page_without_feeds(
    make_salon: Callable[..., Path], server: FeedServer
) -> None:
    root = make_salon({})
    server.bodies["page"] = b"<html><head><title>No feed</title></head><body>hi</body></html>"
    code, _, err = run("follow", "--source", str(root), server.url("/ct/text%2Fhtml/page"))
    assert code == 1
    assert "salon follow: error:" in err


def test_import_opml_skips_people_already_followed(
    make_salon: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_salon(
        {
            "content/people/maya.md": "---\nname: Maya\nfeeds: "
            "[https://maya.example.net/feed.xml]\n---\n"
        }
    )
    opml = tmp_path / "friends.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="Letters">'
        '<outline type="rss" text="Maya" xmlUrl="https://maya.example.net/feed.xml"/>'
        '<outline type="rss" text="Tomás Ferreira" xmlUrl="https://tomas.example.org/atom.xml"'
        ' htmlUrl="https://tomas.example.org/"/>'
        "</outline></body></opml>",
        encoding="utf-8",
    )
    code, out, err = run("import", "--source", str(root), str(opml))
    assert code == 0, err
    assert "1 people added, 1 skipped" in out
    added = [p for p in (root / "content/people").glob("*.md") if p.name != "maya.md"]
    assert len(added) == 1
    fm, _ = split(added[0].read_text(), "x.md")
    assert fm is not None and fm.data["name"] == "Tomás Ferreira"
    assert fm.data["interests"] == ["letters"]
    bomb = tmp_path / "bomb.opml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml/>')
    refused = run("import", "--source", str(root), str(bomb))
    assert refused[0] == 1 and "error" in refused[2]


def test_import_reads_a_messy_opml_and_names_what_it_skipped(
    make_salon: Callable[..., Path], tmp_path: Path
) -> None:
    """Feedly's export, bare "&" and all: read leniently, with a warning that says so, and
    every outline not added named with its line and why."""
    root = make_salon(
        {
            "content/people/rust.md": "---\nname: Rust\nfeeds: [https://rust.example.net/index.xml]\n---\n"
        }
    )
    opml = tmp_path / "feedly.opml"
    opml.write_bytes((Path(__file__).parent / "opml" / "feedly.opml").read_bytes())
    code, out, err = run("import", "--source", str(root), str(opml))
    assert code == 0, err
    assert err.splitlines() == [
        f"{opml}: warning: not well-formed XML "
        "(line 8, column 32: not well-formed (invalid token))",
        "  hint: read leniently; check the people it added",
    ]
    lines = out.splitlines()
    assert [line for line in lines if "skipped" in line] == [
        f"  skipped {opml}:12: Must Read: a folder with nothing in it",
        f"  skipped {opml}:16: Letters from Lisbon: the same feed as line 10 (its interests are "
        "added there)",
        "  skipped https://rust.example.net/index.xml: already followed (rust)",
        "2 people added, 3 skipped",
    ]
    fm, _ = split((root / "content/people/ana-the-poets.md").read_text(), "x.md")
    assert fm is not None and fm.data["name"] == "Ana & the Poets"
    assert fm.data["feeds"] == ["https://ana.example/feed.xml?format=rss&lang=en"]


def test_share_takes_the_title_and_via_from_the_store(
    make_salon: Callable[..., Path], server: FeedServer
) -> None:
    root = make_salon(
        {
            "content/people/hana.md": f"---\nname: Hana Sato\nfeeds: "
            f"[{server.url('/ok/hana')}]\n---\n"
        }
    )
    build(root, now=NOW)  # fetches Hana's feed into the store
    code, out, err = run(
        "share",
        "--source",
        str(root),
        "https://hana.example.net/blogroll",
        "--tag",
        "blogging",
        "--offline",
        "--now",
        NOW.isoformat(),
    )
    assert code == 0, err
    [path] = (root / "content/shares").glob("*.md")
    assert out.strip() == f"wrote {path}"
    fm, _ = split(path.read_text(), "s.md")
    assert fm is not None
    assert fm.data["link"] == "https://hana.example.net/blogroll"
    assert fm.data["title"] == "Bring back the blogroll"
    assert fm.data["via"] == "hana"
    assert fm.data["tags"] == ["blogging"]
    result = build(root, now=NOW, options=BuildOptions(offline=True))
    assert result.warnings == ()
    assert (root / "site/shares").is_dir()


@pytest.mark.parametrize(
    ("via", "hint"),
    [
        ("hanna", "did you mean 'hana'?"),
        ("nobody", "people: hana, maya-okafor; or give an https:// URL"),
    ],
)
def test_share_refuses_a_via_that_names_nobody(
    make_salon: Callable[..., Path], via: str, hint: str
) -> None:
    root = make_salon(
        {
            "content/people/hana.md": "---\nname: Hana Sato\n---\n",
            "content/people/maya-okafor.md": "---\nname: Maya Okafor\n---\n",
        }
    )
    shares = root / "content/shares"
    before = sorted(shares.iterdir()) if shares.exists() else []
    code, _, err = run(
        "share", "--source", str(root), "https://e.example/x", "--via", via, "--offline"
    )
    assert code == 2, err  # wrong usage (README: exit codes)
    assert f"no person '{via}' in content/people/; {hint}" in " ".join(err.split())
    assert (sorted(shares.iterdir()) if shares.exists() else []) == before  # nothing written
    # a person's id and a URL are taken
    for good in ("hana", "https://weekly.example.com/112"):
        code, _, err = run(
            "share", "--source", str(root), "https://e.example/x", "--via", good, "--offline"
        )
        assert code == 0, err
