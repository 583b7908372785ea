"""Durations written by people: "1 hour", "30 minutes", "2h", "6 weeks".

Pure. Owns the one grammar for lengths of time in salon.toml and front matter (fetch
intervals now; check-in cadences later). Must not know what the duration is for.
"""

from __future__ import annotations

import re
from datetime import timedelta

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
    value = timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])
    if value <= timedelta(0):
        raise ValueError(f"duration {text!r} must be more than zero")
    return value
