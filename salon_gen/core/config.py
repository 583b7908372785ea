"""salon.toml: the site config, checked against a declarative schema.

Owns `parse_config` (TOML text in, a `Config` and diagnostics out), the schema `SCHEMA` (one
row per key: its type, whether it is required, how its value is checked), and `locate_keys`,
the scanner that finds where a key was written (tomllib reports no positions for values).
Defaults live on the model dataclasses: a key left out is simply not passed to them.
Must not read the salon's files or print: the caller reads salon.toml and reports the
diagnostics. (Checking `timezone` does read the time zone database, through zoneinfo.)
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from salon_gen.core.durations import parse_duration
from salon_gen.core.errors import Diagnostic, did_you_mean, sort_key
from salon_gen.core.model import (
    Author,
    Config,
    DeployOptions,
    FeedOptions,
    FetchOptions,
    InterestOptions,
    ReadingOptions,
    WebmentionOptions,
)
from salon_gen.core.numbers import TOO_BIG, TOO_BIG_HINT, number_line, too_big_number
from salon_gen.core.urls import interest_slug, is_http_url, segment_problem, slugify

CONFIG_FILE = "salon.toml"

# --- schema -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Why a value was refused, in words for the salon's owner."""

    message: str
    hint: str | None = None


Check = Callable[[Any], Problem | None]


@dataclass(frozen=True, slots=True)
class Kind:
    """A TOML value type a key accepts; `item` is the element kind of an array."""

    label: str  # "a string": used in "expected a string, got an integer"
    accepts: Callable[[Any], bool]
    item: Kind | None = None
    named: bool = False  # a table whose keys the owner names; `item` is each value's kind


STRING = Kind("a string", lambda v: isinstance(v, str))
# bool is a subclass of int in Python, but `items = true` is not a number in TOML.
INTEGER = Kind("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool))
BOOLEAN = Kind("a boolean", lambda v: isinstance(v, bool))
STRINGS = Kind("an array of strings", lambda v: isinstance(v, list), item=STRING)
NAMED_STRINGS = Kind(
    "a table of string arrays", lambda v: isinstance(v, dict), item=STRINGS, named=True
)

# Problems between the items of one value (two names that clash, say), each with the name in
# the table it is about (None: the value as a whole). Run once every item has passed.
Relate = Callable[[Any], Iterator[tuple[str | None, "Problem"]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Key:
    name: str
    kind: Kind
    required: bool = False
    check: Check | None = None  # for an array: each item; for a named table: names and items
    relate: Relate | None = None
    normalize: Callable[[Any], Any] | None = None
    example: str = ""  # a value in TOML syntax, for "add: key = value" hints
    # For a named table: how to fix a value of the wrong type, given its name and the value.
    item_hint: Callable[[str, Any], str | None] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    name: str  # "" for the top level
    make: Callable[..., Any]  # the model value built from the checked keys
    entries: tuple[Key | Table, ...]
    required: bool = False
    hint: str | None = None  # for an unknown key in this table when no name is close to it


# --- value checks -------------------------------------------------------------------------


def _show(value: str) -> str:
    """A string value as TOML would write it (JSON escapes are valid TOML escapes)."""
    return json.dumps(value if len(value) <= 80 else value[:77] + "...", ensure_ascii=False)


def _non_empty(value: str) -> Problem | None:
    return None if value.strip() else Problem(message="must not be empty")


def _url_hint(value: str) -> str | None:
    """For "example.org/blog" or "ftp://example.org/": the https URL probably meant."""
    if re.match(r"^(?:[\w-]+\.)+[a-zA-Z]{2,}(?::\d+)?(?:/\S*)?$", value):
        return f"did you mean {_show('https://' + value)}?"
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.netloc and parts.scheme.lower() not in ("http", "https"):
        # Another scheme with a host (ftp://, ws://); "javascript:" and friends have none.
        return f"did you mean {_show('https://' + value.split('://', 1)[-1])}?"
    return None


def _http_url(value: str) -> Problem | None:
    if is_http_url(value):
        return None
    return Problem(
        message=f"expected an http or https URL, got {_show(value)}", hint=_url_hint(value)
    )


def _base_url(value: str) -> Problem | None:
    if problem := _http_url(value):
        return problem
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return Problem(message=f"has an invalid port: {_show(value)}")
    if "?" in value or "#" in value:
        clean = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        return Problem(
            message="must not have a query (?) or fragment (#)",
            hint=f"did you mean {_show(clean)}?",
        )
    if parts.username is not None or parts.password is not None:
        # Every link on the site is built from base_url: credentials would be published.
        return Problem(message="must not contain a user name or password")
    return None


def _normalize_base_url(value: str) -> str:
    # Scheme and host are case-insensitive (RFC 3986 §6.2.2.1); lower case keeps feed ids stable.
    parts = urlsplit(value)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def _identity(value: str) -> Problem | None:
    if is_http_url(value) or re.match(r"^mailto:[^@\s]+@[^@\s]+$", value):
        return None
    return Problem(
        message=f"expected an http(s) or mailto: URL, got {_show(value)}", hint=_url_hint(value)
    )


def _language(value: str) -> Problem | None:
    # BCP 47, loosely: a 2-3 letter language, then subtags (script, region, variant).
    if re.match(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$", value):
        return None
    fixed = value.replace("_", "-")
    hint = f"did you mean {_show(fixed)}?" if fixed != value and not _language(fixed) else None
    return Problem(
        message=f'expected a language tag like "en" or "pt-BR", got {_show(value)}', hint=hint
    )


def _timezone(value: str) -> Problem | None:
    message = f"unknown time zone {_show(value)}"
    if value == "localtime":
        # Valid on most machines, but means a different zone on each: builds would differ.
        return Problem(message=message, hint='name the zone, such as "Europe/London"')
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        names = available_timezones()
        same_case = [n for n in names if n.lower() == value.lower()]
        hint = f"did you mean '{same_case[0]}'?" if same_case else did_you_mean(value, names)
        return Problem(message=message, hint=hint or 'use an IANA name, such as "Europe/London"')
    return None


_FOLDER_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _theme(value: str) -> Problem | None:
    if _FOLDER_NAME.fullmatch(value):
        return None
    last = re.split(r"[/\\]", value.rstrip("/\\"))[-1]  # "themes/mine" -> "mine"
    hint = f"did you mean {_show(last)}?" if _FOLDER_NAME.fullmatch(last) else None
    return Problem(
        message=f"expected a folder name under themes/, got {_show(value)}",
        hint=hint or 'use only letters, digits, "-" and "_"',
    )


# Folders (and the file) of the salon that the build must never replace with the site.
_RESERVED_OUTPUT = frozenset({"content", "themes", "private", ".salon", "salon.toml"})


def _output_dir(value: str) -> Problem | None:
    if re.match(r"^(?:[/\\]|[A-Za-z]:[/\\])", value):
        return None  # absolute: the owner chose a place outside the salon folder
    segments = [s for s in re.split(r"[/\\]", value) if s not in ("", ".")]
    if ".." in segments:
        return Problem(message=f'must not contain "..", got {_show(value)}')
    if not segments:
        return Problem(message="cannot be the salon folder itself")
    if segments[0].lower() in _RESERVED_OUTPUT:
        return Problem(
            message=f"would overwrite the salon's own {_show(segments[0])}", hint='use "site"'
        )
    return None


def _env_name(value: str) -> Problem | None:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        return None
    # The token itself must never be written in salon.toml, which may be published.
    return Problem(
        message=f"expected the name of an environment variable, got {_show(value)}",
        hint='put the token in the environment and name it here: token_env = "WEBMENTION_TOKEN"',
    )


def _email(value: str) -> Problem | None:
    if re.match(r"^[^@\s]+@[^@\s]+$", value) and not value.startswith("mailto:"):
        return None
    hint = f"did you mean {_show(value[7:])}?" if value.startswith("mailto:") else None
    return Problem(message=f"expected an email address, got {_show(value)}", hint=hint)


def _avatar(value: str) -> Problem | None:
    # "//host/x" starts with "/" but is a protocol-relative URL to another site.
    if (value.startswith("/") and not value.startswith("//")) or is_http_url(value):
        return None
    if value.startswith("//"):
        hint = f"did you mean {_show('https:' + value)}?"
    elif re.match(r"^[\w.-]+/", value):
        hint = f"did you mean {_show('/' + value)}?"
    else:
        hint = 'a site path starts with "/", like "/static/me.jpg"'
    return Problem(message=f"expected a site path or http(s) URL, got {_show(value)}", hint=hint)


_TARGET = re.compile(r"(folder|rsync|git):(.+)", re.DOTALL)


def deploy_target_problem(value: str) -> Problem | None:
    """What is wrong with a deploy target (`[deploy] target`, `salon deploy --to`)."""
    hint = 'write "folder:/srv/www", "rsync:me@host:/var/www/salon/" or "git:gh-pages"'
    found = _TARGET.fullmatch(value)
    if found is None:
        return Problem(message=f"expected KIND:WHERE, got {_show(value)}", hint=hint)
    kind, where = found.groups()
    if where.startswith("-") or any(c in where for c in "\0\n\r"):
        return Problem(message=f"{_show(value)} is not a place to deploy to", hint=hint)
    if kind == "rsync" and ":" not in where and not where.startswith("/"):
        return Problem(
            message=f"expected HOST:PATH or an absolute path, got {_show(where)}", hint=hint
        )
    if kind == "git" and (not re.fullmatch(r"[A-Za-z0-9._/-]+", where) or ".." in where):
        return Problem(message=f"{_show(where)} is not a branch name", hint='e.g. "gh-pages"')
    return None


def _between(low: int, high: int) -> Check:
    def check(value: int) -> Problem | None:
        ok = low <= value <= high
        return None if ok else Problem(message=f"must be between {low} and {high}, got {value}")

    return check


def _duration(minimum: timedelta) -> Check:
    def check(value: str) -> Problem | None:
        try:
            length = parse_duration(value)
        except ValueError as e:
            return Problem(message=str(e), hint='write e.g. "1 hour", "30 minutes", "1 day"')
        if length < minimum:
            return Problem(
                message=f"{value!r} is too often: be polite to the people you follow",
                hint=f"poll at most every {int(minimum.total_seconds() // 60)} minutes",
            )
        return None

    return check


def _sluggable(value: str) -> Problem | None:
    if not slugify(value):
        return Problem(message=f"{_show(value)} has no letters or digits")
    if problem := segment_problem(interest_slug(value)):
        return Problem(
            message=f"names the folder interests/{interest_slug(value)[:40]}/, which {problem}",
            hint="use another word for it",
        )
    return None


def _alias_problems(aliases: Mapping[str, tuple[str, ...]]) -> Iterator[tuple[str, Problem]]:
    """Spellings that would make an interest ambiguous: each spelling names one interest, and
    an interest is never itself a spelling of another (no chains to follow)."""
    interests: dict[str, str] = {}  # slug of an interest -> its name as written
    for name in aliases:
        first = interests.setdefault(interest_slug(name), name)
        if first != name:
            yield (
                name,
                Problem(
                    message=f"is the same interest as {_show(first)}",
                    hint=f"list all its spellings on one line: {_toml_key(first)} = [...]",
                ),
            )
    owner: dict[str, str] = {}  # slug of a spelling -> the interest it was first listed under
    for name, spellings in aliases.items():
        for spelling in spellings:
            slug = interest_slug(spelling)
            if slug == interest_slug(name) or owner.get(slug) == name:
                continue  # the interest's own name, or a repeat: harmless
            if slug in interests:
                other = interests[slug]
                yield (
                    name,
                    Problem(
                        message=f"{_show(spelling)} is itself an interest with aliases",
                        hint=f"list every spelling under one name: merge {_toml_key(name)} and "
                        f"{_toml_key(other)} into one line",
                    ),
                )
            elif slug in owner:
                yield (
                    name,
                    Problem(
                        message=f"{_show(spelling)} is already a spelling of {_show(owner[slug])}",
                        hint="a spelling can belong to one interest only: remove it from one line",
                    ),
                )
            else:
                owner[slug] = name


def _normalize_aliases(aliases: Mapping[str, tuple[str, ...]]) -> Mapping[str, str]:
    """The slug of each spelling -> the slug of its interest (the shape interests.py uses)."""
    pairs = {
        interest_slug(s): interest_slug(name)
        for name, spellings in aliases.items()
        for s in spellings
    }
    return MappingProxyType({k: v for k, v in sorted(pairs.items()) if k != v})


def _alias_hint(name: str, value: Any) -> str | None:
    if isinstance(value, str) and slugify(value):
        # `ml = "machine-learning"` reads as "ml means machine-learning": turn it around.
        return f"name the interest, then its spellings: {_toml_key(value)} = [{_show(name)}]"
    return f'write an array of strings: {_toml_key(name)} = ["another spelling"]'


SCHEMA = Table(
    name="",
    make=Config,
    entries=(
        Key(name="title", kind=STRING, required=True, check=_non_empty, example='"My Salon"'),
        Key(
            name="base_url",
            kind=STRING,
            required=True,
            check=_base_url,
            normalize=_normalize_base_url,
            example='"https://example.org/"',
        ),
        Key(name="description", kind=STRING, example='"Notes, links and friends"'),
        Key(name="language", kind=STRING, check=_language, example='"en"'),
        Key(name="timezone", kind=STRING, check=_timezone, example='"Europe/London"'),
        Key(
            name="identities", kind=STRINGS, check=_identity, example='["https://example.org/@me"]'
        ),
        Key(name="theme", kind=STRING, check=_theme, example='"mytheme"'),
        Key(name="output_dir", kind=STRING, check=_output_dir, example='"site"'),
        Key(name="search", kind=BOOLEAN, example="true"),
        Key(name="hub", kind=STRING, check=_http_url, example='"https://hub.example.org/"'),
        Table(
            name="author",
            make=Author,
            required=True,
            entries=(
                Key(
                    name="name", kind=STRING, required=True, check=_non_empty, example='"Your Name"'
                ),
                Key(
                    name="url", kind=STRING, check=_http_url, example='"https://example.org/about/"'
                ),
                Key(name="email", kind=STRING, check=_email, example='"me@example.org"'),
                Key(name="avatar", kind=STRING, check=_avatar, example='"/static/me.jpg"'),
            ),
        ),
        Table(
            name="feeds",
            make=FeedOptions,
            entries=(
                Key(name="items", kind=INTEGER, check=_between(1, 1000), example="20"),
                Key(name="full_content", kind=BOOLEAN, example="true"),
            ),
        ),
        Table(
            name="fetch",
            make=FetchOptions,
            entries=(
                Key(
                    name="interval",
                    kind=STRING,
                    check=_duration(timedelta(minutes=5)),
                    normalize=parse_duration,
                    example='"1 hour"',
                ),
                Key(name="concurrency", kind=INTEGER, check=_between(1, 64), example="8"),
                Key(name="timeout", kind=INTEGER, check=_between(1, 600), example="60"),
                Key(name="max_size_mb", kind=INTEGER, check=_between(1, 200), example="10"),
            ),
        ),
        Table(
            name="reading",
            make=ReadingOptions,
            entries=(Key(name="per_page", kind=INTEGER, check=_between(5, 500), example="50"),),
        ),
        Table(
            name="deploy",
            make=DeployOptions,
            entries=(
                Key(
                    name="target",
                    kind=STRING,
                    check=deploy_target_problem,
                    example='"git:gh-pages"',
                ),
                Key(name="repository", kind=STRING, check=_non_empty, example='"."'),
            ),
        ),
        Table(
            name="interests",
            make=InterestOptions,
            hint='spellings go in [interests.aliases]: machine-learning = ["ml"]',
            entries=(
                Key(
                    name="aliases",
                    kind=NAMED_STRINGS,
                    check=_sluggable,
                    relate=_alias_problems,
                    normalize=_normalize_aliases,
                    item_hint=_alias_hint,
                    example='{ machine-learning = ["ml", "machine learning"] }',
                ),
            ),
        ),
        Table(
            name="webmention",
            make=WebmentionOptions,
            entries=(
                Key(
                    name="endpoint",
                    kind=STRING,
                    check=_http_url,
                    example='"https://webmention.io/example.org/webmention"',
                ),
                Key(
                    name="api",
                    kind=STRING,
                    check=_http_url,
                    example='"https://webmention.io/api/mentions.jf2"',
                ),
                Key(name="token_env", kind=STRING, check=_env_name, example='"WEBMENTION_TOKEN"'),
                Key(name="hidden", kind=STRINGS, check=_http_url, example='["https://..."]'),
            ),
        ),
    ),
)

# --- locating keys in the text ------------------------------------------------------------

KeyPath = tuple[str | int, ...]  # ("author", "name"); an int indexes an [[array]] of tables


@dataclass(frozen=True, slots=True, kw_only=True)
class Located:
    path: KeyPath
    line: int  # 1-based
    col: int  # 1-based, where the key (or the "[" of a header) starts


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyMap:
    """Where each key and table header of a TOML text is written."""

    statements: tuple[Located, ...]  # every `key =` and `[header]`, in file order
    unclosed: Located | None = None  # the key whose string or array runs to the end of the text

    def find(self, path: KeyPath) -> Located | None:
        """Where `path` is defined; else where its nearest defined parent is; else None."""
        for length in range(len(path), 0, -1):
            for s in self.statements:  # explicit definitions first: `[a]` beats `[a.b]` for a
                if s.path == path[:length]:
                    return s
            for s in self.statements:
                if s.path[:length] == path[:length]:
                    return s
        return None

    def at_line(self, line: int) -> Located | None:
        return next((s for s in reversed(self.statements) if s.line == line), None)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _skip_string(text: str, i: int) -> tuple[int, bool]:
    """End of the string opening at `i`; False if it runs to the end of the text."""
    n, q = len(text), text[i]
    if text.startswith(q * 3, i):
        j = i + 3
        while j < n:
            if q == '"' and text[j] == "\\":
                j += 2
            elif text.startswith(q * 3, j):
                j += 3
                # TOML 1.0: up to two quotes may sit right before the closing delimiter.
                extra = 0
                while extra < 2 and j < n and text[j] == q:
                    j, extra = j + 1, extra + 1
                return j, True
            else:
                j += 1
        return n, False
    j = i + 1
    while j < n and text[j] != "\n":
        if q == '"' and text[j] == "\\":
            j += 2
        elif text[j] == q:
            return j + 1, True
        else:
            j += 1
    return min(j, n), j < n  # unterminated on its line: let the value end at the newline


def _skip_value(text: str, i: int) -> tuple[int, bool]:
    """End of the value starting at `i` (arrays and strings may span lines)."""
    n, depth = len(text), 0
    while i < n:
        c = text[i]
        if c in "\"'":
            i, closed = _skip_string(text, i)
            if not closed:
                return n, False
            continue
        if c == "#":
            i = _line_end(text, i)
            continue
        if c == "\n" and depth == 0:
            return i, True
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return n, depth == 0


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _skip_blanks(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t":
        i += 1
    return i


def _parse_key(text: str, i: int) -> tuple[tuple[str, ...], int] | None:
    """A bare, quoted or dotted key at `i`: its parts and where it ends, or None."""
    parts: list[str] = []
    while True:
        i = _skip_blanks(text, i)
        if i < len(text) and text[i] in "\"'":
            end, _ = _skip_string(text, i)
            if end - i < 2 or text[end - 1] != text[i]:
                return None
            parts.append(_unquote(text[i:end]))
        elif m := _BARE_KEY.match(text, i):
            parts.append(m.group())
            end = m.end()
        else:
            return None
        i = _skip_blanks(text, end)
        if i < len(text) and text[i] == ".":
            i += 1
        else:
            return tuple(parts), i


def _unquote(raw: str) -> str:
    if raw.startswith("'"):
        return raw[1:-1]
    try:  # let tomllib decode the escapes of a "basic" quoted key
        return str(tomllib.loads(f"k = {raw}")["k"])
    except tomllib.TOMLDecodeError:
        return raw[1:-1]


def locate_keys(text: str) -> KeyMap:
    """Scan TOML text for its keys and table headers. Never fails, even on invalid TOML."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(path: KeyPath, offset: int) -> Located:
        line = bisect_right(line_starts, offset)
        return Located(path=path, line=line, col=offset - line_starts[line - 1] + 1)

    statements: list[Located] = []
    unclosed: Located | None = None
    table: KeyPath = ()
    arrays: dict[KeyPath, int] = {}  # [[array]] tables seen so far, by path
    i, n = 0, len(text)
    while i < n:
        if text[i] in " \t\r\n":
            i += 1
            continue
        start = i
        if text[i] == "[":
            double = text.startswith("[[", i)
            parsed = _parse_key(text, i + 1 + double)
            if parsed and text.startswith("]]" if double else "]", _skip_blanks(text, parsed[1])):
                table = _table_path(parsed[0], arrays, double)
                statements.append(at(table, start))
        elif (parsed := _parse_key(text, i)) and text.startswith("=", parsed[1]):
            statements.append(at(table + parsed[0], start))
            i, closed = _skip_value(text, parsed[1] + 1)
            if not closed and unclosed is None:
                unclosed = statements[-1]
            continue
        i = _line_end(text, i)  # a comment, or a line we cannot read (tomllib will say why)
    return KeyMap(statements=tuple(statements), unclosed=unclosed)


def _table_path(parts: tuple[str, ...], arrays: dict[KeyPath, int], double: bool) -> KeyPath:
    """`[a.b]` or `[[a.b]]` as a path, indexing into the latest entry of each array."""
    path: KeyPath = ()
    for k, part in enumerate(parts):
        path += (part,)
        if double and k == len(parts) - 1:
            arrays[path] = arrays.get(path, 0) + 1
        if path in arrays:
            path += (arrays[path] - 1,)
    return path


# --- parsing ------------------------------------------------------------------------------


def parse_config(
    text: str, path: str = CONFIG_FILE
) -> tuple[Config | None, tuple[Diagnostic, ...]]:
    """Parse and check salon.toml: the Config and warnings, or None and every problem found."""
    text = text.removeprefix("\ufeff")  # Windows editors like to start UTF-8 files with a BOM
    keys = locate_keys(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, (_syntax_error(str(exc), text, keys, path),)
    except ValueError:  # a decimal past Python's int-string limit, from inside tomllib
        data = None
    if data is None or too_big_number(data) is not None:
        line, col = number_line(text.split("\n"), 1)
        return None, (
            Diagnostic(path=path, line=line, col=col, message=TOO_BIG, hint=TOO_BIG_HINT),
        )
    checker = _Checker(path=path, keys=keys)
    config = checker.table(SCHEMA, data, ())
    diagnostics = tuple(sorted(checker.diagnostics, key=sort_key))
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    assert isinstance(config, Config)
    return config, diagnostics


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        tables = value and all(isinstance(v, dict) for v in value)
        return "an array of tables" if tables else "an array"
    names = {int: "an integer", float: "a float", str: "a string", dict: "a table"}
    names |= {datetime: "a date-time", date: "a date", time: "a time"}
    return next((name for t, name in names.items() if isinstance(value, t)), "a value")


def _toml_key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def _dotted(where: tuple[str, ...]) -> str:
    return ".".join(_toml_key(p) for p in where)


def _type_hint(key: Key, value: object) -> str | None:
    """How to write `value` so that it has the type `key` wants, when that is obvious."""
    if key.kind is INTEGER and isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return f"write numbers without quotes: {key.name} = {int(value)}"
    if key.kind is INTEGER and isinstance(value, float) and value.is_integer():
        return f"write a whole number: {key.name} = {int(value)}"
    if (
        key.kind is BOOLEAN
        and isinstance(value, str)
        and value.strip().lower() in ("true", "false")
    ):
        return f"write true or false without quotes: {key.name} = {value.strip().lower()}"
    if key.kind is STRING and isinstance(value, int | float | date | time):
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        return f"quote text values: {key.name} = {_show(shown)}"
    if key.kind is STRINGS and isinstance(value, str):
        return f"use an array: {key.name} = [{_show(value)}]"
    if key.kind.named:
        return f"write a table: {key.name} = {key.example}"
    return None


def _homes(name: str, table: Table = SCHEMA, where: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every table of the schema that has an entry called `name`."""
    found = [where] if any(e.name == name for e in table.entries) else []
    for entry in table.entries:
        if isinstance(entry, Table):
            found += _homes(name, entry, (*where, entry.name))
    return found


@dataclass(slots=True, kw_only=True)
class _Checker:
    """Walks the parsed TOML along the schema, collecting every problem on the way."""

    path: str
    keys: KeyMap
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def report(self, where: KeyPath, message: str, hint: str | None = None) -> None:
        found = self.keys.find(where) if where else None
        line = found.line if found else 1
        # Pointing at a parent (a key inside an inline table, say): the line says enough.
        col = found.col if found and found.path == where else None
        self.diagnostics.append(
            Diagnostic(path=self.path, message=message, line=line, col=col, hint=hint)
        )

    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    def table(self, table: Table, data: Mapping[str, Any], where: tuple[str, ...]) -> Any:
        """The model value for `table`, or None if anything in it is wrong."""
        before = self.errors()
        values: dict[str, Any] = {}
        known = {e.name: e for e in table.entries}
        for name, value in data.items():
            if name not in known:
                self.unknown(table, where, name, value)
        for entry in table.entries:
            if entry.name not in data:
                if entry.required:
                    self.missing(entry, where)
                continue
            value, key_path = data[entry.name], (*where, entry.name)
            if isinstance(entry, Table) and isinstance(value, dict):
                values[entry.name] = self.table(entry, value, key_path)
            elif isinstance(entry, Table):
                self.not_a_table(key_path, value)
            else:
                values[entry.name] = self.key(entry, value, key_path)
        return table.make(**values) if self.errors() == before else None

    def not_a_table(self, where: tuple[str, ...], value: object) -> None:
        name, got = _dotted(where), _type_name(value)
        if got == "an array of tables":
            hint = f"write [{name}] with single brackets: [[{name}]] starts an array of tables"
        else:
            hint = f"write [{name}] on a line of its own, then its keys below it"
        self.report(where, f"{name}: expected a table, got {got}", hint)

    def key(self, key: Key, value: Any, where: tuple[str, ...]) -> Any:
        if not key.kind.accepts(value):
            message = f"{_dotted(where)}: expected {key.kind.label}, got {_type_name(value)}"
            self.report(where, message, _type_hint(key, value))
            return None
        before = self.errors()
        if key.kind.named and key.kind.item:
            value = {
                str(name): self.named(key, key.kind.item, str(name), item, where)
                for name, item in value.items()
            }
        else:
            value = self.items(key, key.kind, value, where)
        if key.relate and self.errors() == before:  # relations may assume valid items
            for name, problem in key.relate(value):
                path = where if name is None else (*where, name)
                self.report(path, f"{_dotted(path)}: {problem.message}", problem.hint)
        if key.normalize and self.errors() == before:  # normalizers may assume a valid value
            value = key.normalize(value)
        return value

    def named(self, key: Key, kind: Kind, name: str, value: Any, where: tuple[str, ...]) -> Any:
        """One value of a table whose keys the owner names: the name and the value checked."""
        path = (*where, name)
        if key.check and (problem := key.check(name)):
            self.report(path, f"{_dotted(path)}: {problem.message}", problem.hint)
        if not kind.accepts(value):
            hint = key.item_hint(name, value) if key.item_hint else None
            self.report(
                path, f"{_dotted(path)}: expected {kind.label}, got {_type_name(value)}", hint
            )
            return value
        return self.items(key, kind, value, path)

    def items(self, key: Key, kind: Kind, value: Any, where: tuple[str, ...]) -> Any:
        """`value` (already of `kind`) checked item by item; an array becomes a tuple."""
        label = _dotted(where)
        items = list(enumerate(value)) if kind.item else [(None, value)]
        for index, item in items:
            item_label = label if index is None else f"{label}[{index}]"
            if kind.item and not kind.item.accepts(item):
                self.report(
                    where, f"{item_label}: expected {kind.item.label}, got {_type_name(item)}"
                )
            elif key.check and (problem := key.check(item)):
                self.report(where, f"{item_label}: {problem.message}", problem.hint)
        return tuple(value) if kind.item else value

    def missing(self, entry: Key | Table, where: tuple[str, ...]) -> None:
        inside = f" in [{_dotted(where)}]" if where else ""
        if isinstance(entry, Table):
            needed = [e for e in entry.entries if isinstance(e, Key) and e.required]
            example = "".join(f" with {e.name} = {e.example}" for e in needed[:1])
            message = f"missing required table [{_dotted((*where, entry.name))}]"
            self.report(where, message, f"add: [{_dotted((*where, entry.name))}]{example}")
        else:
            hint = f"add: {entry.name} = {entry.example}"
            self.report(where, f"missing required key '{entry.name}'{inside}", hint)

    def unknown(self, table: Table, where: tuple[str, ...], name: str, value: object) -> None:
        key_path = (*where, name)
        if isinstance(value, dict):
            message = f"unknown table [{_dotted(key_path)}]"
        else:
            message = f"unknown key '{name}'" + (f" in [{_dotted(where)}]" if where else "")
        homes = [h for h in _homes(name) if h != where]
        hint: str | None
        if () in homes and isinstance(value, dict):
            hint = f"'{name}' is a top-level table: write it as [{_toml_key(name)}]"
        elif () in homes:
            hint = f"'{name}' is a top-level key: move it above the first [table]"
        elif homes:
            hint = f"'{name}' belongs in " + " or ".join(f"[{_dotted(h)}]" for h in homes)
        else:
            hint = did_you_mean(name, (e.name for e in table.entries)) or table.hint
        self.report(key_path, message, hint)


# --- TOML syntax errors -------------------------------------------------------------------

_POSITION = re.compile(
    r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S
)


def _syntax_error(error: str, text: str, keys: KeyMap, path: str) -> Diagnostic:
    """One diagnostic for a tomllib error, moved to the most useful line and with a hint."""
    m = _POSITION.match(error)
    message = m.group("msg") if m else error
    if m and m.group("line"):
        line, col = int(m.group("line")), int(m.group("col"))
    else:  # "at end of document": the last line that says anything
        line, col = text.rstrip().count("\n") + 1, None
    hint = None
    here = keys.at_line(line)
    if message in ("Unterminated string", "Unclosed array") and keys.unclosed:
        line, col = keys.unclosed.line, keys.unclosed.col
        hint = "the value of this key is never closed"
    elif message == "Illegal character '\\n'":
        message = "string not closed before the end of the line"
        hint = 'close the string on the same line, or use """ for text over several lines'
    elif message == "Invalid value" and here and col is not None:
        hint = _bare_value_hint(here.path, text.split("\n")[line - 1], col)
    elif message == "Cannot overwrite a value" and here:
        col, first = here.col, keys.find(here.path)  # tomllib points past the value
        message = f"'{_dotted(tuple(str(p) for p in here.path))}' is set twice"
        if first and first.line != line:
            hint = f"it is first set on line {first.line}; keep one of them"
    elif declared := re.match(r"^Cannot declare (\(.*\)) twice$", message):
        parts = tuple(str(p) for p in ast.literal_eval(declared.group(1)))
        first, table = keys.find(parts), _dotted(parts)
        message = f"table [{table}] is declared twice"
        col = here.col if here else col  # tomllib points past the header
        if first and first.line != line:
            hint = f"merge it into the [{table}] on line {first.line}"
    message = f"invalid TOML: {message[:1].lower()}{message[1:]}"
    return Diagnostic(path=path, message=message, line=line, col=col, hint=hint)


def _bare_value_hint(where: KeyPath, line: str, col: int) -> str | None:
    """For `key = some words`: how to write the value the key expects."""
    m = re.match(r"^\s*[^=]+?\s*=\s*(?P<value>.*?)\s*(?:#.*)?$", line)
    if not m or m.start("value") + 1 != col or not isinstance(where[-1], str):
        return None  # the error is not at the start of the value: no safe advice
    entry: Key | Table | None = SCHEMA
    for part in where:
        entry = (
            next((e for e in entry.entries if e.name == part), None)
            if isinstance(entry, Table)
            else None
        )
    name, value = where[-1], m.group("value")
    if isinstance(entry, Key) and entry.kind is BOOLEAN:
        return f"write true or false, in lower case: {name} = {entry.example}"
    if isinstance(entry, Key) and entry.kind is INTEGER:
        return f"write a whole number: {name} = {entry.example}"
    if isinstance(entry, Key) and entry.kind is STRINGS:
        return f"write an array of quoted strings: {name} = {entry.example}"
    if isinstance(entry, Key) and entry.kind.named:
        return f"write a table: {name} = {entry.example}"
    return f"quote text values: {name} = {_show(value)}"
