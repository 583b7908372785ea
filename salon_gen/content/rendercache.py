"""The render cache: Markdown rendered once per distinct text, kept in SQLite.

Owns `.salon/render-cache.sqlite`. Keys are a hash of the renderer version and the Markdown
text, so a changed renderer or a changed file simply misses. Values are JSON (never pickle:
nothing read back from disk can run code). A corrupt or foreign file is a cache miss and is
rebuilt, never an error: it only ever holds what can be recomputed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from salon_gen.text.markdown import RENDERER_VERSION, MarkdownProblem, RenderedMarkdown

_SCHEMA = "CREATE TABLE IF NOT EXISTS markdown (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def cache_key(text: str) -> str:
    return hashlib.blake2b(f"{RENDERER_VERSION}\0{text}".encode(), digest_size=20).hexdigest()


def _encode(md: RenderedMarkdown) -> str:
    # Without a leading title, body_html is html: store it once (half the cache, and one
    # string in memory instead of two when read back).
    body = None if md.body_html == md.html else md.body_html
    problems = [[p.line, p.message, p.hint] for p in md.problems]
    return json.dumps([md.html, md.title, body, md.excerpt, md.title_line, problems])


def _decode(value: str) -> RenderedMarkdown:
    html, title, body_html, excerpt, title_line, problems = json.loads(value)
    return RenderedMarkdown(
        html=html,
        title=title,
        body_html=html if body_html is None else body_html,
        excerpt=excerpt,
        title_line=title_line,
        problems=tuple(MarkdownProblem(line=n, message=m, hint=h) for n, m, h in problems),
    )


class RenderCache:
    """Rendered Markdown by content hash. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warning: str | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            try:
                self.db = self._open(path)
            except sqlite3.DatabaseError as e:
                if _cannot_write(e):
                    raise
                self.warning = f"{path}: render cache unreadable ({e}); starting a new one"
                path.unlink(missing_ok=True)
                self.db = self._open(path)
        except sqlite3.DatabaseError as e:
            # A full disk or a read-only folder: the build goes on without the cache (it
            # only saves time); the file, if any, is left as it is.
            self.warning = f"render cache not used ({e}): every note is rendered afresh"
            self.db = self._open(":memory:")

    def _open(self, where: Path | str) -> sqlite3.Connection:
        db = sqlite3.connect(where)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(_SCHEMA)
        db.execute("SELECT count(*) FROM markdown LIMIT 1").fetchone()
        return db

    def __enter__(self) -> RenderCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def get_many(self, keys: Iterable[str]) -> dict[str, RenderedMarkdown]:
        wanted = set(keys)
        found: dict[str, RenderedMarkdown] = {}
        try:
            for key, value in self.db.execute("SELECT key, value FROM markdown"):
                if key in wanted:
                    found[key] = _decode(value)
        except (sqlite3.DatabaseError, ValueError, TypeError):
            return {}
        return found

    def add_many(self, entries: Mapping[str, RenderedMarkdown]) -> None:
        """Store `entries`, forgetting nothing. A write that fails (a full disk) is rolled
        back and becomes the `warning`: the next build renders those notes again."""
        try:
            self._add_many(entries)
        except sqlite3.DatabaseError as e:
            self.warning = f"render cache not updated ({e}); the next build renders afresh"

    def _add_many(self, entries: Mapping[str, RenderedMarkdown]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO markdown (key, value) VALUES (?, ?)",
                ((k, _encode(md)) for k, md in entries.items()),
            )

    def replace_all(self, entries: Mapping[str, RenderedMarkdown], new: Iterable[str]) -> None:
        """Store `new` keys of `entries` and forget every key not in `entries` (a failed
        write as in `add_many`)."""
        try:
            self._replace_all(entries, new)
        except sqlite3.DatabaseError as e:
            self.warning = f"render cache not updated ({e}); the next build renders afresh"

    def _replace_all(self, entries: Mapping[str, RenderedMarkdown], new: Iterable[str]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO markdown (key, value) VALUES (?, ?)",
                ((k, _encode(entries[k])) for k in new),
            )
            stored = {k for (k,) in self.db.execute("SELECT key FROM markdown")}
            stale = stored - entries.keys()
            if stale:
                self.db.executemany("DELETE FROM markdown WHERE key = ?", ((k,) for k in stale))


# SQLite's primary result codes (the low byte of an extended one) that say the disk, not the
# file, is the problem: no room, not writable, or failing.
_DISK = {
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CANTOPEN,
}


def _cannot_write(e: sqlite3.DatabaseError) -> bool:
    code = getattr(e, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _DISK
