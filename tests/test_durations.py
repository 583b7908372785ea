from __future__ import annotations

from datetime import timedelta

import pytest

from salon_gen.durations import parse_duration


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
