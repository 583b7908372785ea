"""The reading river, pure: pages, days, pagination, per person and per interest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from salon_gen.core.model import FeedEntry, Interest, Person
from salon_gen.pipeline.river import INTEREST_ENTRIES, by_day, of_person, on_interest, river_pages

START = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)


def entry(n: int, person: str = "maya", cats: tuple[str, ...] = ()) -> FeedEntry:
    when = START - timedelta(hours=n)
    return FeedEntry(
        feed_url=f"https://{person}.example.net/feed.xml",
        entry_id=f"e{n}",
        title=f"Entry {n}",
        link=None,
        published=when,
        updated=when,
        categories=cats,
        person_id=person,
    )


def test_pages_and_pager() -> None:
    entries = [entry(n) for n in range(12)]
    pages = river_pages(entries, 5, ZoneInfo("UTC"))
    assert [p.path for p in pages] == ["reading/", "reading/page/2/", "reading/page/3/"]
    assert [(p.pager.newer, p.pager.older) for p in pages] == [
        (None, "reading/page/2/"),
        ("reading/", "reading/page/3/"),
        ("reading/page/2/", None),
    ]
    assert sum(len(d.entries) for p in pages for d in p.days) == 12
    empty = river_pages([], 5, ZoneInfo("UTC"))
    assert [(p.path, p.days, p.pager.pages) for p in empty] == [("reading/", (), 1)]


def test_days_follow_the_site_time_zone() -> None:
    entries = [entry(0), entry(1)]  # 23:30 and 22:30 UTC on the 20th
    assert [d.date.isoformat() for d in by_day(entries, ZoneInfo("UTC"))] == ["2026-11-20"]
    tokyo = by_day(entries, ZoneInfo("Asia/Tokyo"))  # +9: 08:30 and 07:30 on the 21st
    assert [d.date.isoformat() for d in tokyo] == ["2026-11-21"]
    lisbon_edge = by_day([entry(0), entry(2)], ZoneInfo("America/New_York"))
    assert [len(d.entries) for d in lisbon_edge] == [2]


def test_person_and_interest_selection() -> None:
    entries = [
        entry(0, "maya", ("Letters",)),
        entry(1, "tomas", ("static sites",)),
        entry(2, "maya"),
    ]
    maya = Person(id="maya", source="x", url_path="people/maya/", name="Maya")
    assert [e.entry_id for e in of_person(entries, maya)] == ["e0", "e2"]
    # interests.gather matched the categories; the river shows the latest of them
    on_it = tuple(entry(n, "tomas", ("static sites",)) for n in range(INTEREST_ENTRIES + 5))
    interest = Interest(
        name="static sites",
        slug="static-sites",
        url="interests/static-sites/",
        notes=(),
        entries=on_it,
        people=(),
    )
    assert on_interest(interest) == on_it[:INTEREST_ENTRIES]
