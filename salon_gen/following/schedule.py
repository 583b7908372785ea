"""When a feed is due, and what salon remembers after fetching it: the "Decider".

Pure, like lemon24/reader's `Decider`: values in, values out. No I/O and no clock (`now` is
always a parameter), so every rule is a table-driven test. Owns the polling policy: the
interval, the server's `Cache-Control: max-age` and `Retry-After`, exponential backoff for
failing feeds, 410 Gone, permanent redirects, and the per-feed jitter that keeps feeds from all
coming due at once. Must not fetch, parse or store anything.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from salon_gen.core.model import FeedState, FetchResult

DEFAULT_INTERVAL = timedelta(hours=1)
MAX_AGE_CAP = timedelta(days=1)  # a server's max-age may stretch the interval, up to a day
MAX_DELAY = timedelta(days=7)  # the longest a failing feed (or Retry-After) can put us off
MAX_DOUBLINGS = 6  # backoff grows to interval * 2**6 at most
JITTER = 10  # jitter is under 1/JITTER (10%) of the wait

_SUCCESS = frozenset({200, 304})
_RETRY_STATUSES = frozenset({429, 503})  # RFC 6585 §4, RFC 9110 §15.6.4
_LONGEST_SECONDS = 10 * 365 * 86400  # beyond any cap; keeps huge header values from overflowing
_MAX_AGE = re.compile(r'max-age\s*=\s*"?(\d+)"?\s*$', re.IGNORECASE)


def is_due(state: FeedState | None, now: datetime, *, force: bool = False) -> bool:
    """Whether to fetch the feed now. A gone feed (410) is never due, even with `force`."""
    now = _utc(now)
    if state is None:
        return True
    if state.gone:
        return False
    return force or state.next_due is None or now >= state.next_due


def after_fetch(
    state: FeedState | None,
    result: FetchResult,
    now: datetime,
    *,
    interval: timedelta = DEFAULT_INTERVAL,
    body_hash: str | None = None,
    title: str | None = None,
    entry_count: int | None = None,
) -> FeedState:
    """The state after `result`. Still keyed by the URL asked for, even after a redirect."""
    now = _utc(now)
    old = state or FeedState(url=result.url)
    new = replace(
        old,
        last_attempt=now,
        last_status=result.status,
        body_hash=body_hash if body_hash is not None else old.body_hash,
        title=title if title is not None else old.title,
        entry_count=entry_count if entry_count is not None else old.entry_count,
        # The person file should be changed to the new URL; a later fetch that is not
        # redirected any more clears it (a failure tells nothing either way).
        moved_to=result.permanent_redirect or (None if _succeeded(result) else old.moved_to),
    )
    if _succeeded(result):
        wait = max(interval, min(parse_max_age(result.cache_control) or interval, MAX_AGE_CAP))
        return replace(
            new,
            # On 304 the validators we sent still hold unless new ones came (RFC 9110 §15.4.5);
            # a 200 without them means the old ones no longer apply.
            etag=result.etag if result.status == 200 else result.etag or old.etag,
            last_modified=(
                result.last_modified
                if result.status == 200
                else result.last_modified or old.last_modified
            ),
            last_success=now,
            last_error=None,
            failures=0,
            gone=False,
            next_due=now + wait + jitter(old.url, wait),
        )
    failures = old.failures + 1
    error = result.error or (f"HTTP {result.status}" if result.status else "fetch failed")
    if result.status == 410:
        # RFC 9110 §15.5.11: gone for good. Never polled again; its entries are kept.
        return replace(new, failures=failures, last_error=error, gone=True, next_due=None)
    retry_at = parse_retry_after(result.retry_after, now)
    if result.status in _RETRY_STATUSES and retry_at is not None:
        # The server named the moment: no jitter, but never in the past or past the cap.
        next_due = min(max(retry_at, now), now + MAX_DELAY)
    else:
        # failures counts this one: 2, 4, 8 ... 64 intervals, and never more than a week.
        wait = min(interval * 2 ** min(failures, MAX_DOUBLINGS), MAX_DELAY)
        next_due = now + wait + jitter(old.url, wait)
    return replace(new, failures=failures, last_error=error, next_due=next_due)


def jitter(url: str, interval: timedelta) -> timedelta:
    """A fixed share of `interval` under 10%, chosen by the URL's hash.

    Deterministic (same URL, same jitter: builds stay reproducible), yet different feeds
    spread over the window instead of all coming due together.
    """
    micros = max(interval // timedelta(microseconds=1), 0)
    h = int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:8], "big")  # < 2**64
    return timedelta(microseconds=micros * h // (JITTER << 64))


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """The moment a `Retry-After` header names (RFC 9110 §10.2.3): delay-seconds or an
    HTTP-date (IMF-fixdate, RFC 850 or asctime form). None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return _utc(now) + timedelta(seconds=min(int(text), _LONGEST_SECONDS))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # An HTTP-date is always UTC (RFC 9110 §5.6.7); asctime form carries no zone at all.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_max_age(cache_control: str | None) -> timedelta | None:
    """The `max-age` of a Cache-Control header (RFC 9111 §5.2.2.1), or None."""
    for directive in _directives(cache_control or ""):
        m = _MAX_AGE.match(directive)
        if m:
            return timedelta(seconds=min(int(m.group(1)), _LONGEST_SECONDS))
    return None


def _directives(header: str) -> list[str]:
    """Split on commas outside quoted strings (`no-cache="a, b"` is one directive)."""
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    out.append("".join(current).strip())
    return [d for d in out if d]


def _succeeded(result: FetchResult) -> bool:
    return result.status in _SUCCESS and result.error is None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)
