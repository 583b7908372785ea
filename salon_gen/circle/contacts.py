"""What the owner keeps to stay in touch with a person, read into types: a `Contact`.

Pure. Owns the meaning of the keys under a person's `private:` that salon acts on —
`birthday` (with or without a year, 29 February included), `checkin_every` (a
`durations.Period`), the `checkins` log and the `introduced` log — with a diagnostic naming
the file and line of every bad value, and the date arithmetic on them. Any other key under
`private:` (`notes:`, a phone number) is the owner's own: kept, never interpreted.

Must not publish: a `Contact` never enters `Site` or a template, and nothing here reads the
disk or the clock (callers pass `today`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from salon_gen.core.durations import Period, parse_period
from salon_gen.core.errors import Diagnostic, did_you_mean
from salon_gen.core.model import Person, PrivateProfile
from salon_gen.core.urls import slugify

KNOWN_KEYS = frozenset({"birthday", "checkin_every", "checkins", "introduced", "notes"})
_KEY = re.compile(r"^( *)([A-Za-z_][\w-]*)\s*:")
_ITEM = re.compile(r"^( *)- ")
# RFC 6350 §4.3.1 / ISO 8601:2000 "--MM-DD", and "MM-DD" as people write it (month first)
_NO_YEAR = re.compile(r"^(?:--)?(\d{1,2})-(\d{1,2})$")
# "April 12", "Apr 12", "12 April", "12 Apr", with ", 1990" or " 1990" after when the year is known
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:(?:st|nd|rd|th))?(?:,?\s+(\d{4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:,?\s+(\d{4}))?$")
# English names only, never the locale's: the same file reads the same on every computer
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTHS = {name: n for n, full in enumerate(_MONTH_NAMES, 1) for name in (full, full[:3])} | {
    "sept": 9
}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


BIRTHDAY_HINT = "write birthday: 1990-04-12, or 04-12 or April 12 without the year"

Kept = tuple[Person, PrivateProfile, str]  # a person, their private fields, their file's text


@dataclass(frozen=True, slots=True, kw_only=True)
class Birthday:
    """A day of the year, and the year of birth when known."""

    month: int
    day: int
    year: int | None = None

    def in_year(self, year: int) -> date:
        """The day it is kept in `year`: 29 February falls on 28 February in common years."""
        if (self.month, self.day) == (2, 29) and not calendar.isleap(year):
            return date(year, 2, 28)
        return date(year, self.month, self.day)

    def next_from(self, today: date) -> date:
        """The first birthday on or after `today` (today itself included)."""
        this_year = self.in_year(today.year)
        return this_year if this_year >= today else self.in_year(today.year + 1)

    def age_on(self, day: date) -> int | None:
        """How old they turn on their birthday in `day`'s year (None without a year)."""
        return None if self.year is None else day.year - self.year

    def __str__(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckIn:
    date: date
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Introduction:
    person_id: str  # whom they were introduced to
    date: date | None = None  # None: written by hand without a date


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    """A `PrivateProfile` read into types. Logs are oldest first."""

    person_id: str
    source: str
    birthday: Birthday | None = None
    checkin_every: Period | None = None
    cadence: str = ""  # `checkin_every` as written, for people to read ("6 weeks")
    checkins: tuple[CheckIn, ...] = ()
    introduced: tuple[Introduction, ...] = ()

    @property
    def last_checkin(self) -> CheckIn | None:
        return self.checkins[-1] if self.checkins else None

    def was_introduced_to(self, person_id: str) -> bool:
        return any(i.person_id == person_id for i in self.introduced)


# --- where things are in the file -----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateLines:
    """Lines (1-based) of the `private:` key, of each key under it and of each list item."""

    private: int = 1
    keys: Mapping[str, int] | None = None
    items: Mapping[str, tuple[int, ...]] | None = None

    def key(self, name: str) -> int:
        return (self.keys or {}).get(name, self.private)

    def item(self, name: str, index: int) -> int:
        found = (self.items or {}).get(name, ())
        return found[index] if index < len(found) else self.key(name)


def private_lines(text: str | None) -> PrivateLines:
    """Find the lines of the `private:` block of a YAML front matter, by indentation: cheap,
    and exact for the block style salon and people write. Anything else (flow style, TOML)
    gives the line of `private:` or of the file's start, never a wrong line."""
    if not text or not text.startswith("---"):
        return PrivateLines()
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("private:")), None)
    if start is None:
        return PrivateLines()
    keys: dict[str, int] = {}
    items: dict[str, list[int]] = {}
    indent: int | None = None
    current: str | None = None
    for n in range(start + 1, len(lines)):
        line = lines[n]
        if line.rstrip() == "---" or (line[:1] not in ("", " ", "#") and line.strip()):
            break  # the end of the front matter, or the next top-level key
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        width = len(line) - len(line.lstrip(" "))
        if indent is None:
            indent = width
        m = _KEY.match(line)
        if m and width == indent:
            current = m.group(2)
            keys.setdefault(current, n + 1)
            continue
        item = _ITEM.match(line)
        if item and current is not None:
            seen = items.setdefault(current, [])
            if not seen or width == _width_of(lines[seen[0] - 1]):
                seen.append(n + 1)
    return PrivateLines(
        private=start + 1,
        keys=keys,
        items={k: tuple(v) for k, v in items.items()},
    )


def _width_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


# --- reading the values ---------------------------------------------------------------------


@dataclass(slots=True)
class _Reader:
    path: str
    lines: PrivateLines
    diags: list[Diagnostic]

    def error(self, line: int, message: str, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(path=self.path, line=line, message=message, hint=hint))

    def warn(self, line: int, message: str, hint: str | None = None) -> None:
        self.diags.append(
            Diagnostic(path=self.path, line=line, severity="warning", message=message, hint=hint)
        )


def parse_birthday(value: object) -> Birthday:
    """`--MM-DD` or `MM-DD` (no year), `YYYY-MM-DD`, `April 12` / `12 April` / `Apr 12`
    (English month names, any case; a year after them is kept), or a date a TOML front
    matter made. ValueError with a message fit for a diagnostic otherwise."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        _within(value, value.isoformat())
        return Birthday(month=value.month, day=value.day, year=value.year)
    if isinstance(value, str):
        text = " ".join(value.split())
        if _ISO_DAY.match(text):
            try:
                born = date.fromisoformat(text)
            except ValueError as e:
                raise ValueError(f"impossible date '{text}': {e}") from None
            _within(born, text)
            return Birthday(month=born.month, day=born.day, year=born.year)
        if (parts := _month_and_day(text)) is None:
            raise ValueError(f"cannot read '{text}' as a birthday")
        month, day, year = parts
        try:
            # without a year, a leap year: 29 February is a day people are born on
            _within(date(year or 2000, month, day), text)
        except ValueError as e:
            if "out of range:" in str(e):
                raise
            what = "date" if year else "day"
            raise ValueError(f"impossible {what} '{text}'") from None
        return Birthday(month=month, day=day, year=year)
    raise ValueError(f"expected a date, got {_kind(value)}")


def _month_and_day(text: str) -> tuple[int, int, int | None] | None:
    """(month, day, year or None) as written in `text`, unchecked; None if not a form we read.
    A month number above 12 is kept so that the caller calls the day impossible."""
    if m := _NO_YEAR.match(text):
        return int(m.group(1)), int(m.group(2)), None
    low = text.casefold()
    if m := _MONTH_DAY.match(low):
        name, day, year = m.group(1), m.group(2), m.group(3)
    elif m := _DAY_MONTH.match(low):
        day, name, year = m.group(1), m.group(2), m.group(3)
    else:
        return None
    if name not in _MONTHS:
        return None
    return _MONTHS[name], int(day), int(year) if year else None


def parse_day(value: object) -> date:
    """A day in a log: `YYYY-MM-DD` (a time after it is allowed and dropped)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _within(value, value.isoformat())
    if isinstance(value, str):
        text = value.strip()
        try:
            day = date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"cannot read '{text}' as a date") from None
        return _within(day, text)
    raise ValueError(f"expected a date, got {_kind(value)}")


# The days frontmatter.parse_datetime reads: reminders and the calendar count from them (the
# day after, the next check-in), which must stay inside the years a `date` can hold.
FIRST_DAY, LAST_DAY = date(1, 1, 4), date(9999, 12, 28)


def _within(day: date, text: str) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"'{text}' is out of range: salon reads dates from {FIRST_DAY} to {LAST_DAY}"
        )
    return day


def _kind(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list"}
    return names.get(type(value), "a mapping" if isinstance(value, dict) else type(value).__name__)


def _text(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return " ".join(str(value).split())


def parse_contact(
    profile: PrivateProfile,
    text: str | None = None,
    people: Collection[str] | None = None,
) -> tuple[Contact, tuple[Diagnostic, ...]]:
    """Read the keys salon acts on from `profile`. `text` (the person file) lets diagnostics
    point at the line of each bad value; `people` (ids in the salon) lets an introduction to
    somebody unknown be a warning. A bad value is an error and is left out of the Contact."""
    fields = profile.fields
    reader = _Reader(profile.source, private_lines(text), [])
    for key in fields:
        if key not in KNOWN_KEYS and (hint := did_you_mean(key, KNOWN_KEYS)):
            reader.warn(reader.lines.key(key), f"private: unknown key '{key}' is kept", hint)
    birthday = None
    if fields.get("birthday") is not None:
        try:
            birthday = parse_birthday(fields["birthday"])
        except ValueError as e:
            reader.error(
                reader.lines.key("birthday"),
                f"birthday: {e}",
                hint=BIRTHDAY_HINT,
            )
    every, cadence = _cadence(reader, fields.get("checkin_every"))
    return Contact(
        person_id=profile.person_id,
        source=profile.source,
        birthday=birthday,
        checkin_every=every,
        cadence=cadence,
        checkins=_checkins(reader, fields.get("checkins")),
        introduced=_introduced(reader, fields.get("introduced"), profile.person_id, people),
    ), tuple(reader.diags)


def _cadence(reader: _Reader, value: object) -> tuple[Period | None, str]:
    if value is None:
        return None, ""
    line = reader.lines.key("checkin_every")
    hint = "write checkin_every: 6 weeks (or 10 days, 3 months, 1 year)"
    text = _text(value)
    if text is None or isinstance(value, int | float):
        reader.error(line, f"checkin_every: expected a length of time, got {_kind(value)}", hint)
        return None, ""
    try:
        period = parse_period(text)
    except ValueError as e:
        reader.error(line, f"checkin_every: {e}", hint)
        return None, ""
    if not period.months and period.length.days < 1:
        reader.error(line, f"checkin_every: '{text}' is shorter than a day", hint)
        return None, ""
    return period, text


def _log(reader: _Reader, key: str, value: object) -> list[tuple[int, Any]]:
    """The items of a log with their lines; an error when it is not a list."""
    if value is None:
        return []
    if not isinstance(value, list):
        reader.error(
            reader.lines.key(key),
            f"{key}: expected a list, got {_kind(value)}",
            hint=f"write each entry on its own line: {key}:\\n    - {{date: 2026-11-22}}",
        )
        return []
    return [(reader.lines.item(key, i), item) for i, item in enumerate(value)]


def _checkins(reader: _Reader, value: object) -> tuple[CheckIn, ...]:
    found: list[CheckIn] = []
    for line, item in _log(reader, "checkins", value):
        raw_date, note = (
            (item.get("date"), item.get("note")) if isinstance(item, dict) else (item, "")
        )
        if isinstance(item, dict):
            for extra in sorted(set(item) - {"date", "note"}):
                reader.warn(line, f"checkins: unknown key '{extra}' in a check-in is ignored")
        hint = "- {date: 2026-11-22, note: Coffee}"
        if raw_date is None:
            reader.error(line, "checkins: a check-in needs a date", hint=hint)
            continue
        try:
            day = parse_day(raw_date)
        except ValueError as e:
            reader.error(line, f"checkins: {e}", hint=hint)
            continue
        text = _text(note) if note is not None else ""
        if text is None:
            reader.error(line, f"checkins: note: expected text, got {_kind(note)}")
            continue
        found.append(CheckIn(date=day, note=text))
    return tuple(sorted(found, key=lambda c: c.date))


def _introduced(
    reader: _Reader,
    value: object,
    self_id: str,
    people: Collection[str] | None,
) -> tuple[Introduction, ...]:
    found: list[Introduction] = []
    hint = "- {person: priya-raman, date: 2026-11-22}"
    for line, item in _log(reader, "introduced", value):
        raw_date: object = None
        who: object = item
        if isinstance(item, dict):
            who, raw_date = item.get("person"), item.get("date")
            for extra in sorted(set(item) - {"person", "date"}):
                reader.warn(line, f"introduced: unknown key '{extra}' is ignored")
        pid = who.strip() if isinstance(who, str) else ""
        if not pid or slugify(pid) != pid:
            reader.error(line, "introduced: expected a person's id", hint=hint)
            continue
        if pid == self_id:
            reader.error(line, "introduced: a person cannot be introduced to themselves")
            continue
        day = None
        if raw_date is not None:
            try:
                day = parse_day(raw_date)
            except ValueError as e:
                reader.error(line, f"introduced: {e}", hint=hint)
                continue
        if people is not None and pid not in people:
            reader.warn(
                line,
                f"introduced: nobody with the id '{pid}' is in content/people/",
                hint=did_you_mean(pid, people),
            )
        found.append(Introduction(person_id=pid, date=day))
    return tuple(sorted(found, key=lambda i: (i.date or date.min, i.person_id)))
