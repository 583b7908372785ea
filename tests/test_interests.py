"""Interests: spellings folded by aliases, where tags, people and followed entries meet, and
the pages and feeds built from them (read back by html5lib and feedparser)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import html5lib
import pytest

from salon_gen.content.assemble import assemble
from salon_gen.core.config import parse_config
from salon_gen.core.interests import RECENT_ENTRIES, canonical, gather, learned
from salon_gen.core.model import Config, FeedEntry, Interest, Note, Person
from salon_gen.following.store import FeedStore
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.workspace.state import StatePaths

from .conftest import MINIMAL_CONFIG, NOW

ALIASES = """
[interests.aliases]
machine-learning = ["ml", "Machine Learning"]
letters = ["letter-writing", "correspondence"]
"""


def config(extra: str = ALIASES) -> Config:
    c, diagnostics = parse_config(MINIMAL_CONFIG + extra)
    assert c is not None, diagnostics
    return c


def note(slug: str, *tags: str, days: int = 1) -> Note:
    return Note(
        kind="note",
        source=f"content/notes/{slug}.md",
        slug=slug,
        url=f"notes/{slug}/",
        entry_id=f"tag:example.org,2026:{slug}",
        title=slug.title(),
        date=NOW - timedelta(days=days),
        tags=tags,
    )


def person(pid: str, *interests: str, public: bool = True) -> Person:
    return Person(
        id=pid,
        source=f"content/people/{pid}.md",
        url_path=f"people/{pid}/",
        name=pid.title(),
        feeds=(f"https://{pid}.example.net/feed.xml",),
        interests=interests,
        public=public,
    )


def entry(pid: str, n: int, *categories: str) -> FeedEntry:
    when = NOW - timedelta(hours=n)
    return FeedEntry(
        feed_url=f"https://{pid}.example.net/feed.xml",
        entry_id=f"{pid}-{n}",
        title=f"{pid} {n}",
        link=f"https://{pid}.example.net/{n}",
        published=when,
        updated=when,
        categories=categories,
        person_id=pid,
    )


def by_slug(interests: Sequence[Interest]) -> dict[str, Interest]:
    return {i.slug: i for i in interests}


# --- spellings ----------------------------------------------------------------------------


def test_canonical_is_the_slug_with_aliases_applied() -> None:
    aliases = config().interests.aliases
    assert dict(aliases) == {
        "correspondence": "letters",
        "letter-writing": "letters",
        "ml": "machine-learning",
    }
    assert canonical("ML", aliases) == "machine-learning"
    assert canonical("Machine  Learning", aliases) == "machine-learning"
    assert canonical("Letter Writing", aliases) == "letters"
    assert canonical("Static Sites", aliases) == "static-sites"  # no alias: its own slug
    assert canonical("?!", aliases) == ""


def test_two_spellings_make_one_interest() -> None:
    notes = [note("a", "ml", days=1), note("b", "machine learning", days=2)]
    found = gather(notes, [], [], config().interests.aliases)
    assert [(i.slug, i.url, [n.slug for n in i.notes]) for i in found] == [
        ("machine-learning", "interests/machine-learning/", ["a", "b"])
    ]
    assert found[0].name == "machine learning"  # the interest's own spelling, not the alias
    assert found[0].aliases == ("ml",)
    assert found[0].has_feed


def test_a_note_with_two_spellings_of_one_interest_counts_once() -> None:
    found = gather([note("a", "ml", "machine-learning")], [], [], config().interests.aliases)
    assert [(i.slug, len(i.notes)) for i in found] == [("machine-learning", 1)]


@pytest.mark.parametrize(
    ("spellings", "name"),
    [
        (["ml"], "machine-learning"),  # only an alias is used: the interest's slug
        (["ml", "ml", "machine learning"], "machine learning"),  # an alias never names it
        (["machine-learning", "machine learning", "machine learning"], "machine learning"),
        (["machine learning", "machine-learning"], "machine learning"),  # a tie: alphabetical
    ],
)
def test_the_name_shown_is_the_most_used_spelling_of_the_interest_itself(
    spellings: list[str], name: str
) -> None:
    notes = [note(f"n{k}", s) for k, s in enumerate(spellings)]
    (interest,) = gather(notes, [], [], config().interests.aliases)
    assert interest.name == name


# --- where tags, people and entries meet --------------------------------------------------


def test_a_tag_a_declared_interest_and_a_category_meet_on_one_interest() -> None:
    maya, tomas = person("maya", "letters"), person("tomas", "letter-writing", "poetry")
    entries = [entry("tomas", 1, "Correspondence"), entry("maya", 2, "Letters", "Tomatoes")]
    found = by_slug(
        gather([note("n", "letters")], [maya, tomas], entries, config().interests.aliases)
    )
    assert sorted(found) == ["letters", "poetry"]
    letters = found["letters"]
    assert [n.slug for n in letters.notes] == ["n"]
    assert [e.entry_id for e in letters.entries] == ["tomas-1", "maya-2"]
    assert [p.id for p in letters.people] == ["maya", "tomas"]
    assert letters.learned_people == ()  # both declare it already
    # An interest only people declare has a page, but no feed: nothing of the owner's on it.
    assert (found["poetry"].notes, found["poetry"].has_feed) == ((), False)
    assert [p.id for p in found["poetry"].people] == ["tomas"]


def test_entry_categories_never_create_interests() -> None:
    noisy = [entry("maya", n, f"random category {n}", "Letters") for n in range(300)]
    found = gather([note("n", "letters")], [person("maya")], noisy, {})
    assert [i.slug for i in found] == ["letters"]
    assert len(found[0].entries) == 300
    assert gather([], [person("maya")], noisy, {}) == ()  # no tag, no declared interest


def test_people_learned_from_their_recent_entries_are_kept_apart() -> None:
    people = [person("ana", "letters"), person("ben"), person("cy")]
    entries = [
        entry("ana", 1, "letters"),
        entry("ben", 2, "Letter Writing"),  # ben never declared it: learned
        *(entry("cy", 10 + n, "gardening") for n in range(RECENT_ENTRIES)),
        entry("cy", 100, "letters"),  # older than cy's recent entries: not learned
    ]
    aliases = config().interests.aliases
    assert learned(entries, aliases)["cy"] == {"gardening"}
    (letters,) = gather([note("n", "letters")], people, entries, aliases)
    assert [p.id for p in letters.people] == ["ana"]
    assert [p.id for p in letters.learned_people] == ["ben"]
    assert "cy-100" in [e.entry_id for e in letters.entries]  # the entry itself is still shown


def test_private_people_and_their_entries_never_reach_an_interest() -> None:
    secret = person("secret", "secret-gardens", "letters", public=False)
    maya = person("maya", "letters")
    entries = [entry("secret", 1, "letters", "whispers"), entry("maya", 2, "letters")]
    site = assemble(
        config(),
        [note("n", "letters")],
        [],
        [maya, secret],
        [],
        {},
        now=NOW,
        drafts=False,
        entries=entries,
    ).site
    assert [i.slug for i in site.interests] == ["letters"]  # not "secret-gardens"
    (letters,) = site.interests
    assert [p.id for p in (*letters.people, *letters.learned_people)] == ["maya"]
    assert [e.person_id for e in letters.entries] == ["maya"]


# --- pages and feeds, built ---------------------------------------------------------------

XHTML = "{http://www.w3.org/1999/xhtml}"


def parse(path: Path) -> ElementTree.Element:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    return parser.parse(path.read_bytes(), transport_encoding="utf-8")  # type: ignore[no-any-return]


def text(el: ElementTree.Element) -> str:
    return " ".join("".join(el.itertext()).split())


@pytest.fixture
def built(make_salon: Callable[..., Path]) -> Path:
    root = make_salon(
        {
            "content/notes/on-ml.md": "---\ntitle: On ML\ndate: 2026-11-01\ntags: [ml]\n---\nA.\n",
            "content/notes/more.md": (
                "---\ntitle: More machine learning\ndate: 2026-11-02\n"
                "tags: [Machine Learning, letters]\n---\nB.\n"
            ),
            "content/people/maya.md": (
                "---\nname: Maya Okafor\nfeeds: [https://maya.example.net/feed.xml]\n"
                "interests: [machine-learning]\n---\nMaya.\n"
            ),
            "content/people/jo.md": (
                "---\nname: Jo Writer\nfeeds: [https://jo.example.net/feed.xml]\n---\nJo.\n"
            ),
            "content/people/hidden.md": (
                "---\nname: Hidden Person\nfeeds: [https://hidden.example.net/feed.xml]\n"
                "interests: [ml, secret-gardens]\npublic: false\n---\nNobody.\n"
            ),
        },
        config=MINIMAL_CONFIG + ALIASES,
    )
    with FeedStore(StatePaths(root=root).feeds) as store:
        for pid, categories in (
            ("maya", ("ML",)),
            ("jo", ("machine learning", "Unrelated Topic")),
            ("hidden", ("ml",)),
        ):
            found = entry(pid, 5, *categories)
            store.upsert_entries(found.feed_url, [found], NOW)
    result = build(root, now=NOW, options=BuildOptions(jobs=1, offline=True))
    return result.output


def test_aliases_give_one_page_and_one_feed(built: Path) -> None:
    assert not (built / "tags").exists()  # one URL per interest
    assert sorted(p.name for p in (built / "interests").iterdir()) == [
        "index.html",
        "letters",
        "machine-learning",
    ]
    assert not (built / "interests/ml").exists()
    assert not (built / "interests/unrelated-topic").exists()  # a category alone makes none
    assert not (built / "interests/secret-gardens").exists()  # a private person's interest
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/interests/machine-learning/" in sitemap
    assert "/tags/" not in sitemap

    feed = feedparser.parse((built / "interests/machine-learning/feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.id == "https://example.org/interests/machine-learning/feed.xml"
    assert feed.feed.title == "Test Salon: Machine Learning"  # the tag as written
    links = {(link.rel, link.href) for link in feed.feed.links}
    assert ("alternate", "https://example.org/interests/machine-learning/") in links
    # the owner's writing only: both spellings' notes, none of the followed entries
    assert [e.title for e in feed.entries] == ["More machine learning", "On ML"]


def test_the_interest_page_is_the_venn_diagram(built: Path) -> None:
    doc = parse(built / "interests/machine-learning/index.html")
    head = doc.find(f"{XHTML}head")
    assert head is not None
    feeds = [
        link.get("href")
        for link in head.iter(f"{XHTML}link")
        if link.get("rel") == "alternate" and link.get("type") == "application/atom+xml"
    ]
    assert "https://example.org/interests/machine-learning/feed.xml" in feeds  # autodiscovery
    main = doc.find(f".//{XHTML}main")
    assert main is not None
    page = text(main)
    assert "Follow “Machine Learning” in a feed reader" in page  # and a visible link
    assert "Also written as ml." in page
    assert "On ML" in page and "More machine learning" in page
    sections = {
        text(h2): text(section)
        for section in main.iter(f"{XHTML}section")
        for h2 in section.iter(f"{XHTML}h2")
    }
    assert "maya 5" in sections["From the salon"] and "jo 5" in sections["From the salon"]
    assert "hidden 5" not in page
    assert "Maya Okafor" in sections["People who share it"]
    assert "Jo Writer" not in sections["People who share it"]
    assert "Jo Writer" in sections["Writing about it lately"]  # learned, shown apart
    assert "Hidden" not in (built / "interests/machine-learning/index.html").read_text()


def test_the_index_counts_and_tags_link_to_their_interest(built: Path) -> None:
    index = parse(built / "interests/index.html")
    (listing,) = [ul for ul in index.iter(f"{XHTML}ul") if ul.get("class") == "interest-index"]
    assert [text(li) for li in listing] == [
        "letters 1 note",
        "Machine Learning 2 notes · 2 from the salon · 2 people",
    ]
    note = (built / "notes/on-ml/index.html").read_text(encoding="utf-8")
    assert re.search(
        r'href="../../interests/machine-learning/index.html">ml</a>', note
    )  # as written
    maya = (built / "people/maya/index.html").read_text(encoding="utf-8")
    assert 'href="../../interests/machine-learning/index.html">machine-learning</a>' in maya


def test_no_interests_is_a_friendly_empty_page(make_salon: Callable[..., Path]) -> None:
    result = build(make_salon(), now=NOW, options=BuildOptions(jobs=1, offline=True))
    main = parse(result.output / "interests/index.html").find(f".//{XHTML}main")
    assert main is not None
    assert "No interests yet." in text(main)


# --- tags that differ only by symbols -------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "slug"),
    [
        ("C", "c"),
        ("c", "c"),
        ("C#", "c-sharp"),
        ("C++", "c-plus-plus"),
        ("F#", "f-sharp"),
        (".NET", "dotnet"),
        ("#python", "python"),  # a hashtag's # is not a sharp
        ("Node.js", "node-js"),  # a dot inside a word stays a separator
        ("Machine Learning", "machine-learning"),
    ],
)
def test_symbols_that_tell_tags_apart_become_words(tag: str, slug: str) -> None:
    assert canonical(tag, {}) == slug


def test_c_c_sharp_c_plus_plus_and_f_sharp_stay_apart(make_salon: Callable[..., Path]) -> None:
    tags = {"a": "[C]", "b": '["C#"]', "c": '["C++"]', "d": '["F#"]', "e": "[c, C]"}
    files = {
        f"content/notes/{slug}.md": (
            f"---\ntitle: Note {slug}\ndate: 2026-11-0{i + 1}\ntags: {t}\n---\nText.\n"
        )
        for i, (slug, t) in enumerate(tags.items())
    }
    result = build(make_salon(files), now=NOW, options=BuildOptions(jobs=1, offline=True))
    out = result.output
    pages = sorted(p.name for p in (out / "interests").iterdir() if p.is_dir())
    assert pages == ["c", "c-plus-plus", "c-sharp", "f-sharp"]
    titles = {
        name: feedparser.parse((out / f"interests/{name}/feed.xml").read_bytes()).feed.title
        for name in pages
    }
    assert titles == {
        "c": "Test Salon: C",  # C twice against c once: the most used spelling
        "c-plus-plus": "Test Salon: C++",
        "c-sharp": "Test Salon: C#",
        "f-sharp": "Test Salon: F#",
    }
    assert [
        e.title for e in feedparser.parse((out / "interests/c/feed.xml").read_bytes()).entries
    ] == [
        "Note e",
        "Note a",
    ]
    # Feed categories as written; "c" and "C" on one note are one tag, the first spelling kept.
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    terms = {e.title: [t.term for t in e.tags] for e in rss.entries}
    assert terms == {
        "Note a": ["C"],
        "Note b": ["C#"],
        "Note c": ["C++"],
        "Note d": ["F#"],
        "Note e": ["c"],
    }
    note = (out / "notes/b/index.html").read_text(encoding="utf-8")
    assert 'href="../../interests/c-sharp/index.html">C#</a>' in note
