"""Staying in touch: the last interaction with each person, check-ins falling due, upcoming
birthdays, feeds gone quiet, and the private calendar made of them.

Pure: people, their `Contact`s, the owner's notes and what the feed store knows in; values
out. Every date is a day in the salon's time zone, and "today" is an argument. Must not
publish: its output goes to the owner's terminal and to `private/salon.ics` only.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal
from urllib.parse import urlsplit

from salon_gen.circle import ics
from salon_gen.circle.contacts import Contact
from salon_gen.core.model import Config, FeedEntry, FeedState, Note, Person

SILENT_AFTER = timedelta(days=90)  # no new entry for this long: the feed has gone quiet
FAILING_AFTER = timedelta(days=14)  # no success for this long, and...
FAILING_MIN = 3  # ...at least this many failures in a row: the feed is failing
UNKNOWN_YEAR = 2000  # DTSTART of a birthday without a year: a leap year, so --02-29 fits

_HREF = re.compile(r"""\shref=(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)

InteractionKind = Literal["check-in", "share via them", "note about them", "note linking them"]
ReminderKind = Literal["checkin", "quiet", "birthday"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Interaction:
    """The owner and a person in touch on `day`: a logged check-in or a published note."""

    day: date
    kind: InteractionKind
    source: str | None = None  # the note's file; None for a logged check-in
    note: str = ""  # a check-in's note

    def describe(self, *, with_note: bool = True) -> str:
        if self.kind == "check-in":
            said = f': "{self.note}"' if self.note and with_note else ""
            return f"a check-in on {self.day.isoformat()}{said}"
        return f"a {self.kind} on {self.day.isoformat()}"


def _host_and_path(url: str) -> tuple[str, str] | None:
    """A URL's host ("www." aside) and path, or None when it has no host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    return (host.removeprefix("www."), parts.path) if host else None


def _sites_by_host(people: Sequence[Person]) -> dict[str, list[tuple[str, str]]]:
    """Host -> (person id, site path without its trailing slash), for everyone with a url."""
    found: dict[str, list[tuple[str, str]]] = {}
    for person in people:
        where = _host_and_path(person.url) if person.url else None
        if where is not None:
            found.setdefault(where[0], []).append((person.id, where[1].rstrip("/")))
    return found


def _linked_people(links: Sequence[str], sites: Mapping[str, list[tuple[str, str]]]) -> set[str]:
    """The people one of whose pages is among `links`: same host, and under the site's path
    segment by segment (https://x.org/jo/ does not cover /joanna/). Each link is parsed once
    and looked up by host, so the cost grows with the links, not links x people."""
    found: set[str] = set()
    if not sites:
        return found
    # Parsing every link is the slow part: only a link naming one of the hosts can match.
    named = _hosts_pattern(tuple(sorted(sites)))
    for link in links:
        if named.search(link) is None:
            continue
        where = _host_and_path(link)
        if where is None:
            continue
        for pid, path in sites.get(where[0], ()):
            if not path or where[1] == path or where[1].startswith(path + "/"):
                found.add(pid)
    return found


@functools.lru_cache(maxsize=8)
def _hosts_pattern(hosts: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(h) for h in hosts), re.IGNORECASE)


LinksOf = Callable[[Note], tuple[str, ...]]


def links_of_note(note: Note) -> tuple[str, ...]:
    """Every URL `note` links to: its HTML's hrefs and a share's link."""
    found = [html.unescape(m.group(2)) for m in _HREF.finditer(note.html)]
    if note.link is not None:
        found.append(note.link.url)
    return tuple(found)


def last_interactions(
    people: Sequence[Person],
    contacts: Mapping[str, Contact],
    notes: Sequence[Note],
    *,
    today: date,
    zone: tzinfo,
    links_of: LinksOf = links_of_note,
) -> dict[str, Interaction]:
    """The latest interaction with each person (none: not in the result). `links_of`: a
    note's links (a caller that keeps them between calls passes its memo). Counted: a logged
    check-in; a share whose `via:` is them; a note naming them in `people:`; a note or share
    linking a page of their `url`. Drafts, private notes and anything dated after `today` do
    not count: they have not reached them. On one day, a check-in wins over a note, then the
    note's path decides, so the answer does not depend on the order files were read in."""
    order: dict[str, int] = {"check-in": 0, "share via them": 1, "note about them": 2}
    best: dict[str, Interaction] = {}

    def offer(pid: str, found: Interaction) -> None:
        old = best.get(pid)
        rank = (found.day, -order.get(found.kind, 3), found.source or "")
        if old is None or rank > (old.day, -order.get(old.kind, 3), old.source or ""):
            best[pid] = found

    for pid, contact in contacts.items():
        logged = [c for c in contact.checkins if c.date <= today]
        if logged:
            offer(pid, Interaction(day=logged[-1].date, kind="check-in", note=logged[-1].note))
    sites = _sites_by_host(people)
    for note in notes:
        day = note.date.astimezone(zone).date()
        if note.draft or note.private or day > today:
            continue
        seen: set[str] = set()
        if note.via is not None and note.via.person_id:
            seen.add(note.via.person_id)
            offer(
                note.via.person_id, Interaction(day=day, kind="share via them", source=note.source)
            )
        for pid in note.people:
            if pid not in seen:
                seen.add(pid)
                offer(pid, Interaction(day=day, kind="note about them", source=note.source))
        for pid in sorted(_linked_people(links_of(note), sites) - seen):
            offer(pid, Interaction(day=day, kind="note linking them", source=note.source))
    return best


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckInDue:
    person: Person
    cadence: str  # as written, "6 weeks"
    due: date  # the last interaction plus the cadence; today when there was none
    last: Interaction | None


def checkins_due(
    people: Sequence[Person],
    contacts: Mapping[str, Contact],
    interactions: Mapping[str, Interaction],
    *,
    today: date,
) -> tuple[CheckInDue, ...]:
    """When the next check-in with everyone who has a `checkin_every` falls due."""
    found: list[CheckInDue] = []
    for person in people:
        contact = contacts.get(person.id)
        if contact is None or contact.checkin_every is None:
            continue
        last = interactions.get(person.id)
        due = contact.checkin_every.after(last.day) if last else today
        found.append(CheckInDue(person=person, cadence=contact.cadence, due=due, last=last))
    return tuple(sorted(found, key=lambda c: (c.due, c.person.name, c.person.id)))


@dataclass(frozen=True, slots=True, kw_only=True)
class QuietFeed:
    """A person whose feeds have all gone quiet: no new entry for `SILENT_AFTER`, gone
    (HTTP 410), or failing for `FAILING_AFTER`."""

    person: Person
    why: Literal["silent", "gone", "failing"]
    since: date | None  # the newest entry (silent) or the last success (gone, failing)
    noticed: date  # the day it became worth a word: when the threshold was crossed


def _failing(state: FeedState, today: date, zone: tzinfo) -> bool:
    if state.failures < FAILING_MIN:
        return False
    ok = state.last_success
    return ok is None or today - ok.astimezone(zone).date() >= FAILING_AFTER


def quiet_feeds(
    people: Sequence[Person],
    entries: Sequence[FeedEntry],
    states: Mapping[str, FeedState],
    interactions: Mapping[str, Interaction],
    *,
    today: date,
    zone: tzinfo,
) -> tuple[QuietFeed, ...]:
    """People worth a "how are you?" because their writing stopped. A person with several
    feeds is quiet only when all of them are. Nobody is listed when the owner has been in
    touch since it went quiet, nor before salon has fetched their feeds at all."""
    newest: dict[str, date] = {}
    for e in entries:
        day = e.published.astimezone(zone).date()
        if day > newest.get(e.feed_url, date.min):
            newest[e.feed_url] = day
    found: list[QuietFeed] = []
    for person in people:
        known = [states[u] for u in person.feeds if u in states]
        if not person.feeds or len(known) < len(person.feeds):
            continue
        latest = max((newest[u] for u in person.feeds if u in newest), default=None)
        successes = [s.last_success for s in known if s.last_success is not None]
        last_ok = max(successes).astimezone(zone).date() if successes else None
        quiet: QuietFeed | None = None
        if all(s.gone for s in known):
            attempts = [s.last_attempt for s in known if s.last_attempt is not None]
            noticed = max(attempts).astimezone(zone).date() if attempts else today
            quiet = QuietFeed(person=person, why="gone", since=last_ok, noticed=noticed)
        elif all(s.gone or _failing(s, today, zone) for s in known):
            noticed = last_ok + FAILING_AFTER if last_ok else today
            quiet = QuietFeed(person=person, why="failing", since=last_ok, noticed=noticed)
        elif latest is not None and today - latest >= SILENT_AFTER:
            quiet = QuietFeed(
                person=person, why="silent", since=latest, noticed=latest + SILENT_AFTER
            )
        if quiet is None:
            continue
        touched = interactions.get(person.id)
        if touched is not None and quiet.since is not None and touched.day >= quiet.since:
            continue
        found.append(quiet)
    return tuple(found)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reminder:
    """One thing to do about one person, on `day` (in the past when it is overdue)."""

    day: date
    kind: ReminderKind
    person: Person
    text: str

    def describe(self, today: date) -> str:
        return f"{self.day.isoformat()}  {_when(self.day, today, self.kind):<17} {self.text}"


def _when(day: date, today: date, kind: ReminderKind) -> str:
    days = (day - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days > 0:
        return f"in {days} days"
    if kind == "checkin":
        return f"overdue {-days} day{'s' if days != -1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def _months(days: int) -> str:
    months = days // 30
    return f"{months} months" if months > 1 else f"{days} days"


def reminders(
    people: Sequence[Person],
    contacts: Mapping[str, Contact],
    due: Sequence[CheckInDue],
    quiet: Sequence[QuietFeed],
    *,
    today: date,
    days: int,
) -> tuple[Reminder, ...]:
    """Birthdays in the next `days` days (today included), check-ins due by then (overdue
    ones however old), and quiet feeds; soonest first, then by kind and name."""
    horizon = today + timedelta(days=days)
    found: list[Reminder] = []
    for person in people:
        contact = contacts.get(person.id)
        if contact is None or contact.birthday is None:
            continue
        day = contact.birthday.next_from(today)
        if day > horizon:
            continue
        text = f"{person.name}'s birthday"
        if (age := contact.birthday.age_on(day)) is not None:
            text += f" (turns {age})"
        if (contact.birthday.month, contact.birthday.day) == (2, 29) and day.day == 28:
            text += " (29 February, kept on the 28th this year)"
        found.append(Reminder(day=day, kind="birthday", person=person, text=text))
    for c in due:
        if c.due > horizon:
            continue
        last = f"last: {c.last.describe()}" if c.last else "no contact recorded yet"
        text = f"check in with {c.person.name} (every {c.cadence}; {last})"
        found.append(Reminder(day=c.due, kind="checkin", person=c.person, text=text))
    for q in quiet:
        if q.why == "silent" and q.since is not None:
            why = (
                f"no new entry for {_months((today - q.since).days)} "
                f"(the last on {q.since.isoformat()})"
            )
        elif q.why == "gone":
            why = "their feed is gone (HTTP 410)"
        else:
            since = q.since.isoformat() if q.since else "the start"
            why = f"their feed has been failing since {since}"
        text = f"check in with {q.person.name}: {why}"
        found.append(Reminder(day=q.noticed, kind="quiet", person=q.person, text=text))
    kinds = {"checkin": 0, "quiet": 1, "birthday": 2}
    return tuple(sorted(found, key=lambda r: (r.day, kinds[r.kind], r.person.name, r.person.id)))


# --- the private calendar ---------------------------------------------------------------------


def calendar_events(
    people: Sequence[Person],
    contacts: Mapping[str, Contact],
    due: Sequence[CheckInDue],
    *,
    today: date,
    host: str,
) -> tuple[ics.Event, ...]:
    """One yearly all-day event per birthday and one all-day event per check-in, on the day
    it falls due (today, when overdue: a reminder in the past would never ring). UIDs are
    `<kind>-<person id>@<host>`: the same person keeps the same events across builds, so a
    calendar that imports the file again updates them instead of adding copies."""
    events: list[ics.Event] = []
    for person in people:
        contact = contacts.get(person.id)
        if contact is None or contact.birthday is None:
            continue
        b = contact.birthday
        if (b.month, b.day) == (2, 29):
            # The last day of February: the 29th in leap years, the 28th otherwise, as
            # `Birthday.in_year` keeps it (a plain yearly rule would skip common years).
            rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"
            start = date(b.year or UNKNOWN_YEAR, 2, 29)
        else:
            rule = "FREQ=YEARLY"
            start = date(b.year or UNKNOWN_YEAR, b.month, b.day)
        born = f"Born {b.year}." if b.year else "Year of birth not recorded."
        events.append(
            ics.Event(
                uid=f"birthday-{person.id}@{host}",
                day=start,
                summary=f"{person.name}'s birthday",
                description=born,
                rrule=rule,
                categories=("Birthday",),
                alarms=(
                    ics.Alarm(
                        trigger="-P6DT15H",  # 09:00 a week before: time for a card
                        description=f"{person.name}'s birthday is in a week",
                    ),
                    ics.Alarm(trigger="PT9H", description=f"{person.name}'s birthday today"),
                ),
            )
        )
    for c in due:
        # No check-in notes: calendars sync to other people's servers; the day is enough.
        last = f"Last: {c.last.describe(with_note=False)}." if c.last else "No contact yet."
        overdue = f" Due since {c.due.isoformat()}." if c.due < today else ""
        events.append(
            ics.Event(
                uid=f"checkin-{c.person.id}@{host}",
                day=max(c.due, today),
                summary=f"Check in with {c.person.name}",
                description=f"Every {c.cadence}. {last}{overdue}",
                categories=("Check-in",),
                alarms=(
                    ics.Alarm(trigger="PT9H", description=f"Time to check in with {c.person.name}"),
                ),
            )
        )
    return tuple(sorted(events, key=lambda e: (e.day, e.uid)))


def private_calendar(
    config: Config,
    people: Sequence[Person],
    contacts: Mapping[str, Contact],
    notes: Sequence[Note],
    *,
    now: datetime,
    zone: tzinfo,
    links_of: LinksOf = links_of_note,
) -> tuple[bytes, int]:
    """`private/salon.ics` as of `now`, and how many events it holds."""
    today = now.astimezone(zone).date()
    interactions = last_interactions(
        people, contacts, notes, today=today, zone=zone, links_of=links_of
    )
    due = checkins_due(people, contacts, interactions, today=today)
    host = urlsplit(config.base_url).hostname or "localhost"
    events = calendar_events(people, contacts, due, today=today, host=host)
    name = f"{config.title}: people"
    return ics.render_calendar(events, name=name, stamp=now), len(events)
