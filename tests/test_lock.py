"""The salon's lock (lock.py): one writer at a time, told who holds it, with real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from salon_gen.workspace.lock import Busy, hold, holder

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
NOTE = "---\ntitle: Note {n}\ndate: 2026-01-{d:02d}\n---\nSome words about {n}.\n"


def salon(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "salon_gen", *args],
        cwd=cwd,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def held_elsewhere(root: Path, command: str = "salon test") -> Iterator[int]:
    """Another process holds the salon's lock until the block ends; yields its pid."""
    code = (
        "import sys; from pathlib import Path; from salon_gen.workspace.lock import hold\n"
        f"with hold(Path({str(root)!r}), {command!r}):\n"
        "    print('held', flush=True); sys.stdin.read()\n"
    )
    p = subprocess.Popen(
        [sys.executable, "-c", code],
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert p.stdout is not None and p.stdin is not None
    try:
        assert p.stdout.readline() == "held\n"
        yield p.pid
    finally:
        p.stdin.close()
        p.wait(timeout=30)
        p.stdout.close()


def test_holder_in_words() -> None:
    text = '{"pid": 12, "command": "salon build", "since": "2026-12-03 15:00:00 UTC"}'
    assert holder(text) == "`salon build` (pid 12, since 2026-12-03 15:00:00 UTC)"
    assert holder("") == "another salon command (it has not said which yet)"


def test_a_folder_that_is_no_salon_is_not_locked(tmp_path: Path) -> None:
    with hold(tmp_path, "salon build"):
        pass
    assert not (tmp_path / ".salon").exists()


@pytest.mark.slow
def test_a_second_writer_waits_then_says_who_holds_the_salon(
    make_salon: Callable[..., Path],
) -> None:
    root = make_salon({"content/notes/a.md": NOTE.format(n=1, d=1)})
    with held_elsewhere(root, "salon checkin") as pid:
        with pytest.raises(Busy) as busy, hold(root, "salon build", wait=0.2):
            pass
        (d,) = busy.value.diagnostics
        assert d.path == ".salon/lock"
        assert f"`salon checkin` (pid {pid}, since " in d.message
        build = salon("build", "--offline", cwd=root)
        _, err = build.communicate(timeout=120)
    assert build.returncode == 1
    assert ".salon/lock: error: salon build: this salon is being written by `salon checkin` " in err
    assert f"(pid {pid}, since " in err and "hint: wait for it to finish" in err
    assert not (root / "site").exists()
    # Once it is released, the lock is free again, and the build runs.
    again = salon("build", "--offline", cwd=root)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert out.startswith("built site/")


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ("fetch",),
        ("feeds", "--fix"),
        ("checkin", "ana"),
        ("introduced", "ana", "ben"),
        ("share", "--offline", "https://example.com/x"),
        ("calendar",),
    ],
)
def test_every_writing_command_takes_the_lock(
    make_salon: Callable[..., Path], args: tuple[str, ...]
) -> None:
    person = "---\nname: {0}\nurl: https://{0}.example/\n---\n"
    root = make_salon(
        {
            "content/people/ana.md": person.format("Ana"),
            "content/people/ben.md": person.format("Ben"),
        }
    )
    before = {p: p.read_bytes() for p in (root / "content").rglob("*.md")}
    with held_elsewhere(root):
        p = salon(*args, cwd=root)
        _, err = p.communicate(timeout=120)
    assert p.returncode == 1, err
    assert "this salon is being written by `salon test`" in err
    assert {p: p.read_bytes() for p in (root / "content").rglob("*.md")} == before
    assert not (root / "private").exists()


def test_two_builds_at_once_leave_a_whole_site(make_salon: Callable[..., Path]) -> None:
    """Both start together: one waits for the other (or, if that takes longer than the
    wait, is refused with the lock's message); either way the site is whole."""
    from salon_gen.pipeline import write
    from salon_gen.workspace.state import StatePaths

    notes = {f"content/notes/n{n}.md": NOTE.format(n=n, d=1 + n % 28) for n in range(120)}
    root = make_salon(notes)
    runs = [salon("build", "--offline", cwd=root) for _ in range(2)]
    outcomes = [(p.wait(timeout=300), p.communicate()[1]) for p in runs]
    assert 0 in [rc for rc, _ in outcomes], outcomes
    for rc, err in outcomes:
        assert rc == 0 or "this salon is being written by `salon build`" in err, err
    out = (root / "site").resolve()
    manifest = write.load_manifest(StatePaths(root=root).manifest(out), out)
    assert write.output_intact(manifest, out)
    pages = sorted(p.parent.name for p in (out / "notes").glob("*/index.html"))
    assert len(pages) == 120


@pytest.mark.slow
def test_serve_starts_only_when_it_holds_the_lock(make_salon: Callable[..., Path]) -> None:
    from salon_gen.preview.serve import Preview

    root = make_salon({"content/notes/a.md": NOTE.format(n=1, d=1)})
    preview = Preview(root, port=0, offline=True, echo=lambda *a, **k: None)
    with held_elsewhere(root, "salon fetch"), pytest.raises(Busy) as busy:
        preview.start()
    assert "`salon fetch` (pid " in busy.value.diagnostics[0].message
    assert preview.temp is None or not preview.temp.exists()  # nothing left behind
