"""One round of following: due feeds are fetched, parsed when changed, and stored.

The shell around the pure pieces: `schedule` decides what is due and what a fetch means,
`fetch` talks HTTP, `ingest` parses, `store` remembers. Every problem with a friend's feed
is a warning naming the person's file (and the line of the feed URL): never an exception,
never a failed build. Must not render anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from salon_gen import HOMEPAGE, __version__
from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import Config, FetchResult, Person
from salon_gen.core.urls import is_local_feed
from salon_gen.following import schedule
from salon_gen.following.fetch import FetchLimits, FetchRequest, fetch_many
from salon_gen.following.ingest import parse_feed
from salon_gen.following.localfeed import read_local_feed
from salon_gen.following.store import FeedStore


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedTask:
    person: Person
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncReport:
    due: int = 0
    fetched: int = 0  # 200 with a body
    not_modified: int = 0  # 304, or the same body as last time
    failed: int = 0
    added: int = 0
    updated: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()

    def summary(self) -> str:
        return (
            f"{self.due} feeds due: {self.fetched} fetched, {self.not_modified} unchanged, "
            f"{self.failed} failed; {self.added} new entries, {self.updated} updated"
        )


def limits_for(config: Config) -> FetchLimits:
    """The HTTP limits a salon's settings ask for; the User-Agent names salon and the owner."""
    return FetchLimits(
        total_timeout=float(config.fetch.timeout),
        max_bytes=config.fetch.max_size_mb * 1024 * 1024,
        user_agent=f"salon/{__version__} (+{HOMEPAGE}; feed reader for {config.base_url})",
    )


def tasks_for(people: Sequence[Person]) -> list[FeedTask]:
    """Every feed to follow, once (a feed listed by two people belongs to the first by id)."""
    seen: dict[str, FeedTask] = {}
    for person in sorted(people, key=lambda p: p.id):
        for url in person.feeds:
            seen.setdefault(url, FeedTask(person=person, url=url))
    return list(seen.values())


def sync(
    store: FeedStore,
    people: Sequence[Person],
    now: datetime,
    *,
    config: Config,
    force: bool = False,
    line_of: Callable[[Person, str], int | None] = lambda person, url: None,
    on_done: Callable[[FetchResult], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    root: Path | None = None,
    local_only: bool = False,
) -> SyncReport:
    """Fetch every due feed of `people` and store what changed. Feeds that are files in
    the salon folder `root` are read from it on every round (with `local_only`, only
    they are)."""
    tasks = tasks_for(people)
    if local_only:
        tasks = [t for t in tasks if is_local_feed(t.url)]
    states = store.states()
    # A file in the salon folder is read on every round: it is no one's server to spare.
    due = [
        t
        for t in tasks
        if is_local_feed(t.url) or schedule.is_due(states.get(t.url), now, force=force)
    ]
    if on_start is not None:
        on_start(len(due))
    if not due:
        return SyncReport()
    limits = limits_for(config)
    remote = [t for t in due if not is_local_feed(t.url)]
    requests = [
        FetchRequest(
            url=t.url,
            etag=states[t.url].etag if t.url in states else None,
            last_modified=states[t.url].last_modified if t.url in states else None,
        )
        for t in remote
    ]
    fetched_ = iter(
        fetch_many(requests, limits, workers=config.fetch.concurrency, on_done=on_done)
        if requests
        else []
    )
    results = [
        (
            read_local_feed(root or Path("."), t.url, max_bytes=limits.max_bytes, base=t.person.url)
            if root is not None
            else FetchResult(url=t.url, final_url=t.url, status=None, error="no salon folder")
        )
        if is_local_feed(t.url)
        else next(fetched_)
        for t in due
    ]
    fetched = unchanged = failed = added = updated = 0
    diags: list[Diagnostic] = []
    for task, result in zip(due, results, strict=True):
        state = states.get(task.url)

        def warn(message: str, hint: str | None = None, *, task: FeedTask = task) -> None:
            diags.append(
                Diagnostic(
                    path=task.person.source,
                    line=line_of(task.person, task.url),
                    severity="warning",
                    message=message,
                    hint=hint,
                )
            )

        body_hash = state.body_hash if state else None
        title = state.title if state else None
        if result.status == 200 and result.body is not None:
            digest = hashlib.sha256(result.body).hexdigest()
            if digest == body_hash:
                unchanged += 1  # the same bytes again: parsing is the expensive part, skip it
            else:
                parsed = parse_feed(
                    result.body, url=result.final_url, content_type=result.content_type, now=now
                )
                if not parsed.entries and parsed.problems:
                    warn(f"feed {task.url} could not be read: {parsed.problems[0]}")
                new, changed = store.upsert_entries(task.url, parsed.entries, now)
                added, updated = added + new, updated + changed
                body_hash, title = digest, parsed.title or title
                fetched += 1
        elif result.status == 304:
            unchanged += 1
        else:
            failed += 1
            if result.status == 410:
                warn(
                    f"feed {task.url} is gone (HTTP 410): salon stops polling it and keeps "
                    "its entries",
                    hint="remove it from 'feeds:' when you no longer want it listed",
                )
            else:
                warn(f"feed {task.url}: {result.error or f'HTTP {result.status}'}")
        if result.permanent_redirect and result.permanent_redirect != task.url:
            warn(
                f"feed {task.url} has moved permanently to {result.permanent_redirect}",
                hint=f"in {task.person.source}, change {task.url} to "
                f"{result.permanent_redirect} (or run 'salon feeds --fix')",
            )
        store.save_state(
            schedule.after_fetch(
                state,
                result,
                now,
                interval=task.person.fetch_every or config.fetch.interval,
                body_hash=body_hash,
                title=title,
                entry_count=store.entry_count(task.url),
            )
        )
    return SyncReport(
        due=len(due),
        fetched=fetched,
        not_modified=unchanged,
        failed=failed,
        added=added,
        updated=updated,
        diagnostics=tuple(diags),
    )
