"""The schema's vocabulary: a key's `Kind`, the `Key` and `Table` rows, the `Problem` a check
returns, and how TOML writes a key or a string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

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


BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(name: str) -> str:
    """A key as TOML would write it: bare when it can be, else quoted."""
    return name if BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def show_value(value: str) -> str:
    """A string value as TOML would write it (JSON escapes are valid TOML escapes)."""
    return json.dumps(value if len(value) <= 80 else value[:77] + "...", ensure_ascii=False)
