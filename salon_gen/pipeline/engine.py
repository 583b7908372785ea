"""The build engine: one object that both `salon build` and `salon serve` drive.

Shell. Owns `Engine`, which keeps a salon's parsed sources, its last assembled site and what
every page read while it was rendered, and brings an output folder up to date doing as
little as each change needs. Its stages, in order (the functions are in `stages`):
- read: only the files whose stamp changed or that the caller named are read again, and
  only those whose text changed are parsed again (Markdown from the render cache when the
  engine starts empty, else rendered here);
- assemble the site (values in, values out; unchanged notes come back as the same values);
- render a page only when what it shows may have changed (`rerender`);
- remake the feeds and the sitemap only when their inputs changed;
- check links and guard against leaks over what is about to be written;
- write: a full build swaps the whole folder in atomically; later ones replace the few files
  that changed, each atomically, keeping the manifest up to date.

`salon serve` keeps one engine in memory; `salon build` restores one from its record in
`.salon/` (`record`) and saves it after a good build, so a build after one edit renders what
that edit can change. A clean build is an engine that starts empty. A change to salon.toml,
to salon's own code or to anything this module cannot account for starts over: never a
stale page. Must not fetch feeds or print.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from salon_gen.content import assemble, entry_ids, sources
from salon_gen.conversation import received
from salon_gen.core.errors import BuildFailed, Diagnostic, has_errors
from salon_gen.core.model import ChangeKind, Note, Person
from salon_gen.pipeline import linkcheck, record, render, rerender, stages, syndication, write
from salon_gen.pipeline.depends import FrozenReads
from salon_gen.workspace import state

if TYPE_CHECKING:
    from salon_gen.circle.contacts import Contact, Kept
    from salon_gen.content.bundles import Resource
    from salon_gen.conversation.received import Received
    from salon_gen.core.model import Config, FeedEntry, OutputFile, Site, StaticFile

# A file changed less than this before the last build read it may have changed again within
# one tick of the file system's clock, keeping its stamp: such files are read again (and
# parsed again only if their text differs), as git does with "racily clean" files.
RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class RebuildReport:
    full: bool  # everything was rendered (first build, config or theme change)
    pages: int  # HTML pages the site has
    rendered: int  # pages rendered by this rebuild
    written: int  # files written into the output folder
    removed: int  # files deleted from it
    warnings: tuple[Diagnostic, ...]
    files: int = 0  # files the output folder holds now
    bodies: int = 0  # Markdown bodies rendered (not taken from the cache or the memory)
    next_change: datetime | None = None  # when a scheduled item comes due or expires
    pages_changed: tuple[str, ...] = ()  # the pages written or removed, site-relative

    @property
    def unchanged(self) -> bool:
        return not self.full and self.written == 0 and self.removed == 0


@dataclass(frozen=True, slots=True, kw_only=True)
class _Built:
    """The last good build, exactly as it is in the output folder."""

    site: Site
    pages: Mapping[str, rerender.PageRecord]  # by output path
    sitemap_key: tuple[tuple[str, datetime | None], ...]
    sitemap: OutputFile
    extras: Mapping[str, bytes]  # every file that is not a page or a static, by path
    statics: Mapping[str, tuple[str, sources.Stamp]]  # dest -> (source, its stamp)
    people_files: tuple[tuple[str, str], ...]  # (path, text): what the leak guard sought
    files: int  # files in the output folder


@dataclass(slots=True, kw_only=True)
class _Memory:
    """What survives between rebuilds until salon.toml or a theme changes. Everything but
    `env` is saved in the record between `salon build`s."""

    config: Config
    config_diagnostics: tuple[Diagnostic, ...]
    zone: tzinfo
    env: render.Environment
    theme_dir: Path | None
    theme_static: tuple[StaticFile, ...]
    theme_diagnostics: tuple[Diagnostic, ...]
    theme_stamps: dict[str, sources.Stamp] = dataclasses.field(default_factory=dict)
    read_at: int = 0  # time.time_ns() when the last rebuild started reading
    parsed: dict[str, stages.ParsedSource] = dataclasses.field(default_factory=dict)
    entries_key: tuple[object, ...] | None = None
    entries: tuple[FeedEntry, ...] = ()
    built: _Built | None = None
    reuse: assemble.Reuse = dataclasses.field(default_factory=assemble.Reuse)
    feeds: syndication.FeedMemo = dataclasses.field(default_factory=syndication.FeedMemo)
    links: linkcheck.Memo = dataclasses.field(default_factory=dict)
    # the private calendar's: source -> (the HTML looked at, a share's link, the URLs)
    calendar_links: dict[str, tuple[str, str | None, tuple[str, ...]]] = dataclasses.field(
        default_factory=dict
    )


class Engine:
    """Builds the salon at `root` into `output` (a folder only it writes), doing as little
    as each change needs. Not thread-safe: one caller rebuilds at a time.

    `persist`: `salon build`'s engine. It checks the theme folder's stamps itself (no
    watcher tells it), writes the private calendar of every good build just before the site
    (`_write_calendar`), forgets its record before it writes and is saved by `save()`."""

    def __init__(
        self, root: Path, output: Path, *, drafts: bool = False, persist: bool = False
    ) -> None:
        self.root = root
        self.output = output
        self.drafts = drafts
        self.persist = persist
        self.paths = state.StatePaths(root=root)
        self._memory: _Memory | None = None
        self._stale: set[str] = set()  # content paths to read again, whatever their stamp
        self._relpath = stages.relpath_in(root)
        # the entry-id ledger as last read, with the stamp it had (`_read_ledger`)
        self._ledger: tuple[tuple[int, ...], entry_ids.Ledger, tuple[Diagnostic, ...]] | None = None

    @classmethod
    def restore(cls, root: Path, output: Path, *, drafts: bool = False) -> Engine:
        """`salon build`'s engine: the one its record in `.salon/` describes when the
        record is there, is this machine's, and matches salon's code, this salon, this
        output folder, `drafts` and salon.toml as it is now; an empty one otherwise."""
        engine = cls(root, output, drafts=drafts, persist=True)
        saved = record.load(engine._record(), engine._key())
        if saved is None:
            return engine
        config, config_diags = sources.checked_config(root)
        if saved.get("config") != config:
            return engine  # salon.toml changed what it says: start over
        env = render.make_environment(config, saved["theme_dir"], bytecode=_bytecode())
        mem = _Memory(**saved, env=env)
        mem.config_diagnostics = config_diags
        # the memory's ids are gone with the process that made them: key them anew
        mem.reuse.notes = {id(v[0]): v for v in mem.reuse.notes.values()}
        if mem.built is not None:
            manifest = write.load_manifest(engine.paths.manifest(output), output)
            if len(manifest) != mem.built.files or not write.output_intact(manifest, output):
                mem.built = None  # the output was touched since: write it whole again
        engine._stale = {
            path for path, p in mem.parsed.items() if p.file.stamp[0] >= mem.read_at - RACY_NS
        }
        engine._memory = mem
        # What was restored lives as long as the build: the collector need not look at it
        # again (`salon build` is one build a process; serve never restores).
        gc.freeze()
        return engine

    def save(self) -> None:
        """Save the memory as the record the next `salon build` restores."""
        mem = self._memory
        if mem is None or mem.built is None:
            return
        fields = {f.name: getattr(mem, f.name) for f in dataclasses.fields(mem)}
        del fields["env"]
        record.save(self._record(), self._key(), fields)

    def rebuild(
        self, changed: Mapping[str, ChangeKind], *, now: datetime, jobs: int | None = 1
    ) -> RebuildReport:
        """Bring the output up to date with the salon as of `now`. `changed` maps absolute
        paths to what the watcher says they are; stamps catch what it missed. Raises
        BuildFailed with every diagnostic; the output then keeps the last good build."""
        changed = dict(changed)
        if self.persist and self._memory is not None:
            changed |= self._theme_changes(self._memory)
        kinds = set(changed.values())
        templates: frozenset[str] = frozenset()
        if self._memory is not None and "config" not in kinds and "theme" in kinds:
            templates_or_none = self._retheme(
                self._memory, [p for p, kind in changed.items() if kind == "theme"]
            )
            if templates_or_none is None:
                self._memory = None
            else:
                templates = templates_or_none
        if self._memory is None or "config" in kinds:
            self._memory = None  # a failed load leaves nothing half-known behind
            self._memory = self._load()
        mem = self._memory
        stale = {self._relpath(p) for p, kind in changed.items() if kind == "content"}
        stale |= self._stale
        report = self._rebuild(mem, stale, templates, now, jobs)
        self._stale = set()
        return report

    def _write_calendar(
        self, mem: _Memory, kept: Sequence[Kept], contacts: Mapping[str, Contact], now: datetime
    ) -> None:
        """Write the private calendar (`private/salon.ics`) of the salon being built, from
        the private side `_rebuild` read and checked."""
        from salon_gen.circle import actions
        from salon_gen.circle.reminders import links_of_note

        notes = [p.value for p in mem.parsed.values() if isinstance(p.value, Note)]
        everyone = [person for person, _, _ in kept]
        memo = mem.calendar_links
        seen: dict[str, tuple[str, str | None, tuple[str, ...]]] = {}

        def links_of(note: Note) -> tuple[str, ...]:
            link = note.link.url if note.link is not None else None
            kept = memo.get(note.source)
            if kept is not None and kept[0] is note.html and kept[1] == link:
                links = kept[2]
            else:
                links = links_of_note(note)
            seen[note.source] = (note.html, link, links)
            return links

        actions.write_private_calendar(
            self.root,
            mem.config,
            everyone,
            contacts,
            notes,
            now=now,
            output=self.output,
            links_of=links_of,
        )
        mem.calendar_links = seen

    def _theme_changes(self, mem: _Memory) -> dict[str, ChangeKind]:
        """The project theme's files that appeared, went or changed since the last rebuild
        (what a watcher would have said), as changes of kind "theme"."""
        stamps = _theme_stamps(self.root, mem.config)
        gone_or_changed = {p for p, s in mem.theme_stamps.items() if stamps.get(p) != s}
        found = gone_or_changed | (stamps.keys() - mem.theme_stamps.keys())
        mem.theme_stamps = stamps
        return {path: "theme" for path in found}

    def _retheme(self, mem: _Memory, changed: Sequence[str]) -> frozenset[str] | None:
        """After a change under themes/: the names of the project theme's templates that
        changed (pages that used them are rendered again), with a fresh Jinja environment;
        None when the change is one to start over for (the theme's folder or its templates/
        folder itself appeared or went)."""
        names: set[str] = set()
        if mem.config.theme:
            base = self.root / sources.THEMES_DIR / mem.config.theme
            for path in changed:
                try:
                    rel = Path(path).relative_to(base).as_posix()
                except ValueError:
                    continue  # another theme's folder: it shows nowhere
                if rel.startswith("templates/"):
                    names.add(rel.removeprefix("templates/"))
                elif rel != "static" and not rel.startswith("static/"):
                    return None  # statics are compared by stamp; anything else: start over
        theme_dir, theme_static, theme_diags = stages.theme_sources(self.root, mem.config)
        if theme_dir != mem.theme_dir:
            return None
        if names:
            mem.env = render.make_environment(mem.config, theme_dir, bytecode=_bytecode())
        mem.theme_static, mem.theme_diagnostics = theme_static, theme_diags
        return frozenset(names)

    def _load(self) -> _Memory:
        config, config_diags = sources.checked_config(self.root)
        theme_dir, theme_static, theme_diags = stages.theme_sources(self.root, config)
        return _Memory(
            config=config,
            config_diagnostics=config_diags,
            zone=stages.config_zone(config),
            env=render.make_environment(config, theme_dir, bytecode=_bytecode()),
            theme_dir=theme_dir,
            theme_static=theme_static,
            theme_diagnostics=theme_diags,
            theme_stamps=_theme_stamps(self.root, config) if self.persist else {},
        )

    def _rebuild(
        self,
        mem: _Memory,
        stale: set[str],
        templates: frozenset[str],
        now: datetime,
        jobs: int | None,
    ) -> RebuildReport:
        diags: list[Diagnostic] = [*mem.config_diagnostics, *mem.theme_diagnostics]
        read_at = time.time_ns()
        statics_in_content, resources, bodies, read = self._read(mem, stale, jobs)
        diags += read
        # The owner's private side: checked as `salon build` checks it, and what the leak
        # guard looks for. When a person file changed, every page is checked again.
        kept, contacts, problems = stages.private_side(list(mem.parsed.values()))
        diags += problems
        people_files = tuple(
            (p.file.path, p.file.text) for p in mem.parsed.values() if p.kind == "person"
        )

        # The ids notes were first published with: read at every rebuild (a small file), so
        # an incremental build and a clean one start from the same ledger.
        ledger, problems = self._read_ledger()
        diags += problems
        assembled = stages.assemble_site(
            mem.config,
            list(mem.parsed.values()),
            statics_in_content,
            self._entries(mem),
            now=now,
            drafts=self.drafts,
            resources=resources,
            reuse=mem.reuse,
            ledger=ledger,
        )
        diags += assembled.diagnostics
        if has_errors(diags):
            raise BuildFailed(diags)
        site = assembled.site
        jobs_ = render.plan_pages(site, self._received(mem), self._gone(mem))
        prev = mem.built if mem.built and mem.built.people_files == people_files else None
        todo_pages = (
            list(jobs_)
            if prev is None
            else rerender.pages_to_render(site, prev.site, prev.pages, jobs_, templates)
        )
        reads: dict[str, FrozenReads | None] = {}
        html, problems = stages.render_pages(site, mem.env, todo_pages, self._relpath, reads, jobs)
        diags += problems
        if has_errors(diags):
            raise BuildFailed(diags)

        feeds = syndication.render_feeds(site, mem.feeds)
        sitemap_key = tuple(stages.sitemap_entries(jobs_))
        if prev is not None and prev.sitemap_key == sitemap_key:
            sitemap = prev.sitemap
        else:
            sitemap = syndication.render_sitemap(site, sitemap_key)
        extras, statics = stages.site_extras(
            site, jobs_, mem.theme_static, feeds=feeds, sitemap=sitemap
        )
        static_stamps = {s.dest: (s.source, sources.stamp_of(s.source)) for s in statics}
        diags += stages.check_links(site, mem.parsed.values(), jobs_, extras, statics, mem.links)
        changed_extras = [f for f in extras if prev is None or prev.extras.get(f.path) != f.data]
        changed_statics = [
            s for s in statics if prev is None or prev.statics.get(s.dest) != static_stamps[s.dest]
        ]
        diags += stages.guard(  # what is about to be written, as `salon build` guards it
            self.root,
            site,
            kept,
            mem.parsed.values(),
            mem.env,
            todo_pages,
            (*html, *changed_extras),
            changed_statics,
            mem.theme_dir,
            self.output,
        )
        if has_errors(diags):
            raise BuildFailed(diags)
        if self.persist:  # from here until save(), the record no longer describes the output
            self._write_calendar(mem, kept, contacts, now)
            record.forget(self._record())
        mem.built = None  # a write that fails half-way leaves nothing to trust
        if prev is None:
            report = write.write_site(
                self.output,
                (*html, *extras),
                statics,
                self._manifest(),
                within=self.root,
                drafts=self.drafts,
            )
        else:
            now_there = {j.output for j in jobs_} | {f.path for f in extras} | static_stamps.keys()
            before = set(prev.pages) | set(prev.extras) | set(prev.statics)
            report = write.update_site(
                self.output,
                (*html, *changed_extras),
                sorted(before - now_there),
                changed_statics,
                within=self.root,
                manifest_path=self._manifest(),
                drafts=self.drafts,
            )
        if self.persist and not self.drafts and assembled.ids is not None:
            # Remembered once the site holds them; a preview or a --drafts build publishes
            # nothing, so it remembers nothing.
            stages.write_ledger(self.paths, assembled.ids.ledger(), ledger)

        mem.read_at = read_at
        mem.built = _Built(
            site=site,
            pages=rerender.described(jobs_, reads, prev.pages if prev else None),
            sitemap_key=sitemap_key,
            sitemap=sitemap,
            extras={f.path: f.data for f in extras},
            statics=static_stamps,
            people_files=people_files,
            files=report.files,
        )
        return RebuildReport(
            full=prev is None,
            pages=len(jobs_),
            rendered=len(html),
            written=report.written,
            removed=report.removed,
            warnings=tuple(d for d in diags if not d.is_error),
            files=report.files,
            bodies=bodies,
            next_change=assembled.next_change,
            pages_changed=tuple(f.path for f in html)
            + tuple(sorted(set(prev.pages) - {j.output for j in jobs_}) if prev else ()),
        )

    def _read(
        self, mem: _Memory, stale: set[str], jobs: int | None
    ) -> tuple[tuple[StaticFile, ...], tuple[Resource, ...], int, list[Diagnostic]]:
        """Bring `mem.parsed` up to date: re-read what changed (or was named), re-parse
        what reads differently. Returns the content's static files, the bundles' files, how
        many Markdown bodies were rendered, and the diagnostics of reading and of every
        file, the unchanged ones' included."""
        known = {path: p.file for path, p in mem.parsed.items() if path not in stale}
        tree, problems = sources.read_content(self.root, known=known)
        diags = list(problems)
        files = stages.content_files(tree)
        todo: list[tuple[str, sources.SourceFile]] = []
        same_text: dict[str, stages.ParsedSource] = {}
        for kind, f in files:
            p = mem.parsed.get(f.path)
            if p is not None and p.file is f:
                continue
            if p is not None and p.kind == kind and p.file.text == f.text:
                same_text[f.path] = dataclasses.replace(p, file=f)  # touched, not changed
            else:
                todo.append((kind, f))
        fresh, bodies, problems = stages.parse_sources(
            todo, mem.config, mem.zone, self.paths, jobs, cached=not mem.parsed
        )
        diags += problems
        by_path = {p.file.path: p for p in fresh} | same_text
        mem.parsed = {f.path: by_path.get(f.path) or mem.parsed[f.path] for _, f in files}
        for parsed in mem.parsed.values():
            diags += parsed.diagnostics
        return tree.statics, tree.resources, bodies, diags

    def _entries(self, mem: _Memory) -> tuple[FeedEntry, ...]:
        """Followed entries: read from the store again only when the public people's feeds
        or the store's version (bumped by every `salon fetch` that stored something)
        changed."""
        from salon_gen.following.follow import stored_entries

        people = [p.value for p in mem.parsed.values() if isinstance(p.value, Person)]
        public: list[Person] = [p for p in people if p.public]
        try:
            version = (self.paths.dir / state.FEEDS_VERSION_FILE).read_bytes()
        except OSError:
            version = b""
        key = (version, tuple((p.id, p.feeds) for p in public))
        if key != mem.entries_key:
            mem.entries = stored_entries(self.paths, public)
            mem.entries_key = key
        return mem.entries

    def _read_ledger(self) -> tuple[entry_ids.Ledger, tuple[Diagnostic, ...]]:
        """The entry-id ledger, read again only when its stamp changed (a preview's
        rebuilds of a large salon would otherwise parse it at every keystroke)."""
        try:
            st = self.paths.entry_ids.stat()
            stamp: tuple[int, ...] | None = (st.st_size, st.st_mtime_ns, st.st_ino)
        except OSError:
            stamp = None
        if stamp is None or self._ledger is None or self._ledger[0] != stamp:
            ledger, problems = stages.read_ledger(self.paths)
            self._ledger = (stamp, ledger, problems) if stamp is not None else None
            return ledger, problems
        return self._ledger[1], self._ledger[2]

    def _received(self, mem: _Memory) -> tuple[Received, ...]:
        """The Webmentions `salon mention --receive` stored, less those the owner hid since."""
        hidden = set(mem.config.webmention.hidden)
        stored = received.load(self.paths.dir / state.RECEIVED_FILE)
        return tuple(m for m in stored if m.source not in hidden)

    def _gone(self, mem: _Memory) -> tuple[str, ...]:
        """The site paths of the posts `salon mention` told other sites about (its record),
        for tombstones where no page is any more (`render.plan_pages` decides)."""
        from salon_gen.conversation import sent as webmention_store

        base = mem.config.base_url
        sent = webmention_store.load(self.paths.dir / webmention_store.FILE)
        return tuple(url[len(base) :] for url in sorted(sent) if url.startswith(base))

    def _manifest(self) -> Path:
        return self.paths.manifest(self.output)

    def _record(self) -> Path:
        return self.paths.engine_record(self.output)

    def _key(self) -> tuple[object, ...]:
        """What a record must have been made for to be restored here."""
        return (str(self.root.resolve()), str(self.output), self.drafts, state.code_digest())


def _bytecode() -> Path:
    """Where compiled templates are kept: one folder per version of salon's code (its
    templates and Jinja settings), in this user's cache."""
    return record.cache_dir() / f"templates-{state.code_digest()[:16]}"


def _theme_stamps(root: Path, config: Config) -> dict[str, sources.Stamp]:
    """Every file under the project theme's folder (absolute path -> stamp): what
    `Engine._theme_changes` compares. Its folders are not: a file appearing in one is seen
    as itself."""
    if not config.theme:
        return {}
    base = root / sources.THEMES_DIR / config.theme
    files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []
    return {str(path): sources.stamp_of(str(path)) for path in files}
