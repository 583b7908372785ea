"""Feed bytes to entries: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1.

A pure stage: the bytes of a fetched feed, the URL they came from and the clock go in, a
`ParsedFeed` comes out, and `parse_feed` never raises (a hopeless body is a feed without
entries that says why in `problems`). Owns the formats' quirks: which id, link, date and text
an entry has, duplicates, and a total order. The only module that imports feedparser; every
piece of remote HTML and text goes through `sanitize`.

Must not fetch or read files. feedparser is only ever handed a `BytesIO`: given bytes or a
string it first tries them as a URL (and fetches it) or a file name (and reads the file).

XML entities: expat never loads external entities here (feedparser turns that off), but it
does expand internal ones, and only a recent expat caps a "billion laughs" (after seconds and
tens of megabytes). So the DOCTYPE's internal subset is removed before parsing, in the text
as feedparser decodes it (any encoding, UTF-7 and EBCDIC included); a DOCTYPE this module
cannot read is refused. Feeds have had no use for entity declarations for twenty years.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import xml.sax
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import feedparser.encodings

from salon_gen.core.model import FeedEntry
from salon_gen.text.sanitize import excerpt, plain_text, safe_link, sanitize_html

SUMMARY_WORDS = 50
# A date later than this past `now` is a mistake (or a trick to stay on top): use `now`.
FUTURE_SLACK = timedelta(days=1)
# Before the first feeds and blogs: a parse error or a zero timestamp, not a date.
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)

_JSON_TYPES = ("application/feed+json", "application/json")
_JSON_VERSION = "https://jsonfeed.org/version/"
_XML_SPACE = " \t\r\n"
_EMAIL = re.compile(r"^[^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+$")
_AUTHOR_PATTERNS = (
    re.compile(r"^[^\s@()<>]+@[^\s@()<>]+\s*\((?P<name>[^()]*)\)$"),  # email (Name)
    re.compile(r"^(?P<name>[^()]*?)\s*\([^\s@()<>]+@[^\s@()<>]+\)$"),  # Name (email)
    re.compile(r"^(?P<name>[^<>]*?)\s*<[^\s@()<>]+@[^\s@()<>]+>$"),  # Name <email>
)
_FIRST_ELEMENT = re.compile(r"<[^!?]")
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedFeed:
    """What one feed body came to. `problems` are for a person to read (warnings)."""

    title: str  # plain text, may be ""
    link: str | None  # the site the feed belongs to: absolute http(s) or None
    format: str  # feedparser's version ("rss20", "atom10", ...), "json10", "json11" or ""
    entries: tuple[FeedEntry, ...]  # newest first; ties by entry_id
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Text:
    value: str
    is_html: bool
    base: str  # what relative URLs inside resolve against


@dataclass(frozen=True, slots=True, kw_only=True)
class _Item:
    """An entry as the format gave it, before any cleaning: the formats' common ground."""

    id: str | None
    title: _Text | None
    link: str | None
    links: tuple[str | None, ...] = ()  # fallbacks for `link` (JSON Feed's external_url)
    content: _Text | None
    summary: _Text | None
    published: datetime | None
    updated: datetime | None
    categories: tuple[str, ...]
    author: str | None


def parse_feed(body: bytes, *, url: str, content_type: str | None, now: datetime) -> ParsedFeed:
    """Parse one feed body fetched from `url` (after redirects: relative links resolve
    against it). Never raises."""
    try:
        now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
        if _looks_like_json(body, content_type):
            return _parse_json(body, url=url, now=now)
        return _parse_xml(body, url=url, content_type=content_type, now=now)
    except Exception as error:  # a parser's bug must cost one feed, never the build
        return ParsedFeed(
            title="",
            link=None,
            format="",
            entries=(),
            problems=(f"could not read the feed: {type(error).__name__}: {error}",),
        )


# --- XML (feedparser) -----------------------------------------------------------------------


def _parse_xml(body: bytes, *, url: str, content_type: str | None, now: datetime) -> ParsedFeed:
    problems: list[str] = []
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    data = body
    # Decode exactly as feedparser will, then look at the DOCTYPE in that text.
    decoding: dict[str, Any] = {}
    utf8 = feedparser.encodings.convert_to_utf8(dict(headers), body, decoding)
    if decoding.get("encoding"):  # else feedparser skips expat: no DTD is processed at all
        text = utf8.decode("utf-8", "replace")
        defused = _without_internal_subset(text)
        if defused is None:
            return _refused(
                "refused: its DOCTYPE declares XML entities in a way salon cannot read "
                "safely (entity declarations are never honoured)"
            )
        if defused is not text:
            problems.append(
                "ignored the entity declarations in its DOCTYPE (salon never expands XML entities)"
            )
            data = defused.encode("utf-8")
            if content_type:  # the bytes are UTF-8 now, whatever the server said
                headers["content-type"] = content_type.split(";")[0].strip() + "; charset=utf-8"

    result = feedparser.parse(
        io.BytesIO(data),  # never bytes: feedparser would try them as a file name
        response_headers=headers,
        resolve_relative_uris=False,  # sanitize_html resolves them, five times faster
        sanitize_html=False,  # nh3 in sanitize_html does this, properly
    )
    if result.get("bozo"):
        problems.append(_bozo_problem(result.get("bozo_exception")))
    feed = _field(result, "feed") or {}
    fmt = str(_field(result, "version") or "")
    # Only Atom declares whether a text is HTML. For the others feedparser guesses, and
    # guesses "text/plain" when it meets a tag it does not know, such as <script>: so
    # there every text is read as HTML, which is what most RSS producers mean.
    typed = fmt.startswith("atom")
    items = [
        _item_from_feedparser(raw, feed, url, typed) for raw in _field(result, "entries") or ()
    ]
    if not fmt and not items:
        problems.append("no RSS, Atom or JSON Feed found in it")
    return _assemble(
        title=_title_text(_detail(feed, "title", url, typed)),
        link=safe_link(_str(_field(feed, "link")), url),
        format=fmt,
        items=items,
        url=url,
        now=now,
        problems=problems,
    )


def _item_from_feedparser(
    raw: Mapping[str, Any], feed: Mapping[str, Any], url: str, typed: bool
) -> _Item:
    contents = [c for c in _field(raw, "content") or () if isinstance(c, Mapping)]
    content = next((c for c in contents if _is_html(c.get("type"), typed)), None) or next(
        iter(contents), None
    )
    # Without a summary of its own, feedparser copies the content into "summary" but gives
    # no "summary_detail": that copy has lost its type (text or HTML), so it is not used.
    detail = _field(raw, "summary_detail")
    summary = _text(detail, url, typed) if isinstance(detail, Mapping) else None
    tags = _field(raw, "tags") or ()
    return _Item(
        id=_str(_field(raw, "id")),
        title=_detail(raw, "title", url, typed),
        link=_str(_field(raw, "link")),
        content=_text(content, url, typed) if content is not None else None,
        summary=summary,
        published=_from_struct(_field(raw, "published_parsed"))
        or _from_struct(_field(raw, "created_parsed")),
        updated=_from_struct(_field(raw, "updated_parsed")),
        categories=tuple(
            _str(t.get("term")) or _str(t.get("label")) or ""
            for t in tags
            if isinstance(t, Mapping)
        ),
        author=_author_name(raw) or _author_name(feed),
    )


def _field(raw: Mapping[str, Any], key: str) -> Any:
    """A value feedparser stored, read without its dict's aliases: its `get("updated_parsed")`
    falls back on "published_parsed" with a DeprecationWarning (feedparser issue 310)."""
    return dict.get(raw, key) if isinstance(raw, dict) else raw.get(key)


def _detail(raw: Mapping[str, Any], key: str, url: str, typed: bool) -> _Text | None:
    detail = _field(raw, f"{key}_detail")
    if isinstance(detail, Mapping):
        return _text(detail, url, typed)
    value = _field(raw, key)
    return _Text(value, True, url) if isinstance(value, str) else None


def _text(detail: Mapping[str, Any], url: str, typed: bool) -> _Text:
    base = _str(detail.get("base")) or url
    return _Text(_str(detail.get("value")) or "", _is_html(detail.get("type"), typed), base)


def _is_html(media_type: object, typed: bool) -> bool:
    """Whether to read a text as HTML: always, but where Atom declares it text (type="text",
    its default). XHTML content comes to us serialized as HTML."""
    return not (typed and isinstance(media_type, str) and media_type.lower() == "text/plain")


def _author_name(raw: Mapping[str, Any]) -> str | None:
    """The author's name from feedparser's "author" string (RSS "email (Name)", Atom's
    "Name (email)" as feedparser writes it, "Name <email>"); a bare address is no name.

    Not feedparser's "author_detail": its address pattern allows four-letter top-level
    domains at most, so "ada@ada.example (Ada)" comes out as the name "ple (Ada".
    """
    text = _str(_field(raw, "author"))
    if text is None:
        return None
    text = text.strip()
    for pattern in _AUTHOR_PATTERNS:
        if match := pattern.match(text):
            return match.group("name").strip() or None
    return None if _EMAIL.match(text) else text


def _from_struct(value: object) -> datetime | None:
    """feedparser's dates are UTC `time.struct_time`s (or None)."""
    if not isinstance(value, tuple):  # struct_time is a tuple
        return None
    try:
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _bozo_problem(error: object) -> str:
    """feedparser's "bozo" exception, said for a person."""
    if isinstance(error, feedparser.NonXMLContentType):
        return f"not served as XML ({_describe(error)})"
    if isinstance(
        error, feedparser.CharacterEncodingOverride | feedparser.CharacterEncodingUnknown
    ):
        return f"character encoding: {_describe(error)}"
    if isinstance(error, xml.sax.SAXParseException):
        where = f"line {error.getLineNumber()}, column {error.getColumnNumber()}"
        return f"not well-formed XML ({where}: {error.getMessage()}); read leniently"
    return f"not quite valid: {_describe(error)}"


def _describe(error: object) -> str:
    text = str(error).strip() or type(error).__name__
    return text[:200]


def _without_internal_subset(text: str) -> str | None:
    """`text` (an XML document) without the internal subset of its DOCTYPE, the same object
    when it has none, None when its prolog cannot be read safely.

    `<!DOCTYPE rss [ <!ENTITY ...> ]>` becomes `<!DOCTYPE rss>`; a public identifier stays
    (feedparser reads Netscape's RSS 0.91 DOCTYPE). Quoted strings, comments and processing
    instructions inside the subset are skipped as expat would, so "]>" inside them does
    not end it early.
    """
    n = len(text)
    i = 1 if text.startswith("\ufeff") else 0
    while True:  # the prolog: whitespace, <?...?> and <!--...--> before a DOCTYPE
        while i < n and text[i] in _XML_SPACE:
            i += 1
        if text.startswith("<?", i):
            i = _after(text, "?>", i + 2)
        elif text.startswith("<!--", i):
            i = _after(text, "-->", i + 4)
        elif text[i : i + 9].upper() == "<!DOCTYPE":
            break
        else:
            return _checked(text)
        if i < 0:
            return _checked(text)
    start, quote = i, ""
    i += 9
    while i < n:  # the name and external identifier, up to "[" or ">"
        c = text[i]
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == ">":
            return _checked(text)  # no internal subset
        elif c == "[":
            break
        i += 1
    else:
        return None
    head = text[start:i].rstrip()
    i += 1
    while i < n:  # the internal subset, up to its "]"
        if text.startswith("<!--", i):
            i = _after(text, "-->", i + 4)
        elif text.startswith("<?", i):
            i = _after(text, "?>", i + 2)
        elif text[i] in "\"'":
            i = _after(text, text[i], i + 1)
        elif text[i] == "]":
            break
        else:
            i += 1
        if i < 0:
            return None
    else:
        return None
    i += 1
    while i < n and text[i] in _XML_SPACE:
        i += 1
    if not text.startswith(">", i):
        return None
    return _checked(text[:start] + head + ">" + text[i + 1 :])


def _after(text: str, end: str, start: int) -> int:
    found = text.find(end, start)
    return found + len(end) if found >= 0 else -1


def _checked(text: str) -> str | None:
    """A second line of defence: no entity declaration may be left before the first element
    (something the scanner above did not understand must not smuggle one past it)."""
    first = _FIRST_ELEMENT.search(text)
    prolog = text[: first.start()] if first else text
    return None if _ENTITY_DECLARATION.search(prolog) else text


def _refused(problem: str) -> ParsedFeed:
    return ParsedFeed(title="", link=None, format="", entries=(), problems=(problem,))


# --- JSON Feed ------------------------------------------------------------------------------


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"{":
        return True
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type in _JSON_TYPES and start != b"<"


def _parse_json(body: bytes, *, url: str, now: datetime) -> ParsedFeed:
    """JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1): UTF-8, BOM or not."""
    problems: list[str] = []
    try:
        doc = json.loads(body)  # detects UTF-8 (with BOM), UTF-16 and UTF-32
    except UnicodeDecodeError:
        problems.append("not valid UTF-8; undecodable bytes replaced")
        doc = json.loads(body.decode("utf-8", "replace"))
    except (ValueError, RecursionError) as error:
        return _refused(f"not valid JSON ({_describe(error)})")
    if not isinstance(doc, dict):
        return _refused("not a JSON Feed: the document is not an object")
    version = _str(doc.get("version")) or ""
    if version.rstrip("/") == _JSON_VERSION + "1.1":
        fmt = "json11"
    elif version.rstrip("/") == _JSON_VERSION + "1":
        fmt = "json10"
    else:
        fmt = "json"
        problems.append(f"unknown JSON Feed version {version!r}")
    raw_items = doc.get("items")
    if not isinstance(raw_items, list):
        problems.append("no 'items' list")
        raw_items = []
    feed_author = _json_author(doc)
    items = [_item_from_json(raw, url, feed_author) for raw in raw_items if isinstance(raw, dict)]
    return _assemble(
        title=_title_text(_json_text(doc.get("title"), url)),
        link=safe_link(_str(doc.get("home_page_url")), url),
        format=fmt,
        items=items,
        url=url,
        now=now,
        problems=problems,
    )


def _item_from_json(raw: Mapping[str, Any], url: str, feed_author: str | None) -> _Item:
    ident = raw.get("id")
    if isinstance(ident, int | float) and not isinstance(ident, bool):
        ident = str(ident)  # JSON Feed 1.0 allowed numbers; 1.1 says strings
    content_html, content_text = _str(raw.get("content_html")), _str(raw.get("content_text"))
    content = (
        _Text(content_html, True, url)
        if content_html
        else _Text(content_text, False, url)
        if content_text
        else None
    )
    tags = raw.get("tags")
    return _Item(
        id=_str(ident),
        title=_json_text(raw.get("title"), url),
        link=_str(raw.get("url")),
        links=(_str(raw.get("external_url")),),
        content=content,
        summary=_json_text(raw.get("summary"), url),
        published=_from_rfc3339(raw.get("date_published")),
        updated=_from_rfc3339(raw.get("date_modified")),
        categories=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        author=_json_author(raw) or feed_author,
    )


def _json_text(value: object, url: str) -> _Text | None:
    """A JSON Feed title or summary: plain text, so "<b>" stays as written. But producers
    (WordPress's plugin among them) leave HTML entities in it ("It&#8217;s"): decoded."""
    text = _str(value)
    return _Text(html.unescape(text), False, url) if text else None


def _json_author(raw: Mapping[str, Any]) -> str | None:
    authors = raw.get("authors")  # 1.1
    candidates = authors if isinstance(authors, list) else [raw.get("author")]  # 1.0
    for author in candidates:
        if isinstance(author, dict) and _str(author.get("name")):
            return _str(author.get("name"))
    return None


def _from_rfc3339(value: object) -> datetime | None:
    """RFC 3339 as JSON Feed requires; RFC 822 as some feeds write anyway. No zone: UTC."""
    text = _str(value)
    if text is None:
        return None
    parsers: tuple[Callable[[str], datetime], ...] = (
        datetime.fromisoformat,
        parsedate_to_datetime,
    )
    for parse in parsers:
        try:
            moment = parse(text.replace("z", "Z"))
        except (ValueError, TypeError, IndexError, OverflowError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        try:
            return moment.astimezone(UTC)
        except (ValueError, OverflowError):
            return None
    return None


# --- entries, whatever the format ---------------------------------------------------------


def _assemble(
    *,
    title: str,
    link: str | None,
    format: str,
    items: Iterable[_Item],
    url: str,
    now: datetime,
    problems: list[str],
) -> ParsedFeed:
    """Clean every item, merge duplicate ids, order newest first."""
    by_id: dict[str, FeedEntry] = {}
    guessed = 0
    for number, item in enumerate(items, start=1):
        try:
            entry = _entry(item, url, now)
        except Exception as error:  # one bad entry costs that entry only
            problems.append(f"entry {number} skipped: {type(error).__name__}: {error}")
            continue
        guessed += entry.date_guessed
        kept = by_id.get(entry.entry_id)
        # Duplicate ids: the most recently updated wins; on a tie, the first in the feed.
        if kept is None or entry.updated > kept.updated:
            by_id[entry.entry_id] = entry
    if guessed:
        problems.append(
            f"{guessed} {'entry has' if guessed == 1 else 'entries have'} no usable date "
            "(missing, before 1995 or in the future): the time salon first saw "
            f"{'it' if guessed == 1 else 'them'} stands in"
        )
    entries = sorted(by_id.values(), key=lambda e: e.entry_id)
    entries.sort(key=lambda e: e.published, reverse=True)  # stable: ties stay by id
    return ParsedFeed(
        title=title, link=link, format=format, entries=tuple(entries), problems=tuple(problems)
    )


def _entry(item: _Item, url: str, now: datetime) -> FeedEntry:
    content = item.content or item.summary
    content_html = _html_of(content) if content else ""
    summary_source = item.summary or item.content
    summary = excerpt(_plain(summary_source), SUMMARY_WORDS) if summary_source else ""
    link = safe_link(item.link, url)
    for fallback in item.links:
        link = link or safe_link(fallback, url)
    raw_title = item.title.value if item.title else ""
    entry_id = (item.id or "").strip() or link or _content_hash(raw_title, content)
    published, updated, guessed = _dates(item.published, item.updated, now)
    return FeedEntry(
        feed_url=url,
        entry_id=entry_id,
        title=_title_text(item.title),
        link=link,
        published=published,
        updated=updated,
        summary=summary,
        content_html=content_html,
        categories=_categories(item.categories),
        author=plain_text(item.author or "") or None,
        date_guessed=guessed,
    )


def _html_of(text: _Text) -> str:
    if text.is_html:
        return sanitize_html(text.value, text.base)
    paragraphs = (p.strip() for p in re.split(r"\n\s*\n", text.value))
    markup = "".join(
        f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs if p
    )
    return sanitize_html(markup, text.base)


def _title_text(title: _Text | None) -> str:
    return _plain(title) if title else ""


def _plain(text: _Text) -> str:
    """Plain text of HTML, or of text (whose "<T>" is kept: it is what the author wrote)."""
    return plain_text(text.value if text.is_html else html.escape(text.value, quote=False))


def _content_hash(title: str, content: _Text | None) -> str:
    """The id of last resort: the same title and content give the same id on every fetch."""
    text = title + "\n" + (content.value if content else "")
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _dates(
    published: datetime | None, updated: datetime | None, now: datetime
) -> tuple[datetime, datetime, bool]:
    """(published, updated, guessed): published falls back on updated, then on `now`."""
    published, updated = _sane(published, now), _sane(updated, now)
    first = published or updated
    if first is None:
        return now, now, True
    # An update before publication is a feed's mistake; never let `updated` go backwards.
    return first, max(updated or first, first), False


def _sane(moment: datetime | None, now: datetime) -> datetime | None:
    if moment is None or moment < EARLIEST or moment > now + FUTURE_SLACK:
        return None
    return moment


def _categories(raw: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for term in raw:
        name = plain_text(term).lower()
        if name:
            seen.setdefault(name, None)
    return tuple(seen)


def _str(value: object) -> str | None:
    """A non-empty string, or None (feeds put anything anywhere)."""
    return value if isinstance(value, str) and value.strip() else None
