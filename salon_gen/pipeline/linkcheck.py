"""Root-relative links that lead nowhere: a check over everything the site is about to have.

Pure. Owns `check_links`: every `href`/`src`/`poster` in the owner's writing (notes, shares,
pages, public people's descriptions) that starts with the site's base path must name a file
the build publishes, its pages (redirect pages included), feeds, static files or a bundle's
files; else a warning at the line that wrote it. Relative links were checked by `bundles`
when they were resolved; absolute URLs are not ours to check. Must not read the disk: the
caller hands over the list of outputs.
"""

from __future__ import annotations

import html as htmlmod
import re
from collections.abc import Collection, Iterator, Mapping
from urllib.parse import unquote, urlsplit

from salon_gen.content.assemble import SourceInfo, line_of_text
from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import Site

_ROOT_LINK = re.compile(r"""\s(href|src|poster)=(["'])(/(?!/)[^"']*)\2""", re.IGNORECASE)


Links = tuple[tuple[str, str], ...]  # (attribute, path) of each root-relative URL
# What a preview keeps between rebuilds: source -> (the HTML looked at, its root links).
# An unchanged note hands back the very same HTML string, so the check is an identity test.
Memo = dict[str, tuple[str, Links]]


def check_links(
    site: Site,
    outputs: Collection[str],
    info: Mapping[str, SourceInfo],
    memo: Memo | None = None,
) -> tuple[Diagnostic, ...]:
    """A warning for each root-relative link in the owner's HTML that names no file in
    `outputs` (site-relative paths: "notes/x/index.html", "static/a.png")."""
    base = site.config.base_path
    found: dict[tuple[str, str], Diagnostic] = {}
    seen: Memo = {}
    for source, html in _owner_html(site):
        kept = memo.get(source) if memo is not None else None
        links = kept[1] if kept is not None and kept[0] is html else _root_links(html)
        seen[source] = (html, links)
        for attr, path in links:
            if not path.startswith(base):
                continue  # the same host, outside the site: nothing we can know
            rel = unquote(path[len(base) :])
            if (source, rel) in found or _published(rel, outputs):
                continue
            written = "/" + path[len(base) :]
            found[(source, rel)] = _warning(source, attr, written, info)
    if memo is not None:
        memo.clear()
        memo.update(seen)
    return tuple(found.values())


def _root_links(html: str) -> Links:
    if '="/' not in html and "='/" not in html:
        return ()  # most notes link nothing on the site by its root: skip the regex
    links: list[tuple[str, str]] = []
    for m in _ROOT_LINK.finditer(html):
        try:
            path = urlsplit(htmlmod.unescape(m.group(3))).path
        except ValueError:
            continue
        links.append((m.group(1).lower(), path))
    return tuple(links)


def _owner_html(site: Site) -> Iterator[tuple[str, str]]:
    for note in site.notes:
        yield note.source, note.html
    for page in site.pages:
        yield page.source, page.html
    for person in site.people:
        yield person.source, person.html


def _published(rel: str, outputs: Collection[str]) -> bool:
    """Whether a server would answer `rel` with one of `outputs`: the file itself, a
    folder's index.html, or (a redirect most hosts make) the folder of a path without its
    trailing slash."""
    if rel in outputs:
        return True
    if rel == "" or rel.endswith("/"):
        return rel + "index.html" in outputs
    return rel + "/index.html" in outputs


def _warning(source: str, attr: str, written: str, info: Mapping[str, SourceInfo]) -> Diagnostic:
    line = line_of_text(info, source, (written, unquote(written)))
    if attr == "href":
        return Diagnostic(
            path=source,
            line=line,
            severity="warning",
            message=f"link to '{written}' matches no page or file of the site",
            hint="a link starting with / names what the site publishes (/notes/<slug>/, "
            "/static/<file>); for another note, link its file: [x](other-note.md)",
        )
    return Diagnostic(
        path=source,
        line=line,
        severity="warning",
        message=f"missing image '{written}'",
        hint="files under content/static/ are published at /static/...; "
        "or write the path relative to this file",
    )
