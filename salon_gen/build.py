"""`build()`: the salon's stages, in order, with the world passed in.

The shell that calls the pure stages: read the folder, parse, render Markdown (cached, in
parallel when there is much to do), assemble, render pages and feeds, then write atomically.
Every stage's diagnostics are gathered; if any is an error, `BuildFailed` carries them all
and nothing is written. Must not print: the CLI reports.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import state
from .errors import BuildFailed, Diagnostic, has_errors

# Only what the no-change fast path needs is imported at module level: an up-to-date build
# should cost little more than starting Python. Everything else is imported where used.
if TYPE_CHECKING:
    from . import frontmatter, sources
    from .markdown import RenderedMarkdown
    from .model import Config, OutputFile, StaticFile
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
    from . import sources
    from .config import parse_config

    text = sources.read_config(root)
    if text is None:
        raise BuildFailed(
            [
                Diagnostic(
                    path=sources.CONFIG_FILE,
                    message=f"no salon.toml in {root}",
                    hint="run 'salon init DIR' to start a new salon, or pass --source DIR",
                )
            ]
        )
    return parse_config(text, sources.CONFIG_FILE)


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

        loaded = _checked_config(root)
        round_ = fetch_feeds(root, loaded[0], now, force=options.force)
        fetched = (round_.summary(), round_.diagnostics)
    quick = _up_to_date(root, now, options, paths, flags)
    if quick is not None:
        return replace(quick, fetched=fetched[0], warnings=fetched[1] + quick.warnings)

    config, config_diags = loaded or _checked_config(root)
    out = resolve_output(root, config.output_dir, options.output)
    check_output(root, out)
    write.recover(out)
    fingerprint = state.fingerprint(root, out, flags)

    site_files, statics, pages, rendered, next_change, warnings = _build_site(
        root, config, now, options, paths
    )
    report = write.write_site(out, site_files, statics, paths.manifest(out))
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
        warnings=fetched[1] + all_warnings,
        fetched=fetched[0],
    )


def _checked_config(root: Path) -> tuple[Config, tuple[Diagnostic, ...]]:
    """salon.toml read and checked (its warnings kept), or BuildFailed."""
    config, diagnostics = load_config(root)
    if config is None or has_errors(diagnostics):
        raise BuildFailed(diagnostics)
    return config, diagnostics


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
    return BuildResult(
        output=out,
        up_to_date=True,
        files=len(manifest),
        unchanged=len(manifest),
        warnings=last.warnings,
    )


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
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from . import assemble, frontmatter, notes, render, sources, syndication
    from .cache import RenderCache
    from .markdown import pygments_css
    from .model import Note, Page, Person

    diags: list[Diagnostic] = []
    try:
        zone = ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):  # config already checked; belt and braces
        zone = ZoneInfo("UTC")

    tree, problems = sources.read_content(root)
    diags += problems
    theme_dir, theme_static = sources.theme_files(root, config.theme)
    if config.theme and theme_dir is None and not theme_static:
        diags.append(
            Diagnostic(
                path=sources.CONFIG_FILE,
                message=f"theme '{config.theme}' not found: no folder themes/{config.theme}/",
                hint="create themes/<name>/templates/ or remove 'theme'",
            )
        )

    # Front matter of every file.
    kinds = (
        ("note", tree.notes),
        ("share", tree.shares),
        ("page", tree.pages),
        ("person", tree.people),
    )
    parsed: list[tuple[str, sources.SourceFile, frontmatter.FrontMatter]] = []
    for kind, kind_files in kinds:
        for f in kind_files:
            fm, problems = frontmatter.split(f.text, f.path)
            diags += problems
            if fm is not None:
                parsed.append((kind, f, fm))

    # Markdown bodies: from the cache, else rendered (in parallel when there are many).
    from .cache import cache_key

    keys = [cache_key(fm.body) for _, _, fm in parsed]
    paths.dir.mkdir(parents=True, exist_ok=True)
    with RenderCache(paths.render_cache) as cache:
        if cache.warning:
            diags.append(
                Diagnostic(
                    path=str(paths.render_cache.relative_to(root)),
                    severity="warning",
                    message=cache.warning,
                )
            )
        done = cache.get_many(keys)
        todo = {k: fm.body for k, (_, _, fm) in zip(keys, parsed, strict=True) if k not in done}
        fresh = _render_markdown(list(todo.items()), options.jobs)
        done |= fresh
        cache.replace_all(done, fresh.keys())

    note_values: list[Note] = []
    page_values: list[Page] = []
    people: list[Person] = []
    info: dict[str, assemble.SourceInfo] = {}
    for (kind, f, fm), key in zip(parsed, keys, strict=True):
        md: RenderedMarkdown = done[key]
        info[f.path] = assemble.SourceInfo(
            text=f.text, key_lines=fm.key_lines, body_line=fm.body_line
        )
        if kind == "note" or kind == "share":
            note, problems = notes.parse_note(
                "share" if kind == "share" else "note", f.path, fm, md, config, zone
            )
            if note is not None:
                note_values.append(note)
        elif kind == "page":
            page, problems = notes.parse_page(f.path, fm, md)
            if page is not None:
                page_values.append(page)
        else:
            pair, problems = notes.parse_person(f.path, fm, md)
            if pair is not None:
                people.append(pair[0])
        diags += problems

    from .following import stored_entries

    entries = stored_entries(paths, [p for p in people if p.public])
    assembled = assemble.assemble(
        config,
        note_values,
        page_values,
        people,
        tree.statics,
        info,
        now=now,
        drafts=options.drafts,
        entries=entries,
    )
    diags += assembled.diagnostics
    if has_errors(diags):
        raise BuildFailed(diags)

    site = assembled.site
    env = render.make_environment(config, theme_dir)
    jobs = render.plan_pages(site)
    html, problems = render.render_pages(site, env, jobs, _relpath(root))
    diags += problems
    if has_errors(diags):
        raise BuildFailed(diags)
    feeds = syndication.render_feeds(site)
    sitemap = syndication.render_sitemap(site, _sitemap_entries(jobs))
    robots = syndication.render_robots(site)
    theme_static_files, generated = render.theme_statics(
        sources.theme_statics(render.THEME_ROOT), theme_static, pygments_css()
    )
    files: tuple[OutputFile, ...] = (*html, *feeds, sitemap, robots, *generated)
    statics: tuple[StaticFile, ...] = (*site.statics, *theme_static_files)
    warnings = tuple(d for d in diags if not d.is_error)
    return files, statics, len(html), len(fresh), assembled.next_change, warnings


def _sitemap_entries(jobs: Sequence[PageJob]) -> list[tuple[str, datetime | None]]:
    entries: list[tuple[str, datetime | None]] = []
    for job in jobs:
        if job.path == "404.html":
            continue
        note = job.variables.get("note")
        when = getattr(note, "updated", None) or getattr(note, "date", None)
        entries.append((job.path, when))
    return entries


def _relpath(root: Path) -> Callable[[str], str]:
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
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, len(todo) // (workers * 4))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_render_chunk, [[t for _, t in c] for c in chunks])
        out: dict[str, RenderedMarkdown] = {}
        for chunk, rendered in zip(chunks, results, strict=True):
            for (k, _), md in zip(chunk, rendered, strict=True):
                out[k] = md
    return out
