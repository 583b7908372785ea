"""Assembling the site: from every parsed file to one checked, linked, sorted `Site`.

Pure. Owns everything that needs more than one file: what is published as of `now` (drafts,
private, future and expired items, through `Note.is_live`), URLs that two items would share,
aliases that would take another file's place (`redirects`), links between notes and to files
by relative path (`bundles`), the files of page bundles, `via` and `people` references,
interests (through `interests.gather`) and years, and the order of every list (total, with
tie-breaks, so output is deterministic). Must not render or read anything.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo

from salon_gen.content import bundles, entry_ids, redirects
from salon_gen.content.bundles import Resource, Targets
from salon_gen.content.publication import ALIAS_KEYS
from salon_gen.core import interests
from salon_gen.core.errors import Diagnostic, did_you_mean
from salon_gen.core.model import Config, FeedEntry, Note, Page, Person, Site, StaticFile, Via, Year

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
        "search",
        "pagefind",  # the search index (search.py)
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
    # The first moment after `now` that an item comes due or expires: until then, the same
    # inputs give the same site (the no-change fast path relies on it). None: never.
    next_change: datetime | None
    ids: entry_ids.Assigned | None = None  # the entry ids, and the ledger to keep once written


def _line(info: Mapping[str, SourceInfo], source: str, key: str) -> int:
    src = info.get(source)
    return src.key_lines.get(key, 1) if src else 1


def line_of_text(info: Mapping[str, SourceInfo], source: str, needles: Sequence[str]) -> int:
    """The first line of the body of `source` holding one of `needles` (tried in order),
    else the body's first line."""
    src = info.get(source)
    if src is None:
        return 1
    lines = src.text.split("\n")[src.body_line - 1 :]
    for needle in needles:
        for n, line in enumerate(lines, start=src.body_line):
            if needle and needle in line:
                return n
    return src.body_line


def _alias_line(info: Mapping[str, SourceInfo], source: str, alias: str) -> int:
    """The front-matter line naming `alias`, else the line of the key that lists aliases."""
    src = info.get(source)
    if src is None:
        return 1
    keys = sorted(src.key_lines[k] for k in ALIAS_KEYS if k in src.key_lines)
    if not keys:
        return 1
    lines = src.text.split("\n")[: src.body_line - 1]
    for n in range(keys[0], len(lines) + 1):  # from the first alias key to the body
        if alias.rstrip("/") in lines[n - 1]:
            return n
    return keys[0]


def shown(note: Note, now: datetime, drafts: bool) -> bool:
    """Whether `note` is on the site: live as of `now`, or with --drafts anything but
    private (drafts, future and expired notes are what --drafts is for)."""
    return not note.private if drafts else note.is_live(now)


def _next_change(notes: Sequence[Note], pages: Sequence[Page], now: datetime) -> datetime | None:
    """The earliest moment after `now` when a note or page that is neither a draft nor
    private comes due (its date or publishDate) or expires."""
    moments: list[datetime] = []
    for note in notes:
        if not (note.draft or note.private):
            moments += (t for t in (note.live_from, note.expires) if t is not None and t > now)
    for page in pages:
        if not (page.draft or page.private):
            moments += (t for t in (page.publish_date, page.expires) if t is not None and t > now)
    return min(moments, default=None)


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
    resources: Sequence[Resource] = (),
    reuse: Reuse | None = None,
    ledger: entry_ids.Ledger = entry_ids.EMPTY,
) -> Assembled:
    diags: list[Diagnostic] = []
    next_change = None if drafts else _next_change(notes, pages, now)
    visible = sorted(
        (n for n in notes if shown(n, now, drafts)),
        key=lambda n: (-n.date.timestamp(), n.source),
    )
    # The id each note was first published with (RFC 4287 §4.2.6: an id never changes).
    assigned = entry_ids.assign(
        ledger,
        notes,
        {n.source for n in visible},
        {n.source: _front_line(info, n.source) for n in notes},
        _zone(config),
    )
    diags += assigned.diagnostics
    shown_pages = [p for p in pages if (not p.private if drafts else p.is_live(now))]
    everyone = {p.id: p for p in people}
    public = sorted((p for p in people if p.public), key=lambda p: (p.name.casefold(), p.id))

    diags += _check_urls(visible, shown_pages, info)
    urls_by_source: dict[str, str] = {n.source: n.url for n in visible}
    urls_by_source |= {p.source: p.url for p in shown_pages}
    all_sources = {n.source for n in notes} | {p.source for p in pages} | {p.source for p in people}
    # A hidden bundle's files stay unpublished with it.
    bundled, files, folders, hidden = bundles.published_resources(resources, urls_by_source)
    diags += _check_resources(resources, urls_by_source)
    files |= {"content/" + s.dest: s.dest for s in statics}
    urls_by_source |= {p.source: p.url_path for p in public}
    targets = Targets(
        items=urls_by_source,
        sources=frozenset(all_sources),
        files=files,
        folders=folders,
        hidden=hidden,
    )
    diags += redirects.check_aliases(
        [*visible, *shown_pages],
        [s.dest for s in bundled],
        RESERVED,
        lambda source, alias: _alias_line(info, source, alias),
    )

    def locate(source: str, needles: Sequence[str]) -> int:
        return line_of_text(info, source, needles)

    def link(source: str, html: str) -> str:
        resolved, problems = bundles.resolve_links(source, html, config.base_path, targets, locate)
        diags.extend(problems)
        return resolved

    context = (config, targets, tuple(sorted(everyone.items())))
    before: dict[int, tuple[Note, Note, tuple[Diagnostic, ...]]] = {}
    if reuse is not None:
        before = reuse.notes if reuse.context == context else {}
        reuse.context, reuse.notes = context, {}

    linked: list[Note] = []
    for note in visible:
        entry_id = assigned.ids[note.source]
        kept = before.get(id(note))
        if kept is not None and kept[0] is note and kept[1].entry_id == entry_id:
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
                        hint=person_hint(pid, everyone),
                    )
                )
        linked.append(replace(note, html=link(note.source, note.html), via=via, entry_id=entry_id))
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
        statics=tuple(sorted((*statics, *bundled), key=lambda s: s.dest)),
    )
    return Assembled(site=site, diagnostics=tuple(diags), next_change=next_change, ids=assigned)


def _front_line(info: Mapping[str, SourceInfo], source: str) -> int:
    """The first line of a file's front matter keys: where an `id:` line may go."""
    src = info.get(source)
    return min(src.key_lines.values(), default=1) if src else 1


def _zone(config: Config) -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(config.timezone)


def _check_urls(
    notes: Sequence[Note], pages: Sequence[Page], info: Mapping[str, SourceInfo]
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    # By the folder the URL is written to, with case folded: on macOS and Windows, whose file
    # systems ignore case, notes/Hello/ and notes/hello/ are one folder, and one page would
    # silently replace the other.
    taken: dict[str, tuple[str, str]] = {}  # folded URL -> (URL, source)
    items: list[tuple[str, str]] = [(n.url, n.source) for n in notes]
    items += [(p.url, p.source) for p in pages]
    for url, source in sorted(items, key=lambda x: x[1]):
        first = url.split("/", 1)[0].casefold()
        if (seen := taken.get(url.casefold())) is not None:
            same = seen[0] == url
            diags.append(
                Diagnostic(
                    path=source,
                    line=_line(info, source, "slug"),
                    message=f"URL /{url} is already used by {seen[1]}"
                    if same
                    else f"URL /{url} differs from /{seen[0]} of {seen[1]} only in case: on "
                    "macOS and Windows they are one folder, and one page would replace the other",
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
        taken[url.casefold()] = (url, source)
    return diags


def _check_resources(
    resources: Sequence[Resource], urls_by_source: Mapping[str, str]
) -> list[Diagnostic]:
    """A shown bundle's file may not take the place of the bundle's own page."""
    return [
        Diagnostic(
            path=r.content_path,
            message=f"this file would replace the page /{urls_by_source[r.bundle]}",
            hint=f"rename it: the page of the bundle is {r.bundle}",
        )
        for r in resources
        if r.path.lower() in ("index.html", "index.htm") and r.bundle in urls_by_source
    ]


PEOPLE_SHOWN = 8  # how many ids a hint lists when no id is a near miss


def person_hint(pid: str, everyone: Collection[str], other: str = "") -> str:
    """The hint for `pid` that names nobody in `everyone` (the ids in content/people/): a
    near miss when there is one, else the ids there are (the first few); `other` is another
    thing the field may hold ("or give an https:// URL")."""
    if near := did_you_mean(pid, everyone):
        return near
    ids = sorted(everyone)
    if not ids:
        shown = "content/people/ is empty (salon follow URL adds a person)"
    else:
        more = len(ids) - PEOPLE_SHOWN
        shown = "people: " + ", ".join(ids[:PEOPLE_SHOWN]) + (f", {more} more" if more > 0 else "")
    return f"{shown}; {other}" if other else shown


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
                hint=person_hint(via.person_id or "", everyone, "or give an https:// URL"),
            )
        )
        return None
    if not person.public:
        return None  # credit would reveal a private person: say nothing
    return Via(name=person.name, url=person.url, person_id=person.id)


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
