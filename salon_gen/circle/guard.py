"""The leak guard: no private value and no private person in the built site.

Pure. Given every output file's bytes, the people and their `PrivateProfile`s, it returns an
error for each private value, and each name, id, site or feed of a person with
`public: false`, found in the output, naming the file that put it there: a static file
itself (it is copied as it is), else the note, page, person description, theme template or
salon.toml whose text holds it when one does (with its line), else the template or feed
writer that produced the output file.

What is searched (`secrets`), case-insensitively, on word boundaries, in every output file
as `leakscan` reads it (text as written and as read, markup removed; other files by their
bytes):
- every text value under `private:` of `MIN_LENGTH` characters or more, and the words in
  the first `PREFIX` characters of a long one (templates truncate), and as read ("maya_o"
  also as "mayao", an address also without its commas);
- a phone number (a value of digits, spaces and `+-./()`, or a whole number) of 8 digits or
  more by its digits, whatever separates them, also in its national form (`leakforms`);
- every date under `private:` (a birthday) in the ways dates are written (`leakforms`:
  1990-04-12, 12 April 1990, 12th of April, 1990, April 12th, 1990, 12 Apr. 1990,
  12/04/1990, 04/12/1990, 12.04.90, ...); its day and month alone only after a word that
  says birth ("born on 12 April", "birthday: Apr 12th"), because "12 April" is how
  published dates read; a year-less one also as --04-12;
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
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from salon_gen.circle import leakforms, leakscan
from salon_gen.circle.contacts import parse_birthday
from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import Person, PrivateProfile

MIN_LENGTH = 8  # shorter private texts ("Bristol", "2 weeks") would match ordinary pages
PREFIX = 32  # characters of a long value also searched alone
LONG = 48  # a value at least this long is "long"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NO_YEAR = re.compile(r"^--(\d{2})-(\d{2})$")
# Leaves under `private:` that are not secrets: salon's own vocabulary and public ids.
_NOT_SECRET = re.compile(
    r"^private\.(checkin_every|checkins\[\d+\]\.date|introduced\[\d+\](\.date|\.person)?)$"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Secret:
    """Something that must not be published, and how it could read once published."""

    what: str  # names it without saying it: "private.birthday of content/people/maya.md"
    forms: tuple[str, ...]  # normalised (see `normalize`), found as written
    birthday: tuple[str, ...] = ()  # a day and month, found after a word saying birth
    digits: tuple[str, ...] = ()  # a phone number's digits, found whatever separates them
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


def _date_secret(what: str, year: int | None, month: int, day: int) -> Secret:
    birthday = leakforms.day_month_forms(month, day)
    if year is None:
        return Secret(what=what, forms=(f"--{month:02d}-{day:02d}",), birthday=birthday)
    return Secret(what=what, forms=leakforms.date_forms(year, month, day), birthday=birthday)


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path, value


def _secret(what: str, value: Any) -> Secret:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _date_secret(what, value.year, value.month, value.day)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return Secret(what=what, forms=())
    digits = leakforms.phone_digits(value)
    if isinstance(value, int):
        return Secret(what=what, forms=digits[:1], digits=digits)
    if not isinstance(value, str):
        return Secret(what=what, forms=())
    text = value.strip()
    if m := _ISO.match(text):
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
        else:
            return _date_secret(what, day.year, day.month, day.day)
    if m := _NO_YEAR.match(text):
        return _date_secret(what, None, int(m.group(1)), int(m.group(2)))
    norm = normalize(text)
    if len(norm) < MIN_LENGTH:
        return Secret(what=what, forms=(), digits=digits)
    forms = [norm]
    if len(norm) >= LONG:
        # whole words: a template truncates at a space ("…recipe and…"), and a form that
        # ends inside a word would never pass the word-boundary check
        forms.append(norm[: PREFIX + 1].rsplit(" ", 1)[0])
    if ", " in norm:  # an address set out in lines: "12 Quarry Lane<br>Stroud"
        forms.append(norm.replace(", ", " "))
    forms += [bare for f in forms if (bare := leakscan.readable(f)) != f]  # "maya_o" as read
    return Secret(what=what, forms=tuple(dict.fromkeys(forms)), digits=digits)


def _birthday_secret(what: str, value: Any) -> Secret:
    """A birthday in every form people.parse_birthday reads ("April 12" as well as --04-12):
    searched as dates, so a year-less one is not searched as the text "april 12"."""
    try:
        born = parse_birthday(value)
    except ValueError:
        return _secret(what, value)
    return _date_secret(what, born.year, born.month, born.day)


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
            what = f"{path} of {profile.source}"
            read = _birthday_secret if path == "private.birthday" else _secret
            found.append(read(what, value))
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
    return tuple(s for s in found if s.forms or s.birthday or s.digits)


Key = tuple[str, str]  # (kind, form): see leakscan.Matcher


def _keys(secret: Secret) -> Iterator[Key]:
    yield from ((leakscan.PLAIN, f) for f in secret.forms)
    yield from ((leakscan.BIRTHDAY, f) for f in secret.birthday)
    yield from ((leakscan.DIGITS, f) for f in secret.digits)


def _matcher(keys: Iterable[Key]) -> leakscan.Matcher:
    by_kind: dict[str, set[str]] = {}
    for kind, form in keys:
        by_kind.setdefault(kind, set()).add(form)
    return leakscan.Matcher(
        frozenset(by_kind.get(leakscan.PLAIN, ())),
        frozenset(by_kind.get(leakscan.BIRTHDAY, ())),
        frozenset(by_kind.get(leakscan.DIGITS, ())),
    )


def _text(path: str, data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    if path.endswith(".json"):
        try:
            parsed = json.loads(text)
        except ValueError:
            pass
        else:  # JSON escapes ("\u00e9", "\"") hide nothing once its strings are read back
            text += "\n" + "\n".join(v for _, v in _leaves(parsed, "") if isinstance(v, str))
    return text


def _blame(
    key: Key, written: Sequence[Written], cache: dict[str, tuple[str, str]]
) -> tuple[Written, int] | None:
    """The first file the owner wrote that holds the form, and the line it starts on (as
    written or as read: `**Elsa**\nLindqvist` is a name from line 1)."""
    one = _matcher([key])
    for w in written:
        halves = cache.get(w.path)
        if halves is None:
            halves = cache[w.path] = leakscan.halves(w.text)
        lines = [half.count("\n", 0, at) for half in halves if (at := one.first(half)) is not None]
        if lines:
            return w, w.first_line + min(lines)
    return None


def find_leaks(
    outputs: Iterable[tuple[str, bytes]],
    found_secrets: Sequence[Secret],
    *,
    producers: Mapping[str, str],
    written: Sequence[Written] = (),
    copied: Collection[str] = (),
    output_dir: str = "site",
) -> tuple[Diagnostic, ...]:
    """One error per (file to blame, secret): where it was published and by what.

    `outputs` are (site-relative path, bytes); `producers` maps an output path to the
    template or writer that made it (HTML pages: their template file), or, for the output
    paths in `copied` (static files), the file it is a copy of: that file is to blame."""
    if not found_secrets:
        return ()
    owners: dict[Key, list[int]] = {}  # (kind, form) -> the secrets that have it
    for i, secret in enumerate(found_secrets):
        for key in _keys(secret):
            owners.setdefault(key, []).append(i)
    matcher = _matcher(owners)
    in_bytes: leakscan.Matcher | None = None  # made when a file that is not text comes
    hits: dict[tuple[int, Key], list[str]] = {}  # (secret index, key) -> output paths
    for path, data in outputs:
        if leakscan.is_text(path, data):
            found = matcher.found(leakscan.prepare(_text(path, data)))
        else:
            in_bytes = in_bytes or matcher.at_least(leakscan.BINARY_MIN)
            found = in_bytes.found(leakscan.prepare_bytes(data))
        for key in sorted(found):
            for i in owners.get(key, ()):
                paths = hits.setdefault((i, key), [])
                if not paths or paths[-1] != path:  # a big file comes in several parts
                    paths.append(path)
    grouped: dict[tuple[str, int | None, str], tuple[Secret, list[str], str]] = {}
    cache: dict[str, tuple[str, str]] = {}
    for (i, key), paths in sorted(hits.items()):
        secret = found_secrets[i]
        culprits: list[tuple[tuple[str, int | None, str], list[str], str]] = [
            ((producers.get(p) or p, None, secret.what), [p], "copied")
            for p in paths
            if p in copied
        ]
        if rest := [p for p in paths if p not in copied]:
            blamed = _blame(key, written, cache)
            if blamed is not None:
                by = "template" if blamed[0].template else "written"
                culprits.append(((blamed[0].path, blamed[1], secret.what), rest, by))
            else:
                producer = producers.get(rest[0]) or "salon"
                by = "template" if producer.endswith((".html", ".xml", ".j2", ".jinja")) else ""
                culprits.append(((producer, None, secret.what), rest, by))
        for place, found_in, by in culprits:
            old = grouped.get(place)
            grouped[place] = (secret, sorted({*(old[1] if old else ()), *found_in}), by)
    out: list[Diagnostic] = []
    for (culprit, line, _), (secret, paths, by) in grouped.items():
        more = (
            f" and {len(paths) - 1} more file{'s' if len(paths) > 2 else ''}"
            if len(paths) > 1
            else ""
        )
        if by == "copied":
            hint = (
                "this file is copied into the site as it is: take the private value out of "
                "it, or the file out of the content folder"
            )
        elif by == "template":
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
