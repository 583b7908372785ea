"""Outgoing feeds and the files crawlers read: Atom, RSS, JSON Feed, OPML, sitemap, robots.

Owns how the owner's notes leave the site for feed readers (`render_feeds`: Atom 1.0, RSS 2.0,
JSON Feed 1.1, a shares-only Atom feed, one Atom feed per interest the owner has written on,
and the OPML blogroll of the people in the salon), plus `render_sitemap` and `render_robots`.
Pure: a `Site` in, exact `OutputFile` bytes out. Must not touch the disk or read the clock:
no build time ever appears in output, so the same `Site` always gives byte-identical files.

Decisions (for the glossary and decision log in docs/design.md):
- Feed-level dates are the newest entry's `updated or date`. An empty Atom feed (say, the
  shares feed before the first share) takes the newest date of the whole site instead; a
  site with no notes at all has nothing to derive a date from and gets the fixed
  `EMPTY_FEED_UPDATED` (the Unix epoch; the W3C validator warns "implausible date", which
  is true and harmless). RSS leaves the optional `lastBuildDate` out of an empty feed.
- Feed ids (Atom `<id>`) are the feed's own absolute URL: unique per feed, stable for as long
  as the feed lives at that address, and changing only when subscribers must move anyway.
  Entry ids are `Note.entry_id`, never derived here (RFC 4287 §4.2.6: ids must not change).
- Every URL is absolute, in content too: RSS and JSON Feed have no base URL, and many Atom
  readers ignore xml:base.
- XML is written by string construction (fixed attribute order, two-space indent, double
  quotes) so the bytes are stable; every text passes `_clean` first, which drops what XML 1.0
  forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from typing import Any

from salon_gen import HOMEPAGE, __version__
from salon_gen.core import urls
from salon_gen.core.model import Config, Interest, Note, OutputFile, Person, Site

# RFC 4287 §4.2.15 requires atom:updated on every feed; an empty feed has no entry to take it
# from, and the build time would make output depend on the clock.
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
RSS_DOCS = "https://www.rssboard.org/rss-specification"

_ATOM_NS = "http://www.w3.org/2005/Atom"
_DC_NS = "http://purl.org/dc/elements/1.1/"
# XML 1.0 §2.2 Char: what may appear in a document at all.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Attrs = Sequence[tuple[str, str | None]]


# --- public API ---------------------------------------------------------------------------


@dataclass(slots=True)
class FeedMemo:
    """The feeds one `render_feeds` call made, for the next (a preview's rebuilds): a feed
    whose notes are the same, on a site whose config and people are the same, is not made
    again. Notes are compared by value (an unchanged note is usually the very same object,
    which makes that an identity check)."""

    context: tuple[object, ...] | None = None
    files: dict[str, tuple[object, OutputFile]] = field(default_factory=dict)


def render_feeds(site: Site, memo: FeedMemo | None = None) -> tuple[OutputFile, ...]:
    """Every feed file of the site: feed.xml, rss.xml, feed.json, shares/feed.xml,
    interests/<slug>/feed.xml for each interest with the owner's writing on it, and
    blogroll.opml, in that order."""
    config = site.config
    limit = max(config.feeds.items, 0)
    recent = site.notes[:limit]
    shares = site.shares[:limit]
    home = urls.absolute(config.base_url, "")
    context = (config, site.people)  # what every feed may show besides its own notes
    kept: dict[str, tuple[object, OutputFile]] = {}
    if memo is not None:
        kept = memo.files if memo.context == context else {}
        memo.context, memo.files = context, {}

    def feed(path: str, key: object, make: Callable[[], bytes]) -> OutputFile:
        found = kept.get(path)
        out = found[1] if found is not None and found[0] == key else OutputFile(path, make())
        if memo is not None:
            memo.files[path] = (key, out)
        return out

    files = [
        feed(
            "feed.xml",
            recent,
            lambda: _atom(
                site,
                recent,
                title=config.title,
                subtitle=config.description,
                self_url=_abs(config, "feed.xml"),
                alternate=home,
            ),
        ),
        feed("rss.xml", recent, lambda: _rss(site, recent, self_url=_abs(config, "rss.xml"))),
        feed(
            "feed.json",
            recent,
            lambda: _json_feed(site, recent, feed_url=_abs(config, "feed.json")),
        ),
        feed(
            "shares/feed.xml",
            shares,
            lambda: _atom(
                site,
                shares,
                title=f"{config.title}: shares",
                subtitle=f"Links shared by {config.author.name}",
                self_url=_abs(config, "shares/feed.xml"),
                alternate=home,
            ),
        ),
    ]
    # Only the owner's own writing: others' entries are theirs to syndicate, not ours.
    for interest in site.interests:
        if interest.has_feed:
            path = _interest_feed_path(interest)
            key = (interest.name, interest.url, interest.notes[:limit])
            files.append(feed(path, key, partial(_interest_feed, site, interest, limit)))
    files.append(feed("blogroll.opml", (), lambda: _opml(site)))
    return tuple(files)


def render_sitemap(site: Site, paths: Sequence[tuple[str, datetime | None]]) -> OutputFile:
    """sitemap.xml (sitemaps.org 0.9) for the given site-relative page paths ("" is home).

    The caller knows which pages exist; this only formats them. Paths are de-duplicated
    (keeping the newest lastmod) and sorted, so the order of `paths` does not matter."""
    newest: dict[str, datetime | None] = {}
    for path, lastmod in paths:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", path):
            raise ValueError(f"sitemap paths must be site-relative, got {path!r}")
        key = path.lstrip("/")
        when = None if lastmod is None else _utc(lastmod)
        old = newest.get(key)
        newest[key] = when if old is None or (when is not None and when > old) else old
    out = _Xml()
    out.open("urlset", [("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9")])
    for path in sorted(newest):
        out.open("url")
        out.leaf("loc", _abs(site.config, path))
        lastmod = newest[path]
        if lastmod is not None:
            out.leaf("lastmod", _rfc3339(lastmod))
        out.close()
    out.close()
    return OutputFile("sitemap.xml", out.bytes())


def render_robots(site: Site) -> OutputFile:
    """robots.txt allowing every crawler and naming the sitemap (RFC 9309).

    Crawlers only read /robots.txt at the host root; for a site under a path the file is
    still written so that it can be copied there."""
    sitemap = _clean(_abs(site.config, "sitemap.xml"))
    text = f"User-agent: *\nDisallow:\n\nSitemap: {sitemap}\n"
    return OutputFile("robots.txt", text.encode("utf-8"))


# --- Atom (RFC 4287) --------------------------------------------------------------------


def _interest_feed_path(interest: Interest) -> str:
    path = f"{interest.url.strip('/')}/feed.xml"
    if not urls.safe_output_path(path):
        raise ValueError(f"interest {interest.name!r} has an unsafe url {interest.url!r}")
    return path


def _interest_feed(site: Site, interest: Interest, limit: int) -> bytes:
    config = site.config
    return _atom(
        site,
        interest.notes[:limit],
        title=f"{config.title}: {interest.name}",
        subtitle=f"{config.author.name} on “{interest.name}”: notes and shares",
        self_url=_abs(config, _interest_feed_path(interest)),
        alternate=_abs(config, interest.url),
    )


def _atom(
    site: Site, notes: Sequence[Note], *, title: str, subtitle: str, self_url: str, alternate: str
) -> bytes:
    config = site.config
    out = _Xml()
    out.open("feed", [("xmlns", _ATOM_NS), ("xml:lang", config.language)])
    out.leaf("title", title, [("type", "text")])
    if subtitle:
        out.leaf("subtitle", subtitle, [("type", "text")])
    out.leaf("link", None, [("rel", "self"), ("type", "application/atom+xml"), ("href", self_url)])
    if config.hub:  # WebSub §4: the hub and the topic (rel=self) side by side
        out.leaf("link", None, [("rel", "hub"), ("href", config.hub)])
    out.leaf("link", None, [("rel", "alternate"), ("type", "text/html"), ("href", alternate)])
    # The feed's own URL as its id: see the module docstring.
    out.leaf("id", self_url)
    out.leaf("updated", _rfc3339(_newest(notes or site.notes)))
    _atom_author(out, config)
    out.leaf("generator", "salon", [("uri", HOMEPAGE), ("version", __version__)])
    if config.author.avatar:
        out.leaf("icon", _abs(config, config.author.avatar))
    for note in notes:
        page = _abs(config, note.url)
        out.open("entry")
        out.leaf("title", note.title, [("type", "text")])
        out.leaf("link", None, [("rel", "alternate"), ("type", "text/html"), ("href", page)])
        if note.link is not None:
            attrs = [("rel", "related"), ("href", note.link.url), ("title", note.link.title)]
            out.leaf("link", None, attrs)
        out.leaf("id", note.entry_id)
        out.leaf("published", _rfc3339(note.date))
        out.leaf("updated", _rfc3339(note.updated or note.date))
        _atom_author(out, config)
        for tag in note.tags:
            out.leaf("category", None, [("term", tag)])
        summary = _summary(site, note)
        if summary:
            out.leaf("summary", summary, [("type", "text")])
        if config.feeds.full_content:
            out.leaf("content", _content_html(site, note), [("type", "html")])
        out.close()
    out.close()
    return out.bytes()


def _atom_author(out: _Xml, config: Config) -> None:
    author = config.author
    out.open("author")
    out.leaf("name", author.name)
    if author.url:
        out.leaf("uri", _abs(config, author.url))
    if author.email:
        out.leaf("email", author.email)
    out.close()


# --- RSS 2.0 ----------------------------------------------------------------------------


def _rss(site: Site, notes: Sequence[Note], *, self_url: str) -> bytes:
    config = site.config
    editor = f"{config.author.email} ({config.author.name})" if config.author.email else None
    out = _Xml()
    out.open(
        "rss",
        [
            ("version", "2.0"),
            ("xmlns:atom", _ATOM_NS),
            ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
            ("xmlns:dc", _DC_NS),
        ],
    )
    out.open("channel")
    out.plain("title", config.title)
    out.leaf("link", urls.absolute(config.base_url, ""))
    # RSS 2.0 requires a channel description; the title is the honest fallback.
    out.plain("description", config.description or config.title)
    out.leaf("language", config.language)
    out.leaf(
        "atom:link", None, [("href", self_url), ("rel", "self"), ("type", "application/rss+xml")]
    )
    if config.hub:  # WebSub §4, in RSS through the Atom namespace
        out.leaf("atom:link", None, [("href", config.hub), ("rel", "hub")])
    if editor:
        out.leaf("managingEditor", editor)
    if notes:
        # The newest entry's date, never the build time: see the module docstring.
        out.leaf("lastBuildDate", _rfc822(_newest(notes)))
    out.leaf("generator", f"salon {__version__}")
    out.leaf("docs", RSS_DOCS)
    for note in notes:
        out.open("item")
        out.plain("title", note.title)
        out.leaf("link", _abs(config, note.url))
        out.leaf("guid", note.entry_id, [("isPermaLink", "false")])
        out.leaf("pubDate", _rfc822(note.date))
        # RSS 2.0's <author> is an email address; readers show dc:creator's name, and the
        # W3C validator advises against both in one item, so the name alone is given here
        # (the address stays in the channel's managingEditor).
        out.plain("dc:creator", config.author.name)
        for tag in note.tags:
            out.plain("category", tag)
        # description is HTML in practice; plain text must be escaped for it.
        summary = _summary(site, note)
        content = _content_html(site, note) if config.feeds.full_content else ""
        description = html.escape(summary, quote=False) if summary else content
        if note.link is not None and not content:
            # Summaries only: RSS has no other place for what a share points at.
            description = _share_summary_html(site, note)
        out.leaf("description", description)
        if content:
            out.leaf("content:encoded", content)
        out.close()
    out.close()
    out.close()
    return out.bytes()


# --- JSON Feed 1.1 ----------------------------------------------------------------------


def _json_feed(site: Site, notes: Sequence[Note], *, feed_url: str) -> bytes:
    config = site.config
    author = _json_author(config)
    feed: dict[str, Any] = {
        "version": JSONFEED_VERSION,
        "title": config.title,
        "home_page_url": urls.absolute(config.base_url, ""),
        "feed_url": feed_url,
    }
    if config.description:
        feed["description"] = config.description
    if config.hub:  # JSON Feed 1.1: hubs, for real-time notification
        feed["hubs"] = [{"type": "WebSub", "url": config.hub}]
    feed["authors"] = [author]
    feed["language"] = config.language
    feed["items"] = [_json_item(site, note, author) for note in notes]
    text = json.dumps(_cleaned(feed), ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8")


def _json_author(config: Config) -> dict[str, str]:
    author = {"name": config.author.name}
    if config.author.url:
        author["url"] = _abs(config, config.author.url)
    if config.author.avatar:
        author["avatar"] = _abs(config, config.author.avatar)
    return author


def _json_item(site: Site, note: Note, author: dict[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {"id": note.entry_id, "url": _abs(site.config, note.url)}
    if note.link is not None:
        item["external_url"] = note.link.url
    item["title"] = note.title
    summary = _summary(site, note)
    if site.config.feeds.full_content:
        item["content_html"] = _content_html(site, note)
    else:
        # JSON Feed 1.1 requires content_html or content_text on every item.
        item["content_text"] = summary
    if summary:
        item["summary"] = summary
    item["date_published"] = _rfc3339(note.date)
    if note.updated is not None:
        item["date_modified"] = _rfc3339(note.updated)
    # JSON Feed 1.1 lets items inherit the feed's authors, but many readers only look here.
    item["authors"] = [dict(author)]
    if note.tags:
        item["tags"] = list(note.tags)
    return item


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    return value


# --- OPML 2.0 ---------------------------------------------------------------------------


def _opml(site: Site) -> bytes:
    """The blogroll: one `type="rss"` outline per feed of each public person, in the order
    of `site.people` (by name) and of each person's feeds.

    No `dateCreated`: there is no clock here. No `docs` either, though OPML 2.0 defines it:
    the W3C Feed Validator (the one people paste their blogroll into) rejects it as an
    undefined head element, and it carries nothing a reader uses."""
    config = site.config
    out = _Xml()
    out.open("opml", [("version", "2.0")])
    out.open("head")
    out.leaf("title", f"{config.title}: blogroll")
    out.leaf("ownerName", config.author.name)
    if config.author.email:
        out.leaf("ownerEmail", config.author.email)
    if config.author.url:
        out.leaf("ownerId", _abs(config, config.author.url))
    out.close()
    out.open("body")
    feeds = tuple(_blogroll(site.people))
    for person, feed in feeds:
        attrs = [
            ("type", "rss"),
            ("text", person.name),
            ("title", person.name),
            ("xmlUrl", feed),
            ("htmlUrl", person.url if person.url and urls.is_http_url(person.url) else None),
        ]
        out.leaf("outline", None, attrs)
    if not feeds:
        # OPML 2.0: "<body> contains one or more <outline> elements". A plain text outline
        # (no type, no xmlUrl) is valid and subscribes a reader to nothing.
        out.leaf("outline", None, [("text", "No feeds yet")])
    out.close()
    out.close()
    return out.bytes()


def _blogroll(people: Iterable[Person]) -> Iterable[tuple[Person, str]]:
    for person in people:
        # `site.people` is public-only already; checked again because a leak is unrecoverable.
        if not person.public:
            continue
        for feed in person.feeds:
            if urls.is_http_url(feed):
                yield person, feed


# --- content ------------------------------------------------------------------------------


def _summary(site: Site, note: Note) -> str:
    """Plain-text summary: the front-matter one always; with summaries-only feeds, else the
    excerpt (else, for a share, what it points at)."""
    if note.summary:
        return note.summary
    if site.config.feeds.full_content:
        return ""
    if note.excerpt:
        return note.excerpt
    if note.link is not None:
        return f"Shared: {note.link.title} ({note.link.domain})"
    return ""


def _content_html(site: Site, note: Note) -> str:
    """The note's HTML with every URL absolute; a share starts with what it points at."""
    body = note.html
    if note.link is not None:
        body = f"{_share_header(site, note)}\n{body}"
    return urls.absolutize(body, _abs(site.config, note.url))


def _share_summary_html(site: Site, note: Note) -> str:
    """A share in a summaries-only RSS feed: what it points at, as a link, then the note's
    own summary or excerpt (the "Shared: …" fallback would only repeat the link)."""
    body = _share_header(site, note)
    text = note.summary or note.excerpt
    if text:
        body += f"\n<p>{html.escape(text, quote=False)}</p>"
    return urls.absolutize(body, _abs(site.config, note.url))


def _share_header(site: Site, note: Note) -> str:
    """`<p>Shared: <a>title</a> (domain) — via who</p>` for a share."""
    link = note.link
    if link is None:
        return ""
    header = (
        f"<p>Shared: <a href={_html_attr(link.url)}>{html.escape(link.title, quote=False)}</a>"
        f" ({html.escape(link.domain, quote=False)})"
    )
    if note.via is not None:
        via_url = note.via.url or _person_page(site, note.via.person_id)
        name = html.escape(note.via.name, quote=False)
        via = f"<a href={_html_attr(via_url)}>{name}</a>" if via_url else name
        header += f" — via {via}"
    return f"{header}</p>"


def _person_page(site: Site, person_id: str | None) -> str | None:
    for person in site.people:
        if person.id == person_id and person.public:
            return _abs(site.config, person.url_path)
    return None


def _html_attr(value: str) -> str:
    return f'"{html.escape(value, quote=True)}"'


# --- dates and URLs -----------------------------------------------------------------------


def _newest(notes: Iterable[Note]) -> datetime:
    return max((_utc(n.updated or n.date) for n in notes), default=EMPTY_FEED_UPDATED)


def _utc(when: datetime) -> datetime:
    # A naive datetime should never get here; reading it as UTC (not local time) keeps the
    # output independent of the machine's zone.
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _rfc3339(when: datetime) -> str:
    """RFC 3339 in UTC with an uppercase `Z` (RFC 4287 §3.3), whole seconds."""
    return _utc(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rfc822(when: datetime) -> str:
    """RFC 822 (as RSS 2.0 uses it) with `+0000`; English names whatever the locale."""
    return format_datetime(_utc(when).replace(microsecond=0))


def _abs(config: Config, path: str) -> str:
    return urls.absolute(config.base_url, path)


# --- XML writing --------------------------------------------------------------------------


def _clean(text: str) -> str:
    """`text` without the characters XML 1.0 does not allow anywhere."""
    return _NOT_XML_CHAR.sub("", text)


def _text(text: str, *, amp: str = "&amp;", lt: str = "&lt;") -> str:
    # CR would be normalized to LF by parsers (XML 1.0 §2.11); a reference keeps it.
    return (
        _clean(text).replace("&", amp).replace("<", lt).replace(">", "&gt;").replace("\r", "&#13;")
    )


def _attr(value: str) -> str:
    # Attribute values are normalized by parsers (XML 1.0 §3.3.3): whitespace as references.
    escaped = _text(value).replace('"', "&quot;")
    return escaped.replace("\t", "&#9;").replace("\n", "&#10;")


class _Xml:
    """Lines of an XML document, two-space indented, closed in the order opened."""

    def __init__(self) -> None:
        self._lines = ['<?xml version="1.0" encoding="utf-8"?>']
        self._open: list[str] = []

    def open(self, tag: str, attrs: Attrs = ()) -> None:
        self._lines.append(f"{self._pad()}<{tag}{_attrs(attrs)}>")
        self._open.append(tag)

    def close(self) -> None:
        tag = self._open.pop()
        self._lines.append(f"{self._pad()}</{tag}>")

    def leaf(self, tag: str, text: str | None, attrs: Attrs = ()) -> None:
        """`<tag attrs>text</tag>`, or `<tag attrs/>` when `text` is None."""
        body = "/>" if text is None else f">{_text(text)}</{tag}>"
        self._lines.append(f"{self._pad()}<{tag}{_attrs(attrs)}{body}")

    def plain(self, tag: str, text: str, attrs: Attrs = ()) -> None:
        """`<tag>text</tag>` for RSS elements that are plain text but that many readers
        treat as HTML: "&" and "<" as hexadecimal references, as the RSS Best Practices
        Profile asks, so that such readers see them as characters, not markup."""
        body = _text(text, amp="&#x26;", lt="&#x3C;")
        self._lines.append(f"{self._pad()}<{tag}{_attrs(attrs)}>{body}</{tag}>")

    def bytes(self) -> bytes:
        if self._open:
            raise ValueError(f"unclosed elements: {self._open}")
        return ("\n".join(self._lines) + "\n").encode("utf-8")

    def _pad(self) -> str:
        return "  " * len(self._open)


def _attrs(attrs: Attrs) -> str:
    return "".join(f' {name}="{_attr(value)}"' for name, value in attrs if value is not None)
