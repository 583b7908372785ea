"""Shares as `salon share URL` writes them, and what a web page says about itself.

Owns the share file the command writes (`render_share_file`, `share_path`, `write_share`), the
credit and title a followed friend's entry gives a shared URL (`share_from_store`), a web
page's title (`page_title`, `fetch_page_title`) and the quoting of front-matter text that
salon writes (`yaml_text`, `verify_front_matter`; `roster` uses them for person files).

Pure but for three functions: `fetch_page_title` fetches, `share_path` looks at the disk,
`write_share` writes one new file. Must not edit or replace a file that exists, build, or
render; what it writes must read back through `frontmatter.split` and `notes.parse_note` to
the same values (`render_share_file` checks that itself before returning).
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from salon_gen.content.assemble import person_hint
from salon_gen.core.model import FeedEntry, FetchResult
from salon_gen.core.urls import domain_of, is_http_url, slug_from_filename, slugify
from salon_gen.text import frontmatter
from salon_gen.text.frontmatter import parse_datetime

if TYPE_CHECKING:
    from salon_gen.following.fetch import FetchLimits

Fetcher = Callable[[str], FetchResult]

SLUG_MAX = 60  # characters of a generated slug; file names stay readable in a listing

# --- decoding and reading HTML -----------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
# WHATWG Encoding §4.2: these labels mean windows-1252 in a browser, and so they do here.
_AS_1252 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"})


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _AS_1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """The text of an HTML page: BOM, then the HTTP charset, then `<meta charset>` in the
    first 1024 bytes (HTML §13.2.3.2's prescan window), then UTF-8, then windows-1252."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    declared = None
    if content_type and (m := _CT_CHARSET.search(content_type)):
        declared = _codec(m.group(1))
    if declared is None and (m2 := _META_CHARSET.search(body[:1024])):
        declared = _codec(m2.group(1).decode("ascii"))
    if declared is not None and not declared.startswith("utf-16"):
        # a page that says UTF-16 without a BOM is really ASCII-compatible (HTML §13.2.3.2)
        return body.decode(declared, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


# C0 and C1 controls (but the whitespace ones), DEL, lone surrogates, noncharacters.
_JUNK = re.compile("[\x00-\x08\x0b\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def collapse(text: str) -> str:
    """Text for one line: control characters dropped, whitespace runs (newlines, tabs,
    no-break spaces) as single spaces, ends trimmed. Text stays text: nothing is decoded."""
    return " ".join(_JUNK.sub("", text).split())


class _TitleParser(HTMLParser):
    """The first `<title>` outside inline SVG (whose `<title>` names a drawing, not the page)
    and the first `og:title`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.og_title: str | None = None
        self.title: str | None = None
        self._svg = 0
        self._in_title = False
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self._svg += 1
        elif tag == "title" and self._svg == 0 and self.title is None:
            self._in_title = True
        elif tag == "meta" and self.og_title is None:
            values = {k: (v or "") for k, v in attrs}
            which = values.get("property", values.get("name", "")).strip().lower()
            if which == "og:title" and collapse(values.get("content", "")):
                self.og_title = collapse(values.get("content", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self._svg:
            self._svg -= 1
        elif tag == "title" and self._in_title:
            self._in_title = False
            self.title = collapse("".join(self._parts)) or None
            self._parts.clear()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._parts.append(data)

    def best(self) -> str | None:
        if self.title is None and self._in_title:  # a <title> still open at the end of input
            self.title = collapse("".join(self._parts)) or None
        return self.og_title or self.title


def feed_html(parser: HTMLParser, text: str) -> None:
    """Feed `text` to an `html.parser` parser; malformed markup never raises out of here."""
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):  # very old html.parser raised these on bad "<!"
        pass


def page_title(html: bytes, content_type: str | None = None) -> str | None:
    """The page's `og:title`, else its `<title>`: plain text, whitespace collapsed."""
    parser = _TitleParser()
    feed_html(parser, decode_html(html, content_type))
    return parser.best()


def fetch_page_title(
    url: str, limits: FetchLimits | None = None, *, fetcher: Fetcher | None = None
) -> str | None:
    """The title of the page at `url`, or None when it cannot be had (not HTML, not 200,
    unreachable). Shell: one HTTP GET through `fetch.fetch_one` unless `fetcher` is given."""
    result = _fetch(url, limits, fetcher)
    if result.status != 200 or result.body is None:
        return None
    kind = (result.content_type or "").split(";", 1)[0].strip().lower()
    if kind and kind not in ("text/html", "application/xhtml+xml"):
        return None
    return page_title(result.body, result.content_type)


def _fetch(url: str, limits: FetchLimits | None, fetcher: Fetcher | None) -> FetchResult:
    if fetcher is not None:
        return fetcher(url)
    from salon_gen.following.fetch import FetchLimits, FetchRequest, fetch_one

    return fetch_one(FetchRequest(url=url), limits or FetchLimits())


# --- a shared URL that a friend's feed already has ---------------------------------------------


def url_key(url: str) -> str:
    """What two URLs of the same page have in common: host without "www." and default port,
    path without trailing slashes, query. Scheme, user, fragment and host case are ignored."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = parts.hostname or ""
    host = host.removeprefix("www.")
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    key = host + parts.path.rstrip("/")
    return f"{key}?{parts.query}" if parts.query else key


def share_from_store(
    url: str, entries: Sequence[FeedEntry], feed_owner: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """(title, person id) when `url` is the link of a stored entry: the newest such entry
    (`entries` come newest first from `FeedStore.entries`), credited to whoever follows its
    feed (`feed_owner`: feed URL -> person id). (None, None) when no entry links there."""
    key = url_key(url)
    for entry in entries:
        if entry.link and url_key(entry.link) == key:
            owner = feed_owner.get(entry.feed_url) or entry.person_id or None
            return collapse(entry.title) or None, owner
    return None, None


# --- writing front matter ----------------------------------------------------------------------

_PLAIN_TEXT = re.compile(r"[A-Za-z](?:[A-Za-z0-9 ._'-]*[A-Za-z0-9])?")
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~/-]*)?")
# YAML 1.1 words a plain scalar would turn into a bool or null (PyYAML's resolver, any case).
_SURROGATE = re.compile("[\ud800-\udfff]")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _escape(ch: str) -> str:
    if ch in '"\\':
        return "\\" + ch
    o = ord(ch)
    # YAML 1.1 §5.1: C0, DEL, C1, U+FFFE and U+FFFF are not printable; U+2028/9 and U+0085
    # are line breaks that a double-quoted scalar would fold, and a BOM would be swallowed.
    if o < 0x20 or 0x7F <= o <= 0x9F or o in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF):
        return f"\\x{o:02X}" if o < 0x100 else f"\\u{o:04X}"
    return ch


def yaml_text(value: str) -> str:
    """`value` as a YAML scalar that reads back as exactly this string, in block and flow
    context alike: plain when it is obviously safe (`Maya Okafor`, a simple URL), else
    double-quoted with escapes (`"Ana: \\"the\\" Poet"`). ValueError for a lone surrogate,
    which no UTF-8 file (and no YAML escape) can hold."""
    if _SURROGATE.search(value):
        raise ValueError(f"{value!r} holds a lone surrogate; it cannot be written as UTF-8")
    if (_PLAIN_TEXT.fullmatch(value) or _PLAIN_URL.fullmatch(value)) and (
        value.lower() not in _YAML_WORDS and "  " not in value
    ):
        return value
    return '"' + "".join(_escape(ch) for ch in value) + '"'


def yaml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(yaml_text(v) for v in values) + "]"


def verify_front_matter(text: str, expected: Mapping[str, Any]) -> None:
    """ValueError unless `text`'s front matter reads back (safe loader, as a build reads it)
    to exactly `expected`: a file salon writes is never one salon cannot read."""
    fm, diags = frontmatter.split(text, "<new file>")
    if fm is None:
        raise ValueError("; ".join(d.message for d in diags) or "unreadable front matter")
    if dict(fm.data) != dict(expected):
        raise ValueError(f"front matter reads back as {dict(fm.data)!r}, not {dict(expected)!r}")


# --- share files -------------------------------------------------------------------------------


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as `notes` reads them (trimmed, spelt as written, once each whatever the case);
    ValueError for a tag with no letter or digit."""
    seen: dict[str, str] = {}
    for tag in tags:
        tag = collapse(tag)
        if not slugify(tag):
            raise ValueError(f"tag {tag!r} has no letters or digits")
        seen.setdefault(tag.casefold(), tag)
    return tuple(seen.values())


def _date_text(date: datetime, zone: tzinfo) -> str:
    """`YYYY-MM-DD HH:MM` in the site's zone; with the offset only when the wall time alone
    would read back as another moment (the repeated hour when clocks go back)."""
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError(f"date {date!r} has no time zone")
    local = date.astimezone(zone).replace(second=0, microsecond=0)
    text = f"{local:%Y-%m-%d %H:%M}"
    # Compared in UTC: PEP 495 makes a time in the repeated hour unequal to any time in
    # another zone, even the same instant.
    if parse_datetime(text, zone) != local.astimezone(UTC):
        text = local.isoformat(timespec="minutes")
    return text


def check_via(via: str | None, people: Iterable[str]) -> None:
    """Refuse a `--via` that the next build would refuse: an id that is not one of `people`
    (the ids in content/people/). A URL, or nothing, passes. ValueError with a hint."""
    if via is None or not via.strip() or is_http_url(via.strip()):
        return
    ids = set(people)
    if via.strip() not in ids:
        raise ValueError(
            f"no person '{via.strip()}' in content/people/; "
            + person_hint(via.strip(), ids, "or give an https:// URL")
        )


def render_share_file(
    *,
    link: str,
    title: str | None,
    date: datetime,
    via: str | None,
    tags: Iterable[str],
    commentary: str,
    zone: tzinfo,
) -> str:
    """A share file (`content/shares/*.md`) whose front matter `notes.parse_note("share", ...)`
    reads back to these values: `link`; `title` with whitespace collapsed (None: the domain is
    shown); `date` to the minute, written in the site's `zone`; `via` (a person id or an
    http(s) URL); `tags` lowercased, once each. `commentary` is the Markdown body.
    ValueError for a value the file could not hold (a non-http link, a naive date...)."""
    link = link.strip()
    if not is_http_url(link):
        raise ValueError(f"link {link!r} is not an http or https URL")
    data: dict[str, Any] = {"link": link}
    lines = [f"link: {yaml_text(link)}"]
    if title is not None and collapse(title):
        data["title"] = collapse(title)
        lines.append(f"title: {yaml_text(data['title'])}")
    data["date"] = _date_text(date, zone)
    lines.append(f"date: {data['date']}")
    if via is not None and via.strip():
        via = via.strip()
        if not is_http_url(via) and (":" in via or slugify(via) != via):
            raise ValueError(f"via {via!r} is neither a person's id nor an http(s) URL")
        data["via"] = via
        lines.append(f"via: {yaml_text(via)}")
    if cleaned := clean_tags(tags):
        data["tags"] = list(cleaned)
        lines.append(f"tags: {yaml_list(cleaned)}")
    body = commentary.strip("\n")
    text = "---\n" + "\n".join(lines) + "\n---\n" + (body + "\n" if body.strip() else "")
    verify_front_matter(text, data)
    return text


def _short(slug: str) -> str:
    if len(slug) <= SLUG_MAX:
        return slug
    cut = slug[:SLUG_MAX]
    return cut.rsplit("-", 1)[0] if "-" in cut and slug[SLUG_MAX] != "-" else cut


def share_slug(title_or_url: str) -> str:
    """The slug part of a share's file name: from the title, else from a URL's domain and last
    path segment (`example-com-the-essay`), else "share"."""
    text = title_or_url.strip()
    if is_http_url(text):
        parts = urlsplit(text)
        last = parts.path.rstrip("/").rsplit("/", 1)[-1]
        stem = last.rsplit(".", 1)[0] if "." in last else last
        slug = slugify(f"{domain_of(text)} {stem}".replace(".", "-"))
    else:
        slug = slugify(text)
    return _short(slug).strip("-") or "share"


def _taken_slugs(folder: Path) -> set[str]:
    """The slugs (hence URLs, `shares/<slug>/`) that the shares already there have."""
    taken: set[str] = set()
    if not folder.is_dir():
        return taken
    for path in folder.rglob("*.md"):
        taken.add(slug_from_filename(path.stem))
        try:
            fm, _ = frontmatter.split(path.read_text(encoding="utf-8"), path.name)
        except (OSError, UnicodeDecodeError):
            continue
        if fm is not None and isinstance(explicit := fm.data.get("slug"), str):
            taken.add(explicit.strip())
    return taken


def share_path(root: Path, title_or_url: str, date: datetime, *, zone: tzinfo) -> Path:
    """`content/shares/YYYY-MM-DD-<slug>.md` (the day in the site's `zone`) for a new share,
    whose file and URL are both new: `-2`, `-3`... when another share already has the slug,
    whatever its day (every share's page is `shares/<slug>/`). Reads the disk, writes nothing."""
    folder = root / "content" / "shares"
    day = date.astimezone(zone).date().isoformat()
    base = share_slug(title_or_url)
    taken = _taken_slugs(folder)
    for n in itertools.count(1):
        stem = f"{day}-{base}" if n == 1 else f"{day}-{base}-{n}"
        path = folder / f"{stem}.md"
        if slug_from_filename(stem) not in taken and not path.exists():
            return path
    raise AssertionError("unreachable")  # pragma: no cover


def write_share(path: Path, text: str) -> Path:
    """Write a new share file; FileExistsError rather than replace one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return path
