from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from salon_gen.content.parse import parse_note, parse_page, parse_person
from salon_gen.core.config import parse_config
from salon_gen.core.model import Config, Note
from salon_gen.text.frontmatter import split
from salon_gen.text.markdown import MarkdownRenderer

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
    assert value.tags == ("Letters", "friends")  # as written
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
    fm, _ = split(
        "---\nurl: ftp://x\nfeeds: [nope.xml, ../out.xml, /etc/feed.xml, file:x.xml]\n---\n",
        "content/people/Bad_Id.md",
    )
    assert fm is not None
    pair, diags = parse_person("content/people/Bad_Id.md", fm, MD.render(fm.body))
    assert pair is None
    assert [d.format() for d in diags] == [
        "content/people/Bad_Id.md:1: error: person id 'Bad_Id' (the file name) must be "
        "lowercase letters, digits and hyphens\n  hint: rename the file to bad-id.md",
        "content/people/Bad_Id.md:1: error: a person needs a 'name'\n  hint: add: name: "
        "Maya Okafor",
        "content/people/Bad_Id.md:2: error: url 'ftp://x' is not an http or https URL",
        # nope.xml is a file in the salon folder: fine here, read (or warned about) later
        "content/people/Bad_Id.md:3: error: feed '../out.xml' is not a file inside the salon "
        "folder\n  hint: a local feed is a path relative to the salon folder, like "
        "feeds/ada.xml (no '..', not absolute)",
        "content/people/Bad_Id.md:3: error: feed '/etc/feed.xml' is not a file inside the "
        "salon folder\n  hint: a local feed is a path relative to the salon folder, like "
        "feeds/ada.xml (no '..', not absolute)",
        "content/people/Bad_Id.md:3: error: feed 'file:x.xml' is not an http or https URL",
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


# --- what other generators write: read natively ------------------------------------------


def test_capitalised_keys_are_read_like_lowercase_ones() -> None:
    value, diags = note("---\nTitle: Hugo post\nDate: 2019-03-05\nTags: [Go, Web]\n---\nx\n")
    assert diags == []
    assert value is not None
    assert (value.title, value.tags) == ("Hugo post", ("Go", "Web"))


def test_a_key_given_twice_in_two_cases_is_an_error() -> None:
    fm, diags = split("---\ntitle: a\nTitle: b\ndate: 2026-01-01\n---\n", "p.md")
    assert fm is None
    assert [d.format() for d in diags] == [
        "p.md:3: error: front-matter key 'Title' is given twice "
        "(keys ignore case; first on line 2)\n  hint: keep one of them"
    ]


def test_pelican_header() -> None:
    text = (
        "Title: My super title\nDate: 2010-12-03 10:20\nModified: 2010-12-05 19:30\n"
        "Category: Python\nTags: pelican, publishing\nSlug: my-super-post\n"
        "Summary: Short version for index and feeds\n   that goes on.\n\nThis is the content.\n"
    )
    value, diags = note(text, path="content/notes/my-post.md")
    assert diags == []
    assert value is not None
    assert value.title == "My super title"
    assert value.date == datetime(2010, 12, 3, 10, 20, tzinfo=ZONE).astimezone(UTC)
    assert value.updated == datetime(2010, 12, 5, 19, 30, tzinfo=ZONE).astimezone(UTC)
    assert value.tags == ("pelican", "publishing", "Python")
    assert value.slug == "my-super-post"
    assert value.summary == "Short version for index and feeds that goes on."
    assert value.html == "<p>This is the content.</p>\n"
    fm, _ = split(text, "p.md")
    assert fm is not None and fm.body_line == 10 and fm.line_of("Tags") == 5


def test_prose_that_starts_with_a_colon_is_not_a_header() -> None:
    fm, diags = split("Note: this is prose.\n", "p.md")
    assert fm is not None and fm.format == "none" and diags == ()


def test_fences_with_trailing_spaces_and_the_yaml_end_marker() -> None:
    value, diags = note("--- \ntitle: Spaced\ndate: 2026-03-05\n...\nBody\n")
    assert diags == []
    assert value is not None and value.title == "Spaced"
    assert value.html == "<p>Body</p>\n"


def test_date_from_a_jekyll_file_name_and_title_from_its_words() -> None:
    value, diags = note(
        "---\nlayout: post\n---\nHello.\n", path="content/notes/2019-03-05-a-trip.md"
    )
    assert diags == []
    assert value is not None
    assert value.date == datetime(2019, 3, 5, tzinfo=ZONE).astimezone(UTC)
    assert (value.title, value.slug) == ("A trip", "a-trip")


def test_jekyll_dates_with_a_spaced_offset() -> None:
    value, _ = note("---\ntitle: t\ndate: 2014-01-27 21:12:00 -0800\n---\n")
    assert value is not None
    assert value.date == datetime(2014, 1, 28, 5, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("front", "tags"),
    [
        ("tags: [a, b]\ncategories: [c]", ("a", "b", "c")),
        ("tags: machine learning, python", ("machine learning", "python")),
        ("tags: machine learning", ("machine learning",)),  # salon's own note: one tag
        ("layout: post\ntags: jekyll ruby", ("jekyll", "ruby")),  # a Jekyll post: words
        ("categories: essays travel", ("essays", "travel")),
        ("category: Python", ("Python",)),
        # case folds only to find repeats: the first spelling stays
        ("tags: [C, c, C#, c#, C++]", ("C", "C#", "C++")),
    ],
)
def test_tags_and_categories_in_every_form(front: str, tags: tuple[str, ...]) -> None:
    value, diags = note(f"---\ntitle: t\ndate: 2026-01-01\n{front}\n---\n", "content/notes/t.md")
    assert diags == []
    assert value is not None and value.tags == tags


def test_tags_of_a_jekyll_file_name_split_on_spaces() -> None:
    value, _ = note("---\ntitle: t\ntags: a b\n---\n", path="content/notes/2019-01-01-x.md")
    assert value is not None and value.tags == ("a", "b")


def test_a_bundle_is_named_by_its_folder() -> None:
    value, diags = note(
        "---\ntitle: t\ndate: 2026-01-01\n---\n", path="content/notes/trip/index.md"
    )
    assert diags == []
    assert value is not None and (value.slug, value.url) == ("trip", "notes/trip/")
    top, _ = note("---\ntitle: t\ndate: 2026-01-01\n---\n", path="content/notes/index.md")
    assert top is not None and top.slug == "index"


@pytest.mark.parametrize(
    ("front", "draft", "private"),
    [
        ("draft: true", True, False),
        ("draft: false", False, False),
        ("published: false", True, False),
        ("published: true", False, False),
        ("status: draft", True, False),
        ("status: hidden", True, False),
        ("status: skip", False, True),
        ("status: published", False, False),
        ("Status: Draft", True, False),
        ("private: true", False, True),
    ],
)
def test_every_way_of_saying_not_published(front: str, draft: bool, private: bool) -> None:
    value, diags = note(f"---\ntitle: t\ndate: 2026-01-01\n{front}\n---\n")
    assert diags == []
    assert value is not None
    assert (value.draft, value.private) == (draft, private)
    assert value.is_live(datetime(2027, 1, 1, tzinfo=UTC)) is not (draft or private)


def test_pelican_status_draft_in_a_header() -> None:
    value, diags = note("Title: t\nDate: 2026-01-01\nStatus: draft\n\nx\n")
    assert diags == [] and value is not None and value.draft


def test_hugo_publish_and_expiry_dates() -> None:
    value, diags = note(
        "+++\ntitle = 't'\ndate = 2026-01-01\npublishDate = 2026-06-01\n"
        "expiryDate = 2026-09-01\n+++\n"
    )
    assert diags == []
    assert value is not None
    assert value.publish_date == datetime(2026, 6, 1, tzinfo=ZONE).astimezone(UTC)
    assert value.expires == datetime(2026, 9, 1, tzinfo=ZONE).astimezone(UTC)
    assert not value.is_live(datetime(2026, 5, 1, tzinfo=UTC))
    assert value.is_live(datetime(2026, 7, 1, tzinfo=UTC))
    assert not value.is_live(datetime(2026, 9, 2, tzinfo=UTC))


def test_publish_date_alone_dates_the_note() -> None:
    value, diags = note("---\ntitle: t\npublishDate: 2026-02-02\n---\n")
    assert diags == [] and value is not None
    assert value.date == datetime(2026, 2, 2, tzinfo=ZONE).astimezone(UTC)


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        (
            "status: review",
            "p.md:4: error: status: unknown value 'review'; refusing to guess whether to "
            "publish\n  hint: use draft, hidden, skip or published",
        ),
        (
            "published: someday",
            "p.md:4: error: published: expected true, false or a date, got 'someday'\n"
            "  hint: published: false keeps it unpublished; a date publishes it then",
        ),
        (
            "private: maybe",
            "p.md:4: error: private: expected true or false, got 'maybe'",
        ),
        (
            "expiryDate: 2026-13-01",
            "p.md:4: error: expirydate: impossible date '2026-13-01': month must be in 1..12\n"
            "  hint: write dates as 2026-03-05 or 2026-03-05 14:30",
        ),
        (
            "aliases: [/ok/, ../../etc/passwd]",
            "p.md:4: error: aliases: '../../etc/passwd' is not a path on this site\n"
            "  hint: write old URLs as paths, e.g. /2019/03/05/old-title.html",
        ),
    ],
)
def test_publication_values_salon_cannot_read_are_errors(front: str, expected: str) -> None:
    value, diags = note(f"---\ntitle: t\ndate: 2026-01-01\n{front}\n---\n", path="p.md")
    assert value is None
    assert diags == [expected]


def test_aliases_redirect_from_and_permalink() -> None:
    value, diags = note(
        "---\ntitle: t\ndate: 2026-01-01\naliases: [/posts/old/, /2019/03/05/t.html]\n"
        "redirect_from: /older/\npermalink: https://old.example.com/blog/t/\n---\n",
        path="content/notes/t.md",
    )
    assert diags == []
    assert value is not None
    assert value.aliases == ("posts/old/", "2019/03/05/t.html", "older/", "blog/t/")
    same, _ = note(
        "---\ntitle: t\ndate: 2026-01-01\naliases: /notes/t/\n---\n", "content/notes/t.md"
    )
    assert same is not None and same.aliases == ()  # its own URL needs no redirect


def test_leftover_template_syntax_is_a_warning_with_its_line() -> None:
    value, diags = note(
        "---\ntitle: t\ndate: 2026-01-01\n---\nIntro.\n\n{% highlight ruby %}\n"
        '{{< figure src="x.png" >}}\nSee `{% raw %}` and {{ site.baseurl }}/x.\n'
        "{: .note}\n\n```\n{% in code %}\n```\n![a]({{ '/x.png' | relative_url }})\n"
        "{{ page.title | upcase }} and {{ x }}\n",
        path="p.md",
    )
    assert value is not None
    hint = (
        "\n  hint: salon does not run templates: 'salon import' converts a whole old site, "
        "or put it in `code` to show it"
    )
    assert diags == [
        "p.md:7: warning: a Liquid tag is left in the text: {% highlight ruby %}" + hint,
        'p.md:8: warning: a Hugo shortcode is left in the text: {{< figure src="x.png" >}}' + hint,
        "p.md:9: warning: a Liquid or Hugo template expression is left in the text: "
        "{{ site.baseurl }}" + hint,
        "p.md:10: warning: a kramdown attribute list is left in the text: {: .note}" + hint,
        "p.md:15: warning: a Liquid or Hugo template expression is left in the text: "
        "{{ '/x.png' | relative_url }}" + hint,
        "p.md:16: warning: a Liquid or Hugo template expression is left in the text: "
        "{{ page.title | upcase }}" + hint,
    ]


def test_an_empty_slug_is_the_default_and_harmless_characters_are_tamed() -> None:
    value, diags = note("Title: t\nDate: 2026-01-01\nSlug:\n\nx\n", path="content/notes/my-post.md")
    assert diags == [] and value is not None and value.slug == "my-post"
    value, diags = note("---\ntitle: t\ndate: 2026-01-01\nslug: web+pwn\n---\n", path="p.md")
    assert value is not None and value.slug == "web-pwn"
    assert diags == [
        "p.md:4: warning: slug 'web+pwn' has characters salon keeps out of URLs; it is "
        "published as 'web-pwn'\n  hint: write slug: web-pwn (and aliases: for the old URL)"
    ]


def test_a_page_honours_publication_and_aliases() -> None:
    fm, _ = split("---\ntitle: About\nPublished: false\naliases: [/about-me/]\n---\n", "p.md")
    assert fm is not None
    page, diags = parse_page("content/pages/about.md", fm, MD.render(fm.body))
    assert diags == ()
    assert page is not None and page.draft and page.aliases == ("about-me/",)
