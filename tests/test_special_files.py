"""Special files in a salon (issue 15, item 4): a FIFO, a socket or a file too large is a
diagnostic naming it, never a hang, a full disk or a full memory; the previous site stays."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from salon_gen.content.sources import STATIC_CAP, TEXT_CAP

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
NOTE = "---\ntitle: A\ndate: 2026-01-01\n---\nSome words.\n"


def build(root: Path) -> subprocess.CompletedProcess[str]:
    # The timeout is the test: before, a FIFO note made the build wait for ever.
    return subprocess.run(
        [sys.executable, "-m", "salon_gen", "build", "--offline"],
        cwd=root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )


def site(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in (root / "site").rglob("*")
        if p.is_file()
    }


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_socket(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()  # the socket file stays


def make_sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with open(path, "wb") as f:
            f.truncate(size)  # sparse: takes no room on the disk

    return make


@pytest.mark.parametrize(
    ("rel", "make", "message"),
    [
        ("content/notes/pipe.md", make_fifo, "not a regular file (a named pipe (FIFO))"),
        ("content/static/pipe.txt", make_fifo, "not a regular file (a named pipe (FIFO))"),
        ("content/static/salon.sock", make_socket, "not a regular file (a socket)"),
        (
            "content/notes/huge.md",
            make_sparse(TEXT_CAP + 1),
            "too large: 10,485,761 bytes, over the limit of 10 MB",
        ),
        (
            "content/static/huge.bin",
            make_sparse(STATIC_CAP + 1),
            "too large: 536,870,913 bytes, over the limit of 512 MB",
        ),
    ],
)
def test_a_special_file_is_named_and_the_site_stays(
    make_salon: Callable[..., Path], rel: str, make: Callable[[Path], None], message: str
) -> None:
    root = make_salon({"content/notes/a.md": NOTE, "content/static/ok.txt": "fine\n"})
    assert build(root).returncode == 0
    before = site(root)
    make(root / rel)
    done = build(root)
    assert done.returncode == 1, done.stderr
    assert f"{rel}: error: {message}" in done.stderr
    assert "hint: " in done.stderr and "Traceback" not in done.stderr
    assert site(root) == before
    assert not list((root / "site").rglob(".*salon-tmp"))


def test_a_link_inside_the_salon_to_a_fifo_is_refused_too(
    make_salon: Callable[..., Path],
) -> None:
    root = make_salon({"content/notes/a.md": NOTE})
    os.mkfifo(root / "pipe")
    (root / "content/notes/b.md").symlink_to(root / "pipe")
    done = build(root)
    assert done.returncode == 1
    assert "content/notes/b.md: error: not a regular file (a named pipe (FIFO))" in done.stderr
