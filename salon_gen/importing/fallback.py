"""The last pass over an imported body: template tags no converter knows (a site's own
Hugo shortcodes, Liquid tags from plugins), turned into plain Markdown so that no template
syntax reaches a page, each turn reported on its line.

The rules are generic, because every site writes its own shortcodes: one with a `src` (or
an image-like first argument) is an image, or a link when the file is not an image; one
naming a `file` is a link to it; a paired one (`{{< notice >}}...{{< /notice >}}`) keeps
what it holds and loses its tags; a `baseurl` is the site's root; anything else is dropped.
Code blocks and code spans are left alone: there, template syntax is what the post shows.

Pure: works on a `convert.Body`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from salon_gen.importing import convert

_IMAGE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|avif|bmp|ico)(?:[?#].*)?$", re.I)
_IMAGE_NAMES = ("img", "image", "figure", "photo", "picture", "pic")
_FILE_KEYS = ("file", "filename", "path", "url", "href")
_CAPTION_KEYS = ("caption", "title", "alt", "text")

_PAIRED = re.compile(
    r"\{\{([<%])\s*(\w[\w.-]*)((?:[^}]|\}(?!\}))*?)\s*[>%]\}\}(.*?)"
    r"\{\{[<%]\s*/\s*\2\s*[>%]\}\}",
    re.DOTALL,
)
_SINGLE = re.compile(r"\{\{([<%])\s*(\w[\w.-]*)((?:[^}]|\}(?!\}))*?)\s*/?\s*[>%]\}\}")
_CLOSING = re.compile(r"\{\{[<%]\s*/\s*(\w[\w.-]*)\s*[>%]\}\}")
_QUOTES = ("blockquote", "quote", "pullquote")


def _outside_code(
    body: convert.Body, fn: Callable[[re.Match[str], int], str]
) -> Callable[[re.Match[str], int], str]:
    spans = [c.span() for c in convert.CODE.finditer(body.text)]

    def one(m: re.Match[str], line: int) -> str:
        if any(start <= m.start() < end for start, end in spans):
            return m.group(0)
        return fn(m, line)

    return one


def _caption(named: dict[str, str]) -> str:
    return next((" ".join(named[k].split()) for k in _CAPTION_KEYS if named.get(k)), "")


def single(name: str, args: str) -> tuple[str, str]:
    """What an unknown shortcode without content becomes, and what the report says."""
    positional, named = convert.shortcode_args(args)
    src = named.get("src") or next((p for p in positional if _IMAGE.search(p)), "")
    if src:
        if _IMAGE.search(src) or name.lower() in _IMAGE_NAMES:
            out = convert.figure({**named, "src": src}, [])
            return out or "", "shown as an image"
        label = _caption(named) or posixpath.basename(src.split("?")[0]) or src
        return f"[{convert.md_text(label)}]({src})", "shown as a link to its file"
    target = next((named[k] for k in _FILE_KEYS if named.get(k)), "")
    if target:
        label = posixpath.basename(target.split("?")[0]) or target
        return f"[{convert.md_text(label)}]({target})", "shown as a link to its file"
    if name.lower() in ("baseurl", "base_url", "siteurl", "site_url"):
        return "/", "taken as the site's root, /"
    return "", "dropped"


def paired(name: str, args: str, inner: str) -> str:
    """An unknown shortcode's content without its tags (a quote as a Markdown quote)."""
    _, named = convert.shortcode_args(args)
    caption = _caption(named)
    if name.lower() in _QUOTES:
        author = named.get("author") or named.get("cite") or ""
        lines = inner.strip("\n").split("\n") + ([f"— {author}"] if author else [])
        return "\n" + "\n".join(f"> {x}".rstrip() for x in lines) + "\n"
    # The caption on the closing tag's line: later lines keep their numbers.
    return inner + (f"*{caption}*" if caption and caption not in inner else "")


def shortcodes(body: convert.Body) -> None:
    """Every Hugo shortcode the known conversions left: content kept, tags made Markdown."""
    hint = "salon does not run a site's own shortcodes; check the result and edit it by hand"

    def pair(m: re.Match[str], line: int) -> str:
        name = m.group(2)
        body.warn(line, f"unknown shortcode '{name}' dropped; its content kept", hint)
        return convert.pad(paired(name, m.group(3), m.group(4)), m.group(0))

    def one(m: re.Match[str], line: int) -> str:
        name = m.group(2)
        if name.lower() in ("ref", "relref"):
            return m.group(0)  # reported by the ref conversion already
        out, what = single(name, m.group(3))
        body.warn(line, f"unknown shortcode '{name}' {what}", hint)
        return convert.pad(out, m.group(0))

    def closing(m: re.Match[str], line: int) -> str:
        body.warn(line, f"closing shortcode '/{m.group(1)}' without its opening dropped", hint)
        return ""

    for _ in range(4):  # nested pairs: the innermost first, then the ones around them
        before = body.text
        body.sub(_PAIRED, _outside_code(body, pair))
        if body.text == before:
            break
    body.sub(_SINGLE, _outside_code(body, one))
    body.sub(_CLOSING, _outside_code(body, closing))


# --- Liquid -----------------------------------------------------------------------------

_INCLUDE = re.compile(r"\{%-?\s*include(?:_relative)?\s+([^\s%]+)[^%]*?-?%\}")
_TAG = re.compile(r"\{%-?\s*(\w+)(?:[^%]|%(?!\}))*?-?%\}")
# Output tags that name the site's variables or filter a string: never TeX ({{a}} in math)
_OUTPUT = re.compile(
    r"\{\{-?\s*(?:(?:site|page|post|include|layout|paginator|jekyll|content)\b|['\"][^'\"\n]*"
    r"['\"]\s*\|)[^{}\n]*?-?\}\}"
)
_TEMPLATE = re.compile(r"\{%|\{\{")


def liquid(body: convert.Body, includes: dict[str, str]) -> None:
    """Every Liquid tag the known conversions left. An `{% include x %}` whose file (in
    `includes`, by name) holds no Liquid itself is put in its place; other includes, tags
    (`{% if %}`, `{% assign %}`...) and `{{ site.x }}` outputs are dropped."""
    hint = "salon does not run Liquid; check the result and edit it by hand"

    def include(m: re.Match[str], line: int) -> str:
        name = m.group(1).strip("'\"")
        text = includes.get(name)
        if text is not None and not _TEMPLATE.search(text):
            body.warn(line, f"include '{name}' put in its place", hint)
            return text.strip("\n")
        why = "it uses Liquid" if text is not None else "not in _includes/"
        body.warn(line, f"include '{name}' dropped ({why})", hint)
        return convert.pad("", m.group(0))

    def tag(m: re.Match[str], line: int) -> str:
        body.warn(line, f"Liquid tag '{m.group(1)}' dropped", hint)
        return convert.pad("", m.group(0))

    def output(m: re.Match[str], line: int) -> str:
        snippet = " ".join(m.group(0).split())
        body.warn(line, f"Liquid output '{snippet[:60]}' dropped", hint)
        return convert.pad("", m.group(0))

    body.sub(_INCLUDE, _outside_code(body, include))
    body.sub(_TAG, _outside_code(body, tag))
    body.sub(_OUTPUT, _outside_code(body, output))


# --- WordPress code blocks, left in Markdown that came out of WordPress ------------------

_WP_CODE = re.compile(
    r"^[ \t]*\[(code|sourcecode)\b([^\]\n]*)\][ \t]*\n(.*?)\n[ \t]*\[/\1\][ \t]*$",
    re.M | re.S | re.I,
)
_WP_LANG = re.compile(r"\b(?:lang|language)\s*=\s*[\"']?([\w+#.-]+)", re.I)


def wordpress_code(body: convert.Body) -> None:
    """`[code lang="python"]...[/code]` and `[sourcecode]` blocks as fenced code."""

    def one(m: re.Match[str], _: int) -> str:
        lang = _WP_LANG.search(m.group(2))
        lines = [line.rstrip() for line in m.group(3).split("\n")]
        return convert.pad(
            convert.fence(lang.group(1) if lang else "", "\n".join(lines)), m.group(0)
        )

    body.sub(_WP_CODE, one)
