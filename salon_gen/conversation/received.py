"""Webmentions received: a service's jf2 feed (as webmention.io serves it) made into safe,
checked values.

Pure. Owns `parse_jf2`: every child of a jf2 feed becomes a `Received` with its kind (reply,
like, repost, bookmark, mention, from `wm-property`), the note it mentions, its author and
its content, every text made plain and every HTML sanitized (`sanitize`), every URL http(s).
A mention of a page that is not the owner's, one without a source URL, or one the owner hid
is left out and said why; content longer than `MAX_CONTENT` characters is cut. Assumes its
input is hostile. Must not fetch (`receive` does) nor render.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from salon_gen.text.sanitize import excerpt, plain_text, safe_link, sanitize_html

Kind = Literal["reply", "like", "repost", "bookmark", "mention"]
_KINDS: Mapping[str, Kind] = {
    "in-reply-to": "reply",
    "like-of": "like",
    "repost-of": "repost",
    "bookmark-of": "bookmark",
    "mention-of": "mention",
}
MAX_CONTENT = 5000  # characters of a reply's text; longer is cut, never shown whole
MAX_NAME = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Received:
    kind: Kind
    target: str  # the owner's page it mentions (absolute URL, no fragment)
    source: str  # the page that mentions it
    author_name: str
    author_url: str | None = None
    author_photo: str | None = None
    published: str | None = None  # as the service gave it (ISO 8601), for sorting
    html: str = ""  # sanitized
    text: str = ""  # plain


def parse_jf2(
    body: bytes, base_url: str, hidden: Collection[str] = ()
) -> tuple[tuple[Received, ...], tuple[str, ...]]:
    """The mentions of `body` (a jf2 feed) that target pages under `base_url`, newest
    first, and a sentence for each one left out."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return (), (f"the mentions feed is not JSON ({exc})",)
    children = data.get("children") if isinstance(data, dict) else None
    if not isinstance(children, list):
        return (), ("the mentions feed has no children list (not jf2)",)
    found: dict[tuple[str, str, str], Received] = {}
    skipped: list[str] = []
    for child in children:
        item, why = _one(child, base_url, hidden)
        if item is None:
            skipped.append(why)
        else:
            found.setdefault((item.kind, item.source, item.target), item)
    ordered = sorted(found.values(), key=lambda r: (r.published or "", r.source), reverse=True)
    return tuple(ordered), tuple(skipped)


def _one(child: Any, base_url: str, hidden: Collection[str]) -> tuple[Received | None, str]:
    if not isinstance(child, dict):
        return None, "a mention that is not an object"
    source = safe_link(_str(child.get("wm-source")) or _str(child.get("url")), base_url)
    if source is None:
        return None, "a mention without an http(s) source URL"
    if source in hidden or _str(child.get("url")) in hidden:
        return None, f"hidden by the owner: {source}"
    prop = _str(child.get("wm-property"))
    kind = _KINDS.get(prop or "", "mention")
    raw_target = _str(child.get("wm-target")) or _str(child.get(prop or "mention-of"))
    target = safe_link(raw_target, base_url)
    if target is None or not target.startswith(base_url):
        return None, f"a mention of a page that is not this site's: {raw_target!r}"
    author = _dict(child.get("author"))
    name = plain_text(_str(author.get("name")) or "")[:MAX_NAME]
    content = _dict(child.get("content"))
    html_in = _str(content.get("html")) or ""
    text = plain_text(_str(content.get("text")) or "")
    if len(html_in) > MAX_CONTENT * 4 or len(text) > MAX_CONTENT:
        html_in = ""  # too long to show as written: its text, cut, stands in
        text = excerpt(text or plain_text(_str(content.get("html")) or "")[: MAX_CONTENT * 2], 400)
    return (
        Received(
            kind=kind,
            target=target.split("#", 1)[0],
            source=source,
            author_name=name or (urls_host(source)),
            author_url=safe_link(_str(author.get("url")), source),
            author_photo=safe_link(_str(author.get("photo")), source),
            published=_str(child.get("published")) or _str(child.get("wm-received")),
            html=sanitize_html(html_in, source) if html_in else "",
            text=text,
        ),
        "",
    )


def urls_host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def save(path: Path, mentions: tuple[Received, ...]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    rows = [dataclasses.asdict(m) for m in mentions]
    tmp.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def load(path: Path) -> tuple[Received, ...]:
    """The stored mentions; none when there is no store or it cannot be read."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return tuple(Received(**row) for row in rows)
    except (OSError, ValueError, TypeError):
        return ()
