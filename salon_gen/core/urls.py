"""URLs and paths: slugs, absolute links, and rewriting links inside our own HTML.

Pure functions only. Owns the rules that keep every output path inside the site folder
(`is_safe_slug`, `safe_output_path`) and the one place URLs in rendered HTML are rewritten.
Must not parse remote HTML (that is the sanitizer's job) and must not touch the disk.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote, urljoin, urlsplit

_NOT_SLUG = re.compile(r"[^\w]+")
_SLUG = re.compile(r"^\w[\w-]*$")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")
# href/src/poster attributes in HTML that *we* rendered (Markdown output, templates): values
# are always quoted there, which is what makes a regex enough.
_URL_ATTR = re.compile(r'(\s(?:href|src|poster)=)(["\'])(.*?)\2', re.IGNORECASE | re.DOTALL)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@functools.lru_cache(maxsize=65536)  # tags and names repeat across thousands of notes
def slugify(text: str) -> str:
    """A URL- and file-safe slug: lowercase words joined by hyphens, letters kept as letters."""
    text = unicodedata.normalize("NFKC", text).lower().replace("_", "-")
    text = text.replace("'", "").replace("\u2019", "")
    return _NOT_SLUG.sub("-", text).strip("-")


# The symbols that tell apart tags whose letters are the same (`C`, `C#`, `C++`, `F#`,
# `.NET`): as words in an interest's slug, so that each gets a page of its own with a
# readable address. Only the slugs of interests use them; heading ids, file names and person
# ids keep `slugify` (nothing depends on symbols there, and their URLs must not move).
INTEREST_SYMBOLS = (
    (re.compile(r"\+"), " plus "),  # C++ -> c-plus-plus, Google+ -> google-plus
    (re.compile(r"(?<=\w)#"), " sharp "),  # C#, F# -> c-sharp, f-sharp (not a leading #tag)
    (re.compile(r"(?<![\w.])\.(?=\w)"), "dot"),  # .NET -> dotnet (not node.js)
)


@functools.lru_cache(maxsize=65536)
def interest_slug(tag: str) -> str:
    """The slug of an interest named `tag`: `slugify`, with the symbols of INTEREST_SYMBOLS
    spelt out as words first. Case still folds: `Python` and `python` are one interest."""
    text = unicodedata.normalize("NFKC", tag)
    for symbol, word in INTEREST_SYMBOLS:
        text = symbol.sub(word, text)
    return slugify(text)


def slug_from_filename(stem: str) -> str:
    """`2026-03-05-checking-in` -> `checking-in`; `notes` -> `notes`."""
    return slugify(_DATE_PREFIX.sub("", stem)) or slugify(stem)


# A slug is one folder of the site (notes/<slug>/index.html). Folder names are limited to
# 255 bytes by ext4, XFS, APFS and ZFS (NAME_MAX; NTFS counts 255 UTF-16 units, which a name
# within 255 UTF-8 bytes always fits). Windows reserves the names of its devices, whatever
# their case or extension: no folder there can be called CON or nul (Microsoft, "Naming
# Files, Paths, and Namespaces"). Either makes the site impossible to write, check out or
# copy somewhere, so salon refuses it on every system, not only where it would fail.
MAX_SEGMENT_BYTES = 255
_WINDOWS_DEVICE = re.compile(
    r"^(?:con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])$"
)


def segment_problem(segment: str) -> str | None:
    """Why `segment` cannot be the name of a folder of the site on every system; None when
    it can. Pure: says what, in words that follow the thing it is about."""
    size = len(segment.encode("utf-8", "surrogateescape"))
    if size > MAX_SEGMENT_BYTES:
        return f"is {size} bytes long; a file name may be at most {MAX_SEGMENT_BYTES} bytes"
    if _WINDOWS_DEVICE.match(segment.split(".", 1)[0].rstrip(" ").casefold()):
        return (
            "is a device name on Windows (as CON, NUL, COM1 are): "
            "no file or folder there can have it"
        )
    return None


def is_safe_slug(slug: str) -> bool:
    """True for a single path segment made of word characters and hyphens (no dots, slashes)."""
    return bool(_SLUG.match(slug))


def safe_output_path(path: str) -> bool:
    """True if `path` (site-relative, forward slashes) stays inside the site folder."""
    if not path or path.startswith(("/", "\\")) or "\\" in path or "\x00" in path:
        return False
    if re.match(r"^[a-zA-Z]:", path):
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def is_local_feed(feed: str) -> bool:
    """True for a feed written as a file path inside the salon folder ("feeds/ada.xml"):
    relative, forward slashes, no scheme, no `.`/`..` parts. Where it leads on disk (a
    symlink out) is checked when it is read."""
    return (
        ":" not in feed
        and not any(c.isspace() and c != " " for c in feed)
        and (safe_output_path(feed))
    )


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace or control characters."""
    if not url or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def domain_of(url: str) -> str:
    """The host of `url` without a leading "www.", for showing where a link goes."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def site_path(base_path: str, path: str) -> str:
    """A link from one page of the site to another: base path + site-relative path."""
    if _SCHEME.match(path) or path.startswith("//"):
        return path
    return base_path + quote(path.lstrip("/"), safe="/#?=&%~.-_")


def absolute(base_url: str, path: str) -> str:
    """The absolute URL of a site-relative path (already absolute URLs pass through)."""
    if _SCHEME.match(path) or path.startswith("//"):
        return path
    return base_url + quote(path.lstrip("/"), safe="/#?=&%~.-_")


def rewrite_urls(html: str, rewrite: Callable[[str], str]) -> str:
    """Apply `rewrite` to every href/src/poster value in HTML that salon itself produced."""
    return rewrite_url_attrs(html, lambda _attr, url: rewrite(url))


def rewrite_url_attrs(html: str, rewrite: Callable[[str, str], str]) -> str:
    """`rewrite_urls`, telling `rewrite` the attribute too ("href", "src" or "poster",
    lowercased): a missing image is reported differently from a link to nowhere."""

    def one(m: re.Match[str]) -> str:
        attr = m.group(1).strip().rstrip("=").lower()
        return f"{m.group(1)}{m.group(2)}{rewrite(attr, m.group(3))}{m.group(2)}"

    return _URL_ATTR.sub(one, html)


def absolutize(html: str, page_url: str) -> str:
    """Make every link in `html` absolute against `page_url` (for feeds, where there is no
    base: RSS and JSON Feed have none, and Atom readers often ignore xml:base)."""

    def fix(url: str) -> str:
        if not url or _SCHEME.match(url) or url.startswith("//"):
            return url
        return urljoin(page_url, url)

    return rewrite_urls(html, fix)
