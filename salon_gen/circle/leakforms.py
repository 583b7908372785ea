"""The ways a private date or phone number reads once published: the forms the leak guard
searches for (`privacy` decides which values are secret, `leakscan` searches).

Pure and self-contained: values in, normalised (casefolded, one space) strings out.

- A date with its year in every way people and templates write one: ISO, day first and
  month first, with ordinals ("8th December 1991", "December 8th, 1991", "the 8th of
  December 1991"), short month names with and without a full stop, and the numeric forms
  (08/12/1991, 12/08/1991, 8.12.1991, 08-12-1991, 1991/12/08, 19911208, 08.12.91...).
- The day and month alone ("8 December", "Dec 8th") are how every published date reads, so
  they are searched only after a word that says birth (`BIRTH`): "born on the 8th of
  December", "birthday: Dec 8", "date of birth 8 December". A year-less birthday is also
  searched as written, --12-08.
- A phone number by its digits, whatever separates them ("+46 70-123 45 67" and
  "+46701234567" are the same number), also in its national form (0 for the country code).
"""

from __future__ import annotations

import re

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MIN_DIGITS = 8  # a phone number or whole number shorter than this is too common to search

# A word that says birth, then a few joining words: what makes a day and a month a birthday.
# Casefolded text; no full stop in between ("born. 8 May" is two sentences).
BIRTH_WORDS = (
    "born",
    "birthday",
    "bday",
    "b-day",
    "birthdate",
    "birth date",
    "date of birth",
    "dob",
)
BIRTH_FILL = r"(?:'s|\u2019s)?(?:[^\w.!?;]{1,4}(?:is|was|on|falls|the|of|comes))*[^\w.!?;]{1,4}"
_PHONE = re.compile(r"^\+?[\d\s().\-/]+$")


def ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def _names(month: int) -> tuple[str, ...]:
    name = MONTHS[month - 1]
    short = name[:3]
    extra = ("sept", "sept.") if month == 9 else ()
    return (name, short, f"{short}.", *extra) if name != short else (name,)


def day_month_forms(month: int, day: int) -> tuple[str, ...]:
    """A day and month as words: "8 december", "8th of dec.", "december 8th"..."""
    forms: list[str] = []
    for name in _names(month):
        forms += [
            f"{day} {name}",
            f"{day:02d} {name}",
            f"{ordinal(day)} {name}",
            f"{ordinal(day)} of {name}",
            f"{name} {day}",
            f"{name} {ordinal(day)}",
            f"{name} the {ordinal(day)}",
        ]
    return tuple(dict.fromkeys(forms))


def date_forms(year: int, month: int, day: int) -> tuple[str, ...]:
    """A date with its year in every form it is written in; the ISO form first."""
    y = f"{year:04d}"
    yy = y[2:]
    mm, dd = f"{month:02d}", f"{day:02d}"
    forms = [
        f"{y}-{mm}-{dd}",
        f"{y}/{mm}/{dd}",
        f"{y}.{mm}.{dd}",
        f"{y}{mm}{dd}",
    ]
    for sep in "/.-":  # day first (most of the world) and month first (the US)
        forms += [f"{dd}{sep}{mm}{sep}{y}", f"{day}{sep}{month}{sep}{y}"]
        forms += [f"{mm}{sep}{dd}{sep}{y}", f"{month}{sep}{day}{sep}{y}"]
        forms += [f"{dd}{sep}{mm}{sep}{yy}", f"{mm}{sep}{dd}{sep}{yy}"]
    for words in day_month_forms(month, day):
        forms += [f"{words} {y}", f"{words}, {y}"]
    return tuple(dict.fromkeys(forms))


def phone_digits(value: object) -> tuple[str, ...]:
    """The digit strings a phone number is searched as (international, and national with
    a 0 for a country code of one to three digits); () if `value` is not one."""
    if isinstance(value, bool):
        return ()
    if isinstance(value, int):
        text = str(abs(value))
    elif isinstance(value, str) and _PHONE.match(value.strip()):
        text = value.strip()
    else:
        return ()
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) < MIN_DIGITS:
        return ()
    found = [digits]
    if text.startswith(("+", "00")):
        bare = digits.removeprefix("00") if text.startswith("00") else digits
        found += [bare] + [f"0{bare[n:]}" for n in (1, 2, 3)]
    return tuple(d for d in dict.fromkeys(found) if len(d) >= MIN_DIGITS)
