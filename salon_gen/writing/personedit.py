"""Editing person files: the one way salon changes a file the owner wrote, and writes new ones.

Owns the edits salon makes to a person file: a feed's URL replaced in `feeds:` (`salon feeds
--fix`), one entry added to a log under `private:` (`salon checkin`, `salon introduced`), and
the new files `salon follow` and `salon import` write. An edit touches only the value it
changes: every other byte (comments, key order, quoting, blank lines, the body, line ends, a
BOM) stays. Each new text must read back, with the build's own loader, as the old data with
just that change and the same body, or it is an `EditRefused` that says what to write by
hand instead; so is whatever salon cannot edit safely (TOML front matter, a `private:` or
log in flow style, mixed line ends).

Pure but for `write_text` (replaces one file atomically, refusing if it changed since it was
read) and `write_person` (creates a new file, never replaces one). Reading is `personfile`'s.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from salon_gen.content import personfile
from salon_gen.core.urls import is_http_url
from salon_gen.text import frontmatter
from salon_gen.writing.share import collapse, verify_front_matter, yaml_list, yaml_text

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PRIVATE = re.compile(r"^private\s*:(.*)$")
# A YAML comment in the front matter: it guides the owner and is never published.
PLACEHOLDER = "# Who they are, in a sentence or two: write it below the closing ---."


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


def _fenced(text: str, key: str) -> tuple[str, str, list[str], int]:
    """`text` (a person file) as its BOM, its line end, its lines and the index of the line
    closing its YAML front matter; EditRefused for a file salon does not edit."""
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
            hint=f"change {key} by hand",
        )
    lines = body.split(newline)
    if not lines or lines[0].rstrip() != "---":
        raise EditRefused("the file has no YAML front matter (it must start with ---)")
    # YAML's document end `...` closes front matter too, as the build reads it
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise EditRefused("the front matter is never closed with ---")
    return bom, newline, lines, end


def _read(text: str) -> frontmatter.FrontMatter:
    pf = personfile.parse("person", text)
    if pf.front is None:
        raise EditRefused(pf.problems[0].message if pf.problems else "unreadable front matter")
    return pf.front


def _check(new_text: str, old: frontmatter.FrontMatter, expected: Mapping[str, Any]) -> bool:
    """Whether `new_text` reads back (as the build reads it) as exactly `expected` with
    `old`'s body."""
    new = personfile.parse("person", new_text).front
    return new is not None and dict(new.data) == dict(expected) and new.body == old.body


def append_entry(text: str, key: str, entry: Mapping[str, str]) -> str:
    """`text` (a person file) with `entry` added to the log `private.<key>`. EditRefused
    when that cannot be done safely; the result always reads back as intended."""
    try:
        bom, newline, lines, end = _fenced(text, f"[private] {key}")
    except EditRefused as e:
        if e.message.startswith("the front matter is TOML"):
            raise EditRefused(e.message, hint=f"add to [private] by hand: {key} = [...]") from None
        raise
    old = _read(text)
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
    if not _check(new_text, old, expected):
        raise EditRefused(
            "salon could not add the entry without changing something else in the file",
            hint=f"add it by hand under private: {key}:\n    - {entry_text(entry)}",
        )
    return new_text


def replace_feed(text: str, old_url: str, new_url: str) -> str:
    """`text` (a person file) with the feed `old_url` replaced by `new_url` in `feeds:`,
    and nothing else: not the site's `url:`, not the description, not a longer feed URL
    that starts with `old_url`. Only the characters of that one value change (a list item,
    or its part of a `feeds: a, b` text); with `new_url` equal to `old_url`, not even
    those. EditRefused when `feeds:` does not list `old_url` or the edit cannot be made
    safely."""
    bom, newline, lines, end = _fenced(text, "feeds:")
    old = _read(text)
    lf = "\n".join(lines)
    offset = len(lines[0]) + 1  # the front matter's text starts on the line after ---
    head = "\n".join(lines[1:end])
    field = frontmatter.layout(head).get("feeds")
    hint = f"replace {old_url} with {new_url} under feeds: by hand"
    if field is None:
        raise EditRefused("the file has no feeds:", hint=hint)
    spans: list[tuple[int, int, str]] = []
    same = old_url == new_url  # a no-op: each value stays as written, quotes and all
    for item in field.items:
        if item.value is not None and item.value.strip() == old_url:
            written = head[item.start : item.end] if same else _quoted_as(item.style, new_url)
            spans.append((item.start, item.end, written))
    value = old.data.get("feeds")
    expected_feeds: Any = value
    if isinstance(value, list) and not same:
        expected_feeds = [
            new_url if isinstance(v, str) and v.strip() == old_url else v for v in value
        ]
    elif isinstance(value, str) and old_url in (p.strip() for p in value.split(",")):
        parts = value.split(",")
        expected_feeds = ",".join(
            p.replace(old_url, new_url) if p.strip() == old_url else p for p in parts
        )
        written = head[field.value.start : field.value.end]
        if not same:
            # a plain one-line scalar is written as it reads: change just that part of it
            plain = field.value.style is None and written == value
            written = expected_feeds if plain else _quoted_as(field.value.style, expected_feeds)
        spans.append((field.value.start, field.value.end, written))
    if not spans:
        raise EditRefused(f"feeds: does not list {old_url}", hint=hint)
    for start, stop, written in sorted(spans, reverse=True):
        lf = lf[: offset + start] + written + lf[offset + stop :]
    new_text = bom + lf.replace("\n", newline)
    expected = {**old.data, "feeds": expected_feeds}
    if not _check(new_text, old, expected):
        raise EditRefused(
            "salon could not replace the feed without changing something else in the file",
            hint=hint,
        )
    return new_text


def _quoted_as(style: str | None, value: str) -> str:
    """`value` as YAML, in the quotes the value it replaces was written in (the owner's
    choice), else as `yaml_text` writes it (plain when that is safe)."""
    if value.isprintable() and style == "'":
        return "'" + value.replace("'", "''") + "'"
    if value.isprintable() and style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return yaml_text(value)


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


# --- new files (`salon follow`, `salon import`) ---------------------------------------------


def clean_interests(interests: Iterable[str]) -> tuple[str, ...]:
    """Interests as `notes.parse_person` reads them: lowercase, trimmed, once each."""
    return tuple(dict.fromkeys(i for i in (collapse(x).lower() for x in interests) if i))


# Characters that mean something in Markdown or HTML, escaped in text taken from a feed: it
# becomes the person's public description, and must read as the text it was.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&{}#])")
_LINE_START_SPECIAL = re.compile(r"^([-+=>]|\d+[.)])")


def markdown_text(text: str) -> str:
    """Plain text as Markdown that renders to exactly that text, on one line."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", collapse(text))
    return _LINE_START_SPECIAL.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped)


def render_person_file(
    *,
    name: str,
    url: str | None,
    feeds: Sequence[str],
    interests: Iterable[str] = (),
    about: str = "",
) -> str:
    """A person file whose front matter `notes.parse_person` reads back to these values
    (name with whitespace collapsed, interests lowercased, each feed once), with `about`
    (plain text: what their feed says of itself) as their public description, or none: a
    YAML comment, never published, says where one goes. Never writes `private:`.
    ValueError for a value the file could not hold: an empty name, a URL or feed that is
    not http(s)."""
    name = collapse(name)
    if not name:
        raise ValueError("a person needs a name")
    data: dict[str, Any] = {"name": name}
    lines = [f"name: {yaml_text(name)}"]
    if url is not None:
        if not is_http_url(url.strip()):
            raise ValueError(f"url {url!r} is not an http or https URL")
        data["url"] = url.strip()
        lines.append(f"url: {yaml_text(data['url'])}")
    unique = tuple(dict.fromkeys(f.strip() for f in feeds))
    for feed in unique:
        if not is_http_url(feed):
            raise ValueError(f"feed {feed!r} is not an http or https URL")
    if unique:
        data["feeds"] = list(unique)
        lines.append(f"feeds: {yaml_list(unique)}")
    if cleaned := clean_interests(interests):
        data["interests"] = list(cleaned)
        lines.append(f"interests: {yaml_list(cleaned)}")
    lines.append(PLACEHOLDER)
    body = markdown_text(about)
    text = "---\n" + "\n".join(lines) + "\n---\n" + (body + "\n" if body else "")
    verify_front_matter(text, data)
    return text


def _people_dir(root: Path) -> Path:
    return root / "content" / "people"


_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def write_person(root: Path, person_id: str, text: str) -> Path:
    """Write `content/people/<person_id>.md`; FileExistsError rather than replace a file,
    ValueError for an id that is not `[a-z0-9-]+`."""
    if not _ID.fullmatch(person_id):
        raise ValueError(f"person id {person_id!r} must be lowercase letters, digits, hyphens")
    folder = _people_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{person_id}.md"
    with path.open("x", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return path
