"""A WordPress export (WXR, an RSS 2.0 file with `wp:` elements), read into a `Harvest`:
posts become notes, pages become pages, `content:encoded` HTML is kept as the body.

Pure: bytes in. Owns WXR's rules: `wp:status` (draft and pending: drafts; private:
private; trash and auto-draft: left out), `wp:post_type`, `post_date_gmt`, `<link>` as the
old URL, categories and tags. Attachments are listed, never downloaded (an import does not
touch the network). The XML is read safely: a `<!DOCTYPE>` or `<!ENTITY>` is refused before
ElementTree sees the file, so no entity is expanded and nothing external is fetched.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.parsers import expat

from salon_gen.core.errors import Diagnostic
from salon_gen.core.urls import slugify
from salon_gen.importing import convert
from salon_gen.importing.dates import read_date
from salon_gen.importing.item import Harvest, Item, SiteFolder
from salon_gen.importing.sites import Linker, Post, convert_post, site_path, unique_slugs
from salon_gen.text.sanitize import plain_text


class WxrError(ValueError):
    """The file cannot be read as a WordPress export; `message` says why."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def is_wxr(head: bytes) -> bool:
    return b"<rss" in head and b"wordpress.org/export" in head


def _scan(data: bytes) -> list[tuple[int, int]]:
    """Refuse DTDs and entities; the line of each <item> and of its content:encoded."""
    check = expat.ParserCreate(namespace_separator=" ")
    lines: list[tuple[int, int]] = []

    def refuse(*_: object) -> None:
        raise WxrError(
            "refused to read an export that declares a <!DOCTYPE> or <!ENTITY>",
            hint="WordPress writes neither; export the file again",
        )

    def start(name: str, _: object) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "item":
            lines.append((check.CurrentLineNumber, check.CurrentLineNumber))
        elif local == "encoded" and "purl.org/rss/1.0/modules/content" in name and lines:
            lines[-1] = (lines[-1][0], check.CurrentLineNumber)

    check.StartDoctypeDeclHandler = refuse
    check.EntityDeclHandler = refuse
    check.UnparsedEntityDeclHandler = refuse
    check.StartElementHandler = start
    try:
        check.Parse(data, True)
    except expat.ExpatError as e:
        raise WxrError(f"not well-formed XML: {e}") from None
    return lines


def _fields(item: ET.Element) -> tuple[dict[str, str], list[tuple[str, str]], int]:
    fields: dict[str, str] = {}
    terms: list[tuple[str, str]] = []
    comments = 0
    for child in item:
        tag = child.tag if isinstance(child.tag, str) else ""
        ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if "purl.org/rss/1.0/modules/content" in ns:
            local = "content"
        elif "/excerpt/" in ns:
            local = "excerpt"
        if local == "category":
            terms.append((child.get("domain", "category"), (child.text or "").strip()))
        elif local == "comment":
            comments += 1
        else:
            fields.setdefault(local, child.text or "")
    return fields, terms, comments


def _date(fields: dict[str, str]) -> datetime | None:
    gmt = fields.get("post_date_gmt", "").strip()
    if gmt and not gmt.startswith("0000"):
        return read_date(gmt, UTC)
    local = fields.get("post_date", "").strip()
    if local and not local.startswith("0000"):
        return read_date(local, UTC)
    return read_date(fields.get("pubDate", ""), UTC)


def read_wxr(data: bytes, name: str, now: datetime) -> Harvest:
    """Every post and page of a WXR file (`name` is how diagnostics call the file)."""
    lines = _scan(data)
    root = ET.fromstring(data)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise WxrError(f"not a WordPress export: the document is <{root.tag}>")
    base = urlsplit((channel.findtext("link") or "").strip())
    posts: list[Post] = []
    attachments: list[str] = []
    comments = 0
    left_out: dict[str, int] = {}
    diags: list[Diagnostic] = []
    for n, element in enumerate(channel.findall("item")):
        fields, terms, count = _fields(element)
        item_line, body_line = lines[n] if n < len(lines) else (None, None)
        kind = fields.get("post_type", "post").strip()
        status = fields.get("status", "publish").strip()
        if kind == "attachment":
            if url := fields.get("attachment_url", "").strip():
                attachments.append(url)
            continue
        if kind not in ("post", "page") or status in ("trash", "auto-draft", "inherit"):
            left_out[f"{kind} ({status})"] = left_out.get(f"{kind} ({status})", 0) + 1
            continue
        comments += count
        title = plain_text(fields.get("title", "")).strip() or "Untitled"
        slug = slugify(unquote(fields.get("post_name", "").strip())) or slugify(title) or "untitled"
        date = _date(fields)
        if date is None:
            diags.append(
                Diagnostic(
                    path=name,
                    line=item_line,
                    severity="warning",
                    message=f"'{title}' has no date: given the import's date",
                )
            )
            date = now
        note = kind == "post"
        tags = tuple(
            dict.fromkeys(
                t.lower()
                for domain, t in terms
                if domain in ("category", "post_tag")
                and slugify(t)
                and t.lower() != "uncategorized"
            )
        )
        excerpt = plain_text(fields.get("excerpt", "")).strip()
        link = fields.get("link", "").strip()
        item = Item(
            kind="note" if note else "page",
            origin=f"{name}:{item_line}",
            stem=f"{date:%Y-%m-%d}-{slug}" if note else slug,
            slug=slug,
            title=title,
            body=fields.get("content", ""),
            date=date if note else None,
            tags=tags if note else (),
            summary=" ".join(excerpt.split()) or None,
            old_url=site_path(link) if link else None,
            draft=status in ("draft", "pending"),
            private=status == "private",
        )
        posts.append(Post(source=f"wxr:{n}", item=item, body_line=body_line or 1, report_as=name))
    posts.sort(key=lambda p: (p.item.kind, p.item.date or now, p.source))
    every = unique_slugs(posts)
    nowhere = SiteFolder(root=Path("."), paths=frozenset())
    linker = Linker(
        site=nowhere,
        posts={p.source: p for p in every},
        host=base.hostname,
        base_path=(base.path or "/").rstrip("/") + "/",
        warn_missing=False,
    )
    items: list[Item] = []
    for post in every:
        item, found = convert_post(post, linker, (convert.wordpress, _leftover_shortcodes))
        items.append(dataclasses.replace(item, body=item.body.strip("\n") + "\n"))
        diags.extend(found)
    diags.extend(linker.diags)
    notes: list[str] = []
    if attachments:
        notes.append(f"{len(attachments)} attachment(s) not downloaded (still at their old URLs):")
        notes.extend(f"  {url}" for url in attachments)
    if comments:
        notes.append(f"{comments} comment(s) not imported")
    for what, count in sorted(left_out.items()):
        notes.append(f"{count} {what} item(s) left out")
    return Harvest(
        kind="wordpress",
        items=tuple(items),
        diagnostics=tuple(diags),
        notes=tuple(notes),
        skipped=sum(left_out.values()),
    )


def _leftover_shortcodes(body: convert.Body) -> None:
    convert.wordpress_leftovers(body)
