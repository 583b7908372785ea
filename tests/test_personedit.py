"""Editing person files: every edit touches only the value it changes.

Round trips over every person file the suite and the demo hold (the golden inputs, the
sample salon's people, the log fixtures, the demo's content/people/, and a few written to be
awkward): a no-op edit gives the same bytes, and each kind of edit changes only the lines of
its field. Then `salon feeds --fix` as a user runs it, against a real server on 127.0.0.1."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from salon_gen.content import personfile
from salon_gen.core.errors import BuildFailed
from salon_gen.pipeline.build import build
from salon_gen.writing.feedfix import apply_feed_fixes, plan_feed_fixes
from salon_gen.writing.personedit import EditRefused, append_entry, replace_feed
from salon_gen.writing.share import yaml_text

from .conftest import MINIMAL_CONFIG, NOW, REPO
from .httpserver import FeedServer, serve
from .sample_salon import PEOPLE, _person
from .test_logbook import CASES as LOG_CASES

AWKWARD = {
    "comments-and-quotes": (
        "---\n# who she is\nname: 'Ana Ruiz'   # as she signs\nurl: \"https://ana.example/\"\n"
        "feeds:\n\n  # the old one first\n  - 'https://ana.example/feed'   # moved?\n"
        "  - https://ana.example/feed/comments\n\ninterests: [moths,  letters]\n---\n\n"
        "Ana's feed was https://ana.example/feed, once.\n"
    ),
    "comma-string": "---\nname: Jo\nfeeds: https://jo.example/a,  https://jo.example/b\n---\n",
    "quoted-string": '---\nname: Jo\nfeeds: "https://jo.example/a, https://jo.example/b"\n---\n',
    "upper-case-key-and-dots": "---\nName: Jo\nFeeds: [ https://jo.example/a ]\n...\nBody\n",
    "crlf-bom": "\ufeff---\r\nname: Jo\r\nfeeds:\r\n- https://jo.example/a\r\n---\r\nBody\r\n",
    "no-final-newline": "---\nname: Jo\nfeeds: [https://jo.example/a]\n---\nBody",
    "private-first": (
        "---\nprivate:\n  notes: n\n  checkins:\n    - {date: 2026-01-01}\n"
        "name: Jo\nfeeds: [https://jo.example/a]\n---\n"
    ),
}


def corpus() -> dict[str, str]:
    """Every person file in tests/ and content/people/, and the ones the tests write."""
    found = {
        p.relative_to(REPO).as_posix(): p.read_bytes().decode("utf-8")
        for folder in (REPO / "tests", REPO / "content")
        for p in sorted(folder.rglob("people/*.md"))
        if "expected" not in p.parts
    }
    for pid, name, avatar, feeds, full, interests in PEOPLE:
        found[f"sample_salon:{pid}"] = _person(pid, name, avatar, feeds, full, interests)
    for n, (before, _) in enumerate(LOG_CASES):
        found[f"test_logbook:{n}"] = before
    found |= {f"awkward:{k}": v for k, v in AWKWARD.items()}
    return found


CORPUS = corpus()


def test_the_corpus_holds_what_it_should() -> None:
    """A glob that found nothing would make the round trips below pass vacuously."""
    names = set(CORPUS)
    assert "content/people/tomas-ferreira.md" in names
    assert "tests/golden/small/input/content/people/maya.md" in names
    assert sum(n.startswith("content/people/") for n in names) >= 6
    assert (
        sum(bool(personfile.listed_feeds(personfile.parse("p", t))) for t in CORPUS.values()) > 20
    )


def changed(before: str, after: str) -> tuple[list[int], list[str]]:
    """The 0-based lines of `before` that the edit removed or replaced, and the lines it
    added (difflib, line ends kept)."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed: list[int] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += range(i1, i2)
            added += b[j1:j2]
    return removed, added


def one_value_replaced(old_line: str, new_line: str, old: str, new: str) -> bool:
    """Whether `new_line` is `old_line` with one occurrence of `old` as written (plain or
    quoted) replaced by `new` (in the same quotes, or as YAML writes it when plain), every
    other character kept."""
    for written, now in ((old, yaml_text(new)), (f"'{old}'", f"'{new}'"), (f'"{old}"', f'"{new}"')):
        for at in range(len(old_line)):
            after = old_line[:at] + now + old_line[at + len(written) :]
            if old_line.startswith(written, at) and new_line == after:
                return True
    return False


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_a_no_op_edit_keeps_every_byte(name: str) -> None:
    text = CORPUS[name]
    for feed in personfile.listed_feeds(personfile.parse(name, text)):
        assert replace_feed(text, feed, feed) == text


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_replacing_a_feed_changes_only_its_line(name: str) -> None:
    text = CORPUS[name]
    pf = personfile.parse(name, text)
    for feed in personfile.listed_feeds(pf):
        new = feed.rstrip("/") + "/moved"
        after = replace_feed(text, feed, new)
        line = pf.value_line("feeds", feed)
        assert line is not None
        removed, added = changed(text, after)
        assert removed == [line - 1], (feed, removed)
        assert len(added) == 1
        assert one_value_replaced(text.splitlines(keepends=True)[line - 1], added[0], feed, new)
        read = personfile.parse(name, after)
        assert read.front is not None and pf.front is not None
        assert read.front.body == pf.front.body
        assert personfile.listed_feeds(read) == tuple(
            new if f == feed else f for f in personfile.listed_feeds(pf)
        )
        assert {k: v for k, v in read.front.data.items() if k != "feeds"} == {
            k: v for k, v in pf.front.data.items() if k != "feeds"
        }


@pytest.mark.parametrize("key", ["checkins", "introduced"])
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_appending_to_a_log_only_adds_lines_to_private(name: str, key: str) -> None:
    text = CORPUS[name]
    entry = {"date": "2026-11-22", "note": "Tea: at last"}
    try:
        after = append_entry(text, key, entry)
    except EditRefused as e:  # only what the log fixtures refuse on purpose
        pytest.fail(f"refused: {e.message}")
    removed, added = changed(text, after)
    lines = text.splitlines(keepends=True)
    # nothing is removed but an empty log written inline, or a last line without its end
    for i in removed:
        assert lines[i].strip() in (f"{key}: []", "---") or not lines[i].endswith("\n"), lines[i]
    assert 1 <= len(added) - len(removed) <= 3
    assert any("Tea: at last" in line for line in added)
    pf = personfile.parse(name, after)
    was_a_person = personfile.values(personfile.parse(name, text))[0] is not None
    assert personfile.values(pf)[0] is not None or not was_a_person
    assert pf.front is not None and pf.front.data["private"][key][-1] == entry


def test_a_feed_not_listed_or_a_toml_file_is_refused() -> None:
    with pytest.raises(EditRefused, match=r"does not list https://ana\.example/fe$"):
        replace_feed(AWKWARD["comments-and-quotes"], "https://ana.example/fe", "https://x/")
    with pytest.raises(EditRefused, match="TOML"):
        replace_feed("+++\nname = 'M'\nfeeds = ['https://a/f']\n+++\n", "https://a/f", "https://b")
    with pytest.raises(EditRefused, match="mixes line endings"):
        replace_feed("---\r\nname: M\nfeeds: [https://a/f]\n---\n", "https://a/f", "https://b")


def test_a_feed_under_an_anchor_is_refused_rather_than_changing_two_values() -> None:
    text = "---\nname: M\nurl: &site https://m.example/\nfeeds: [*site]\n---\n"
    with pytest.raises(EditRefused, match="without changing something else"):
        replace_feed(text, "https://m.example/", "https://m.example/feed")


def test_a_new_url_that_needs_quotes_is_quoted() -> None:
    text = "---\nname: M\nfeeds: [https://m.example/a, https://m.example/b]\n---\n"
    after = replace_feed(text, "https://m.example/a", "https://m.example/a?x=1, y")
    assert (
        after == '---\nname: M\nfeeds: ["https://m.example/a?x=1, y", https://m.example/b]\n---\n'
    )


@pytest.mark.parametrize(
    ("item", "replaced"),
    [
        ("'https://m.example/a'", "'https://m.example/it''s'"),
        ('"https://m.example/a"', '"https://m.example/it\'s"'),
        ("https://m.example/a", '"https://m.example/it\'s"'),
    ],
)
def test_the_owners_quotes_are_kept(item: str, replaced: str) -> None:
    text = f"---\nname: M\nfeeds:\n  - {item}  # note\n---\n"
    after = replace_feed(text, "https://m.example/a", "https://m.example/it's")
    assert after == f"---\nname: M\nfeeds:\n  - {replaced}  # note\n---\n"


# --- `salon feeds --fix`, as a user runs it ------------------------------------------------


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve() as s:
        s.aliases["/feed/maya"] = "/redirect/301/ok/maya"
        s.aliases["/feed/maya/comments"] = "/ok/comments"
        yield s


def maya(server: FeedServer) -> str:
    """Her site's `url:`, her description and a second feed all start with the moved
    feed's URL; a plain text replace rewrote all of them."""
    old = server.url("/feed/maya")
    return (
        "---\n"
        "name: Maya Okafor  # as she signs\n"
        f"url: {old}/home/\n"
        "feeds:\n"
        f"  - {old}/comments\n"
        f"  - {old}   # her letters\n"
        "interests: [letters]\n"
        "---\n"
        f"Maya's letters were at {old} until this year; her home page is {old}/home/.\n"
    )


@pytest.fixture
def salon(make_salon: Callable[..., Path], server: FeedServer) -> Path:
    root = make_salon(
        {"content/people/maya.md": maya(server)},
        config=MINIMAL_CONFIG + "\n[fetch]\ntimeout = 2\n",
    )
    result = build(root, now=NOW)  # the fetch sees the 301 and remembers where it went
    assert any("has moved permanently" in d.format() for d in result.warnings)
    return root


def salon_command(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "salon_gen", *args],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_feeds_fix_changes_only_the_moved_feeds_line(salon: Path, server: FeedServer) -> None:
    path = salon / "content/people/maya.md"
    before = path.read_text()
    fixed = salon_command(salon, "feeds", "--fix")
    assert fixed.returncode == 0, fixed.stderr
    old, new = server.url("/feed/maya"), server.url("/ok/maya")
    assert f"content/people/maya.md: {old} -> {new}" in fixed.stdout
    after = path.read_text()
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if not line.startswith(("---", "+++", "@@"))
    ]
    assert diff == [f"-  - {old}   # her letters", f"+  - {new}   # her letters"]
    # The history moved with the feed, and nothing is left to fix.
    health = salon_command(salon, "feeds", "--now", NOW.isoformat())
    assert f"maya  {new}\n" in health.stdout and "moved permanently" not in health.stdout
    again = salon_command(salon, "feeds", "--fix")
    assert again.returncode == 0 and "no feed has moved" in again.stdout
    assert path.read_text() == after


def test_feeds_fix_refuses_a_file_saved_since_it_was_read(salon: Path, server: FeedServer) -> None:
    path = salon / "content/people/maya.md"
    [fix] = plan_feed_fixes(salon)
    assert fix.moves == ((server.url("/feed/maya"), server.url("/ok/maya")),)
    saved = path.read_text() + "The owner's edit, saved meanwhile.\n"
    path.write_text(saved)
    with pytest.raises(BuildFailed) as failed:
        apply_feed_fixes(salon, [fix])
    assert "changed while salon was editing it" in failed.value.diagnostics[0].format()
    assert path.read_text() == saved  # the owner's save is kept
    health = salon_command(salon, "feeds", "--now", NOW.isoformat())
    assert "moved permanently" in health.stdout  # the store was not renamed either


def test_feeds_fix_says_why_it_cannot_edit_a_file(salon: Path, server: FeedServer) -> None:
    path = salon / "content/people/maya.md"
    path.write_text(path.read_text().replace("\n", "\r\n", 2))  # mixed line ends
    fixed = salon_command(salon, "feeds", "--fix")
    assert fixed.returncode != 0
    assert "content/people/maya.md: error: cannot fix its feeds: the file mixes line endings" in (
        fixed.stderr
    )
