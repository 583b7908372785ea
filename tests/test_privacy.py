"""The leak guard: what counts as a secret, how it is found in the output (escaped, in
JSON, across case and whitespace, on word boundaries), whom it blames, and builds it fails."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from salon_gen.circle.guard import Written, find_leaks, secrets
from salon_gen.cli.main import main
from salon_gen.core.errors import BuildFailed
from salon_gen.core.model import Person, PrivateProfile
from salon_gen.pipeline.build import BuildOptions, build

from .conftest import NOW, REPO, snapshot


def person(pid: str, **kw: object) -> Person:
    base: dict[str, object] = {
        "id": pid,
        "source": f"content/people/{pid}.md",
        "url_path": f"people/{pid}/",
        "name": pid.title(),
    }
    return Person(**(base | kw))  # type: ignore[arg-type]


def profile(pid: str, **fields: object) -> PrivateProfile:
    return PrivateProfile(person_id=pid, source=f"content/people/{pid}.md", fields=fields)


@pytest.mark.parametrize(
    ("written", "forms"),
    [("April 12", ("--04-12",)), ("12 april", ("--04-12",)), ("04-12", ("--04-12",))],
)
def test_a_year_less_birthday_in_words_is_a_date_not_a_text(
    written: str, forms: tuple[str, ...]
) -> None:
    # "april 12" searched as text would fail every build that publishes a note of 12 April
    [found] = secrets([person("maya")], [profile("maya", birthday=written)])
    assert found.forms == forms


def test_a_birthday_in_words_with_a_year_is_searched_in_every_form() -> None:
    [found] = secrets([person("maya")], [profile("maya", birthday="12 April 1988")])
    assert found.forms[0] == "1988-04-12" and "12/04/1988" in found.forms


def test_what_is_secret() -> None:
    found = secrets(
        [person("maya"), person("elsa-l", name="Elsa Lindqvist", url="https://www.elsa.example.net/",
                                feeds=("https://elsa.example.net/feed.xml",), public=False)],
        [
            profile(
                "maya",
                birthday="1988-04-12",
                checkin_every="6 weeks",  # salon's words: not secret
                city="Bristol",  # too short to search without false alarms
                notes="Owes me the fig jam recipe " + "and more " * 5,
                phone=447700900123,
                checkins=[{"date": "2026-09-20", "note": "Postcard from the kiln"}],
                introduced=[{"person": "priya-raman", "date": "2026-06-12"}, "tomas"],
            ),
            profile("tomas", birthday="--02-29"),
        ],
    )  # fmt: skip
    by_what = {s.what: s.forms for s in found}
    born = by_what["private.birthday of content/people/maya.md"]
    assert born[0] == "1988-04-12"
    assert {"12 april 1988", "april 12, 1988", "12/04/1988", "12th april 1988"} <= set(born)
    assert by_what["private.notes of content/people/maya.md"] == (
        "owes me the fig jam recipe and more and more and more and more and more",
        "owes me the fig jam recipe and",  # a truncating template leaks the start
    )
    assert by_what["private.phone of content/people/maya.md"] == ("447700900123",)
    assert by_what["private.checkins[0].note of content/people/maya.md"] == (
        "postcard from the kiln",
    )
    assert by_what["private.birthday of content/people/tomas.md"] == ("--02-29",)
    where = "content/people/elsa-l.md, public: false"
    assert by_what[f"the name of a private person ({where})"] == ("elsa lindqvist",)
    assert by_what[f"the id of a private person ({where})"] == ("people/elsa-l/", "elsa-l")
    assert by_what[f"the site of a private person ({where})"] == ("elsa.example.net",)
    assert by_what[f"the feed of a private person ({where})"] == ("elsa.example.net/feed.xml",)
    assert not any("checkin_every" in w or "city" in w or "introduced" in w for w in by_what)


SECRETS = secrets(
    [person("ann", name="Ann Lee", public=False)],
    [profile("maya", notes='Maya\'s "real" news & more', birthday="1990-04-12")],
)


def leaks(path: str, text: str, written: tuple[Written, ...] = ()) -> list[str]:
    found = find_leaks(
        [(path, text.encode())], SECRETS, producers={path: "templates/x.html"}, written=written
    )
    return [d.format() for d in found]


@pytest.mark.parametrize(
    "text",
    [
        "<p>Maya&#39;s &#34;real&#34; news &amp; more</p>",  # Jinja's escaping
        "<content type='html'>Maya&amp;#39;s &amp;quot;real&amp;quot; news &amp;amp; more",
        '<p>MAYA\'S\n  "REAL"   NEWS &amp; more</p>',  # case and whitespace
        "<p>Born 12 April 1990.</p>",
        "<time datetime='1990-04-12'>",
        "<p>Say hi to Ann Lee!</p>",
    ],
)
def test_found_however_it_is_written(text: str) -> None:
    assert len(leaks("a/index.html", text)) == 1


def test_a_truncated_long_value_is_found() -> None:
    long = secrets(
        [],
        [profile("maya", notes="Her sister is ill again and she does not want to talk about it")],
    )
    page = b"<p>Her sister is ill again and she does&hellip;</p>"
    assert find_leaks([("x/index.html", page)], long, producers={})


def test_found_in_json_escapes() -> None:
    assert leaks("feed.json", '{"t": "Maya\\u0027s \\"real\\" news \\u0026 more"}')


@pytest.mark.parametrize(
    "text",
    ["<p>Annie Leeks announced it</p>", "<p>On 12 April 2026 we met.</p>", "Maya's real news"],
)
def test_not_found_inside_words_or_other_dates(text: str) -> None:
    assert leaks("a/index.html", text) == []


def test_the_written_file_is_blamed_with_its_line() -> None:
    note = Written(path="content/notes/x.md", text="---\ntitle: X\n---\nWalked with\nAnn Lee.\n")
    assert leaks("notes/x/index.html", "<p>Walked with Ann Lee.</p>", (note,)) == [
        "content/notes/x.md:5: error: the name of a private person (content/people/ann.md, "
        "public: false) is published in site/notes/x/index.html\n"
        "  hint: this file is published, and that person is not: leave them out, or keep it "
        "a draft"
    ]
    assert leaks("notes/x/index.html", "<p>Hi Ann Lee</p>") == [
        "templates/x.html: error: the name of a private person (content/people/ann.md, "
        "public: false) is published in site/notes/x/index.html\n"
        "  hint: private fields never reach templates, so the template itself (or one it "
        "includes or extends) holds it: take it out"
    ]


LEAKY_THEME = """\
{% extends "default/person.html" %}
{% block content %}
{% if person.id == "maya-okafor" %}<p>Born on 12 April 1988.</p>{% endif %}
{{ super() }}
{% endblock %}
"""


def _demo(root: Path) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "salon.toml", root / "salon.toml")
    shutil.copytree(REPO / "themes", root / "themes")
    return root


def test_a_theme_template_printing_a_birthday_fails_the_build(tmp_path: Path) -> None:
    root = _demo(tmp_path / "demo")
    build(root, now=NOW, options=BuildOptions(offline=True))
    before = snapshot(root / "site")
    calendar_before = (root / "private/salon.ics").read_bytes()
    (root / "themes/leaky/templates").mkdir(parents=True)
    (root / "themes/leaky/templates/person.html").write_text(LEAKY_THEME)
    config = (root / "salon.toml").read_text()
    (root / "salon.toml").write_text(config.replace('theme = "reading-room"', 'theme = "leaky"'))
    with pytest.raises(BuildFailed) as failed:
        build(root, now=NOW, options=BuildOptions(offline=True))
    [d] = failed.value.diagnostics
    assert (d.path, d.line) == ("themes/leaky/templates/person.html", 3)
    assert d.message.startswith(
        "private.birthday of content/people/maya-okafor.md is published in "
        "site/people/maya-okafor/index.html"
    )
    assert snapshot(root / "site") == before  # nothing written
    assert (root / "private/salon.ics").read_bytes() == calendar_before

    # The CLI says so, exit 1
    result = CliRunner().invoke(main, ["build", "--source", str(root), "--offline"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "themes/leaky/templates/person.html:3: error: private.birthday of "
        "content/people/maya-okafor.md is published in site/people/maya-okafor/index.html"
    )
    assert "nothing was written, the previous site is untouched" in result.stderr


def test_a_template_that_prints_a_private_note_is_named(make_salon: Callable[..., Path]) -> None:
    root = make_salon(
        {
            "content/people/maya.md": "---\nname: Maya\nprivate:\n  notes: Her sister is ill\n---",
            "themes/t/templates/people.html": "{% extends 'default/people.html' %}"
            "{% block content %}<!-- her sister is ill -->{{ super() }}{% endblock %}",
        },
        config="title = 'T'\nbase_url = 'https://e.org/'\ntheme = 't'\n[author]\nname = 'A'\n",
    )
    with pytest.raises(BuildFailed) as failed:
        build(root, now=NOW, options=BuildOptions(offline=True))
    assert [(d.path, d.line) for d in failed.value.diagnostics] == [
        ("themes/t/templates/people.html", 1)
    ]
    assert not (root / "site").exists()


def test_a_published_note_naming_a_private_person_is_blamed(tmp_path: Path) -> None:
    root = _demo(tmp_path / "demo")
    note = root / "content/notes/2026-11-01-walk.md"
    note.write_text(
        "---\ntitle: A walk\ndate: 2026-11-01\n---\nA long walk\nwith Elsa Lindqvist.\n"
    )
    with pytest.raises(BuildFailed) as failed:
        build(root, now=NOW, options=BuildOptions(offline=True))
    [d] = failed.value.diagnostics
    assert (d.path, d.line) == ("content/notes/2026-11-01-walk.md", 6)
    assert d.message.startswith(
        "the name of a private person (content/people/elsa-lindqvist.md, public: false) is "
        "published in site/"
    )
    note.write_text(note.read_text().replace("---\nA long", "draft: true\n---\nA long"))
    build(root, now=NOW, options=BuildOptions(offline=True))  # a draft is not published


def test_a_private_person_is_nowhere_in_the_demo(tmp_path: Path) -> None:
    root = _demo(tmp_path / "demo")
    result = build(root, now=NOW, options=BuildOptions(offline=True))
    elsa = (root / "content/people/elsa-lindqvist.md").read_text()
    assert "public: false" in elsa  # or this test proves nothing
    needles = ["Elsa Lindqvist", "elsa-lindqvist", "elsa.example.net", "Lindqvist"]
    files = snapshot(result.output)
    kinds = {Path(p).suffix for p in files}
    assert {".html", ".xml", ".json", ".opml", ".txt"} <= kinds  # pages, feeds, blogroll, sitemap
    for path, (data, _) in files.items():
        text = data.decode("utf-8", "replace").casefold()
        for needle in needles:
            assert needle.casefold() not in text, f"{needle} in {path}"
