"""The values an import produces: `Item` (one file to write), `Asset` (one file to copy),
`Harvest` (everything one source gave, with its diagnostics) and `SiteFolder` (a site's
files, read once, so the readers stay pure).

Must not touch the disk: `folder.read_folder` builds a `SiteFolder`, `plan` writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from salon_gen.core.errors import Diagnostic

ItemKind = Literal["note", "page", "share"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One salon file to write: a note (a post), a page or a share (a bookmark)."""

    kind: ItemKind
    origin: str  # where it came from, for reports: a path in the site or "export.xml:12"
    stem: str  # the new file's name without ".md" ("2019-03-05-hello"; a bundle: its slug)
    slug: str  # the salon slug: the note lives at notes/<slug>/
    title: str | None
    body: str  # salon Markdown (raw HTML allowed)
    date: datetime | None = None  # aware; required for notes and shares
    updated: datetime | None = None
    tags: tuple[str, ...] = ()
    summary: str | None = None
    link: str | None = None  # shares: the bookmarked URL
    old_url: str | None = None  # the old permalink, site-relative without a leading "/"
    aliases: tuple[str, ...] = ()  # further old URLs (Hugo aliases, Jekyll redirect_from)
    entry_id: str | None = None  # the old feed's id for this post (see feedids)
    draft: bool = False
    private: bool = False
    publish_date: datetime | None = None
    expiry_date: datetime | None = None
    nav: bool | None = None  # pages: False keeps it out of the navigation
    bundle: bool = False  # written as content/notes/<slug>/index.md, its assets beside it


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    """A file a post uses, copied into the salon."""

    source: Path  # absolute path of the file in the old site
    dest: str  # salon-relative destination ("content/static/img/x.png")


@dataclass(frozen=True, slots=True, kw_only=True)
class Harvest:
    """What one source gave: files to write, files to copy, and what to tell the owner."""

    kind: str  # "jekyll", "hugo", "pelican", "wordpress", "bookmarks"
    items: tuple[Item, ...] = ()
    assets: tuple[Asset, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = ()  # plain lines for the report ("3 comments not imported")
    skipped: int = 0  # items left out on purpose (duplicates, trash, bookmarklets)


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteFolder:
    """A site's files: every relative path (forward slashes) and the text of the text ones."""

    root: Path
    paths: frozenset[str]
    texts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def has(self, path: str) -> bool:
        return path in self.paths
