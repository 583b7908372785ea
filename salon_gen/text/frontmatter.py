"""Front matter: split a Markdown file into its metadata and body, safely.

Owns YAML (`---`, closed by `---` or `...`) and TOML (`+++`) front matter, Pelican's
`Key: value` metadata header, the line of every top-level key (so later stages can point at
it), and date parsing. Top-level keys are case-insensitive (`Title:` is `title:`, as Hugo and
Pelican read them): `data` and `key_lines` hold them lowercased.

YAML is read with a safe loader that constructs no objects and leaves timestamps as text,
so that we parse dates ourselves and can say *which* date is impossible and where. Must not
touch the disk or know what a note is.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from types import MappingProxyType
from typing import Any, Literal

import yaml

from salon_gen.core.errors import Diagnostic
from salon_gen.core.numbers import (
    TOO_BIG,
    TOO_BIG_HINT,
    is_long_number,
    number_line,
    too_big_number,
)

try:  # the C loader is ~4x faster; fall back when PyYAML was built without libyaml
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe YAML without implicit timestamps: dates stay strings for `parse_datetime`."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


class _SpanLoader(yaml.SafeLoader):
    """The pure-Python safe loader, for `layout`: its marks are character offsets in the
    text it was given (libyaml's need not be)."""


Format = Literal["yaml", "toml", "pelican", "none"]
_YAML_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
# Pelican (Python-Markdown's meta extension): `Key: value` lines up to the first blank line,
# indented lines continuing the value. Recognised only when the file's first line is one of
# the keys Pelican itself defines, so a note that starts "Note: ..." stays prose.
_PELICAN_LINE = re.compile(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]?(.*)$")
_PELICAN_FIRST = frozenset(
    {
        "title",
        "date",
        "modified",
        "tags",
        "category",
        "slug",
        "author",
        "authors",
        "summary",
        "lang",
        "status",
        "template",
        "save_as",
        "url",
        "translation",
    }
)
_TOML_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*=")
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class FrontMatter:
    """A file's metadata and body. `body_line` is the 1-based line where the body starts."""

    data: Mapping[str, Any]
    body: str
    body_line: int
    format: Format
    key_lines: Mapping[str, int]  # top-level key -> 1-based line in the file

    def line_of(self, key: str) -> int:
        """The line of `key`, or of the front matter's first line when the key is absent."""
        return self.key_lines.get(key.lower(), 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """Where a YAML value is written in the text `layout` read: `text[start:end]`, on the
    0-based `line` of that text. `style` is the scalar's (None plain, `'`, `"`, `|`, `>`) or
    the collection's (`[`/`{` flow, `-`/`:` block); `value` is a scalar's text as read."""

    start: int
    end: int
    line: int
    style: str | None
    value: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """A top-level key of YAML front matter as written: its key, its value and, when the
    value is a list, each item."""

    key: Span
    value: Span
    items: tuple[Span, ...] = ()


def _span(node: yaml.Node) -> Span:
    if isinstance(node, yaml.ScalarNode):
        style, value = node.style, str(node.value)
    elif isinstance(node, yaml.SequenceNode):
        style, value = ("[" if node.flow_style else "-"), None
    else:
        style, value = ("{" if getattr(node, "flow_style", False) else ":"), None
    return Span(
        start=node.start_mark.index,
        end=node.end_mark.index,
        line=node.start_mark.line,
        style=style,
        value=value,
    )


def layout(head: str) -> Mapping[str, Field]:
    """Where each top-level key (lowercased) of the YAML text `head` (the lines between the
    fences) is written, for edits that change only one value and diagnostics that point at
    one list item. Empty when `head` is not a readable YAML mapping. Slower than `split`'s
    loader: for edits and warnings, not for every build."""
    try:
        root = yaml.compose(head, Loader=_SpanLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    fields: dict[str, Field] = {}
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        items: tuple[Span, ...] = ()
        if isinstance(value, yaml.SequenceNode):
            items = tuple(_span(item) for item in value.value)
        fields.setdefault(
            str(key.value).lower(), Field(key=_span(key), value=_span(value), items=items)
        )
    return MappingProxyType(fields)


def split(text: str, path: str) -> tuple[FrontMatter | None, tuple[Diagnostic, ...]]:
    """Split `text` into front matter and body; report malformed metadata with its line."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0].rstrip()  # `--- ` with trailing spaces opens one too
    for fence, fmt in (("---", "yaml"), ("+++", "toml")):
        if first == fence:
            return _split_fenced(text, path, fence, fmt)  # type: ignore[arg-type]
    if (m := _PELICAN_LINE.match(first)) and m.group(1).lower() in _PELICAN_FIRST:
        return _split_pelican(text, path)
    return FrontMatter(
        data=MappingProxyType({}), body=text, body_line=1, format="none", key_lines={}
    ), ()


def _split_pelican(text: str, path: str) -> tuple[FrontMatter | None, tuple[Diagnostic, ...]]:
    """Pelican's header: every value is text (lists are comma strings, as Pelican reads them)."""
    lines = text.split("\n")
    data: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    diags: list[Diagnostic] = []
    last: str | None = None
    end = len(lines)
    for i, line in enumerate(lines):
        if not line.strip():
            end = i
            break
        if last is not None and line[:1] in (" ", "\t"):
            data[last] = (data[last] + " " + line.strip()).strip()
            continue
        m = _PELICAN_LINE.match(line)
        if m is None:
            end = i  # the body starts without a blank line: Python-Markdown stops here too
            break
        key = m.group(1).lower()
        if key in data:
            diags.append(_twice(path, i + 1, m.group(1), key_lines[key]))
        data[key] = m.group(2).strip()
        key_lines.setdefault(key, i + 1)
        last = key
    skip = 1 if end < len(lines) and not lines[end].strip() else 0
    body = "\n".join(lines[end + skip :])
    if diags:
        return None, tuple(diags)
    return FrontMatter(
        data=MappingProxyType(data),
        body=body,
        body_line=end + skip + 1,
        format="pelican",
        key_lines=MappingProxyType(key_lines),
    ), ()


def _twice(path: str, line: int, key: str, first: int) -> Diagnostic:
    return Diagnostic(
        path=path,
        line=line,
        message=f"front-matter key '{key}' is given twice "
        f"(keys ignore case; first on line {first})",
        hint="keep one of them",
    )


def _split_fenced(
    text: str, path: str, fence: str, fmt: Format
) -> tuple[FrontMatter | None, tuple[Diagnostic, ...]]:
    lines = text.split("\n")
    closers = (fence, "...") if fmt == "yaml" else (fence,)  # YAML's document end marker too
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        return None, (
            Diagnostic(
                path=path,
                line=1,
                message=f"front matter opened with '{fence}' is never closed",
                hint=f"add a line with just '{fence}' after the metadata",
            ),
        )
    head = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    key_rx = _YAML_KEY if fmt == "yaml" else _TOML_KEY
    key_lines: dict[str, int] = {}
    for i, text_line in enumerate(lines[1:end], start=2):
        if m := key_rx.match(text_line):
            key_lines.setdefault(m.group(1).lower(), i)

    data: Any
    if fmt == "yaml":
        try:
            data, refused = _load_yaml(head)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            yline = mark.line + 2 if mark is not None else 1
            ycol = mark.column + 1 if mark is not None else None
            problem = e.problem or e.context or "invalid YAML"
            hint = None
            if "could not determine a constructor" in problem:
                problem = "YAML tags that construct objects are not allowed in front matter"
            elif "mapping values are not allowed" in problem:
                hint = "quote text that contains ': ', e.g. title: \"Why: a question\""
            return None, (
                Diagnostic(
                    path=path, line=yline, col=ycol, message=f"malformed YAML: {problem}", hint=hint
                ),
            )
        except yaml.YAMLError as e:
            return None, (Diagnostic(path=path, line=1, message=f"malformed YAML: {e}"),)
        if refused is not None:
            return None, (refused.diagnostic(path),)
    else:
        try:
            data = tomllib.loads(head)
            if (big := too_big_number(data)) is not None:
                raise ValueError(big)
        except ValueError as e:
            if not isinstance(e, tomllib.TOMLDecodeError):  # int-string limit, or too_big_number
                nline, ncol = number_line(lines[1:end], 2)
                return None, (
                    Diagnostic(path=path, line=nline, col=ncol, message=TOO_BIG, hint=TOO_BIG_HINT),
                )
            msg = str(e)
            line = 1
            col: int | None = None
            if m := _TOML_POS.search(msg):
                line, col = int(m.group(1)) + 1, int(m.group(2))
                msg = msg[: m.start()]
            elif msg.endswith(" (at end of document)"):
                line, msg = end, msg.removesuffix(" (at end of document)")
            return None, (
                Diagnostic(path=path, line=line, col=col, message=f"malformed TOML: {msg}"),
            )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, (
            Diagnostic(
                path=path,
                line=2,
                message="front matter must be a mapping of keys to values",
                hint="write one 'key: value' per line",
            ),
        )
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        return None, (
            Diagnostic(path=path, line=2, message=f"front-matter key {bad[0]!r} is not text"),
        )
    folded: dict[str, Any] = {}
    for key, value in data.items():
        low = key.lower()
        if low in folded:
            return None, (_twice(path, _line_of_key(lines[1:end], key), key, key_lines[low]),)
        folded[low] = value
    return FrontMatter(
        data=MappingProxyType(folded),
        body=body,
        body_line=end + 2,
        format=fmt,
        key_lines=MappingProxyType(key_lines),
    ), ()


# Aliases let a few lines of YAML stand for a value too large to walk ("billion laughs": nine
# aliases of nine aliases of ...). PyYAML builds it cheaply, sharing the lists, but every
# stage after it that walks the value would walk all of it. Past this many values, and more
# than the text spells out, the front matter is refused (Go's yaml.v3, which Hugo reads with,
# refuses excessive aliasing too).
MAX_YAML_VALUES = 100_000
_INT_TAG = "tag:yaml.org,2002:int"


@dataclass(frozen=True, slots=True)
class _YamlProblem:
    line: int  # in the front matter's text, 0-based (the file's line is line + 2)
    col: int | None
    message: str
    hint: str | None

    def diagnostic(self, path: str) -> Diagnostic:
        return Diagnostic(
            path=path, line=self.line + 2, col=self.col, message=self.message, hint=self.hint
        )


def _load_yaml(head: str) -> tuple[Any, _YamlProblem | None]:
    """The value of the YAML text `head`, or the problem that keeps it from being built:
    the nodes are checked before any Python value is made from them."""
    loader = _Loader(head)  # a SafeLoader: no tags that construct objects
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        problem = _check_nodes(node)
        if problem is not None:
            return None, problem
        return loader.construct_document(node), None
    finally:
        loader.dispose()


def _check_nodes(root: yaml.Node) -> _YamlProblem | None:
    """Refuse integers too long to read, aliases that contain themselves, and aliases that
    expand to more than MAX_YAML_VALUES values: one walk over the distinct nodes, counting
    each node's expanded size once (so the walk is as long as the text, never the expansion)."""
    sizes: dict[int, int] = {}  # id(node) -> values it stands for, once it is done
    open_: set[int] = set()  # nodes whose children are being walked
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_.discard(key)
            size = 1 + sum(sizes[id(c)] for c in _children(node))
            sizes[key] = size
            if size > MAX_YAML_VALUES and size > len(sizes):
                return _YamlProblem(
                    node.start_mark.line,
                    node.start_mark.column + 1,
                    f"YAML aliases here expand to more than {MAX_YAML_VALUES:,} values",
                    "write the values out, without '&' anchors and '*' aliases",
                )
            continue
        if key in sizes:
            continue  # an alias of a node already counted
        if key in open_:
            return _YamlProblem(
                node.start_mark.line,
                node.start_mark.column + 1,
                "a YAML alias refers to a value that contains it",
                "remove the '*' alias, or point it at another anchor",
            )
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _INT_TAG and is_long_number(node.value):
                return _YamlProblem(
                    node.start_mark.line, node.start_mark.column + 1, TOO_BIG, TOO_BIG_HINT
                )
            sizes[key] = 1
            continue
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(_children(node)))
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _line_of_key(head: list[str], key: str) -> int:
    """The line (in the file) of the last top-level line that sets exactly `key`."""
    found = 2
    for i, line in enumerate(head, start=2):
        if line.startswith(key) and line[len(key) :].lstrip()[:1] in (":", "="):
            found = i
    return found


# Dates as blogs write them beyond ISO 8601's own forms: Jekyll's "2014-01-27 21:12:00 -0800",
# "2019/03/05", a trailing "UTC" or "Z".
_LOOSE_DATE = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


def _loose_datetime(text: str) -> datetime | None:
    """A date in one of the forms `_LOOSE_DATE` knows; None when it is none of them.
    ValueError when the form is right but the date is impossible."""
    m = _LOOSE_DATE.match(text)
    if m is None:
        return None
    year, month, day, hour, minute, second, frac, zone = m.groups()
    moment = datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        int((frac or "0").ljust(6, "0")),
    )
    if zone is None:
        return moment
    if zone.upper() in ("Z", "UTC", "GMT"):
        return moment.replace(tzinfo=UTC)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if offset >= timedelta(hours=24):
        raise ValueError(f"offset {zone} is out of range")
    return moment.replace(tzinfo=timezone(sign * offset))


_MARGIN = timedelta(days=1)
_FIRST_DAY, _LAST_DAY = "0001-01-04", "9999-12-28"  # in any zone, with the margin


def parse_datetime(value: object, zone: tzinfo) -> datetime:
    """A front-matter date or datetime as an aware UTC datetime.

    Accepts `2026-03-05`, `2026-03-05 14:30`, `2026-03-05T14:30:00+01:00`, `...Z`, and the
    date/datetime values TOML produces. A value without a zone is read in `zone`; a date
    alone means midnight there. Raises ValueError with a message fit for a diagnostic.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10 and text[4] == "-":
                moment = datetime.combine(date.fromisoformat(text), time())
            else:
                try:
                    moment = datetime.fromisoformat(text)
                except ValueError:
                    loose = _loose_datetime(text)
                    if loose is None:
                        raise
                    moment = loose
        except ValueError as e:
            reason = str(e)
            if "out of range" in reason or "must be in" in reason:
                raise ValueError(f"impossible date '{text}': {reason}") from None
            raise ValueError(f"cannot read '{text}' as a date") from None
    else:
        raise ValueError(f"expected a date, got {type(value).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        # Shown in the salon's zone, stored in UTC: both must exist. 9999-12-31T23:59-05:00
        # is past the last moment a datetime holds once in UTC; 0001-01-01T00:00+05:00 before
        # the first. Also a day's margin either side, for what is computed from a date (the
        # day after, the week around it) in any zone.
        utc = moment.astimezone(UTC)
        (utc + _MARGIN).astimezone(zone)
        (utc - _MARGIN).astimezone(zone)
    except OverflowError:
        shown = value if isinstance(value, str) else moment.isoformat()
        raise ValueError(
            f"'{str(shown).strip()}' is out of range: salon reads dates from "
            f"{_FIRST_DAY} to {_LAST_DAY}"
        ) from None
    return utc
