"""Remote HTML made safe to show, and the plain-text views of remote titles and summaries.

Pure functions only. Owns the allowlist for HTML that followed people's feeds send us (tags,
attributes, URL schemes), the rule that every URL in it is absolute http(s) (or mailto for
links), and what "plain text" means for a remote title. The only module that imports nh3.
Must not parse feeds (that is `ingest`), fetch anything, or trust any sanitizing done before
it: feedparser's own sanitizer is off, and this module assumes its input is hostile.

Decisions:
- nh3 (ammonia, html5ever) parses like a browser does, so entity and whitespace tricks
  (`java&#x09;script:`, `javascript&colon;`) are decoded before any URL is judged; the
  URL check here then refuses, once more decoded, anything but http(s) (and mailto links).
- Headings move two levels down (h1 -> h3, h2 -> h4, ..., h5 and h6 -> h6), so a friend's
  `<h1>` never outranks our page title or the entry's own heading, and their outline keeps
  its order.
- A protocol-relative URL (`//host/x`) takes the scheme of the base, as it would on the
  page it came from. Relative URLs with no http(s) base to resolve against are dropped.
- `<noscript>` is unwrapped (lazy-loading themes put the real `<img>` in it); an `<img>`
  left without a usable src is dropped rather than shown broken.
- C1 control characters are read as windows-1252, as browsers read them.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import nh3

from salon_gen.core.urls import is_http_url

LINK_REL = "nofollow ugc noopener"

# Readable markup only: no forms, media players, frames, scripts, styles or foreign content.
TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
        "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
        "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
        "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
    }
)  # fmt: skip

ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset(),  # without this key nh3 allows `lang` and `title` everywhere
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "abbr": frozenset({"title"}),
    "dfn": frozenset({"title"}),
    "time": frozenset({"datetime"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan"}),
    "ol": frozenset({"start", "reversed"}),
    "q": frozenset({"cite"}),
    "blockquote": frozenset({"cite"}),
}

# Elements dropped together with everything inside them: their text is code, styling or an
# embedding's fallback, never prose. (<noscript> is unwrapped instead: see _NOSCRIPT.)
DROPPED_WITH_CONTENT = frozenset(
    {
        "applet", "frameset", "iframe", "math", "noembed", "noframes", "object", "plaintext",
        "script", "select", "style", "svg", "template", "textarea", "title", "xmp",
    }
)  # fmt: skip

_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_HTTP_SCHEMES = frozenset({"http", "https"})
# Where a heading stands once demoted two levels (a fixed shift keeps the author's outline).
_DEMOTED = {str(n): str(min(n + 2, 6)) for n in range(1, 7)}
# C1 controls are what windows-1252 text looks like when read as ISO-8859-1 (“ becomes
# U+0093): read them as windows-1252, as browsers do (WHATWG Encoding maps the label
# "iso-8859-1" to windows-1252; HTML does the same for &#x80;-&#x9F;). Five have no glyph.
_C1_AS_WINDOWS_1252 = {c: bytes([c]).decode("cp1252", "ignore") or None for c in range(0x80, 0xA0)}
# Characters no text of ours should carry: C0/C1 controls but tab, newline and CR; DEL;
# lone surrogates (nh3 cannot even encode them); Unicode noncharacters.
_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# WHATWG URL parsing removes tab and newlines anywhere in a URL ("java\tscript:").
_URL_INVISIBLE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# A tag as nh3 writes it: lowercase name, every attribute name="value" with `"` escaped
# inside, and "<" escaped in text; so matching from the left never starts inside a value.
_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[^\s="<>/]+="[^"]*")*)\s*/?>')
_ANY_TAG = re.compile(r"<[^>]*>")
# <noscript> content is raw text to a parser with scripting on (nh3's): it would come out
# as visible "<img src=...>" text. Unwrapped, its markup is cleaned like any other.
_NOSCRIPT = re.compile(r"</?noscript\b[^>]*>", re.IGNORECASE)

# Tags that separate words: in plain text each becomes a space.
_BREAKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th",
        "tr", "ul",
    }
)  # fmt: skip
_TEXT_CLEANER = nh3.Cleaner(
    tags=_BREAKS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes={},
    link_rel=None,
)
_ELLIPSIS = "\u2026"


def sanitize_html(html: str, base_url: str) -> str:
    """Remote HTML reduced to the allowlist, with every URL absolute against `base_url`.

    Links get `rel="nofollow ugc noopener"`, images `loading="lazy"`. URLs must be http or
    https (links may also be mailto); anything else is dropped with its attribute, the
    element stays. The same input always gives the same output.
    """

    base = base_url if is_http_url(base_url) else None

    def keep(tag: str, attribute: str, value: str) -> str | None:
        # Called by nh3 for every allowed attribute; must never raise.
        if attribute == "href":
            return _safe_url(value, base, _LINK_SCHEMES)
        if attribute in ("src", "cite"):  # nh3 does not check `cite` itself
            return _safe_url(value, base, _HTTP_SCHEMES)
        return value

    cleaner = nh3.Cleaner(
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=keep,
        link_rel=LINK_REL,
        url_schemes=_LINK_SCHEMES,
        # nh3 asks `keep` first; a URL still relative after it is dropped. (The string "deny"
        # would drop relative URLs before `keep` could resolve them.)
        url_relative=_drop,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
    )
    cleaned = cleaner.clean(_NOSCRIPT.sub("", _clean_characters(html)))
    return _TAG.sub(_finish_tag, cleaned)


def plain_text(value: str) -> str:
    """A title or summary as plain text: tags stripped (the text of scripts and styles too),
    entities decoded, control characters dropped, whitespace collapsed to single spaces.

    The result is text, not markup: templates escape it. A "<" that starts no tag stays
    ("a < b" is text in HTML too), and so does escaped markup ("&lt;b&gt;" is "<b>").
    """
    value = _clean_characters(value)
    if "<" in value or "&" in value:
        value = html.unescape(_ANY_TAG.sub(" ", _TEXT_CLEANER.clean(value)))
        value = _clean_characters(value)  # entities can spell them too: &#0;, &#x9b;
    return " ".join(value.split())


def safe_link(url: str | None, base: str) -> str | None:
    """`url` as an absolute http(s) URL, resolved against `base` if relative; else None.

    None for every other scheme (javascript:, data:, file:, ...), however written: tabs and
    newlines inside, leading spaces, entities (`javascript&colon;`) and mixed case are all
    seen through.
    """
    if url is None:
        return None
    return _safe_url(url, base if is_http_url(base) else None, _HTTP_SCHEMES)


def excerpt(text: str, words: int = 50) -> str:
    """The first `words` words of plain `text`, cut on a word boundary and marked with "…"."""
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(" .,;:!?\u2013\u2014\u2026-") + _ELLIPSIS


def _safe_url(url: str, base: str | None, schemes: frozenset[str]) -> str | None:
    """The absolute form of `url` if its scheme is one of `schemes`, else None. `base` is
    an absolute http(s) URL or None (then relative URLs are None too)."""
    value = _URL_INVISIBLE.sub("", url).strip()
    if not value or _JUNK.search(value):
        return None
    # A scheme hidden behind entities ("javascript&colon;", "&#106;avascript:") would turn
    # real if the value were ever decoded once more: refuse it as if it were written plainly.
    hidden = _SCHEME.match(_URL_INVISIBLE.sub("", html.unescape(value)).strip())
    if hidden and hidden.group(1).lower() not in schemes:
        return None
    match = _SCHEME.match(value)
    scheme = match.group(1).lower() if match else None
    if scheme == "mailto":
        return value if "mailto" in schemes and " " not in value else None
    try:
        if scheme is None:
            if base is None:
                return None
            value = urljoin(base, _browser_slashes(value))
        elif scheme in _HTTP_SCHEMES:
            value = _browser_slashes(value)
        else:
            return None
        value = value.replace(" ", "%20")
        if urlsplit(value).scheme.lower() not in schemes:
            return None
    except ValueError:  # "http://[::1", a bad IPv6 literal
        return None
    return value if is_http_url(value) else None


def _clean_characters(text: str) -> str:
    return _JUNK.sub("", text.translate(_C1_AS_WINDOWS_1252))


def _finish_tag(match: re.Match[str]) -> str:
    """Demote a heading; drop an image that has lost its src (it could only show as broken)."""
    slash, name, attributes = match.group(1), match.group(2), match.group(3)
    if len(name) == 2 and name[0] == "h" and name[1] in _DEMOTED:
        return f"<{slash}h{_DEMOTED[name[1]]}>"
    if name == "img" and ' src="' not in attributes:
        return ""
    return match.group(0)


def _drop(url: str) -> None:
    return None


def _browser_slashes(url: str) -> str:
    """Backslashes before the query read as slashes, as browsers read http(s) URLs
    (WHATWG URL §4.4: "\\\\evil.example/" is a protocol-relative URL to a browser)."""
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return url[:cut].replace("\\", "/") + url[cut:]
