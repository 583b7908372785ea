"""Stopping in order: a `salon build` stopped by SIGTERM, SIGHUP or Ctrl-C, or killed outright,
while its worker pool renders Markdown, leaves no worker behind and the previous site whole.

For real: the installed command in a subprocess, on a salon large enough that rendering
takes seconds with two workers, signalled once its workers exist."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from salon_gen.workspace.stopping import Stopped, stop_on_signals

from .conftest import MINIMAL_CONFIG, write_tree

linux_only = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="reads a process's children from /proc"
)
BOUND = 10.0  # seconds: how long a stop may take, workers included
PARAGRAPH = (
    "A *sentence* with `code`, a [link](https://example.com/x) and **bold words**, "
    "long enough that rendering it costs something; "
) * 8


def note(i: int, paragraphs: int) -> str:
    body = "\n\n".join(f"{PARAGRAPH} {i}.{k}" for k in range(paragraphs))
    return f"---\ntitle: Note {i}\ndate: 2025-01-{1 + i % 28:02d}\n---\n{body}\n"


def children(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as f:
                found |= {int(p) for p in f.read().split()}
        except OSError:
            continue
    return found


def running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (an exited process nobody reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def site_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture
def big_salon(tmp_path: Path) -> Iterator[tuple[Path, dict[str, bytes]]]:
    """A salon already built once (small), then grown to 320 long notes: the next build
    renders about 5 MB of Markdown in its worker pool."""
    root = write_tree(tmp_path / "salon", {"salon.toml": MINIMAL_CONFIG})
    write_tree(root, {f"content/notes/n{i:04d}.md": note(i, 2) for i in range(3)})
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    cmd = [sys.executable, "-m", "salon_gen", "build", "--offline", "-s", str(root)]
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    write_tree(root, {f"content/notes/n{i:04d}.md": note(i, 16) for i in range(320)})
    yield root, site_bytes(root / "site")


def start_build(root: Path, out: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    """`salon build --jobs 2` started in a session of its own; returns once its workers
    exist, with their pids."""
    cmd = [sys.executable, "-m", "salon_gen", "build", "--offline", "--jobs", "2"]
    with open(out, "wb") as sink:  # a file, not a pipe: an orphan holding a pipe would hang us
        proc = subprocess.Popen(
            [*cmd, "-s", str(root)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        workers = children(proc.pid)
        if len(workers) >= 2:
            return proc, workers
        time.sleep(0.01)
    proc.kill()
    raise AssertionError(f"no worker pool appeared; output: {out.read_text()!r}")


def wait_gone(pids: set[int]) -> set[int]:
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline and any(running(p) for p in pids):
        time.sleep(0.05)
    return {p for p in pids if running(p)}


@linux_only
@pytest.mark.parametrize(
    ("signal_name", "code", "message"),
    [
        ("SIGTERM", 143, "salon build: stopped by SIGTERM"),
        ("SIGHUP", 129, "salon build: stopped by SIGHUP"),
        ("SIGINT", 130, "salon build: interrupted"),
    ],
)
def test_a_stopped_build_leaves_no_worker_and_the_site_whole(
    big_salon: tuple[Path, dict[str, bytes]],
    tmp_path: Path,
    signal_name: str,
    code: int,
    message: str,
) -> None:
    root, before = big_salon
    out = tmp_path / "output.txt"
    proc, workers = start_build(root, out)
    try:
        proc.send_signal(getattr(signal, signal_name))
        assert proc.wait(timeout=BOUND) == code
        assert wait_gone(workers) == set()
    finally:
        for pid in {proc.pid, *workers}:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
    assert out.read_text(encoding="utf-8").splitlines() == [
        f"{message} before it finished; the site folder is left whole"
    ]
    assert site_bytes(root / "site") == before
    assert not list(root.glob(".site.salon-*"))


@linux_only
def test_workers_die_with_a_build_killed_outright(
    big_salon: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """SIGKILL leaves the build no chance to clean up: the kernel kills the workers
    (PR_SET_PDEATHSIG). Without it they wait for work forever, orphaned."""
    root, before = big_salon
    proc, workers = start_build(root, tmp_path / "output.txt")
    try:
        proc.kill()
        assert proc.wait(timeout=BOUND) == -signal.SIGKILL
        assert wait_gone(workers) == set()
    finally:
        for pid in workers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
    assert site_bytes(root / "site") == before


def test_stop_on_signals_raises_stopped_and_restores_the_handlers() -> None:
    before = signal.getsignal(signal.SIGTERM)
    restore = stop_on_signals()
    try:
        with pytest.raises(Stopped) as stopped:
            signal.raise_signal(signal.SIGTERM)
            time.sleep(1)  # the handler runs between bytecodes; it must not get this far
        assert (stopped.value.name, stopped.value.signum) == ("SIGTERM", signal.SIGTERM)
        assert isinstance(stopped.value, KeyboardInterrupt)  # Ctrl-C's cleanup runs too
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN  # a second one waits
    finally:
        restore()
    assert signal.getsignal(signal.SIGTERM) == before


def test_stop_on_signals_does_nothing_outside_the_main_thread() -> None:
    before = signal.getsignal(signal.SIGTERM)
    undo: list[object] = []
    thread = threading.Thread(target=lambda: undo.append(stop_on_signals()))
    thread.start()
    thread.join()
    assert signal.getsignal(signal.SIGTERM) == before
    assert callable(undo[0])
