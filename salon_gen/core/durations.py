"""Durations written by people: "1 hour", "30 minutes", "2h", "6 weeks".

Pure. Owns the one grammar for lengths of time in salon.toml and front matter (fetch
intervals, check-in cadences), and calendar periods that count whole months ("3 months",
"1 year"). Must not know what the duration is for.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
}  # fmt: skip
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$")


def parse_duration(text: str) -> timedelta:
    """A positive duration; ValueError with a message fit for a diagnostic otherwise."""
    m = _DURATION.match(text.lower())
    if not m or m.group(2) not in _UNITS:
        raise ValueError(f'cannot read {text!r} as a duration (e.g. "1 hour", "30 minutes")')
    seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds > _LONGEST.total_seconds():  # timedelta itself ends at 999,999,999 days
        raise ValueError(f"duration {text!r} is too long: at most 100 years")
    value = timedelta(seconds=seconds)
    if value <= timedelta(0):
        raise ValueError(f"duration {text!r} must be more than zero")
    return value


_LONGEST = timedelta(days=36525)  # 100 years: no interval in a salon is longer

_MONTHS = {"mo": 1, "month": 1, "months": 1, "y": 12, "yr": 12, "year": 12, "years": 12}
_PERIOD = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """A length of time that may count calendar months: `months` (a month after 31 January
    is the last day of February) or a fixed `length`. One of them is zero."""

    months: int = 0
    length: timedelta = timedelta(0)

    def after(self, day: date) -> date:
        """The day one period after `day` (whole days: a part of a day is dropped)."""
        if not self.months:
            return day + timedelta(days=self.length.days)
        index = day.year * 12 + day.month - 1 + self.months
        year, month = divmod(index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, min(day.day, last))


def parse_period(text: str) -> Period:
    """A duration (`parse_duration`) or a whole number of calendar months or years ("3
    months", "1 year"); ValueError with a message fit for a diagnostic otherwise."""
    m = _PERIOD.match(text.lower())
    if m and m.group(2) in _MONTHS:
        if len(m.group(1)) > 6:  # not a number to multiply: "99999999999 years"
            raise ValueError(f"period {text!r} is too long: at most 100 years")
        months = int(m.group(1)) * _MONTHS[m.group(2)]
        if months <= 0:
            raise ValueError(f"period {text!r} must be more than zero")
        if months > 100 * 12:  # a date that far ahead may be past the year 9999
            raise ValueError(f"period {text!r} is too long: at most 100 years")
        return Period(months=months)
    try:
        return Period(length=parse_duration(text))
    except ValueError:
        raise ValueError(
            f'cannot read {text!r} as a period (e.g. "6 weeks", "3 months", "1 year")'
        ) from None
