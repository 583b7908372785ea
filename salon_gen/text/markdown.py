"""The owner's Markdown, turned into HTML: `MarkdownRenderer.render` and `pygments_css`.

Owns the Markdown dialect salon speaks (CommonMark + raw HTML, tables, strikethrough,
footnotes, task lists, typographer), heading ids and their self-links, code highlighting, and
the plain-text views of a document (its leading `# Title` and its excerpt), and where math
is (`$x$`, `$$x$$`, `\\(x\\)`, `\\[x\\]`: mathml.py converts it). markdown-it-py,
mdit-py-plugins and Pygments enter salon here and nowhere else.

Pure: text in, values out. Must not touch the disk or the network, must not resolve or
rewrite links (`[x](other-note.md)` stays exactly as written; `assemble` resolves it later),
and keeps no state between calls except what a `MarkdownRenderer` instance caches (lexers).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import markdown_it
import mdit_py_plugins
import pygments  # type: ignore[import-untyped]  # Pygments ships no type hints
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath.index import math_block_dollar, math_inline_dollar
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]  # no hints
from pygments.lexer import Lexer  # type: ignore[import-untyped]  # no hints
from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]  # no hints
from pygments.styles import get_style_by_name  # type: ignore[import-untyped]  # no hints
from pygments.token import STANDARD_TYPES  # type: ignore[import-untyped]  # no hints
from pygments.token import Token as PygmentsToken
from pygments.util import ClassNotFound  # type: ignore[import-untyped]  # no hints

from salon_gen.core.urls import slugify
from salon_gen.text import mathml

# Our own part: bump it whenever this module changes its output for the same input. The
# libraries' versions are part of it because an upgrade can change the output too, and this
# string is part of the render-cache key.
_OWN_VERSION = "3"
RENDERER_VERSION = (
    f"{_OWN_VERSION}+markdown-it-py-{markdown_it.__version__}"
    f"+mdit-py-plugins-{mdit_py_plugins.__version__}+pygments-{pygments.__version__}"
    f"+{mathml.VERSION}"
)

EXCERPT_WORDS = 50
_ELLIPSIS = "\u2026"
_ANCHOR_LABEL = "Link to this section"

# Pygments styles whose every token colour has a WCAG AA contrast (>= 4.5:1) against the
# style's background, comments included (checked by tests/test_markdown.py). "friendly", for
# one, does not: its variables and interpolations are below 3.5:1.
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkdownProblem:
    """Something in the text that rendered, but not as written (a formula shown as source)."""

    line: int  # 1-based, within the rendered text
    message: str
    hint: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedMarkdown:
    """A rendered Markdown document; plain values only, so it pickles across processes."""

    html: str  # the whole body as HTML
    title: str | None  # plain text of a leading `# Title`, else None
    body_html: str  # html without that leading h1 (== html when title is None)
    excerpt: str  # plain text of the first paragraphs after the title, at most ~50 words
    title_line: int | None  # 1-based line of the leading h1 within the text, else None
    problems: tuple[MarkdownProblem, ...] = ()


class MarkdownRenderer:
    """Renders Markdown; build one per process and reuse it (parser setup is the slow part)."""

    __slots__ = ("_md",)

    def __init__(self) -> None:
        md = _SalonMarkdownIt(
            "commonmark",
            # xhtmlOut off: HTML5 void elements need no " />".
            {"html": True, "typographer": True, "xhtmlOut": False},
            renderer_cls=_HtmlRenderer,
        )
        # Not markdown-it's "replacements": it also turns "(c)" into "©" (think "options (a),
        # (b) and (c)"), "cd .." into "cd …" and "+-" into "±". Like Hugo and Python-Markdown's
        # smarty, we set dashes and ellipses only (_dashes_and_ellipses).
        md.enable(["table", "strikethrough", "smartquotes"])
        md.core.ruler.before("smartquotes", "salon_typography", _dashes_and_ellipses)
        md.use(footnote_plugin)
        # label=True wraps the item's text in <label>, giving each checkbox an accessible name
        # without generated ids.
        md.use(tasklists_plugin, enabled=False, label=True)
        _use_math(md, mathml.MathConverter())
        # Last core rule: after footnote_tail (its ids must be known) and smartquotes.
        md.core.ruler.push("salon_heading_ids", _heading_ids)
        # Our footnote rules replace the ones footnote_plugin just registered.
        md.add_render_rule("footnote_block_open", _render_footnote_block_open)
        md.add_render_rule("footnote_anchor", _render_footnote_anchor)
        self._md = md

    def render(self, text: str) -> RenderedMarkdown:
        md = self._md
        env: EnvType = {}
        tokens = md.parse(text, env)
        renderer, options = md.renderer, md.options
        title = title_line = None
        body = tokens
        head_html = ""
        first = tokens[0] if tokens else None
        if first is not None and first.type == "heading_open" and first.tag == "h1":
            # heading_open, inline, heading_close: both heading rules always emit all three.
            # An empty `#` is no title.
            title = " ".join(_plain_text(tokens[1].children).split()) or None
        # The page template owns the one <h1>: headings the owner wrote as "#" become <h2>.
        for token in tokens:
            if token.tag == "h1" and token.type in ("heading_open", "heading_close"):
                token.tag = "h2"
        if title is not None:
            head_html = renderer.render(tokens[:3], options, env)
            body = tokens[3:]
            title_line = tokens[0].map[0] + 1 if tokens[0].map else None
        body_html = renderer.render(body, options, env)
        return RenderedMarkdown(
            html=head_html + body_html,
            title=title,
            body_html=body_html,
            excerpt=_excerpt(body),
            title_line=title_line,
            problems=tuple(env.get(_PROBLEMS, ())),
        )


def pygments_css() -> str:
    """CSS for highlighted code: LIGHT_STYLE on `.highlight`, DARK_STYLE inside
    `@media (prefers-color-scheme: dark)`. The dark rules restate every property the light
    rules set, so nothing of the light theme (a colour, a bold) leaks into dark mode."""
    light, dark = get_style_by_name(LIGHT_STYLE), get_style_by_name(DARK_STYLE)
    out = ["/* Code highlighting (Pygments: " + LIGHT_STYLE + " / " + DARK_STYLE + ") */"]
    out.append(f".highlight {{ background-color: {_background(light)}; color: {_text(light)} }}")
    # A theme's own `pre`/`code` colours must not come between the tokens and this background.
    out.append(".highlight pre, .highlight code { background-color: transparent; color: inherit }")
    light_rules: dict[str, dict[str, str]] = {}
    dark_rules: dict[str, dict[str, str]] = {}
    for ttype, cls in STANDARD_TYPES.items():
        if not cls:
            continue
        light_rules[cls] = _declarations(light.style_for_token(ttype))
        dark_rules[cls] = _declarations(dark.style_for_token(ttype))
    for cls in sorted(light_rules):
        if light_rules[cls]:
            out.append(_rule(cls, light_rules[cls]))
    out.append("@media (prefers-color-scheme: dark) {")
    out.append(f".highlight {{ background-color: {_background(dark)}; color: {_text(dark)} }}")
    for cls in sorted(dark_rules):
        decls = {prop: _RESET[prop] for prop in light_rules[cls]} | dark_rules[cls]
        if decls:
            out.append(_rule(cls, decls))
    out.append("}")
    return "\n".join(out) + "\n"


# --- markdown-it customisation -----------------------------------------------------------


# The characters the WHATWG URL parser percent-encodes in every part of a URL (path, query
# and fragment percent-encode sets, URL Standard §1.3). Only `<a b.md>` can bring them into a
# Markdown link, and the Nu validator rejects them raw.
_URL_MUST_ENCODE = re.compile(r'[\x00-\x20\x7f"<>]')


def _percent_encode(match: re.Match[str]) -> str:
    return f"%{ord(match.group()):02X}"


class _SalonMarkdownIt(MarkdownIt):
    def normalizeLink(self, url: str) -> str:  # camelCase: overrides markdown-it's method
        # Keep hrefs and srcs as written: markdown-it would percent-encode non-ASCII and
        # punycode hosts. Links to other notes are resolved by a later stage. Only the
        # characters a browser would encode itself are encoded, so the URL stays the same.
        return _URL_MUST_ENCODE.sub(_percent_encode, url)


class _HtmlRenderer(RendererHTML):
    """markdown-it's HTML renderer with salon's code blocks and heading self-links.

    Method names are token types: RendererHTML registers every public method as the rule
    for the token type of the same name."""

    def __init__(self, parser: Any = None) -> None:
        super().__init__(parser)
        # One formatter for every block. nowrap: we write the <div><pre><code> ourselves, to
        # add tabindex (axe: scrollable-region-focusable) and a <code> element.
        self._formatter = HtmlFormatter(nowrap=True)
        self._lexers: dict[str, Lexer | None] = {}

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        info = unescapeAll(token.info).strip() if token.info else ""
        lang = info.split(maxsplit=1)[0] if info else ""
        if not lang:
            return _plain_pre(token.content, "")
        lexer = self._lexer(lang)
        cls = f' class="language-{escapeHtml(lang)}"'
        if lexer is None:
            return _plain_pre(token.content, cls)
        code = pygments.highlight(token.content, lexer, self._formatter)
        return f'<div class="highlight"><pre tabindex="0"><code{cls}>{code}</code></pre></div>\n'

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return _plain_pre(tokens[idx].content, "")

    def heading_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        anchor = token.meta.get("anchor")
        if anchor is None:  # a heading our core rule did not see; cannot happen, stay safe
            return f"</{token.tag}>\n"
        href = escapeHtml("#" + anchor)
        space = " " if tokens[idx - 1].content else ""
        link = f'<a class="anchor" href="{href}" aria-label="{_ANCHOR_LABEL}">#</a>'
        return f"{space}{link}</{token.tag}>\n"

    def _lexer(self, name: str) -> Lexer | None:
        """The Pygments lexer for an info-string language, or None: we never guess."""
        try:
            return self._lexers[name]
        except KeyError:
            pass
        try:
            # stripnl off: keep leading and trailing blank lines, as the plain path does.
            lexer: Lexer | None = get_lexer_by_name(name, stripnl=False)
        except ClassNotFound:
            lexer = None
        self._lexers[name] = lexer
        return lexer


def _plain_pre(code: str, cls: str) -> str:
    return f'<pre tabindex="0"><code{cls}>{escapeHtml(code)}</code></pre>\n'


def _heading_ids(state: StateCore) -> None:
    """Give every heading a unique id from its text; the closing token carries it too."""
    tokens = state.tokens
    # Footnote ids live in the same document: a heading "Fn1" must not take "fn1".
    footnotes = state.env.get("footnotes", {}).get("list", {})
    used = {f"{prefix}{n + 1}" for n in range(len(footnotes)) for prefix in ("fn", "fnref")}
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        base = slugify(_plain_text(tokens[i + 1].children)) or "section"
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        token.attrSet("id", slug)
        tokens[i + 2].meta["anchor"] = slug


# markdown-it's own dash rules (rules_core/replacements.py): "---" between non-dashes; "--"
# between spaces ("a -- b") or between non-space non-dashes ("1--2"), never "--flag".
_EM_DASH = re.compile(r"(^|[^-])---(?=[^-]|$)", re.MULTILINE)
_EN_DASH_SPACED = re.compile(r"(^|\s)--(?=\s|$)", re.MULTILINE)
_EN_DASH_JOINED = re.compile(r"(^|[^-\s])--(?=[^-\s]|$)", re.MULTILINE)
_THREE_DOTS = re.compile(r"(?<!\.)\.\.\.(?!\.)")


def _dashes_and_ellipses(state: StateCore) -> None:
    """Typographer: "---" -> em dash, "--" -> en dash, "..." -> ellipsis, in text only.

    Runs before text_join, while backslash-escaped characters are still tokens of their own,
    so an escaped dash or dot stays as written; code spans and autolinks are left alone."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        if "--" not in token.content and "..." not in token.content:
            continue
        in_autolink = False
        for child in token.children:
            if child.type == "text" and not in_autolink:
                text = _THREE_DOTS.sub("\u2026", child.content)
                text = _EM_DASH.sub("\\1\u2014", text)
                text = _EN_DASH_SPACED.sub("\\1\u2013", text)
                child.content = _EN_DASH_JOINED.sub("\\1\u2013", text)
            elif child.info == "auto" and child.type in ("link_open", "link_close"):
                in_autolink = child.type == "link_open"


def _render_footnote_block_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return (
        '<hr class="footnotes-sep">\n'
        '<section class="footnotes" aria-label="Footnotes">\n'
        '<ol class="footnotes-list">\n'
    )


def _render_footnote_anchor(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    ident = str(meta["id"] + 1) + (f":{meta['subId']}" if meta["subId"] > 0 else "")
    # U+FE0E: keep the arrow a text glyph (iOS would draw an emoji).
    return (
        f' <a href="#fnref{ident}" class="footnote-backref"'
        f' aria-label="Back to reference {meta["id"] + 1}">\u21a9\ufe0e</a>'
    )


# --- math ------------------------------------------------------------------------------

_PROBLEMS = "salon_math_problems"  # env key: the MarkdownProblems of one render
_MATH_HINT = "it is shown as its LaTeX source; a dollar sign that is not math is written \\$"
_CLOSING = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}
_MATH_TOKENS = ("math_inline", "math_inline_double")


def _use_math(md: MarkdownIt, converter: mathml.MathConverter) -> None:
    r"""`$x$` and `\(x\)` inline; `$$x$$` displayed, in a paragraph or on lines of its own;
    `\[x\]` displayed, on lines of its own. Inline rules run before `escape` (and so before
    code spans, emphasis and typography), so nothing inside a formula is Markdown; `\$` is a
    dollar sign."""
    # Pandoc's rule for `$`: the opening one has a non-space right after it, the closing one a
    # non-space right before it and no digit after it. "It costs $5 and $10" stays prose.
    dollars = math_inline_dollar(allow_space=False, allow_digits=False, allow_double=True)
    md.inline.ruler.before("escape", "math_inline", _counting_lines(dollars))
    md.inline.ruler.before("escape", "math_brackets", _counting_lines(_math_inline_brackets))
    # No blank line inside display math: TeX forbids it, and an unclosed `$$` must not swallow
    # the rest of the note.
    block = math_block_dollar(allow_labels=False, allow_blank_lines=False)
    md.block.ruler.before("fence", "math_block", block)
    # It may interrupt a paragraph, as a fence may: `\[` on a line of its own is not prose.
    md.block.ruler.before(
        "fence", "math_block_brackets", _math_block_brackets, {"alt": ["paragraph"]}
    )
    convert = functools.partial(_convert_math, converter)
    md.core.ruler.after("footnote_tail", "salon_math", convert)
    for kind in (*_MATH_TOKENS, "math_block"):
        md.add_render_rule(kind, _render_math)


def _counting_lines(rule: Any) -> Any:
    """`rule`, noting on the token it makes how many lines into its paragraph it starts."""

    def counted(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent and len(state.tokens) > count:
            state.tokens[-1].meta["line_offset"] = state.src.count("\n", 0, start)
        return True

    return counted


def _closing(src: str, start: int, stop: int, close: str) -> int | None:
    """Where the first `\\<close>` in src[start:stop] starts; `\\x` pairs are skipped whole,
    so `\\\\` (a TeX line break) never closes."""
    i = src.find("\\", start, stop)
    while i != -1 and i + 1 < stop:
        if src[i + 1] == close:
            return i
        i = src.find("\\", i + 2, stop)
    return None


def _math_inline_brackets(state: StateInline, silent: bool) -> bool:
    r"""`\(x\)`. (`\[x\]` is display math only on lines of its own: inside a paragraph,
    `\[1\]` is how Markdown writers keep brackets from becoming a link.)"""
    src, pos = state.src, state.pos
    if not src.startswith("\\(", pos):
        return False
    # An opener with no closer after it: no later one has one either. Noted, so a paragraph
    # of a thousand `\(` is read once, not a thousand times.
    unclosed = state.env.setdefault("salon_math_unclosed", [])
    if unclosed and unclosed[0] is src and unclosed[1] <= pos:
        return False
    end = _closing(src, pos + 2, state.posMax, ")")
    if end is None:
        unclosed[:] = [src, pos]
        return False
    if not src[pos + 2 : end].strip():
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = src[pos + 2 : end]
        token.markup = "\\("
    state.pos = end + 2
    return True


def _math_block_brackets(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    r"""`\[` starting a line and `\]` ending one (the same or a later, with no blank line
    between): display math on lines of its own."""
    if state.sCount[start_line] - state.blkIndent >= 4:  # an indented code block
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    src = state.src
    if src[begin : begin + 2] != "\\[":
        return False
    parts: list[str] = []
    line, start = start_line, begin + 2
    while line < end_line and (line == start_line or not state.isEmpty(line)):
        stop = state.eMarks[line]
        end = _closing(src, start, stop, "]")
        if end is not None:
            if src[end + 2 : stop].strip():  # text after `\]`: math inside a paragraph
                return False
            if silent:
                return True
            parts.append(src[start:end])
            token = state.push("math_block", "math", 0)
            token.block = True
            token.content = "\n".join(parts)
            token.markup = "\\["
            token.map = [start_line, line + 1]
            state.line = line + 1
            return True
        parts.append(src[start:stop])
        line += 1
        if line < end_line:
            start = state.bMarks[line] + state.tShift[line]
    return False


def _convert_math(converter: mathml.MathConverter, state: StateCore) -> None:
    """Convert every formula to MathML (meta["html"]), noting what cannot be converted.

    Runs after footnote_tail: an inline footnote (`^[...]`) is parsed on its own and has no
    line, so its formulas are reported at the line of its mark in the text."""
    problems: list[MarkdownProblem] = state.env.setdefault(_PROBLEMS, [])
    mark_lines: dict[int, int] = {}  # footnote id -> line of its first mark
    footnote_line = 1
    for token in state.tokens:
        if token.type == "footnote_open":
            footnote_line = mark_lines.get(token.meta.get("id", -1), footnote_line)
        first = token.map[0] + 1 if token.map else footnote_line
        if token.type == "math_block":
            _convert_one(converter, token, first, display=True, problems=problems)
        elif token.type == "inline" and token.children:
            offset = 0  # lines into the paragraph, for footnote marks
            pending = list(reversed(token.children))
            while pending:
                child = pending.pop()
                if child.type in _MATH_TOKENS:
                    line = first + child.meta.get("line_offset", 0)
                    display = child.type == "math_inline_double"
                    _convert_one(converter, child, line, display=display, problems=problems)
                    offset = child.meta.get("line_offset", offset) + child.content.count("\n")
                elif child.type in ("softbreak", "hardbreak"):
                    offset += 1
                elif child.type == "html_inline":
                    offset += child.content.count("\n")
                elif child.type == "footnote_ref":
                    mark_lines.setdefault(child.meta["id"], first + offset)
                elif child.children:  # an image's alt text
                    pending.extend(reversed(child.children))
    problems.sort(key=lambda p: p.line)


def _convert_one(
    converter: mathml.MathConverter,
    token: Token,
    line: int,
    *,
    display: bool,
    problems: list[MarkdownProblem],
) -> None:
    latex = token.content.strip()
    try:
        token.meta["html"] = converter.convert(latex, display=display)
    except mathml.FormulaError as e:
        at = len(token.content) - len(token.content.lstrip()) + (e.offset or 0)
        shown = latex if len(latex) <= 40 else latex[:39] + _ELLIPSIS
        message = e.message[:1].lower() + e.message[1:]
        problems.append(
            MarkdownProblem(
                line=line + token.content.count("\n", 0, at),
                message=f"cannot render math `{shown}`: {message}",
                hint=_MATH_HINT,
            )
        )


def _render_math(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    html = token.meta.get("html")
    if html is None:  # could not be converted: the source, exactly as the owner wrote it
        source = token.markup + token.content + _CLOSING[token.markup]
        html = f'<code class="math-error">{escapeHtml(source)}</code>'
    # Display math scrolls sideways in its own box rather than widening the page; the box is
    # focusable so a keyboard can scroll it too (axe: scrollable-region-focusable).
    if token.type == "math_block":
        return f'<div class="math-display" tabindex="0">{html}</div>\n'
    if token.type == "math_inline_double":
        return f'<span class="math-display" tabindex="0">{html}</span>'
    return str(html)


# --- plain text ------------------------------------------------------------------------


def _plain_text(children: Sequence[Token] | None) -> str:
    """The text a reader hears in an inline run: images by their alt text; no markup, no raw
    HTML tags, no footnote marks."""
    parts: list[str] = []
    for child in children or ():
        kind = child.type
        if kind in ("text", "code_inline", "math_inline", "math_inline_double"):
            parts.append(child.content)
        elif kind == "softbreak" or kind == "hardbreak":
            parts.append(" ")
        elif kind == "image":
            parts.append(_plain_text(child.children))
    return "".join(parts)


def _excerpt(tokens: Sequence[Token]) -> str:
    """The first EXCERPT_WORDS words of the document's paragraphs (in lists and quotes too).

    Headings, tables, code, raw HTML blocks and footnotes are not prose that reads well out
    of context, so they are skipped."""
    words: list[str] = []
    for i, token in enumerate(tokens):
        if token.type == "footnote_block_open":
            break
        if token.type == "inline" and i and tokens[i - 1].type == "paragraph_open":
            words.extend(_plain_text(token.children).split())
            if len(words) > EXCERPT_WORDS:
                cut = " ".join(words[:EXCERPT_WORDS]).rstrip(" .,;:!?\u2013\u2014\u2026-")
                return cut + _ELLIPSIS
    return " ".join(words)


# --- CSS ---------------------------------------------------------------------------------

_RESET = {
    "color": "inherit",
    "background-color": "transparent",
    "font-weight": "normal",
    "font-style": "normal",
    "text-decoration": "none",
    "border": "none",
}


def _declarations(style: dict[str, Any]) -> dict[str, str]:
    decls: dict[str, str] = {}
    if style["color"]:
        decls["color"] = f"#{style['color'].lower()}"
    if style["bgcolor"]:
        decls["background-color"] = f"#{style['bgcolor'].lower()}"
    if style["bold"]:
        decls["font-weight"] = "bold"
    if style["italic"]:
        decls["font-style"] = "italic"
    if style["underline"]:
        decls["text-decoration"] = "underline"
    if style["border"]:
        decls["border"] = f"1px solid #{style['border'].lower()}"
    return decls


def _rule(cls: str, decls: dict[str, str]) -> str:
    body = "; ".join(f"{prop}: {decls[prop]}" for prop in _RESET if prop in decls)
    return f".highlight .{cls} {{ {body} }}"


def _background(style: Any) -> str:
    return str(style.background_color).lower()


def _text(style: Any) -> str:
    """The style's plain-text colour; black or white by background when it sets none."""
    color = style.style_for_token(PygmentsToken)["color"]
    if color:
        return f"#{color.lower()}"
    return "#000000" if _luminance(_background(style)) > 0.18 else "#ffffff"


def _luminance(hex_color: str) -> float:
    """WCAG 2.x relative luminance of "#rrggbb"."""
    digits = hex_color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
