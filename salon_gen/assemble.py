"""Assembling the site: from every parsed file to one checked, linked, sorted `Site`.

Pure. Owns everything that needs more than one file: leaving out drafts and future items,
URLs that two items would share, links between notes by relative path, `via` and `people`
references, interests (through `interests.gather`) and years, and the order of every list
(total, with tie-breaks, so output is deterministic). Must not render or read anything.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import unquote, urlsplit

from . import interests
from .errors import Diagnostic, did_you_mean
from .model import Config, FeedEntry, Note, Page, Person, Site, StaticFile, Via, Year
from .urls import rewrite_urls

# Top-level paths the site itself uses; a page may not take them.
RESERVED = frozenset(
    {
        "notes",
        "shares",
        "tags",
        "archive",
        "people",
        "theme",
        "static",
        "reading",
        "interests",
        "feed.xml",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "robots.txt",
        "blogroll.opml",
        "404.html",
        "index.html",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceInfo:
    """What assemble needs to point at a line: the file's text and its keys' lines."""

    text: str
    key_lines: Mapping[str, int]
    body_line: int


@dataclass(slots=True)
class Reuse:
    """What one `assemble` call hands the next (a preview's rebuilds): each note it linked,
    with the diagnostics it gave, valid while everything linking depends on is the same.
    An unchanged note then comes back as the very same value, so the rebuild's comparisons
    end at an identity check."""

    context: tuple[object, ...] | None = None
    notes: dict[int, tuple[Note, Note, tuple[Diagnostic, ...]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Assembled:
    site: Site
    diagnostics: tuple[Diagnostic, ...]
    # The first moment a future-dated item becomes due: until then, the same inputs give
    # the same site (the no-change fast path relies on it). None when nothing is scheduled.
    next_change: datetime | None


def _line(info: Mapping[str, SourceInfo], source: str, key: str) -> int:
    src = info.get(source)
    return src.key_lines.get(key, 1) if src else 1


def _line_of_text(info: Mapping[str, SourceInfo], source: str, needle: str) -> int:
    src = info.get(source)
    if src is None:
        return 1
    for n, line in enumerate(src.text.split("\n"), start=1):
        if n >= src.body_line and needle in line:
            return n
    return src.body_line


def assemble(
    config: Config,
    notes: Sequence[Note],
    pages: Sequence[Page],
    people: Sequence[Person],
    statics: Sequence[StaticFile],
    info: Mapping[str, SourceInfo],
    *,
    now: datetime,
    drafts: bool,
    entries: Sequence[FeedEntry] = (),
    reuse: Reuse | None = None,
) -> Assembled:
    diags: list[Diagnostic] = []
    future = [n.date for n in notes if n.date > now and not n.draft]
    next_change = min(future) if future and not drafts else None
    shown = sorted(
        (n for n in notes if drafts or (not n.draft and n.date <= now)),
        key=lambda n: (-n.date.timestamp(), n.source),
    )
    shown_pages = [p for p in pages if drafts or not p.draft]
    everyone = {p.id: p for p in people}
    public = sorted((p for p in people if p.public), key=lambda p: (p.name.casefold(), p.id))

    diags += _check_urls(shown, shown_pages, info)
    urls_by_source: dict[str, str] = {n.source: n.url for n in shown}
    urls_by_source |= {p.source: p.url for p in shown_pages}
    urls_by_source |= {p.source: p.url_path for p in public}
    all_sources = {n.source for n in notes} | {p.source for p in pages} | {p.source for p in people}

    def link(source: str, html: str) -> str:
        resolved, problems = _resolve_links(config, source, html, urls_by_source, all_sources, info)
        diags.extend(problems)
        return resolved

    context = (
        config,
        tuple(sorted(urls_by_source.items())),
        frozenset(all_sources),
        tuple(sorted(everyone.items())),
    )
    before: dict[int, tuple[Note, Note, tuple[Diagnostic, ...]]] = {}
    if reuse is not None:
        before = reuse.notes if reuse.context == context else {}
        reuse.context, reuse.notes = context, {}

    linked: list[Note] = []
    for note in shown:
        kept = before.get(id(note))
        if kept is not None and kept[0] is note:
            linked.append(kept[1])
            diags += kept[2]
            if reuse is not None:
                reuse.notes[id(note)] = kept
            continue
        mark = len(diags)
        via = note.via
        if via is not None and via.person_id is not None:
            via = _resolve_via(note, via, everyone, info, diags)
        for pid in note.people:
            if pid not in everyone:
                diags.append(
                    Diagnostic(
                        path=note.source,
                        line=_line(info, note.source, "people"),
                        message=f"people: no person '{pid}' in content/people/",
                        hint=did_you_mean(pid, everyone),
                    )
                )
        linked.append(replace(note, html=link(note.source, note.html), via=via))
        if reuse is not None:
            reuse.notes[id(note)] = (note, linked[-1], tuple(diags[mark:]))
    final_pages = sorted(
        (replace(p, html=link(p.source, p.html)) for p in shown_pages),
        key=lambda p: (p.weight, p.title.casefold(), p.slug),
    )
    final_people = tuple(replace(p, html=link(p.source, p.html)) for p in public)
    followed = _entries(entries, final_people)

    site = Site(
        entries=followed,
        config=config,
        notes=tuple(linked),
        pages=tuple(final_pages),
        people=final_people,
        interests=interests.gather(linked, final_people, followed, config.interests.aliases),
        years=_years(linked, config),
        statics=tuple(sorted(statics, key=lambda s: s.dest)),
    )
    return Assembled(site=site, diagnostics=tuple(diags), next_change=next_change)


def _check_urls(
    notes: Sequence[Note], pages: Sequence[Page], info: Mapping[str, SourceInfo]
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    taken: dict[str, str] = {}
    items: list[tuple[str, str]] = [(n.url, n.source) for n in notes]
    items += [(p.url, p.source) for p in pages]
    for url, source in sorted(items, key=lambda x: x[1]):
        first = url.split("/", 1)[0]
        if url in taken:
            diags.append(
                Diagnostic(
                    path=source,
                    line=_line(info, source, "slug"),
                    message=f"URL /{url} is already used by {taken[url]}",
                    hint="give one of them a different 'slug:'",
                )
            )
            continue
        if source.startswith("content/pages/") and first in RESERVED:
            diags.append(
                Diagnostic(
                    path=source,
                    line=_line(info, source, "slug"),
                    message=f"URL /{url} is reserved for salon's own pages",
                    hint="give the page another 'slug:'",
                )
            )
            continue
        taken[url] = source
    return diags


def _resolve_via(
    note: Note,
    via: Via,
    everyone: Mapping[str, Person],
    info: Mapping[str, SourceInfo],
    diags: list[Diagnostic],
) -> Via | None:
    person = everyone.get(via.person_id or "")
    if person is None:
        diags.append(
            Diagnostic(
                path=note.source,
                line=_line(info, note.source, "via"),
                message=f"via: no person '{via.person_id}' in content/people/",
                hint=did_you_mean(via.person_id or "", everyone)
                or "use a person's id (their file name) or an https:// URL",
            )
        )
        return None
    if not person.public:
        return None  # credit would reveal a private person: say nothing
    return Via(name=person.name, url=person.url, person_id=person.id)


def _resolve_links(
    config: Config,
    source: str,
    html: str,
    urls_by_source: Mapping[str, str],
    all_sources: set[str],
    info: Mapping[str, SourceInfo],
) -> tuple[str, list[Diagnostic]]:
    """Relative links to .md files become the URL of that item; /x becomes base path + x."""
    problems: list[Diagnostic] = []
    base_path = config.base_path
    if base_path == "/" and ".md" not in html and ".markdown" not in html:
        return html, problems  # nothing to resolve: the common case, and it is cheap
    folder = posixpath.dirname(source)

    def fix(url: str) -> str:
        if not url or url.startswith(("#", "//")):
            return url
        try:
            parts = urlsplit(url)
        except ValueError:
            return url
        if parts.scheme or parts.netloc:
            return url
        if parts.path.startswith("/"):
            return base_path + url[1:] if base_path != "/" else url
        if not parts.path.lower().endswith((".md", ".markdown")):
            return url
        target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        frag = f"#{parts.fragment}" if parts.fragment else ""
        if target in urls_by_source:
            return base_path + urls_by_source[target] + frag
        why = "is a draft, private or not published" if target in all_sources else "matches no file"
        problems.append(
            Diagnostic(
                path=source,
                line=_line_of_text(info, source, parts.path),
                message=f"link to '{parts.path}' {why}",
                hint="links between notes are relative paths, e.g. [x](other-note.md)",
            )
        )
        return url

    return rewrite_urls(html, fix), problems


def _entries(entries: Sequence[FeedEntry], people: Sequence[Person]) -> tuple[FeedEntry, ...]:
    """Followed entries of public people only, each knowing whose it is, newest first."""
    owner: dict[str, str] = {}
    for person in sorted(people, key=lambda p: p.id):
        for url in person.feeds:
            owner.setdefault(url, person.id)
    kept = (replace(e, person_id=owner[e.feed_url]) for e in entries if e.feed_url in owner)
    return tuple(sorted(kept, key=lambda e: (-e.published.timestamp(), e.feed_url, e.entry_id)))


def _years(notes: Sequence[Note], config: Config) -> tuple[Year, ...]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(config.timezone)
    groups: dict[int, list[Note]] = {}
    for note in notes:
        groups.setdefault(note.date.astimezone(zone).year, []).append(note)
    return tuple(Year(year=y, notes=tuple(groups[y])) for y in sorted(groups, reverse=True))
