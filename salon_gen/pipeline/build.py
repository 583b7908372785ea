"""`build()`: the `salon build` command, with the world passed in.

Shell. Fetches the followed feeds first (unless offline), then takes the no-change fast path
when nothing changed since the last good build; otherwise it restores the build engine from
its record in `.salon/`, has it bring the output up to date (rendering what the changes can
change; everything on a clean build), writes the private calendar and saves the record and
the no-change fingerprint. Every diagnostic is gathered; if any is an error, `BuildFailed`
carries them all and the output is left as it was. Must not print: the CLI reports.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from salon_gen.core.errors import BuildFailed, Diagnostic
from salon_gen.workspace import state

# Only what the no-change fast path needs is imported at module level: an up-to-date build
# should cost little more than starting Python. Everything else is imported where used.
if TYPE_CHECKING:
    from salon_gen.core.model import Config

CONFIG_FILE = "salon.toml"


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    drafts: bool = False
    offline: bool = False
    output: Path | None = None  # default: the config's output_dir, relative to the salon
    jobs: int | None = None  # worker processes for rendering; None = one per core
    force: bool = False  # fetch every feed now, ignoring the schedule (validators still sent)
    overwrite: bool = False  # --output may replace a non-empty folder salon did not build


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
    pages_changed: tuple[str, ...] = ()  # pages written or removed (site-relative paths)


def load_config(root: Path) -> tuple[Config | None, tuple[Diagnostic, ...]]:
    from salon_gen.content import sources

    return sources.load_config(root)


def checked_config(root: Path) -> tuple[Config, tuple[Diagnostic, ...]]:
    from salon_gen.content import sources

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


def check_foreign_output(out: Path, manifest: Path) -> None:
    """Refuse to replace a non-empty --output folder that salon has not built: replacing it
    whole would delete files salon never made."""
    try:
        with os.scandir(out) as entries:
            empty = next(entries, None) is None
    except (FileNotFoundError, NotADirectoryError):
        return  # made anew (a file in its place is the writer's error)
    if empty or manifest.exists():
        return
    raise BuildFailed(
        [
            Diagnostic(
                path=f"{out}/",
                message="refusing to build into a folder salon did not build: it is not "
                "empty, and salon replaces its output folder whole",
                hint="choose an empty or new folder, or add --output-overwrite to replace "
                "this one and everything in it",
            )
        ]
    )


def build(root: Path, *, now: datetime, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build the salon at `root` as of `now`. Raises BuildFailed with every diagnostic."""
    from salon_gen.pipeline import write

    paths = state.StatePaths(root=root)
    flags = f"drafts={options.drafts}"
    fetched: tuple[str | None, tuple[Diagnostic, ...]] = (None, ())
    loaded: tuple[Config, tuple[Diagnostic, ...]] | None = None
    if not options.offline:  # first follow people: what changed in their feeds changes the site
        from salon_gen.following.follow import fetch_feeds

        loaded = checked_config(root)
        round_ = fetch_feeds(root, loaded[0], now, force=options.force)
        fetched = (round_.summary(), round_.diagnostics)
    prints: dict[Path, str] = {}  # output folder -> fingerprint: computed once a build

    def fingerprint_of(out: Path) -> str:
        if out not in prints:
            prints[out] = state.fingerprint(root, out, flags)
        return prints[out]

    quick = _up_to_date(root, now, options, paths, fingerprint_of)
    if quick is not None:
        drafts = _drafts_warning(root, quick.output) if options.drafts else ()
        return replace(quick, fetched=fetched[0], warnings=fetched[1] + quick.warnings + drafts)

    config, _ = loaded or checked_config(root)
    if options.offline:  # feeds that are files in the salon are no network: read them
        from salon_gen.following.follow import fetch_feeds

        fetched = (None, fetch_feeds(root, config, now, local_only=True).diagnostics)
    out = resolve_output(root, config.output_dir, options.output)
    check_output(root, out)
    if options.output is not None and not options.overwrite:
        check_foreign_output(out, paths.manifest(out))
    write.recover(out)
    fingerprint = fingerprint_of(out)

    from salon_gen.pipeline.engine import Engine

    engine = Engine.restore(root, out, drafts=options.drafts)
    report = engine.rebuild({}, now=now, jobs=options.jobs)  # the calendar is written too
    engine.save()
    state.save_fingerprint(
        paths,
        options.output,
        state.Fingerprint(
            value=fingerprint + state.ledger_stamp(paths),
            output=out,
            next_change=report.next_change,
            warnings=report.warnings,
        ),
    )
    return BuildResult(
        output=out,
        up_to_date=False,
        pages=report.pages,
        files=report.files,
        written=report.written,
        unchanged=report.files - report.written,
        removed=report.removed,
        rendered=report.bodies,
        pages_changed=report.pages_changed,
        warnings=fetched[1]
        + report.warnings
        + (_drafts_warning(root, out) if options.drafts else ()),
        fetched=fetched[0],
    )


def up_to_date(root: Path, *, now: datetime, options: BuildOptions = BuildOptions()) -> bool:
    """Whether the output is what a build now would write: the last successful build was of
    the current inputs, nothing scheduled has come due since, the output is untouched. What
    `salon deploy` requires; it fetches nothing."""
    paths = state.StatePaths(root=root)
    flags = f"drafts={options.drafts}"
    quick = _up_to_date(root, now, options, paths, lambda out: state.fingerprint(root, out, flags))
    return quick is not None


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
    root: Path,
    now: datetime,
    options: BuildOptions,
    paths: state.StatePaths,
    fingerprint_of: Callable[[Path], str],
) -> BuildResult | None:
    """The no-change fast path: the same inputs (salon.toml included, hence the same output
    folder), nothing scheduled has come due, the output untouched. Any doubt: None."""
    from salon_gen.pipeline import write

    last = state.load_fingerprint(paths, options.output)
    if last is None:
        return None
    out = resolve_output(root, str(last.output), options.output)
    if last.value != fingerprint_of(out) + state.ledger_stamp(paths):
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
