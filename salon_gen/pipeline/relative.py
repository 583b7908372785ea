"""Links in a rendered page made relative to the page, so that a site opened from disk works.

Pure. Owns `relativize`: in one HTML page, every URL attribute (href, src, srcset, poster,
action, formaction, data, and the url of a `<meta http-equiv="refresh">`) whose value starts
with the site's base path ("/" or "/blog/") is rewritten relative to where the page lives
("../../theme/salon.css"), and a link to a folder ("/notes/x/") names the folder's
`index.html`, since `file://` serves no index page. Absolute URLs (https, canonical,
og:url), same-page fragments and protocol-relative URLs stay exactly as they are.

The page is read by the standard library's HTML tokenizer (`html.parser`), which knows where
comments, scripts and styles are; each tag's own text is then read attribute by attribute
(the HTML tokenizer's attribute states) and only the bytes of a rewritten value change, so
the rest of the page stays byte for byte what the template made. Must not touch feeds, the
sitemap or OPML: those keep absolute URLs.
"""

from __future__ import annotations

import html as htmlmod
import posixpath
from html.parser import HTMLParser
from urllib.parse import urlsplit

_URL_ATTRS = frozenset({"href", "src", "poster", "action", "formaction", "data"})
_SPACE = " \t\n\r\f"


def relativize(page: str, output: str, base_path: str) -> str:
    """`page` (the HTML of the file at site-relative `output`, e.g. "notes/x/index.html")
    with its root-relative URLs under `base_path` made relative to it."""
    needle = ("=" + base_path, "='" + base_path, '="' + base_path)
    if not any(n in page for n in needle) and "srcset" not in page:
        return page
    here = posixpath.dirname(output)
    finder = _Tags()
    finder.feed(page)
    finder.close()
    lines = _line_starts(page)
    out: list[str] = []
    done = 0
    for (line, col), text in finder.tags:
        start = lines[line - 1] + col
        if page.startswith(text, start):
            for a, b, value in _rewrites(text, base_path, here):
                out.append(page[done : start + a])
                out.append(value)
                done = start + b
    out.append(page[done:])
    return "".join(out)


class _Tags(HTMLParser):
    """Collects the position and source text of every start tag (comments, script and
    style bodies are the tokenizer's to skip)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.tags: list[tuple[tuple[int, int], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = self.get_starttag_text()
        if text is not None:
            self.tags.append((self.getpos(), text))

    handle_startendtag = handle_starttag


def _line_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find("\n")
    while at != -1:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def _attributes(tag: str) -> list[tuple[str, int, int, str | None]]:
    """(name, start, end, quote) of each attribute value in a start tag's text; the
    attribute-name, before/after-value states of the HTML tokenizer (WHATWG §13.2.5.32-39)."""
    found: list[tuple[str, int, int, str | None]] = []
    i = 1
    n = len(tag)
    while i < n and tag[i] not in _SPACE + "/>":
        i += 1  # the tag name
    while i < n:
        while i < n and (tag[i] in _SPACE or tag[i] == "/"):
            i += 1
        if i >= n or tag[i] == ">":
            break
        name_start = i
        i += 1  # an attribute name may begin with "="
        while i < n and tag[i] not in _SPACE + "/>=":
            i += 1
        name = tag[name_start:i].lower()
        while i < n and tag[i] in _SPACE:
            i += 1
        if i >= n or tag[i] != "=":
            continue  # an attribute with no value
        i += 1
        while i < n and tag[i] in _SPACE:
            i += 1
        if i < n and tag[i] in "\"'":
            quote = tag[i]
            end = tag.find(quote, i + 1)
            end = n if end == -1 else end
            found.append((name, i + 1, end, quote))
            i = end + 1
        else:
            start = i
            while i < n and tag[i] not in _SPACE + ">":
                i += 1
            found.append((name, start, i, None))
    return found


def _rewrites(tag: str, base_path: str, here: str) -> list[tuple[int, int, str]]:
    """(start, end, new text) for each value in `tag` to rewrite, in order."""
    attrs = _attributes(tag)
    refresh = any(
        name == "http-equiv" and htmlmod.unescape(tag[a:b]).strip().lower() == "refresh"
        for name, a, b, _ in attrs
    )
    changes: list[tuple[int, int, str]] = []
    for name, a, b, quote in attrs:
        raw = htmlmod.unescape(tag[a:b])
        if name in _URL_ATTRS:
            new = relative_url(raw, base_path, here)
        elif name == "srcset":
            new = _srcset(raw, base_path, here)
        elif name == "content" and refresh:
            new = _refresh(raw, base_path, here)
        else:
            continue
        if new != raw:
            changes.append((a, b, _escape(new, quote)))
    return changes


def _escape(value: str, quote: str | None) -> str:
    value = value.replace("&", "&amp;")
    if quote is None:  # an unquoted value cannot hold these; quoting it would move bytes
        return value.replace(" ", "%20").replace(">", "%3E").replace('"', "%22")
    return value.replace(quote, "&quot;" if quote == '"' else "&#39;")


def relative_url(url: str, base_path: str, here: str) -> str:
    """`url` relative to the folder `here` (site-relative, "" for the root) when it starts
    with `base_path`; a folder's URL names its index.html. Anything else is returned as is."""
    stripped = url.strip(_SPACE)
    if not stripped.startswith(base_path) or stripped.startswith("//"):
        return url
    try:
        parts = urlsplit(stripped)
    except ValueError:
        return url
    if parts.scheme or parts.netloc or not parts.path.startswith(base_path):
        return url
    target = parts.path[len(base_path) :]
    if target == "" or target.endswith("/"):
        target += "index.html"
    rel = posixpath.relpath(target, here or ".")
    if parts.query:
        rel += "?" + parts.query
    if parts.fragment or stripped.endswith("#"):
        rel += "#" + parts.fragment
    return rel


def _srcset(value: str, base_path: str, here: str) -> str:
    """Each image candidate's URL made relative; descriptors and separators kept."""
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        start = i
        while i < n and (value[i] in _SPACE or value[i] == ","):
            i += 1
        out.append(value[start:i])
        start = i
        while i < n and value[i] not in _SPACE:
            i += 1
        url = value[start:i]
        trail = ""
        while url.endswith(","):  # "a.png," is a URL followed by its separator
            url, trail = url[:-1], trail + ","
        out.append(relative_url(url, base_path, here) + trail)
        start = i
        if not trail:
            while i < n and value[i] != ",":
                i += 1
        out.append(value[start:i])
    return "".join(out)


def _refresh(value: str, base_path: str, here: str) -> str:
    """`0; url=/x/` with its URL made relative (HTML §4.2.5.3, the refresh state)."""
    lower = value.lower()
    at = lower.find("url=")
    if at == -1:
        return value
    url = value[at + 4 :].strip(_SPACE)
    quote = url[:1] if url[:1] in "\"'" else ""
    inner = url[1:-1] if quote and url.endswith(quote) else url
    new = relative_url(inner, base_path, here)
    return value[: at + 4] + (quote + new + quote if quote and url.endswith(quote) else new)
