"""Feeds read from files inside the salon folder, as newsboat and Liferea read local feeds.

Shell. Owns `read_local_feed`: a person's `feeds:` entry written as a path relative to the
salon folder (`feeds/ada.xml`) is read from disk, on every build, offline too (it is not
the network). It must lead to a regular file inside the salon folder: no absolute path, no
`..`, no symlink that leads out. Only `feeds:` in a person's file can name one: a remote
feed's redirect never reaches here (`fetch` refuses any redirect that is not http(s), and a
relative Location resolves against the remote URL, not the disk).

The answer is a `FetchResult` like a fetch's, so the rest of a sync round (parse when the
bytes changed, store, remember) is the same for both.
"""

from __future__ import annotations

import os
from pathlib import Path

from salon_gen.core.model import FetchResult
from salon_gen.core.urls import is_local_feed


def read_local_feed(root: Path, feed: str, *, max_bytes: int, base: str | None) -> FetchResult:
    """The file `feed` (relative to the salon folder `root`) as a 200, or a failure saying
    why. `base` is what relative links in it resolve against (the person's site, if any)."""

    def failed(error: str) -> FetchResult:
        return FetchResult(url=feed, final_url=feed, status=None, error=error)

    if not is_local_feed(feed):
        return failed("a local feed must be a path inside the salon folder")
    try:
        top = root.resolve(strict=True)
        path = (top / feed).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return failed(f"no file {feed} in the salon folder (a web address needs https:// in front)")
    if not path.is_relative_to(top):
        return failed(f"{feed} leads outside the salon folder (a symlink): it is not read")
    if not path.is_file():
        return failed(f"{feed} is not a file")
    try:  # the resolved path, not followed again: it was checked to be inside
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            body = f.read(max_bytes + 1)
    except OSError as e:
        return failed(f"{feed} could not be read: {e.strerror or e}")
    if len(body) > max_bytes:
        return failed(f"{feed} is larger than the size limit ({max_bytes // (1024 * 1024)} MB)")
    return FetchResult(url=feed, final_url=base or feed, status=200, body=body)
