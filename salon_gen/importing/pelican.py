"""A Pelican site folder, read into a `Harvest`: articles become notes, `pages/` pages,
files under `STATIC_PATHS` that posts use are copied.

Pure over a `SiteFolder`. Owns Pelican's rules: the `Key: value` metadata header, `Status:
draft|hidden|skip`, the slug from the title, categories from folders, `{filename}`,
`{static}` and `{attach}` links, and `ARTICLE_URL`/`PAGE_URL` (defaults `{slug}.html` and
`pages/{slug}.html`). `pelicanconf.py` is read with `ast`, never executed: only plain
`NAME = "literal"` assignments count. reStructuredText posts are reported, not converted.
"""

from __future__ import annotations

import ast
import functools
import posixpath
import re
import string
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

from salon_gen.core.errors import Diagnostic
from salon_gen.core.urls import slugify
from salon_gen.importing import convert, fallback, liquidtags
from salon_gen.importing.dates import read_date
from salon_gen.importing.item import Harvest, Item, ItemKind, SiteFolder
from salon_gen.importing.sites import (
    Linker,
    Post,
    convert_post,
    posts_by_source,
    site_path,
    text_of,
    unique_slugs,
    words,
)
from salon_gen.importing.zones import zone_named
from salon_gen.text.frontmatter import split

_HEADER = re.compile(r"^([A-Za-z][\w-]*)\s*:\s?(.*)$")
_MARKDOWN = (".md", ".markdown", ".mdown", ".mkd")
DEFAULTS: dict[str, Any] = {
    "PATH": "content",
    "ARTICLE_URL": "{slug}.html",
    "PAGE_URL": "pages/{slug}.html",
    "PAGE_PATHS": ["pages"],
    "STATIC_PATHS": ["images"],
    "DEFAULT_CATEGORY": "misc",
    "USE_FOLDER_AS_CATEGORY": True,
    "TIMEZONE": "UTC",
    "SITEURL": "",
}


def is_pelican(site: SiteFolder) -> bool:
    return "pelicanconf.py" in site.paths


def read_settings(source: str) -> dict[str, Any]:
    """The literal settings of a `pelicanconf.py` (`NAME = 'text'`, lists, numbers)."""
    settings = dict(DEFAULTS)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return settings
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id.isupper():
                try:
                    settings[target.id] = ast.literal_eval(node.value)
                except (ValueError, SyntaxError, TypeError):
                    continue
    return settings


def split_header(text: str) -> tuple[dict[str, str], dict[str, int], str, int]:
    """Pelican's Markdown metadata: `Key: value` lines up to the first blank line (indented
    lines continue a value). Returns the keys (lowercase), their lines, the body, its line."""
    lines = text.removeprefix("\ufeff").split("\n")
    data: dict[str, str] = {}
    where: dict[str, int] = {}
    last: str | None = None
    i = 0
    for i, line in enumerate(lines):
        if not line.strip():
            break
        if last and line.startswith(("    ", "\t")):
            data[last] += " " + line.strip()
            continue
        m = _HEADER.match(line)
        if not m:
            return {}, {}, text, 1
        last = m.group(1).lower()
        data[last] = m.group(2).strip()
        where[last] = i + 1
    else:
        i = len(lines)
    return data, where, "\n".join(lines[i + 1 :]), i + 2


def _url(pattern: str, values: dict[str, Any]) -> str | None:
    try:
        return string.Formatter().vformat(pattern, (), values)
    except (KeyError, ValueError, AttributeError, IndexError):
        return None


def _read(
    site: SiteFolder,
    path: str,
    settings: dict[str, Any],
    zone: tzinfo,
    now: datetime,
    diags: list[Diagnostic],
) -> Post | None:
    root = settings["PATH"].strip("/")
    rel = path[len(root) + 1 :]
    text = site.texts[path]
    if text.startswith("---"):
        fm, found = split(text, path)
        diags.extend(found)
        if fm is None:
            return None
        data, lines = dict(fm.data), fm.key_lines
        body, body_line = fm.body, fm.body_line
    else:
        data, lines, body, body_line = split_header(text)
    if not data.get("title"):
        diags.append(
            Diagnostic(
                path=path, line=1, severity="warning", message="no 'Title:' header; not imported"
            )
        )
        return None
    page_paths = [p.strip("/") for p in settings.get("PAGE_PATHS") or ["pages"]]
    kind: ItemKind = "page" if any(rel.startswith(p + "/") for p in page_paths) else "note"
    title = text_of(data["title"]) or ""
    slug = slugify(text_of(data.get("slug")) or title) or "untitled"
    status = (text_of(data.get("status")) or "published").lower()
    if status == "skip":
        return None
    date = read_date(data["date"], zone) if data.get("date") else None
    if kind == "note" and date is None:
        diags.append(
            Diagnostic(
                path=path,
                line=lines.get("date", 1),
                severity="warning",
                message="no readable 'Date:'; given the import's date",
            )
        )
        date = now
    folder = rel.split("/")[0] if "/" in rel else None
    category = text_of(data.get("category")) or (
        folder
        if folder and settings.get("USE_FOLDER_AS_CATEGORY")
        else settings["DEFAULT_CATEGORY"]
    )
    values: dict[str, Any] = {
        "slug": slug,
        "date": date.astimezone(zone) if date else date,  # the URL has the site's day
        "category": slugify(category or ""),
        "lang": text_of(data.get("lang")) or "en",
        "author": slugify(text_of(data.get("author")) or ""),
    }
    written = text_of(data.get("url")) or text_of(data.get("save_as"))
    pattern = settings["PAGE_URL"] if kind == "page" else settings["ARTICLE_URL"]
    old = site_path("/" + (written or _url(str(pattern), values) or ""))
    tags = words(data.get("tags")) + words(category) if kind == "note" else ()
    hidden = status == "hidden"
    if hidden and kind == "note":
        diags.append(
            Diagnostic(
                path=path,
                line=lines.get("status"),
                severity="warning",
                message="Status: hidden (published but not listed): imported as a draft",
            )
        )
    stem = f"{date.astimezone(zone):%Y-%m-%d}-{slug}" if date and kind == "note" else slug
    item = Item(
        kind=kind,
        origin=path,
        stem=stem,
        slug=slug,
        title=title,
        body=body,
        date=date if kind == "note" else None,
        updated=read_date(data["modified"], zone) if data.get("modified") else None,
        tags=tuple(dict.fromkeys(tags)),
        summary=text_of(data.get("summary")),
        old_url=old,
        draft=status == "draft" or (hidden and kind == "note"),
        nav=False if hidden and kind == "page" else None,
    )
    return Post(source=path, item=item, body_line=body_line)


def read_pelican(site: SiteFolder, now: datetime) -> Harvest:
    settings = read_settings(site.texts.get("pelicanconf.py", ""))
    zone = zone_named(text_of(settings.get("TIMEZONE")))
    root = str(settings["PATH"]).strip("/") or "content"
    diags: list[Diagnostic] = []
    posts: list[Post] = []
    for path in sorted(site.texts):
        if not path.startswith(root + "/"):
            continue
        if path.endswith(".rst"):
            diags.append(
                Diagnostic(
                    path=path,
                    line=1,
                    severity="warning",
                    message="reStructuredText is not converted; not imported",
                    hint="convert it to Markdown (pandoc -f rst -t gfm) and import again",
                )
            )
            continue
        if path.endswith(_MARKDOWN) and (post := _read(site, path, settings, zone, now, diags)):
            posts.append(post)
    posts.sort(key=lambda p: (p.item.kind, p.item.date or now, p.source))
    every = unique_slugs(posts)
    site_url = urlsplit(str(settings.get("SITEURL") or ""))
    linker = Linker(
        site=site,
        posts=posts_by_source(every),
        static_prefix=root + "/",
        host=site_url.hostname,
        base_path=(site_url.path or "/").rstrip("/") + "/",
    )

    def resolve_for(post: Post) -> convert.Resolve:
        def resolve(kind: str, target: str, line: int) -> str | None:
            clean, _, fragment = target.partition("#")
            clean = clean.split("?", 1)[0]  # `{static}x.png?w=300`: the file is x.png
            if clean.startswith(f"/{root}/") and not site.has(posixpath.normpath(root + clean)):
                found = clean.lstrip("/")  # `{filename}/content/x.md`: the content folder named
            elif clean.startswith("/"):
                found = posixpath.normpath(root + clean)
            else:
                found = posixpath.normpath(posixpath.join(posixpath.dirname(post.source), clean))
            found = found if site.has(found) else linker.by_folded.get(found.lower(), found)
            if found in linker.posts:
                return linker.link_to(post, linker.posts[found], line, fragment)
            if site.has(found):
                return linker.asset(post, found)
            return None

        return resolve

    tag_settings = {
        k: str(settings[k])
        for k in ("NOTEBOOK_DIR", "CODE_DIR")
        if isinstance(settings.get(k), str)
    }
    items: list[Item] = []
    for post in every:
        resolve = resolve_for(post)
        item, found = convert_post(
            post,
            linker,
            (
                fallback.wordpress_code,  # Markdown that pelican-import took from WordPress
                functools.partial(liquidtags.liquid_tags, settings=tag_settings),
                functools.partial(convert.pelican_links, resolve=resolve),
                functools.partial(fallback.liquid, includes={}),
            ),
        )
        items.append(item)
        diags.extend(found)
    diags.extend(linker.diags)
    return Harvest(
        kind="pelican",
        items=tuple(items),
        assets=tuple(sorted(linker.assets.values(), key=lambda a: a.dest)),
        diagnostics=tuple(diags),
    )
