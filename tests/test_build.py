"""The whole build: golden sites compared byte for byte, invalid sites with their exact
diagnostics, atomicity (a failed build leaves the previous site whole), the fast path."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from salon_gen.cli.main import main
from salon_gen.core.errors import BuildFailed
from salon_gen.pipeline.build import BuildOptions, build

from .conftest import NOW, REPO, snapshot

HERE = Path(__file__).parent
INVALID = sorted(p.name for p in (HERE / "invalid").iterdir() if p.is_dir())
GOLDEN = sorted(p.name for p in (HERE / "golden").iterdir() if p.is_dir())
NOW_ARG = ["--now", NOW.isoformat(), "--offline"]  # no test goes beyond loopback
OFFLINE = BuildOptions(offline=True)


def cli_build(root: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["build", "--source", str(root), *NOW_ARG, *extra])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case", INVALID)
def test_invalid_site_prints_exact_diagnostics_and_writes_nothing(
    case: str, tmp_path: Path
) -> None:
    root = tmp_path / case
    shutil.copytree(HERE / "invalid" / case, root)
    previous = root / "site"
    previous.mkdir()
    (previous / "index.html").write_text("the previous site")
    before = snapshot(previous)

    code, _out, err = cli_build(root)

    expected = (HERE / "invalid" / case / "expected.txt").read_text(encoding="utf-8")
    assert err.replace(str(root), "ROOT") == expected
    assert code == 1
    assert snapshot(previous) == before
    assert not (tmp_path / "outside").exists()


@pytest.mark.parametrize("case", GOLDEN)
def test_golden_site(case: str, tmp_path: Path, update_golden: bool) -> None:
    root = tmp_path / case
    shutil.copytree(HERE / "golden" / case / "input", root)
    result = build(root, now=NOW, options=BuildOptions(jobs=1, offline=True))
    assert result.warnings == ()
    built = {k: v[0] for k, v in snapshot(result.output).items()}
    expected_dir = HERE / "golden" / case / "expected"
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(result.output, expected_dir)
    expected = {k: v[0] for k, v in snapshot(expected_dir).items()}
    assert sorted(built) == sorted(expected)
    for path, data in built.items():
        assert data == expected[path], f"{path} differs from the golden copy"


def test_builds_are_deterministic_and_parallel_equals_serial(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(REPO / "content", a / "content")
    shutil.copy(REPO / "salon.toml", a / "salon.toml")
    shutil.copytree(REPO / "themes", a / "themes")
    shutil.copytree(a, b)
    build(a, now=NOW, options=BuildOptions(jobs=1, offline=True))
    # Force the process pool even for a small salon.
    import salon_gen.pipeline.stages as build_module

    old = build_module.PARALLEL_THRESHOLD, build_module.PAGES_THRESHOLD
    build_module.PARALLEL_THRESHOLD = build_module.PAGES_THRESHOLD = 1
    try:
        build(b, now=NOW, options=BuildOptions(jobs=2, offline=True))
        assert snapshot(a / "site").keys() == snapshot(b / "site").keys()
        assert {k: v[0] for k, v in snapshot(a / "site").items()} == {
            k: v[0] for k, v in snapshot(b / "site").items()
        }
        # what the page workers recorded each page read serves the next build as well as
        # what one process records: one edit later, both sites are again the same
        for root in (a, b):
            note = next((root / "content/notes").glob("*.md"))
            note.write_text(note.read_text(encoding="utf-8") + "\nOne more line.\n")
        build(a, now=NOW, options=BuildOptions(jobs=1, offline=True))
        result = build(b, now=NOW, options=BuildOptions(jobs=2, offline=True))
    finally:
        build_module.PARALLEL_THRESHOLD, build_module.PAGES_THRESHOLD = old
    assert 0 < result.written < result.files / 2  # incremental, from the workers' record
    assert {k: v[0] for k, v in snapshot(a / "site").items()} == {
        k: v[0] for k, v in snapshot(b / "site").items()
    }


def test_failed_build_after_a_good_one_keeps_the_site(make_salon: Callable[..., Path]) -> None:
    root = make_salon({"content/notes/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nA.\n"})
    build(root, now=NOW, options=OFFLINE)
    before = snapshot(root / "site")
    cache_before = snapshot(root / ".salon")
    (root / "content/notes/b.md").write_text("---\ntitle: B\ndate: 2026-02-30\n---\n")
    with pytest.raises(BuildFailed) as failed:
        build(root, now=NOW, options=OFFLINE)
    assert [d.format() for d in failed.value.diagnostics] == [
        "content/notes/b.md:3: error: date: impossible date '2026-02-30': day is out of range "
        "for month\n  hint: write dates as 2026-03-05 or 2026-03-05 14:30"
    ]
    assert snapshot(root / "site") == before
    assert snapshot(root / ".salon").keys() == cache_before.keys()


def test_no_change_build_does_nothing_and_edits_are_seen(make_salon: Callable[..., Path]) -> None:
    root = make_salon({"content/notes/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nOld.\n"})
    first = build(root, now=NOW, options=OFFLINE)
    assert not first.up_to_date and first.rendered == 1
    again = build(root, now=NOW, options=OFFLINE)
    assert again.up_to_date
    assert again.output == first.output and again.files == first.files
    (root / "content/notes/a.md").write_text("---\ntitle: A\ndate: 2026-01-01\n---\nNew.\n")
    edited = build(root, now=NOW, options=OFFLINE)
    assert not edited.up_to_date and edited.rendered == 1 and edited.written > 0
    assert "New." in (root / "site/notes/a/index.html").read_text()
    # A hand-deleted output file is noticed even though no input changed.
    (root / "site/notes/a/index.html").unlink()
    assert not build(root, now=NOW, options=OFFLINE).up_to_date
    assert (root / "site/notes/a/index.html").exists()
    # So is a deleted private calendar: every full build writes it.
    (root / "private/salon.ics").unlink()
    assert not build(root, now=NOW, options=OFFLINE).up_to_date
    assert (root / "private/salon.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_a_future_note_appears_when_its_time_comes(make_salon: Callable[..., Path]) -> None:
    from datetime import timedelta

    root = make_salon({"content/notes/soon.md": "---\ntitle: Soon\ndate: 2026-12-01\n---\n"})
    build(root, now=NOW, options=OFFLINE)
    assert not (root / "site/notes/soon").exists()
    assert build(root, now=NOW + timedelta(days=1), options=OFFLINE).up_to_date
    later = build(root, now=NOW + timedelta(days=10), options=OFFLINE)
    assert not later.up_to_date
    assert (root / "site/notes/soon/index.html").exists()
    drafts = make_salon(
        {"content/notes/d.md": "---\ntitle: D\ndate: 2026-01-01\ndraft: true\n---\n"}, name="drafts"
    )
    build(drafts, now=NOW, options=OFFLINE)
    assert not (drafts / "site/notes/d").exists()
    build(drafts, now=NOW, options=BuildOptions(drafts=True, offline=True))
    assert (drafts / "site/notes/d/index.html").exists()


def test_refuses_to_replace_the_salon_itself(make_salon: Callable[..., Path]) -> None:
    root = make_salon({})
    code, _, err = cli_build(root, "--output", str(root))
    assert code == 1
    assert "refusing to build into" in err
    assert (root / "salon.toml").exists()


def test_private_fields_and_private_people_never_reach_the_site(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "salon.toml", root / "salon.toml")
    shutil.copytree(REPO / "themes", root / "themes")
    build(root, now=NOW, options=OFFLINE)
    import yaml

    secrets: list[str] = []
    hidden_people: list[str] = []
    for person in (root / "content/people").glob("*.md"):
        meta = yaml.safe_load(person.read_text().split("---")[1])
        for value in (meta.get("private") or {}).values():
            if isinstance(value, str) and len(value) > 12:
                secrets.append(value)
        if meta.get("public") is False:
            hidden_people += [meta["name"], person.stem]
    assert secrets and hidden_people  # the demo has both, or this test proves nothing
    for path, (data, _) in snapshot(root / "site").items():
        text = data.decode("utf-8", "replace")
        for secret in secrets + hidden_people:
            assert secret not in text, f"{secret!r} leaked into {path}"


def test_an_up_to_date_build_repeats_the_warnings(make_salon: Callable[..., Path]) -> None:
    root = make_salon({"content/notes/a.md": "---\ntitle: A\ntitel: x\ndate: 2026-01-01\n---\n"})
    first = build(root, now=NOW, options=OFFLINE)
    again = build(root, now=NOW, options=OFFLINE)
    assert again.up_to_date
    assert (
        [d.format() for d in again.warnings]
        == [d.format() for d in first.warnings]
        == [
            "content/notes/a.md:3: warning: unknown key 'titel' is kept for templates\n"
            "  hint: did you mean 'title'?"
        ]
    )


def test_an_up_to_date_build_imports_nothing_heavy(make_salon: Callable[..., Path]) -> None:
    """The no-change path must not pay for Jinja, markdown-it, Pygments or YAML."""
    import subprocess
    import sys

    root = make_salon({"content/notes/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nA.\n"})
    build(root, now=NOW, options=OFFLINE)
    code = (
        "import sys; from pathlib import Path; from datetime import datetime\n"
        "from salon_gen.pipeline.build import BuildOptions, build\n"
        f"r = build(Path({str(root)!r}), now=datetime.fromisoformat({NOW.isoformat()!r}),"
        " options=BuildOptions(offline=True))\n"
        "heavy = sorted(m for m in ('jinja2', 'markdown_it', 'pygments', 'yaml', 'tomllib',"
        " 'salon_gen.core.model') if m in sys.modules)\n"
        "print(r.up_to_date, heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.strip() == "True []"


def test_a_build_elsewhere_does_not_fool_the_default_one(
    make_salon: Callable[..., Path], tmp_path: Path
) -> None:
    """salon serve and --output build elsewhere: site/'s no-change check must not trust
    what they recorded."""
    root = make_salon({"content/notes/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nA.\n"})
    build(root, now=NOW, options=OFFLINE)
    (root / "content/notes/a.md").write_text("---\ntitle: A\ndate: 2026-01-01\n---\nB.\n")
    preview = BuildOptions(offline=True, output=tmp_path / "preview")
    assert not build(root, now=NOW, options=preview).up_to_date
    assert build(root, now=NOW, options=preview).up_to_date
    result = build(root, now=NOW, options=OFFLINE)
    assert not result.up_to_date  # site/ still has the old text: it must be rebuilt
    assert "B." in (root / "site/notes/a/index.html").read_text()
    assert build(root, now=NOW, options=OFFLINE).up_to_date


def test_a_copied_salon_builds_its_own_site(
    make_salon: Callable[..., Path], tmp_path: Path
) -> None:
    """Issue 15, item 5: `cp -a a b; cd b; salon build` said `a/site/ is up to date`."""
    import os
    import shutil
    import subprocess
    import sys

    a = make_salon({"content/notes/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nA.\n"}, name="a")
    assert not build(a, now=NOW, options=OFFLINE).up_to_date
    b = tmp_path / "b"
    shutil.copytree(a, b, symlinks=True, copy_function=shutil.copy2)  # mtimes kept, as cp -a
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "salon_gen", "build", "--offline", "--now", NOW.isoformat()],
        cwd=b,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built site/"), done.stdout
    assert (b / "site/notes/a/index.html").is_file()
    assert build(b, now=NOW, options=OFFLINE).up_to_date
    assert build(a, now=NOW, options=OFFLINE).up_to_date  # the original is still its own
