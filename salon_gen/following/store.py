"""The feed store: every followed feed's fetch state and every entry ever seen, in SQLite.

Owns `.salon/feeds.sqlite` (the caller passes the path). It is the salon's memory of other
people's feeds: entries are kept after they drop out of a feed, so the site shows history, and
an offline build reads the same rows in the same order and so reproduces the same site.
Unlike the render cache it holds what cannot be recomputed, so a damaged or unknown file is
never silently replaced: it is a `StoreError` with a way out (`FeedStore.rebuild`, which moves
the file aside and never deletes it).

Must not fetch, parse or decide anything (`sync` and `schedule` do): values in, the same
values out. Datetimes are stored as fixed-width ISO 8601 UTC text, so text order is time order
and `ORDER BY` sorts them; tuples as JSON. The schema is versioned with `PRAGMA user_version`
and upgraded by `MIGRATIONS`, one step per version, all in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from salon_gen.core.model import FeedEntry, FeedState

SCHEMA_VERSION = 1  # == len(MIGRATIONS); a test keeps them together

REBUILD_HINT = "run 'salon fetch --rebuild-store' (it keeps a copy of the broken file)"

# SQLite's primary result codes (the low byte of an extended code).
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every database file (fileformat2 §1.3)


class StoreError(Exception):
    """The feed store cannot be used as it is: what is wrong (`message`) and the way out."""

    def __init__(self, path: Path, message: str, hint: str | None = None) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
        self.hint = hint


# --- schema and migrations -------------------------------------------------------------------

Step = Callable[[sqlite3.Connection], None]


def _create_v1(db: sqlite3.Connection) -> None:
    """Version 0 (a new or empty file) → 1. Tables are created, never replaced: a version-0
    file that already has one of them is not ours to guess about, and the step fails."""
    db.execute(
        """CREATE TABLE feeds (
            url TEXT NOT NULL PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,
            title TEXT,
            last_attempt TEXT,
            last_success TEXT,
            last_status INTEGER,
            last_error TEXT,
            failures INTEGER NOT NULL,
            next_due TEXT,
            gone INTEGER NOT NULL,
            moved_to TEXT,
            entry_count INTEGER NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE entries (
            feed_url TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            title TEXT NOT NULL,
            link TEXT,
            published TEXT NOT NULL,
            updated TEXT NOT NULL,
            summary TEXT NOT NULL,
            content_html TEXT NOT NULL,
            categories TEXT NOT NULL,
            author TEXT,
            date_guessed INTEGER NOT NULL,
            person_id TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            PRIMARY KEY (feed_url, entry_id)
        )"""
    )
    # The order every build reads in: no sort step, and the same order on every machine.
    db.execute("CREATE INDEX entries_newest_first ON entries (published DESC, feed_url, entry_id)")


# MIGRATIONS[v] takes a file from schema version v to v + 1. Append, never edit: a released
# step is what older files on users' disks went through.
MIGRATIONS: tuple[Step, ...] = (_create_v1,)


def migrate(db: sqlite3.Connection, steps: Sequence[Step]) -> tuple[int, int]:
    """Run the steps a file still needs, and set its version, in one transaction.

    `db` must be in autocommit mode (`isolation_level=None`). Returns (found, now). A step
    that raises rolls everything back: the file stays as it was, at its old version."""
    db.execute("BEGIN IMMEDIATE")
    try:
        # Read again inside the write lock: another salon may have upgraded it meanwhile.
        (found,) = db.execute("PRAGMA user_version").fetchone()
        for step in steps[found:]:
            step(db)
        if found < len(steps):
            db.execute(f"PRAGMA user_version = {len(steps):d}")
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise
    return found, max(found, len(steps))


def _rollback(db: sqlite3.Connection) -> None:
    """Roll the open transaction back, if SQLite has not already: after SQLITE_FULL (and
    IOERR, NOMEM) it rolls back by itself, and a second ROLLBACK would raise "no transaction
    is active" in place of the error that says what happened."""
    if db.in_transaction:
        db.execute("ROLLBACK")


# --- encoding ------------------------------------------------------------------------------


def _iso(dt: datetime) -> str:
    if dt.tzinfo is not UTC:
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError(f"the feed store takes aware datetimes only, got {dt!r}")
        dt = dt.astimezone(UTC)
    # Fixed width (years are 4 digits, microseconds always written): text order = time order.
    return dt.isoformat(timespec="microseconds")


def _iso_or_none(dt: datetime | None) -> str | None:
    return None if dt is None else _iso(dt)


def _dt(text: str) -> datetime:
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise ValueError(f"stored datetime without a zone: {text!r}")
    return dt


def _dt_or_none(text: str | None) -> datetime | None:
    return None if text is None else _dt(text)


# One encoder, made once (json.dumps with options builds a new one on every call).
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class _Row(NamedTuple):
    """An entry's stored columns but its key (feed_url, entry_id) and first_seen."""

    title: str
    link: str | None
    published: str
    updated: str
    summary: str
    content_html: str
    categories: str
    author: str | None
    date_guessed: int
    person_id: str

    @classmethod
    def of(cls, e: FeedEntry) -> _Row:
        return cls(
            title=e.title,
            link=e.link,
            published=_iso(e.published),
            updated=_iso(e.updated),
            summary=e.summary,
            content_html=e.content_html,
            categories=_json(list(e.categories)) if e.categories else "[]",
            author=e.author,
            date_guessed=int(e.date_guessed),
            person_id=e.person_id,
        )


_ROW_COLUMNS = ", ".join(_Row._fields)


def _merge(old: _Row, new: _Row) -> _Row:
    """What to store when an entry seen before comes again.

    A guessed date (the feed gave none) is no news: the stored dates stand, so the entry
    keeps its first-seen moment and does not jump to the top of the reading list on every
    fetch. If something else changed, `updated` becomes when we saw the change."""
    if not new.date_guessed:
        return new
    kept = new._replace(published=old.published, updated=old.updated, date_guessed=old.date_guessed)
    if kept == old:
        return old
    return kept._replace(updated=max(old.updated, new.updated))


def _categories(text: str) -> tuple[str, ...]:
    value = json.loads(text)
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ValueError(f"stored categories are not a list of strings: {text!r}")
    return tuple(value)


def _entries(rows: Iterable[tuple[Any, ...]]) -> tuple[FeedEntry, ...]:
    """Decode rows of (feed_url, entry_id, *_Row), in the order they come."""
    known: dict[str, tuple[str, ...]] = {"[]": ()}  # most entries share a few category sets
    out = []
    for feed_url, entry_id, *row in rows:
        r = _Row(*row)
        categories = known.get(r.categories)
        if categories is None:
            categories = known[r.categories] = _categories(r.categories)
        out.append(
            FeedEntry(
                feed_url=feed_url,
                entry_id=entry_id,
                title=r.title,
                link=r.link,
                published=_dt(r.published),
                updated=_dt(r.updated),
                summary=r.summary,
                content_html=r.content_html,
                categories=categories,
                author=r.author,
                date_guessed=bool(r.date_guessed),
                person_id=r.person_id,
            )
        )
    return tuple(out)


_STATE_COLUMNS = (
    "url, etag, last_modified, body_hash, title, last_attempt, last_success, last_status, "
    "last_error, failures, next_due, gone, moved_to, entry_count"
)

_StateRow = tuple[
    str,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    int | None,
    str | None,
    int,
    str | None,
    int,
    str | None,
    int,
]


def _state_row(s: FeedState) -> _StateRow:
    return (
        s.url,
        s.etag,
        s.last_modified,
        s.body_hash,
        s.title,
        _iso_or_none(s.last_attempt),
        _iso_or_none(s.last_success),
        s.last_status,
        s.last_error,
        s.failures,
        _iso_or_none(s.next_due),
        int(s.gone),
        s.moved_to,
        s.entry_count,
    )


def _state(r: _StateRow) -> FeedState:
    return FeedState(
        url=r[0],
        etag=r[1],
        last_modified=r[2],
        body_hash=r[3],
        title=r[4],
        last_attempt=_dt_or_none(r[5]),
        last_success=_dt_or_none(r[6]),
        last_status=r[7],
        last_error=r[8],
        failures=r[9],
        next_due=_dt_or_none(r[10]),
        gone=bool(r[11]),
        moved_to=r[12],
        entry_count=r[13],
    )


# --- the store -------------------------------------------------------------------------------


class FeedStore:
    """Feed states and entries in one SQLite file. Use as a context manager.

    Every method may raise `StoreError` (damaged file, busy, disk full...), not only the
    constructor: SQLite finds some damage only when it reads the damaged page."""

    # The upgrade path this store applies. A class attribute so that a test can add a
    # hypothetical next step in a subclass and watch an older file go through it.
    migrations: ClassVar[tuple[Step, ...]] = MIGRATIONS

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        _check_header(path)
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as e:
            raise StoreError(path, f"the feed store cannot be opened ({e})") from e
        try:
            self._open()
        except BaseException:
            self.db.close()
            raise

    def _open(self) -> None:
        target = len(self.migrations)
        with self._errors():
            (version,) = self.db.execute("PRAGMA user_version").fetchone()
            if version > target:
                raise StoreError(
                    self.path,
                    f"the feed store was made by a newer salon (schema version {version}; "
                    f"this salon knows up to {target})",
                    hint="upgrade salon, or run 'salon fetch --rebuild-store' to start over "
                    "(it keeps a copy of the file)",
                )
            problems = [p for (p,) in self.db.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise StoreError(
                    self.path, f"the feed store is damaged ({problems[0]})", hint=REBUILD_HINT
                )
            # WAL: a build can read while `salon fetch` writes. NORMAL sync is safe in WAL
            # mode (no corruption on power loss, at worst the last fetch is fetched again)
            # and spares an fsync per feed.
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        if version < target:
            try:
                migrate(self.db, self.migrations)
            except sqlite3.ProgrammingError:
                raise
            except sqlite3.Error as e:
                if _code(e) in _CORRUPT | _BUSY:
                    raise self._error(e) from e
                raise StoreError(
                    self.path,
                    f"the feed store could not be upgraded from schema version {version} "
                    f"to {target} ({e})",
                    hint=REBUILD_HINT,
                ) from e

    def __enter__(self) -> FeedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's errors as `StoreError`s a person can act on; salon's own bugs as they are."""
        try:
            yield
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.Error as e:
            raise self._error(e) from e
        except (ValueError, TypeError) as e:  # a row that does not decode: not what we wrote
            raise StoreError(
                self.path, f"the feed store is damaged ({e})", hint=REBUILD_HINT
            ) from e

    def _error(self, e: sqlite3.Error) -> StoreError:
        code = _code(e)
        if code in _CORRUPT:
            return StoreError(self.path, f"the feed store is damaged ({e})", REBUILD_HINT)
        if code in _BUSY:
            return StoreError(
                self.path,
                "the feed store is busy: another salon is writing to it",
                "wait for it to finish, then try again",
            )
        if code == sqlite3.SQLITE_FULL:
            # The transaction that found no room was rolled back: the store is as it was.
            return StoreError(
                self.path,
                f"the feed store has no room to grow: the disk is full ({e})",
                "free some space on the disk that holds .salon/, then run 'salon fetch' "
                "again; what was stored before is kept",
            )
        if code == sqlite3.SQLITE_READONLY:
            return StoreError(
                self.path,
                f"the feed store cannot be written ({e})",
                "make .salon/ and the files in it writable (chmod -R u+w .salon), then try again",
            )
        if code == sqlite3.SQLITE_IOERR:
            return StoreError(
                self.path,
                f"the disk refused a read or write of the feed store ({e})",
                "check that the disk has room and is healthy, then try again; SQLite rolls "
                "a failed write back, so what was stored before is kept",
            )
        return StoreError(self.path, f"the feed store could not be used ({e})")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._errors():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                _rollback(self.db)
                raise
            self.db.execute("COMMIT")

    # --- feed states ---

    def state(self, url: str) -> FeedState | None:
        with self._errors():
            row = self.db.execute(
                f"SELECT {_STATE_COLUMNS} FROM feeds WHERE url = ?", (url,)
            ).fetchone()
            return None if row is None else _state(row)

    def states(self) -> dict[str, FeedState]:
        """Every feed's state, by URL (in URL order)."""
        with self._errors():
            rows = self.db.execute(f"SELECT {_STATE_COLUMNS} FROM feeds ORDER BY url")
            return {s.url: s for s in map(_state, rows)}

    def save_state(self, state: FeedState) -> None:
        row = _state_row(state)
        marks = ", ".join("?" * len(row))
        updates = ", ".join(f"{c} = excluded.{c}" for c in _STATE_COLUMNS.split(", ")[1:])
        with self._transaction() as db:
            db.execute(
                f"INSERT INTO feeds ({_STATE_COLUMNS}) VALUES ({marks}) "
                f"ON CONFLICT (url) DO UPDATE SET {updates}",
                row,
            )

    # --- entries ---

    def upsert_entries(
        self, feed_url: str, entries: Sequence[FeedEntry], seen_at: datetime
    ) -> tuple[int, int]:
        """Store what one fetch of `feed_url` listed; return (added, updated).

        Entries are keyed by (feed_url, entry_id), and `feed_url` is the argument, not the
        entries' own field: after a redirect the parser saw another URL, but the entries
        belong to the feed as the person's file names it. An entry listed twice counts once
        (the first wins). An unchanged entry is not written at all; an entry that no longer
        appears is kept."""
        seen = _iso(seen_at)
        incoming: dict[str, _Row] = {}
        for e in entries:
            incoming.setdefault(e.entry_id, _Row.of(e))
        if not incoming:
            return 0, 0
        with self._transaction() as db:
            stored = {
                r[0]: _Row(*r[1:])
                for r in db.execute(
                    f"SELECT entry_id, {_ROW_COLUMNS} FROM entries "
                    "WHERE feed_url = ? AND entry_id IN (SELECT value FROM json_each(?))",
                    (feed_url, json.dumps(list(incoming))),
                )
            }
            added: list[tuple[object, ...]] = []
            changed: list[tuple[object, ...]] = []
            for entry_id, new in incoming.items():
                old = stored.get(entry_id)
                if old is None:
                    added.append((feed_url, entry_id, *new, seen))
                elif (row := _merge(old, new)) != old:
                    changed.append((*row, feed_url, entry_id))
            db.executemany(
                f"INSERT INTO entries (feed_url, entry_id, {_ROW_COLUMNS}, first_seen) "
                f"VALUES ({', '.join('?' * (len(_Row._fields) + 3))})",
                added,
            )
            db.executemany(
                f"UPDATE entries SET {', '.join(f'{c} = ?' for c in _Row._fields)} "
                "WHERE feed_url = ? AND entry_id = ?",
                changed,
            )
        return len(added), len(changed)

    def entries(self, feed_urls: Iterable[str] | None = None) -> tuple[FeedEntry, ...]:
        """Stored entries (of `feed_urls` only, if given), newest first.

        The order is total: (published descending, feed_url, entry_id), compared as stored
        text. UTF-8 bytes sort as code points do, so this is also Python's order of the
        values."""
        select = f"SELECT feed_url, entry_id, {_ROW_COLUMNS} FROM entries"
        order = "ORDER BY published DESC, feed_url, entry_id"
        with self._errors():
            if feed_urls is None:
                rows = self.db.execute(f"{select} {order}")
            else:
                urls = sorted(set(feed_urls))
                if not urls:
                    return ()
                rows = self.db.execute(
                    f"{select} WHERE feed_url IN (SELECT value FROM json_each(?)) {order}",
                    (json.dumps(urls),),
                )
            return _entries(rows)

    def entry_count(self, feed_url: str) -> int:
        with self._errors():
            (n,) = self.db.execute(
                "SELECT count(*) FROM entries WHERE feed_url = ?", (feed_url,)
            ).fetchone()
            return int(n)

    def forget_feed(self, url: str) -> None:
        """Drop a feed's state and every entry of it (nobody in the salon follows it now)."""
        with self._transaction() as db:
            db.execute("DELETE FROM entries WHERE feed_url = ?", (url,))
            db.execute("DELETE FROM feeds WHERE url = ?", (url,))

    def rename_feed(self, old: str, new: str) -> None:
        """Move a feed's state and entries from `old` to `new`, the URL it moved to, when
        the person's file is fixed after a permanent redirect: the history follows the feed.

        Whatever is already stored under `new` wins (an entry stored under both URLs is
        the same entry; the copy under `new` is the newer). `moved_to` is cleared: at its
        new address the feed has not moved."""
        if old == new:
            return
        with self._transaction() as db:
            db.execute("UPDATE OR IGNORE entries SET feed_url = ? WHERE feed_url = ?", (new, old))
            db.execute("DELETE FROM entries WHERE feed_url = ?", (old,))
            db.execute(
                "UPDATE OR IGNORE feeds SET url = ?, moved_to = NULL WHERE url = ?", (new, old)
            )
            db.execute("DELETE FROM feeds WHERE url = ?", (old,))
            db.execute(
                "UPDATE feeds SET entry_count = "
                "(SELECT count(*) FROM entries WHERE feed_url = ?1) WHERE url = ?1",
                (new,),
            )

    # --- a way out ---

    @staticmethod
    def rebuild(path: Path) -> Path | None:
        """Move the store at `path` aside to `<name>.broken-<n>` and return where it went
        (None when there was nothing to move). The next `FeedStore(path)` starts empty.

        The file is never deleted: it may hold history no feed lists any more. Its `-wal`,
        `-shm` and `-journal` files go with it, renamed to match, so the copy can still be
        opened, and so a stale log is never replayed into the new store."""
        suffixes = ("", "-wal", "-shm", "-journal")
        present = [s for s in suffixes if path.with_name(path.name + s).exists()]
        if not present:
            return None
        n = 1
        while any(path.with_name(f"{path.name}.broken-{n}{s}").exists() for s in suffixes):
            n += 1
        for s in present:
            path.with_name(path.name + s).rename(path.with_name(f"{path.name}.broken-{n}{s}"))
        return path.with_name(f"{path.name}.broken-{n}{present[0]}")


def _check_header(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite opens it: on closing, SQLite would
    delete a `-wal` beside it that it cannot make sense of, and that is not ours to delete."""
    try:
        with path.open("rb") as f:
            head = f.read(len(_MAGIC))
    except OSError:
        return  # missing (a new store) or unreadable: connecting says which
    if head and head != _MAGIC:
        raise StoreError(path, "the feed store is not a SQLite database", hint=REBUILD_HINT)


def _code(e: sqlite3.Error) -> int | None:
    code: int | None = getattr(e, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF
