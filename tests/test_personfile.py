"""Reading person files: the one reader the build, following, the circle and the roster use,
and the line of a value for diagnostics (the feed's own item, not the first line that
contains its URL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from salon_gen.content import personfile
from salon_gen.pipeline.build import build
from salon_gen.writing.roster import followed_feeds

from .conftest import MINIMAL_CONFIG, NOW
from .httpserver import FeedServer, serve

MAYA = (
    "---\n"
    "name: Maya Okafor  # as she signs\n"
    "url: https://maya.example/feed/home/\n"
    "feeds:\n"
    "  - https://maya.example/feed/comments\n"
    "  - 'https://maya.example/feed'\n"
    "interests: [letters]\n"
    "private:\n"
    "  introduced:\n"
    "    - {person: ana, date: 2026-01-02}\n"
    "    - tomas\n"
    "---\n"
    "Maya's old feed was https://maya.example/feed.\n"
)


def test_a_file_reads_into_front_matter_body_person_and_profile() -> None:
    pf = personfile.parse("content/people/maya.md", MAYA)
    assert pf.id == "maya" and pf.problems == ()
    assert pf.front is not None and pf.front.body_line == 13
    assert pf.front.line_of("interests") == 7
    pair, problems = personfile.values(pf)
    assert problems == () and pair is not None
    person, profile = pair
    assert person.feeds == ("https://maya.example/feed/comments", "https://maya.example/feed")
    assert person.html == ""  # without a rendered body: following does not render
    assert "introduced" in profile.fields


def test_line_ends_and_a_bom_read_as_the_build_reads_them() -> None:
    crlf = personfile.parse("content/people/maya.md", "\ufeff" + MAYA.replace("\n", "\r\n"))
    plain = personfile.parse("content/people/maya.md", MAYA)
    assert crlf.text == plain.text and crlf.front == plain.front


def test_unreadable_front_matter_is_a_problem_with_its_line() -> None:
    pf = personfile.parse("content/people/x.md", "---\nname: [unclosed\n---\n")
    assert pf.front is None
    pair, problems = personfile.values(pf)
    assert pair is None and problems == pf.problems
    assert problems[0].path == "content/people/x.md" and problems[0].line is not None


@pytest.mark.parametrize(
    ("text", "url", "line"),
    [
        (MAYA, "https://maya.example/feed", 6),  # not line 3 (url:) nor 5 (a longer feed)
        (MAYA, "https://maya.example/feed/comments", 5),
        ("---\nname: M\nfeeds: [https://a.example/f, https://a.example/f2]\n---\n",
         "https://a.example/f2", 3),
        ("---\nname: M\nfeeds: https://a.example/f2, https://a.example/f\n---\n",
         "https://a.example/f", 3),
        ("---\nname: M\nFeeds:\n\n  # the old one\n  - \"https://a.example/f\"\n---\n",
         "https://a.example/f", 6),
        (MAYA, "https://maya.example/fe", None),  # a prefix of a feed is not a feed
        ("---\nname: M\n---\nhttps://a.example/f\n", "https://a.example/f", None),
        ("+++\nname = 'M'\nfeeds = ['https://a.example/f']\n+++\n", "https://a.example/f", None),
    ],
)  # fmt: skip
def test_the_line_of_a_feed_is_its_own(text: str, url: str, line: int | None) -> None:
    assert personfile.parse("content/people/m.md", text).value_line("feeds", url) == line


def test_feeds_are_listed_leniently_whatever_else_is_wrong() -> None:
    bad = personfile.parse("content/people/x.md", "---\nfeeds: 'a, b ,a'\npublic: maybe\n---\n")
    assert personfile.values(bad)[0] is None  # no name, a bad flag: the build refuses it
    assert personfile.listed_feeds(bad) == ("a", "b")  # but these feeds are somebody's
    odd = personfile.parse("content/people/x.md", "---\nfeeds: {a: 1}\n---\n")
    assert personfile.listed_feeds(odd) == ()


def test_followed_feeds_reads_through_the_one_reader(tmp_path: Path) -> None:
    folder = tmp_path / "content/people"
    folder.mkdir(parents=True)
    (folder / "maya.md").write_text(MAYA)
    (folder / "nameless.md").write_text("---\nfeeds: [https://n.example/f]\n---\n")
    (folder / "broken.md").write_text("---\nfeeds: [\n---\n")
    assert followed_feeds(tmp_path) == {
        "https://maya.example/feed/comments": "maya",
        "https://maya.example/feed": "maya",
        "https://n.example/f": "nameless",
    }


def test_introduced_to_reads_ids_and_entries() -> None:
    pf = personfile.parse("content/people/maya.md", MAYA)
    assert personfile.introduced_to(pf, "ana") and personfile.introduced_to(pf, "tomas")
    assert not personfile.introduced_to(pf, "maya")


# --- the bug: a failing feed's warning pointed at the first line containing its URL -------


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve() as s:
        yield s


def test_a_failing_feeds_warning_points_at_its_own_line(
    make_salon: Callable[..., Path], server: FeedServer
) -> None:
    """Its URL is also the start of the site's `url:` (line 3) and of a second feed listed
    first (line 5): the warning must name line 6, where the failing feed is."""
    gone = server.url("/feed/maya")
    server.aliases["/feed/maya"] = "/status/404"
    server.aliases["/feed/maya/comments"] = "/ok/comments"
    root = make_salon(
        {
            "content/people/maya.md": (
                f"---\nname: Maya\nurl: {gone}/home/\nfeeds:\n  - {gone}/comments\n"
                f"  - {gone}\n---\nShe used to post at {gone}.\n"
            ),
        },
        config=MINIMAL_CONFIG + "\n[fetch]\ntimeout = 2\n",
    )
    result = build(root, now=NOW)
    [warning] = [d.format() for d in result.warnings]
    assert warning.startswith(f"content/people/maya.md:6: warning: feed {gone}: "), warning
    assert "HTTP 404" in warning
