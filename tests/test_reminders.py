"""Staying in touch: last interactions, check-ins due, quiet feeds (from a real SQLite feed
store), reminders around 29 February, year ends and time zones, and `salon remind`."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from salon_gen.circle.contacts import Birthday, CheckIn, Contact
from salon_gen.circle.reminders import checkins_due, last_interactions, quiet_feeds, reminders
from salon_gen.cli.main import main
from salon_gen.core.durations import parse_period
from salon_gen.core.model import FeedEntry, FeedState, Link, Note, Person, Via
from salon_gen.following.store import FeedStore

LISBON = ZoneInfo("Europe/Lisbon")
TODAY = date(2026, 11, 22)


def person(pid: str, **kw: object) -> Person:
    base: dict[str, object] = {
        "id": pid,
        "source": f"content/people/{pid}.md",
        "url_path": f"people/{pid}/",
        "name": pid.replace("-", " ").title(),
    }
    return Person(**(base | kw))  # type: ignore[arg-type]


def note(name: str, when: datetime, **kw: object) -> Note:
    base: dict[str, object] = {
        "kind": "note",
        "source": f"content/notes/{name}.md",
        "slug": name,
        "url": f"notes/{name}/",
        "entry_id": f"tag:x,2026:{name}",
        "title": name,
        "date": when,
    }
    return Note(**(base | kw))  # type: ignore[arg-type]


def contact(pid: str, **kw: object) -> Contact:
    return Contact(person_id=pid, source=f"content/people/{pid}.md", **kw)  # type: ignore[arg-type]


def line(day: str, when: str, text: str) -> str:
    return f"{day}  {when:<17} {text}"


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def test_the_latest_interaction_of_every_kind_counts() -> None:
    maya = person("maya", url="https://maya.example.net/")
    jo = person("jo", url="https://example.com/jo/")
    hana = person("hana")
    notes = [
        note("via", at("2026-10-01"), kind="share", via=Via(name="Maya", person_id="maya")),
        note("about", at("2026-09-01"), people=("hana",)),
        # linking a page of Jo's site (under /jo/, not /joanna/) counts; so does sharing it
        note("link", at("2026-10-05"), html='<p><a href="https://example.com/jo/2026/x">x</a></p>'),
        note("joanna", at("2026-11-01"), html='<a href="https://example.com/joanna/">y</a>'),
        note(
            "shared",
            at("2026-10-03"),
            kind="share",
            link=Link(url="https://www.maya.example.net/kiln", title="Kiln", domain="maya"),
        ),
        note("draft", at("2026-11-20"), people=("hana",), draft=True),  # not sent yet
        note("private", at("2026-11-21"), people=("hana",), private=True),  # never sent
        note(
            "kept",
            at("2026-11-22"),
            private=True,
            html='<a href="https://example.com/jo/kept">k</a>',
        ),
        note("future", at("2026-12-01"), people=("hana",)),  # not yet
    ]
    contacts = {"maya": contact("maya", checkins=(CheckIn(date=date(2026, 9, 30)),))}
    found = last_interactions([maya, jo, hana], contacts, notes, today=TODAY, zone=LISBON)
    assert (found["maya"].day, found["maya"].kind) == (date(2026, 10, 3), "note linking them")
    assert (found["jo"].day, found["jo"].kind) == (date(2026, 10, 5), "note linking them")
    assert (found["hana"].day, found["hana"].kind) == (date(2026, 9, 1), "note about them")


def test_a_check_in_wins_a_tie_and_notes_are_dated_in_the_salon_zone() -> None:
    maya = person("maya")
    # 23:30 UTC on 30 September is 00:30 on 1 October in Lisbon (summer time)
    late = datetime(2026, 9, 30, 23, 30, tzinfo=UTC)
    notes = [note("about", late, people=("maya",))]
    contacts = {"maya": contact("maya", checkins=(CheckIn(date=date(2026, 10, 1), note="Tea"),))}
    found = last_interactions([maya], contacts, notes, today=TODAY, zone=LISBON)["maya"]
    assert (found.day, found.kind, found.note) == (date(2026, 10, 1), "check-in", "Tea")
    utc = last_interactions([maya], {}, notes, today=TODAY, zone=ZoneInfo("UTC"))["maya"]
    assert utc.day == date(2026, 9, 30)


def test_checkins_fall_due_a_cadence_after_the_last_contact() -> None:
    people = [person("maya"), person("hana"), person("jo")]
    contacts = {
        "maya": contact("maya", checkin_every=parse_period("6 weeks"), cadence="6 weeks"),
        "hana": contact("hana", checkin_every=parse_period("2 months"), cadence="2 months"),
        "jo": contact("jo"),  # no cadence: never due
    }
    touched = last_interactions(
        people,
        contacts | {"maya": contact("maya", checkins=(CheckIn(date=date(2026, 9, 20)),))},
        [],
        today=TODAY,
        zone=LISBON,
    )
    due = checkins_due(people, contacts, touched, today=TODAY)
    assert [(c.person.id, c.due) for c in due] == [
        ("maya", date(2026, 11, 1)),
        ("hana", TODAY),  # never in touch: due now
    ]


def test_quiet_feeds_come_from_the_feed_store(tmp_path: Path) -> None:
    now = at("2026-11-22")
    silent = person("silent", feeds=("https://s.example/feed",))
    gone = person("gone", feeds=("https://g.example/feed",))
    failing = person("failing", feeds=("https://f.example/feed",))
    lively = person("lively", feeds=("https://l.example/a", "https://l.example/b"))
    touched = person("touched", feeds=("https://t.example/feed",))
    unfetched = person("unfetched", feeds=("https://u.example/feed",))
    ok = {"last_attempt": now, "last_success": now, "last_status": 200}

    def entry(feed: str, when: datetime) -> FeedEntry:
        return FeedEntry(
            feed_url=feed, entry_id=f"{feed}#{when.date()}", title="x", link=None,
            published=when, updated=when,
        )  # fmt: skip

    with FeedStore(tmp_path / "feeds.sqlite") as store:
        store.save_state(FeedState(url="https://s.example/feed", **ok))
        store.upsert_entries(
            "https://s.example/feed", [entry("https://s.example/feed", at("2026-05-01"))], now
        )
        store.save_state(
            FeedState(url="https://g.example/feed", gone=True, last_status=410,
                      last_attempt=at("2026-10-10"), last_success=at("2026-06-01"))
        )  # fmt: skip
        store.save_state(
            FeedState(url="https://f.example/feed", failures=5, last_error="HTTP 500",
                      last_attempt=now, last_success=at("2026-10-01"))
        )  # fmt: skip
        # one of two feeds quiet for a year, the other busy: not quiet
        store.save_state(FeedState(url="https://l.example/a", **ok))
        store.save_state(FeedState(url="https://l.example/b", **ok))
        store.upsert_entries(
            "https://l.example/a", [entry("https://l.example/a", at("2025-11-01"))], now
        )
        store.upsert_entries(
            "https://l.example/b", [entry("https://l.example/b", at("2026-11-20"))], now
        )
        store.save_state(FeedState(url="https://t.example/feed", **ok))
        store.upsert_entries(
            "https://t.example/feed", [entry("https://t.example/feed", at("2026-03-01"))], now
        )
        states, entries = store.states(), store.entries()
    people = [silent, gone, failing, lively, touched, unfetched]
    contacts = {"touched": contact("touched", checkins=(CheckIn(date=date(2026, 4, 1)),))}
    interactions = last_interactions(people, contacts, [], today=TODAY, zone=LISBON)
    quiet = quiet_feeds(people, entries, states, interactions, today=TODAY, zone=LISBON)
    assert [(q.person.id, q.why, q.since, q.noticed) for q in quiet] == [
        ("silent", "silent", date(2026, 5, 1), date(2026, 5, 1) + timedelta(days=90)),
        ("gone", "gone", date(2026, 6, 1), date(2026, 10, 10)),
        ("failing", "failing", date(2026, 10, 1), date(2026, 10, 15)),
    ]
    found = reminders(people, contacts, (), quiet, today=TODAY, days=14)
    assert [r.describe(TODAY) for r in found] == [
        line(
            "2026-07-30",
            "115 days ago",
            "check in with Silent: no new entry for 6 months (the last on 2026-05-01)",
        ),
        line("2026-10-10", "43 days ago", "check in with Gone: their feed is gone (HTTP 410)"),
        line(
            "2026-10-15",
            "38 days ago",
            "check in with Failing: their feed has been failing since 2026-10-01",
        ),
    ]


def _birthdays(today: date, days: int = 14) -> list[str]:
    people = [person("tomas", name="Tomás Ferreira"), person("ann", name="Ann Lee")]
    contacts = {
        "tomas": contact("tomas", birthday=Birthday(month=2, day=29)),
        "ann": contact("ann", birthday=Birthday(year=1990, month=1, day=2)),
    }
    return [r.describe(today) for r in reminders(people, contacts, (), (), today=today, days=days)]


def test_29_february_in_common_and_leap_years() -> None:
    kept = "Tomás Ferreira's birthday (29 February, kept on the 28th this year)"
    assert _birthdays(date(2027, 2, 20)) == [line("2027-02-28", "in 8 days", kept)]
    assert _birthdays(date(2028, 2, 20)) == [
        line("2028-02-29", "in 9 days", "Tomás Ferreira's birthday")
    ]
    assert _birthdays(date(2027, 2, 28)) == [line("2027-02-28", "today", kept)]
    assert _birthdays(date(2027, 3, 1), days=365)[-1].startswith("2028-02-29  in 365 days")


def test_the_year_end() -> None:
    assert _birthdays(date(2026, 12, 30)) == [
        line("2027-01-02", "in 3 days", "Ann Lee's birthday (turns 37)")
    ]
    assert _birthdays(date(2026, 12, 30), days=2) == []
    assert _birthdays(date(2027, 1, 2), days=0) == [
        line("2027-01-02", "today", "Ann Lee's birthday (turns 37)")
    ]


def test_reminders_are_soonest_first() -> None:
    people = [person("maya"), person("ann")]
    contacts = {
        "maya": contact("maya", checkin_every=parse_period("6 weeks"), cadence="6 weeks",
                        checkins=(CheckIn(date=date(2026, 9, 20), note="Postcard"),)),
        "ann": contact("ann", birthday=Birthday(month=11, day=23)),
    }  # fmt: skip
    touched = last_interactions(people, contacts, [], today=TODAY, zone=LISBON)
    due = checkins_due(people, contacts, touched, today=TODAY)
    assert [
        r.describe(TODAY) for r in reminders(people, contacts, due, (), today=TODAY, days=14)
    ] == [
        line(
            "2026-11-01",
            "overdue 21 days",
            'check in with Maya (every 6 weeks; last: a check-in on 2026-09-20: "Postcard")',
        ),
        line("2026-11-23", "tomorrow", "Ann's birthday"),
    ]


AUCKLAND = """\
title = "Test Salon"
base_url = "https://example.org/"
timezone = "Pacific/Auckland"

[author]
name = "Ada Tester"
"""

ANN = "---\nname: Ann Lee\nprivate:\n  birthday: 1990-01-02\n---\nAnn.\n"


def test_remind_counts_days_in_the_salon_zone(make_salon: Callable[..., Path]) -> None:
    root = make_salon({"content/people/ann.md": ANN}, config=AUCKLAND)
    # 11:30 UTC on 29 December is 00:30 on 30 December in Auckland (UTC+13)
    result = CliRunner().invoke(
        main, ["remind", "--source", str(root), "--now", "2026-12-29T11:30:00Z"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "today is 2026-12-30 (Pacific/Auckland); the next 14 days:\n"
        + line("2027-01-02", "in 3 days", "Ann Lee's birthday (turns 37)\n")
    )
    given = CliRunner().invoke(
        main, ["remind", "--source", str(root), "--today", "2026-12-20", "--days", "10"]
    )
    assert (
        given.stdout
        == "today is 2026-12-20 (Pacific/Auckland); the next 10 days:\nnothing to remember\n"
    )


def test_remind_reports_a_bad_private_value_with_its_line(make_salon: Callable[..., Path]) -> None:
    root = make_salon({"content/people/ann.md": ANN.replace("1990-01-02", "1990-02-30")})
    result = CliRunner().invoke(main, ["remind", "--source", str(root)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "content/people/ann.md:4: error: birthday: impossible date '1990-02-30'"
    )


def test_the_installed_command_runs(make_salon: Callable[..., Path]) -> None:
    root = make_salon({"content/people/ann.md": ANN})
    done = subprocess.run(
        [sys.executable, "-m", "salon_gen", "remind", "--source", str(root),
         "--today", "2026-12-30"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert line("2027-01-02", "in 3 days", "Ann Lee's birthday (turns 37)") in done.stdout


def test_links_to_several_sites_on_one_host_find_each_person_once() -> None:
    jo = person("jo", url="https://example.com/jo/")
    ann = person("ann", url="https://example.com/ann")
    host = person("host", url="https://www.example.com/")
    notes = [
        note(
            "both",
            at("2026-10-05"),
            html='<a href="https://example.com/jo/a">a</a> <a href="https://example.com/ann">b</a>'
            ' <a href="https://example.com/jo/b">c</a> <a href="http://[bad">d</a>',
        )
    ]
    found = last_interactions([jo, ann, host], {}, notes, today=TODAY, zone=LISBON)
    assert sorted(found) == ["ann", "host", "jo"]
    assert {f.kind for f in found.values()} == {"note linking them"}


def test_a_link_counts_whatever_case_or_character_references_spell_its_host() -> None:
    """The calendar skips notes in which no person's host appears: a host in capitals or
    spelt with character references must still be found."""
    jo = person("jo", url="https://jo.example.com/")
    ann = person("ann", url="https://ann.example.org/")
    notes = [
        note("caps", at("2026-10-05"), html='<a href="https://JO.Example.COM/post">a</a>'),
        note("refs", at("2026-10-06"), html='<a href="https://&#97;nn.example.org/x">b</a>'),
        note("none", at("2026-10-07"), html='<a href="https://elsewhere.example.net/">c</a>'),
    ]
    found = last_interactions([jo, ann], {}, notes, today=TODAY, zone=LISBON)
    assert {pid: f.source for pid, f in found.items()} == {
        "jo": notes[0].source,
        "ann": notes[1].source,
    }
