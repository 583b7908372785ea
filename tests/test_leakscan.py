"""How the leak guard reads a file and finds forms in it (leakscan): pure, tables."""

from __future__ import annotations

import pytest

from salon_gen.circle.leakforms import day_month_forms
from salon_gen.circle.leakscan import (
    BINARY_MIN,
    BIRTHDAY,
    DIGITS,
    PLAIN,
    Matcher,
    halves,
    is_text,
    prepare,
    prepare_bytes,
    readable,
)

MATCHER = Matcher(
    frozenset({"elsa lindqvist", "okonkwo-hale", "8th december 1991", "ann lee", "bo li"}),
    frozenset(day_month_forms(12, 8)),
    frozenset({"447700900123"}),
)


def found(text: str) -> set[tuple[str, str]]:
    return MATCHER.found(prepare(text))


@pytest.mark.parametrize(
    ("text", "as_read"),
    [
        ("<p><strong>elsa</strong> lindqvist</p>", " elsa lindqvist "),
        ("lind<em>qvist</em>", "lindqvist"),  # an inline element joins, a block one parts
        ("elsa<br>lindqvist", "elsa lindqvist"),
        ('elsa<br class="x"/>lindqvist', "elsa lindqvist"),
        ("**elsa** _lindqvist_", "elsa lindqvist"),
        ("[elsa](https://e.example/a_(b)) lindqvist", "elsa lindqvist"),
        ("lind\u00adqv\u200bist", "lindqvist"),
        ("elsa <!-- a\nnote --> lindqvist", "elsa   lindqvist"),
        ("a < b and c > d", "a < b and c > d"),  # not a tag
        ("elsa\\\nlindqvist", "elsa\nlindqvist"),  # a Markdown hard break
    ],
)
def test_text_as_a_reader_sees_it(text: str, as_read: str) -> None:
    assert readable(text) == as_read


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("<p>We met <strong>Elsa</strong> Lindqvist.</p>", (PLAIN, "elsa lindqvist")),
        ("<p>ELSA\n   LINDQVIST</p>", (PLAIN, "elsa lindqvist")),
        ("&lt;b&gt;Elsa&lt;/b&gt; Lindqvist", (PLAIN, "elsa lindqvist")),  # escaped HTML
        ("&amp;lt;b&amp;gt;Elsa&amp;lt;/b&amp;gt; Lindqvist", (PLAIN, "elsa lindqvist")),
        ("&#69;lsa&nbsp;Lindqvist", (PLAIN, "elsa lindqvist")),
        ('<a title="Elsa Lindqvist" href="/x">x</a>', (PLAIN, "elsa lindqvist")),  # attribute
        ("Maya <em>Okonkwo</em>-Hale", (PLAIN, "okonkwo-hale")),
        ("born 8<sup>th</sup> December 1991", (PLAIN, "8th december 1991")),
        ("Her birthday is on the 8th of December!", (BIRTHDAY, "8th of december")),
        ("Born: Dec. 8", (BIRTHDAY, "dec. 8")),
        ("date of birth 08 december", (BIRTHDAY, "08 december")),
        ("Maya's b-day, December 8th.", (BIRTHDAY, "december 8th")),
        ("dob: 8 dec", (BIRTHDAY, "8 dec")),
        ("ring +44 (0)7700-900-123", None),  # the (0) is not in the number
        ("ring +44 7700 900 123", (DIGITS, "447700900123")),
        ("tel:+447700900123", (DIGITS, "447700900123")),
        ("44.7700.900.123", (DIGITS, "447700900123")),
    ],
)
def test_found_however_it_is_written(text: str, key: tuple[str, str] | None) -> None:
    assert found(text) == ({key} if key else set())


@pytest.mark.parametrize(
    "text",
    [
        "On 8 December we met.",  # a published date: no word saying birth
        "December 8th was cold",
        "born in Uppsala on a Sunday, 8 December",  # the joining words are few
        "My grandmother was born 8 December 1942.",  # someone else's birthday, by its year
        "reborn 8 december",  # inside a word
        "birthday. 8 December",  # another sentence
        "Elsa Lindqvists",  # a longer word
        "1447700900123",  # a longer number
        "Annie Leeks",
    ],
)
def test_not_found(text: str) -> None:
    assert found(text) == set()


def test_the_first_place_a_form_is() -> None:
    written, read = halves("a\nb\n**Elsa**\nLindqvist")
    assert MATCHER.first(written) is None  # the asterisks are in the way
    at = MATCHER.first(read)
    assert at is not None and read.count("\n", 0, at) == 2  # it starts on the third line
    assert MATCHER.first(prepare("nothing here")) is None


@pytest.mark.parametrize(
    ("path", "data", "text"),
    [
        ("static/friends.csv", b"name\nElsa", True),
        ("static/notes", b"plain words", True),  # no suffix: UTF-8 without NULs is text
        ("static/photo.png", b"\x89PNG\r\n\x1a\n\x00\x00", False),
        ("static/data.bin", "caf\u00e9".encode("latin-1"), False),  # not UTF-8
        ("static/a.txt", b"\x00\x01", True),  # the name says so
    ],
)
def test_what_is_text(path: str, data: bytes, text: bool) -> None:
    assert is_text(path, data) is text


def test_bytes_are_searched_for_long_forms_only() -> None:
    data = b"\x89PNG\x00\x07Author\x00Elsa Lindqvist\x00bo li\x00"
    in_bytes = MATCHER.at_least(BINARY_MIN)
    assert in_bytes.found(prepare_bytes(data)) == {(PLAIN, "elsa lindqvist")}
    assert "bo li" in MATCHER.plain and len("bo li") < BINARY_MIN
    assert MATCHER.found(prepare("bo li")) == {(PLAIN, "bo li")}  # in text it is found


def test_nothing_to_find() -> None:
    assert Matcher().found("anything at all") == set()
    assert Matcher().first("anything") is None
