from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from salon_gen.text.frontmatter import parse_datetime, split


def test_yaml_front_matter_with_key_lines() -> None:
    fm, diags = split("---\ntitle: Hello\ndate: 2026-03-05\ntags: [a, b]\n---\nBody\n", "n.md")
    assert diags == ()
    assert fm is not None
    assert fm.format == "yaml"
    assert dict(fm.data) == {"title": "Hello", "date": "2026-03-05", "tags": ["a", "b"]}
    assert fm.body == "Body\n"
    assert fm.body_line == 6
    assert fm.line_of("date") == 3
    assert fm.line_of("missing") == 1


def test_toml_front_matter() -> None:
    fm, diags = split('+++\ntitle = "Hi"\ndate = 2026-03-05\n+++\nBody', "n.md")
    assert diags == ()
    assert fm is not None and fm.format == "toml"
    assert fm.data["title"] == "Hi"
    assert fm.line_of("date") == 3


def test_no_front_matter_and_bom() -> None:
    fm, diags = split("\ufeff# Just a heading\n", "n.md")
    assert diags == () and fm is not None
    assert fm.format == "none" and fm.body == "# Just a heading\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "---\ntitle: a: b\n---\n",
            "n.md:2:9: error: malformed YAML: mapping values are not "
            "allowed in this context\n  hint: quote text that contains ': ', e.g. title: "
            '"Why: a question"',
        ),
        (
            "---\ntitle: x\n",
            "n.md:1: error: front matter opened with '---' is never closed\n"
            "  hint: add a line with just '---' after the metadata",
        ),
        (
            "---\n- a\n- b\n---\n",
            "n.md:2: error: front matter must be a mapping of keys to "
            "values\n  hint: write one 'key: value' per line",
        ),
        (
            "---\nx: !!python/object/apply:os.system [ls]\n---\n",
            "n.md:2:4: error: malformed YAML: YAML tags that construct objects are not allowed in "
            "front matter",
        ),
        ('+++\ntitle = "a\n+++\n', "n.md:2: error: malformed TOML: Unterminated string"),
        (
            "+++\ntitle = 1\ntitle = 2\n+++\n",
            "n.md:3: error: malformed TOML: Cannot overwrite a value",
        ),
    ],
)
def test_malformed_front_matter_points_at_the_line(text: str, expected: str) -> None:
    fm, diags = split(text, "n.md")
    assert fm is None
    assert [d.format() for d in diags] == [expected]


def test_dates_stay_text_until_we_parse_them() -> None:
    fm, _ = split("---\ndate: 2026-02-30\n---\n", "n.md")
    assert fm is not None and fm.data["date"] == "2026-02-30"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-05", datetime(2026, 3, 5, 0, 0, tzinfo=UTC)),
        ("2026-07-05 14:30", datetime(2026, 7, 5, 13, 30, tzinfo=UTC)),  # Lisbon summer, +1
        ("2026-03-05T14:30:00+02:00", datetime(2026, 3, 5, 12, 30, tzinfo=UTC)),
        ("2026-03-05T14:30:00Z", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        (datetime(2026, 3, 5, 9, 0), datetime(2026, 3, 5, 9, 0, tzinfo=UTC)),
    ],
)
def test_parse_datetime(value: object, expected: datetime) -> None:
    got = parse_datetime(value, ZoneInfo("Europe/Lisbon"))
    assert got == expected
    assert got.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "impossible date '2026-02-30': day is out of range for month"),
        ("2026-13-01", "impossible date '2026-13-01': month must be in 1..12"),
        ("next tuesday", "cannot read 'next tuesday' as a date"),
        (42, "expected a date, got int"),
    ],
)
def test_bad_dates(value: object, message: str) -> None:
    with pytest.raises(
        ValueError,
        match="^" + message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.") + "$",
    ):
        parse_datetime(value, ZoneInfo("UTC"))
