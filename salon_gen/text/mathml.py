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
# `scriptlevel` belong on <mstyle> (MathML 3 §3.3.4; <mtable> may keep `displaystyle`); Core
# makes them global attributes but still honours them on <mstyle>, which passes them on by
# inheritance. So an element carrying them is wrapped in an <mstyle> that carries them
# instead: the same drawing, valid in both. Not <mtable>'s `displaystyle`: Core's user-agent
# style sheet resets an <mtable> to compact style, so only its own attribute makes an
# `aligned` display-size.
_SCRIPTLEVEL = re.compile(r'\sscriptlevel="[^"]*"')
_STYLE_ATTRIBUTES = re.compile(r'\s(?:displaystyle|scriptlevel)="[^"]*"')
_KEEPS_STYLE = frozenset({"math", "mstyle"})

# math-core writes \vec as COMBINING RIGHT ARROW ABOVE, which browsers draw beside the letter
# rather than over it; the spacing arrow sits where it should. (Its other combining accents,
# \widehat's U+0302 and \overline's U+0332, are the only characters browsers stretch over a
# whole group: they stay, and the checker's "text run starts with a composing character" is
# a warning we accept.)
_SPACING_ACCENT = {"\u20d7": "\u2192"}

# math-core's output is regular: tags with double-quoted attributes, text already escaped.
_TAG_OR_TEXT = re.compile(r"<(/?)([a-z-]+)([^>]*?)(/?)>|([^<]+)")


def _for_html5(mathml: str) -> str:
    """Rewrite math-core's MathML for HTML5 validators (see above), in one linear pass."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (element name, wrapped in an <mstyle>?)
    for match in _TAG_OR_TEXT.finditer(mathml):
        closing, name, attrs, empty, text = match.groups()
        if text is not None:
            out.append(_SPACING_ACCENT.get(text, text))
            continue
        if closing:
            popped, wrapped = stack.pop() if stack else (name, False)
            out.append(f"</{popped}></mstyle>" if wrapped else f"</{popped}>")
            continue
        moving = _SCRIPTLEVEL if name == "mtable" else _STYLE_ATTRIBUTES
        style = "" if name in _KEEPS_STYLE else "".join(moving.findall(attrs))
        tag = f"<{name}{moving.sub('', attrs) if style else attrs}>"
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
