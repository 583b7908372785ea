"""The full round, as a user runs it: a note linking a loopback "friend" page that advertises
a Webmention endpoint, `salon build`, `salon mention`, `salon ping`, each a real `salon`
process; the friend's endpoint receives source and target, the hub its publish pings."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.mentionserver import serve_web

REPO = Path(__file__).resolve().parent.parent
NOW_ARG = ["--now", "2026-11-22T12:00:00+00:00"]


def _salon(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "salon_gen", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_full_round_on_loopback(make_salon: Callable[..., Path]) -> None:
    with serve_web() as web:
        friend = web.html(
            "/maya/on-letters/",
            "<html><head><title>On letters</title>"
            '<link rel="webmention" href="/maya/webmention"></head><body>Letters.</body></html>',
        )
        config = (
            f'title = "T"\nbase_url = "http://127.0.0.1:9/"\nhub = "{web.url("/hub")}"\n'
            '[author]\nname = "Ada"\n'
        )
        note = f"---\ntitle: Replying to Maya\ndate: 2026-11-01\n---\n[Maya]({friend}) is right.\n"
        root = make_salon({"content/notes/reply.md": note}, config=config)

        built = _salon(root, "build", "--offline", *NOW_ARG)
        assert built.returncode == 0, built.stderr
        mentioned = _salon(root, "mention", *NOW_ARG)
        assert mentioned.returncode == 0, mentioned.stderr
        source = "http://127.0.0.1:9/notes/reply/"
        assert mentioned.stdout.splitlines() == [
            f"sent (new): {source} -> {friend} via {web.url('/maya/webmention')}",
            "1 Webmentions: 1 sent",
        ]
        pinged = _salon(root, "ping")
        assert pinged.returncode == 0, pinged.stderr
        assert pinged.stdout.splitlines()[-1] == f"pinged {web.url('/hub')} for 4 changed feeds"

        assert web.posts[0] == ("/maya/webmention", [("source", source), ("target", friend)])
        hub = [dict(form) for path, form in web.posts if path == "/hub"]
        assert {h["hub.url"] for h in hub} == {
            f"http://127.0.0.1:9/{f}"
            for f in ("feed.xml", "rss.xml", "feed.json", "shares/feed.xml")
        }
        assert all(h["hub.mode"] == "publish" for h in hub)

        again = _salon(root, "mention", *NOW_ARG)
        assert again.stdout.strip() == "no Webmentions due (1 notes and shares looked at)"
        assert _salon(root, "ping").stdout.startswith("no feed changed since the last ping")
        assert len(web.posts) == 5


def test_deploy_sends_the_mentions_and_pings_the_hub(
    make_salon: Callable[..., Path], tmp_path: Path
) -> None:
    """The publishing round: build, `salon deploy` to a folder, and the steps after it: the
    friend's endpoint receives the mention, the hub its pings; a second deploy owes none."""
    with serve_web() as web:
        friend = web.html(
            "/maya/on-letters/",
            '<html><head><link rel="webmention" href="/maya/webmention"></head></html>',
        )
        config = (
            f'title = "T"\nbase_url = "http://127.0.0.1:9/"\nhub = "{web.url("/hub")}"\n'
            '[author]\nname = "Ada"\n'
        )
        note = f"---\ntitle: Replying\ndate: 2026-11-01\n---\n[Maya]({friend}) is right.\n"
        root = make_salon({"content/notes/reply.md": note}, config=config)
        assert _salon(root, "build", "--offline", *NOW_ARG).returncode == 0
        www = tmp_path / "www"
        deployed = _salon(root, "deploy", "--to", f"folder:{www}", *NOW_ARG)
        assert deployed.returncode == 0, deployed.stderr
        assert (www / "notes/reply/index.html").is_file()
        lines = deployed.stdout.splitlines()
        assert "1 Webmentions: 1 sent" in lines
        assert f"pinged {web.url('/hub')} for 4 changed feeds" in lines
        source = "http://127.0.0.1:9/notes/reply/"
        assert web.posts[0] == ("/maya/webmention", [("source", source), ("target", friend)])
        assert sum(1 for path, _ in web.posts if path == "/hub") == 4
        again = _salon(root, "deploy", "--to", f"folder:{www}", *NOW_ARG)
        assert again.returncode == 0, again.stderr
        assert "no Webmentions due (1 notes and shares looked at)" in again.stdout
        assert len(web.posts) == 5


def test_a_deleted_post_leaves_a_tombstone_the_receiver_can_check(
    make_salon: Callable[..., Path],
) -> None:
    """A static host cannot answer 410: once a post that was mentioned is deleted, the build
    leaves a page at its address saying it is gone, without its links (a receiver that
    checks the source drops the mention, as the spec says for a source no longer linking),
    and `salon mention` tells the target. Never over a page the site has there again."""
    with serve_web() as web:
        friend = web.html(
            "/maya/on-letters/",
            '<html><head><link rel="webmention" href="/maya/webmention"></head></html>',
        )
        config = 'title = "T"\nbase_url = "http://127.0.0.1:9/"\n[author]\nname = "Ada"\n'
        note = f"---\ntitle: Replying\ndate: 2026-11-01\n---\n[Maya]({friend}) is right.\n"
        root = make_salon({"content/notes/reply.md": note}, config=config)
        assert _salon(root, "build", "--offline", *NOW_ARG).returncode == 0
        assert _salon(root, "mention", *NOW_ARG).returncode == 0
        (root / "content/notes/reply.md").unlink()
        built = _salon(root, "build", "--offline", *NOW_ARG)
        assert built.returncode == 0, built.stderr
        page = (root / "site/notes/reply/index.html").read_text(encoding="utf-8")
        assert "<h1>Gone</h1>" in page and 'content="noindex"' in page
        assert friend not in page
        assert "notes/reply/" not in (root / "site/sitemap.xml").read_text(encoding="utf-8")
        told = _salon(root, "mention", *NOW_ARG)
        assert told.stdout.splitlines()[0].startswith(
            "sent (deleted): http://127.0.0.1:9/notes/reply/"
        )
        assert len(web.posts) == 2  # the first mention, then the deletion
        # the address written again: the new post, not the tombstone
        write = root / "content/notes/reply.md"
        write.write_text("---\ntitle: Back\ndate: 2026-11-02\n---\nAgain.\n", encoding="utf-8")
        assert _salon(root, "build", "--offline", *NOW_ARG).returncode == 0
        again = (root / "site/notes/reply/index.html").read_text(encoding="utf-8")
        assert "Again." in again and "<h1>Gone</h1>" not in again
