"""From a `Harvest` to files in the salon: `plan` decides every file to write and every file
left alone (it exists already: an import never replaces a file, so importing twice writes
nothing new; a bookmark whose link is already shared is a duplicate), `render_item` writes
an item as salon Markdown with lowercase front matter, and `apply` writes the plan.

`plan` and `render_item` only read; `apply` is the one place an import writes.
"""

from __future__ import annotations

import dataclasses
import posixpath
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from salon_gen.content.assemble import RESERVED
from salon_gen.content.redirects import alias_output
from salon_gen.core.errors import Diagnostic
from salon_gen.core.urls import slug_from_filename
from salon_gen.importing.item import Asset, Harvest, Item
from salon_gen.importing.sites import FOLDERS, new_path
from salon_gen.text.frontmatter import parse_datetime, split
from salon_gen.writing.share import url_key, verify_front_matter, yaml_list, yaml_text


@dataclass(frozen=True, slots=True, kw_only=True)
class Write:
    path: str  # salon-relative
    text: str | None = None  # an item's file
    source: Path | None = None  # an asset's original
    origin: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportPlan:
    writes: tuple[Write, ...]
    existing: tuple[str, ...]  # salon-relative paths left alone because they exist
    duplicates: tuple[str, ...]  # links already shared in the salon


def _date_text(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        text = f"{local:%Y-%m-%d}"
    elif local.second == 0:
        text = f"{local:%Y-%m-%d %H:%M}"
    else:
        text = f"{local:%Y-%m-%d %H:%M:%S}"
    if parse_datetime(text, zone) != moment.astimezone(UTC):
        text = local.isoformat()
    return text


def render_item(item: Item, zone: tzinfo) -> str:
    """`item` as a salon file; ValueError if its front matter would not read back."""
    data: dict[str, Any] = {}
    lines: list[str] = []

    def put(key: str, value: Any, text: str) -> None:
        data[key.lower()] = value  # keys are read case-insensitively: publishDate
        lines.append(f"{key}: {text}")

    if item.title:
        put("title", item.title, yaml_text(item.title))
    if item.link:
        put("link", item.link, yaml_text(item.link))
    for key, moment in (
        ("date", item.date),
        ("updated", item.updated),
        ("publishDate", item.publish_date),
        ("expiryDate", item.expiry_date),
    ):
        if moment is not None:
            text = _date_text(moment, zone)
            put(key, text, yaml_text(text) if "+" in text or "T" in text else text)
    if not item.bundle and slug_from_filename(item.stem) != item.slug:
        put("slug", item.slug, yaml_text(item.slug))
    if item.tags:
        put("tags", list(item.tags), yaml_list(item.tags))
    if item.summary:
        put("summary", item.summary, yaml_text(item.summary))
    if item.entry_id:
        put("id", item.entry_id, yaml_text(item.entry_id))
    url = own_url(item)
    aliases = tuple(dict.fromkeys(a for a in (item.old_url, *item.aliases) if a and a != url))
    if aliases:
        put("aliases", list(aliases), yaml_list(aliases))
    if item.draft:
        put("draft", True, "true")
    if item.private:
        put("private", True, "true")
    if item.nav is False:
        put("nav", False, "false")
    body = item.body.strip("\n")
    text = "---\n" + "\n".join(lines) + "\n---\n" + (body + "\n" if body.strip() else "")
    verify_front_matter(text, data)
    return text


def own_url(item: Item) -> str:
    """The site-relative URL salon gives `item`."""
    return f"{item.slug}/" if item.kind == "page" else f"{FOLDERS[item.kind][8:]}/{item.slug}/"


def not_found_page(item: Item) -> bool:
    """The old site's own "page not found" page: salon makes its own 404.html."""
    return item.kind == "page" and (item.slug == "404" or item.old_url == "404.html")


def unique_aliases(items: Sequence[Item]) -> tuple[tuple[Item, ...], tuple[Diagnostic, ...]]:
    """`items` with every old URL kept by one item only (the first to name it) and none that
    is another item's new URL: two redirects cannot live at one address, and salon refuses
    to build such a site. Each old URL dropped is reported on the item that loses it."""
    own = {alias_output(own_url(i)): i.origin for i in items}
    claimed: dict[str, str] = {}
    out: list[Item] = []
    diags: list[Diagnostic] = []
    for item in items:
        url = own_url(item)
        kept: list[str | None] = []
        for alias in (item.old_url, *item.aliases):
            if not alias or alias == url:
                kept.append(alias)
                continue
            out_path = alias_output(alias)
            first, _, rest = out_path.partition("/")
            if first in RESERVED and not (first in ("notes", "shares") and rest != "index.html"):
                diags.append(
                    Diagnostic(
                        path=item.origin,
                        severity="warning",
                        message=f"old URL /{alias} is a path salon keeps for its own pages; "
                        "no redirect for it",
                    )
                )
                kept.append(None)
                continue
            other = claimed.get(out_path) or (
                own[out_path] if own.get(out_path, item.origin) != item.origin else None
            )
            if other is not None and other != item.origin:
                diags.append(
                    Diagnostic(
                        path=item.origin,
                        severity="warning",
                        message=f"old URL /{alias} is also the old URL or page of {other}; "
                        "no redirect for it from here",
                        hint="two pages cannot have one address: the first one keeps it",
                    )
                )
                kept.append(None)
                continue
            claimed.setdefault(out_path, item.origin)
            kept.append(alias)
        aliases = tuple(a for a in kept[1:] if a)
        out.append(dataclasses.replace(item, old_url=kept[0], aliases=aliases))
    return tuple(out), tuple(diags)


def _shared_links(root: Path) -> set[str]:
    links: set[str] = set()
    folder = root / "content" / "shares"
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        try:
            fm, _ = split(path.read_text(encoding="utf-8"), path.name)
        except (OSError, UnicodeDecodeError):
            continue
        if fm is not None and isinstance(link := fm.data.get("link"), str):
            links.add(url_key(link.strip()))
    return links


def _taken(root: Path, kind: str) -> set[str]:
    """The slugs (hence URLs) the salon's files of a kind already have."""
    taken: set[str] = set()
    folder = root / FOLDERS[kind]
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        stem = path.parent.name if path.name == "index.md" else path.stem
        taken.add(slug_from_filename(stem))
        try:
            fm, _ = split(path.read_text(encoding="utf-8"), path.name)
        except (OSError, UnicodeDecodeError):
            continue
        if fm is not None and isinstance(explicit := fm.data.get("slug"), str):
            taken.add(explicit.strip())
    return taken


def _free(item: Item, taken: set[str]) -> Item:
    """`item` with a slug no file of the salon has (`x-2`...); a share's file is renamed."""
    if item.slug not in taken:
        return item
    n = 2
    while f"{item.slug}-{n}" in taken:
        n += 1
    slug = f"{item.slug}-{n}"
    stem = f"{item.stem}-{n}" if item.kind == "share" else item.stem
    return dataclasses.replace(item, slug=slug, stem=slug if item.bundle else stem)


def plan(root: Path, harvest: Harvest, zone: tzinfo) -> ImportPlan:
    """What `apply` would write for `harvest` into the salon at `root`. Reads the salon."""
    writes: list[Write] = []
    existing: list[str] = []
    duplicates: list[str] = []
    shared = _shared_links(root)
    planned: set[str] = set()
    taken = {kind: _taken(root, kind) for kind in FOLDERS}
    for item in harvest.items:
        if item.kind == "share" and item.link and url_key(item.link) in shared:
            duplicates.append(item.link)
            continue
        path = new_path(item)
        # A post's file is where the last import put it: there, it is not new. A share is
        # new when its link is (two bookmarks may share a title and a day).
        if item.kind != "share" and ((root / path).exists() or path in planned):
            existing.append(path)
            continue
        item = _free(item, taken[item.kind])
        path = new_path(item)
        taken[item.kind].add(item.slug)
        planned.add(path)
        writes.append(Write(path=path, text=render_item(item, zone), origin=item.origin))
    for asset in harvest.assets:
        if (root / asset.dest).exists() or asset.dest in planned:
            if not _same(root / asset.dest, asset):
                existing.append(asset.dest)
            continue
        planned.add(asset.dest)
        writes.append(Write(path=asset.dest, source=asset.source))
    return ImportPlan(writes=tuple(writes), existing=tuple(existing), duplicates=tuple(duplicates))


def _same(path: Path, asset: Asset) -> bool:
    try:
        return path.is_file() and path.read_bytes() == asset.source.read_bytes()
    except OSError:
        return False


def apply(root: Path, plan: ImportPlan) -> list[str]:
    """Write every file of `plan`, each only if it does not exist (never replaced)."""
    done: list[str] = []
    for write in plan.writes:
        target = root / write.path
        if not posixpath.normpath(write.path).startswith("content/"):
            raise ValueError(f"refusing to write {write.path} outside content/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if write.text is not None:
            with target.open("x", encoding="utf-8", newline="\n") as f:
                f.write(write.text)
        elif write.source is not None:
            with write.source.open("rb") as src, target.open("xb") as dst:
                shutil.copyfileobj(src, dst)
        done.append(write.path)
    return done
