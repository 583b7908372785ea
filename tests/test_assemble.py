from __future__ import annotations

from datetime import UTC, datetime, timedelta

from salon_gen.assemble import SourceInfo, assemble
from salon_gen.config import parse_config
from salon_gen.model import Config, Note, Page, Person, Via

from .conftest import MINIMAL_CONFIG, NOW


def cfg(base: str = "https://example.org/") -> Config:
    text = MINIMAL_CONFIG.replace('https://example.org/"', f'{base}"', 1)
    c, d = parse_config(text)
    assert c is not None, d
    return c


def mk(slug: str, *, days: float = 1, kind: str = "note", html: str = "", **kw: object) -> Note:
    folder = "shares" if kind == "share" else "notes"
    return Note(
        kind=kind,
        source=f"content/{folder}/{slug}.md",
        slug=slug,  # type: ignore[arg-type]
        url=f"{folder}/{slug}/",
        entry_id=f"tag:x,2026:{slug}",
        title=slug.title(),
        date=NOW - timedelta(days=days),
        html=html,
        **kw,
    )  # type: ignore[arg-type]


def person(pid: str, public: bool = True, interests: tuple[str, ...] = ()) -> Person:
    return Person(
        id=pid,
        source=f"content/people/{pid}.md",
        url_path=f"people/{pid}/",
        name=pid.title(),
        public=public,
        interests=interests,
        url=f"https://{pid}.example.net/",
    )


def run(
    notes: list[Note],
    pages: list[Page] | None = None,
    people: list[Person] | None = None,
    drafts: bool = False,
    info: dict[str, SourceInfo] | None = None,
    config: Config | None = None,
):  # type: ignore[no-untyped-def]
    return assemble(
        config or cfg(), notes, pages or [], people or [], [], info or {}, now=NOW, drafts=drafts
    )


def test_order_drafts_and_future() -> None:
    a = mk("a", days=3)
    b = mk("b", days=1)
    same = mk("c", days=1)
    draft = mk("d", days=2, draft=True)
    future = mk("e", days=-2)
    result = run([a, b, same, draft, future])
    assert [n.slug for n in result.site.notes] == ["b", "c", "a"]  # newest first, then source
    assert result.next_change == future.date
    everything = run([a, b, same, draft, future], drafts=True)
    assert [n.slug for n in everything.site.notes] == ["e", "b", "c", "d", "a"]
    assert everything.next_change is None


def test_two_items_with_the_same_url() -> None:
    one = mk("same")
    two = Note(
        **{
            **{f: getattr(one, f) for f in one.__slots__},  # type: ignore[attr-defined]
            "source": "content/notes/sub/same.md",
        }
    )
    info = {two.source: SourceInfo(text="", key_lines={"slug": 4}, body_line=6)}
    result = run([one, two], info=info)
    assert [d.format() for d in result.diagnostics] == [
        "content/notes/sub/same.md:4: error: URL /notes/same/ is already used by "
        "content/notes/same.md\n  hint: give one of them a different 'slug:'"
    ]


def test_page_cannot_take_a_reserved_url() -> None:
    page = Page(source="content/pages/tags.md", slug="tags", url="tags/", title="Tags")
    result = run([], pages=[page])
    assert [d.message for d in result.diagnostics] == [
        "URL /tags/ is reserved for salon's own pages"
    ]


def test_relative_links_between_notes_resolve() -> None:
    target = mk("2026-01-01-target")
    target = Note(
        **{
            **{f: getattr(target, f) for f in target.__slots__},  # type: ignore[attr-defined]
            "slug": "target",
            "url": "notes/target/",
        }
    )
    linking = mk(
        "linking",
        html='<a href="2026-01-01-target.md#part">t</a> '
        '<a href="../pages/about.md">about</a> <img src="/static/x.png"> '
        '<a href="https://example.com/x.md">ext</a> <a href="missing.md">m</a>',
    )
    about = Page(source="content/pages/about.md", slug="about", url="about/", title="About")
    info = {
        linking.source: SourceInfo(
            text="---\n---\nline\n[m](missing.md)\n", key_lines={}, body_line=3
        )
    }
    result = run(
        [target, linking], pages=[about], info=info, config=cfg("https://example.org/blog/")
    )
    html = next(n for n in result.site.notes if n.slug == "linking").html
    assert 'href="/blog/notes/target/#part"' in html
    assert 'href="/blog/about/"' in html
    assert 'src="/blog/static/x.png"' in html
    assert 'href="https://example.com/x.md"' in html
    assert [d.format() for d in result.diagnostics] == [
        "content/notes/linking.md:4: error: link to 'missing.md' matches no file\n"
        "  hint: links between notes are relative paths, e.g. [x](other-note.md)"
    ]


def test_via_people_and_privacy() -> None:
    s1 = mk("s1", kind="share", via=Via(name="maya", person_id="maya"))
    s2 = mk("s2", kind="share", via=Via(name="secret", person_id="secret"))
    s3 = mk("s3", kind="share", via=Via(name="mya", person_id="mya"))
    n = mk("n", people=("maya", "nobody"))
    result = run([s1, s2, s3, n], people=[person("maya"), person("secret", public=False)])
    by = {x.slug: x for x in result.site.notes}
    assert by["s1"].via == Via(name="Maya", url="https://maya.example.net/", person_id="maya")
    assert by["s2"].via is None  # crediting a private person would publish them
    assert [p.id for p in result.site.people] == ["maya"]
    assert sorted(d.format() for d in result.diagnostics) == [
        "content/notes/n.md:1: error: people: no person 'nobody' in content/people/",
        "content/shares/s3.md:1: error: via: no person 'mya' in content/people/\n"
        "  hint: did you mean 'maya'?",
    ]


def test_interests_and_years() -> None:
    a = mk("a", days=1, tags=("letters", "rss"))
    b = mk("b", days=400, tags=("letters",))
    result = run([a, b])
    assert [(t.slug, [n.slug for n in t.notes]) for t in result.site.interests] == [
        ("letters", ["a", "b"]),
        ("rss", ["a"]),
    ]
    assert [(y.year, len(y.notes)) for y in result.site.years] == [(2026, 1), (2025, 1)]
    assert result.site.interests[0].url == "interests/letters/"


def test_dates_are_utc() -> None:
    result = run([mk("a")])
    assert result.site.notes[0].date.tzinfo is UTC
    assert isinstance(result.site.notes[0].date, datetime)
