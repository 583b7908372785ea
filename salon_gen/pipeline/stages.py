"""The stages of a build, each a function the engine calls: parse, assemble, extras, link
check, leak guard.

Shell around the pure modules: `parse_sources` reads the render cache and renders Markdown
(in a process pool when there is much to do); the others take values and return values and
diagnostics. The order they run in, and what is kept between builds, is `engine`'s; the
command around it (fetch first, the no-change fast path) is `build`'s. Must not print.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from salon_gen.core.errors import Diagnostic
from salon_gen.workspace import state

if TYPE_CHECKING:
    import multiprocessing.pool
    from datetime import tzinfo

    from salon_gen.circle.contacts import Contact, Kept
    from salon_gen.content import assemble, entry_ids, sources
    from salon_gen.content.bundles import Resource
    from salon_gen.core.model import (
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
    from salon_gen.pipeline import linkcheck, render
    from salon_gen.pipeline.depends import FrozenReads
    from salon_gen.pipeline.render import PageJob
    from salon_gen.text.markdown import RenderedMarkdown

PARALLEL_THRESHOLD = 150  # Markdown bodies to render before a process pool pays for itself
PAGES_THRESHOLD = 300  # pages to render before a process pool pays for itself

# What the page workers render from, set just before they are forked (they inherit it).
_pages_work: tuple[Site, render.Environment, Sequence[PageJob], Callable[[str], str]] | None = None


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
    from salon_gen.content import sources

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
    these bodies; without it (the files an incremental build found changed), a few bodies
    are rendered here, and many are looked up in the cache, the rest rendered in the worker
    pool and added to it."""
    from salon_gen.content import assemble, parse, personfile
    from salon_gen.content.rendercache import RenderCache, cache_key
    from salon_gen.text import frontmatter
    from salon_gen.text.frontmatter import FrontMatter

    split: list[tuple[str, sources.SourceFile, FrontMatter | None, tuple[Diagnostic, ...]]] = []
    person_files: dict[str, personfile.PersonFile] = {}
    for kind, f in files:
        if kind == "person":
            pf = person_files[f.path] = personfile.parse(f.path, f.text)
            split.append((kind, f, pf.front, pf.problems))
        else:
            fm, problems = frontmatter.split(f.text, f.path)
            split.append((kind, f, fm, tuple(problems)))
    keys = [cache_key(fm.body) if fm is not None else "" for _, _, fm, _ in split]
    bodies = {k: fm.body for k, (_, _, fm, _) in zip(keys, split, strict=True) if fm is not None}
    general: list[Diagnostic] = []
    if not cached and len(bodies) < PARALLEL_THRESHOLD:  # cheaper than opening the cache
        done = render_markdown(list(bodies.items()), 1)
        fresh = done
    else:
        paths.dir.mkdir(parents=True, exist_ok=True)
        with RenderCache(paths.render_cache) as cache:
            opened = cache.warning
            done = cache.get_many(bodies)
            todo = [(k, body) for k, body in bodies.items() if k not in done]
            fresh = render_markdown(todo, jobs)
            done |= fresh
            if cached:
                cache.replace_all(done, fresh.keys())
            else:
                cache.add_many(fresh)
            for warning in dict.fromkeys((opened, cache.warning)):  # on opening, on writing
                if warning:
                    general.append(
                        Diagnostic(
                            path=str(paths.render_cache.relative_to(paths.root)),
                            severity="warning",
                            message=warning,
                        )
                    )

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
                value, more = parse.parse_note(
                    "share" if kind == "share" else "note", f.path, fm, md, config, zone
                )
            elif kind == "page":
                value, more = parse.parse_page(f.path, fm, md, zone)
            else:
                pair, more = personfile.values(person_files[f.path], md)
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
    ledger: entry_ids.Ledger | None = None,
) -> assemble.Assembled:
    from salon_gen.content import assemble, entry_ids
    from salon_gen.core.model import Note, Page, Person

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
        ledger=ledger if ledger is not None else entry_ids.EMPTY,
    )


def read_ledger(paths: state.StatePaths) -> tuple[entry_ids.Ledger, tuple[Diagnostic, ...]]:
    """The entry-id ledger in `.salon/` (an empty one when there is none yet)."""
    from salon_gen.content import entry_ids

    where = f"{state.STATE_DIR}/{state.ENTRY_IDS_FILE}"
    try:
        data: bytes | None = paths.entry_ids.read_bytes()
    except FileNotFoundError:
        data = None
    except OSError as e:
        return entry_ids.parse(None, where, problem=e.strerror or str(e))
    return entry_ids.parse(data, where)


def write_ledger(
    paths: state.StatePaths, ledger: entry_ids.Ledger, before: entry_ids.Ledger
) -> None:
    """Save `ledger` in `.salon/` whole (a temporary file renamed over it), when it
    differs from what is there (`before`, as read); a damaged ledger is left for the owner
    to repair."""
    from salon_gen.content import entry_ids

    if ledger.damaged or (ledger == before and paths.entry_ids.exists()):
        return
    data = entry_ids.dump(ledger)
    target = paths.entry_ids
    try:
        if target.read_bytes() == data:
            return  # unchanged: its stamp stays, and so does the no-change fingerprint
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


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
    from salon_gen.content import sources
    from salon_gen.pipeline import render, syndication
    from salon_gen.text.markdown import pygments_css

    if feeds is None:
        feeds = syndication.render_feeds(site)
    if sitemap is None:
        sitemap = syndication.render_sitemap(site, sitemap_entries(jobs))
    robots = syndication.render_robots(site)
    theme_static_files, generated = render.theme_statics(
        sources.theme_statics(render.THEME_ROOT), theme_static, pygments_css()
    )
    return (*feeds, sitemap, robots, *generated), (*site.statics, *theme_static_files)


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
    from salon_gen.pipeline import linkcheck

    outputs = {j.output for j in jobs} | {f.path for f in extras} | {s.dest for s in statics}
    return linkcheck.check_links(site, outputs, {p.file.path: p.info for p in parsed}, memo)


def private_side(
    parsed: Sequence[ParsedSource],
) -> tuple[list[Kept], dict[str, Contact], tuple[Diagnostic, ...]]:
    """The people with private fields (what the leak guard looks for), their fields read
    and checked, and what is wrong with them."""
    from salon_gen.circle import actions
    from salon_gen.core.model import Person

    kept: list[Kept] = [
        (p.value, p.private, p.file.text)
        for p in parsed
        if isinstance(p.value, Person) and p.private is not None
    ]
    contacts, problems = actions.read_contacts(kept)
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
    from salon_gen.pipeline import leaks

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
        if job.path == "404.html" or job.meta.kind in ("redirect", "gone"):
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


def render_pages(
    site: Site,
    env: render.Environment,
    jobs: Sequence[PageJob],
    relpath: Callable[[str], str],
    reads: dict[str, FrozenReads | None],
    workers: int | None,
) -> tuple[tuple[OutputFile, ...], tuple[Diagnostic, ...]]:
    """`render.render_pages` recording what each page read into `reads`, in a pool of
    forked workers when there are many pages (each inherits the site and the Jinja
    environment; the pages, their reads and any problems come back in order)."""
    global _pages_work
    from salon_gen.pipeline import render

    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(jobs) < PAGES_THRESHOLD:
        return render.render_pages(site, env, jobs, relpath, reads=reads)
    size = -(-len(jobs) // (count * 4))
    spans = [(i, min(i + size, len(jobs))) for i in range(0, len(jobs), size)]
    _pages_work = (site, env, jobs, relpath)
    try:
        with worker_pool(count, fork=True) as pool:
            results = pool.map(_render_span, spans, chunksize=1)
    finally:
        _pages_work = None
    html: list[OutputFile] = []
    problems: dict[tuple[str, int | None, str], Diagnostic] = {}
    for files, found, span_reads in results:
        html += files
        reads.update(span_reads)
        for d in found:
            problems.setdefault((d.path, d.line, d.message), d)
    return tuple(html), tuple(problems.values())


def _render_span(
    span: tuple[int, int],
) -> tuple[tuple[OutputFile, ...], tuple[Diagnostic, ...], dict[str, FrozenReads | None]]:
    from salon_gen.pipeline import render

    assert _pages_work is not None, "a page worker is forked by render_pages"
    site, env, jobs, relpath = _pages_work
    reads: dict[str, FrozenReads | None] = {}
    files, problems = render.render_pages(site, env, jobs[span[0] : span[1]], relpath, reads=reads)
    return files, problems, reads


def _render_chunk(bodies: list[str]) -> list[RenderedMarkdown]:
    from salon_gen.text.markdown import MarkdownRenderer

    renderer = MarkdownRenderer()
    return [renderer.render(b) for b in bodies]


def render_markdown(todo: list[tuple[str, str]], jobs: int | None) -> dict[str, RenderedMarkdown]:
    from salon_gen.text.markdown import MarkdownRenderer

    if not todo:
        return {}
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(todo) < PARALLEL_THRESHOLD:
        renderer = MarkdownRenderer()
        return {k: renderer.render(text) for k, text in todo}
    size = max(1, len(todo) // (workers * 4))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    out: dict[str, RenderedMarkdown] = {}
    with worker_pool(workers) as pool:
        results = pool.map(_render_chunk, [[t for _, t in c] for c in chunks], chunksize=1)
        for chunk, rendered in zip(chunks, results, strict=True):
            for (k, _), md in zip(chunk, rendered, strict=True):
                out[k] = md
    return out


@contextlib.contextmanager
def worker_pool(workers: int, *, fork: bool = False) -> Iterator[multiprocessing.pool.Pool]:
    """A process pool that leaves no worker behind. Done: closed and joined as usual.
    Stopped (SIGTERM, SIGHUP or Ctrl-C raise in the main thread, see `stopping`) or failed:
    the workers are terminated now, not waited for. Workers also die if this process is
    killed outright (`stopping.worker_started`). `multiprocessing.Pool`, not
    `ProcessPoolExecutor`: its `terminate` is made for this, while stopping the executor
    mid-map races its manager thread on CPython 3.11 (tracebacks, a hang at exit)."""
    import multiprocessing

    from salon_gen.workspace.stopping import signals_held, worker_started

    pool: multiprocessing.pool.Pool | None = None
    try:
        with signals_held():  # the workers are forked here: a stop waits until they can die
            # fork: the workers inherit what the parent holds (the site, for pages)
            context = multiprocessing.get_context("fork" if fork else None)
            pool = context.Pool(workers, initializer=worker_started, initargs=(os.getpid(),))
        yield pool  # (a stop that waited is raised just above, with `pool` already set)
    except BaseException:
        if pool is not None:
            with signals_held():  # another signal must not cut the cleanup short
                pool.terminate()
                pool.join()
        raise
    pool.close()
    pool.join()
