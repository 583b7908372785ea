"""`salon build` is incremental across processes: after every kind of edit, a build that
restores the engine from its record in `.salon/` writes exactly what a clean build of the
same salon writes, byte for byte, rendering only what the edit can change; a build killed
half-way is followed by a correct one; a record that is not this user's, this salon's or
this code's is never used."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from salon_gen.pipeline import record

from .conftest import MINIMAL_CONFIG, write_tree
from .test_incremental import SALON, folders, note, tree

EPOCH = "1795348800"  # 2026-11-22T12:00:00Z: every build runs at the same moment
ENV = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}


def salon_build(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "salon_gen", "build", "--offline", "-s", str(root), *args],
        env={**ENV, "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


NOT_SOURCE = (".salon", "site", "private")  # what a clean build starts without
LEDGER = Path(".salon") / "entry-ids.json"  # kept: the ids notes were first published with


@dataclass(frozen=True, slots=True)
class CleanBuild:
    """What a clean build of some sources wrote: site/ and private/ file by file."""

    site: dict[str, bytes]
    site_folders: set[str]
    private: dict[str, bytes]


def sources_digest(root: Path) -> str:
    """The salon's sources (every file a clean build reads), by path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in NOT_SOURCE or not path.is_file():
            continue
        digest.update(f"{rel.as_posix()}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    ledger = root / LEDGER  # an input, like content/: the ids a clean build must keep
    if ledger.exists():
        digest.update(b"ledger\0" + ledger.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def clean_builds() -> dict[str, CleanBuild]:
    """Clean builds already made in this module, by sources_digest: the same sources at the
    same moment build the same bytes (test_build.py checks that), so the two walks through
    every kind of edit, which reach the same sources, need one clean build per step."""
    return {}


def assert_same_as_clean(
    root: Path, scratch: Path, known: dict[str, CleanBuild] | None = None
) -> None:
    """The salon's site/ equals what a clean build of a copy of the salon writes."""
    key = sources_digest(root) if known is not None else ""
    want = known.get(key) if known is not None else None
    if want is None:
        clean = scratch / f"clean-{time.monotonic_ns()}"
        shutil.copytree(root, clean, ignore=shutil.ignore_patterns(*NOT_SOURCE))
        if (root / LEDGER).exists():
            (clean / LEDGER.parent).mkdir()
            shutil.copy(root / LEDGER, clean / LEDGER)
        salon_build(clean)
        want = CleanBuild(
            site=tree(clean / "site"),
            site_folders=folders(clean / "site"),
            private=tree(clean / "private"),
        )
        shutil.rmtree(clean)
        if known is not None:
            known[key] = want
    got = tree(root / "site")
    assert sorted(got) == sorted(want.site)
    for path in want.site:
        assert got[path] == want.site[path], f"{path} differs from a clean build"
    assert folders(root / "site") == want.site_folders, "a removed page left its folder"
    assert tree(root / "private") == want.private, "the private calendar differs"


def written(out: str) -> int:
    """How many files a build's summary line says it wrote."""
    return int(out.rsplit("(", 1)[1].split(" written")[0])


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def age(root: Path) -> None:
    """Move every file's clock back a minute, as if the edits were made long before the
    build: files changed just before a build are read again whatever their stamp says
    (engine.RACY_NS), which would hide a build that trusts stamps it should not."""
    past = time.time_ns() - 60_000_000_000
    for path in [root / "salon.toml", *root.glob("content/**/*"), *root.glob("themes/**/*")]:
        if path.is_file():
            os.utime(path, ns=(past, past))


N13 = "content/notes/2026-01-03-n13.md"
TRIP = "content/notes/trip/index.md"
PNG = "content/notes/trip/images/view.png"
THEMED = MINIMAL_CONFIG.replace("[author]", 'theme = "mine"\n\n[author]')


def _edits() -> list[tuple[str, Callable[[Path], None]]]:
    def rm(rel: str) -> Callable[[Path], None]:
        return lambda root: (root / rel).unlink()

    def put(rel: str, text: str) -> Callable[[Path], None]:
        return lambda root: write(root, rel, text)

    def replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
        def edit(root: Path) -> None:
            text = (root / rel).read_text(encoding="utf-8")
            assert old in text
            write(root, rel, text.replace(old, new))

        return edit

    def png(data: bytes) -> Callable[[Path], None]:
        def edit(root: Path) -> None:
            (root / PNG).parent.mkdir(parents=True, exist_ok=True)
            (root / PNG).write_bytes(data)

        return edit

    def themed(root: Path) -> None:
        write(root, "themes/mine/templates/note.html", "<p>{{ note.title }}</p>\n")
        write(root, "salon.toml", THEMED)

    body13 = "Body of note 1.3."
    return [
        ("nothing", lambda root: None),
        ("a body", put("content/notes/2026-02-02-n22.md", note("Note 2.2", "2026-02-02", "New."))),
        ("a title", put(N13, note("A brand new title", "2026-01-03", body13))),
        ("a date that moves it to the top", put(N13, note("A brand new title", "2026-06-30", "B"))),
        ("a new tag", put(N13, note("A brand new title", "2026-06-30", "B", "letters, soup"))),
        ("a new note", put("content/notes/deep/2026-07-01-f.md", note("Fresh", "2026-07-01", "x"))),
        ("a note deleted", rm("content/notes/2026-03-04-n34.md")),
        ("a draft", put("content/notes/2026-03-03-n33.md", "---\ntitle: L\ndraft: true\n---\nx\n")),
        ("a person renamed", replace("content/people/maya.md", "Maya Okafor", "Maya O.")),
        ("a page edited", put("content/pages/about.md", "---\ntitle: About us\n---\nWords.\n")),
        ("a static file added", put("content/static/img/new.txt", "new\n")),
        ("a static file removed", rm("content/static/hello.txt")),
        ("a share's commentary", replace("content/shares/2026-02-10-a-link.md", "Worth", "So")),
        (
            "an alias added",
            put(N13, note("T", "2026-01-03", "B").replace("tags:", "aliases: [/old/n13/]\ntags:")),
        ),
        ("an alias removed", put(N13, note("T", "2026-01-03", "B"))),
        ("a bundle made", put(TRIP, note("Trip", "2026-02-20", "![view](images/view.png)"))),
        ("a bundle's file added", png(b"\x89PNG one")),
        ("a bundle's file changed", png(b"\x89PNG two, longer")),
        ("a bundle's file removed", rm(PNG)),
        (
            "scheduled",
            put(
                N13, note("T", "2026-01-03", "B").replace("tags:", "publishDate: 2027-01-01\ntags:")
            ),
        ),
        (
            "expired",
            put(
                N13, note("T", "2026-01-03", "B").replace("tags:", "expiryDate: 2026-02-01\ntags:")
            ),
        ),
        (
            "made private",
            put(N13, note("T", "2026-01-03", "B").replace("tags:", "private: true\ntags:")),
        ),
        ("a birthday changed", replace("content/people/maya.md", "1990-04-12", "1990-05-13")),
        ("a theme chosen", themed),
        (
            "a theme template edited",
            put("themes/mine/templates/note.html", "<p>T: {{ note.title }}</p>\n"),
        ),
        (
            "a theme partial added",
            put(
                "themes/mine/templates/partials/icons.html",
                "{% macro feed() %}<i>~</i>{% endmacro %}\n",
            ),
        ),
        ("a theme partial removed", rm("themes/mine/templates/partials/icons.html")),
        ("a theme stylesheet", put("themes/mine/static/extra.css", "body { color: teal }\n")),
        ("the theme dropped", put("salon.toml", MINIMAL_CONFIG)),
    ]


@pytest.mark.slow
@pytest.mark.xdist_group("engine-record-edits")  # one worker: they share their clean builds
@pytest.mark.parametrize("aged", [False, True], ids=["just-written", "aged"])
def test_every_kind_of_edit_built_by_a_new_process_matches_a_clean_build(
    tmp_path: Path, aged: bool, clean_builds: dict[str, CleanBuild]
) -> None:
    root = write_tree(tmp_path / "salon", SALON)
    out = salon_build(root)
    assert list((root / ".salon").glob("engine-*.pickle")), out
    for name, edit in _edits():
        edit(root)
        if aged:
            age(root)
        out = salon_build(root)
        assert "up to date" in out or out.startswith("built "), (name, out)
        assert_same_as_clean(root, tmp_path, clean_builds)


def test_one_edit_renders_and_writes_only_what_it_changes(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "salon", SALON)
    first = salon_build(root)
    age(root)
    before = {p: p.stat().st_mtime_ns for p in (root / "site").rglob("*.html")}
    write(root, "content/notes/2026-02-02-n22.md", note("Note 2.2", "2026-02-02", "New body."))
    out = salon_build(root)
    # its page and its neighbours' (they show its title), the lists that show its excerpt,
    # the feeds: far fewer than a full build wrote
    assert 0 < written(out) < written(first) / 2, out
    changed = [p for p, t in before.items() if p.stat().st_mtime_ns != t]
    assert root / "site/notes/n22/index.html" in changed
    assert root / "site/about/index.html" not in changed
    # the manifest was kept: nothing changed since, so the next build is up to date
    assert "up to date" in salon_build(root)


@pytest.mark.slow
def test_a_build_killed_while_writing_is_followed_by_a_correct_build(tmp_path: Path) -> None:
    """SIGKILL in the middle of writing changed pages in place (no chance to clean up):
    the record was forgotten before the first write, so the next build, one more edit
    later, starts over and the site equals a clean build."""
    files = dict(SALON)
    for i in range(400):
        files[f"content/notes/2025-05-01-bulk{i:03d}.md"] = note(f"Bulk {i}", "2025-05-01", "x")
    root = write_tree(tmp_path / "salon", files)
    salon_build(root)
    for i in range(400):
        body = f"Changed {i}: " + "many words, " * 400
        rel = f"content/notes/2025-05-01-bulk{i:03d}.md"
        write(root, rel, note(f"Bulk {i}", "2025-05-01", body))
    proc = subprocess.Popen(
        [sys.executable, "-m", "salon_gen", "build", "--offline", "-s", str(root)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    page = root / "site/notes/bulk000/index.html"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if b"Changed 0:" in page.read_bytes():
                break  # the first changed page is there: the build is writing
        except OSError:
            pass
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the build ended before it could be killed"
    assert not list((root / ".salon").glob("engine-*.pickle")), "the record outlived the write"
    write(root, N13, note("After the crash", "2026-01-03", "Body."))
    salon_build(root)
    assert_same_as_clean(root, tmp_path)


def test_a_record_this_user_did_not_sign_is_never_loaded(tmp_path: Path) -> None:
    """A salon folder copied from elsewhere brings its `.salon/`: the record's HMAC does not
    verify under this user's key, so it is not unpickled (pickle would run its code) and the
    build is a clean one."""
    root = write_tree(tmp_path / "salon", SALON)
    salon_build(root)
    [path] = (root / ".salon").glob("engine-*.pickle")
    blob = path.read_bytes()
    marker = tmp_path / "pwned"
    # a record whose pickle would create a file when loaded, with the original's header
    evil = (
        b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."  # os.system("touch ...")
    )
    path.write_bytes(blob[: len(record._MAGIC) + 32] + evil)
    os.utime(root / N13)  # so the build is not up to date
    salon_build(root)
    assert not marker.exists()
    # and the build went on, whole: a clean one
    assert_same_as_clean(root, tmp_path)
    # a torn record (cut short) is ignored the same way
    [path] = (root / ".salon").glob("engine-*.pickle")
    path.write_bytes(path.read_bytes()[:1000])
    write(root, N13, note("Torn", "2026-01-03", "Body."))
    salon_build(root)
    assert_same_as_clean(root, tmp_path)


def test_a_copied_salon_does_not_use_the_original_s_record(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "a", SALON)
    salon_build(root)
    copy = tmp_path / "b"
    shutil.copytree(root, copy, symlinks=True)
    write(copy, N13, note("Only in the copy", "2026-01-03", "Body."))
    salon_build(copy)
    assert b"Only in the copy" in (copy / "site/notes/n13/index.html").read_bytes()
    assert b"Only in the copy" not in (root / "site/notes/n13/index.html").read_bytes()
    assert_same_as_clean(copy, tmp_path)
