"""Introductions: overlap through aliases and learned interests, ranking, who is never
suggested, the text, and `salon introduce` / `salon introduced` on a salon on disk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner

from salon_gen.circle.contacts import Contact, Introduction
from salon_gen.circle.introductions import held_interests, introduction_text, suggest
from salon_gen.cli.main import main
from salon_gen.core.model import FeedEntry, FeedState, Person
from salon_gen.following.store import FeedStore
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.text.frontmatter import split

from .conftest import NOW

ALIASES = {"letter-writing": "letters", "correspondence": "letters"}


def person(pid: str, *interests: str, **kw: object) -> Person:
    base: dict[str, object] = {
        "id": pid,
        "source": f"content/people/{pid}.md",
        "url_path": f"people/{pid}/",
        "name": pid.title() + " Example",
        "url": f"https://{pid}.example.net/",
        "interests": interests,
    }
    return Person(**(base | kw))  # type: ignore[arg-type]


PEOPLE = [
    person("ada", "letters", "zines"),
    person("bea", "letters", "zines"),
    person("cy", "letter-writing"),  # an alias of letters
    person("dee", "zines", introducible=False),
    person("eve", "poetry", public=False),
    person("fay", "poetry"),
]


def pairs(found: tuple[object, ...]) -> list[tuple[str, str, Fraction, tuple[str, ...]]]:
    return [(s.a.id, s.b.id, s.score, s.interests) for s in found]  # type: ignore[attr-defined]


def test_ranking_by_shared_interests_weighted_by_rarity() -> None:
    found = suggest(PEOPLE, {}, (), ALIASES)
    # letters: ada, bea, cy (3 holders); zines: ada, bea, dee (3); poetry: eve, fay (2).
    # Two declared interests weigh 2 x 2 = 4, times 2 / holders.
    assert pairs(found) == [
        ("ada", "bea", Fraction(16, 3), ("letters", "zines")),
        ("eve", "fay", Fraction(4), ("poetry",)),  # public: false is suggested (privately)
        ("ada", "cy", Fraction(8, 3), ("letters",)),  # "letter-writing" is letters
        ("bea", "cy", Fraction(8, 3), ("letters",)),
    ]
    assert all("dee" not in (s.a.id, s.b.id) for s in found)  # introducible: false


def test_already_introduced_either_way_is_never_suggested() -> None:
    logged = {
        "bea": Contact(person_id="bea", source="b", introduced=(Introduction(person_id="ada"),)),
        "cy": Contact(person_id="cy", source="c", introduced=(Introduction(person_id="bea"),)),
    }
    assert pairs(suggest(PEOPLE, logged, (), ALIASES)) == [
        ("eve", "fay", Fraction(4), ("poetry",)),
        ("ada", "cy", Fraction(8, 3), ("letters",)),
    ]


def test_one_persons_introductions_put_them_first() -> None:
    found = suggest(PEOPLE, {}, (), ALIASES, person_id="cy")
    assert [(s.a.id, s.b.id) for s in found] == [("cy", "ada"), ("cy", "bea")]


def entry(feed: str, n: int, *categories: str) -> FeedEntry:
    when = NOW - timedelta(days=n)
    return FeedEntry(
        feed_url=feed, entry_id=f"{feed}#{n}", title=f"post {n}", link=None,
        published=when, updated=when, categories=categories,
    )  # fmt: skip


def test_learned_interests_count_less_than_declared_ones() -> None:
    gus = person("gus", feeds=("https://gus.example.net/feed",))
    hal = person("hal", "Zines")
    feed = "https://gus.example.net/feed"
    entries = [entry(feed, 1, "Zines", "Correspondence"), entry(feed, 2, "zines")]
    held = held_interests([gus, hal], entries, ALIASES)
    assert held == {"gus": {"zines": "learned", "letters": "learned"}, "hal": {"zines": "declared"}}
    [s] = suggest([gus, hal], {}, entries, ALIASES)
    assert (s.a.id, s.b.id, s.score, s.interests) == ("gus", "hal", Fraction(2), ("zines",))
    assert (s.shared[0].a, s.shared[0].b) == ("learned", "declared")


def test_the_introduction_text_names_both_and_what_they_share() -> None:
    ada = person("ada", "letters", html="<p>Ada writes letters by hand. Also zines.</p>")
    bea = person("bea", "letters", "slow-web")
    [s] = suggest([ada, bea], {}, (), {})
    assert introduction_text(s, owner="Clara Mendes") == (
        "Hi Ada and Bea,\n\n"
        "I have been meaning to introduce you to each other. You share an interest in "
        "letters, and I think you would enjoy each other's company.\n\n"
        "Ada Example (https://ada.example.net/): Ada writes letters by hand.\n\n"
        "Bea Example (https://bea.example.net/): Bea Example writes about letters and slow-web.\n\n"
        "I'll let you take it from here.\n\nClara\n"
    )
    draft = introduction_text(s, owner="Clara Mendes", markdown=True)
    assert "[Ada Example](https://ada.example.net/): Ada writes" in draft


CONFIG = """\
title = "Test Salon"
base_url = "https://example.org/"
timezone = "Europe/Lisbon"

[author]
name = "Clara Mendes"

[interests.aliases]
letters = ["letter-writing"]
"""

FILES = {
    "content/people/ada.md": "---\nname: Ada Lovelace\nurl: https://ada.example.net/\n"
    "interests: [letters]\n---\nAda writes long letters.\n",
    "content/people/bo.md": "---\nname: Bo Chen\nurl: https://bo.example.net/\n"
    "feeds: [https://bo.example.net/feed.xml]\n---\nBo posts photos.\n",
    "content/people/cy.md": "---\nname: Cy Twombly\ninterests: [letter-writing]\n"
    "private:\n  notes: Shy; introduce gently.\n---\nCy paints.\n",
    "content/people/di.md": "---\nname: Di Hidden\ninterests: [letters]\npublic: false\n---\n",
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_introduce_and_introduced_on_a_salon(make_salon: Callable[..., Path]) -> None:
    root = make_salon(FILES, config=CONFIG)
    with FeedStore(root / ".salon/feeds.sqlite") as store:  # what Bo has been writing
        feed = "https://bo.example.net/feed.xml"
        store.save_state(FeedState(url=feed, last_attempt=NOW, last_success=NOW))
        store.upsert_entries(feed, [entry(feed, 3, "Letters"), entry(feed, 4, "film")], NOW)
    now = ["--now", NOW.isoformat()]
    code, out, err = run("introduce", "--source", str(root), *now)
    assert code == 0, err
    headers = [line for line in out.splitlines() if line.startswith("#")]
    assert headers == [
        "#1  Ada Lovelace and Cy Twombly: letters (score 2)",
        "#2  Ada Lovelace and Di Hidden: letters (score 2)",
        "#3  Cy Twombly and Di Hidden: letters (score 2)",
        "#4  Ada Lovelace and Bo Chen: letters (from their posts) (score 1)",
        "#5  Bo Chen and Cy Twombly: letters (from their posts) (score 1)",
    ]
    assert "1 more: salon introduce --limit 6" in out
    assert "    Di Hidden: public: false, so keep this between you" in out

    code, out, err = run(
        "introduce", "--source", str(root), "--person", "cy", "--limit", "1", "--draft", *now
    )
    assert code == 0, err
    draft = root / "content/notes/2026-11-22-introducing-cy-and-ada.md"
    assert f"wrote {draft.relative_to(root).as_posix()}" in out
    fm, _ = split(draft.read_text(), "d.md")
    assert fm is not None
    assert dict(fm.data) == {
        "title": "Introducing Cy Twombly and Ada Lovelace",
        "date": "2026-11-22",
        "draft": True,
        "people": ["cy", "ada"],
        "tags": ["letters"],
    }
    assert "[Ada Lovelace](https://ada.example.net/)" in fm.body
    assert "[Cy Twombly](/people/cy/)" in fm.body  # no site of their own: their page here
    again = run(
        "introduce", "--source", str(root), "--person", "cy", "--limit", "1", "--draft", *now
    )
    assert "draft exists already" in again[1]
    result = build(root, now=NOW, options=BuildOptions(offline=True))  # a draft: unpublished
    assert not (result.output / "notes/introducing-cy-and-ada").exists()

    code, out, err = run("introduced", "--source", str(root), "cy", "ada", *now)
    assert code == 0, err
    assert out == (
        "recorded: cy and ada introduced on 2026-11-22\n"
        "  updated content/people/cy.md\n  updated content/people/ada.md\n"
    )
    code, out, _ = run("introduce", "--source", str(root), "--person", "ada", *now)
    assert [line for line in out.splitlines() if line.startswith("#")] == [
        "#1  Ada Lovelace and Di Hidden: letters (score 2)",
        "#2  Ada Lovelace and Bo Chen: letters (from their posts) (score 1)",
    ]
    code, out, err = run("introduce", "--source", str(root), "--person", "di", "--draft", *now)
    assert "no draft: a note about someone with public: false is never published" in out
    assert not list((root / "content/notes").glob("*di*"))


def test_introduce_errors(make_salon: Callable[..., Path]) -> None:
    root = make_salon(
        FILES | {"content/people/ed.md": "---\nname: Ed\nintroducible: false\n---\n"},
        config=CONFIG,
    )
    code, _, err = run("introduce", "--source", str(root), "--person", "cyy")
    assert code == 1
    assert "nobody with the id 'cyy'" in err and "did you mean 'cy'?" in err
    code, _, err = run("introduce", "--source", str(root), "--person", "ed")
    assert code == 1 and "content/people/ed.md: error: ed has introducible: false" in err
    code, _, err = run("introduced", "--source", str(root), "ada", "ada")
    assert code == 1 and "an introduction takes two people" in err
    lonely = make_salon({"content/people/x.md": "---\nname: X\n---\n"}, name="lonely")
    code, out, _ = run("introduce", "--source", str(lonely))
    assert code == 0 and out.startswith("no introductions to suggest")


def test_now_decides_nothing_about_learned_interests() -> None:
    """Learned interests come from the latest entries, whenever they were published: the
    same store always teaches the same interests (as the interest pages say)."""
    gus = person("gus", feeds=("f",))
    when = datetime(2001, 1, 1, tzinfo=UTC)
    old = [
        FeedEntry(feed_url="f", entry_id=str(n), title="x", link=None, categories=("zines",),
                  published=when, updated=when)
        for n in range(2)
    ]  # fmt: skip
    assert held_interests([gus], old, {}) == {"gus": {"zines": "learned"}}
