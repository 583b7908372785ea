"""A Hugo site folder, read into a `Harvest`: pages in sections (`content/posts/...`)
become notes, pages at the top of `content/` become pages, page bundles stay bundles with
their files beside them, and files from `static/` that posts use are copied.

Pure over a `SiteFolder`. Owns Hugo's rules: TOML or YAML front matter and config,
`draft`, `publishDate`, `expiryDate`, `aliases`, `url`, and permalinks (`/<section>/<slug>/`
unless `[permalinks]` in the config says otherwise).
"""

from __future__ import annotations

import contextlib
import functools
import json
import posixpath
import re
import tomllib
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

from salon_gen.core.errors import Diagnostic
from salon_gen.core.urls import slug_from_filename, slugify
from salon_gen.importing import convert, fallback
from salon_gen.importing.dates import first_date
from salon_gen.importing.item import Harvest, Item, ItemKind, SiteFolder
from salon_gen.importing.sites import (
    MARKUP,
    Linker,
    Post,
    convert_post,
    is_true,
    posts_by_source,
    site_path,
    text_of,
    unique_slugs,
    words,
)
from salon_gen.importing.zones import zone_named
from salon_gen.text.frontmatter import split

CONFIGS = tuple(
    f"{folder}{name}.{ext}"
    for folder in ("", "config/_default/")
    for name in ("hugo", "config")
    for ext in ("toml", "yaml", "yml", "json")
)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")  # fmt: skip
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}-")
_CONTENT = (".md", ".markdown", ".mdown", ".mkd", ".html")


def is_hugo(site: SiteFolder) -> bool:
    return any(c in site.paths for c in CONFIGS) and (
        any(p.startswith(("content/", "archetypes/")) for p in site.paths)
    )


def read_config(site: SiteFolder) -> tuple[dict[str, Any], tuple[Diagnostic, ...]]:
    for name in CONFIGS:
        if name not in site.texts:
            continue
        if name.endswith(".toml"):
            try:
                data = tomllib.loads(site.texts[name])
            except tomllib.TOMLDecodeError as e:
                return {}, (
                    Diagnostic(path=name, message=f"malformed TOML: {e}", severity="warning"),
                )
        elif name.endswith(".json"):
            try:
                loaded = json.loads(site.texts[name])
            except json.JSONDecodeError as e:
                return {}, (
                    Diagnostic(path=name, message=f"malformed JSON: {e}", severity="warning"),
                )
            data = loaded if isinstance(loaded, dict) else {}
        else:
            fm, diags = split("---\n" + site.texts[name] + "\n---\n", name)
            if fm is None:
                return {}, diags
            data = dict(fm.data)
        config = {k.lower(): v for k, v in data.items()}
        if name.startswith("config/_default/") and "config/_default/permalinks.toml" in site.texts:
            with contextlib.suppress(tomllib.TOMLDecodeError):
                config["permalinks"] = tomllib.loads(site.texts["config/_default/permalinks.toml"])
        return config, ()
    return {}, ()


def permalink(
    pattern: str,
    *,
    date: datetime | None,
    zone: tzinfo,
    section: str,
    slug: str,
    sections: str = "",
    title: str,
    filename: str,
) -> str:
    """A page's URL by Hugo's permalink tokens, without the leading slash."""
    values = {
        "section": section,
        "sections": sections or section,
        "slug": slug or slugify(title),  # the front matter's slug, else the urlized title
        "title": slugify(title),
        "filename": filename,
        "slugorfilename": slug or filename,
        "contentbasename": filename,
    }
    if date is not None:
        local = date.astimezone(zone)
        values |= {
            "year": f"{local:%Y}",
            "month": f"{local:%m}",
            "day": f"{local:%d}",
            "monthname": _MONTHS[local.month - 1],  # not %B: that follows the locale
            "weekday": str(local.isoweekday() % 7),
            "yearday": str(local.timetuple().tm_yday),
        }
    pattern = re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    return re.sub(r"/{2,}", "/", pattern).lstrip("/")


def _read(
    site: SiteFolder,
    path: str,
    content: str,
    config: dict[str, Any],
    zone: tzinfo,
    now: datetime,
    diags: list[Diagnostic],
) -> Post | None:
    fm, found = split(site.texts[path], path)
    diags.extend(found)
    if fm is None:
        return None
    data = dict(fm.data)
    rel = path[len(content) + 1 :]
    parts = rel.split("/")
    bundle = parts[-1].startswith("index.") and len(parts) > 1
    filename = parts[-2] if bundle else posixpath.splitext(parts[-1])[0]
    kind: ItemKind = "note" if len(parts) > (2 if bundle else 1) else "page"
    section = parts[0] if kind == "note" else ""
    # Where Hugo publishes a page by default: its folders under content/, then its name.
    sections = "/".join(parts[:-2] if bundle else parts[:-1])
    title = text_of(data.get("title")) or filename.replace("-", " ").capitalize()
    # A file named 2019-03-05-x.md is the note x, as salon names notes; its old URL keeps
    # the date (Hugo's default slug is the whole file name).
    slug = slugify(text_of(data.get("slug")) or "") or slug_from_filename(filename)
    date = first_date(data, ("date", "publishdate"), zone)
    if kind == "note" and date is None:
        diags.append(
            Diagnostic(
                path=path, line=1, severity="warning", message="no date: given the import's date"
            )
        )
        date = now
    written = text_of(data.get("url"))
    if written:
        old = site_path(written)
    elif kind == "note":
        patterns = config.get("permalinks") or {}
        pattern = patterns.get(section) if isinstance(patterns, dict) else None
        if not isinstance(pattern, str):
            pattern = (
                f"/{sections}/:slugorfilename.html"
                if config.get("uglyurls")
                else f"/{sections}/:slugorfilename/"
            )
        old = site_path(
            "/"
            + permalink(
                pattern,
                date=date,
                zone=zone,
                section=section,
                sections=sections,
                slug=text_of(data.get("slug")) or "",
                title=title,
                filename=filename,
            )
        )
    else:
        old = site_path(f"/{text_of(data.get('slug')) or filename}/")
    if old and not config.get("disablepathtolower"):
        old = old.lower().replace(" ", "-")  # Hugo lowercases URLs unless told not to
    aliases = data.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    stem = slug
    if kind == "note" and date is not None and not bundle:
        stem = filename if _DATED.match(filename) else f"{date.astimezone(zone):%Y-%m-%d}-{slug}"
    item = Item(
        kind=kind,
        origin=path,
        stem=stem,
        slug=slug,
        title=title,
        body=fm.body,
        date=date if kind == "note" else None,
        updated=first_date(data, ("lastmod",), zone),
        tags=tuple(dict.fromkeys(words(data.get("tags")) + words(data.get("categories")))),
        summary=text_of(data.get("summary")) or text_of(data.get("description")),
        old_url=old,
        aliases=tuple(a for a in (site_path(str(x)) for x in aliases if isinstance(x, str)) if a),
        draft=is_true(data.get("draft")),
        private=is_true(data.get("private")),
        publish_date=first_date(data, ("publishdate",), zone),
        expiry_date=first_date(data, ("expirydate",), zone),
        bundle=bundle and kind == "note",
    )
    return Post(
        source=path,
        item=item,
        body_line=fm.body_line,
        bundle_dir=posixpath.dirname(path) if bundle else None,
    )


def read_hugo(site: SiteFolder, now: datetime) -> Harvest:
    config, config_diags = read_config(site)
    diags: list[Diagnostic] = list(config_diags)
    zone = zone_named(text_of(config.get("timezone")))
    content = (text_of(config.get("contentdir")) or "content").strip("/")
    static = (text_of(config.get("staticdir")) or "static").strip("/") + "/"
    posts: list[Post] = []
    for path in sorted(site.texts):
        if not path.startswith(content + "/") or not path.endswith(_CONTENT):
            continue
        name = path.rsplit("/", 1)[-1]
        if name.startswith("_index."):
            continue
        if (post := _read(site, path, content, config, zone, now, diags)) is not None:
            posts.append(post)
    posts.sort(key=lambda p: (p.item.kind, p.item.date or now, p.source))
    every = unique_slugs(posts)
    base = urlsplit(text_of(config.get("baseurl")) or "")
    linker = Linker(
        site=site,
        posts=posts_by_source(every),
        static_prefix=static,
        also_served=(content + "/",),  # a section's own files are published at their path
        host=base.hostname,
        base_path=(base.path or "/").rstrip("/") + "/",
    )

    def resolve_for(post: Post) -> convert.Resolve:
        def resolve(kind: str, target: str, line: int) -> str | None:
            clean = target.split("#", 1)[0].strip("/")
            here = posixpath.dirname(post.source)
            if kind in ("filename", "static", "attach"):  # left from a move off Pelican
                for found in (posixpath.normpath(f"{here}/{clean}"), f"{content}/{clean}"):
                    if found in linker.posts:
                        return linker.link_to(post, linker.posts[found], line)
                    if site.has(found):
                        return linker.asset(post, found)
                return None
            for candidate in (
                f"{content}/{clean}",
                posixpath.normpath(f"{here}/{clean}"),
                f"{content}/{clean}/index.md",
                f"{content}/{clean}.md",
            ):
                if candidate in linker.posts:
                    return linker.link_to(post, linker.posts[candidate], line)
            # Hugo finds a page by its name alone, in any case: "x", "x.md", "x/index.md".
            steps = clean.lower().split("/")
            if len(steps) > 1 and posixpath.splitext(steps[-1])[0] in ("index", "_index"):
                steps.pop()
            name = posixpath.splitext(steps[-1])[0]
            for other in every:
                parts = other.source.lower().split("/")
                names = (posixpath.splitext(parts[-1])[0], parts[-2] if other.item.bundle else None)
                if name != "index" and name in names:
                    return linker.link_to(post, other, line)
            return None

        return resolve

    items: list[Item] = []
    for post in every:
        resolve = resolve_for(post)
        item, found = convert_post(
            post,
            linker,
            (
                functools.partial(convert.shortcodes, resolve=resolve),
                functools.partial(convert.pelican_links, resolve=resolve),
                convert.site_urls,  # a Jekyll relic
                fallback.shortcodes,  # the site's own shortcodes, last
            ),
        )
        items.append(item)
        diags.extend(found)
    diags.extend(linker.diags)
    # A bundle's other files are published beside its page even when no link names them.
    for post in every:
        if post.bundle_dir:
            for path in sorted(site.paths):
                if path.startswith(post.bundle_dir + "/") and not path.endswith(MARKUP):
                    linker.asset(post, path)
    return Harvest(
        kind="hugo",
        items=tuple(items),
        assets=tuple(sorted(linker.assets.values(), key=lambda a: a.dest)),
        diagnostics=tuple(diags),
    )
