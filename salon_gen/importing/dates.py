"""Dates as other generators write them, read leniently into aware UTC datetimes.

Pure. Jekyll writes `2019-03-05 10:00:00 +0100`, Pelican `2019-03-05 10:20`, WordPress
`2019-03-05 10:00:00` (in UTC for `post_date_gmt`) and RFC 822 in `pubDate`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any

from salon_gen.text.frontmatter import parse_datetime

_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d.%m.%Y",
)


def read_date(value: object, zone: tzinfo) -> datetime | None:
    """`value` as an aware UTC datetime (a time without a zone is read in `zone`), or None."""
    try:
        return parse_datetime(value, zone)
    except ValueError:
        pass
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value.strip())
    for fmt in _FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(UTC)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def first_date(data: Mapping[str, Any], keys: Sequence[str], zone: tzinfo) -> datetime | None:
    """The first of `keys` in `data` that holds a readable date, as `read_date` reads it."""
    for key in keys:
        if data.get(key) is not None and (moment := read_date(data[key], zone)):
            return moment
    return None
