"""LaTeX formulas turned into MathML: `MathConverter.convert` and `FormulaError`.

Owns the one conversion salon does of the math the owner writes (`$x$`, `$$x$$`, `\\(x\\)`,
`\\[x\\]`; markdown.py finds them) into MathML that browsers draw without JavaScript and that
feed readers carry as markup. math-core enters salon here and nowhere else.

Pure: text in, text out. Must not know about Markdown, files or lines; a formula it cannot
convert is a `FormulaError` carrying the message and where in the formula it went wrong.
"""

from __future__ import annotations

import importlib.metadata
import re
import unicodedata

import math_core

VERSION = f"math-core-{importlib.metadata.version('math-core')}"

# Bounds on what one formula may cost. A real formula, even a long aligned derivation, is a
# few hundred characters and a dozen levels deep; 10,000 characters convert in a few
# milliseconds. Browsers flatten an element tree deeper than a few hundred levels (the HTML
# parser stops nesting at 512), so a deeper formula could not be drawn anyway.
MAX_CHARS = 10_000
MAX_DEPTH = 200


class FormulaError(ValueError):
    """A formula that cannot be converted. `offset` is the 0-based character in the
    formula where the problem is, when known."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


# math-core's plain errors read "<character offset>: <message>".
_ERROR = re.compile(r"(\d+): (.*)", re.DOTALL)


class MathConverter:
    """Converts LaTeX to MathML; build one per process and reuse it."""

    __slots__ = ("_converter",)

    def __init__(self) -> None:
        self._converter = math_core.LatexToMathML(
            # The source rides along as <annotation encoding="application/x-tex">: it can be
            # copied, and assistive technology and feed readers without MathML can read it.
            annotation=True,
            fancy_error=False,
            # \widetilde and friends: drawn slightly off in some browsers, but drawn; better
            # than a formula shown as source.
            allow_unreliable_rendering=True,
        )

    def convert(self, latex: str, *, display: bool) -> str:
        """`<math>` (inline) or `<math display="block">` for `latex`, as HTML5 markup."""
        if len(latex) > MAX_CHARS:
            raise FormulaError(
                f"formula is too long ({len(latex):,} characters, at most {MAX_CHARS:,})"
            )
        try:
            mathml = self._converter.convert_with_local_state(latex, displaystyle=display)
        except math_core.LatexError as e:
            match = _ERROR.fullmatch(str(e))
            if match is None:
                raise FormulaError(str(e)) from None
            message = match.group(2).rstrip(".")
            raise FormulaError(message, min(int(match.group(1)), len(latex))) from None
        return _for_html5(mathml)


# --- from MathML Core to markup the HTML checkers accept ---------------------------------

# math-core writes MathML Core, which browsers implement. The Nu HTML checker (and so
# check_site.sh) validates MathML against the MathML 3 schema, where `displaystyle` and
# `scriptlevel` belong on <mstyle> (MathML 3 §3.3.4); Core makes them global attributes but
# still honours them on <mstyle>, which then passes them on by inheritance. So an element
# carrying them is wrapped in an <mstyle> that carries them instead: same drawing, valid in both.
_STYLE_ATTRIBUTES = re.compile(r'\s(?:displaystyle|scriptlevel)="[^"]*"')
_KEEPS_STYLE = frozenset({"math", "mstyle"})

# A text run may not start with a combining character (the checker warns: it has nothing to
# combine with). math-core uses a few as accents; these are their spacing forms, which the
# MathML operator dictionary knows as stretchy accents. COMBINING LOW LINE under <mover> is
# an \overline, under <munder> an \underline.
_SPACING_ACCENT = {"\u0302": "\u02c6", "\u20d7": "\u2192"}
_LOW_LINE = {"mover": "\u00af", "munder": "_"}

# math-core's output is regular: tags with double-quoted attributes, text already escaped.
_TAG_OR_TEXT = re.compile(r"<(/?)([a-z-]+)([^>]*?)(/?)>|([^<]+)")


def _for_html5(mathml: str) -> str:
    """Rewrite math-core's MathML for HTML5 validators (see above), in one linear pass."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (element name, wrapped in an <mstyle>?)
    for match in _TAG_OR_TEXT.finditer(mathml):
        closing, name, attrs, empty, text = match.groups()
        if text is not None:
            if text and unicodedata.combining(text[0]):
                parent = stack[-2][0] if len(stack) >= 2 else ""
                first = _SPACING_ACCENT.get(text[0])
                if first is None and text[0] == "\u0332":
                    first = _LOW_LINE.get(parent)
                text = (first if first is not None else "\u00a0" + text[0]) + text[1:]
            out.append(text)
            continue
        if closing:
            popped, wrapped = stack.pop() if stack else (name, False)
            out.append(f"</{popped}></mstyle>" if wrapped else f"</{popped}>")
            continue
        style = "" if name in _KEEPS_STYLE else "".join(_STYLE_ATTRIBUTES.findall(attrs))
        tag = f"<{name}{_STYLE_ATTRIBUTES.sub('', attrs) if style else attrs}>"
        if style:
            tag = f"<mstyle{style}>{tag}"
        if empty:  # <mspace/>: written out in full, as every other element is
            out.append(f"{tag}</{name}></mstyle>" if style else f"{tag}</{name}>")
            continue
        stack.append((name, bool(style)))
        if len(stack) > MAX_DEPTH:
            raise FormulaError(f"formula is nested too deeply (more than {MAX_DEPTH} levels)")
        out.append(tag)
    return "".join(out)
