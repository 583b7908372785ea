"""Incremental rebuilds (the preview's): after every kind of edit, the folder the preview
keeps up to date must hold exactly what a clean `salon build` of the same salon writes, byte
for byte, while rendering only the pages the edit touched."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from salon_gen.core.errors import BuildFailed
from salon_gen.core.model import ChangeKind
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.pipeline.engine import Engine, RebuildReport

from .conftest import MINIMAL_CONFIG, NOW, write_tree

NOTE = "---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\n{body}\n"


def note(title: str, date: str, body: str, tags: str = "letters") -> str:
    return NOTE.format(title=title, date=date, body=body, tags=tags)


def _numbered() -> dict[str, str | bytes]:
    """Twelve notes, 2026-01-01 to 2026-03-04, every one but the first linking another."""
    files: dict[str, str | bytes] = {}
    for m in range(1, 4):
        for d in range(1, 5):
            body = f"Body of note {m}.{d}, after [the linked one](linked.md)."
            tags = "letters" if d % 2 else "letters, friendship"
            path = f"content/notes/2026-0{m}-0{d}-n{m}{d}.md"
            files[path] = note(f"Note {m}.{d}", f"2026-0{m}-0{d}", body, tags)
    return files


SALON: dict[str, str | bytes] = {
    "salon.toml": MINIMAL_CONFIG,
    **_numbered(),
    "content/notes/linked.md": note("Linked", "2025-12-01", "The one they link to."),
    "content/shares/2026-02-10-a-link.md": (
        "---\nlink: https://example.com/essay\ntitle: An essay\ndate: 2026-02-10\n"
        "via: maya\ntags: [reading]\n---\nWorth it.\n"
    ),
    "content/people/maya.md": (
        "---\nname: Maya Okafor\nurl: https://maya.example.net/\ninterests: [letters]\n"
        "private:\n  birthday: 1990-04-12\n---\nA friend.\n"
    ),
    "content/pages/about.md": "---\ntitle: About\n---\nAbout this salon.\n",
    "content/static/hello.txt": "hello\n",
}


@dataclass
class Preview:
    root: Path
    inc: Engine
    out: Path

    def rebuild(self, *changed: str, kind: ChangeKind = "content") -> RebuildReport:
        return self.inc.rebuild({str(self.root / c): kind for c in changed}, now=NOW)

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    root = write_tree(tmp_path / "salon", SALON)
    out = tmp_path / "preview" / "site"
    out.parent.mkdir()
    inc = Engine(root, out)
    yield Preview(root=root, inc=inc, out=out)


@pytest.fixture
def same_as_clean(tmp_path: Path, preview: Preview) -> Callable[[], None]:
    """Assert the preview folder equals a clean build of the salon as it is now."""
    n = 0

    def check() -> None:
        nonlocal n
        n += 1
        clean = tmp_path / f"clean-{n}"
        # a clean build: nothing kept but the entry-id ledger, an input like content/
        for kept in (preview.root / ".salon").glob("*"):
            if kept.name != "entry-ids.json":
                shutil.rmtree(kept) if kept.is_dir() else kept.unlink()
        build(preview.root, now=NOW, options=BuildOptions(offline=True, output=clean))
        want, got = tree(clean), tree(preview.out)
        assert sorted(got) == sorted(want)
        for path in want:
            assert got[path] == want[path], f"{path} differs from a clean build"
        assert folders(preview.out) == folders(clean), "a removed page left its folder"

    return check


def test_first_rebuild_is_a_full_build(preview: Preview, same_as_clean: Callable[[], None]) -> None:
    report = preview.rebuild()
    assert report.full and report.rendered == report.pages > 20
    same_as_clean()


def test_nothing_changed_renders_and_writes_nothing(preview: Preview) -> None:
    preview.rebuild()
    report = preview.rebuild()
    assert (report.full, report.rendered, report.written, report.removed) == (False, 0, 0, 0)
    assert report.unchanged


def test_a_body_edit_renders_only_the_pages_that_show_it(
    preview: Preview, same_as_clean: Callable[[], None]
) -> None:
    first = preview.rebuild()
    before = os.stat(preview.out / "notes/n22/index.html").st_ino
    rel = "content/notes/2026-02-02-n22.md"
    preview.write(rel, note("Note 2.2", "2026-02-02", "A new body.", "letters, friendship"))
    report = preview.rebuild(rel)
    # its page, its neighbours (they link it), and the lists that show it: not the others
    assert 3 <= report.rendered < first.pages / 2
    assert b"A new body." in (preview.out / "notes/n22/index.html").read_bytes()
    # pages that do not show it were not rewritten
    assert os.stat(preview.out / "notes/n22/index.html").st_ino != before
    same_as_clean()


def test_edits_of_every_kind_match_a_clean_build(
    preview: Preview, same_as_clean: Callable[[], None]
) -> None:
    preview.rebuild()
    steps: list[tuple[str, Callable[[], list[str]]]] = []

    def step(name: str) -> Callable[[Callable[[], list[str]]], Callable[[], list[str]]]:
        def add(fn: Callable[[], list[str]]) -> Callable[[], list[str]]:
            steps.append((name, fn))
            return fn

        return add

    n13 = "content/notes/2026-01-03-n13.md"

    @step("title")
    def _() -> list[str]:
        preview.write(n13, note("A brand new title", "2026-01-03", "Body of note 1.3."))
        return [n13]

    @step("date moves it to the top")
    def _() -> list[str]:
        preview.write(n13, note("A brand new title", "2026-06-30", "Body of note 1.3."))
        return [n13]

    @step("a new tag")
    def _() -> list[str]:
        preview.write(n13, note("A brand new title", "2026-06-30", "Body.", "letters, soup"))
        return [n13]

    @step("a new note")
    def _() -> list[str]:
        rel = "content/notes/deep/2026-07-01-fresh.md"
        preview.write(rel, note("Fresh", "2026-07-01", "Brand new.", "soup"))
        return [rel]

    @step("a note deleted")
    def _() -> list[str]:
        rel = "content/notes/2026-03-04-n34.md"
        (preview.root / rel).unlink()
        return [rel]

    @step("a note made a draft")
    def _() -> list[str]:
        rel = "content/notes/2026-03-03-n33.md"
        preview.write(rel, "---\ntitle: Later\ndate: 2026-03-03\ndraft: true\n---\nNot yet.\n")
        return [rel]

    @step("a person renamed")
    def _() -> list[str]:
        rel = "content/people/maya.md"
        text = (preview.root / rel).read_text().replace("Maya Okafor", "Maya O.")
        preview.write(rel, text)
        return [rel]

    @step("a page edited")
    def _() -> list[str]:
        preview.write("content/pages/about.md", "---\ntitle: About us\n---\nNew words.\n")
        return ["content/pages/about.md"]

    @step("a static file added and one removed")
    def _() -> list[str]:
        preview.write("content/static/img/new.txt", "new\n")
        (preview.root / "content/static/hello.txt").unlink()
        return ["content/static/img/new.txt", "content/static/hello.txt"]

    @step("a share's commentary")
    def _() -> list[str]:
        rel = "content/shares/2026-02-10-a-link.md"
        text = (preview.root / rel).read_text().replace("Worth it.", "Worth it twice.")
        preview.write(rel, text)
        return [rel]

    for name, fn in steps:
        changed = fn()
        report = preview.rebuild(*changed)
        # a person file changes what the leak guard looks for: every page is checked again
        assert report.full == (name == "a person renamed"), name
        same_as_clean()


def test_a_template_that_reads_site_notes_is_rendered_again_everywhere(
    preview: Preview, same_as_clean: Callable[[], None]
) -> None:
    """A theme may show anything of `site` on any page (here: the latest titles in the
    <head> of every page that keeps the base template's head block). A title edit must then
    re-render every one of them."""
    preview.write("salon.toml", MINIMAL_CONFIG.replace("[author]", 'theme = "mine"\n\n[author]'))
    preview.write(
        "themes/mine/templates/base.html",
        '{% extends "default/base.html" %}{% block head %}<meta name="latest" content="'
        '{% for n in site.notes[:3] %}{{ n.title }};{% endfor %}">{% endblock %}',
    )
    first = preview.rebuild()
    same_as_clean()
    rel = "content/notes/2026-03-04-n34.md"  # the newest note
    preview.write(rel, note("Renamed newest", "2026-03-04", "Body of note 3.4."))
    report = preview.rebuild(rel)
    showing = [p for p, data in tree(preview.out).items() if b'name="latest"' in data]
    assert len(showing) >= first.pages / 2
    assert report.rendered >= len(showing)
    same_as_clean()
    # a body edit changes `site.notes` too (the html is part of the note): still correct
    preview.write(rel, note("Renamed newest", "2026-03-04", "Other words."))
    preview.rebuild(rel)
    same_as_clean()


def test_config_changes_start_over_and_template_edits_render_their_users(
    preview: Preview, same_as_clean: Callable[[], None]
) -> None:
    preview.rebuild()
    preview.write("themes/mine/templates/note.html", "<p>{{ note.title }}</p>\n")
    preview.write("salon.toml", MINIMAL_CONFIG.replace("[author]", 'theme = "mine"\n\n[author]'))
    report = preview.rebuild("salon.toml", kind="config")
    assert report.full
    same_as_clean()

    # a template: only the pages that use it (the notes, not the share or the lists)
    preview.write("themes/mine/templates/note.html", "<p>Title: {{ note.title }}</p>\n")
    report = preview.rebuild("themes/mine/templates/note.html", kind="theme")
    notes = len(list((preview.out / "notes").glob("*/index.html")))
    assert (report.full, report.rendered) == (False, notes)
    assert (preview.out / "notes/n22/index.html").read_text() == "<p>Title: Note 2.2</p>\n"
    same_as_clean()

    # a partial every page of the default theme imports: every page that used it
    preview.write(
        "themes/mine/templates/partials/icons.html",
        '{% macro feed() %}<span class="icon">~</span>{% endmacro %}\n',
    )
    report = preview.rebuild("themes/mine/templates/partials/icons.html", kind="theme")
    assert not report.full and notes < report.rendered < report.pages
    same_as_clean()

    # the override removed: the default template again, for the pages that used it
    (preview.root / "themes/mine/templates/partials/icons.html").unlink()
    preview.rebuild("themes/mine/templates/partials/icons.html", kind="theme")
    same_as_clean()

    # a stylesheet: copied, no page rendered
    preview.write("themes/mine/static/extra.css", "body { color: teal }\n")
    report = preview.rebuild("themes/mine/static/extra.css", kind="theme")
    assert (report.full, report.rendered, report.written) == (False, 0, 1)
    same_as_clean()

    # another theme's folder shows nowhere
    preview.write("themes/other/templates/note.html", "<p>other</p>\n")
    report = preview.rebuild("themes/other/templates/note.html", kind="theme")
    assert report.unchanged
    same_as_clean()


def test_an_edit_the_stamp_cannot_see_is_caught_by_the_watcher_s_word(
    preview: Preview, same_as_clean: Callable[[], None]
) -> None:
    """Same size, same mtime (a coarse clock, two saves within a tick): the file is named by
    the watcher, so it is read again."""
    preview.rebuild()
    rel = "content/notes/2026-02-02-n22.md"
    path = preview.root / rel
    st = path.stat()
    text = path.read_text().replace("Body of note 2.2", "Body of note 9.9")
    path.write_text(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert preview.rebuild().rendered == 0  # stamps alone: unseen (inode and size same too)
    preview.rebuild(rel)
    assert b"note 9.9" in (preview.out / "notes/n22/index.html").read_bytes()
    same_as_clean()


def test_a_broken_edit_fails_and_leaves_the_last_good_build(
    preview: Preview, same_as_clean: Callable[[], None]
) -> None:
    preview.rebuild()
    before = tree(preview.out)
    rel = "content/notes/2026-02-02-n22.md"
    preview.write(rel, "---\ntitle: [unclosed\ndate: 2026-02-02\n---\nx\n")
    with pytest.raises(BuildFailed) as failed:
        preview.rebuild(rel)
    assert any(d.path == rel and d.line for d in failed.value.diagnostics)
    assert tree(preview.out) == before
    preview.write(rel, note("Fixed", "2026-02-02", "Fixed body."))
    report = preview.rebuild(rel)
    assert not report.full
    same_as_clean()


def test_the_leak_guard_runs_on_every_rebuild(preview: Preview) -> None:
    """A note edit that would publish a private value fails like `salon build` does, naming
    the file, and the preview keeps its last good build."""
    preview.rebuild()
    before = tree(preview.out)
    rel = "content/notes/2026-02-02-n22.md"
    preview.write(rel, note("Note 2.2", "2026-02-02", "Maya was born on 1990-04-12."))
    with pytest.raises(BuildFailed) as failed:
        preview.rebuild(rel)
    errors = [d for d in failed.value.diagnostics if d.is_error]
    assert errors and all(d.path == rel for d in errors)
    assert "birthday" in errors[0].message
    assert tree(preview.out) == before


def test_bundles_aliases_and_publication_edits_match_a_clean_build(
    preview: Preview, same_as_clean: Callable[[], None]
) -> None:
    """Issue 10's edits: old URLs added and removed, a note becoming a bundle, a bundle's
    files added, changed and removed, a note scheduled, expired and made private."""
    preview.rebuild()
    n13 = "content/notes/2026-01-03-n13.md"
    trip = "content/notes/trip/index.md"
    png = "content/notes/trip/images/view.png"
    steps: list[tuple[str, Callable[[], list[str]]]] = []

    def alias_added() -> list[str]:
        text = note("Note 1.3", "2026-01-03", "Body of note 1.3.")
        preview.write(n13, text.replace("tags:", "aliases: [/2026/old-n13.html, /old/n13/]\ntags:"))
        return [n13]

    def alias_removed() -> list[str]:
        text = note("Note 1.3", "2026-01-03", "Body of note 1.3.")
        preview.write(n13, text.replace("tags:", "aliases: [/old/n13/]\ntags:"))
        return [n13]

    def bundle_made() -> list[str]:
        preview.write(trip, note("Trip", "2026-02-20", "![view](images/view.png) [m](map.txt)"))
        preview.write("content/notes/trip/map.txt", "a map\n")
        return [trip, "content/notes/trip/map.txt"]

    def resource_added() -> list[str]:
        (preview.root / png).parent.mkdir(parents=True, exist_ok=True)
        (preview.root / png).write_bytes(b"\x89PNG one")
        return [png]

    def resource_changed() -> list[str]:
        (preview.root / png).write_bytes(b"\x89PNG two, longer")
        return [png]

    def resource_removed() -> list[str]:
        (preview.root / "content/notes/trip/map.txt").unlink()
        return ["content/notes/trip/map.txt"]

    def bundle_made_draft() -> list[str]:
        preview.write(
            trip,
            note("Trip", "2026-02-20", "![view](images/view.png)").replace(
                "tags:", "draft: true\ntags:"
            ),
        )
        return [trip]

    def scheduled() -> list[str]:
        text = note("Note 1.3", "2026-01-03", "Body.").replace(
            "tags:", "publishDate: 2027-01-01\ntags:"
        )
        preview.write(n13, text)
        return [n13]

    def expired() -> list[str]:
        text = note("Note 1.3", "2026-01-03", "Body.").replace(
            "tags:", "expiryDate: 2026-02-01\ntags:"
        )
        preview.write(n13, text)
        return [n13]

    def made_private() -> list[str]:
        rel = "content/notes/2026-02-02-n22.md"
        text = note("Note 2.2", "2026-02-02", "Mine.").replace("tags:", "private: true\ntags:")
        preview.write(rel, text)
        return [rel]

    steps += [
        ("alias added", alias_added),
        ("alias removed", alias_removed),
        ("bundle made", bundle_made),
        ("resource added", resource_added),
        ("resource changed", resource_changed),
        ("resource removed", resource_removed),
        ("bundle made a draft", bundle_made_draft),
        ("scheduled", scheduled),
        ("expired", expired),
        ("made private", made_private),
    ]
    for name, fn in steps:
        changed = fn()
        preview.rebuild(*changed)
        same_as_clean()
        if name == "alias added":
            assert (preview.out / "2026/old-n13.html").exists()
        if name == "alias removed":
            assert not (preview.out / "2026").exists()
        if name == "resource changed":
            assert (
                preview.out / "notes/trip/images/view.png"
            ).read_bytes() == b"\x89PNG two, longer"
        if name == "bundle made a draft":
            assert not (preview.out / "notes/trip").exists()
