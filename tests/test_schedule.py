"""schedule: the pure Decider, rule by rule, from tables. No clock, no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from salon_gen.core.model import FeedState, FetchResult
from salon_gen.following.schedule import (
    DEFAULT_INTERVAL,
    after_fetch,
    is_due,
    jitter,
    parse_max_age,
    parse_retry_after,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
URL = "https://friend.example/feed.xml"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def result(status: int | None, **kw: Any) -> FetchResult:
    return FetchResult(url=URL, final_url=kw.pop("final_url", URL), status=status, **kw)


def state(**kw: Any) -> FeedState:
    return FeedState(url=URL, **kw)


# --- is_due ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("feed", "force", "due"),
    [
        (None, False, True),  # never fetched
        (None, True, True),
        (state(), False, True),  # no next_due recorded
        (state(next_due=NOW + timedelta(seconds=1)), False, False),
        (state(next_due=NOW + timedelta(seconds=1)), True, True),  # force
        (state(next_due=NOW), False, True),  # exactly due
        (state(next_due=NOW - DAY), False, True),
        (state(gone=True), False, False),  # 410: never again
        (state(gone=True), True, False),  # ... not even forced
        (state(gone=True, next_due=NOW - DAY), True, False),
    ],
)
def test_is_due(feed: FeedState | None, force: bool, due: bool) -> None:
    assert is_due(feed, NOW, force=force) is due


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_due(state(next_due=NOW), datetime(2026, 11, 22, 12, 0))
    with pytest.raises(ValueError, match="aware"):
        after_fetch(None, result(200), datetime(2026, 11, 22, 12, 0))


# --- success --------------------------------------------------------------------------------


def test_first_success() -> None:
    new = after_fetch(
        None,
        result(200, body=b"<rss/>", etag='"a"', last_modified="Sun, 22 Nov 2026 10:00:00 GMT"),
        NOW,
        body_hash="h1",
        title="Friend",
        entry_count=3,
    )
    assert new == FeedState(
        url=URL,
        etag='"a"',
        last_modified="Sun, 22 Nov 2026 10:00:00 GMT",
        body_hash="h1",
        title="Friend",
        last_attempt=NOW,
        last_success=NOW,
        last_status=200,
        failures=0,
        next_due=NOW + HOUR + jitter(URL, HOUR),
        entry_count=3,
    )
    assert not is_due(new, NOW)
    assert is_due(new, new.next_due or NOW)


def test_success_clears_failures_and_error() -> None:
    old = state(failures=4, last_error="HTTP 500 Internal Server Error", last_status=500)
    new = after_fetch(old, result(200, body=b""), NOW)
    assert (new.failures, new.last_error, new.last_status) == (0, None, 200)
    assert new.last_success == NOW


@pytest.mark.parametrize(
    ("status", "etag", "last_modified", "expected"),
    [
        (304, None, None, ('"old"', "old-date")),  # a 304 may leave them out: ours still hold
        (304, '"new"', None, ('"new"', "old-date")),
        (304, '"new"', "new-date", ('"new"', "new-date")),
        (200, '"new"', "new-date", ('"new"', "new-date")),
        (200, None, None, (None, None)),  # a 200 without validators: the old ones are void
    ],
)
def test_validators(
    status: int, etag: str | None, last_modified: str | None, expected: tuple[str | None, ...]
) -> None:
    old = state(etag='"old"', last_modified="old-date")
    new = after_fetch(old, result(status, etag=etag, last_modified=last_modified), NOW)
    assert (new.etag, new.last_modified) == expected


@pytest.mark.parametrize(
    ("interval", "cache_control", "wait"),
    [
        (HOUR, None, HOUR),
        (HOUR, "no-cache", HOUR),
        (HOUR, "max-age=600", HOUR),  # shorter than the interval: the interval wins
        (HOUR, "public, max-age=7200", 2 * HOUR),  # longer: the server asked us to wait
        (HOUR, "max-age=864000", DAY),  # ten days: capped at one
        (2 * DAY, "max-age=259200", 2 * DAY),  # the cap limits max-age, never the interval
        (30 * timedelta(minutes=1), "max-age=0", 30 * timedelta(minutes=1)),
    ],
)
def test_success_waits_interval_or_max_age(
    interval: timedelta, cache_control: str | None, wait: timedelta
) -> None:
    new = after_fetch(None, result(304, cache_control=cache_control), NOW, interval=interval)
    assert new.next_due == NOW + wait + jitter(URL, wait)


def test_known_values_are_kept_when_not_given() -> None:
    old = state(body_hash="h", title="T", entry_count=7)
    assert after_fetch(old, result(304), NOW) == after_fetch(
        old, result(304), NOW, body_hash="h", title="T", entry_count=7
    )
    new = after_fetch(old, result(200, body=b"x"), NOW, body_hash="h2", title="T2", entry_count=0)
    assert (new.body_hash, new.title, new.entry_count) == ("h2", "T2", 0)


def test_times_are_stored_in_utc() -> None:
    lisbon_summer = timezone(timedelta(hours=1))
    new = after_fetch(None, result(200, body=b""), NOW.astimezone(lisbon_summer))
    assert new.last_attempt == NOW
    assert new.last_attempt is not None and new.last_attempt.tzinfo is UTC
    assert new.next_due is not None and new.next_due.tzinfo is UTC


# --- failures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures_before", "interval", "wait"),
    [
        (0, HOUR, 2 * HOUR),  # failures counts this one: 2**1
        (1, HOUR, 4 * HOUR),
        (2, HOUR, 8 * HOUR),
        (4, HOUR, 32 * HOUR),
        (5, HOUR, 64 * HOUR),  # 2**6, the most doublings
        (6, HOUR, 64 * HOUR),
        (50, HOUR, 64 * HOUR),
        (0, DAY, 2 * DAY),
        (2, DAY, 7 * DAY),  # 8 days: capped at a week
        (9, DAY, 7 * DAY),
    ],
)
def test_backoff_grows_and_is_capped(
    failures_before: int, interval: timedelta, wait: timedelta
) -> None:
    old = state(failures=failures_before)
    new = after_fetch(
        old, result(500, error="HTTP 500 Internal Server Error"), NOW, interval=interval
    )
    assert new.failures == failures_before + 1
    assert new.next_due == NOW + wait + jitter(URL, wait)
    assert new.last_error == "HTTP 500 Internal Server Error"
    assert new.last_status == 500
    assert new.last_attempt == NOW


@pytest.mark.parametrize(
    ("fetched", "error"),
    [
        (result(None, error="refused"), "refused"),
        (result(None, error="timed out"), "timed out"),
        (result(404), "HTTP 404"),  # no error text: the status speaks
        (result(None), "fetch failed"),
        (result(200, error="the body is over the 10 MB limit"), "the body is over the 10 MB limit"),
    ],
)
def test_failure_records_the_error_and_keeps_what_was_known(
    fetched: FetchResult, error: str
) -> None:
    old = state(etag='"e"', last_modified="d", body_hash="h", last_success=NOW - DAY, entry_count=5)
    new = after_fetch(old, fetched, NOW)
    assert new.last_error == error
    assert new.failures == 1
    assert (new.etag, new.last_modified, new.body_hash) == ('"e"', "d", "h")
    assert new.last_success == NOW - DAY
    assert new.entry_count == 5
    assert new.next_due == NOW + 2 * HOUR + jitter(URL, 2 * HOUR)


def test_410_is_gone_forever() -> None:
    new = after_fetch(state(failures=1), result(410, error="HTTP 410 Gone"), NOW)
    assert new.gone
    assert new.failures == 2
    assert new.last_error == "HTTP 410 Gone"
    for later in (NOW, NOW + 365 * DAY):
        assert not is_due(new, later)
        assert not is_due(new, later, force=True)


@pytest.mark.parametrize(
    ("status", "retry_after", "next_due"),
    [
        (429, "120", NOW + timedelta(seconds=120)),
        (503, "3600", NOW + HOUR),
        (503, "Wed, 25 Nov 2026 08:00:00 GMT", datetime(2026, 11, 25, 8, 0, tzinfo=UTC)),
        (429, "0", NOW),
        (429, "Sun, 01 Nov 2026 00:00:00 GMT", NOW),  # in the past: now, never earlier
        (429, str(30 * 86400), NOW + 7 * DAY),  # a month: capped at a week
        (503, "Mon, 01 Jan 2035 00:00:00 GMT", NOW + 7 * DAY),
    ],
)
def test_retry_after_sets_the_next_poll(status: int, retry_after: str, next_due: datetime) -> None:
    new = after_fetch(state(failures=2), result(status, retry_after=retry_after), NOW)
    assert new.next_due == next_due
    assert new.failures == 3
    assert new.last_error == f"HTTP {status}"
    assert not new.gone


@pytest.mark.parametrize(
    ("status", "retry_after"),
    [(429, None), (503, "whenever"), (500, "120"), (404, "120")],
)
def test_retry_after_counts_only_with_429_and_503(status: int, retry_after: str | None) -> None:
    new = after_fetch(None, result(status, retry_after=retry_after), NOW)
    assert new.next_due == NOW + 2 * HOUR + jitter(URL, 2 * HOUR)  # plain backoff


# --- permanent redirects --------------------------------------------------------------------


def test_permanent_redirect_sets_moved_to_and_keeps_the_key() -> None:
    target = "https://friend.example/new.xml"
    moved = after_fetch(None, result(200, final_url=target, permanent_redirect=target), NOW)
    assert moved.url == URL
    assert moved.moved_to == target
    # A failure tells nothing about where the feed lives: keep it.
    assert after_fetch(moved, result(None, error="x"), NOW).moved_to == target
    # A success without the redirect: the old URL works again.
    assert after_fetch(moved, result(200, body=b""), NOW).moved_to is None
    # A temporary redirect is not a move.
    temporary = result(200, final_url=target, redirects=((302, target),))
    assert after_fetch(None, temporary, NOW).moved_to is None


# --- jitter ---------------------------------------------------------------------------------


def test_jitter_is_deterministic_and_under_ten_percent() -> None:
    urls = [f"https://site{i}.example/feed" for i in range(500)]
    shares = [jitter(u, HOUR) / HOUR for u in urls]
    assert all(0 <= s < 0.1 for s in shares)
    assert len(set(shares)) > 450  # spread, not one value
    assert max(shares) > 0.09 and min(shares) < 0.01  # over the whole window
    assert [jitter(u, HOUR) for u in urls] == [jitter(u, HOUR) for u in urls]
    assert jitter(URL, 7 * DAY) < 7 * DAY / 10
    assert jitter(URL, timedelta(0)) == timedelta(0)
    assert jitter(URL, 2 * HOUR) in (
        2 * jitter(URL, HOUR),
        2 * jitter(URL, HOUR) + timedelta(microseconds=1),
    )


def test_default_interval() -> None:
    assert DEFAULT_INTERVAL == HOUR
    assert after_fetch(None, result(304), NOW).next_due == NOW + HOUR + jitter(URL, HOUR)


# --- header parsing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("120", NOW + timedelta(seconds=120)),
        (" 120 ", NOW + timedelta(seconds=120)),
        ("0", NOW),
        ("Wed, 25 Nov 2026 08:00:00 GMT", datetime(2026, 11, 25, 8, 0, tzinfo=UTC)),  # IMF-fixdate
        ("Wednesday, 25-Nov-26 08:00:00 GMT", datetime(2026, 11, 25, 8, 0, tzinfo=UTC)),  # RFC 850
        ("Wed Nov 25 08:00:00 2026", datetime(2026, 11, 25, 8, 0, tzinfo=UTC)),  # asctime
        ("Wed, 25 Nov 2026 10:00:00 +0200", datetime(2026, 11, 25, 8, 0, tzinfo=UTC)),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("١٢٠", None),  # Arabic-Indic digits are not delay-seconds
        ("9" * 40, NOW + timedelta(days=3650)),  # absurd, but no overflow
    ],
)  # fmt: skip
def test_parse_retry_after(value: str | None, expected: datetime | None) -> None:
    parsed = parse_retry_after(value, NOW)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("no-cache", None),
        ("max-age=3600", 3600),
        ("public, max-age=60", 60),
        ("MAX-AGE=60", 60),
        ('max-age="90"', 90),
        ("max-age = 30 , must-revalidate", 30),
        ("max-age=0", 0),
        ("s-maxage=100", None),  # for shared caches; we are a private one
        ('private="a, max-age=5", max-age=7', 7),  # a comma inside quotes splits nothing
        ("max-age=abc", None),
        ("max-age=-1", None),
        ("max-age=" + "9" * 40, 3650 * 86400),
    ],
)
def test_parse_max_age(header: str | None, expected: int | None) -> None:
    assert parse_max_age(header) == (None if expected is None else timedelta(seconds=expected))
