"""Reading the salon folder: symlinks. Nothing outside the salon folder is ever published: a
symlink under content/ or themes/<name>/ that resolves outside it, at nothing, or in a loop
is an error naming it; one that stays inside is followed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from salon_gen.content import sources
from salon_gen.core.errors import BuildFailed, Diagnostic
from salon_gen.core.model import StaticFile
from salon_gen.pipeline import write
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.pipeline.engine import Engine

from .conftest import NOW

MakeSalon = Callable[..., Path]

NOTE = "---\ntitle: {t}\ndate: 2026-01-0{d}\n---\nBody {t}.\n"
OUTSIDE_HINT = "  hint: copy the file into the salon folder instead of linking to it"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the salon, holding what must never be published."""
    folder = tmp_path / "outside"
    (folder / "secrets").mkdir(parents=True)
    (folder / "passwd").write_text("root:x:0:0\n", encoding="utf-8")
    (folder / "secrets" / "key.txt").write_text("the key\n", encoding="utf-8")
    (folder / "note.md").write_text(NOTE.format(t="Stray", d=9), encoding="utf-8")
    return folder


def formatted(diags: tuple[Diagnostic, ...] | list[Diagnostic]) -> list[str]:
    return [d.format() for d in diags]


def test_a_static_file_linked_from_outside_is_an_error(
    make_salon: MakeSalon, outside: Path
) -> None:
    root = make_salon({"content/static/ok.txt": "ok\n"})
    os.symlink(outside / "passwd", root / "content/static/x.png")
    tree, diags = sources.read_content(root)
    assert formatted(diags) == [
        "content/static/x.png: error: symlink points outside the salon folder "
        f"({outside / 'passwd'}): refusing to publish it\n" + OUTSIDE_HINT
    ]
    assert [s.dest for s in tree.statics] == ["static/ok.txt"]


def test_a_folder_linked_from_outside_is_an_error_not_silently_skipped(
    make_salon: MakeSalon, outside: Path
) -> None:
    root = make_salon({"content/static/ok.txt": "ok\n"})
    os.symlink(outside / "secrets", root / "content/static/img")
    _, diags = sources.read_content(root)
    assert [d.path for d in diags] == ["content/static/img"]
    assert f"outside the salon folder ({outside / 'secrets'})" in diags[0].message


def test_markdown_linked_from_outside_is_an_error_in_every_kind(
    make_salon: MakeSalon, outside: Path
) -> None:
    root = make_salon(
        {
            "content/notes/a.md": NOTE.format(t="A", d=1),
            "content/pages/p.md": "",
            "content/people/.keep": "",
        }
    )
    os.symlink(outside / "note.md", root / "content/notes/stray.md")
    (root / "content/shares/2026").mkdir(parents=True)
    os.symlink(outside / "note.md", root / "content/shares/2026/stray.md")
    os.symlink(outside / "note.md", root / "content/pages/stray.md")
    os.symlink(outside / "note.md", root / "content/people/stray.md")
    os.symlink(outside, root / "content/notes/old")  # a folder: os.walk would not even look
    tree, diags = sources.read_content(root)
    assert [d.path for d in diags] == [
        "content/notes/old",
        "content/notes/stray.md",
        "content/shares/2026/stray.md",
        "content/pages/stray.md",
        "content/people/stray.md",
    ]
    assert [f.path for f in tree.notes] == ["content/notes/a.md"]
    assert tree.shares == () and tree.people == ()


def test_links_that_dangle_or_loop_are_errors_not_tracebacks(make_salon: MakeSalon) -> None:
    root = make_salon({"content/notes/a.md": NOTE.format(t="A", d=1)})
    static = root / "content/static"
    static.mkdir()
    os.symlink("gone.png", static / "dangling.png")
    os.symlink("b.png", static / "a.png")
    os.symlink("a.png", static / "b.png")
    os.symlink(".", static / "again")  # a folder that contains itself
    os.symlink("missing.md", root / "content/notes/dangling.md")
    _, diags = sources.read_content(root)
    assert formatted(diags) == [
        "content/notes/dangling.md: error: symlink points at nothing (missing.md)\n"
        "  hint: remove the link, or fix its target",
        "content/static/a.png: error: symlink loops: following it never ends\n"
        "  hint: remove the link, or fix its target",
        "content/static/again: error: symlink loops: it points at a folder it is in\n"
        "  hint: remove the link",
        "content/static/b.png: error: symlink loops: following it never ends\n"
        "  hint: remove the link, or fix its target",
        "content/static/dangling.png: error: symlink points at nothing (gone.png)\n"
        "  hint: remove the link, or fix its target",
    ]


def test_links_inside_the_salon_are_followed(make_salon: MakeSalon) -> None:
    root = make_salon(
        {
            "assets/photo.png": b"\x89PNG",
            "assets/album/one.png": b"1",
            "drafts/kept.md": NOTE.format(t="Kept", d=2),
        }
    )
    (root / "content/static").mkdir(parents=True)
    (root / "content/notes").mkdir()
    os.symlink("../../assets/photo.png", root / "content/static/photo.png")
    os.symlink(root / "assets/album", root / "content/static/album")  # absolute, still inside
    os.symlink("../../drafts", root / "content/notes/drafts")
    tree, diags = sources.read_content(root)
    assert diags == ()
    assert [s.dest for s in tree.statics] == ["static/album/one.png", "static/photo.png"]
    assert [f.path for f in tree.notes] == ["content/notes/drafts/kept.md"]


def test_a_content_folder_linked_from_outside_is_one_error(
    make_salon: MakeSalon, outside: Path
) -> None:
    root = make_salon()
    (root / "content").mkdir()
    os.symlink(outside / "secrets", root / "content/static")
    _, diags = sources.read_content(root)
    assert [d.path for d in diags] == ["content/static"]


def test_theme_files_linked_from_outside_are_errors(make_salon: MakeSalon, outside: Path) -> None:
    root = make_salon({"themes/t/static/ok.css": "", "themes/t/templates/base.html": ""})
    os.symlink(outside / "passwd", root / "themes/t/static/x.css")
    os.symlink(outside / "passwd", root / "themes/t/templates/note.html")
    with pytest.raises(BuildFailed) as failed:
        sources.theme_files(root, "t")
    assert [d.path for d in failed.value.diagnostics] == [
        "themes/t/static/x.css",
        "themes/t/templates/note.html",
    ]


def test_theme_files_may_link_inside_the_salon(make_salon: MakeSalon) -> None:
    root = make_salon({"content/static/logo.svg": "<svg/>", "themes/t/templates/base.html": ""})
    (root / "themes/t/static").mkdir()
    os.symlink("../../../content/static/logo.svg", root / "themes/t/static/logo.svg")
    templates, statics = sources.theme_files(root, "t")
    assert templates == root / "themes/t/templates"
    assert [s.dest for s in statics] == ["theme/logo.svg"]


def _built_site(make_salon: MakeSalon) -> tuple[Path, dict[str, bytes]]:
    root = make_salon(
        {"content/notes/a.md": NOTE.format(t="A", d=1), "content/static/ok.txt": "ok\n"}
    )
    build(root, now=NOW, options=BuildOptions(offline=True))
    site = root / "site"
    return root, {
        p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()
    }


def test_salon_build_refuses_and_leaves_the_previous_site_whole(
    make_salon: MakeSalon, outside: Path
) -> None:
    root, before = _built_site(make_salon)
    os.symlink(outside / "passwd", root / "content/static/x.png")
    run = subprocess.run(
        [sys.executable, "-m", "salon_gen", "build", "--offline", "-s", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "content/static/x.png: error: symlink points outside the salon folder "
        f"({outside / 'passwd'}): refusing to publish it",
        OUTSIDE_HINT,
        "salon build: 1 error; nothing was written, the previous site is untouched",
    ]
    site = root / "site"
    after = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert "root:x" not in repr(after)


def test_the_preview_reports_the_same_error(
    make_salon: MakeSalon, outside: Path, tmp_path: Path
) -> None:
    root = make_salon({"content/notes/a.md": NOTE.format(t="A", d=1)})
    out = tmp_path / "preview" / "site"
    inc = Engine(root, out)
    inc.rebuild({}, now=NOW)
    (root / "content/static").mkdir()
    os.symlink(outside / "passwd", root / "content/static/x.png")
    with pytest.raises(BuildFailed) as failed:
        inc.rebuild({str(root / "content/static/x.png"): "content"}, now=NOW)
    assert [d.path for d in failed.value.diagnostics] == ["content/static/x.png"]
    assert not (out / "static/x.png").exists()


def test_write_site_refuses_a_static_from_outside_the_salon(
    make_salon: MakeSalon, outside: Path, tmp_path: Path
) -> None:
    root = make_salon({"content/static/ok.txt": "ok\n"})
    os.symlink(outside / "passwd", root / "content/static/x.png")
    statics = [
        StaticFile(source=str(root / "content/static/ok.txt"), dest="static/ok.txt"),
        StaticFile(source=str(root / "content/static/x.png"), dest="static/x.png"),
    ]
    out = tmp_path / "site"
    with pytest.raises(ValueError, match="outside the salon"):
        write.write_site(out, [], statics, tmp_path / "manifest.json", within=root)
    with pytest.raises(ValueError, match="outside the salon"):
        write.update_site(out, [], [], statics, within=root)
    assert not out.exists()
    write.write_site(out, [], statics[:1], tmp_path / "manifest.json", within=root)
    assert (out / "static/ok.txt").read_text(encoding="utf-8") == "ok\n"


def test_markdown_in_a_misspelt_folder_is_a_warning_with_a_did_you_mean(
    make_salon: MakeSalon,
) -> None:
    note = NOTE.format(t="A", d=1)
    root = make_salon(
        {
            "content/notes/a.md": note,
            "content/note/x.md": note,
            "content/note/y.md": note,
            "content/share/s.md": note,
            "content/Notes/n.md": note,
            "content/pictures/p.md": note,
            "content/images/kiln.png": b"\x89PNG",  # no Markdown: not a mistake
            "content/static/s.md": note,  # copied as it is, as always
            "content/x.md": note,
            "content/.drafts/d.md": note,  # hidden: the owner's own
        }
    )
    tree, diags = sources.read_content(root)
    assert [f.path for f in tree.notes] == ["content/notes/a.md"]
    assert [s.dest for s in tree.statics] == ["static/s.md"]
    assert formatted(diags) == [
        "content/Notes/n.md: warning: salon reads no folder 'content/Notes/': "
        "did you mean 'content/notes/'?",
        "content/note/x.md: warning: salon reads no folder 'content/note/' "
        "(and 1 more Markdown file(s) there): did you mean 'content/notes/'?",
        "content/pictures/p.md: warning: salon reads no folder 'content/pictures/'\n"
        "  hint: " + sources._WHERE_HINT,
        "content/share/s.md: warning: salon reads no folder 'content/share/': "
        "did you mean 'content/shares/'?",
        "content/x.md: warning: salon reads no Markdown file directly in content/\n"
        "  hint: " + sources._WHERE_HINT,
    ]
    assert sources.read_content(root, kinds=("people",))[1] == ()  # only a whole read warns


def test_a_misspelt_folder_is_named_by_salon_build_every_time_and_by_the_preview(
    make_salon: MakeSalon, tmp_path: Path
) -> None:
    root = make_salon({"content/note/x.md": NOTE.format(t="X", d=1)})
    expected = (
        "content/note/x.md: warning: salon reads no folder 'content/note/': "
        "did you mean 'content/notes/'?"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    for _ in range(2):  # the second build is the no-change fast path
        done = subprocess.run(
            [sys.executable, "-m", "salon_gen", "build", "--offline", "-s", str(root)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert expected in done.stdout + done.stderr
    assert "up to date" in done.stdout + done.stderr
    report = Engine(root, tmp_path / "preview").rebuild({}, now=NOW)
    assert expected in formatted(report.warnings)
