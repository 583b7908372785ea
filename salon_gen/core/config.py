"""salon.toml: the site config, checked against a declarative schema.

Owns `parse_config` (TOML text in, a `Config` and diagnostics out) and the TOML syntax
errors. The schema `SCHEMA` (one row per key: its type, whether it is required, how its value
is checked) is in `config_checks`, its vocabulary in `config_schema`, and `locate_keys`, the
scanner that finds where a key was written (tomllib reports no positions), in `config_keys`.
Defaults live on the model dataclasses: a key left out is simply not passed to them.
Must not read the salon's files or print: the caller reads salon.toml and reports the
diagnostics. (Checking `timezone` does read the time zone database, through zoneinfo.)
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from salon_gen.core.config_checks import SCHEMA
from salon_gen.core.config_keys import KeyMap, KeyPath, locate_keys
from salon_gen.core.config_schema import (
    BOOLEAN,
    INTEGER,
    STRING,
    STRINGS,
    Key,
    Kind,
    Table,
    show_value,
    toml_key,
)
from salon_gen.core.errors import Diagnostic, did_you_mean, sort_key
from salon_gen.core.model import (
    Config,
)
from salon_gen.core.numbers import TOO_BIG, TOO_BIG_HINT, number_line, too_big_number

CONFIG_FILE = "salon.toml"


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


def _dotted(where: tuple[str, ...]) -> str:
    return ".".join(toml_key(p) for p in where)


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
        return f"quote text values: {key.name} = {show_value(shown)}"
    if key.kind is STRINGS and isinstance(value, str):
        return f"use an array: {key.name} = [{show_value(value)}]"
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
            hint = f"'{name}' is a top-level table: write it as [{toml_key(name)}]"
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
    return f"quote text values: {name} = {show_value(value)}"
