"""Template syntax left in a note: Liquid, Hugo shortcodes and kramdown attributes, which
salon does not run and would show as raw text. (Pelican's link placeholders, `{filename}`
and `{static}`, are not leftovers: `bundles.resolve_links` reads them.)

Pure: front matter in, warnings out. Must not change the text: converting is the
importer's job (`salon import`).
"""

from __future__ import annotations

import re

from salon_gen.core.errors import Diagnostic
from salon_gen.text.frontmatter import FrontMatter

# Template syntax salon does not run: Liquid tags and output, Hugo shortcodes, kramdown
# attribute lists. Left in a note they show as raw text.
_LEFTOVER = re.compile(
    r"(\{%-?\s*\w.*?%\}|\{\{[<%].*?[>%]\}\}|\{\{-?\s*(?:(?:site|page|post|include|"
    r"content|\.Site|\.Params)\b|['\"]).*?\}\}|\{\{[^{}|]+\|\s*[a-z_]+.*?\}\}|"
    r"^\s*\{:\s*[^}]*\}\s*$|\{:toc\})"
)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LEFTOVER_WHAT = (
    ("{%", "a Liquid tag"),
    ("{{<", "a Hugo shortcode"),
    ("{{%", "a Hugo shortcode"),
    ("{{", "a Liquid or Hugo template expression"),
    ("{:", "a kramdown attribute list"),
)


def leftover_syntax(path: str, fm: FrontMatter) -> tuple[Diagnostic, ...]:
    """A warning for each body line that still holds template syntax salon does not run
    (Liquid, Hugo shortcodes, kramdown attributes). Code is skipped:
    fenced blocks and code spans may show such syntax on purpose."""
    if "{" not in fm.body:
        return ()
    found: list[Diagnostic] = []
    fence: str | None = None
    for n, line in enumerate(fm.body.split("\n"), start=fm.body_line):
        if m := _FENCE.match(line):
            marker = m.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is not None or line.startswith(("    ", "\t")):
            continue
        hit = _LEFTOVER.search(_CODE_SPAN.sub("", line))
        if hit is None:
            continue
        text = hit.group(0).strip()
        what = next(name for start, name in _LEFTOVER_WHAT if text.startswith(start))
        shown = text if len(text) <= 60 else text[:57] + "..."
        found.append(
            Diagnostic(
                path=path,
                line=n,
                severity="warning",
                message=f"{what} is left in the text: {shown}",
                hint="salon does not run templates: 'salon import' converts a whole old "
                "site, or put it in `code` to show it",
            )
        )
    return tuple(found)
