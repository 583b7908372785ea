"""Webmention endpoint discovery (W3C Webmention §3.1.2), over an answer already fetched.

Pure. Owns `find_endpoint`: given the final URL of a target page (after redirects), its
`Link` headers and its body, the endpoint the spec says a sender must use, resolved to an
absolute URL: the first `Link` header value with rel "webmention" wins; else the first
`<link>` or `<a>` element whose rel holds the token "webmention", in document order. Must not
fetch (the caller does, through `fetch`) nor decide whether an endpoint may be used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from urllib.parse import urljoin

REL = "webmention"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def find_endpoint(
    page_url: str, link_headers: Sequence[str], body: bytes | None, content_type: str | None
) -> str | None:
    """The Webmention endpoint of the page at `page_url` (its final URL), or None.

    §3.1.2: relative URLs are resolved against the page URL, an empty href is the page
    itself, and a query string is part of the endpoint (kept as it is)."""
    for header in link_headers:
        for target, rels in parse_link_header(header):
            if REL in rels:
                return urljoin(page_url, target)
    if body is None or not _is_html(content_type):
        return None
    href = first_html_endpoint(body.decode(_charset(content_type), errors="replace"))
    return None if href is None else urljoin(page_url, href)


def parse_link_header(value: str) -> list[tuple[str, frozenset[str]]]:
    """RFC 8288 §3: the (target, rel tokens) of each link-value of one `Link` header, rel
    tokens lower-cased (relation types compare case-insensitively), in order. A value that
    does not parse is left out, not guessed at."""
    found: list[tuple[str, frozenset[str]]] = []
    for part in _split_outside(value, ","):
        part = part.strip()
        if not part.startswith("<") or ">" not in part:
            continue
        target, _, params = part[1:].partition(">")
        rels: frozenset[str] = frozenset()
        for param in _split_outside(params, ";"):
            name, eq, raw = param.partition("=")
            if not eq or name.strip().lower() != "rel":
                continue
            text = raw.strip()
            if len(text) >= 2 and text[0] == text[-1] == '"':
                text = text[1:-1].replace('\\"', '"')
            rels = frozenset(t.lower() for t in text.split())
            break  # §3.3: only the first rel parameter counts
        found.append((target.strip(), rels))
    return found


def _split_outside(text: str, sep: str) -> Iterator[str]:
    """`text` split on `sep`, except inside <...> or "..." (a URL or a quoted rel may hold
    commas and semicolons)."""
    start, quoted, angled, escaped = 0, False, False, False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif quoted:
            if ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "<":
            angled = True
        elif ch == ">":
            angled = False
        elif ch == sep and not angled:
            yield text[start:i]
            start = i + 1
    yield text[start:]


def first_html_endpoint(html: str) -> str | None:
    """The href of the first `<link>` or `<a>` with rel token "webmention" that has an href
    (an empty one included), in document order; None if there is none. Comments, escaped
    text and script or style contents are not markup, so nothing in them counts."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.href


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.href is not None or tag not in ("link", "a"):
            return
        values: dict[str, str | None] = {}
        for name, value in reversed(attrs):  # a repeated attribute: HTML keeps the first
            values[name] = value
        rels = (values.get("rel") or "").lower().split()
        href = values.get("href")
        # §3.1.2 (webmention.rocks test 20): a <link rel="webmention"> with no href is
        # skipped; an empty href is the page itself.
        if REL in rels and href is not None:
            self.href = href.strip()

    handle_startendtag = handle_starttag


def _is_html(content_type: str | None) -> bool:
    if not content_type:
        return True  # no type said: read it as the HTML it almost always is
    return content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES


def _charset(content_type: str | None) -> str:
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
            try:
                "".encode(charset)
            except LookupError:
                break
            return charset
    return "utf-8"
