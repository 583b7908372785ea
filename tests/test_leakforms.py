"""How a private date or phone number reads once published (leakforms): pure, tables."""

from __future__ import annotations

import pytest

from salon_gen.circle.leakforms import date_forms, day_month_forms, ordinal, phone_digits


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (8, "8th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (30, "30th"),
        (31, "31st"),
    ],
)
def test_ordinals(day: int, written: str) -> None:
    assert ordinal(day) == written


BORN = date_forms(1991, 12, 8)


@pytest.mark.parametrize(
    "written",
    [
        "1991-12-08", "1991/12/08", "1991.12.08", "19911208",
        "08/12/1991", "8/12/1991", "12/08/1991", "12/8/1991", "08/12/91", "12/08/91",
        "08.12.1991", "8.12.1991", "08.12.91", "08-12-1991", "8-12-1991", "12-08-1991",
        "8 december 1991", "08 december 1991", "8th december 1991", "8th of december 1991",
        "8th of december, 1991", "8 december, 1991", "december 8, 1991", "december 8 1991",
        "december 8th, 1991", "december the 8th, 1991", "8 dec 1991", "8 dec. 1991",
        "dec 8, 1991", "dec. 8th, 1991",
    ],
)  # fmt: skip
def test_a_date_with_its_year_in_the_ways_it_is_written(written: str) -> None:
    assert written in BORN


def test_the_iso_form_comes_first_and_no_form_twice() -> None:
    assert BORN[0] == "1991-12-08"
    assert len(BORN) == len(set(BORN))


def test_september_has_two_short_names_and_may_one_name() -> None:
    assert {"8 sep 1991", "8 sept 1991", "8 sept. 1991"} <= set(date_forms(1991, 9, 8))
    assert "8 may 1991" in date_forms(1991, 5, 8) and "8 may. 1991" not in date_forms(1991, 5, 8)


def test_a_day_and_month_alone() -> None:
    forms = day_month_forms(12, 1)
    assert {"1 december", "01 december", "1st december", "1st of dec", "dec 1st", "dec. 1"} <= set(
        forms
    )
    assert not any(ch.isdigit() and len(f) > 20 for f in forms for ch in f)  # no year in them


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        # national forms for a country code of 1, 2 or 3 digits: one of them is right
        ("+44 7700 900123", ("447700900123", "047700900123", "07700900123", "0700900123")),
        (
            "0044 7700 900123",
            ("00447700900123", "447700900123", "047700900123", "07700900123", "0700900123"),
        ),
        ("07700 900 123", ("07700900123",)),
        ("(555) 010-4477", ("5550104477",)),
        (447700900123, ("447700900123",)),
        ("555-0123", ()),  # 7 digits: too common to search by its digits
        ("12 Quarry Lane", ()),  # not a number
        (True, ()),
        (12.5, ()),
    ],
)
def test_phone_numbers_by_their_digits(value: object, digits: tuple[str, ...]) -> None:
    assert phone_digits(value) == digits
