"""A Jekyll site folder, read into a `Harvest`: `_posts/` (and `_drafts/`) become notes,
Markdown pages with front matter become pages, the files they use are copied.

Pure over a `SiteFolder`. Owns Jekyll's rules: the date and title in a post's file name,
`published: false`, categories from front matter and from folders above `_posts`, and
permalinks (`/:categories/:year/:month/:day/:title:output_ext` unless `permalink:` in
`_config.yml` or the post says otherwise), which become `aliases` so old links still work.
"""

from __future__ import annotations

import dataclasses
import functools
import posixpath
import re
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

from salon_gen.core.errors import Diagnostic
from salon_gen.core.urls import slugify
from salon_gen.importing import convert, fallback, kramdown
from salon_gen.importing.dates import first_date, read_date
from salon_gen.importing.item import Harvest, Item, SiteFolder
from salon_gen.importing.sites import (
    Linker,
    Post,
    convert_post,
    is_false,
    is_true,
    posts_by_source,
    site_path,
    text_of,
    unique_slugs,
    words,
)
from salon_gen.importing.zones import zone_named
from salon_gen.text.frontmatter import split

_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_POST_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".html")
_PAGE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
_LOOPS = re.compile(r"\{%-?\s*(?:for|tablerow)\s|\bpaginator\.")
_LAYOUT = re.compile(r"^layout:", re.M | re.I)
_DOCUMENT = re.compile(r"<!doctype|<html[\s>]|<body[\s>]", re.I)


def is_jekyll(site: SiteFolder) -> bool:
    return any(p in site.paths for p in ("_config.yml", "_config.yaml", "_config.toml")) or any(
        p.startswith("_posts/") for p in site.paths
    )


def read_config(site: SiteFolder) -> tuple[dict[str, Any], tuple[Diagnostic, ...]]:
    for name in ("_config.yml", "_config.yaml"):
        if name in site.texts:
            fm, diags = split("---\n" + site.texts[name] + "\n---\n", name)
            if fm is None:
                return {}, tuple(dataclasses.replace(d, line=(d.line or 2) - 1) for d in diags)
            return dict(fm.data), ()
    return {}, ()


def permalink(
    pattern: str,
    *,
    date: datetime | None,
    zone: tzinfo,
    categories: tuple[str, ...],
    title: str,
    slug: str,
    ext: str = ".html",
) -> str:
    """A post's URL by Jekyll's placeholders, without the leading slash."""
    pattern = STYLES.get(pattern, pattern)
    values = {
        "categories": "/".join(c.replace(" ", "-") for c in categories),
        "title": title,
        "slug": slug,
        "output_ext": ext,
        "name": title,
    }
    if date is not None:
        local = date.astimezone(zone)
        values |= {
            "year": f"{local:%Y}",
            "month": f"{local:%m}",
            "day": f"{local:%d}",
            "i_month": str(local.month),
            "i_day": str(local.day),
            "short_year": f"{local:%y}",
            "hour": f"{local:%H}",
            "minute": f"{local:%M}",
            "second": f"{local:%S}",
            "y_day": f"{local:%j}",
            "week": f"{local:%V}",
            "short_day": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[local.weekday()],
        }
    out = re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    out = re.sub(r"/{2,}", "/", out)
    return out.lstrip("/")


def _url_title(raw: str) -> str:
    """Jekyll's `:title`: the file name's title part as written, case kept ("pretty" slug
    mode: unsafe characters become hyphens)."""
    return re.sub(r"[^\w.~!$&'()+,;=@-]+", "-", raw).strip("-")


def _titled(slug: str) -> str:
    return " ".join(w.capitalize() for w in slug.replace("_", "-").split("-") if w)


def _post(
    site: SiteFolder,
    path: str,
    config: dict[str, Any],
    zone: tzinfo,
    now: datetime,
    diags: list[Diagnostic],
) -> Post | None:
    fm, found = split(site.texts[path], path)
    diags.extend(found)
    if fm is None:
        return None
    data, lines = dict(fm.data), fm.key_lines
    parts = path.split("/")
    drafted = parts[0] == "_drafts"
    stem = posixpath.splitext(parts[-1])[0]
    name = _NAME.match(stem)
    date = read_date(data["date"], zone) if data.get("date") is not None else None
    if data.get("date") is not None and date is None:
        diags.append(
            Diagnostic(
                path=path,
                line=lines.get("date"),
                severity="warning",
                message=f"cannot read date '{data['date']}'; using the file name's",
            )
        )
    if date is None and name:
        date = read_date("-".join(name.groups()[:3]), zone)
    if date is None:
        diags.append(
            Diagnostic(
                path=path, line=1, severity="warning", message="no date: given the import's date"
            )
        )
        date = now
    file_slug = slugify(name.group(4) if name else stem)
    slug = slugify(text_of(data.get("slug")) or "") or file_slug
    categories = words(data.get("categories"), spaces=True) + words(data.get("category"))
    if "_posts" in parts:
        folder_cats = tuple(c.lower() for c in parts[: parts.index("_posts")])
        categories = tuple(dict.fromkeys(folder_cats + categories))
    tags = tuple(dict.fromkeys(words(data.get("tags"), spaces=True) + categories))
    old_url = None
    if not drafted:
        pattern = text_of(data.get("permalink")) or text_of(config.get("permalink")) or "date"
        old_url = site_path(
            "/"
            + permalink(
                pattern,
                date=date,
                zone=zone,
                categories=categories,
                title=_url_title(name.group(4) if name else stem) if not data.get("slug") else slug,
                slug=slug,
            )
        )
    redirects = data.get("redirect_from")
    aliases = tuple(a for a in (site_path(str(r)) for r in _listed(redirects)) if a)
    if not name and not drafted:
        stem = f"{date.astimezone(zone):%Y-%m-%d}-{stem}"
    item = Item(
        kind="note",
        origin=path,
        stem=stem if name or not drafted else slug,
        slug=slug,
        title=text_of(data.get("title")) or _titled(file_slug),
        body=fm.body,
        date=date,
        updated=first_date(data, ("last_modified_at", "updated", "modified"), zone),
        tags=tags,
        summary=text_of(data.get("excerpt")) or text_of(data.get("description")),
        old_url=old_url,
        aliases=aliases,
        draft=drafted or is_false(data.get("published")) or is_true(data.get("draft")),
        private=is_true(data.get("private")),
    )
    return Post(source=path, item=item, body_line=fm.body_line)


def _listed(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _page(
    site: SiteFolder, path: str, config: dict[str, Any], diags: list[Diagnostic]
) -> Post | None:
    text = site.texts[path]
    if not (text.startswith("---\n") or text.startswith("---\r\n")):
        return None  # Jekyll copies files without front matter as they are: not a page
    fm, found = split(text, path)
    diags.extend(found)
    if fm is None:
        return None
    data = dict(fm.data)
    stem = posixpath.splitext(path)[0]
    slug = slugify(text_of(data.get("slug")) or stem.rsplit("/", 1)[-1])
    if not slug or slug == "index":
        return None
    written = text_of(data.get("permalink"))
    old = site_path(written) if written else site_path(stem + ".html")
    if written is None and text_of(config.get("permalink")) == "pretty":
        old = site_path(stem + "/")
    item = Item(
        kind="page",
        origin=path,
        stem=slug,
        slug=slug,
        title=text_of(data.get("title")) or _titled(slug),
        body=fm.body,
        old_url=old,
        aliases=tuple(
            a for a in (site_path(str(r)) for r in _listed(data.get("redirect_from"))) if a
        ),
        draft=is_false(data.get("published")) or is_true(data.get("draft")),
    )
    return Post(source=path, item=item, body_line=fm.body_line)


def _has_text(text: str) -> bool:
    """Whether a page has words of its own below its front matter."""
    fm, _ = split(text, "")
    return fm is None or bool(fm.body.strip())


def read_jekyll(site: SiteFolder, now: datetime) -> Harvest:
    config, config_diags = read_config(site)
    diags: list[Diagnostic] = list(config_diags)
    zone = zone_named(text_of(config.get("timezone")))
    posts: list[Post] = []
    pages: list[Post] = []
    skipped_html: list[str] = []
    for path in sorted(site.texts):
        parts = path.split("/")
        if ("_posts" in parts or parts[0] == "_drafts") and path.endswith(_POST_SUFFIXES):
            if any(p.startswith("_") and p not in ("_posts", "_drafts") for p in parts[:-1]):
                continue
            if (post := _post(site, path, config, zone, now, diags)) is not None:
                posts.append(post)
        elif not any(p.startswith((".", "_")) for p in parts) and path.endswith(_PAGE_SUFFIXES):
            if parts[-1].lower() in ("readme.md", "license.md", "changelog.md"):
                continue
            if _LOOPS.search(site.texts[path]) or not _has_text(site.texts[path]):
                # a list of posts made by Liquid, or a page its layout makes whole (a tag's
                # page): salon makes its own lists and interest pages
                skipped_html.append(path)
            elif (page := _page(site, path, config, diags)) is not None:
                pages.append(page)
        elif (
            path.endswith(".html")
            and not any(p.startswith((".", "_")) for p in parts)
            and site.texts[path].startswith("---")
        ):
            text = site.texts[path]
            # A page written in HTML (`layout: page`, then a fragment) is a page; a whole
            # document or a Liquid loop is a template.
            if (
                _LAYOUT.search(text[:2000])
                and not _DOCUMENT.search(text)
                and not _LOOPS.search(text)
                and (page := _page(site, path, config, diags)) is not None
            ):
                pages.append(page)
            else:
                skipped_html.append(path)
    posts.sort(key=lambda p: (p.item.date or now, p.source))
    every = unique_slugs(posts) + unique_slugs(pages)
    host = urlsplit(text_of(config.get("url")) or "").hostname
    if host is None and "CNAME" in site.texts:  # GitHub Pages: the site's own domain
        host = next(iter(site.texts["CNAME"].split()), None)
    base = "/" + (text_of(config.get("baseurl")) or "").strip("/") + "/"
    linker = Linker(
        site=site, posts=posts_by_source(every), host=host, base_path=base.replace("//", "/")
    )

    def resolve_for(post: Post) -> convert.Resolve:
        def resolve(kind: str, target: str, line: int) -> str | None:
            target = target.strip("'\"")
            if kind == "post":
                for other in every:
                    stem = posixpath.splitext(other.source)[0]
                    if other.item.kind == "note" and (
                        stem.endswith("/" + target) or stem == target
                    ):
                        return linker.link_to(post, other, line)
                return None
            found = posixpath.normpath(target.lstrip("/"))
            if found in linker.posts:
                return linker.link_to(post, linker.posts[found], line)
            if site.has(found):
                return linker.asset(post, found)
            return None

        return resolve

    includes = {
        p[len("_includes/") :]: t for p, t in site.texts.items() if p.startswith("_includes/")
    }
    items: list[Item] = []
    for post in every:
        resolve = resolve_for(post)
        item, found = convert_post(
            post,
            linker,
            (
                fallback.wordpress_code,  # Markdown that jekyll-import took from WordPress
                functools.partial(convert.liquid, resolve=resolve),
                convert.kramdown,
                kramdown.inline_html_lines,
                functools.partial(fallback.liquid, includes=includes),
            ),
        )
        items.append(item)
        diags.extend(found)
    diags.extend(linker.diags)
    notes = []
    if skipped_html:
        notes.append(
            f"{len(skipped_html)} page(s) not imported "
            "(templates, lists of posts, pages their layout makes): " + ", ".join(skipped_html)
        )
    return Harvest(
        kind="jekyll",
        items=tuple(items),
        assets=tuple(sorted(linker.assets.values(), key=lambda a: a.dest)),
        diagnostics=tuple(diags),
        notes=tuple(notes),
    )
