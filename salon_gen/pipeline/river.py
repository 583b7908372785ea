"""The reading river: followed people's entries arranged for pages.

Pure. Owns how entries are grouped by day (in the site's time zone), paginated, and chosen
for a person's page, an interest's page and the home page. Must not render or fetch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from salon_gen.core.model import FeedEntry, Interest, Person

HOME_ENTRIES = 8
PERSON_ENTRIES = 20
INTEREST_ENTRIES = 30


@dataclass(frozen=True, slots=True, kw_only=True)
class Day:
    date: date
    entries: tuple[FeedEntry, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Pager:
    page: int  # 1-based
    pages: int
    newer: str | None  # site path of the page of newer entries
    older: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RiverPage:
    path: str  # "reading/" or "reading/page/2/"
    days: tuple[Day, ...]
    pager: Pager


def page_path(n: int) -> str:
    return "reading/" if n == 1 else f"reading/page/{n}/"


def river_pages(entries: Sequence[FeedEntry], per_page: int, zone: tzinfo) -> tuple[RiverPage, ...]:
    """Entries (newest first) cut into pages, each grouped by day. Always one page at least,
    so /reading/ exists (and says so kindly) before anyone is followed."""
    chunks = [entries[i : i + per_page] for i in range(0, len(entries), per_page)] or [[]]
    pages = len(chunks)
    return tuple(
        RiverPage(
            path=page_path(n),
            days=by_day(chunk, zone),
            pager=Pager(
                page=n,
                pages=pages,
                newer=page_path(n - 1) if n > 1 else None,
                older=page_path(n + 1) if n < pages else None,
            ),
        )
        for n, chunk in enumerate(chunks, start=1)
    )


def by_day(entries: Sequence[FeedEntry], zone: tzinfo) -> tuple[Day, ...]:
    days: dict[date, list[FeedEntry]] = {}
    for entry in entries:
        days.setdefault(entry.published.astimezone(zone).date(), []).append(entry)
    return tuple(Day(date=d, entries=tuple(days[d])) for d in sorted(days, reverse=True))


def of_person(entries: Sequence[FeedEntry], person: Person) -> tuple[FeedEntry, ...]:
    return tuple(e for e in entries if e.person_id == person.id)[:PERSON_ENTRIES]


def on_interest(interest: Interest) -> tuple[FeedEntry, ...]:
    """The latest followed entries filed under the interest (`interests.gather` matched their
    categories, aliases applied: "Static Sites" and "ssg" can both be "static-sites")."""
    return interest.entries[:INTEREST_ENTRIES]
