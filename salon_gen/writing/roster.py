"""Adding people to the salon: finding a site's feed, importing OPML, writing person files.

Owns feed discovery (`discover_feeds`: `<link rel=alternate>`; `find_feed`: the URL itself,
then discovery, then `COMMON_PATHS`), person ids (`person_id_for`), OPML subscription lists
(`import_opml`, `plan_import`, `apply_import`) and the person files `salon follow`
(`plan_follow`, `write_new_person`) and `salon import` write (`render_person_file`,
`write_person`).

Pure but for `find_feed` (fetches through `fetch`), `followed_feeds`, `plan_follow` and
`plan_import` (read `content/people/`) and the `write_*` / `apply_import` (new files only).
Must not replace or edit a file that exists, must never write `private:`, and reads no DTD:
an XML document that declares entities is refused before it is parsed (XML bombs, external
entities)."""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit
from xml.parsers import expat

from salon_gen.content import personfile
from salon_gen.core.model import FetchResult
from salon_gen.core.urls import domain_of, is_http_url, slugify
from salon_gen.following import opml
from salon_gen.text.sanitize import plain_text, safe_link
from salon_gen.writing.personedit import PLACEHOLDER as PLACEHOLDER
from salon_gen.writing.personedit import clean_interests as clean_interests
from salon_gen.writing.personedit import markdown_text as markdown_text
from salon_gen.writing.personedit import render_person_file as render_person_file
from salon_gen.writing.personedit import write_person as write_person
from salon_gen.writing.share import collapse, decode_html, feed_html, page_title, url_key

if TYPE_CHECKING:
    from salon_gen.following.fetch import FetchLimits

Fetcher = Callable[[str], FetchResult]

COMMON_PATHS = (
    "/feed.xml",
    "/atom.xml",
    "/rss.xml",
    "/index.xml",
    "/feed",
    "/rss",
    "/feed.json",
    "/index.rss",
)
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
    }
)
MAX_CANDIDATES = 5  # advertised feeds tried before the common paths (comment feeds follow)
ID_MAX = 40

FeedKind = Literal["xml", "json"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Why something could not be done, for a person to read, and what to try instead."""

    message: str
    hint: str | None = None

    def format(self) -> str:
        return self.message + (f"\n  hint: {self.hint}" if self.hint else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class FoundFeed:
    feed_url: str  # where the feed is (a permanent redirect's target when there was one)
    site_url: str  # the person's site: the page asked for, or the feed's own link
    title: str  # plain text, of the page (or of the feed, when given a feed); may be ""
    candidates: tuple[str, ...] = ()  # every feed the page advertised, in document order
    about: str = ""  # what the feed says of itself (its subtitle or description), plain text
    author: str = ""  # the feed's author's name, plain text

    @property
    def name(self) -> str:
        """A name to start from: the title, else the site's domain."""
        return self.title or domain_of(self.site_url)


@dataclass(frozen=True, slots=True, kw_only=True)
class OpmlFeed:
    xml_url: str
    title: str  # plain text; "" when the outline had neither text nor title
    html_url: str | None = None
    interests: tuple[str, ...] = ()  # from enclosing outlines and `category`, lowercase


@dataclass(frozen=True, slots=True, kw_only=True)
class NewPerson:
    """A person file about to be written: `content/people/<person_id>.md`."""

    person_id: str
    name: str
    url: str | None
    feeds: tuple[str, ...]
    interests: tuple[str, ...] = ()
    about: str = ""  # their public description: what their feed says of itself, plain text


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedFeed:
    feed: OpmlFeed
    person_id: str  # who already has this feed
    reason: str = "already followed"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportPlan:
    add: tuple[NewPerson, ...]
    skipped: tuple[SkippedFeed, ...]


class OpmlError(ValueError):
    """An OPML file salon will not read: what is wrong and what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


# --- discovery (pure) --------------------------------------------------------------------------


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        if tag == "base" and self.base is None and "href" in values:
            self.base = values["href"]  # HTML §4.2.3: the first <base href> counts
        elif tag == "link":
            rels = values.get("rel", "").lower().split()
            kind = values.get("type", "").split(";", 1)[0].strip().lower()
            if "alternate" in rels and kind in FEED_TYPES and values.get("href", "").strip():
                self.hrefs.append(values["href"])

    handle_startendtag = handle_starttag


def discover_feeds(html: bytes, page_url: str, content_type: str | None = None) -> tuple[str, ...]:
    """The feeds a page advertises with `<link rel="alternate" type="...">` (RSS, Atom, JSON
    Feed), made absolute against `<base href>` and the page's URL: http(s) only, in document
    order, each once. A `javascript:` or `data:` href, however disguised, is dropped."""
    parser = _LinkParser()
    feed_html(parser, decode_html(html, content_type))
    base = page_url
    if parser.base is not None:
        base = safe_link(parser.base, page_url) or page_url
    found: dict[str, None] = {}
    for href in parser.hrefs:
        if (url := safe_link(href, base)) is not None:
            found.setdefault(url, None)
    return tuple(found)


# --- is it a feed? (pure) ----------------------------------------------------------------------

_XML_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>/]")
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.I)
_JSONFEED = "https://jsonfeed.org/version/"
_ATOM_NS = ("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#")


def feed_kind(body: bytes, content_type: str | None) -> FeedKind | None:
    """The kind of feed, "xml" or "json", when `body` is a feed by its Content-Type or by its
    first bytes (`<rss`, `<feed`, `<rdf:RDF`; JSON whose `version` is a jsonfeed.org URL);
    else None."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    head = body[:2048].removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"{"):
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (ValueError, RecursionError):
            return None
        version = data.get("version") if isinstance(data, dict) else None
        if isinstance(version, str) and version.startswith(_JSONFEED):
            return "json"
        return "json" if mime == "application/feed+json" else None
    is_html = _HTML_START.search(head) is not None
    if head.startswith(b"<") and not is_html and _XML_ROOT.search(head):
        return "xml"
    if mime in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return "xml"
    return None


class _Refused(Exception):
    pass


def _parse_xml(data: bytes, *, allow_doctype: bool) -> ET.Element:
    """An XML document whose DTD, if allowed at all, declares no entities: expat reads the
    declarations first and stops at the first one, so no entity is ever expanded and no
    external one fetched. _Refused or ET.ParseError otherwise."""
    check = expat.ParserCreate()

    def doctype(name: str, *_: object) -> None:
        if not allow_doctype:
            raise _Refused("<!DOCTYPE")

    def entity(name: str, *_: object) -> None:
        raise _Refused("<!ENTITY")

    check.StartDoctypeDeclHandler = doctype
    check.EntityDeclHandler = entity
    check.UnparsedEntityDeclHandler = entity
    try:
        check.Parse(data, True)
    except expat.ExpatError as e:
        raise ET.ParseError(str(e)) from None
    return ET.fromstring(data)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _child(parent: ET.Element, name: str, ns: str) -> ET.Element | None:
    return next((c for c in parent if _local(c.tag) == name and _ns(c.tag) == ns), None)


def feed_meta(body: bytes, kind: FeedKind, feed_url: str) -> tuple[str, str | None]:
    """A feed's title (plain text, "" if none) and the site it links to (absolute http(s), or
    None): cheap, without parsing the entries, and never raising."""
    if kind == "json":
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (ValueError, RecursionError):
            return "", None
        if not isinstance(data, dict):
            return "", None
        title, home = data.get("title"), data.get("home_page_url")
        return (
            plain_text(title) if isinstance(title, str) else "",
            safe_link(home, feed_url) if isinstance(home, str) else None,
        )
    try:
        root = _parse_xml(body, allow_doctype=True)  # RSS 0.91 feeds carry Netscape's DOCTYPE
    except (_Refused, ET.ParseError, ValueError):
        return "", None
    channel = root if _local(root.tag) == "feed" else None
    if channel is None:
        channel = next((c for c in root if _local(c.tag) == "channel"), None)
    if channel is None:
        return "", None
    ns = _ns(channel.tag)
    title_el = _child(channel, "title", ns)
    title = plain_text("".join(title_el.itertext())) if title_el is not None else ""
    link: str | None = None
    for el in channel:
        if _local(el.tag) != "link" or _ns(el.tag) != ns:
            continue
        if ns in _ATOM_NS:  # RFC 4287 §4.2.7.2: no rel means "alternate"
            kind_ = el.get("type", "text/html").split(";", 1)[0].strip().lower()
            if el.get("rel", "alternate") == "alternate" and "html" in kind_:
                link = safe_link(el.get("href", ""), feed_url)
        else:
            link = safe_link("".join(el.itertext()), feed_url)
        if link:
            break
    return title, link


# --- finding a feed (shell) --------------------------------------------------------------------


# "x:" is a scheme unless a port follows (`localhost:8000`); "//x" is relative, not a host.
_HAS_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d+(?:[/?#]|$))|/)")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _fetcher(limits: FetchLimits | None, fetcher: Fetcher | None) -> Fetcher:
    if fetcher is not None:
        return fetcher
    from salon_gen.following.fetch import FetchLimits, FetchRequest, fetch_one

    chosen = limits or FetchLimits()
    return lambda url: fetch_one(FetchRequest(url=url), chosen)


def feed_about(body: bytes, kind: FeedKind) -> tuple[str, str]:
    """What a feed says of itself and who writes it: its description (Atom `subtitle`, RSS
    `description`, JSON Feed `description`) and its author's name (Atom `author/name`,
    `dc:creator`, `itunes:author`, RSS `managingEditor`'s name, JSON Feed `authors`), each
    plain text, "" when absent. Cheap and never raising, like `feed_meta`."""
    if kind == "json":
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (ValueError, RecursionError):
            return "", ""
        if not isinstance(data, dict):
            return "", ""
        about = data.get("description")
        people = data.get("authors") or ([data["author"]] if "author" in data else [])
        first = people[0] if isinstance(people, list) and people else None
        name = first.get("name") if isinstance(first, dict) else None
        return (
            plain_text(about) if isinstance(about, str) else "",
            plain_text(name) if isinstance(name, str) else "",
        )
    try:
        root = _parse_xml(body, allow_doctype=True)
    except (_Refused, ET.ParseError, ValueError):
        return "", ""
    channel = root if _local(root.tag) == "feed" else None
    if channel is None:
        channel = next((c for c in root if _local(c.tag) == "channel"), None)
    if channel is None:
        return "", ""
    about = author = ""
    for el in channel:
        name = _local(el.tag)
        if name in ("subtitle", "description") and not about:
            about = plain_text("".join(el.itertext()))
        elif name == "author" and not author:
            inner = next((c for c in el if _local(c.tag) == "name"), None)
            author = plain_text("".join((inner if inner is not None else el).itertext()))
        elif name in ("creator", "managingEditor") and not author:
            text = plain_text("".join(el.itertext()))
            # RSS: "maya@example.net (Maya Okafor)"; an address alone names nobody
            match = re.search(r"\(([^)]+)\)", text)
            author = match.group(1).strip() if match else ("" if "@" in text else text)
    return about, author


def _as_feed(result: FetchResult, asked: str) -> FoundFeed | None:
    """The feed (its URL, title, site link, description, author) when `result` is a 200
    carrying one; `site_url` is "" when the feed links no site."""
    if result.status != 200 or result.body is None:
        return None
    kind = feed_kind(result.body, result.content_type)
    if kind is None:
        return None
    title, link = feed_meta(result.body, kind, result.final_url)
    about, author = feed_about(result.body, kind)
    return FoundFeed(
        feed_url=result.permanent_redirect or asked,
        site_url=link or "",
        title=title,
        about=about,
        author=author,
    )


def _why(result: FetchResult) -> str:
    return result.error or (f"HTTP {result.status}" if result.status else "no answer")


def find_feed(
    url: str, limits: FetchLimits | None = None, *, fetcher: Fetcher | None = None
) -> FoundFeed | Problem:
    """The feed of the site at `url` (or `url` itself, if it is a feed), tried in this order:
    the URL's own body; the feeds its HTML advertises; `COMMON_PATHS` on the same origin.
    A bare host ("maya.example.net") means https. Never raises: a `Problem` otherwise.

    Each candidate is fetched (through `fetch.fetch_one` with `limits`, or `fetcher`) and
    kept only if it really is a feed, so a stale `<link>` falls through to the next one."""
    url = url.strip()
    if url and not _HAS_SCHEME.match(url):
        url = "https://" + url
    if not is_http_url(url):
        return Problem(
            message=f"'{url}' is not an http or https URL",
            hint="give the address of their site or feed, e.g. https://maya.example.net/",
        )
    get = _fetcher(limits, fetcher)
    first = get(url)
    if first.status != 200 or first.body is None:
        return Problem(
            message=f"could not fetch {url}: {_why(first)}",
            hint="check the address in a browser, or give the feed's URL directly",
        )
    if (feed := _as_feed(first, url)) is not None:
        return replace(feed, site_url=feed.site_url or _origin(first.final_url) + "/")
    page = first.final_url
    name = page_title(first.body, first.content_type) or ""
    advertised = discover_feeds(first.body, page, first.content_type)
    tried: list[str] = []
    for candidate in (*advertised[:MAX_CANDIDATES], *(_origin(page) + p for p in COMMON_PATHS)):
        if candidate in tried:
            continue
        tried.append(candidate)
        if (feed := _as_feed(get(candidate), candidate)) is not None:
            return replace(feed, site_url=page, title=name or feed.title, candidates=advertised)
    if advertised:
        return Problem(
            message=f"{page} advertises {len(advertised)} feed(s), but none of them answered "
            "with a feed",
            hint="give the feed's URL directly: " + ", ".join(advertised[:3]),
        )
    return Problem(
        message=f"found no feed at {page}: the page advertises none and none of "
        f"{', '.join(COMMON_PATHS)} is one",
        hint="give the feed's URL directly (look for an RSS, Atom or feed link on the site)",
    )


# --- people ids and files (pure) ---------------------------------------------------------------


def _ascii_slug(text: str) -> str:
    """Lowercase ASCII letters, digits and single hyphens (accents dropped: "Núñez" → "nunez")."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", slugify(folded.encode("ascii", "ignore").decode()))
    slug = slug.strip("-")
    if len(slug) > ID_MAX:
        cut = slug[:ID_MAX]
        slug = cut.rsplit("-", 1)[0] if "-" in cut and slug[ID_MAX] != "-" else cut
    return slug.strip("-")


def _host_slug(url: str) -> str:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        labels = host.split(".")
        host = ".".join(labels[:-1]) if len(labels) > 1 else host  # the TLD says nothing
    return _ascii_slug(host.replace(".", "-"))


def person_id_for(name_or_url: str, existing: Collection[str], *, url: str | None = None) -> str:
    """A new person id (`[a-z0-9-]+`, the file name under `content/people/`): from the name,
    or from a URL's host without "www." and the TLD (`maya.example.net` → `maya-example`);
    when that gives nothing, from `url`; else "friend". `-2`, `-3`... if taken."""
    text = name_or_url.strip()
    base = _host_slug(text) if is_http_url(text) else _ascii_slug(text)
    if not base and url is not None and is_http_url(url):
        base = _host_slug(url)
    base = base or "friend"
    taken = set(existing)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _people_dir(root: Path) -> Path:
    return root / "content" / "people"


def person_ids(root: Path) -> set[str]:
    """The ids taken: every file stem in `content/people/`, readable or not."""
    folder = _people_dir(root)
    return {p.stem for p in folder.glob("*.md")} if folder.is_dir() else set()


def followed_feeds(root: Path) -> dict[str, str]:
    """Feed URL -> person id for everyone in `content/people/` (a feed two files list belongs
    to the first id in order). Reads only `feeds:`: a file with other errors still counts,
    and one that cannot be read at all is left to `salon build` to report."""
    owners: dict[str, str] = {}
    folder = _people_dir(root)
    if not folder.is_dir():
        return owners
    for path in sorted(folder.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for feed in personfile.listed_feeds(personfile.parse(path.name, text)):
            owners.setdefault(feed, path.stem)
    return owners


# --- OPML (pure, then a plan, then the writes) -------------------------------------------------


def _categories(text: str) -> list[str]:
    return [c for c in (collapse(p).lower() for p in re.split(r"[,/]", text)) if c]


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedOutline:
    """An outline of an OPML file that is not imported, and why."""

    line: int
    name: str  # its text or title, else its xmlUrl, else "(untitled)"
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OpmlRead:
    feeds: tuple[OpmlFeed, ...]
    skipped: tuple[SkippedOutline, ...] = ()  # in document order
    recovered: str | None = None  # why a strict XML parser refused the file, when it did


def import_opml(data: bytes) -> tuple[OpmlFeed, ...]:
    """The subscriptions of an OPML file: `read_opml(data).feeds`."""
    return read_opml(data).feeds


def read_opml(data: bytes) -> OpmlRead:
    """Every subscription in an OPML 1.0/2.0 file: each `<outline>` with an http(s) `xmlUrl`,
    at any depth, in document order, each feed once (a repeat adds its interests to the
    first), and every other outline with the reason it is skipped. Interests come from the
    enclosing outlines' text and the `category` attribute, split on commas and slashes.

    A file that is not well-formed XML is read again tolerantly (`opml.parse`: a bare `&`,
    stray quotes, missing end tags, Latin-1, HTML entities), and `recovered` says why.
    OpmlError for a file that is not OPML, or that has a `<!DOCTYPE>` or `<!ENTITY>` (never
    expanded: they are how XML bombs and file reads work)."""
    try:
        parsed = opml.parse(data)
    except opml.Refused as e:
        raise OpmlError(
            f"refused to read an OPML file that declares {e}",
            hint="OPML needs no DTD; remove the <!DOCTYPE ...> part, or export the file again",
        ) from None
    except opml.NotWellFormed as e:
        raise OpmlError(f"not well-formed XML: {e}") from None
    root = next((e for e in parsed.elements if e.name == "opml"), None)
    if root is None:
        raise OpmlError(
            f"not an OPML file: the document is <{parsed.elements[0].name}>, not <opml>"
        )
    body = next((c for c in root.children if c.name == "body"), None)
    feeds: dict[str, tuple[int, OpmlFeed]] = {}
    skipped: list[SkippedOutline] = []

    def skip(el: opml.Element, label: str, reason: str) -> None:
        name = label or el.attr("xmlurl") or "(untitled)"
        skipped.append(SkippedOutline(line=el.line, name=name, reason=reason))

    def walk(parent: opml.Element, folders: tuple[str, ...]) -> None:
        for el in parent.children:
            if el.name != "outline":
                continue
            label = collapse(el.attr("text") or el.attr("title"))
            xml_url = el.attr("xmlurl")
            inside = any(c.name == "outline" for c in el.children)
            if not xml_url:
                if inside:
                    walk(el, (*folders, *_categories(label)))
                elif "xmlurl" in el.attrs:
                    skip(el, label, "its xmlUrl is empty")
                elif el.attr("htmlurl") or el.attr("url"):
                    skip(el, label, "no xmlUrl: a link, not a feed")
                else:
                    skip(el, label, "a folder with nothing in it")
                continue
            interests = (*folders, *_categories(el.attr("category")))
            seen = feeds.get(xml_url)
            if not is_http_url(xml_url):
                skip(el, label, f"xmlUrl is not an http(s) address: {xml_url}")
            elif seen is None:
                html_url = el.attr("htmlurl")
                feeds[xml_url] = (
                    el.line,
                    OpmlFeed(
                        xml_url=xml_url,
                        title=plain_text(label),
                        html_url=html_url if is_http_url(html_url) else None,
                        interests=clean_interests(interests),
                    ),
                )
            else:
                line, first = seen
                merged = clean_interests((*first.interests, *interests))
                feeds[xml_url] = (line, replace(first, interests=merged))
                skip(el, label, f"the same feed as line {line} (its interests are added there)")
            if inside:  # an outline with a feed rarely holds more, but it may
                walk(el, folders)

    if body is not None:
        walk(body, ())
    return OpmlRead(
        feeds=tuple(f for _, f in feeds.values()),
        skipped=tuple(skipped),
        recovered=parsed.recovered,
    )


def plan_import(root: Path, feeds: Sequence[OpmlFeed]) -> ImportPlan:
    """Who `apply_import` would add, with which id, and which feeds are skipped because
    someone in the salon already has them (compared as `sharing.url_key` does: scheme,
    "www." and a trailing slash do not make a feed new). Reads `content/people/`."""
    followed = {url_key(u): pid for u, pid in followed_feeds(root).items()}
    planned: dict[str, str] = {}
    taken = person_ids(root)
    add: list[NewPerson] = []
    skipped: list[SkippedFeed] = []
    for feed in feeds:
        key = url_key(feed.xml_url)
        if key in followed:
            skipped.append(SkippedFeed(feed=feed, person_id=followed[key]))
            continue
        if key in planned:
            skipped.append(
                SkippedFeed(feed=feed, person_id=planned[key], reason="listed twice in the file")
            )
            continue
        # Only the file's own htmlUrl says where their site is: a feed's host is often a
        # feed service's (feeds.feedburner.com), not theirs.
        site = feed.html_url
        name = feed.title or domain_of(site or feed.xml_url)
        pid = person_id_for(feed.title or site or feed.xml_url, taken, url=site or feed.xml_url)
        taken.add(pid)
        planned[key] = pid
        add.append(
            NewPerson(
                person_id=pid,
                name=name,
                url=site,
                feeds=(feed.xml_url,),
                interests=feed.interests,
            )
        )
    return ImportPlan(add=tuple(add), skipped=tuple(skipped))


def plan_follow(
    root: Path, found: FoundFeed, *, name: str | None = None, interests: Iterable[str] = ()
) -> NewPerson | Problem:
    """The person `salon follow` would add for `found` (named `name`, else the page or feed
    title, else the domain), or a Problem when someone already has that feed. Reads
    `content/people/`; writes nothing."""
    owner = {url_key(u): pid for u, pid in followed_feeds(root).items()}.get(
        url_key(found.feed_url)
    )
    if owner is not None:
        return Problem(
            message=f"{found.feed_url} is already followed, in content/people/{owner}.md",
            hint="edit that file to change the person's name or interests",
        )
    # A person is best named by the name they write under; else their site's title.
    chosen = collapse(name or "") or found.author or found.title
    return NewPerson(
        person_id=person_id_for(chosen or found.site_url, person_ids(root), url=found.site_url),
        name=chosen or found.name,
        url=found.site_url,
        feeds=(found.feed_url,),
        interests=clean_interests(interests),
        about=found.about,
    )


def render_new_person(person: NewPerson) -> str:
    return render_person_file(
        name=person.name,
        url=person.url,
        feeds=person.feeds,
        interests=person.interests,
        about=person.about,
    )


def write_new_person(root: Path, person: NewPerson) -> Path:
    """Write `person`'s file; FileExistsError rather than replace one."""
    return write_person(root, person.person_id, render_new_person(person))


def apply_import(root: Path, plan: ImportPlan) -> list[Path]:
    """Write a person file for everyone in `plan.add`, all or nothing: every file is
    rendered and checked first; if any of them exists already, FileExistsError and none is
    written (run `plan_import` again)."""
    texts = [(p.person_id, render_new_person(p)) for p in plan.add]
    folder = _people_dir(root)
    clash = [pid for pid, _ in texts if (folder / f"{pid}.md").exists()]
    if clash:
        raise FileExistsError(f"content/people/{clash[0]}.md exists already")
    return [write_person(root, pid, text) for pid, text in texts]
