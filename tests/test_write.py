from __future__ import annotations

import os
from pathlib import Path

import pytest

from salon_gen.core.model import OutputFile, StaticFile
from salon_gen.pipeline.write import load_manifest, output_intact, recover, write_site


def files(**kw: str) -> list[OutputFile]:
    return [OutputFile(k.replace("__", "/").replace("_", "."), v.encode()) for k, v in kw.items()]


def test_writes_reuses_unchanged_and_removes_stale(tmp_path: Path) -> None:
    out, manifest = tmp_path / "site", tmp_path / ".salon" / "manifest.json"
    first = write_site(out, files(index_html="a", notes__x__index_html="x"), [], manifest)
    assert (first.written, first.unchanged, first.removed) == (2, 0, 0)
    inode = (out / "index.html").stat().st_ino
    mtime = (out / "index.html").stat().st_mtime_ns

    second = write_site(out, files(index_html="a", about__index_html="new"), [], manifest)
    assert (second.written, second.unchanged, second.removed) == (1, 1, 1)
    assert (out / "index.html").stat().st_ino == inode  # not rewritten
    assert (out / "index.html").stat().st_mtime_ns == mtime
    assert not (out / "notes").exists()  # stale files disappear
    assert (out / "about" / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".salon", "site"]  # no leftovers


def test_a_file_edited_by_hand_is_rewritten(tmp_path: Path) -> None:
    out, manifest = tmp_path / "site", tmp_path / "m.json"
    write_site(out, files(index_html="a"), [], manifest)
    (out / "index.html").write_text("hand edit!")
    report = write_site(out, files(index_html="a"), [], manifest)
    assert report.written == 1
    assert (out / "index.html").read_text() == "a"


def test_static_files_are_copied(tmp_path: Path) -> None:
    src = tmp_path / "logo.svg"
    src.write_text("<svg/>")
    out = tmp_path / "site"
    write_site(out, [], [StaticFile(source=str(src), dest="static/logo.svg")], tmp_path / "m")
    assert (out / "static" / "logo.svg").read_text() == "<svg/>"
    again = write_site(
        out, [], [StaticFile(source=str(src), dest="static/logo.svg")], tmp_path / "m"
    )
    assert again.unchanged == 1


@pytest.mark.parametrize(
    "bad", ["../evil.html", "/etc/passwd", "a/../../b", "a//b", "", "C:/x", "a\\..\\b"]
)
def test_never_writes_outside_the_site(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "site"
    write_site(out, files(index_html="old"), [], tmp_path / "m")
    with pytest.raises(ValueError, match="outside the site folder"):
        write_site(out, [OutputFile(bad, b"x")], [], tmp_path / "m")
    recover(out)
    assert (out / "index.html").read_text() == "old"
    assert not (tmp_path / "evil.html").exists()


def test_recover_puts_back_a_site_a_killed_build_moved_away(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(out, files(index_html="old"), [], tmp_path / "m")
    # A build killed between the two renames leaves the old site aside and no site/.
    out.rename(tmp_path / ".site.salon-old")
    (tmp_path / ".site.salon-new").mkdir()
    recover(out)
    assert (out / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m", "site"]


def test_output_intact_notices_changes(tmp_path: Path) -> None:
    out, m = tmp_path / "site", tmp_path / "m.json"
    write_site(out, files(index_html="a", b_html="b"), [], m)
    manifest = load_manifest(m, out)
    assert output_intact(manifest, out)
    os.unlink(out / "b.html")
    assert not output_intact(manifest, out)
    assert load_manifest(m, tmp_path / "elsewhere") == {}
