from __future__ import annotations

from datetime import date, timedelta

import pytest

from salon_gen.core.durations import parse_duration, parse_period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 hour", timedelta(hours=1)),
        ("30 minutes", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1.5 days", timedelta(hours=36)),
        ("6 Weeks", timedelta(weeks=6)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["soon", "5 fortnights", "-1 hour", "0 minutes", "", "hour"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_calendar_months_and_years() -> None:
    assert parse_period("3 months").after(date(2026, 11, 30)) == date(2027, 2, 28)
    assert parse_period("1 month").after(date(2024, 1, 31)) == date(2024, 2, 29)
    assert parse_period("1 year").after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert parse_period("2 weeks").after(date(2026, 12, 25)) == date(2027, 1, 8)
    with pytest.raises(ValueError, match="period"):
        parse_period("1.5 months")
