"""Reading one file's front matter field by field: `Fields`.

Pure. Owns the shapes a value may take (text, a flag, a list of words, a date) and the
diagnostic, at the key's line, when it takes another. Must not know what the keys mean:
that is `notes` and `publication`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from types import MappingProxyType
from typing import Any

from salon_gen.core.errors import Diagnostic, did_you_mean
from salon_gen.text.frontmatter import FrontMatter, parse_datetime


@dataclass(slots=True)
class Fields:
    """Typed values out of one file's front matter; each problem a diagnostic at its key's line."""

    path: str
    fm: FrontMatter
    diags: list[Diagnostic]

    def error(self, key: str | None, message: str, hint: str | None = None) -> None:
        line = self.fm.line_of(key) if key else 1
        self.diags.append(Diagnostic(path=self.path, line=line, message=message, hint=hint))

    def warn(self, key: str, message: str, hint: str | None = None) -> None:
        self.diags.append(
            Diagnostic(
                path=self.path,
                line=self.fm.line_of(key),
                severity="warning",
                message=message,
                hint=hint,
            )
        )

    def text(self, key: str) -> str | None:
        value = self.fm.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, f"{key}: expected text, got {kind_of(value)}")
            return None
        return str(value).strip()

    def flag(self, key: str, default: bool) -> bool:
        value = self.fm.data.get(key, default)
        if isinstance(value, str) and value.strip().lower() in TRUTH:
            return TRUTH[value.strip().lower()]  # Pelican headers are all text
        if not isinstance(value, bool):
            self.error(key, f"{key}: expected true or false, got {shown(value)}")
            return default
        return value

    def first(self, key: str, *synonyms: str) -> str:
        """`key`, or the first of `synonyms` the file has; `key` when it has none."""
        for name in (key, *synonyms):
            if self.fm.data.get(name) is not None:
                return name
        return key

    def words(self, key: str, spaces: bool = False) -> tuple[str, ...]:
        """A list of short strings; a single comma-separated string is accepted too, and
        with `spaces` a string without commas is split on spaces (Jekyll's `tags: a b`)."""
        value = self.fm.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            sep = None if spaces and "," not in value else ","
            value = [v for v in value.split(sep) if v.strip()]
        if not isinstance(value, list) or not all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in value
        ):
            self.error(
                key,
                f"{key}: expected a list of text, got {kind_of(value)}",
                hint=f"{key}: [first, second]",
            )
            return ()
        seen: dict[str, None] = {}
        for v in value:
            seen.setdefault(str(v).strip(), None)
        return tuple(v for v in seen if v)

    def when(self, key: str, zone: tzinfo, required: bool) -> datetime | None:
        if key not in self.fm.data or self.fm.data[key] is None:
            if required:
                self.error(None, f"missing required '{key}'", hint=f"add: {key}: 2026-03-05")
            return None
        try:
            return parse_datetime(self.fm.data[key], zone)
        except ValueError as e:
            self.error(key, f"{key}: {e}", hint="write dates as 2026-03-05 or 2026-03-05 14:30")
            return None

    def check_unknown(self, known: frozenset[str], foreign: frozenset[str]) -> dict[str, Any]:
        """Keys not in `known`, kept for templates; a near miss of a known key (unless it is
        one of the `foreign` keys other tools write) is a warning with a hint."""
        extra: dict[str, Any] = {}
        for key in self.fm.data:
            if key in known:
                continue
            extra[key] = self.fm.data[key]
            if key not in foreign and (hint := did_you_mean(key, known)):
                self.warn(key, f"unknown key '{key}' is kept for templates", hint=hint)
        return extra


TRUTH = MappingProxyType(
    {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
)


def kind_of(value: object) -> str:
    names = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }
    return names.get(type(value), type(value).__name__)


def shown(value: object) -> str:
    """A value as a diagnostic quotes it: text in quotes, anything else by its kind."""
    return f"'{value}'" if isinstance(value, str) else kind_of(value)
