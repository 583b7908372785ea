"""`build()`: the salon's stages, in order, with the world passed in.

The shell that calls the pure stages: read the folder, parse, render Markdown (cached, in
parallel when there is much to do), assemble, render pages and feeds, then write atomically.
Every stage's diagnostics are gathered; if any is an error, `BuildFailed` carries them all
and nothing is written. Must not print: the CLI reports.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import state
from .errors import BuildFailed, Diagnostic, has_errors

# Only what the no-change fast path needs is imported at module level: an up-to-date build
# should cost little more than starting Python. Everything else is imported where used.
if TYPE_CHECKING:
    import multiprocessing.pool
    from datetime import tzinfo

    from . import assemble, linkcheck, render, sources
    from .bundles import Resource
    from .markdown import RenderedMarkdown
    from .model import (
        Config,
        FeedEntry,
        Note,
        OutputFile,
        Page,
        Person,
        PrivateProfile,
        Site,
        StaticFile,
    )
    from .people import Contact, Kept
    from .render import PageJob

CONFIG_FILE = "salon.toml"

PARALLEL_THRESHOLD = 150  # Markdown bodies to render before a process pool pays for itself


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    drafts: bool = False
    offline: bool = False
    output: Path | None = None  # default: the config's output_dir, relative to the salon
    jobs: int | None = None  # worker processes for rendering; None = one per core
    force: bool = False  # fetch every feed now, ignoring the schedule (validators still sent)


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    output: Path
    up_to_date: bool  # nothing changed since the last build: nothing was done
    pages: int = 0
    files: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    rendered: int = 0  # Markdown bodies rendered (not taken from the cache)
    warnings: tuple[Diagnostic, ...] = ()
    fetched: str | None = None  # one line about the feeds fetched first (None when offline)


def load_config(root: Path) -> tuple[Config | None, tuple[Diagnostic, ...]]:
    from . import sources  # here, not above: the no-change fast path must not import it

    return sources.load_config(root)


def checked_config(root: Path) -> tuple[Config, tuple[Diagnostic, ...]]:
    from . import sources

    return sources.checked_config(root)


def resolve_output(root: Path, configured: str, override: Path | None) -> Path:
    out = override if override is not None else Path(configured)
    return (out if out.is_absolute() else root / out).resolve()


def check_output(root: Path, out: Path) -> None:
    """Refuse an output folder whose replacement would destroy the salon itself."""
    root = root.resolve()
    bad = (
        out == root
        or out in root.parents
        or (root / "content") in (out, *out.parents)
        or (root / state.STATE_DIR) in (out, *out.parents)
        or (out / "salon.toml").exists()
        or (out / ".git").exists()
    )
    if bad:
        raise BuildFailed(
            [
                Diagnostic(
                    path=CONFIG_FILE,
                    message=f"refusing to build into {out}: salon replaces its output folder whole",
                    hint='use a folder of its own, e.g. output_dir = "site"',
                )
            ]
        )


def build(root: Path, *, now: datetime, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build the salon at `root` as of `now`. Raises BuildFailed with every diagnostic."""
    from . import write

    paths = state.StatePaths(root=root)
    flags = f"drafts={options.drafts}"
    fetched: tuple[str | None, tuple[Diagnostic, ...]] = (None, ())
    loaded: tuple[Config, tuple[Diagnostic, ...]] | None = None
    if not options.offline:  # first follow people: what changed in their feeds changes the site
        from .following import fetch_feeds  # only when online: it imports the heavy parts

        loaded = checked_config(root)
        round_ = fetch_feeds(root, loaded[0], now, force=options.force)
        fetched = (round_.summary(), round_.diagnostics)
    quick = _up_to_date(root, now, options, paths, flags)
    if quick is not None:
        drafts = _drafts_warning(root, quick.output) if options.drafts else ()
        return replace(quick, fetched=fetched[0], warnings=fetched[1] + quick.warnings + drafts)

    config, config_diags = loaded or checked_config(root)
    out = resolve_output(root, config.output_dir, options.output)
    check_output(root, out)
    write.recover(out)
    fingerprint = state.fingerprint(root, out, flags)

    site_files, statics, pages, rendered, next_change, warnings = _build_site(
        root, config, now, options, paths
    )
    report = write.write_site(
        out, site_files, statics, paths.manifest(out), within=root, drafts=options.drafts
    )
    all_warnings = tuple(config_diags) + warnings
    state.save_fingerprint(
        paths,
        options.output,
        state.Fingerprint(
            value=fingerprint, output=out, next_change=next_change, warnings=all_warnings
        ),
    )
    return BuildResult(
        output=out,
        up_to_date=False,
        pages=pages,
        files=report.files,
        written=report.written,
        unchanged=report.unchanged,
        removed=report.removed,
        rendered=rendered,
        warnings=fetched[1] + all_warnings + (_drafts_warning(root, out) if options.drafts else ()),
        fetched=fetched[0],
    )


def up_to_date(root: Path, *, now: datetime, options: BuildOptions = BuildOptions()) -> bool:
    """Whether the output is what a build now would write: the last successful build was of
    the current inputs, nothing scheduled has come due since, the output is untouched. What
    `salon deploy` requires; it fetches nothing."""
    paths = state.StatePaths(root=root)
    return _up_to_date(root, now, options, paths, f"drafts={options.drafts}") is not None


def _drafts_warning(root: Path, out: Path) -> tuple[Diagnostic, ...]:
    """Said on every --drafts build, the no-change one too: the site must not go live. The
    manifest records it (write.built_with_drafts), for a deploy to refuse such a site."""
    try:
        where = out.relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        where = str(out)
    return (
        Diagnostic(
            path=where,
            severity="warning",
            message="this site includes drafts and future-dated items (--drafts): "
            "do not publish it",
            hint="build again without --drafts before you publish",
        ),
    )


def _up_to_date(
    root: Path, now: datetime, options: BuildOptions, paths: state.StatePaths, flags: str
) -> BuildResult | None:
    """The no-change fast path: the same inputs (salon.toml included, hence the same output
    folder), nothing scheduled has come due, the output untouched. Any doubt: None."""
    from . import write

    last = state.load_fingerprint(paths, options.output)
    if last is None:
        return None
    out = resolve_output(root, str(last.output), options.output)
    if last.value != state.fingerprint(root, out, flags):
        return None
    if last.next_change is not None and now >= last.next_change:
        return None
    manifest = write.load_manifest(paths.manifest(out), out)
    if not write.output_intact(manifest, out):
        return None
    if not (root / state.PRIVATE_DIR / state.CALENDAR_FILE).exists():
        return None  # the private calendar is written by every full build: make it again
    return BuildResult(
        output=out,
        up_to_date=True,
        files=len(manifest),
        unchanged=len(manifest),
        warnings=last.warnings,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedSource:
    """One content file, parsed: what it became (None when it has errors) and what was
    wrong with it. The unit an incremental rebuild keeps between rebuilds."""

    kind: str  # "note", "share", "page" or "person"
    file: sources.SourceFile
    value: Note | Page | Person | None
    private: PrivateProfile | None  # a person's private fields: never part of the Site
    info: assemble.SourceInfo
    diagnostics: tuple[Diagnostic, ...]


def content_files(tree: sources.SourceTree) -> list[tuple[str, sources.SourceFile]]:
    """The Markdown files of a content tree with their kind, in build order."""
    kinds = (("note", tree.notes), ("share", tree.shares), ("page", tree.pages))
    found = [(kind, f) for kind, files in kinds for f in files]
    return found + [("person", f) for f in tree.people]


def theme_sources(
    root: Path, config: Config
) -> tuple[Path | None, tuple[StaticFile, ...], tuple[Diagnostic, ...]]:
    """The project theme's templates folder and static files, or why it is missing."""
    from . import sources

    theme_dir, theme_static = sources.theme_files(root, config.theme)
    if config.theme and theme_dir is None and not theme_static:
        return (
            None,
            (),
            (
                Diagnostic(
                    path=sources.CONFIG_FILE,
                    message=f"theme '{config.theme}' not found: no folder themes/{config.theme}/",
                    hint="create themes/<name>/templates/ or remove 'theme'",
                ),
            ),
        )
    return theme_dir, theme_static, ()


def parse_sources(
    files: Sequence[tuple[str, sources.SourceFile]],
    config: Config,
    zone: tzinfo,
    paths: state.StatePaths,
    jobs: int | None,
    *,
    cached: bool = True,
) -> tuple[list[ParsedSource], int, tuple[Diagnostic, ...]]:
    """Front matter, Markdown (from the render cache, else rendered, in parallel when there
    are many) and the values of `files`. Returns them, how many bodies were rendered, and
    the cache's own warning if it had one.

    With `cached` (a whole build), the render cache is read and then rewritten to hold just
    these bodies; without it (a few files changed in a preview), bodies are rendered here."""
    from . import assemble, frontmatter, notes
    from .cache import RenderCache, cache_key
    from .frontmatter import FrontMatter

    split: list[tuple[str, sources.SourceFile, FrontMatter | None, tuple[Diagnostic, ...]]] = []
    for kind, f in files:
        fm, problems = frontmatter.split(f.text, f.path)
        split.append((kind, f, fm, tuple(problems)))
    keys = [cache_key(fm.body) if fm is not None else "" for _, _, fm, _ in split]
    bodies = {k: fm.body for k, (_, _, fm, _) in zip(keys, split, strict=True) if fm is not None}
    general: list[Diagnostic] = []
    if not cached:  # a few files: rendering them costs less than reading the cache
        done = _render_markdown(list(bodies.items()), 1)
        fresh = done
    else:
        paths.dir.mkdir(parents=True, exist_ok=True)
        with RenderCache(paths.render_cache) as cache:
            if cache.warning:
                general.append(
                    Diagnostic(
                        path=str(paths.render_cache.relative_to(paths.root)),
                        severity="warning",
                        message=cache.warning,
                    )
                )
            done = cache.get_many(bodies)
            todo = [(k, body) for k, body in bodies.items() if k not in done]
            fresh = _render_markdown(todo, jobs)
            done |= fresh
            cache.replace_all(done, fresh.keys())

    parsed: list[ParsedSource] = []
    for (kind, f, fm, problems), key in zip(split, keys, strict=True):
        value: Note | Page | Person | None = None
        private: PrivateProfile | None = None
        found: tuple[Diagnostic, ...] = ()
        info = assemble.SourceInfo(text=f.text, key_lines={}, body_line=1)
        if fm is not None:
            md: RenderedMarkdown = done[key]
            info = assemble.SourceInfo(text=f.text, key_lines=fm.key_lines, body_line=fm.body_line)
            if kind == "note" or kind == "share":
                value, more = notes.parse_note(
                    "share" if kind == "share" else "note", f.path, fm, md, config, zone
                )
            elif kind == "page":
                value, more = notes.parse_page(f.path, fm, md, zone)
            else:
                pair, more = notes.parse_person(f.path, fm, md)
                if pair is not None:
                    value, private = pair
            found = tuple(more) + _markdown_problems(f.path, fm.body_line, md)
        parsed.append(
            ParsedSource(
                kind=kind,
                file=f,
                value=value,
                private=private,
                info=info,
                diagnostics=problems + found,
            )
        )
    return parsed, len(fresh), tuple(general)


def _markdown_problems(path: str, body_line: int, md: RenderedMarkdown) -> tuple[Diagnostic, ...]:
    """What rendered, but not as written (a formula shown as source), located in the file."""
    return tuple(
        Diagnostic(
            path=path,
            line=body_line + p.line - 1,
            severity="warning",
            message=p.message,
            hint=p.hint,
        )
        for p in md.problems
    )


def assemble_site(
    config: Config,
    parsed: Sequence[ParsedSource],
    statics: Sequence[StaticFile],
    entries: Sequence[FeedEntry],
    *,
    now: datetime,
    drafts: bool,
    resources: Sequence[Resource] = (),
    reuse: assemble.Reuse | None = None,
) -> assemble.Assembled:
    from . import assemble
    from .model import Note, Page, Person

    return assemble.assemble(
        config,
        [p.value for p in parsed if isinstance(p.value, Note)],
        [p.value for p in parsed if isinstance(p.value, Page)],
        [p.value for p in parsed if isinstance(p.value, Person)],
        statics,
        {p.file.path: p.info for p in parsed},
        now=now,
        drafts=drafts,
        entries=entries,
        resources=resources,
        reuse=reuse,
    )


def site_extras(
    site: Site,
    jobs: Sequence[PageJob],
    theme_static: Sequence[StaticFile],
    *,
    feeds: Sequence[OutputFile] | None = None,
    sitemap: OutputFile | None = None,
) -> tuple[tuple[OutputFile, ...], tuple[StaticFile, ...]]:
    """Everything of the site that is not an HTML page: feeds (unless given), sitemap
    (unless given), robots.txt, the generated CSS; and the static files, the theme's
    included."""
    from . import render, sources, syndication
    from .markdown import pygments_css

    if feeds is None:
        feeds = syndication.render_feeds(site)
    if sitemap is None:
        sitemap = syndication.render_sitemap(site, sitemap_entries(jobs))
    robots = syndication.render_robots(site)
    theme_static_files, generated = render.theme_statics(
        sources.theme_statics(render.THEME_ROOT), theme_static, pygments_css()
    )
    return (*feeds, sitemap, robots, *generated), (*site.statics, *theme_static_files)


def _build_site(
    root: Path, config: Config, now: datetime, options: BuildOptions, paths: state.StatePaths
) -> tuple[
    tuple[OutputFile, ...],
    tuple[StaticFile, ...],
    int,
    int,
    datetime | None,
    tuple[Diagnostic, ...],
]:
    from . import circle, render, sources
    from .following import stored_entries
    from .model import Note, Person

    diags: list[Diagnostic] = []
    zone = config_zone(config)
    tree, problems = sources.read_content(root)
    diags += problems
    theme_dir, theme_static, problems = theme_sources(root, config)
    diags += problems
    parsed, rendered, problems = parse_sources(
        content_files(tree), config, zone, paths, options.jobs
    )
    diags += problems
    for p in parsed:
        diags += p.diagnostics
    # The owner's private side (birthdays, check-ins): read and checked, never in the Site.
    kept, contacts, problems = private_side(parsed)
    diags += problems

    people = [p.value for p in parsed if isinstance(p.value, Person) and p.value.public]
    entries = stored_entries(paths, people)
    assembled = assemble_site(
        config,
        parsed,
        tree.statics,
        entries,
        now=now,
        drafts=options.drafts,
        resources=tree.resources,
    )
    diags += assembled.diagnostics
    if has_errors(diags):
        raise BuildFailed(diags)

    site = assembled.site
    env = render.make_environment(config, theme_dir)
    jobs = render.plan_pages(site)
    html, problems = render.render_pages(site, env, jobs, relpath_in(root))
    diags += problems
    if has_errors(diags):
        raise BuildFailed(diags)
    extras, statics = site_extras(site, jobs, theme_static)
    diags += check_links(site, parsed, jobs, extras, statics)
    out = resolve_output(root, config.output_dir, options.output)
    # the leak guard: a private value anywhere fails the build
    diags += guard(root, site, kept, parsed, env, jobs, (*html, *extras), statics, theme_dir, out)
    if has_errors(diags):
        raise BuildFailed(diags)
    notes = [p.value for p in parsed if isinstance(p.value, Note)]
    everyone = [person for person, _, _ in kept]
    circle.write_private_calendar(root, config, everyone, contacts, notes, now=now, output=out)
    warnings = tuple(d for d in diags if not d.is_error)
    return (*html, *extras), statics, len(html), rendered, assembled.next_change, warnings


def check_links(
    site: Site,
    parsed: Iterable[ParsedSource],
    jobs: Sequence[PageJob],
    extras: Sequence[OutputFile],
    statics: Sequence[StaticFile],
    memo: linkcheck.Memo | None = None,
) -> tuple[Diagnostic, ...]:
    """Warnings for root-relative links in the owner's writing that name no file of the
    site: its pages (redirects included), the other generated files and the static ones.
    `memo` lets a preview skip the HTML of notes it has looked at before."""
    from . import linkcheck

    outputs = {j.output for j in jobs} | {f.path for f in extras} | {s.dest for s in statics}
    return linkcheck.check_links(site, outputs, {p.file.path: p.info for p in parsed}, memo)


def private_side(
    parsed: Sequence[ParsedSource],
) -> tuple[list[Kept], dict[str, Contact], tuple[Diagnostic, ...]]:
    """The people with private fields (what the leak guard looks for), their fields read
    and checked, and what is wrong with them."""
    from . import circle
    from .model import Person

    kept: list[Kept] = [
        (p.value, p.private, p.file.text)
        for p in parsed
        if isinstance(p.value, Person) and p.private is not None
    ]
    contacts, problems = circle.read_contacts(kept)
    return kept, contacts, problems


def guard(
    root: Path,
    site: Site,
    kept: Sequence[Kept],
    parsed: Iterable[ParsedSource],
    env: render.Environment,
    jobs: Sequence[PageJob],
    files: Sequence[OutputFile],
    statics: Sequence[StaticFile],
    theme_dir: Path | None,
    output: Path,
) -> tuple[Diagnostic, ...]:
    """The leak guard over `files` and `statics` (about to be written), `jobs` being the
    pages among them: an error for every private value or private person found."""
    from . import leaks

    return leaks.guard_site(
        root,
        site=site,
        kept=kept,
        info={p.file.path: p.info for p in parsed},
        files=files,
        statics=statics,
        pages=[(j.output, j.template) for j in jobs],
        resolve=lambda name: env.get_template(name).filename,
        theme_dir=theme_dir,
        output=output,
    )


def config_zone(config: Config) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):  # config already checked; belt and braces
        return ZoneInfo("UTC")


def sitemap_entries(jobs: Sequence[PageJob]) -> list[tuple[str, datetime | None]]:
    entries: list[tuple[str, datetime | None]] = []
    for job in jobs:
        if job.path == "404.html" or job.meta.kind == "redirect":
            continue  # not pages to find: the 404 page, and old URLs (they say noindex)
        note = job.variables.get("note")
        when = getattr(note, "updated", None) or getattr(note, "date", None)
        entries.append((job.path, when))
    return entries


def relpath_in(root: Path) -> Callable[[str], str]:
    resolved = root.resolve()

    def rel(path: str) -> str:
        try:
            return Path(path).resolve().relative_to(resolved).as_posix()
        except ValueError:
            return path

    return rel


def _render_chunk(bodies: list[str]) -> list[RenderedMarkdown]:
    from .markdown import MarkdownRenderer

    renderer = MarkdownRenderer()
    return [renderer.render(b) for b in bodies]


def _render_markdown(todo: list[tuple[str, str]], jobs: int | None) -> dict[str, RenderedMarkdown]:
    from .markdown import MarkdownRenderer

    if not todo:
        return {}
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(todo) < PARALLEL_THRESHOLD:
        renderer = MarkdownRenderer()
        return {k: renderer.render(text) for k, text in todo}
    size = max(1, len(todo) // (workers * 4))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    out: dict[str, RenderedMarkdown] = {}
    with _worker_pool(workers) as pool:
        results = pool.map(_render_chunk, [[t for _, t in c] for c in chunks], chunksize=1)
        for chunk, rendered in zip(chunks, results, strict=True):
            for (k, _), md in zip(chunk, rendered, strict=True):
                out[k] = md
    return out


@contextlib.contextmanager
def _worker_pool(workers: int) -> Iterator[multiprocessing.pool.Pool]:
    """A process pool that leaves no worker behind. Done: closed and joined as usual.
    Stopped (SIGTERM, SIGHUP or Ctrl-C raise in the main thread, see `stopping`) or failed:
    the workers are terminated now, not waited for. Workers also die if this process is
    killed outright (`stopping.worker_started`). `multiprocessing.Pool`, not
    `ProcessPoolExecutor`: its `terminate` is made for this, while stopping the executor
    mid-map races its manager thread on CPython 3.11 (tracebacks, a hang at exit)."""
    import multiprocessing

    from .stopping import signals_held, worker_started

    pool: multiprocessing.pool.Pool | None = None
    try:
        with signals_held():  # the workers are forked here: a stop waits until they can die
            pool = multiprocessing.Pool(
                workers, initializer=worker_started, initargs=(os.getpid(),)
            )
        yield pool  # (a stop that waited is raised just above, with `pool` already set)
    except BaseException:
        if pool is not None:
            with signals_held():  # another signal must not cut the cleanup short
                pool.terminate()
                pool.join()
        raise
    pool.close()
    pool.join()
