"""Text conversions from other generators' dialects to salon Markdown: Liquid (Jekyll),
Hugo shortcodes, kramdown attribute lines, WordPress block comments and shortcodes.

Pure: text in, text and diagnostics out. Every replacement keeps the number of lines it
replaces (padding with blank lines), so a line reported after one pass is the line of the
original file. What cannot be converted is left exactly as written and reported, once, by
`leftovers` (or by the pass that knew why). Links to other files are not resolved here: a
`Resolve` callback, given by the reader that knows the site, turns a reference into a path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from salon_gen.core.errors import Diagnostic
from salon_gen.core.urls import interest_slug, slugify

# Resolve(kind, target, line) -> the new link, or None when the target is unknown.
# kinds: "post" (Jekyll post_url), "link" (Jekyll link), "ref" (Hugo ref/relref),
# "filename" / "static" / "attach" (Pelican).
Resolve = Callable[[str, str, int], str | None]

_OPEN, _MID, _CLOSE = "\ue000", "\ue001", "\ue002"
_PROTECTED = re.compile(f"{_OPEN}(\\d+){_MID}\\n*{_CLOSE}")


@dataclass(slots=True)
class Body:
    """A body being converted: its text, where it starts in its file, what was found."""

    path: str
    text: str
    first_line: int = 1  # the file line of the body's first line
    diags: list[Diagnostic] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # protected segments (raw blocks...)

    def line_at(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, offset)

    def warn(self, line: int, message: str, hint: str | None = None) -> None:
        self.diags.append(
            Diagnostic(path=self.path, line=line, severity="warning", message=message, hint=hint)
        )

    def protect(self, segment: str) -> str:
        """A placeholder, with as many lines as `segment`, that later passes do not touch."""
        self.kept.append(segment)
        return f"{_OPEN}{len(self.kept) - 1}{_MID}" + "\n" * segment.count("\n") + _CLOSE

    def sub(self, pattern: re.Pattern[str], fn: Callable[[re.Match[str], int], str]) -> None:
        self.text = pattern.sub(lambda m: fn(m, self.line_at(m.start())), self.text)

    def finish(self) -> str:
        """The converted text with every protected segment put back."""
        text = self.text
        while _OPEN in text:
            text = _PROTECTED.sub(lambda m: self.kept[int(m.group(1))], text)
        return text


def pad(replacement: str, original: str) -> str:
    """`replacement` followed by blank lines up to `original`'s number of lines."""
    missing = original.count("\n") - replacement.count("\n")
    return replacement + "\n" * max(missing, 0)


def fence(lang: str, code: str) -> str:
    code = code.strip("\n")
    ticks = "```"
    while ticks in code:
        ticks += "`"
    return f"{ticks}{lang}\n{code}\n{ticks}"


# --- Liquid (Jekyll) ---------------------------------------------------------------------

_L = r"\{%-?\s*"
_R = r"\s*-?%\}"
_RAW = re.compile(_L + r"raw" + _R + r"(.*?)" + _L + r"endraw" + _R, re.DOTALL)
_COMMENT = re.compile(_L + r"comment" + _R + r".*?" + _L + r"endcomment" + _R, re.DOTALL)
_HIGHLIGHT = re.compile(
    _L + r"highlight\s+([\w+#.-]+)[^%]*?" + _R + r"\n?(.*?)" + _L + r"endhighlight" + _R,
    re.DOTALL,
)
_POST_URL = re.compile(_L + r"post_url\s+([^\s%]+)" + _R)
_LINK = re.compile(_L + r"link\s+([^\s%]+)" + _R)
_GIST = re.compile(_L + r"gist\s+([\w/-]+)(?:\s+[^\s%]+)?" + _R)
_SITE_URL = re.compile(r"\{\{-?\s*site\.(?:url|baseurl)\s*-?\}\}")
_URL_FILTER = re.compile(
    r"\{\{-?\s*(['\"])([^'\"]*)\1\s*\|\s*(?:relative_url|absolute_url|prepend:\s*site\.baseurl)"
    r"\s*-?\}\}"
)


def liquid(body: Body, resolve: Resolve) -> None:
    """Jekyll's Liquid: raw, comment, highlight, post_url, link, gist, site.url/baseurl."""
    body.sub(_RAW, lambda m, _: body.protect(m.group(1)))
    body.sub(_COMMENT, lambda m, _: pad("", m.group(0)))
    body.sub(_HIGHLIGHT, lambda m, _: pad(fence(m.group(1), m.group(2)), m.group(0)))

    def ref(kind: str) -> Callable[[re.Match[str], int], str]:
        def one(m: re.Match[str], line: int) -> str:
            found = resolve(kind, m.group(1), line)
            if found is None:
                body.warn(
                    line,
                    f"{kind}: '{m.group(1)}' is not among the imported files; left as it is",
                )
                return body.protect(m.group(0))
            return body.protect(found)  # resolved already: not a link to rewrite again

        return one

    body.sub(_POST_URL, ref("post"))
    body.sub(_LINK, ref("link"))
    body.sub(_GIST, lambda m, _: f"[gist {m.group(1)}](https://gist.github.com/{m.group(1)})")
    site_urls(body)


def site_urls(body: Body) -> None:
    """`{{ site.url }}`, `{{ site.baseurl }}` and `{{ '/x' | relative_url }}` (Liquid, also
    left in sites that moved from Jekyll to Hugo): the path alone, which the links pass
    then resolves."""
    body.sub(_URL_FILTER, lambda m, _: m.group(2))
    body.sub(_SITE_URL, lambda m, _: "")


# --- kramdown ----------------------------------------------------------------------------

_TOC = re.compile(r"^[ \t]*(?:[*+-]|1\.)[ \t]+TOC[ \t]*\n[ \t]*\{:\s*\.?toc\s*\}[ \t]*$", re.M)
_IAL_LINE = re.compile(r"^[ \t]*\{:(?!:)[^}\n]*\}[ \t]*$", re.M)
_IAL_INLINE = re.compile(r"(?<=[)*_`\]a-zA-Z0-9])\{:\s*(?:[.#]|[\w-]+=)[^}\n]*\}")
_NOMARKDOWN = re.compile(r"\{::nomarkdown\}(.*?)\{:/(?:nomarkdown)?\}", re.DOTALL)
_KCOMMENT = re.compile(r"\{::comment\}.*?\{:/(?:comment)?\}", re.DOTALL)
_OPTIONS = re.compile(r"\{::options[^}\n]*/\}")


def kramdown(body: Body) -> None:
    """kramdown's attribute lists (`{: .class}`, `{:toc}`), comments and nomarkdown spans;
    salon has no table of contents and no classes on blocks, so they are dropped."""
    body.sub(_TOC, lambda m, _: pad("", m.group(0)))
    body.sub(_KCOMMENT, lambda m, _: pad("", m.group(0)))
    body.sub(_NOMARKDOWN, lambda m, _: m.group(1))
    body.sub(_OPTIONS, lambda m, _: "")
    body.sub(_IAL_LINE, lambda m, _: "")
    body.sub(_IAL_INLINE, lambda m, _: "")


# --- Hugo shortcodes ---------------------------------------------------------------------

_SC_COMMENT = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.DOTALL)
_SC_HIGHLIGHT = re.compile(
    r"\{\{[<%]\s*highlight\s+([\w+#.-]+)[^}]*?[>%]\}\}\n?(.*?)\{\{[<%]\s*/highlight\s*[>%]\}\}",
    re.DOTALL,
)
_SC_DETAILS = re.compile(
    r"\{\{[<%]\s*details\s+(.*?)[>%]\}\}(.*?)\{\{[<%]\s*/details\s*[>%]\}\}", re.DOTALL
)
_SC_MATH = re.compile(
    r"\{\{[<%]\s*(katex|math)(\s+display)?\s*[>%]\}\}(.*?)\{\{[<%]\s*/\s*\1\s*[>%]\}\}",
    re.DOTALL,
)
_SC = re.compile(r"\{\{([<%])\s*(\w[\w.-]*)(.*?)\s*[>%]\}\}", re.DOTALL)
_ARG = re.compile(r'(?:(\w+)=)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+)')


def shortcode_args(text: str) -> tuple[list[str], dict[str, str]]:
    """Positional and named arguments of a shortcode: `a "b c" key="v" k2=w`."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for m in _ARG.finditer(text):
        value = m.group(2)
        if value[:1] in '"`' and len(value) >= 2:
            value = value[1:-1]
            if m.group(2)[0] == '"':
                value = value.replace('\\"', '"')
        if m.group(1):
            named[m.group(1).lower()] = value
        else:
            positional.append(value)
    return positional, named


def _math(tex: str, display: bool) -> str:
    """A KaTeX shortcode as the `$...$` / `$$...$$` salon renders as math."""
    if display or "\n" in tex.strip():
        return "$$\n" + tex.strip("\n") + "\n$$"
    return "$" + tex.strip() + "$"


def md_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def figure(named: dict[str, str], positional: list[str]) -> str | None:
    src = named.get("src") or (positional[0] if positional else "")
    if not src:
        return None
    alt = named.get("alt") or named.get("title") or named.get("caption") or ""
    title = named.get("title")
    if re.search(r"[\s()]", src):
        src = f"<{src}>"  # a file name with spaces or parentheses
    image = f"![{md_text(alt)}]({src}" + (f' "{title}"' if title and '"' not in title else "")
    image += ")"
    if link := named.get("link"):
        image = f"[{image}]({link})"
    caption = " ".join((named.get("caption") or "").split())
    return image + (f" *{caption}*" if caption else "")  # one line: later lines keep their numbers


def _embed(name: str, named: dict[str, str], positional: list[str]) -> str | None:
    first = named.get("id") or (positional[0] if positional else "")
    if name == "youtube" and first:
        return f"[YouTube video](https://www.youtube.com/watch?v={first})"
    if name == "vimeo" and first:
        return f"[Vimeo video](https://vimeo.com/{first})"
    if name == "gist" and len(positional) >= 2:
        user, gist = positional[0], positional[1]
        return f"[gist {user}/{gist}](https://gist.github.com/{user}/{gist})"
    if name in ("tweet", "x", "twitter"):
        user = named.get("user", "i")
        if first:
            return f"[a post on X](https://x.com/{user}/status/{first})"
    if name == "instagram" and first:
        return f"[Instagram post](https://www.instagram.com/p/{first}/)"
    return None


def shortcodes(body: Body, resolve: Resolve) -> None:
    """Hugo's shortcodes, `{{< >}}` and `{{% %}}` alike: figure, youtube, vimeo, gist, tweet,
    instagram, highlight, details, katex/math, ref and relref; `{{</* x */>}}` is literal."""
    body.sub(
        _SC_COMMENT,
        lambda m, _: body.protect("{{" + m.group(1) + m.group(2) + m.group(3) + "}}"),
    )
    body.sub(_SC_HIGHLIGHT, lambda m, _: pad(fence(m.group(1), m.group(2)), m.group(0)))
    body.sub(_SC_MATH, lambda m, _: pad(_math(m.group(3), bool(m.group(2))), m.group(0)))

    def details(m: re.Match[str], _: int) -> str:
        positional, named = shortcode_args(m.group(1))
        summary = named.get("summary") or (positional[0] if positional else "Details")
        return f"<details><summary>{summary}</summary>{m.group(2)}</details>"

    body.sub(_SC_DETAILS, lambda m, line: pad(details(m, line), m.group(0)))

    def one(m: re.Match[str], line: int) -> str:
        name = m.group(2).lower()
        positional, named = shortcode_args(m.group(3))
        out: str | None
        if name == "figure":
            out = figure(named, positional)
        elif name in ("ref", "relref"):
            target = named.get("path") or (positional[0] if positional else "")
            out = resolve("ref", target, line) if target else None
            if out is None:
                body.warn(line, f"{name}: '{target}' is not among the imported files")
                return body.protect(m.group(0))
            out = body.protect(out)
        else:
            out = _embed(name, named, positional)
        if out is None:
            return m.group(0)  # reported by leftovers()
        return pad(out, m.group(0))

    body.sub(_SC, one)


# --- Pelican -----------------------------------------------------------------------------

_PELICAN_LINK = re.compile(
    r"(?:\{(filename|static|attach)\}|\|(filename|static|attach)\|)([^\s)\"'>]+)"
)


def pelican_links(body: Body, resolve: Resolve) -> None:
    """Pelican's `{filename}`, `{static}` and `{attach}` links (and the old `|filename|`)."""

    def one(m: re.Match[str], line: int) -> str:
        kind = m.group(1) or m.group(2)
        found = resolve(kind, m.group(3), line)
        if found is None:
            body.warn(line, f"{{{kind}}}{m.group(3)}: no such file in the site; left as it is")
            return body.protect(m.group(0))
        return body.protect(found)

    body.sub(_PELICAN_LINK, one)
    # A tag or category is an interest in salon, with its page at interests/<slug>/.
    body.sub(
        _PELICAN_TAG,
        lambda m, _: (
            body.protect(f"/interests/{interest_slug(unquote(m.group(2)))}/")
            if slugify(unquote(m.group(2)))
            else m.group(0)
        ),
    )
    for m in _PELICAN_INDEX.finditer(body.text):
        body.warn(
            body.line_at(m.start()),
            f"Pelican link '{m.group(0)}' not converted; left as it is",
            hint="salon has no such page; link to a note (x.md) or remove the link",
        )


_PELICAN_TAG = re.compile(r"\{(tag|category)\}([^\s)\"'>#]+)")
_PELICAN_INDEX = re.compile(r"\{(?:tag|category|author|index)\}[^\s)\"'>]*")


# --- WordPress ---------------------------------------------------------------------------

_WP_BLOCK = re.compile(r"[ \t]*<!--\s*/?wp:[^>]*?-->[ \t]*")
_CAPTION = re.compile(r"\[(caption|wp_caption)([^\]]*)\](.*?)\[/\1\]", re.DOTALL | re.IGNORECASE)
_EMBED = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
_WP_SHORTCODE = re.compile(r"\[(/?)([a-z][a-z0-9_-]*)(\s[^\]\n]*)?\]")
_LEADING_MEDIA = re.compile(r"^\s*((?:<a\s[^>]*>\s*)?<img\s[^>]*>(?:\s*</a>)?)\s*(.*)$", re.DOTALL)


def wordpress(body: Body) -> None:
    """WordPress's `<!-- wp:... -->` block comments (dropped), `[caption]` (a figure) and
    `[embed]` (a link)."""
    body.sub(_WP_BLOCK, lambda m, _: "")

    def caption(m: re.Match[str], _: int) -> str:
        inner = m.group(3).strip()
        named = shortcode_args(m.group(2))[1]
        media = _LEADING_MEDIA.match(inner)
        if media:
            image, text = media.group(1), media.group(2).strip()
        else:
            image, text = inner, ""
        text = text or named.get("caption", "")
        fig = f"<figure>{image}" + (f"<figcaption>{text}</figcaption>" if text else "")
        return pad(fig + "</figure>", m.group(0))

    body.sub(_CAPTION, caption)
    body.sub(_EMBED, lambda m, _: pad(f"<{m.group(1).strip()}>", m.group(0)))


def wordpress_leftovers(body: Body, known_closers: frozenset[str] = frozenset()) -> None:
    """Report shortcodes WordPress would have expanded (`[gallery ids="1,2"]`): a name with
    attributes, or a name that is closed later (`[x]...[/x]`)."""
    closed = {m.group(2).lower() for m in _WP_SHORTCODE.finditer(body.text) if m.group(1)}
    for m in _WP_SHORTCODE.finditer(body.text):
        name = m.group(2).lower()
        if m.group(1):
            continue
        if (m.group(3) and "=" in m.group(3)) or name in closed | known_closers:
            body.warn(
                body.line_at(m.start()),
                f"WordPress shortcode [{name}] left as it is",
                hint="replace it with what it showed (Markdown or HTML)",
            )


# --- what is left ------------------------------------------------------------------------


def _kind_of(tag: str) -> str:
    if tag.startswith("{%"):
        return "Liquid tag"
    return "Hugo shortcode" if tag[2] in "<%" else "template expression"


CODE = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[ \t]*$|`[^`\n]+`", re.M | re.S)
_LEFT = re.compile(r"\{%.*?%\}|\{\{[<%].*?[>%]\}\}|\{\{.*?\}\}", re.DOTALL)


def leftovers(body: Body) -> None:
    """Report every template tag still in the text (`{% include x %}`, `{{ page.title }}`,
    `{{< chart >}}`), each on its line: salon does not run templates in notes. Each is
    named for what it is (a Liquid tag, a shortcode, an expression), not for the generator
    the site came from: Hugo sites hold Jekyll's leftovers too."""
    code = [c.span() for c in CODE.finditer(body.text)]
    for m in _LEFT.finditer(body.text):
        if any(start <= m.start() < end for start, end in code):
            continue  # shown as code, as meant: `{{ matrix.os }}` in a workflow file
        what = _kind_of(m.group(0))
        snippet = " ".join(m.group(0).split())
        if len(snippet) > 60:
            snippet = snippet[:57] + "..."
        body.warn(
            body.line_at(m.start()),
            f"{what} '{snippet}' not converted; left as it is",
            hint="replace it by hand: salon does not run templates in notes",
        )
