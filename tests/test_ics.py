"""The private calendar: RFC 5545 text (escaping, folding, CRLF), read back by the icalendar
library, stable across builds, written by `salon build` and `salon calendar` outside site/,
and accepted by ../shared/validate/checkers/check_ics.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from salon_gen.circle.ics import Alarm, Event, escape, fold, render_calendar
from salon_gen.cli.main import main
from salon_gen.pipeline.build import BuildOptions, build

from .conftest import NOW, REPO, SHARED

CHECK_ICS = SHARED / "validate" / "checkers" / "check_ics.py"


def test_text_values_are_escaped() -> None:
    assert escape("a\\b; c, d\ne") == "a\\\\b\\; c\\, d\\ne"


def test_long_lines_fold_at_75_octets_between_characters() -> None:
    line = "DESCRIPTION:" + "é" * 100  # two octets each: a fold must not split one
    folded = fold(line)
    assert folded.endswith("\r\n")
    physical = folded.removesuffix("\r\n").split("\r\n")
    assert all(len(p.encode()) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert "".join(p.removeprefix(" ") if i else p for i, p in enumerate(physical)) == line
    assert fold("SUMMARY:short") == "SUMMARY:short\r\n"


def test_a_calendar_reads_back() -> None:
    event = Event(
        uid="birthday-ann@example.org",
        day=date(2000, 2, 29),
        summary="Ann, Lee; the poet",
        description="Line one\nline two " + "x" * 80,
        rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1",
        categories=("Birthday",),
        alarms=(Alarm(trigger="-P6DT15H", description="A week to go"),),
    )
    data = render_calendar([event], name="Salon: people", stamp=NOW)
    assert b"\n" not in data.replace(b"\r\n", b"")
    [read] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(read["SUMMARY"]) == "Ann, Lee; the poet"
    assert str(read["DESCRIPTION"]) == "Line one\nline two " + "x" * 80
    assert read.decoded("DTSTART") == date(2000, 2, 29)
    assert read.decoded("DTEND") == date(2000, 3, 1)
    assert read.decoded("DTSTAMP") == NOW
    [alarm] = read.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(days=6, hours=15)


def _salon(root: Path) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "salon.toml", root / "salon.toml")
    shutil.copytree(REPO / "themes", root / "themes")
    return root


def test_the_demo_calendar(tmp_path: Path) -> None:
    root = _salon(tmp_path / "demo")
    result = build(root, now=NOW, options=BuildOptions(offline=True))
    ics = root / "private/salon.ics"
    assert not list(result.output.rglob("*.ics"))  # never under the site
    cal = icalendar.Calendar.from_ical(ics.read_bytes())
    assert str(cal["VERSION"]) == "2.0" and "PRODID" in cal
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    birthdays = {uid for uid in events if uid.startswith("birthday-")}
    assert birthdays == {
        f"birthday-{pid}@salon.example.org"
        for pid in (
            "elsa-lindqvist",
            "hana-sato",
            "jonah-whitfield",
            "maya-okafor",
            "tomas-ferreira",
        )
    }  # everyone with a birthday, public: false included: the calendar is private
    maya = events["birthday-maya-okafor@salon.example.org"]
    assert maya.decoded("DTSTART") == date(1988, 4, 12)
    assert maya["RRULE"] == icalendar.vRecur({"FREQ": ["YEARLY"]})
    tomas = events["birthday-tomas-ferreira@salon.example.org"]  # --02-29, no year
    assert tomas.decoded("DTSTART") == date(2000, 2, 29)
    assert tomas["RRULE"] == icalendar.vRecur(
        {"FREQ": ["YEARLY"], "BYMONTH": [2], "BYMONTHDAY": [-1]}
    )
    assert len(maya.walk("VALARM")) == 2
    checkin = events["checkin-maya-okafor@salon.example.org"]
    # 6 weeks after the check-in of 20 September fell on 1 November: overdue, so today
    assert checkin.decoded("DTSTART") == date(2026, 11, 22)
    assert "Due since 2026-11-01" in str(checkin["DESCRIPTION"])
    assert "Postcard" not in ics.read_text()  # check-in notes stay out of calendars
    assert events["checkin-tomas-ferreira@salon.example.org"].decoded("DTSTART") == date(
        2026, 11, 29
    )
    assert checkin.walk("VALARM")[0].decoded("TRIGGER") == timedelta(hours=9)

    # Built again later, with a new check-in: the same UIDs, the event moved
    first = ics.read_bytes()
    code = (
        CliRunner()
        .invoke(main, ["checkin", "--source", str(root), "maya-okafor", "--now", NOW.isoformat()])
        .exit_code
    )
    assert code == 0
    build(root, now=NOW + timedelta(days=1), options=BuildOptions(offline=True))
    again = icalendar.Calendar.from_ical(ics.read_bytes())
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)
    moved = {str(e["UID"]): e for e in again.walk("VEVENT")}[
        "checkin-maya-okafor@salon.example.org"
    ]
    assert moved.decoded("DTSTART") == date(2027, 1, 3)
    assert ics.read_bytes() != first


def test_the_same_clock_gives_the_same_bytes(tmp_path: Path) -> None:
    root = _salon(tmp_path / "demo")
    code = CliRunner().invoke(main, ["calendar", "--source", str(root), "--now", NOW.isoformat()])
    assert code.exit_code == 0
    assert code.stdout == "wrote private/salon.ics: 10 events\n"
    first = (root / "private/salon.ics").read_bytes()
    build(root, now=NOW, options=BuildOptions(offline=True))
    assert (root / "private/salon.ics").read_bytes() == first


def test_the_calendar_never_goes_where_the_site_is_published(
    make_salon: Callable[..., Path],
) -> None:
    root = make_salon(
        {"content/people/ann.md": "---\nname: Ann\nprivate:\n  birthday: --01-02\n---\n"}
    )
    result = CliRunner().invoke(
        main, ["build", "--source", str(root), "--offline", "--output", str(root / "private")]
    )
    assert result.exit_code == 1
    assert "the output folder is private/, where salon keeps your private calendar" in result.stderr
    assert not (root / "private").exists()


@pytest.mark.skipif(not CHECK_ICS.exists(), reason="../shared/validate is not here")
def test_check_ics_accepts_the_demo_calendar(tmp_path: Path) -> None:
    root = _salon(tmp_path / "demo")
    build(root, now=datetime(2026, 2, 27, 8, tzinfo=UTC), options=BuildOptions(offline=True))
    done = subprocess.run(
        [sys.executable, str(CHECK_ICS), "private/salon.ics"],
        cwd=root, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "errors=0 warnings=0" in done.stdout
