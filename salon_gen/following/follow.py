"""Following people, as `salon build` and `salon fetch` do it: open the store, read who is
followed, run one sync round, and hand the stored entries to the build.

Shell. Owns turning store problems into diagnostics with a way out, and finding the line of a
feed URL in a person's file for warnings. Must not render.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from salon_gen.content import personfile, sources
from salon_gen.content.personfile import PersonFile
from salon_gen.core.errors import BuildFailed, Diagnostic
from salon_gen.core.model import Config, FeedEntry, FeedState, FetchResult, Person
from salon_gen.core.urls import is_local_feed
from salon_gen.workspace.state import StatePaths

if TYPE_CHECKING:
    from salon_gen.following.store import FeedStore, StoreError
    from salon_gen.following.sync import SyncReport


@contextmanager
def _store_errors(paths: StatePaths) -> Iterator[None]:
    """Damage found while reading or writing (not only on open) is a diagnostic too."""
    from salon_gen.following.store import StoreError

    try:
        yield
    except StoreError as e:
        raise BuildFailed([_store_diagnostic(paths, e)]) from None


def _store_diagnostic(paths: StatePaths, e: StoreError) -> Diagnostic:
    return Diagnostic(
        path=paths.feeds.relative_to(paths.root).as_posix(), message=e.message, hint=e.hint
    )


def rebuild_store(paths: StatePaths) -> str:
    """Set the store aside only if it cannot be opened; say what happened."""
    from salon_gen.following.store import FeedStore, StoreError

    try:
        FeedStore(paths.feeds).close()
    except StoreError:
        moved = FeedStore.rebuild(paths.feeds)
        paths.entries_changed()
        return f"the broken store is kept as {moved}; a new one starts empty"
    return "the feed store is healthy: nothing to rebuild"


def open_store(paths: StatePaths) -> FeedStore:
    """The feed store, or BuildFailed saying what is wrong and how to get out of it."""
    from salon_gen.following.store import FeedStore, StoreError

    paths.dir.mkdir(parents=True, exist_ok=True)
    try:
        return FeedStore(paths.feeds)
    except StoreError as e:
        raise BuildFailed([_store_diagnostic(paths, e)]) from None


def read_people(root: Path) -> tuple[list[Person], dict[str, PersonFile]]:
    """The people files, read only as far as following needs (their bodies are not rendered),
    and each file as read, by path. Files with errors are skipped here: the build reports
    them."""
    tree, _ = sources.read_content(root, kinds=("people",))
    people: list[Person] = []
    files: dict[str, PersonFile] = {}
    for f in tree.people:
        pf = personfile.parse(f.path, f.text)
        pair, _ = personfile.values(pf)
        if pair is not None:
            people.append(pair[0])
            files[f.path] = pf
    return people, files


def fetch_feeds(
    root: Path,
    config: Config,
    now: datetime,
    *,
    force: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[FetchResult], None] | None = None,
    local_only: bool = False,
) -> SyncReport:
    """Fetch every due feed of everyone in the salon and store what changed. With
    `local_only` (an offline build), read only the feeds that are files in the salon."""
    people, files = read_people(root)
    from salon_gen.following.sync import SyncReport, sync

    if local_only and not any(is_local_feed(url) for p in people for url in p.feeds):
        return SyncReport()  # nothing to read: the store is not even opened

    def line_of(person: Person, url: str) -> int | None:
        # the feed's own item, never the first line that contains its URL (a site `url:`
        # or a longer feed that starts with it)
        pf = files.get(person.source)
        return pf.value_line("feeds", url) if pf is not None else None

    paths = StatePaths(root=root)
    with open_store(paths) as store, _store_errors(paths):
        report = sync(
            store,
            people,
            now,
            config=config,
            force=force,
            line_of=line_of,
            on_start=on_start,
            on_done=on_done,
            root=root,
            local_only=local_only,
        )
    if report.added or report.updated:
        paths.entries_changed()
    return report


def stored_entries(paths: StatePaths, people: Sequence[Person]) -> tuple[FeedEntry, ...]:
    """Every stored entry of the feeds of `people` (no store yet: none)."""
    if not paths.feeds.exists():
        return ()
    urls = sorted({url for p in people for url in p.feeds})
    with open_store(paths) as store, _store_errors(paths):
        return store.entries(urls)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedHealth:
    """One followed feed as `salon feeds` shows it."""

    person_id: str
    url: str
    state: FeedState | None

    def describe(self, now: datetime) -> str:
        s = self.state
        head = f"{self.person_id}  {self.url}"
        if s is None or s.last_attempt is None:
            return f"{head}\n  not fetched yet: run 'salon fetch'"
        if s.gone:
            status = "gone (HTTP 410): no longer polled; its entries are kept"
        elif s.last_error:
            status = f"failing: {s.last_error} ({s.failures} in a row)"
        else:
            status = f"ok (HTTP {s.last_status})"
        parts = [
            status,
            f"last success {_when(s.last_success)}",
            f"{s.entry_count} entries stored",
        ]
        if not s.gone and s.next_due is not None:
            parts.append(f"next due {_until(s.next_due, now)}")
        text = f"{head}\n  " + " · ".join(parts)
        if s.moved_to:
            text += f"\n  moved permanently to {s.moved_to}: run 'salon feeds --fix'"
        return text


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _until(moment: datetime, now: datetime) -> str:
    minutes = int((moment - now).total_seconds() // 60)
    if minutes <= 0:
        return "now"
    if minutes < 120:
        return f"in {minutes} min"
    if minutes < 48 * 60:
        return f"in {minutes // 60} h"
    return f"in {minutes // 1440} days"


def feed_health(root: Path) -> list[FeedHealth]:
    """Every followed feed with what the store knows of it, by person then URL."""
    people, _ = read_people(root)
    paths = StatePaths(root=root)
    states: dict[str, FeedState] = {}
    if paths.feeds.exists():
        with open_store(paths) as store:
            states = store.states()
    return [
        FeedHealth(person_id=p.id, url=url, state=states.get(url))
        for p in sorted(people, key=lambda p: p.id)
        for url in p.feeds
    ]
