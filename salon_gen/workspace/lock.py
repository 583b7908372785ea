"""One writer at a time: the salon's exclusive lock, `.salon/lock`.

Shell. Every command that writes (build, serve's start, fetch, checkin, introduced, follow,
import, share, feeds --fix) holds this lock while it writes, so two of them never interleave
their writes into site/, the feed store or a person's file. The lock is `flock(2)` on the
file: the kernel drops it when its process ends however it ends, so it can never be left
stale. The holder writes who it is (pid, command, since when) into the file, for a second
command to say who it waited for. Must not decide what is written: it only orders writers.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from salon_gen.core.errors import BuildFailed, Diagnostic

LOCK_FILE = ".salon/lock"
WAIT = 5.0  # seconds a second writer waits before it says who holds the salon
_POLL = 0.05


class Busy(BuildFailed):
    """Another process holds the salon's lock; carries the diagnostic that says who."""


def holder(text: str) -> str:
    """Who the lock file says holds it, in words (pure)."""
    try:
        info = json.loads(text)
        pid, command, since = int(info["pid"]), str(info["command"]), str(info["since"])
    except (ValueError, KeyError, TypeError):
        return "another salon command (it has not said which yet)"
    return f"`{command}` (pid {pid}, since {since})"


@contextmanager
def hold(root: Path, command: str, *, wait: float = WAIT) -> Iterator[None]:
    """Hold the salon's lock for the block; wait up to `wait` seconds for it, then raise
    Busy naming the holder. A folder without salon.toml is not a salon: nothing is locked
    (the command reports that itself) and no .salon/ is made there."""
    if not (root / "salon.toml").is_file():
        yield
        return
    path = root / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy(path, command) from None
                time.sleep(_POLL)
        since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        info = json.dumps({"pid": os.getpid(), "command": command, "since": since})
        os.ftruncate(fd, 0)
        os.pwrite(fd, (info + "\n").encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # nobody holds it now; closing the file releases it
    finally:
        os.close(fd)


def _busy(path: Path, command: str) -> Busy:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    return Busy(
        [
            Diagnostic(
                path=LOCK_FILE,
                message=f"{command}: this salon is being written by {holder(text)}",
                hint="wait for it to finish, then run this again; the lock goes with its "
                "process, so if that process is gone, just run it again",
            )
        ]
    )
