"""Adding an entry to a person's private logs (`checkins`, `introduced`), in their file.

Owns the one edit salon makes to a person file the owner wrote: one line added to the
`private:` block of its YAML front matter (with the `private:` or log key when missing);
every other byte — comments, key order, quoting, the body, line endings — stays. The new
text must read back as the old data plus that one entry before it is written; whatever
salon cannot edit that safely (TOML front matter, a `private:` or log in flow style) is an
`EditRefused` that says what to write by hand instead.

Pure but for `write_text`, which replaces one file atomically.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from salon_gen.text import frontmatter
from salon_gen.writing.share import yaml_text

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PRIVATE = re.compile(r"^private\s*:(.*)$")


class EditRefused(Exception):
    """salon will not edit the file: why, and what to do instead."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def entry_text(entry: Mapping[str, str]) -> str:
    """One log entry as a YAML flow mapping: `{date: 2026-11-22, note: Coffee}`. Days are
    written plain (salon's loader keeps them as text; other tools read a date)."""
    parts = []
    for key, value in entry.items():
        parts.append(f"{key}: {value if _ISO_DAY.match(value) else yaml_text(value)}")
    return "{" + ", ".join(parts) + "}"


def _width(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _insert(lines: list[str], start: int, end: int, key: str, item: str) -> list[str]:
    """The front matter lines `lines` (between the fences, `start`..`end` exclusive) with
    `item` added to the list `key` under `private:`."""
    found = [i for i in range(start, end) if _PRIVATE.match(lines[i])]
    if len(found) > 1:
        raise EditRefused("the front matter has 'private:' twice")
    if not found:
        return [*lines[:end], "private:", f"  {key}:", f"    - {item}", *lines[end:]]
    p = found[0]
    rest = _PRIVATE.match(lines[p]).group(1).strip()  # type: ignore[union-attr]
    if rest and not rest.startswith("#"):
        raise EditRefused(
            "'private:' is written on one line (flow style); salon adds entries only to an "
            "indented block",
            hint="write each key of private: on its own indented line",
        )
    block_end = next((j for j in range(p + 1, end) if lines[j][:1] not in ("", " ", "#")), end)
    block = [j for j in range(p + 1, block_end) if _is_content(lines[j])]
    if any("\t" in lines[j][: _width(lines[j]) + 1] for j in block):
        raise EditRefused("the private: block is indented with tabs", hint="indent with spaces")
    if not block:
        return [*lines[: p + 1], f"  {key}:", f"    - {item}", *lines[p + 1 :]]
    indent = _width(lines[block[0]])
    pad = " " * indent
    key_rx = re.compile(rf"^{pad}{re.escape(key)}\s*:(.*)$")
    k = next((j for j in block if _width(lines[j]) == indent and key_rx.match(lines[j])), None)
    if k is None:
        at = block[-1] + 1
        return [*lines[:at], f"{pad}{key}:", f"{pad}  - {item}", *lines[at:]]
    value = key_rx.match(lines[k]).group(1).strip()  # type: ignore[union-attr]
    replaced = list(lines)
    if value in ("[]", "~", "null") or value.startswith(("[] #", "~ #", "null #")):
        replaced[k] = f"{pad}{key}:"  # an empty log, written inline: now it has an entry
    elif value and not value.startswith("#"):
        raise EditRefused(
            f"'{key}:' is written on one line (flow style); salon adds entries only to a "
            "list with one entry per line",
            hint=f"write it as\n    {key}:\n      - {{...}}",
        )
    items = []
    last = k
    for j in range(k + 1, block_end):
        if not _is_content(lines[j]):
            continue
        width = _width(lines[j])
        if width > indent or (width == indent and lines[j].lstrip().startswith("- ")):
            last = j
            if lines[j].lstrip().startswith("- "):
                items.append(width)
        else:
            break
    width = items[0] if items else indent + 2
    return [*replaced[: last + 1], f"{' ' * width}- {item}", *replaced[last + 1 :]]


def append_entry(text: str, key: str, entry: Mapping[str, str]) -> str:
    """`text` (a person file) with `entry` added to the log `private.<key>`. EditRefused
    when that cannot be done safely; the result always reads back as intended."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text.removeprefix(bom)
    newline = "\r\n" if "\r\n" in body else "\n"
    if newline == "\r\n" and body.count("\r\n") != body.count("\n"):
        raise EditRefused("the file mixes line endings", hint="save it with one kind of line end")
    if "\r" in body.replace("\r\n", ""):
        raise EditRefused("the file has old Mac line endings", hint="save it with LF line ends")
    if body.startswith("+++"):
        raise EditRefused(
            "the front matter is TOML; salon edits YAML front matter only",
            hint=f"add to [private] by hand: {key} = [...]",
        )
    lines = body.split(newline)
    if not lines or lines[0].rstrip() != "---":
        raise EditRefused("the file has no YAML front matter (it must start with ---)")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        raise EditRefused("the front matter is never closed with ---")
    old, problems = frontmatter.split(text.replace("\r\n", "\n"), "person")
    if old is None:
        raise EditRefused(problems[0].message if problems else "unreadable front matter")
    private = old.data.get("private")
    if private is not None and not isinstance(private, dict):
        raise EditRefused("private: is not a mapping of keys to values")
    log = (private or {}).get(key)
    if log is not None and not isinstance(log, list):
        raise EditRefused(f"private.{key} is not a list", hint=f"make {key}: a list of entries")
    new_lines = _insert(lines, 1, end, key, entry_text(entry))
    new_text = bom + newline.join(new_lines)
    expected: dict[str, Any] = copy.deepcopy(dict(old.data))
    kept = expected.setdefault("private", {}) if private is not None else {}
    expected["private"] = kept
    kept[key] = [*(log or []), dict(entry)]
    new, _ = frontmatter.split(new_text.replace("\r\n", "\n"), "person")
    if new is None or dict(new.data) != expected or new.body != old.body:
        raise EditRefused(
            "salon could not add the entry without changing something else in the file",
            hint=f"add it by hand under private: {key}:\n    - {entry_text(entry)}",
        )
    return new_text


def changed_underneath() -> EditRefused:
    return EditRefused(
        "the file changed while salon was editing it (saved in an editor?)",
        hint="nothing was written; run the command again",
    )


def write_text(path: Path, text: str, *, expected: str | None = None) -> None:
    """Replace `path` with `text` atomically (a reader sees the old file or the new one).
    With `expected` (the text the edit was made from), EditRefused if the file no longer
    holds exactly that just before the swap: an editor saved it meanwhile, and replacing
    it would silently drop that save."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        if expected is not None and path.read_bytes() != expected.encode("utf-8"):
            raise changed_underneath()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
