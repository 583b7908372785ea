"""The leak guard: no private value and no private person in the built site.

Pure. Given every output file's bytes, the people and their `PrivateProfile`s, it returns an
error for each private value, and each name, id, site or feed of a person with
`public: false`, found in the output, naming the file that put it there: the note, page,
person description, theme template or salon.toml whose text holds it when one does (with
its line), else the template or feed writer that produced the output file.

What is searched (`secrets`), case-insensitively, after HTML/XML entities are decoded (twice:
feeds carry escaped HTML) and runs of whitespace are made one space, on word boundaries:
- every text value under `private:` of `MIN_LENGTH` characters or more, and the words in
  the first `PREFIX` characters of a long one (templates truncate); whole numbers of 8
  digits or more;
- every date under `private:` (a birthday) in the ways dates are written: 1990-04-12,
  12 April 1990, April 12, 1990, 12/04/1990, 04/12/1990, 12.04.1990, 1990/04/12, 19900412.
  A date without a year (--04-12, 04-12, April 12) only as --04-12: "12 April" is how
  published dates read;
- not: `checkin_every` (salon's own words, "6 weeks"), and the dates and ids in the
  `checkins` and `introduced` logs: they are days the owner also publishes on and ids of
  people whose pages are public; the check-in notes are searched;
- for each person with `public: false`: their name, their site and feed URLs (without scheme,
  "www." and a trailing slash), `people/<id>/`, and the bare id when it has a hyphen or a
  digit (a one-word id like "elsa" would match every Elsa).

Must not read or write files: the build passes the bytes in and decides what to do.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from salon_gen.circle.contacts import parse_birthday
from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import Person, PrivateProfile

MIN_LENGTH = 8  # shorter private texts ("Bristol", "2 weeks") would match ordinary pages
PREFIX = 32  # characters of a long value also searched alone
LONG = 48  # a value at least this long is "long"
MIN_DIGITS = 8
_MONTHS = (
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
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NO_YEAR = re.compile(r"^--(\d{2})-(\d{2})$")
# Leaves under `private:` that are not secrets: salon's own vocabulary and public ids.
_NOT_SECRET = re.compile(
    r"^private\.(checkin_every|checkins\[\d+\]\.date|introduced\[\d+\](\.date|\.person)?)$"
)
_TEXT_SUFFIXES = (".html", ".htm", ".xml", ".json", ".opml", ".txt", ".css", ".js", ".svg", ".md")


@dataclass(frozen=True, slots=True, kw_only=True)
class Secret:
    """Something that must not be published, and how it could read once published."""

    what: str  # names it without saying it: "private.birthday of content/people/maya.md"
    forms: tuple[str, ...]  # normalised (see `normalize`)
    person_private: bool = False  # the name, id, site or feed of a public: false person


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    """A file the owner wrote whose text can reach the site (a published note, page or
    public person's description, a theme template, salon.toml), to blame for a leak."""

    path: str
    text: str
    first_line: int = 1  # of `text` in the file
    template: bool = False


def normalize(text: str) -> str:
    """Casefolded, entities decoded (twice: an Atom feed escapes escaped HTML), whitespace
    runs made one space."""
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    return " ".join(text.casefold().split())


def _date_forms(year: int | None, month: int, day: int) -> tuple[str, ...]:
    if year is None:
        return (f"--{month:02d}-{day:02d}",)
    name = _MONTHS[month - 1]
    y = f"{year:04d}"
    return (
        f"{y}-{month:02d}-{day:02d}",
        f"{day} {name} {y}",
        f"{day:02d} {name} {y}",
        f"{name} {day}, {y}",
        f"{day} {name[:3]} {y}",
        f"{name[:3]} {day}, {y}",
        f"{day:02d}/{month:02d}/{y}",
        f"{month:02d}/{day:02d}/{y}",
        f"{day}/{month}/{y}",
        f"{month}/{day}/{y}",
        f"{day:02d}.{month:02d}.{y}",
        f"{y}/{month:02d}/{day:02d}",
        f"{y}{month:02d}{day:02d}",
    )


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path, value


def _forms(value: Any) -> tuple[str, ...]:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _date_forms(value.year, value.month, value.day)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return ()
    if isinstance(value, int):
        digits = str(abs(value))
        return (digits,) if len(digits) >= MIN_DIGITS else ()
    if not isinstance(value, str):
        return ()
    text = value.strip()
    if m := _ISO.match(text):
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
        else:
            return _date_forms(day.year, day.month, day.day)
    if m := _NO_YEAR.match(text):
        return _date_forms(None, int(m.group(1)), int(m.group(2)))
    norm = normalize(text)
    if len(norm) < MIN_LENGTH:
        return ()
    if len(norm) >= LONG:
        # whole words: a template truncates at a space ("…recipe and…"), and a form that
        # ends inside a word would never pass the word-boundary check
        return (norm, norm[: PREFIX + 1].rsplit(" ", 1)[0])
    return (norm,)


def _birthday_forms(value: Any) -> tuple[str, ...]:
    """A birthday in every form people.parse_birthday reads ("April 12" as well as --04-12):
    searched as dates, so a year-less one is not searched as the text "april 12"."""
    try:
        born = parse_birthday(value)
    except ValueError:
        return _forms(value)
    return _date_forms(born.year, born.month, born.day)


def _url_form(url: str) -> str:
    rest = url.strip().casefold().split("://", 1)[-1]
    return rest.removeprefix("www.").rstrip("/")


def secrets(people: Sequence[Person], profiles: Sequence[PrivateProfile]) -> tuple[Secret, ...]:
    """Everything the site must not contain (see the module's docstring for the rule)."""
    found: list[Secret] = []
    for profile in profiles:
        for path, value in _leaves(dict(profile.fields), "private"):
            if _NOT_SECRET.match(path):
                continue
            if forms := _birthday_forms(value) if path == "private.birthday" else _forms(value):
                found.append(Secret(what=f"{path} of {profile.source}", forms=forms))
    for person in people:
        if person.public:
            continue
        where = f"{person.source}, public: false"
        ids = [f"people/{person.id}/"]
        if "-" in person.id or any(c.isdigit() for c in person.id):
            ids.append(person.id)
        found.append(
            Secret(
                what=f"the name of a private person ({where})",
                forms=(normalize(person.name),),
                person_private=True,
            )
        )
        found.append(
            Secret(
                what=f"the id of a private person ({where})", forms=tuple(ids), person_private=True
            )
        )
        for label, urls in (("site", (person.url,)), ("feed", person.feeds)):
            forms = tuple(f for f in (_url_form(u) for u in urls if u) if f)
            if forms:
                found.append(
                    Secret(
                        what=f"the {label} of a private person ({where})",
                        forms=forms,
                        person_private=True,
                    )
                )
    return tuple(s for s in found if s.forms)


# Not a letter or digit after a form (nor before it, checked in `found`: a look-behind at the
# start would keep the regex engine from skipping ahead to the characters a form starts with).
_AFTER = r"(?![^\W_])"
_ESCAPED = "&<>\"'"  # what HTML and XML escaping changes: only then are entities decoded
_END = ""


def _token(ch: str) -> str:
    return r"\s+" if ch == " " else re.escape(ch)


def _trie(node: dict[str, Any]) -> str:
    """A regular expression matching the words of a trie, prefixes shared: one pass of the
    regex engine over a page, however many forms (an alternation of 600 unrelated literals
    is 30 times slower). Recursion only where the trie branches."""
    parts: list[str] = []
    while True:
        keys = sorted(k for k in node if k != _END)
        if len(keys) == 1 and _END not in node:
            parts.append(_token(keys[0]))
            node = node[keys[0]]
            continue
        break
    if not keys:
        return "".join(parts)
    group = "(?:" + "|".join(_token(k) + _trie(node[k]) for k in keys) + ")"
    return "".join(parts) + (group + "?" if _END in node else group)


class _Matcher:
    """Finds normalised forms in text: case-insensitively, across any run of whitespace,
    through HTML/XML entities when a form has a character they escape."""

    def __init__(self, forms: Iterable[str]) -> None:
        trie: dict[str, Any] = {}
        self.unescape = False
        for form in set(forms):
            node = trie
            for ch in form:
                node = node.setdefault(ch, {})
            node[_END] = {}
            self.unescape = self.unescape or any(c in form for c in _ESCAPED)
        self.rx = re.compile(_trie(trie) + _AFTER) if trie else None

    def prepare(self, text: str) -> str:
        text = text.casefold()
        if self.unescape:
            for _ in range(2):  # an Atom feed escapes HTML that was escaped already
                if "&" not in text:
                    break
                text = html.unescape(text)
        return text

    def found(self, text: str) -> set[str]:
        """The forms in `text` (prepared)."""
        found: set[str] = set()
        pos = 0
        while self.rx is not None and (m := self.rx.search(text, pos)) is not None:
            start = m.start()
            if start and text[start - 1].isalnum() and text[start].isalnum():
                pos = start + 1  # inside a word: "ann" in "announce"; look further on
                continue
            found.add(" ".join(m.group(0).split()))
            pos = m.end()
        return found


def _decoded(path: str, data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    if path.endswith(".json"):
        try:
            parsed = json.loads(text)
        except ValueError:
            pass
        else:  # JSON escapes ("\u00e9", "\"") hide nothing once its strings are read back
            text += "\n" + "\n".join(v for _, v in _leaves(parsed, "") if isinstance(v, str))
    return text


def is_text(path: str) -> bool:
    """Whether an output file is text worth searching (pages, feeds, styles, scripts)."""
    return path.lower().endswith(_TEXT_SUFFIXES)


def _blame(
    form: str, written: Sequence[Written], cache: dict[str, list[str]]
) -> tuple[Written, int] | None:
    """The first file the owner wrote that holds `form`, and the line."""
    one = _Matcher([form])
    one.unescape = True  # the same preparation for every form: the cache holds it
    for w in written:
        lines = cache.get(w.path)
        if lines is None:
            lines = cache[w.path] = [one.prepare(line) for line in w.text.split("\n")]
        for n, line in enumerate(lines):
            if one.found(line):
                return w, w.first_line + n
        if one.found(one.prepare(w.text)):  # a value spread over lines
            return w, w.first_line
    return None


def find_leaks(
    outputs: Sequence[tuple[str, bytes]],
    found_secrets: Sequence[Secret],
    *,
    producers: Mapping[str, str],
    written: Sequence[Written] = (),
    output_dir: str = "site",
) -> tuple[Diagnostic, ...]:
    """One error per (file to blame, secret): where it was published and by what.

    `outputs` are (site-relative path, bytes); `producers` maps an output path to the
    template or writer that made it (HTML pages: their template file)."""
    if not found_secrets:
        return ()
    owners: dict[str, list[int]] = {}  # form -> the secrets that have it
    for i, secret in enumerate(found_secrets):
        for form in secret.forms:
            owners.setdefault(form, []).append(i)
    matcher = _Matcher(owners)
    hits: dict[tuple[int, str], list[str]] = {}  # (secret index, form) -> output paths
    for path, data in outputs:
        if is_text(path):
            for form in sorted(matcher.found(matcher.prepare(_decoded(path, data)))):
                for i in owners.get(form, ()):
                    hits.setdefault((i, form), []).append(path)
    grouped: dict[tuple[str, int | None, str], tuple[Secret, list[str], bool]] = {}
    cache: dict[str, list[str]] = {}
    for (i, form), paths in sorted(hits.items()):
        secret = found_secrets[i]
        blamed = _blame(form, written, cache)
        key: tuple[str, int | None, str]
        if blamed is not None:
            key = (blamed[0].path, blamed[1], secret.what)
            template = blamed[0].template
        else:
            producer = producers.get(paths[0]) or "salon"
            key = (producer, None, secret.what)
            template = producer.endswith((".html", ".xml", ".j2", ".jinja"))
        old = grouped.get(key)
        grouped[key] = (secret, sorted({*(old[1] if old else ()), *paths}), template)
    out: list[Diagnostic] = []
    for (culprit, line, _), (secret, paths, template) in grouped.items():
        more = (
            f" and {len(paths) - 1} more file{'s' if len(paths) > 2 else ''}"
            if len(paths) > 1
            else ""
        )
        if template:
            hint = (
                "private fields never reach templates, so the template itself (or one it "
                "includes or extends) holds it: take it out"
            )
        elif secret.person_private:
            hint = (
                "this file is published, and that person is not: leave them out, or keep it a draft"
            )
        else:
            hint = "this file is published: take the private value out, or keep it a draft"
        out.append(
            Diagnostic(
                path=culprit,
                line=line,
                message=f"{secret.what} is published in {output_dir}/{paths[0]}{more}",
                hint=hint,
            )
        )
    return tuple(out)
