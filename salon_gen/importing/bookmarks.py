"""Bookmark exports, read into a `Harvest` of shares: the Netscape bookmark HTML that
browsers, Pocket, Pinboard, Shaarli and linkding write, and Pinboard's JSON.

Pure: bytes in. A bookmark's note (`<DD>`, Pinboard's `extended`) becomes the share's
commentary, as text (a `<` in it is escaped, so a note cannot inject markup); its folders
and tags become tags; `PRIVATE="1"` or `shared: no` make it private; `TOREAD` makes it a
draft (not read yet: not something to recommend). Only http(s) links count: bookmarklets and
`place:` queries are left out. A URL met twice is kept once and counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

from salon_gen.core.urls import is_http_url, slugify
from salon_gen.importing.dates import read_date
from salon_gen.importing.item import Harvest, Item
from salon_gen.text.sanitize import plain_text
from salon_gen.writing.share import share_slug, url_key

# Folders browsers make themselves: not tags.
_ROOT_FOLDERS = frozenset(
    {
        "bookmarks bar",
        "bookmarks toolbar",
        "bookmarks menu",
        "other bookmarks",
        "mobile bookmarks",
        "favorites bar",
        "unsorted bookmarks",
        "imported",
        "bookmarks",
    }
)


def is_netscape(head: bytes) -> bool:
    low = head.lower()
    return b"netscape-bookmark-file" in low or (
        b"<a " in low and (b"add_date" in low or b"time_added" in low)
    )


def is_pinboard(head: bytes) -> bool:
    text = head.lstrip()
    return text.startswith(b"[") and (b'"href"' in text or text.rstrip() in (b"[]", b"["))


@dataclass(slots=True)
class _Mark:
    url: str
    title: str
    added: str
    tags: list[str]
    private: bool
    toread: bool
    line: int
    note: list[str] = field(default_factory=list)


class _Netscape(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[_Mark] = []
        self.folders: list[str | None] = []
        self.pending_folder: str | None = None
        self.heading: list[str] | None = None
        self.heading_root = False
        self.anchor: _Mark | None = None
        self.in_dd = False
        self.last: _Mark | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "h3":
            self.heading, self.in_dd = [], False
            self.heading_root = "personal_toolbar_folder" in a or "unfiled_bookmarks_folder" in a
        elif tag == "dl":
            self.folders.append(self.pending_folder)
            self.pending_folder = None
            self.in_dd = False
        elif tag == "a" and "href" in a:
            tags = [t for t in a.get("tags", "").split(",") if t.strip()]
            self.anchor = _Mark(
                url=a["href"].strip(),
                title="",
                added=a.get("add_date") or a.get("time_added", ""),
                tags=tags,
                private=a.get("private", "0") == "1",
                toread=a.get("toread", "0") == "1",
                line=self.getpos()[0],
            )
            self.in_dd = False
        elif tag == "dd":
            self.in_dd = self.last is not None
        elif tag == "dt":
            self.in_dd = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3" and self.heading is not None:
            name = " ".join("".join(self.heading).split())
            root = self.heading_root or name.lower() in _ROOT_FOLDERS
            self.pending_folder = None if root else name
            self.heading = None
        elif tag == "dl":
            if self.folders:
                self.folders.pop()
            self.in_dd = False
        elif tag == "a" and self.anchor is not None:
            mark = self.anchor
            mark.tags = [f for f in self.folders if f] + mark.tags
            self.marks.append(mark)
            self.last, self.anchor = mark, None

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading.append(data)
        elif self.anchor is not None:
            self.anchor.title += data
        elif self.in_dd and self.last is not None:
            self.last.note.append(data)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _when(added: str) -> datetime | None:
    added = added.strip()
    if added.isdigit():
        seconds = int(added)
        while seconds > 10**11:  # milliseconds (Pocket) or microseconds (Firefox's JSON)
            seconds //= 1000
        return datetime.fromtimestamp(seconds, UTC)
    return read_date(added, UTC) if added else None


def _harvest(marks: list[_Mark], name: str, now: datetime) -> Harvest:
    items: list[Item] = []
    seen: set[str] = set()
    duplicates = 0
    not_http = 0
    for mark in marks:
        if not is_http_url(mark.url):
            not_http += 1
            continue
        key = url_key(mark.url)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        title = " ".join(plain_text(mark.title).split()) or None
        date = _when(mark.added) or now
        slug = share_slug(title or mark.url)
        note = "\n".join(line.strip() for line in "".join(mark.note).strip().splitlines())
        tags = tuple(dict.fromkeys(t.strip().lower() for t in mark.tags if slugify(t.strip())))
        items.append(
            Item(
                kind="share",
                origin=f"{name}:{mark.line}",
                stem=f"{date:%Y-%m-%d}-{slug}",
                slug=slug,
                title=title if title != mark.url else None,
                body=_escape(note) + "\n" if note else "",
                date=date,
                tags=tags,
                link=mark.url,
                private=mark.private,
                draft=mark.toread,
            )
        )
    notes = []
    if duplicates:
        notes.append(f"{duplicates} duplicate bookmark(s) skipped (same URL)")
    if not_http:
        notes.append(f"{not_http} bookmark(s) that are not http(s) links skipped")
    return Harvest(
        kind="bookmarks", items=tuple(items), notes=tuple(notes), skipped=duplicates + not_http
    )


def read_netscape(data: bytes, name: str, now: datetime) -> Harvest:
    parser = _Netscape()
    parser.feed(data.decode("utf-8", errors="replace"))
    parser.close()
    return _harvest(parser.marks, name, now)


class BookmarksError(ValueError):
    pass


def read_pinboard(data: bytes, name: str, now: datetime) -> Harvest:
    """Pinboard's JSON export: `[{"href", "description", "extended", "tags", "time",
    "shared", "toread"}, ...]`; tags are space-separated."""
    try:
        rows = json.loads(data.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as e:
        raise BookmarksError(f"not JSON: {e}") from None
    if not isinstance(rows, list):
        raise BookmarksError("not a Pinboard export: expected a list of bookmarks")
    marks: list[_Mark] = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            continue

        def text(key: str, row: dict[str, object] = row) -> str:
            value = row.get(key)
            return value if isinstance(value, str) else ""

        marks.append(
            _Mark(
                url=text("href").strip(),
                title=text("description"),
                added=text("time"),
                tags=text("tags").split(),
                private=text("shared") == "no",
                toread=text("toread") == "yes",
                line=n,
                note=[text("extended")],
            )
        )
    return _harvest(marks, name, now)
