"""Writing the site when the machine refuses (issue 15, item 7): a full disk (RLIMIT_FSIZE,
which makes the kernel answer EFBIG as a full disk answers ENOSPC) and a read-only site
folder each end in `site/: error: cannot write: ...`, exit 1, the previous site whole and no
temporary folder left to keep the disk full."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import MINIMAL_CONFIG

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
NOTE = "---\ntitle: A\ndate: 2026-01-01\n---\nSome words.\n"
LIMIT = 256 * 1024


def _small_disk() -> None:  # in the child, before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def build(root: Path, *args: str, full_disk: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "salon_gen", "build", "--offline", *args],
        cwd=root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_small_disk if full_disk else None,
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("clean", [False, True], ids=["incremental", "full"])
def test_a_full_disk_is_a_diagnostic_and_leaves_the_site_whole(
    make_salon: Callable[..., Path], clean: bool
) -> None:
    root = make_salon({"content/notes/a.md": NOTE})
    assert build(root).returncode == 0
    before = tree(root / "site")
    (root / "content/static").mkdir()
    (root / "content/static/big.bin").write_bytes(os.urandom(4 * LIMIT))  # over the "disk"
    if clean:  # no engine record: a full build, assembled beside the old site
        for record in (root / ".salon").glob("engine-*.pickle"):
            record.unlink()
    done = build(root, full_disk=True)
    assert done.returncode == 1, done.stderr
    assert "site/: error: cannot write: File too large" in done.stderr, done.stderr
    assert "hint: free some space" in done.stderr and "Traceback" not in done.stderr
    assert tree(root / "site") == before
    assert sorted(p.name for p in root.iterdir() if "salon-" in p.name) == []
    assert not list((root / "site").rglob("*.salon-tmp"))
    again = build(root)  # room again: the next build is not wedged
    assert again.returncode == 0, again.stderr
    assert (root / "site/static/big.bin").stat().st_size == 4 * LIMIT


@pytest.fixture
def read_only_site(make_salon: Callable[..., Path]) -> Iterator[Path]:
    """A salon whose built site/ is read-only for real: chmod for a user; for root (whom
    chmod does not stop) a tmpfs mounted read-only, or a skip where mounting is not allowed."""
    # The site in a folder of its own (out/), where the tmpfs goes: the site folder itself
    # cannot be a mount point, since a build swaps it with a rename.
    config = MINIMAL_CONFIG.replace("[author]", 'output_dir = "out/site"\n\n[author]')
    root = make_salon({"content/notes/a.md": NOTE}, config=config)
    (root / "out").mkdir()
    if os.geteuid() != 0:
        assert build(root).returncode == 0
        for dirpath, _, _ in os.walk(root / "out"):
            os.chmod(dirpath, 0o555)
        yield root
        for dirpath, _, _ in os.walk(root / "out"):
            os.chmod(dirpath, 0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(root / "out")],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("running as root, where chmod stops nothing, and mount is not allowed")
    try:
        assert build(root).returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(root / "out")], check=True)
        yield root
    finally:
        subprocess.run(["umount", str(root / "out")], check=True)


def test_a_read_only_site_is_a_diagnostic_not_a_traceback(read_only_site: Path) -> None:
    root = read_only_site
    before = tree(root / "out/site")
    (root / "content/notes/a.md").write_text(NOTE.replace("Some words", "Other words"))
    for _ in range(2):  # and again: nothing is wedged, the same clear message
        done = build(root)
        assert done.returncode == 1, done.stderr
        assert "out/site/: error: cannot write: " in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert tree(root / "out/site") == before
    assert not [p for p in (root / "out").iterdir() if "salon-" in p.name]
    shutil.rmtree(root / ".salon", ignore_errors=True)  # a clean build fails as clearly
    done = build(root)
    assert done.returncode == 1 and "out/site/: error: cannot write: " in done.stderr, done.stderr
    assert tree(root / "out/site") == before
