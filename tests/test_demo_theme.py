"""The demo salon's own theme (themes/reading-room/) overrides one template by extending the
default theme's: the override's addition and everything the default template renders are both
on the page, and every other page still comes from the default theme."""

from __future__ import annotations

from pathlib import Path

import html5lib

from .conftest import REPO


def _text(path: Path) -> str:
    tree = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
    return " ".join("".join(tree.itertext()).split())


def test_the_demo_chooses_its_theme_and_the_theme_extends_the_default() -> None:
    template = (REPO / "themes" / "reading-room" / "templates" / "person.html").read_text()
    assert '{% extends "default/person.html" %}' in template
    assert "{{ super() }}" in template
    assert 'theme = "reading-room"' in (REPO / "salon.toml").read_text()
    # one template overridden, nothing copied wholesale
    overridden = sorted(p.name for p in (REPO / "themes" / "reading-room").rglob("*.html"))
    assert overridden == ["person.html"]


def test_a_person_page_has_the_default_content_and_the_override(demo_site: Path) -> None:
    people = sorted((demo_site / "people").glob("*/index.html"))
    assert people
    for page in people:
        text = _text(page)
        assert "People in the salon" in text  # the default template, through super()
        assert "Recently" in text
        assert "people in this salon. Browse the salon by interest." in text  # the override


def test_other_pages_come_from_the_default_theme(demo_site: Path) -> None:
    home = _text(demo_site / "index.html")
    assert "Latest notes" in home
    assert "people in this salon" not in home
