"""iCalendar (RFC 5545) text for the owner's private calendar.

Pure. Owns the format only: all-day events with an optional recurrence rule and display
alarms, escaped (§3.3.11), folded at 75 octets (§3.1) and ended with CRLF. Must not know
what an event is about: `reminders` decides which events there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from salon_gen import __version__

PRODID = f"-//salon//salon {__version__}//EN"
LIMIT = 75  # RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding CRLF


@dataclass(frozen=True, slots=True, kw_only=True)
class Alarm:
    """A display alarm. `trigger` is an RFC 5545 duration from the start of the day the
    event is on (all-day events start at midnight local time): "PT9H" is 09:00 that day,
    "-P6DT15H" is 09:00 a week before."""

    trigger: str
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """An all-day event on `day`, repeated by `rrule` when given."""

    uid: str  # globally unique and stable: the same event keeps it across builds (§3.8.4.7)
    day: date
    summary: str
    description: str = ""
    rrule: str | None = None  # e.g. "FREQ=YEARLY"
    categories: tuple[str, ...] = ()
    alarms: tuple[Alarm, ...] = ()


def escape(text: str) -> str:
    """A TEXT value (§3.3.11): backslash, semicolon, comma and newlines escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        text = text.replace(raw, escaped)
    return text


def fold(line: str) -> str:
    """One content line folded so no physical line exceeds 75 octets (§3.1): a CRLF and a
    space are inserted between characters, never inside a UTF-8 sequence."""
    if len(line.encode("utf-8")) <= LIMIT:
        return line + "\r\n"
    out: list[str] = []
    current: list[str] = []
    size = 0
    room = LIMIT
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > room:
            out.append("".join(current))
            current, size, room = [], 0, LIMIT - 1  # the leading space takes one octet
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n ".join(out) + "\r\n"


def _day(d: date) -> str:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def _stamp(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{_day(utc.date())}T{utc.hour:02d}{utc.minute:02d}{utc.second:02d}Z"


def _event(event: Event, stamp: str) -> Iterable[str]:
    yield "BEGIN:VEVENT"
    yield f"UID:{event.uid}"
    yield f"DTSTAMP:{stamp}"
    yield f"DTSTART;VALUE=DATE:{_day(event.day)}"
    # §3.6.1: an all-day event's DTEND is the day after (the end is not included).
    yield f"DTEND;VALUE=DATE:{_day(event.day + timedelta(days=1))}"
    if event.rrule:
        yield f"RRULE:{event.rrule}"
    yield f"SUMMARY:{escape(event.summary)}"
    if event.description:
        yield f"DESCRIPTION:{escape(event.description)}"
    if event.categories:
        yield "CATEGORIES:" + ",".join(escape(c) for c in event.categories)
    yield "TRANSP:TRANSPARENT"  # a birthday does not make the owner busy
    for alarm in event.alarms:
        yield "BEGIN:VALARM"
        yield "ACTION:DISPLAY"
        yield f"TRIGGER:{alarm.trigger}"
        yield f"DESCRIPTION:{escape(alarm.description)}"
        yield "END:VALARM"
    yield "END:VEVENT"


def render_calendar(events: Sequence[Event], *, name: str, stamp: datetime) -> bytes:
    """The whole calendar, as UTF-8 bytes. `stamp` (the build's clock) is every event's
    DTSTAMP, so the same inputs and clock give the same bytes."""
    when = _stamp(stamp)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape(name)}",  # the name calendar apps show; not in RFC 5545
    ]
    for event in events:
        lines.extend(_event(event, when))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines).encode("utf-8")
