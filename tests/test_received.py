"""Receiving Webmentions: jf2 from a webmention.io-like service on loopback, hostile entries
sanitized or refused, the token never kept; <link rel="webmention"> only when configured."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from salon_gen.conversation.received import MAX_CONTENT, load, parse_jf2
from salon_gen.core.errors import BuildFailed
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.publish.receive import fetch_received
from tests.mentionserver import Page, Web, serve_web

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
BASE = "https://example.org/"
TOKEN = "s3cret-token-value"


def _child(**extra: Any) -> dict[str, Any]:
    child: dict[str, Any] = {
        "type": "entry",
        "author": {"type": "card", "name": "Maya", "url": "https://maya.example/", "photo": ""},
        "url": "https://maya.example/reply/1",
        "published": "2026-11-20T10:00:00+00:00",
        "wm-property": "in-reply-to",
        "wm-target": BASE + "notes/hello/",
        "in-reply-to": BASE + "notes/hello/",
        "content": {"html": "<p>Lovely <b>note</b></p>", "text": "Lovely note"},
    }
    return child | extra


def _feed(*children: dict[str, Any]) -> bytes:
    return json.dumps({"type": "feed", "name": "Webmentions", "children": list(children)}).encode()


def test_a_reply_is_kept_with_its_kind_author_and_content() -> None:
    (got,), skipped = parse_jf2(_feed(_child()), BASE)
    assert skipped == ()
    assert (got.kind, got.target, got.source) == (
        "reply",
        BASE + "notes/hello/",
        "https://maya.example/reply/1",
    )
    assert (got.author_name, got.author_url, got.author_photo) == (
        "Maya",
        "https://maya.example/",
        None,
    )
    assert got.html == "<p>Lovely <b>note</b></p>"


@pytest.mark.parametrize(
    ("prop", "kind"),
    [("like-of", "like"), ("repost-of", "repost"), ("bookmark-of", "bookmark"),
     ("mention-of", "mention"), ("weird", "mention")],
)  # fmt: skip
def test_kinds(prop: str, kind: str) -> None:
    (got,), _ = parse_jf2(_feed(_child(**{"wm-property": prop})), BASE)
    assert got.kind == kind


def test_a_hostile_mention_is_sanitized() -> None:
    html = (
        '<script>alert(1)</script><p onclick="x()">hi <a href="javascript:alert(1)">x</a>'
        '<img src="data:image/png;base64,AAAA"><iframe src="https://evil/"></iframe></p>'
    )
    evil = _child(
        content={"html": html, "text": "hi"},
        author={"name": "<b>Eve</b><script>1</script>", "url": "javascript:alert(1)"},
    )
    (got,), _ = parse_jf2(_feed(evil), BASE)
    assert "script" not in got.html and "onclick" not in got.html
    assert "javascript" not in got.html and "iframe" not in got.html and "data:" not in got.html
    assert got.author_name == "Eve"
    assert got.author_url is None


def test_a_huge_mention_is_cut_to_its_text() -> None:
    huge = _child(content={"html": "<p>" + "word " * 100_000 + "</p>", "text": "word " * 100_000})
    (got,), _ = parse_jf2(_feed(huge), BASE)
    assert got.html == ""
    assert len(got.text) < MAX_CONTENT and got.text.endswith("\u2026")


def test_wrong_targets_missing_sources_and_hidden_ones_are_left_out() -> None:
    children = [
        _child(**{"wm-target": "https://other.example/post", "in-reply-to": "x"}),
        _child(url="javascript:alert(1)"),
        _child(url="https://troll.example/1"),
        _child(url="https://maya.example/reply/2"),
    ]
    got, skipped = parse_jf2(_feed(*children), BASE, hidden=("https://troll.example/1",))
    assert [g.source for g in got] == ["https://maya.example/reply/2"]
    assert skipped == (
        "a mention of a page that is not this site's: 'https://other.example/post'",
        "a mention without an http(s) source URL",
        "hidden by the owner: https://troll.example/1",
    )


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"children": 3}'])
def test_not_jf2_is_said(body: bytes) -> None:
    assert parse_jf2(body, BASE)[0] == ()
    assert len(parse_jf2(body, BASE)[1]) == 1


# --- fetching on loopback ----------------------------------------------------------------------


@pytest.fixture
def service() -> Iterator[Web]:
    with serve_web() as web:
        body = _feed(_child(), _child(**{"wm-target": "https://other.example/"}))
        web.pages["/api/mentions.jf2"] = Page(body=body, ctype="application/json")
        yield web


def _config(web: Web) -> str:
    return (
        f'title = "T"\nbase_url = "{BASE}"\n[author]\nname = "Ada"\n'
        f'[webmention]\nendpoint = "https://webmention.io/example.org/webmention"\n'
        f'api = "{web.url("/api/mentions.jf2")}"\ntoken_env = "SALON_TEST_TOKEN"\n'
    )


def test_mentions_are_fetched_with_the_token_and_stored_without_it(
    make_salon: Callable[..., Path], service: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_salon({}, config=_config(service))
    monkeypatch.setenv("SALON_TEST_TOKEN", TOKEN)
    got = fetch_received(root)
    assert len(got.mentions) == 1 and len(got.skipped) == 1
    assert service.gets == [f"/api/mentions.jf2?token={TOKEN}"]
    stored = root / ".salon/received.json"
    assert load(stored) == got.mentions
    for path in root.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_without_the_token_nothing_is_fetched(
    make_salon: Callable[..., Path], service: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_salon({}, config=_config(service))
    monkeypatch.delenv("SALON_TEST_TOKEN", raising=False)
    with pytest.raises(BuildFailed) as failed:
        fetch_received(root)
    assert "SALON_TEST_TOKEN is not set" in failed.value.diagnostics[0].message
    assert service.gets == []


def test_a_failed_fetch_never_shows_the_token(
    make_salon: Callable[..., Path], service: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_salon({}, config=_config(service))
    monkeypatch.setenv("SALON_TEST_TOKEN", TOKEN)
    service.pages["/api/mentions.jf2"] = Page(status=403, body=b"no")
    with pytest.raises(BuildFailed) as failed:
        fetch_received(root)
    text = failed.value.diagnostics[0].format()
    assert "HTTP 403" in text and TOKEN not in text


def test_the_endpoint_is_advertised_only_when_configured(
    make_salon: Callable[..., Path], service: Web
) -> None:
    note = {"content/notes/hello.md": "---\ntitle: Hello\ndate: 2026-11-01\n---\nHi.\n"}
    root = make_salon(note, config=_config(service))
    build(root, now=NOW, options=BuildOptions(offline=True))
    link = '<link rel="webmention" href="https://webmention.io/example.org/webmention">'
    assert link in (root / "site/index.html").read_text()
    assert link in (root / "site/notes/hello/index.html").read_text()
    plain = make_salon(note, config=f'title = "T"\nbase_url = "{BASE}"\n[author]\nname = "A"\n',
                       name="plain")  # fmt: skip
    build(plain, now=NOW, options=BuildOptions(offline=True))
    assert 'rel="webmention"' not in (plain / "site/index.html").read_text()


def test_the_mentions_received_are_shown_under_their_note_and_hidden_ones_are_not(
    make_salon: Callable[..., Path], service: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    import html5lib

    note = "---\ntitle: Hello\ndate: 2026-11-01\n---\nHello there.\n"
    root = make_salon({"content/notes/hello.md": note}, config=_config(service))
    feed = _feed(
        _child(
            content={
                "html": '<p>Lovely <b>note</b><script>alert(1)</script>'
                '<a href="javascript:x()" onclick="y()">z</a></p>',
                "text": "Lovely note",
            }
        ),
        _child(**{"wm-property": "like-of", "url": "https://jo.example/likes/1",
                  "author": {"type": "card", "name": "Jo <b>Lee</b>", "url": "https://jo.example/"}}),
        _child(**{"wm-property": "repost-of", "url": "https://spam.example/r",
                  "author": {"type": "card", "name": "Spammer"}}),
    )  # fmt: skip
    mentions, _ = parse_jf2(feed, BASE)
    from salon_gen.conversation.received import save
    from salon_gen.workspace.state import RECEIVED_FILE as FILE

    save(root / ".salon" / FILE, mentions)
    build(root, now=NOW, options=BuildOptions(offline=True, jobs=1))
    page = (root / "site/notes/hello/index.html").read_text(encoding="utf-8")
    doc = html5lib.parse(page, namespaceHTMLElements=False)
    [section] = [s for s in doc.iter("section") if "responses" in s.get("class", "")]
    text = " ".join("".join(section.itertext()).split())
    assert "Maya replied on 2026-11-20: Lovely note" in text
    assert "Liked by Jo Lee" in text  # a name is plain text
    assert [b.text for b in section.iter("b")] == ["note"]  # only the reply's own markup
    assert "Reposted by Spammer" in text
    assert not list(section.iter("script")) and "onclick" not in page and "javascript:" not in page
    # the owner hides one: the next build (not "up to date") leaves it out
    config = _config(service).replace(
        "[webmention]\n", '[webmention]\nhidden = ["https://spam.example/r"]\n'
    )
    (root / "salon.toml").write_text(config, encoding="utf-8")
    build(root, now=NOW, options=BuildOptions(offline=True, jobs=1))
    page = (root / "site/notes/hello/index.html").read_text(encoding="utf-8")
    assert "Spammer" not in page and "Maya" in page
    # a new fetch stored nothing: the responses go, whatever the no-change fingerprint said
    save(root / ".salon" / FILE, ())
    build(root, now=NOW, options=BuildOptions(offline=True, jobs=1))
    assert "Responses" not in (root / "site/notes/hello/index.html").read_text(encoding="utf-8")
