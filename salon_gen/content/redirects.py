"""Old URLs that keep working: where each alias's redirect page goes, and which aliases
cannot have one.

Pure. Owns `alias_output` (the file an alias becomes: "old/" -> "old/index.html",
"2019/old.html" as it is) and `check_aliases`: an alias may not take the place of a page of
the site, of another alias, of a bundle's file or of a path salon keeps for itself. Must not
render: `render.plan_pages` makes the pages, the default theme's `redirect.html` their HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import Note, Page
from salon_gen.core.urls import safe_output_path

# Under these reserved folders an alias may name an old slug ("notes/old-title/"): every
# page there is a note or share, and those are all known when aliases are checked.
_OLD_SLUGS_UNDER = frozenset({"notes", "shares"})


def alias_output(alias: str) -> str:
    """The file the redirect page of `alias` is written to: a folder's index.html, or the
    .html/.htm file the old URL named."""
    if alias.endswith("/"):
        return alias + "index.html"
    if alias.lower().endswith((".html", ".htm")):
        return alias
    return alias + "/index.html"


def check_aliases(
    items: Sequence[Note | Page],
    files: Collection[str],
    reserved: Collection[str],
    line_of: Callable[[str, str], int],
) -> list[Diagnostic]:
    """Errors for aliases of the shown `items` that would take another file's place: a
    page of the site, another alias, one of `files` (statics, bundles' files), or a path
    in `reserved` (salon's own pages). `line_of(source, alias)` points at the alias."""
    diags: list[Diagnostic] = []
    if not any(item.aliases for item in items):
        return diags  # the common case, on every rebuild of a preview: nothing to index
    taken = _Taken()
    for item in items:
        taken.add(item.url + "index.html", f"the page of {item.source}")
    for path in files:
        taken.add(path, f"a published file ({path})")
    for item in sorted(items, key=lambda i: i.source):
        for alias in item.aliases:
            out = alias_output(alias)
            problem = taken.problem(out, reserved)
            if problem is not None:
                diags.append(
                    Diagnostic(
                        path=item.source,
                        line=line_of(item.source, alias),
                        message=f"alias /{alias} {problem}",
                        hint="an old URL may only name a path no page of the site uses; "
                        "remove it or change it",
                    )
                )
                continue
            taken.add(out, f"an alias of {item.source}")
    return diags


class _Taken:
    """The site's files, each with what it is, and the folders they are in."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.folders: dict[str, str] = {}  # folder -> what the first file in it is

    def add(self, path: str, what: str) -> None:
        self.files.setdefault(path, what)
        parts = path.split("/")
        for n in range(1, len(parts)):
            self.folders.setdefault("/".join(parts[:n]), what)

    def problem(self, out: str, reserved: Collection[str]) -> str | None:
        if not safe_output_path(out):
            return "is not a path inside the site"
        if out in self.files:
            return f"would replace {self.files[out]}"
        # A file and a folder cannot share a name: "x.svg" (no slash, no .html) is written
        # as x.svg/index.html, which a bundle's file x.svg would be in the way of.
        if out in self.folders:
            return f"would replace the folder of {self.folders[out]}"
        parts = out.split("/")
        for n in range(1, len(parts)):
            above = "/".join(parts[:n])
            if above in self.files:
                return f"would replace {self.files[above]}"
        first, _, rest = out.partition("/")
        if first in reserved and not (first in _OLD_SLUGS_UNDER and rest != "index.html"):
            return "is a path salon keeps for its own pages"
        return None
