"""Where kramdown (Jekyll's Markdown) and CommonMark (salon's) read the same text
differently, beyond attribute lists (`convert.kramdown`): a line holding only an inline
HTML tag (`<a name="x" />`, `<br />`) is an HTML block to CommonMark, which then shows the
Markdown on the lines after it as text; kramdown reads it as part of the paragraph.

Pure: works on a `convert.Body`, keeping its number of lines.
"""

from __future__ import annotations

import re

from salon_gen.importing import convert

_ALONE = re.compile(
    r"^[ \t]*(<(?:a|span)\b[^<>]*?/>|<(?:a|span)\b[^<>]*></(?:a|span)>|<br\s*/?>)[ \t]*\n"
    r"(?=[ \t]*[^\s<])([^\n]*)",
    re.M | re.I,
)
_SELF_CLOSED = re.compile(r"^<(a|span)\b([^<>]*?)\s*/>$", re.I)


def inline_html_lines(body: convert.Body) -> None:
    """A line of one inline tag before Markdown: the tag goes to the end of the next line
    (an empty anchor `<a name="x" />` as `<a name="x"></a>`; a `<br />` goes), so the
    Markdown line starts a paragraph."""

    def one(m: re.Match[str], _: int) -> str:
        tag = m.group(1)
        if tag.lower().startswith("<br"):
            return "\n" + m.group(2)
        closed = _SELF_CLOSED.match(tag)
        if closed:
            tag = f"<{closed.group(1)}{closed.group(2)}></{closed.group(1)}>"
        return f"\n{m.group(2)}{tag}"

    body.sub(_ALONE, one)
