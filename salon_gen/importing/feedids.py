"""Keeping the old feed's ids: each imported post whose old URL is the link of an entry of
the old site's feed keeps that entry's id as `id:`, so the readers of friends who followed
the old site do not show every post again as new (RFC 4287 §4.2.6: an id never changes).

Pure: the feed's bytes and the items in; items and report lines out. The feed is parsed by
`ingest.parse_feed` (feedparser stays behind it), with its entity and DTD guards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import unquote, urlsplit

from salon_gen.following.ingest import parse_feed
from salon_gen.importing.item import Item


def _normal(path: str) -> str:
    path = unquote(path).strip("/")
    for index in ("index.html", "index.htm"):
        path = path.removesuffix(index).rstrip("/")
    return path


def keep_ids(
    items: Sequence[Item], feed: bytes, now: datetime
) -> tuple[tuple[Item, ...], tuple[str, ...]]:
    """`items` with `entry_id` set from the feed where an old URL matches an entry's link
    (the link's path ends with the post's old permalink: the site's base path may differ),
    and lines for the report."""
    parsed = parse_feed(feed, url="https://feed.invalid/", content_type="application/xml", now=now)
    report = [] if parsed.entries else [f"feed: {p}" for p in parsed.problems or ("no entries",)]
    olds = {_normal(i.old_url): n for n, i in enumerate(items) if i.old_url}
    out = list(items)
    matched = 0
    unmatched: list[str] = []
    for entry in parsed.entries:
        if not entry.link:
            continue
        path = _normal(urlsplit(entry.link).path)
        parts = path.split("/")
        hit = next(
            (olds[s] for s in ("/".join(parts[k:]) for k in range(len(parts))) if s in olds),
            None,
        )
        usable = ":" in entry.entry_id and not any(c.isspace() for c in entry.entry_id)
        if hit is None or not usable:
            unmatched.append(entry.link)
            continue
        out[hit] = dataclasses.replace(out[hit], entry_id=entry.entry_id)
        matched += 1
    report.append(f"feed: {matched} post(s) keep their feed id")
    if unmatched:
        report.append(f"feed: {len(unmatched)} entry(ies) matched no imported post:")
        report.extend(f"  {link}" for link in unmatched)
    return tuple(out), tuple(report)
