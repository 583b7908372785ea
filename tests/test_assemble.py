from __future__ import annotations

from datetime import UTC, datetime, timedelta

from salon_gen.content.assemble import SourceInfo, assemble, person_hint
from salon_gen.core.config import parse_config
from salon_gen.core.model import Config, Note, Page, Person, Via

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
        "content/notes/n.md:1: error: people: no person 'nobody' in content/people/\n"
        "  hint: people: maya, secret",  # no near miss: the ids there are
        "content/shares/s3.md:1: error: via: no person 'mya' in content/people/\n"
        "  hint: did you mean 'maya'?",
    ]


def test_a_via_naming_nobody_lists_the_people_there_are() -> None:
    s = mk("s", kind="share", via=Via(name="nobody", person_id="nobody"))
    result = run([s], people=[person("maya-okafor"), person("tomas-ferreira")])
    assert [d.format() for d in result.diagnostics] == [
        "content/shares/s.md:1: error: via: no person 'nobody' in content/people/\n"
        "  hint: people: maya-okafor, tomas-ferreira; or give an https:// URL"
    ]


def test_person_hint_near_miss_long_list_and_nobody() -> None:
    assert person_hint("tomas-fereira", ["maya", "tomas-ferreira"]) == (
        "did you mean 'tomas-ferreira'?"
    )
    many = [f"p{i:02d}" for i in range(20)]
    assert person_hint("zed", many) == ("people: p00, p01, p02, p03, p04, p05, p06, p07, 12 more")
    assert person_hint("zed", []) == "content/people/ is empty (salon follow URL adds a person)"


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


# --- publication (issue 10) -------------------------------------------------------------


def test_only_live_notes_are_shown_and_drafts_shows_all_but_private() -> None:
    live = mk("live", days=3)
    expired = mk("expired", days=30, expires=NOW - timedelta(days=1))
    expiring = mk("expiring", days=30, expires=NOW + timedelta(days=5))
    scheduled = mk("scheduled", days=2, publish_date=NOW + timedelta(days=2))
    due = mk("due", days=2, publish_date=NOW - timedelta(hours=1))
    future = mk("future", days=-1)
    private = mk("private", days=1, private=True)
    draft = mk("draft", days=1, draft=True)
    notes = [live, expired, expiring, scheduled, due, future, private, draft]

    result = run(notes)
    assert [n.slug for n in result.site.notes] == ["due", "live", "expiring"]
    # the first moment anything changes: the future note's date (a day), before the
    # scheduled publishDate (two days) and the expiry (five)
    assert result.next_change == future.date
    everything = run(notes, drafts=True)
    assert sorted(n.slug for n in everything.site.notes) == sorted(
        ["live", "expired", "expiring", "scheduled", "due", "future", "draft"]
    )
    assert everything.next_change is None  # with --drafts, time changes nothing


def test_next_change_is_an_expiry_or_a_publish_date_when_that_comes_first() -> None:
    expiring = mk("expiring", days=30, expires=NOW + timedelta(hours=3))
    scheduled = mk("scheduled", days=2, publish_date=NOW + timedelta(hours=5))
    assert run([expiring, scheduled]).next_change == NOW + timedelta(hours=3)
    assert run([scheduled]).next_change == NOW + timedelta(hours=5)
    # drafts and private notes never come due: they change nothing
    hidden = [
        mk("d", days=-1, draft=True),
        mk("p", days=2, private=True, publish_date=NOW + timedelta(hours=1)),
        mk("e", days=9, private=True, expires=NOW + timedelta(hours=1)),
    ]
    assert run(hidden).next_change is None
    assert run([mk("gone", days=9, expires=NOW - timedelta(hours=1))]).next_change is None


def test_pages_draft_private_and_scheduled() -> None:
    def page(slug: str, **kw: object) -> Page:
        return Page(source=f"content/pages/{slug}.md", slug=slug, url=f"{slug}/", title=slug, **kw)  # type: ignore[arg-type]

    pages = [
        page("about"),
        page("draft", draft=True),
        page("private", private=True),
        page("soon", publish_date=NOW + timedelta(days=1)),
        page("old", expires=NOW - timedelta(days=1)),
    ]
    result = run([], pages=pages)
    assert [p.slug for p in result.site.pages] == ["about"]
    assert result.next_change == NOW + timedelta(days=1)
    assert [p.slug for p in run([], pages=pages, drafts=True).site.pages] == [
        "about",
        "draft",
        "old",
        "soon",
    ]


def test_a_link_to_a_hidden_note_says_so() -> None:
    body = "---\n---\n[later](expired.md) [p](private.md)\n"
    linking = mk("linking", html='<a href="expired.md">x</a> <a href="private.md">p</a>')
    info = {linking.source: SourceInfo(text=body, key_lines={}, body_line=3)}
    notes = [
        linking,
        mk("expired", expires=NOW - timedelta(days=1)),
        mk("private", private=True),
    ]
    result = run(notes, info=info)
    assert [d.format() for d in result.diagnostics] == [
        "content/notes/linking.md:3: error: link to 'expired.md' is a draft, private or not "
        "published\n  hint: links between notes are relative paths, e.g. [x](other-note.md)",
        "content/notes/linking.md:3: error: link to 'private.md' is a draft, private or not "
        "published\n  hint: links between notes are relative paths, e.g. [x](other-note.md)",
    ]
    # with --drafts the expired note is shown (and linked); the private one never is
    shown = run(notes, info=info, drafts=True)
    assert [d.message for d in shown.diagnostics] == [
        "link to 'private.md' is a draft, private or not published"
    ]


# --- relative links to files, bundles' files, aliases (issue 10) ---------------------------


def _bundle_note(slug: str, **kw: object) -> Note:
    return Note(
        kind="note",
        source=f"content/notes/{slug}/index.md",
        slug=slug,
        url=f"notes/{slug}/",
        entry_id=f"tag:x,2026:{slug}",
        title=slug.title(),
        date=NOW - timedelta(days=1),
        **kw,  # type: ignore[arg-type]
    )


def test_relative_urls_resolve_to_statics_and_bundle_files() -> None:
    from salon_gen.content.bundles import Resource
    from salon_gen.core.model import StaticFile

    post = mk(
        "post",
        html='<img src="../static/img/x.png" alt=""> <a href="../static/a%20b.pdf?v=1#p">pdf</a>'
        ' <a href="trip/">trip</a> <img src="gone.png" alt=""> <a href="gone.pdf">g</a>',
    )
    trip = _bundle_note("trip", html='<img src="images/x.png" alt=""><img src="./map.svg">')
    draft = _bundle_note("draft", draft=True)
    linking = mk("linking", html='<img src="draft/photo.jpg" alt="">')
    resources = [
        Resource(bundle=trip.source, path="images/x.png", source="/abs/x.png"),
        Resource(bundle=trip.source, path="map.svg", source="/abs/map.svg"),
        Resource(bundle=draft.source, path="photo.jpg", source="/abs/photo.jpg"),
    ]
    statics = [
        StaticFile(source="/abs/s/x.png", dest="static/img/x.png"),
        StaticFile(source="/abs/s/ab.pdf", dest="static/a b.pdf"),
    ]
    text = "---\ntitle: x\n---\n![x](../static/img/x.png)\n\n![g](gone.png) [g](gone.pdf)\n"
    info = {
        post.source: SourceInfo(text=text, key_lines={}, body_line=4),
        linking.source: SourceInfo(
            text="---\n---\n![](draft/photo.jpg)\n", key_lines={}, body_line=3
        ),
    }
    result = assemble(
        cfg(), [post, trip, draft, linking], [], [], statics, info, now=NOW, drafts=False,
        resources=resources,
    )  # fmt: skip
    by = {n.slug: n.html for n in result.site.notes}
    assert by["post"] == (
        '<img src="/static/img/x.png" alt=""> <a href="/static/a%20b.pdf?v=1#p">pdf</a>'
        ' <a href="/notes/trip/">trip</a> <img src="gone.png" alt=""> <a href="gone.pdf">g</a>'
    )
    assert (
        by["trip"] == '<img src="/notes/trip/images/x.png" alt=""><img src="/notes/trip/map.svg">'
    )
    # the draft's photo stays unpublished with it
    assert sorted(s.dest for s in result.site.statics) == [
        "notes/trip/images/x.png",
        "notes/trip/map.svg",
        "static/a b.pdf",
        "static/img/x.png",
    ]
    assert [d.format() for d in result.diagnostics] == [
        "content/notes/linking.md:3: warning: 'draft/photo.jpg' belongs to "
        "content/notes/draft/index.md, which is a draft, private or not published\n"
        "  hint: its files are published with it, not before",
        "content/notes/post.md:6: warning: missing image 'gone.png'\n"
        "  hint: a relative path starts from the file's folder (content/notes/): this one "
        "leads to content/notes/gone.png, which is not there; files for any page go in "
        "content/static/",
        "content/notes/post.md:6: warning: link to a missing file 'gone.pdf'\n"
        "  hint: a relative path starts from the file's folder (content/notes/): this one "
        "leads to content/notes/gone.pdf, which is not there; files for any page go in "
        "content/static/",
    ]


def test_relative_urls_get_the_base_path() -> None:
    from salon_gen.content.bundles import Resource

    trip = _bundle_note("trip", html='<img src="images/x.png" alt="">')
    resources = [Resource(bundle=trip.source, path="images/x.png", source="/abs/x.png")]
    result = assemble(
        cfg("https://example.org/blog/"), [trip], [], [], [], {}, now=NOW, drafts=False,
        resources=resources,
    )  # fmt: skip
    assert result.site.notes[0].html == '<img src="/blog/notes/trip/images/x.png" alt="">'


def test_a_bundle_file_cannot_replace_its_page() -> None:
    from salon_gen.content.bundles import Resource

    trip = _bundle_note("trip")
    resources = [Resource(bundle=trip.source, path="index.html", source="/abs/i.html")]
    result = assemble(cfg(), [trip], [], [], [], {}, now=NOW, drafts=False, resources=resources)
    assert [d.format() for d in result.diagnostics] == [
        "content/notes/trip/index.html: error: this file would replace the page /notes/trip/\n"
        "  hint: rename it: the page of the bundle is content/notes/trip/index.md"
    ]


def test_aliases_may_not_replace_another_file() -> None:
    from salon_gen.content.bundles import Resource

    text = "---\ntitle: A\naliases:\n  - /notes/b/\n  - /notes/old-a/\n  - /feed.xml\n---\nx\n"
    a = mk("a", aliases=("notes/b/", "notes/old-a/", "feed.xml", "archive/2019/", "about"))
    b = mk("b", aliases=("notes/old-a/", "2019/b.html", "notes/trip/map.svg"))
    trip = _bundle_note("trip")
    about = Page(source="content/pages/about.md", slug="about", url="about/", title="About")
    info = {
        a.source: SourceInfo(text=text, key_lines={"aliases": 3}, body_line=8),
        b.source: SourceInfo(
            text="---\nredirect_from: x\n---\n", key_lines={"redirect_from": 2}, body_line=4
        ),
    }
    resources = [Resource(bundle=trip.source, path="map.svg", source="/abs/map.svg")]
    result = assemble(
        cfg(), [a, b, trip], [about], [], [], info, now=NOW, drafts=False, resources=resources
    )
    hint = (
        "\n  hint: an old URL may only name a path no page of the site uses; remove it or change it"
    )
    assert [d.format() for d in result.diagnostics] == [
        "content/notes/a.md:4: error: alias /notes/b/ would replace the page of "
        "content/notes/b.md" + hint,
        "content/notes/a.md:6: error: alias /feed.xml is a path salon keeps for its own pages"
        + hint,
        "content/notes/a.md:3: error: alias /archive/2019/ is a path salon keeps for its own "
        "pages" + hint,
        "content/notes/a.md:3: error: alias /about would replace the page of "
        "content/pages/about.md" + hint,
        "content/notes/b.md:2: error: alias /notes/old-a/ would replace an alias of "
        "content/notes/a.md" + hint,
        "content/notes/b.md:2: error: alias /notes/trip/map.svg would replace a published "
        "file (notes/trip/map.svg)" + hint,
    ]
