"""Private profiles read into `Contact`s: birthdays with and without a year, cadences, the
check-in and introduction logs, and a diagnostic on the line of every bad value."""

from __future__ import annotations

from datetime import date

import pytest

from salon_gen.circle.contacts import Birthday, parse_birthday, parse_contact, private_lines
from salon_gen.core.durations import Period, parse_period
from salon_gen.core.model import PrivateProfile
from salon_gen.text.frontmatter import split

PERSON = """\
---
name: Maya Okafor
interests: [letters]
private:
  birthday: {birthday}
  checkin_every: {every}
  notes: Met in Porto.
  checkins:
    - {{date: 2026-09-20, note: Postcard}}
    - 2026-10-02
  introduced:
    - {{person: priya-raman, date: 2026-06-12}}
    - tomas-ferreira
---
Maya writes letters.
"""


def contact_of(text: str, people: tuple[str, ...] | None = ("priya-raman", "tomas-ferreira")):
    fm, problems = split(text, "content/people/maya.md")
    assert fm is not None and not problems
    profile = PrivateProfile(
        person_id="maya", source="content/people/maya.md", fields=dict(fm.data["private"])
    )
    return parse_contact(profile, text, people)


def test_a_full_profile_reads_into_types() -> None:
    contact, problems = contact_of(PERSON.format(birthday="1988-04-12", every="6 weeks"))
    assert problems == ()
    assert contact.birthday == Birthday(year=1988, month=4, day=12)
    assert contact.checkin_every == Period(length=parse_period("6 weeks").length)
    assert contact.cadence == "6 weeks"
    assert [(c.date, c.note) for c in contact.checkins] == [
        (date(2026, 9, 20), "Postcard"),
        (date(2026, 10, 2), ""),
    ]
    assert contact.last_checkin is not None and contact.last_checkin.date == date(2026, 10, 2)
    assert contact.was_introduced_to("priya-raman") and contact.was_introduced_to("tomas-ferreira")
    assert not contact.was_introduced_to("hana-sato")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("--02-29", Birthday(month=2, day=29)),
        ("--11-30", Birthday(month=11, day=30)),
        ("1992-02-29", Birthday(year=1992, month=2, day=29)),
        (date(1990, 4, 12), Birthday(year=1990, month=4, day=12)),  # a TOML front matter's
        ("04-12", Birthday(month=4, day=12)),  # month first, as in --04-12 and ISO 8601
        ("4-2", Birthday(month=4, day=2)),
        ("02-29", Birthday(month=2, day=29)),
        ("April 12", Birthday(month=4, day=12)),
        ("12 April", Birthday(month=4, day=12)),
        ("Apr 12", Birthday(month=4, day=12)),
        ("12 Apr", Birthday(month=4, day=12)),
        ("  aPRiL   12 ", Birthday(month=4, day=12)),  # any case, any spaces
        ("Sept. 3rd", Birthday(month=9, day=3)),
        ("February 29", Birthday(month=2, day=29)),
        ("12 April 1990", Birthday(year=1990, month=4, day=12)),
        ("April 12, 1990", Birthday(year=1990, month=4, day=12)),
    ],
)
def test_birthdays_with_and_without_a_year(value: object, expected: Birthday) -> None:
    assert parse_birthday(value) == expected


@pytest.mark.parametrize(
    ("value", "line", "message"),
    [
        ("1990-02-29", 5, "birthday: impossible date '1990-02-29'"),
        ("--02-30", 5, "birthday: impossible day '--02-30'"),
        ("02-30", 5, "birthday: impossible day '02-30'"),
        ("13-01", 5, "birthday: impossible day '13-01'"),
        ("April 31", 5, "birthday: impossible day 'April 31'"),
        ("29 Feb 1991", 5, "birthday: impossible date '29 Feb 1991'"),
        ("Avril 12", 5, "birthday: cannot read 'Avril 12' as a birthday"),  # English only
        ("12/04", 5, "birthday: cannot read '12/04' as a birthday"),  # which is the month?
    ],
)
def test_a_bad_birthday_is_an_error_on_its_line(value: str, line: int, message: str) -> None:
    contact, problems = contact_of(PERSON.format(birthday=value, every="6 weeks"))
    assert contact.birthday is None
    [problem] = problems
    assert problem.is_error and problem.line == line and problem.path == "content/people/maya.md"
    assert problem.message.startswith(message)
    assert problem.hint == "write birthday: 1990-04-12, or 04-12 or April 12 without the year"


@pytest.mark.parametrize(
    ("every", "message"),
    [
        ("soon", "checkin_every: cannot read 'soon' as a period"),
        ("6 hours", "checkin_every: '6 hours' is shorter than a day"),
        ("30", "checkin_every: expected a length of time, got a number"),
    ],
)
def test_a_bad_cadence_is_an_error_on_its_line(every: str, message: str) -> None:
    _, problems = contact_of(PERSON.format(birthday="--04-12", every=every))
    [problem] = problems
    assert (problem.line, problem.is_error) == (6, True)
    assert problem.message.startswith(message)


def test_bad_log_entries_point_at_their_own_line() -> None:
    text = """\
---
name: Maya
private:
  checkins:
    - {date: 2026-09-20}
    - {date: 2026-13-01, note: Nope}
    - {note: no date}
  introduced:
    - {person: Priya Raman}
    - {person: nobody-here, date: 2026-01-01}
    - maya
---
"""
    contact, problems = contact_of(text)
    assert [(p.line, p.severity, p.message) for p in problems] == [
        (6, "error", "checkins: cannot read '2026-13-01' as a date"),
        (7, "error", "checkins: a check-in needs a date"),
        (9, "error", "introduced: expected a person's id"),
        (10, "warning", "introduced: nobody with the id 'nobody-here' is in content/people/"),
        (11, "error", "introduced: a person cannot be introduced to themselves"),
    ]
    assert [c.date for c in contact.checkins] == [date(2026, 9, 20)]
    assert [i.person_id for i in contact.introduced] == ["nobody-here"]


def test_a_near_miss_of_a_private_key_is_a_warning() -> None:
    text = "---\nname: Maya\nprivate:\n  birthdy: 1988-04-12\n---\n"
    _, problems = contact_of(text)
    [problem] = problems
    assert (problem.line, problem.severity) == (4, "warning")
    assert problem.hint == "did you mean 'birthday'?"


def test_private_lines_find_keys_and_items_by_indentation() -> None:
    lines = private_lines(PERSON.format(birthday="--04-12", every="6 weeks"))
    assert lines.private == 4
    assert lines.key("birthday") == 5 and lines.key("checkins") == 8
    assert lines.item("checkins", 1) == 10 and lines.item("introduced", 0) == 12
    assert lines.key("missing") == 4  # the private: line, never a wrong one
    assert private_lines("+++\nname = 'x'\n+++\n").key("birthday") == 1


@pytest.mark.parametrize(
    ("birthday", "today", "expected"),
    [
        (Birthday(month=2, day=29), date(2027, 1, 10), date(2027, 2, 28)),  # common year
        (Birthday(month=2, day=29), date(2028, 1, 10), date(2028, 2, 29)),  # leap year
        (Birthday(month=2, day=29), date(2027, 2, 28), date(2027, 2, 28)),  # today
        (Birthday(month=2, day=29), date(2027, 3, 1), date(2028, 2, 29)),
        (Birthday(month=1, day=2), date(2026, 12, 30), date(2027, 1, 2)),  # across the year
        (Birthday(month=12, day=30), date(2026, 12, 30), date(2026, 12, 30)),
    ],
)
def test_next_birthday(birthday: Birthday, today: date, expected: date) -> None:
    assert birthday.next_from(today) == expected


def test_age_needs_a_year() -> None:
    assert Birthday(year=1988, month=4, day=12).age_on(date(2027, 4, 12)) == 39
    assert Birthday(month=4, day=12).age_on(date(2027, 4, 12)) is None


@pytest.mark.parametrize(
    "written", ["04-12", "April 12", "12 April", "Apr 12", "12 apr", "--04-12"]
)
def test_a_year_less_birthday_as_people_write_it_in_a_person_file(written: str) -> None:
    # unquoted in the YAML front matter, as a new owner writes it
    contact, problems = contact_of(PERSON.format(birthday=written, every="6 weeks"))
    assert problems == ()
    assert contact.birthday == Birthday(month=4, day=12) and contact.birthday.year is None
    assert contact.birthday.next_from(date(2026, 12, 3)) == date(2027, 4, 12)
