from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from salon_gen.config import parse_config
from salon_gen.frontmatter import split
from salon_gen.markdown import MarkdownRenderer
from salon_gen.model import Config, Note
from salon_gen.notes import parse_note, parse_page, parse_person

from .conftest import MINIMAL_CONFIG

ZONE = ZoneInfo("Europe/Lisbon")
MD = MarkdownRenderer()


def config() -> Config:
    cfg, diags = parse_config(MINIMAL_CONFIG)
    assert cfg is not None, diags
    return cfg


def note(
    text: str, path: str = "content/notes/2026-03-05-hello.md", kind: str = "note"
) -> tuple[Note | None, list[str]]:
    fm, diags = split(text, path)
    assert fm is not None, diags
    value, problems = parse_note(kind, path, fm, MD.render(fm.body), config(), ZONE)  # type: ignore[arg-type]
    return value, [d.format() for d in problems]


def test_a_note() -> None:
    value, diags = note(
        "---\ntitle: Hello\ndate: 2026-03-05 10:00\ntags: [Letters, friends]\n"
        "summary: Hi.\n---\nSome *text*.\n"
    )
    assert diags == []
    assert value is not None
    assert value.title == "Hello"
    assert value.slug == "hello" and value.url == "notes/hello/"
    assert value.date == datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    assert value.tags == ("letters", "friends")
    assert value.summary == "Hi."
    assert "<em>text</em>" in value.html
    assert value.entry_id == "tag:example.org,2026-03-05:notes/2026-03-05-hello"


def test_entry_id_ignores_title_and_slug_and_explicit_id_wins() -> None:
    a, _ = note("---\ntitle: One\ndate: 2026-03-05\n---\n")
    b, _ = note("---\ntitle: Two\nslug: other\ndate: 2026-03-05\n---\n")
    c, _ = note("---\ntitle: Two\ndate: 2026-03-05\nid: urn:uuid:1234\n---\n")
    assert a is not None and b is not None and c is not None
    assert a.entry_id == b.entry_id
    assert c.entry_id == "urn:uuid:1234"


def test_title_from_first_heading_is_removed_from_the_body() -> None:
    value, diags = note("---\ndate: 2026-03-05\n---\n# From the heading\n\nText.\n")
    assert diags == [] and value is not None
    assert value.title == "From the heading"
    assert "From the heading" not in value.html and "Text." in value.html


def test_near_miss_key_warns_and_unknown_keys_are_kept() -> None:
    value, diags = note("---\ntitle: x\ntitel: y\ndate: 2026-03-05\nlayout: post\n---\n")
    assert value is not None
    assert value.extra == {"titel": "y", "layout": "post"}
    assert diags == [
        "content/notes/2026-03-05-hello.md:3: warning: unknown key 'titel' is "
        "kept for templates\n  hint: did you mean 'title'?"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "---\ndate: 2026-03-05\n---\nNo heading.\n",
            "p.md:1: error: note has no title\n  hint: add 'title: ...' to the front matter or "
            "start with '# Title'",
        ),
        (
            "---\ntitle: x\n---\n",
            "p.md:1: error: missing required 'date'\n  hint: add: date: 2026-03-05",
        ),
        (
            "---\ntitle: x\ndate: 2026-02-30\n---\n",
            "p.md:3: error: date: impossible date '2026-02-30': day is out of range for month\n"
            "  hint: write dates as 2026-03-05 or 2026-03-05 14:30",
        ),
        (
            "---\ntitle: x\ndate: 2026-02-03\nslug: ../../etc\n---\n",
            "p.md:4: error: slug '../../etc' is not a single safe path segment (it could write "
            "outside the site folder)\n  hint: use letters, digits and hyphens, e.g. slug: etc",
        ),
        (
            "---\ntitle: x\ndate: 2026-02-03\ndraft: maybe\n---\n",
            "p.md:4: error: draft: expected true or false, got 'maybe'",
        ),
        (
            "---\ntitle: x\ndate: 2026-02-03\ntags: {a: 1}\n---\n",
            "p.md:4: error: tags: expected a list of text, got a mapping\n  hint: tags: "
            "[first, second]",
        ),
    ],
)
def test_bad_notes(text: str, expected: str) -> None:
    value, diags = note(text, path="p.md")
    assert value is None
    assert diags == [expected]


def test_share() -> None:
    value, diags = note(
        "---\nlink: https://www.example.com/essay\ndate: 2026-03-05\nvia: maya\n---\nWorth it.\n",
        path="content/shares/essay.md",
        kind="share",
    )
    assert diags == [] and value is not None
    assert value.link is not None
    assert value.link.domain == "example.com" and value.title == "example.com"
    assert value.url == "shares/essay/"
    assert value.via is not None and value.via.person_id == "maya"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (
            None,
            "s.md:1: error: a share needs a 'link'\n  hint: add: link: "
            "https://example.com/the-page",
        ),
        (
            "javascript:alert(1)",
            "s.md:2: error: link 'javascript:alert(1)' is not an http or "
            "https URL\n  hint: links must start with https:// or http://",
        ),
        (
            "example.com/x",
            "s.md:2: error: link 'example.com/x' is not an http or https URL\n"
            "  hint: links must start with https:// or http://",
        ),
    ],
)
def test_bad_shares(link: str | None, expected: str) -> None:
    head = f"link: {link}\n" if link else "title: t\n"
    value, diags = note(f"---\n{head}date: 2026-03-05\n---\n", path="s.md", kind="share")
    assert value is None
    assert diags == [expected]


def test_page() -> None:
    fm, _ = split("---\ntitle: About\nweight: 5\n---\nHi.\n", "content/pages/about.md")
    assert fm is not None
    page, diags = parse_page("content/pages/about.md", fm, MD.render(fm.body))
    assert diags == () and page is not None
    assert (page.url, page.weight, page.nav) == ("about/", 5, True)


def test_person_keeps_private_fields_apart() -> None:
    text = (
        "---\nname: Maya Okafor\nurl: https://maya.example.net/\nfeeds: "
        "[https://maya.example.net/feed.xml]\ninterests: [Letters]\nprivate:\n"
        "  birthday: 1990-04-12\n  notes: secret thing\n---\nMaya writes letters.\n"
    )
    fm, _ = split(text, "content/people/maya.md")
    assert fm is not None
    pair, diags = parse_person("content/people/maya.md", fm, MD.render(fm.body))
    assert diags == () and pair is not None
    person, private = pair
    assert person.id == "maya" and person.interests == ("letters",)
    assert "secret" not in repr(person)
    assert private.fields["notes"] == "secret thing"


def test_person_errors() -> None:
    fm, _ = split("---\nurl: ftp://x\nfeeds: [nope]\n---\n", "content/people/Bad_Id.md")
    assert fm is not None
    pair, diags = parse_person("content/people/Bad_Id.md", fm, MD.render(fm.body))
    assert pair is None
    assert [d.format() for d in diags] == [
        "content/people/Bad_Id.md:1: error: person id 'Bad_Id' (the file name) must be "
        "lowercase letters, digits and hyphens\n  hint: rename the file to bad-id.md",
        "content/people/Bad_Id.md:1: error: a person needs a 'name'\n  hint: add: name: "
        "Maya Okafor",
        "content/people/Bad_Id.md:2: error: url 'ftp://x' is not an http or https URL",
        "content/people/Bad_Id.md:3: error: feed 'nope' is not an http or https URL",
    ]


def test_a_misspelt_private_is_an_error_not_a_publication() -> None:
    fm, _ = split(
        "---\nname: Maya\nprivte:\n  birthday: 1990-04-12\n---\n", "content/people/maya.md"
    )
    assert fm is not None
    pair, diags = parse_person("content/people/maya.md", fm, MD.render(fm.body))
    assert pair is None
    assert [d.format() for d in diags if d.is_error] == [
        "content/people/maya.md:3: error: 'privte' looks like a misspelt 'private:'; refusing "
        "to publish what it holds\n  hint: write private: (everything under it stays on your "
        "machine)"
    ]
