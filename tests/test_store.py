"""The feed store, on real SQLite files in tmp_path: round trips, upserts, history, order,
damaged and foreign files, and the migration mechanism."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from salon_gen.core.model import FeedEntry, FeedState
from salon_gen.following.store import (
    MIGRATIONS,
    REBUILD_HINT,
    SCHEMA_VERSION,
    FeedStore,
    Step,
    StoreError,
    migrate,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
FEED = "https://ada.example/feed.xml"
OTHER = "https://bob.example/atom.xml"


def entry(entry_id: str, **changes: Any) -> FeedEntry:
    base = FeedEntry(
        feed_url=FEED,
        entry_id=entry_id,
        title=f"Post {entry_id}",
        link=f"https://ada.example/{entry_id}/",
        published=T0,
        updated=T0,
        summary="A short excerpt.",
        content_html="<p>Body</p>",
        categories=("python", "static-sites"),
        author="Ada",
    )
    return replace(base, **changes)


def user_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def tables(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        db.close()


def filled_store(path: Path) -> tuple[tuple[FeedEntry, ...], dict[str, FeedState]]:
    """A store with a few entries and a state; returns what it holds."""
    with FeedStore(path) as store:
        store.upsert_entries(FEED, [entry("a"), entry("b", published=T0 + timedelta(1))], T0)
        store.save_state(FeedState(url=FEED, etag='"v1"', last_success=T0, entry_count=2))
        return store.entries(), store.states()


# --- round trips ---------------------------------------------------------------------------


def test_a_feed_state_reads_back_equal_after_reopening(tmp_path: Path) -> None:
    lisbon = timezone(timedelta(hours=1))
    full = FeedState(
        url=FEED,
        etag='W/"abc"',
        last_modified="Sun, 01 Nov 2026 12:00:00 GMT",
        body_hash="0" * 64,
        title="Ada's notes",
        last_attempt=datetime(2026, 11, 1, 13, 0, 0, 123456, tzinfo=lisbon),  # stored as UTC
        last_success=T0,
        last_status=200,
        last_error="timed out",
        failures=3,
        next_due=T0 + timedelta(hours=1),
        gone=True,
        moved_to="https://ada.example/new.xml",
        entry_count=7,
    )
    bare = FeedState(url=OTHER)
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        store.save_state(full)
        store.save_state(bare)
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        assert store.state(FEED) == full
        assert store.state(OTHER) == bare
        assert store.state("https://nobody.example/") is None
        assert list(store.states()) == sorted([FEED, OTHER])
        assert store.states()[FEED] == full
        read = store.state(FEED)
        assert read is not None and read.last_attempt is not None
        assert read.last_attempt.tzinfo is UTC and read.last_attempt.hour == 12


def test_saving_a_state_again_replaces_it(tmp_path: Path) -> None:
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        store.save_state(FeedState(url=FEED, etag='"1"', failures=2, last_error="HTTP 500"))
        store.save_state(FeedState(url=FEED, etag='"2"'))
        assert store.states() == {FEED: FeedState(url=FEED, etag='"2"')}


def test_entries_read_back_equal_after_reopening(tmp_path: Path) -> None:
    written = (
        entry("a", categories=("naïve", "日本語", 'quote"d'), person_id="ada"),
        entry("b", link=None, author=None, categories=(), summary="", content_html=""),
        entry(
            "c",
            published=datetime(2026, 10, 31, 23, 30, 0, 1, tzinfo=timezone(-timedelta(hours=5))),
            updated=datetime(2026, 11, 2, tzinfo=UTC),
            date_guessed=True,
        ),
    )
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        assert store.upsert_entries(FEED, written, T0) == (3, 0)
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        read = store.entries()
    assert sorted(read, key=lambda e: e.entry_id) == list(written)
    assert all(e.published.tzinfo is UTC and e.updated.tzinfo is UTC for e in read)


def test_naive_datetimes_are_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        with pytest.raises(ValueError, match="aware"):
            store.upsert_entries(FEED, [entry("a"), entry("b", updated=datetime(2026, 1, 1))], T0)
        with pytest.raises(ValueError, match="aware"):
            store.save_state(FeedState(url=FEED, next_due=datetime(2026, 1, 1)))
        assert store.entries() == () and store.states() == {}


# --- upserts -------------------------------------------------------------------------------


def test_upsert_counts_added_and_updated(tmp_path: Path) -> None:
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        assert store.upsert_entries(FEED, [entry("a"), entry("b"), entry("c")], T0) == (3, 0)
        assert store.upsert_entries(FEED, [entry("a"), entry("b"), entry("c")], T0) == (0, 0)
        later = T0 + timedelta(hours=1)
        again = [
            entry("a", title="Post a, retitled"),
            entry("b", categories=("python",)),
            entry("c"),
            entry("d"),
        ]
        assert store.upsert_entries(FEED, again, later) == (1, 2)
        assert store.upsert_entries(FEED, [], later) == (0, 0)
        by_id = {e.entry_id: e for e in store.entries()}
        assert by_id["a"].title == "Post a, retitled"  # the new version replaced the old
        assert by_id["b"].categories == ("python",)
        assert store.entry_count(FEED) == 4 and store.entry_count(OTHER) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"title": "New"},
        {"link": None},
        {"updated": T0 + timedelta(minutes=1)},
        {"published": T0 - timedelta(days=1)},
        {"summary": "Other"},
        {"content_html": "<p>Edited</p>"},
        {"categories": ("python", "static-sites", "sqlite")},
        {"author": "Ada L."},
        {"person_id": "ada"},
    ],
)
def test_any_change_counts_as_updated(tmp_path: Path, change: dict[str, object]) -> None:
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        store.upsert_entries(FEED, [entry("a")], T0)
        assert store.upsert_entries(FEED, [entry("a", **change)], T0) == (0, 1)
        assert store.entries() == (entry("a", **change),)


def test_an_unchanged_entry_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    with FeedStore(path) as store:
        store.upsert_entries(FEED, [entry("a"), entry("b")], T0)
        before = store.db.total_changes
        store.upsert_entries(FEED, [entry("a"), entry("b")], T0 + timedelta(hours=1))
        assert store.db.total_changes == before  # not one row written
        store.upsert_entries(FEED, [entry("a"), entry("b", title="B")], T0 + timedelta(hours=2))
        assert store.db.total_changes == before + 1  # only the changed one
        first_seen = dict(store.db.execute("SELECT entry_id, first_seen FROM entries"))
    # An update keeps the moment the entry was first seen.
    stamp = T0.isoformat(timespec="microseconds")
    assert first_seen == {"a": stamp, "b": stamp}


def test_an_entry_listed_twice_in_one_fetch_counts_once_and_the_first_wins(
    tmp_path: Path,
) -> None:
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        twice = [entry("a", title="First"), entry("a", title="Second")]
        assert store.upsert_entries(FEED, twice, T0) == (1, 0)
        assert [e.title for e in store.entries()] == ["First"]


def test_entries_belong_to_the_feed_url_given_not_the_one_they_carry(tmp_path: Path) -> None:
    # After a redirect the parser saw the final URL; the person's file names the first one.
    moved = "https://ada.example/new-feed.xml"
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        assert store.upsert_entries(FEED, [entry("a", feed_url=moved)], T0) == (1, 0)
        assert store.entries([FEED]) == (entry("a"),)
        assert store.entries([moved]) == ()
        assert store.upsert_entries(FEED, [entry("a", feed_url=moved)], T0) == (0, 0)


def test_a_guessed_date_keeps_the_first_seen_moment(tmp_path: Path) -> None:
    t1, t2, t3 = T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        first = entry("a", published=t1, updated=t1, date_guessed=True)
        assert store.upsert_entries(FEED, [first], t1) == (1, 0)
        # The next fetch guesses "now" again: nothing happened, the date does not jump.
        reguess = entry("a", published=t2, updated=t2, date_guessed=True)
        assert store.upsert_entries(FEED, [reguess], t2) == (0, 0)
        assert store.entries() == (first,)
        # The text changed: an update, seen at t3, still published at t1.
        edited = entry("a", published=t3, updated=t3, date_guessed=True, title="Edited")
        assert store.upsert_entries(FEED, [edited], t3) == (0, 1)
        assert store.entries() == (replace(edited, published=t1),)


def test_a_guess_never_replaces_a_real_date_but_a_real_date_replaces_a_guess(
    tmp_path: Path,
) -> None:
    real = T0 - timedelta(days=3)
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        store.upsert_entries(FEED, [entry("a", published=real, updated=real)], T0)
        guessed = entry("a", published=T0, updated=T0, date_guessed=True)
        assert store.upsert_entries(FEED, [guessed], T0) == (0, 0)
        assert store.entries() == (entry("a", published=real, updated=real),)

        store.upsert_entries(FEED, [entry("b", date_guessed=True)], T0)
        dated = entry("b", published=real, updated=real)
        assert store.upsert_entries(FEED, [dated], T0 + timedelta(hours=1)) == (0, 1)
        assert store.entries([FEED])[1] == dated


def test_a_real_date_change_moves_the_entry(tmp_path: Path) -> None:
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        store.upsert_entries(FEED, [entry("a"), entry("b", published=T0 + timedelta(1))], T0)
        assert [e.entry_id for e in store.entries()] == ["b", "a"]
        store.upsert_entries(FEED, [entry("a", published=T0 + timedelta(2))], T0)
        assert [e.entry_id for e in store.entries()] == ["a", "b"]


def test_entries_that_drop_out_of_the_feed_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    with FeedStore(path) as store:
        store.upsert_entries(FEED, [entry("a"), entry("b"), entry("c")], T0)
        assert store.upsert_entries(FEED, [entry("c"), entry("d")], T0 + timedelta(1)) == (1, 0)
    with FeedStore(path) as store:
        assert sorted(e.entry_id for e in store.entries()) == ["a", "b", "c", "d"]
        assert store.entry_count(FEED) == 4


def test_forgetting_a_feed_drops_its_state_and_entries_only(tmp_path: Path) -> None:
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        store.upsert_entries(FEED, [entry("a")], T0)
        store.upsert_entries(OTHER, [entry("x", feed_url=OTHER)], T0)
        store.save_state(FeedState(url=FEED))
        store.save_state(FeedState(url=OTHER))
        store.forget_feed(FEED)
        assert store.entries() == (entry("x", feed_url=OTHER),)
        assert list(store.states()) == [OTHER]
        assert store.entry_count(FEED) == 0


def test_renaming_a_feed_moves_its_history_and_state(tmp_path: Path) -> None:
    new = "https://ada.example/new-feed.xml"
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        store.upsert_entries(FEED, [entry("a"), entry("b", title="old copy")], T0)
        store.upsert_entries(new, [entry("b", title="new copy"), entry("c")], T0)
        store.upsert_entries(OTHER, [entry("x", feed_url=OTHER)], T0)
        store.save_state(FeedState(url=FEED, etag='"e"', moved_to=new, entry_count=2))
        store.rename_feed(FEED, new)
        assert store.entries([FEED]) == ()
        assert {(e.entry_id, e.title) for e in store.entries([new])} == {
            ("a", "Post a"),
            ("b", "new copy"),
            ("c", "Post c"),
        }
        assert store.entries([OTHER]) == (entry("x", feed_url=OTHER),)
        assert store.states() == {new: FeedState(url=new, etag='"e"', entry_count=3)}
        # A state already under the new URL is kept.
        store.save_state(FeedState(url=OTHER, etag='"other"'))
        store.save_state(FeedState(url=new, etag='"theirs"'))
        store.rename_feed(new, OTHER)
        assert store.states() == {OTHER: FeedState(url=OTHER, etag='"other"', entry_count=4)}
        assert store.entry_count(OTHER) == 4


# --- reading -------------------------------------------------------------------------------


def _many() -> list[FeedEntry]:
    """Entries full of ties: equal dates across feeds and within one, ids that sort
    differently as UTF-16 or case-folded, dates written in other zones."""
    feeds = [FEED, OTHER, "https://ćafé.example/feed", "https://ada.example/feed.xml?b=1"]
    ids = ["a", "B", "b", "é", "z", "日本", "\U0001f600", "ﬀ", "10", "9"]
    plus2 = timezone(timedelta(hours=2))
    out = []
    for n, url in enumerate(feeds):
        for m, entry_id in enumerate(ids):
            when = T0 + timedelta(hours=(n + m) % 3)
            if m % 4 == 0:
                when = when.astimezone(plus2)  # same instant, another zone
            out.append(entry(entry_id, feed_url=url, published=when))
    return out


def test_entries_come_newest_first_in_a_total_order(tmp_path: Path) -> None:
    written = _many()
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        for url in sorted({e.feed_url for e in written}):
            store.upsert_entries(url, [e for e in written if e.feed_url == url], T0)
        read = store.entries()
    by_key = sorted(written, key=lambda e: (e.feed_url, e.entry_id))
    expected = sorted(by_key, key=lambda e: e.published, reverse=True)  # stable: ties kept
    assert read == tuple(expected)


def test_the_order_does_not_depend_on_the_order_of_writing(tmp_path: Path) -> None:
    orders = []
    for seed in (1, 2, 3):
        written = _many()
        random.Random(seed).shuffle(written)
        path = tmp_path / f"feeds-{seed}.sqlite"
        with FeedStore(path) as store:
            for e in written:  # one at a time, in shuffled order
                store.upsert_entries(e.feed_url, [e], T0)
        with FeedStore(path) as store:
            orders.append(store.entries())
    assert orders[0] == orders[1] == orders[2]
    assert len(orders[0]) == len(_many())


def test_entries_of_some_feeds_only(tmp_path: Path) -> None:
    written = _many()
    with FeedStore(tmp_path / "feeds.sqlite") as store:
        for e in written:
            store.upsert_entries(e.feed_url, [e], T0)
        wanted = {OTHER, "https://ćafé.example/feed", "https://nobody.example/"}
        some = store.entries(iter(wanted))
        assert some == tuple(e for e in store.entries() if e.feed_url in wanted)
        assert {e.feed_url for e in some} == wanted - {"https://nobody.example/"}
        assert store.entries([]) == ()


def test_reading_does_not_touch_the_file(tmp_path: Path) -> None:
    # An offline build only reads: the same file, the same fingerprint, the same site.
    path = tmp_path / "feeds.sqlite"
    filled_store(path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with FeedStore(path) as store:
        store.entries()
        store.entries([FEED])
        store.states()
        store.state(FEED)
        store.entry_count(FEED)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.sqlite"]


def test_the_store_uses_wal_and_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "feeds.sqlite"
    FeedStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()
    assert user_version(path) == SCHEMA_VERSION == len(MIGRATIONS)


# --- damaged and foreign files -------------------------------------------------------------


def _expect_damaged(path: Path) -> StoreError:
    with pytest.raises(StoreError) as info:
        FeedStore(path)
    assert info.value.hint == REBUILD_HINT
    assert info.value.path == path and str(path) in str(info.value)
    return info.value


def test_a_file_that_is_not_a_database_is_an_error_with_a_way_out(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    garbage = b"this is not a database, just some bytes\n" * 200
    path.write_bytes(garbage)
    (tmp_path / "feeds.sqlite-wal").write_bytes(b"a log we cannot read")
    error = _expect_damaged(path)
    assert "not a SQLite database" in error.message
    # Left exactly as found, and so is the log beside it (SQLite would delete that one).
    assert path.read_bytes() == garbage
    assert (tmp_path / "feeds.sqlite-wal").read_bytes() == b"a log we cannot read"


@pytest.mark.parametrize("size", [16, 100, 4096, 20_000])
def test_a_sqlite_header_followed_by_garbage_is_an_error(tmp_path: Path, size: int) -> None:
    path = tmp_path / "feeds.sqlite"
    path.write_bytes((b"SQLite format 3\x00" + b"\x07garbage" * 3000)[:size])
    _expect_damaged(path)


def test_a_truncated_database_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    with FeedStore(path) as store:
        big = [entry(str(n), content_html="<p>" + "x" * 2000 + "</p>") for n in range(200)]
        store.upsert_entries(FEED, big, T0)
    data = path.read_bytes()
    assert len(data) > 100_000
    path.write_bytes(data[: len(data) // 2])
    _expect_damaged(path)


def test_a_garbled_page_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    with FeedStore(path) as store:
        big = [entry(str(n), content_html="<p>" + "x" * 2000 + "</p>") for n in range(200)]
        store.upsert_entries(FEED, big, T0)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")  # the page size, from the header
    data[page * 5 : page * 6] = b"\xff" * page
    path.write_bytes(bytes(data))
    _expect_damaged(path)


def test_a_quick_check_problem_is_an_error(tmp_path: Path) -> None:
    # A NULL where the schema says NOT NULL: the pages are fine, the content is not.
    path = tmp_path / "feeds.sqlite"
    with FeedStore(path) as store:
        store.upsert_entries(FEED, [entry("a", link=None)], T0)
    db = sqlite3.connect(path)
    db.execute("PRAGMA writable_schema = ON")
    db.execute(
        "UPDATE sqlite_master SET sql = replace(sql, 'link TEXT,', 'link TEXT NOT NULL,') "
        "WHERE name = 'entries'"
    )
    db.commit()
    db.close()
    error = _expect_damaged(path)
    assert "NULL value in entries.link" in error.message


def test_a_row_that_does_not_decode_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    filled_store(path)
    db = sqlite3.connect(path)
    db.execute("UPDATE entries SET published = 'last Tuesday' WHERE entry_id = 'a'")
    db.commit()
    db.close()
    with FeedStore(path) as store, pytest.raises(StoreError) as info:
        store.entries()
    assert info.value.hint == REBUILD_HINT and "damaged" in info.value.message


def test_rebuild_moves_the_broken_file_aside_and_a_fresh_store_works(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    garbage = b"\x00garbage" * 500
    path.write_bytes(garbage)
    (tmp_path / "feeds.sqlite-wal").write_bytes(b"stale log")
    _expect_damaged(path)

    moved = FeedStore.rebuild(path)
    assert moved == tmp_path / "feeds.sqlite.broken-1"
    assert moved.read_bytes() == garbage  # kept, never deleted
    assert (tmp_path / "feeds.sqlite.broken-1-wal").read_bytes() == b"stale log"
    assert not path.exists() and not (tmp_path / "feeds.sqlite-wal").exists()

    with FeedStore(path) as store:
        assert store.entries() == () and store.states() == {}
        assert store.upsert_entries(FEED, [entry("a")], T0) == (1, 0)
    with FeedStore(path) as store:
        assert store.entries() == (entry("a"),)

    # A second rebuild takes the next number and leaves the first copy alone.
    assert FeedStore.rebuild(path) == tmp_path / "feeds.sqlite.broken-2"
    assert moved.read_bytes() == garbage
    with FeedStore(tmp_path / "feeds.sqlite.broken-2") as copy:
        assert copy.entries() == (entry("a"),)  # the moved store still opens
    assert FeedStore.rebuild(path) is None  # nothing left to move


def test_a_store_from_a_newer_salon_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    filled_store(path)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    data = path.read_bytes()
    with pytest.raises(StoreError) as info:
        FeedStore(path)
    assert "newer salon" in info.value.message
    assert info.value.hint is not None and "upgrade salon" in info.value.hint
    assert path.read_bytes() == data
    assert user_version(path) == SCHEMA_VERSION + 1


# --- migrations ----------------------------------------------------------------------------


def test_an_empty_file_is_version_0_and_becomes_a_store(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    path.write_bytes(b"")  # what sqlite3.connect leaves behind: a database with no tables
    assert user_version(path) == 0
    with FeedStore(path) as store:
        assert store.upsert_entries(FEED, [entry("a")], T0) == (1, 0)
    assert user_version(path) == SCHEMA_VERSION
    assert {"feeds", "entries"} <= tables(path)


def test_a_version_0_file_keeps_what_it_holds(tmp_path: Path) -> None:
    # A version-0 file with something in it (a hand-made table): migrated around, not dropped.
    path = tmp_path / "feeds.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.executemany("INSERT INTO notes VALUES (?)", [("keep me",), ("me too",)])
    db.commit()
    db.close()
    with FeedStore(path) as store:
        store.upsert_entries(FEED, [entry("a")], T0)
        assert store.entries() == (entry("a"),)
    db = sqlite3.connect(path)
    assert db.execute("SELECT text FROM notes ORDER BY text").fetchall() == [
        ("keep me",),
        ("me too",),
    ]
    db.close()
    assert user_version(path) == SCHEMA_VERSION


@pytest.mark.parametrize("table", ["feeds", "entries"])
def test_a_version_0_file_with_a_clashing_table_is_refused_unchanged(
    tmp_path: Path, table: str
) -> None:
    # A table of ours in a file that says it has none: not ours to reinterpret or drop.
    path = tmp_path / "feeds.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"CREATE TABLE {table} (something TEXT)")
    db.execute(f"INSERT INTO {table} VALUES ('precious')")
    db.commit()
    db.close()
    with pytest.raises(StoreError) as info:
        FeedStore(path)
    assert "could not be upgraded from schema version 0" in info.value.message
    assert info.value.hint == REBUILD_HINT
    # The transaction was rolled back: no half-made schema, the old table as it was.
    assert tables(path) == {table}
    assert user_version(path) == 0
    db = sqlite3.connect(path)
    assert db.execute(f"SELECT something FROM {table}").fetchall() == [("precious",)]
    db.close()


def _add_language(db: sqlite3.Connection) -> None:
    """A hypothetical step 1 → 2: entries learn their language."""
    db.execute("ALTER TABLE entries ADD COLUMN language TEXT NOT NULL DEFAULT ''")
    db.execute("UPDATE entries SET language = 'en'")


class _NextFeedStore(FeedStore):
    """The store as a salon with schema version 2 would have it."""

    migrations = (*MIGRATIONS, _add_language)


def test_an_older_schema_is_migrated_and_its_data_kept(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    entries, states = filled_store(path)
    assert user_version(path) == 1
    with _NextFeedStore(path) as store:
        assert store.entries() == entries
        assert store.states() == states
        assert store.upsert_entries(FEED, [entry("c")], T0) == (1, 0)  # still writable
    assert user_version(path) == 2
    db = sqlite3.connect(path)
    languages = db.execute("SELECT entry_id, language FROM entries ORDER BY entry_id").fetchall()
    db.close()
    assert languages == [("a", "en"), ("b", "en"), ("c", "")]
    # And this salon, which knows only version 1, now refuses the file.
    with pytest.raises(StoreError, match="newer salon"):
        FeedStore(path)


def test_a_new_file_goes_through_every_step(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite"
    with _NextFeedStore(path) as store:
        store.upsert_entries(FEED, [entry("a")], T0)
    assert user_version(path) == 2


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    def half_done(db: sqlite3.Connection) -> None:
        db.execute("DROP TABLE feeds")
        db.execute("SELECT no_such_function()")

    class Broken(FeedStore):
        # Two steps to go: the first succeeds, the second fails half-way.
        migrations = (*MIGRATIONS, _add_language, half_done)

    path = tmp_path / "feeds.sqlite"
    entries, states = filled_store(path)
    with pytest.raises(StoreError) as info:
        Broken(path)
    assert "from schema version 1 to 3" in info.value.message
    assert user_version(path) == 1
    with FeedStore(path) as store:  # every part of the step was rolled back
        assert store.entries() == entries and store.states() == states
        columns = {r[1] for r in store.db.execute("PRAGMA table_info(entries)")}
    assert "language" not in columns


def test_migrate_runs_only_the_steps_a_file_needs(tmp_path: Path) -> None:
    ran: list[int] = []

    def step(n: int) -> Step:
        def run(db: sqlite3.Connection) -> None:
            ran.append(n)

        return run

    db = sqlite3.connect(tmp_path / "x.sqlite", isolation_level=None)
    try:
        assert migrate(db, [step(0), step(1)]) == (0, 2)
        assert migrate(db, [step(0), step(1), step(2)]) == (2, 3)
        assert migrate(db, [step(0), step(1), step(2)]) == (3, 3)
        assert db.execute("PRAGMA user_version").fetchone() == (3,)
    finally:
        db.close()
    assert ran == [0, 1, 2]
