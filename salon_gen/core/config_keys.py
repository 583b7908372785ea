"""Where a key was written in salon.toml: `locate_keys` scans the text, since tomllib reports no
positions for values.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass

from salon_gen.core.config_schema import BARE_KEY

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
        elif m := BARE_KEY.match(text, i):
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
