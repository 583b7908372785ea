"""Page bundles and the URLs the owner writes: what a relative `href` or `src` points at.

Pure. Owns `Resource` (a file of a Hugo-style page bundle, `content/notes/trip/index.md`
with `images/x.png` beside it), `Targets` (every file of the content tree that the site
publishes, by its path in the content tree, with the URL it is published at) and
`resolve_links`, which rewrites the owner's HTML: a relative URL is read against the folder
of the Markdown file it was written in, as an editor previewing the file reads it, and
becomes the URL the file is published at; and which folders of a list of paths are bundles
(`bundle_folders`). Must not read the disk: `sources` lists the files.
"""

from __future__ import annotations

import html as htmlmod
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import quote, unquote, urlsplit

from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import StaticFile
from salon_gen.core.urls import rewrite_url_attrs

# A bundle is a folder whose page is one of these (Hugo: a leaf bundle's `index.md`).
INDEX_NAMES = ("index.md", "index.markdown")
# An href/src/poster value that is neither absolute, nor root-relative, nor a fragment:
# the only ones `resolve_links` has to look at when the site lives at the root. The pattern
# starts with a literal "=", which `re` scans for quickly, and looks behind for the name:
# `(?:href|src|poster)=` was 40 µs a note, this 10 µs. A false hit ("data-src=") only costs
# the full pass.
_RELATIVE = re.compile(
    r"""=(?:(?<=href=)|(?<=src=)|(?<=poster=))["'](?![a-z][a-z0-9+.-]*:|/|#)""", re.IGNORECASE
)
_MARKDOWN = (".md", ".markdown")
# Locates text written in a source file: (source, candidates) -> line.
Locate = Callable[[str, Sequence[str]], int]


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    """A file of a page bundle, published beside the bundle's page."""

    bundle: str  # the bundle's page, "content/notes/trip/index.md"
    path: str  # inside the bundle's folder, forward slashes: "images/x.png"
    source: str  # absolute path on disk

    @property
    def content_path(self) -> str:
        """Its path in the salon, as relative URLs in the bundle's page resolve to it."""
        return f"{posixpath.dirname(self.bundle)}/{self.path}"


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class Targets:
    """What a relative URL in the owner's HTML can resolve to, by content path."""

    items: Mapping[str, str] = field(default_factory=_empty)  # "content/notes/x.md" -> URL
    sources: frozenset[str] = frozenset()  # every content file, published or not
    files: Mapping[str, str] = field(default_factory=_empty)  # statics and resources -> path
    folders: Mapping[str, str] = field(default_factory=_empty)  # a bundle's folder -> URL
    hidden: Mapping[str, str] = field(default_factory=_empty)  # resource of a hidden bundle


def is_bundle_index(path: str) -> bool:
    return posixpath.basename(path) in INDEX_NAMES


def bundle_folders(paths: list[str], base: str) -> set[str]:
    """The folders of `paths` (Markdown files under `base`, "content/notes") that are page
    bundles: they hold an index.md and are not inside another bundle (a bundle's folders
    are its files, as Hugo's leaf bundles have no bundles inside)."""
    candidates = {p.rsplit("/", 1)[0] for p in paths if p.rsplit("/", 1)[-1] in INDEX_NAMES} - {
        base
    }
    return {f for f in candidates if not any(a in candidates for a in _ancestors(f, base))}


def _ancestors(folder: str, base: str) -> list[str]:
    found: list[str] = []
    while "/" in folder:
        folder = folder.rsplit("/", 1)[0]
        if len(folder) <= len(base):
            break
        found.append(folder)
    return found


def in_bundle(path: str, folders: set[str], base: str) -> bool:
    """Whether `path` is inside one of the bundle `folders`."""
    return any(a in folders for a in _ancestors(path, base))


def published_resources(
    resources: Sequence[Resource], urls_by_source: Mapping[str, str]
) -> tuple[list[StaticFile], dict[str, str], dict[str, str], dict[str, str]]:
    """The resources of the bundles that are shown, as static files at `<page URL><path>`;
    with content path -> published path, bundle folder -> page URL, and the resources of
    bundles that are not shown (content path -> their bundle's page), which stay unpublished."""
    statics: list[StaticFile] = []
    files: dict[str, str] = {}
    folders: dict[str, str] = {}
    hidden: dict[str, str] = {}
    for r in resources:
        url = urls_by_source.get(r.bundle)
        if url is None:
            hidden[r.content_path] = r.bundle
            continue
        folders[posixpath.dirname(r.bundle)] = url
        statics.append(StaticFile(source=r.source, dest=url + r.path))
        files[r.content_path] = url + r.path
    return statics, files, folders, hidden


def needs_resolving(html: str, base_path: str) -> bool:
    """False when `html` has nothing `resolve_links` would change or report: the common
    case, and the check costs one regular expression search."""
    if base_path != "/":
        return True
    return _RELATIVE.search(html) is not None


def resolve_links(
    source: str, html: str, base_path: str, targets: Targets, locate: Locate
) -> tuple[str, list[Diagnostic]]:
    """Relative URLs in `html` (written in the file `source`) read against that file's
    folder: a note's `.md` becomes the note's URL, a file under content/static/ or of a
    bundle the URL it is published at. Root-relative URLs get the base path. A relative URL
    that leads to no published file is kept as written, with a warning (or an error for a
    link to a note that is not published, as before)."""
    problems: list[Diagnostic] = []
    if not needs_resolving(html, base_path):
        return html, problems
    folder = posixpath.dirname(source)

    def fix(attr: str, raw: str) -> str:
        value = htmlmod.unescape(raw)
        if not value or value.startswith(("#", "//")):
            return raw
        try:
            parts = urlsplit(value)
        except ValueError:
            return raw
        if parts.scheme or parts.netloc:
            return raw
        if parts.path.startswith("/"):
            return base_path + raw[1:] if base_path != "/" else raw
        if not parts.path:
            return raw  # "?page=2": nothing to find
        placeholder = _PELICAN.match(value)
        if placeholder is not None:
            found = pelican_target(folder, unquote(value[placeholder.end() :]), targets)
            if found is not None:
                return base_path + quote(found, safe="/#?=&%:@+~")
        target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        cut = min((i for i in (raw.find("?"), raw.find("#")) if i >= 0), default=len(raw))
        suffix = raw[cut:]
        if parts.path.lower().endswith(_MARKDOWN):
            if target in targets.items:
                frag = f"#{parts.fragment}" if parts.fragment else ""
                return base_path + targets.items[target] + frag
            problems.append(_note_link(source, parts.path, target, targets, locate))
            return raw
        if target in targets.files:
            return base_path + quote(targets.files[target]) + suffix
        if target in targets.folders:
            return base_path + targets.folders[target] + suffix
        problems.append(_missing(source, attr, parts.path, target, folder, targets, locate))
        return raw

    return rewrite_url_attrs(html, fix), problems


# Pelican's link placeholders, `{filename}`, `{static}`, `{attach}` (and the older `|filename|`):
# a path after one is read from the file's folder, or from the content root when it starts
# with "/".
_PELICAN = re.compile(r"^(?:\{(?:filename|static|attach)\}|\|(?:filename|static|attach)\|)")
_ROOTS = ("content/notes", "content/pages", "content/static", "content")


def pelican_target(folder: str, rest: str, targets: Targets) -> str | None:
    """The published URL (without the base path) of what a Pelican placeholder link names,
    or None when no published file matches. Pelican's content folder became several of
    salon's (notes, pages, static), so each is tried; a post moved on the way in is found by
    its file name when that name is unique."""
    cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    path, suffix = rest[:cut], rest[cut:]
    if path.startswith("/"):
        bases = [f"{root}{path}" for root in _ROOTS]
    else:
        bases = [posixpath.join(folder, path), *(f"{root}/{path}" for root in _ROOTS)]
    for candidate in (posixpath.normpath(b) for b in bases):
        if candidate in targets.items:
            return targets.items[candidate] + suffix
        if candidate in targets.files:
            return targets.files[candidate] + suffix
    name = "/" + posixpath.basename(path)
    pool = targets.items if path.lower().endswith(_MARKDOWN) else targets.files
    matches = [url for key, url in pool.items() if key.endswith(name)]
    return matches[0] + suffix if len(matches) == 1 else None


def _note_link(source: str, path: str, target: str, targets: Targets, locate: Locate) -> Diagnostic:
    why = "is a draft, private or not published" if target in targets.sources else "matches no file"
    return Diagnostic(
        path=source,
        line=locate(source, (path, unquote(path))),
        message=f"link to '{path}' {why}",
        hint="links between notes are relative paths, e.g. [x](other-note.md)",
    )


def _missing(
    source: str,
    attr: str,
    path: str,
    target: str,
    folder: str,
    targets: Targets,
    locate: Locate,
) -> Diagnostic:
    line = locate(source, (path, unquote(path)))
    bundle = targets.hidden.get(target)
    if bundle is not None:
        return Diagnostic(
            path=source,
            line=line,
            severity="warning",
            message=f"'{path}' belongs to {bundle}, which is a draft, private or not published",
            hint="its files are published with it, not before",
        )
    image = attr != "href"
    return Diagnostic(
        path=source,
        line=line,
        severity="warning",
        message=f"missing image '{path}'" if image else f"link to a missing file '{path}'",
        hint=f"a relative path starts from the file's folder ({folder}/): this one leads "
        f"to {target}, which is not there; files for any page go in content/static/",
    )
