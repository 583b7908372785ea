"""Incremental rebuilds: a salon kept in memory between the preview's rebuilds.

Shell. Owns `Incremental`, which `salon serve` calls on every change. Its first rebuild is a
full build (the stages of `salon build`, from build.py) written with the atomic swap. After
that a rebuild
- re-reads only the files whose stamp changed or that the watcher named, and re-parses only
  those (their Markdown rendered here, without the render cache);
- assembles the whole site again (cheap: values in, values out);
- re-renders a page only when what it shows may have changed: its template name, its
  <head> metadata, the public people (every page may show them), or a field its template
  read the last time, of its variables or of `site` (render_pages records them through
  `depends`: a list of titles is not rendered again when a note's body changes);
- redoes the feeds and the sitemap only when their inputs changed;
- writes the few files that changed, in place, each atomically.

A template edit re-renders the pages that used that template (render_pages notes every
template a page loads); a change to salon.toml starts over with a full build, as does
anything this module cannot account for: never a stale page. Must not fetch feeds or print.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import assemble, build, linkcheck, livereload, render, sources, state, syndication, write
from .depends import FrozenReads, same
from .errors import BuildFailed, Diagnostic, has_errors
from .livereload import ChangeKind
from .model import Person

if TYPE_CHECKING:
    from .bundles import Resource
    from .model import Config, FeedEntry, OutputFile, Site, StaticFile


@dataclass(frozen=True, slots=True, kw_only=True)
class RebuildReport:
    full: bool  # everything was rendered (first build, config or theme change)
    pages: int  # HTML pages the site has
    rendered: int  # pages rendered by this rebuild
    written: int  # files written into the output folder
    removed: int  # files deleted from it
    warnings: tuple[Diagnostic, ...]

    @property
    def unchanged(self) -> bool:
        return not self.full and self.written == 0 and self.removed == 0


@dataclass(frozen=True, slots=True, kw_only=True)
class _Page:
    """What a page was rendered from, to tell whether it must be rendered again."""

    template: str
    meta: render.PageMeta
    variables: Mapping[str, Any]
    reads: FrozenReads | None  # the fields its template read; None: it may show anything


@dataclass(frozen=True, slots=True, kw_only=True)
class _Built:
    """The last good build, exactly as it is in the output folder."""

    site: Site
    pages: Mapping[str, _Page]  # by output path
    sitemap_key: tuple[tuple[str, datetime | None], ...]
    sitemap: OutputFile
    extras: Mapping[str, bytes]  # every file that is not a page or a static, by path
    statics: Mapping[str, tuple[str, sources.Stamp]]  # dest -> (source, its stamp)
    people_files: tuple[sources.SourceFile, ...]  # as they were: what the leak guard sought


@dataclass(slots=True, kw_only=True)
class _Memory:
    """What survives between rebuilds until salon.toml or a theme changes."""

    config: Config
    config_diagnostics: tuple[Diagnostic, ...]
    zone: tzinfo
    env: render.Environment
    theme_dir: Path | None
    theme_static: tuple[StaticFile, ...]
    theme_diagnostics: tuple[Diagnostic, ...]
    parsed: dict[str, build.ParsedSource] = dataclasses.field(default_factory=dict)
    entries_key: tuple[object, ...] | None = None
    entries: tuple[FeedEntry, ...] = ()
    built: _Built | None = None
    reuse: assemble.Reuse = dataclasses.field(default_factory=assemble.Reuse)
    feeds: syndication.FeedMemo = dataclasses.field(default_factory=syndication.FeedMemo)
    links: linkcheck.Memo = dataclasses.field(default_factory=dict)


class Incremental:
    """Rebuilds the salon at `root` into `output` (a folder only it writes), doing as
    little as each change needs. Not thread-safe: one caller rebuilds at a time."""

    def __init__(self, root: Path, output: Path, *, drafts: bool = False) -> None:
        self.root = root
        self.output = output
        self.drafts = drafts
        self.paths = state.StatePaths(root=root)
        self._memory: _Memory | None = None
        self._relpath = build.relpath_in(root)

    def rebuild(
        self, changed: Mapping[str, ChangeKind], *, now: datetime, jobs: int | None = 1
    ) -> RebuildReport:
        """Bring the output up to date with the salon as of `now`. `changed` maps absolute
        paths to what the watcher says they are; stamps catch what it missed. Raises
        BuildFailed with every diagnostic; the output then keeps the last good build."""
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
        return self._rebuild(mem, stale, templates, now, jobs)

    def _retheme(self, mem: _Memory, changed: Sequence[str]) -> frozenset[str] | None:
        """After a change under themes/: the names of the project theme's templates that
        changed (pages that used them are rendered again), with a fresh Jinja environment;
        None when the change is one to start over for (the theme's folder or its templates/
        folder itself appeared or went)."""
        names: set[str] = set()
        if mem.config.theme:
            base = self.root / livereload.THEMES_DIR / mem.config.theme
            for path in changed:
                try:
                    rel = Path(path).relative_to(base).as_posix()
                except ValueError:
                    continue  # another theme's folder: it shows nowhere
                if rel.startswith("templates/"):
                    names.add(rel.removeprefix("templates/"))
                elif rel != "static" and not rel.startswith("static/"):
                    return None  # statics are compared by stamp; anything else: start over
        theme_dir, theme_static, theme_diags = build.theme_sources(self.root, mem.config)
        if theme_dir != mem.theme_dir:
            return None
        if names:
            mem.env = render.make_environment(mem.config, theme_dir)
        mem.theme_static, mem.theme_diagnostics = theme_static, theme_diags
        return frozenset(names)

    def _load(self) -> _Memory:
        config, config_diags = build.checked_config(self.root)
        theme_dir, theme_static, theme_diags = build.theme_sources(self.root, config)
        return _Memory(
            config=config,
            config_diagnostics=config_diags,
            zone=build.config_zone(config),
            env=render.make_environment(config, theme_dir),
            theme_dir=theme_dir,
            theme_static=theme_static,
            theme_diagnostics=theme_diags,
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
        statics_in_content, resources, read = self._read(mem, stale, jobs)
        diags += read
        # The owner's private side: checked as `salon build` checks it, and what the leak
        # guard looks for. When a person file changed, every page is checked again.
        kept, _, problems = build.private_side(list(mem.parsed.values()))
        diags += problems
        people_files = tuple(p.file for p in mem.parsed.values() if p.kind == "person")

        assembled = build.assemble_site(
            mem.config,
            list(mem.parsed.values()),
            statics_in_content,
            self._entries(mem),
            now=now,
            drafts=self.drafts,
            resources=resources,
            reuse=mem.reuse,
        )
        diags += assembled.diagnostics
        if has_errors(diags):
            raise BuildFailed(diags)
        site = assembled.site
        jobs_ = render.plan_pages(site)
        prev = mem.built if mem.built and mem.built.people_files == people_files else None
        todo_pages = list(jobs_) if prev is None else _pages_to_render(site, jobs_, prev, templates)
        reads: dict[str, FrozenReads | None] = {}
        html, problems = render.render_pages(site, mem.env, todo_pages, self._relpath, reads=reads)
        diags += problems
        if has_errors(diags):
            raise BuildFailed(diags)

        feeds = syndication.render_feeds(site, mem.feeds)
        sitemap_key = tuple(build.sitemap_entries(jobs_))
        if prev is not None and prev.sitemap_key == sitemap_key:
            sitemap = prev.sitemap
        else:
            sitemap = syndication.render_sitemap(site, sitemap_key)
        extras, statics = build.site_extras(
            site, jobs_, mem.theme_static, feeds=feeds, sitemap=sitemap
        )
        static_stamps = {s.dest: (s.source, sources.stamp_of(s.source)) for s in statics}
        diags += build.check_links(site, mem.parsed.values(), jobs_, extras, statics, mem.links)
        changed_extras = [f for f in extras if prev is None or prev.extras.get(f.path) != f.data]
        changed_statics = [
            s for s in statics if prev is None or prev.statics.get(s.dest) != static_stamps[s.dest]
        ]
        diags += build.guard(  # what is about to be written, as `salon build` guards it
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
        if prev is None:
            report = write.write_site(
                self.output, (*html, *extras), statics, self._manifest(), within=self.root
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
            )

        mem.built = _Built(
            site=site,
            pages=_described(jobs_, reads, prev),
            sitemap_key=sitemap_key,
            sitemap=sitemap,
            extras={f.path: f.data for f in extras},
            statics=static_stamps,
            people_files=people_files,
        )
        return RebuildReport(
            full=prev is None,
            pages=len(jobs_),
            rendered=len(html),
            written=report.written,
            removed=report.removed,
            warnings=tuple(d for d in diags if not d.is_error),
        )

    def _read(
        self, mem: _Memory, stale: set[str], jobs: int | None
    ) -> tuple[tuple[StaticFile, ...], tuple[Resource, ...], list[Diagnostic]]:
        """Bring `mem.parsed` up to date: re-read what changed (or the watcher named),
        re-parse only that. Returns the content's static files, the bundles' files and the
        diagnostics of reading and of every file, the unchanged ones' included."""
        known = {path: p.file for path, p in mem.parsed.items() if path not in stale}
        tree, problems = sources.read_content(self.root, known=known)
        diags = list(problems)
        files = build.content_files(tree)
        todo = [
            (k, f) for k, f in files if (p := mem.parsed.get(f.path)) is None or p.file is not f
        ]
        fresh, _, problems = build.parse_sources(
            todo, mem.config, mem.zone, self.paths, jobs, cached=not mem.parsed
        )
        diags += problems
        by_path = {p.file.path: p for p in fresh}
        mem.parsed = {f.path: by_path.get(f.path) or mem.parsed[f.path] for _, f in files}
        for parsed in mem.parsed.values():
            diags += parsed.diagnostics
        return tree.statics, tree.resources, diags

    def _entries(self, mem: _Memory) -> tuple[FeedEntry, ...]:
        """Followed entries: read from the store again only when the public people's feeds
        or the store's version (bumped by every `salon fetch` that stored something)
        changed."""
        from .following import stored_entries
        from .model import Person

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

    def _manifest(self) -> Path:
        return self.paths.manifest(self.output)


def _pages_to_render(
    site: Site, jobs: Sequence[render.PageJob], prev: _Built, templates: frozenset[str]
) -> list[render.PageJob]:
    """The pages whose output may differ from what the output folder holds: a new page, a
    new template or <head>, a page that used one of the changed `templates`, or a change in
    a field the page's template read, whether of its own variables or of `site`."""
    if site.people != prev.site.people:  # people_by_id: what a page reads of it is not kept
        return list(jobs)
    site_same: dict[FrozenReads, bool] = {}
    out: list[render.PageJob] = []
    for job in jobs:
        p = prev.pages.get(job.output)
        if (
            p is None
            or p.reads is None
            or p.template != job.template
            or p.meta != job.meta
            or (templates and p.reads.uses_template(templates))
        ):
            out.append(job)
            continue
        if p.variables != job.variables and not same(p.variables, job.variables, p.reads):
            out.append(job)
            continue
        unchanged = site_same.get(p.reads)
        if unchanged is None:
            unchanged = site_same[p.reads] = same(prev.site, site, p.reads)
        if not unchanged:
            out.append(job)
    return out


def _described(
    jobs: Sequence[render.PageJob], reads: Mapping[str, FrozenReads | None], prev: _Built | None
) -> dict[str, _Page]:
    """What each page now in the output was rendered from: this rebuild's record for the
    pages it rendered, the previous one for the rest (still true: nothing they read changed)."""
    pages: dict[str, _Page] = {}
    for job in jobs:
        if job.output in reads:
            pages[job.output] = _Page(
                template=job.template,
                meta=job.meta,
                variables=job.variables,
                reads=reads[job.output],
            )
        elif prev is not None:
            pages[job.output] = prev.pages[job.output]
    return pages
