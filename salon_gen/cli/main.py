"""The `salon` command: the only module that knows about Click, terminals and exit codes.

Exit codes: 0 success, 1 content or config errors (every diagnostic printed), 2 usage errors
(Click's own). Must not contain build logic: it parses arguments, calls `build`, reports.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from salon_gen import __version__
from salon_gen.core.errors import BuildFailed, Diagnostic

if TYPE_CHECKING:
    from salon_gen.core.model import Config
    from salon_gen.pipeline.build import BuildResult
    from salon_gen.publish.search import Indexed

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _now(value: str | None) -> datetime:
    """The build's clock: --now, else SOURCE_DATE_EPOCH (reproducible builds), else now."""
    if value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(
                f"cannot read {value!r} as a date and time", param_hint="--now"
            ) from None
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def _report(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
    color = sys.stderr.isatty()
    for d in diagnostics:
        text = d.format()
        if color:
            word = f"{d.severity}:"
            style = {"fg": "red", "bold": True} if d.is_error else {"fg": "yellow"}
            text = text.replace(word, click.style(word, **style), 1)
        click.echo(text, err=True)


@click.group(name="salon", context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="salon")
def main() -> None:
    """salon turns a folder of Markdown and a list of friends into a personal website
    that works like a literary salon: your notes, the links you share with your
    commentary, and the people you follow, published as a static site with feeds.

    Start with `salon init my-salon`, then `cd my-salon && salon build`.
    """


NOW_OPTION = click.option(
    "--now",
    "now_text",
    metavar="DATETIME",
    hidden=True,
    help="Act as of this moment (ISO 8601); SOURCE_DATE_EPOCH works too.",
)
SOURCE_OPTION = click.option(
    "-s",
    "--source",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The salon folder.",
)


def _fail(prefix: str, failed: BuildFailed) -> NoReturn:
    _report(failed.diagnostics)
    click.echo(f"{prefix}: {sum(1 for d in failed.diagnostics if d.is_error)} error(s)", err=True)
    raise SystemExit(1)


@contextmanager
def _writing(source: Path, command: str) -> Iterator[None]:
    """Hold the salon's lock (lock.py) for a command that writes; a second writer waits a
    few seconds, then is told who holds it and exits 1."""
    from salon_gen.workspace.lock import Busy, hold

    try:
        with hold(source, command):
            yield
    except Busy as busy:
        _fail(command, busy)


@main.command(short_help="Create a new salon in a folder.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--ci",
    type=click.Choice(["github"]),
    help="Also write a workflow that fetches, builds and deploys hourly (GitHub Actions: "
    ".github/workflows/salon.yml); in an existing salon, only that.",
)
def init(directory: Path, ci: str | None) -> None:
    """Create a new salon in DIRECTORY (made if missing): salon.toml, an example note,
    share, person and page, and a .gitignore for site/, .salon/ and private/."""
    from salon_gen.workspace.scaffold import ScaffoldError, init_salon

    existing = (directory / "salon.toml").exists()
    try:
        written = init_salon(directory, ci=ci)
    except ScaffoldError as e:
        click.echo(f"salon init: error: {e}", err=True)
        raise SystemExit(1) from None
    for path in written:
        click.echo(f"  created {path}")
    if ci is not None and existing:
        click.echo("Commit it and push; see the comments at its top for the first run.")
        return
    click.echo(
        f"\nA new salon is ready in {directory}. Next:\n"
        f"  cd {directory}\n  edit salon.toml (title, base_url, author)\n"
        "  salon build    # writes the site into site/"
    )


@main.command(short_help="Fetch what is due, then build the site.")
@SOURCE_OPTION
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: output_dir in salon.toml, 'site').",
)
@click.option(
    "--output-overwrite",
    is_flag=True,
    help="Let --output replace a non-empty folder salon did not build, deleting its files.",
)
@click.option("--drafts", is_flag=True, help="Include drafts and future-dated items.")
@click.option(
    "--offline", is_flag=True, help="Fetch nothing; use only what is stored under .salon/."
)
@click.option("--force", is_flag=True, help="Fetch every feed now, whatever the schedule says.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Worker processes for rendering (default: one per core).",
)
@NOW_OPTION
def build(
    source: Path,
    output: Path | None,
    output_overwrite: bool,
    drafts: bool,
    offline: bool,
    force: bool,
    jobs: int | None,
    now_text: str | None,
) -> None:
    """Build the salon (the --source folder) into its site folder.

    First fetches the feeds of the people you follow that are due (not with --offline),
    then reads salon.toml and content/ and brings the site (pages, feeds, blogroll,
    sitemap) up to date, rendering only what changed since the last build (.salon/
    remembers; delete it for a clean build). If anything is wrong, every problem is
    printed as file:line: message, nothing is written and the previous site stays whole.
    A friend's broken feed is only ever a warning.
    """
    from salon_gen.pipeline.build import BuildOptions
    from salon_gen.pipeline.build import build as run_build
    from salon_gen.workspace.stopping import Stopped, stop_on_signals

    started = time.perf_counter()
    from salon_gen.workspace.lock import hold

    restore = stop_on_signals()  # SIGTERM, SIGHUP: stop in order, as Ctrl-C does
    try:
        with hold(source, "salon build"):  # lock.Busy is a BuildFailed: reported below
            result = run_build(
                source,
                now=_now(now_text),
                options=BuildOptions(
                    drafts=drafts,
                    offline=offline,
                    output=output.resolve() if output else None,  # relative to where you are
                    jobs=jobs,
                    force=force,
                    overwrite=output_overwrite,
                ),
            )
            # still under the lock: two indexers writing one site's index would clash
            searched = _index_search(result.output, result, label=_display(result.output))
    except BuildFailed as failed:
        _report(failed.diagnostics)
        errors = sum(1 for d in failed.diagnostics if d.is_error)
        click.echo(
            f"salon build: {errors} error{'s' if errors != 1 else ''}; "
            "nothing was written, the previous site is untouched",
            err=True,
        )
        raise SystemExit(1) from None
    except KeyboardInterrupt as stop:  # the workers are gone and the site folder is whole
        why = f"stopped by {stop.name}" if isinstance(stop, Stopped) else "interrupted"
        click.echo(
            f"salon build: {why} before it finished; the site folder is left whole", err=True
        )
        raise SystemExit(128 + (stop.signum if isinstance(stop, Stopped) else 2)) from None
    finally:
        restore()
    where = _display(result.output)
    _report(result.warnings + searched.diagnostics)
    if result.fetched:
        click.echo(result.fetched)
    took = time.perf_counter() - started
    if result.up_to_date:
        click.echo(f"{where} is up to date ({result.files} files, {took:.2f} s)")
    else:
        click.echo(
            f"built {where} in {took:.2f} s: {result.pages} pages, {result.files} files "
            f"({result.written} written, {result.unchanged} unchanged, "
            f"{result.removed} removed)"
        )
    if searched.summary():
        click.echo(searched.summary())


def _index_search(out: Path, result: BuildResult, *, label: str) -> Indexed:
    """The step after a successful build: the search index (search.py), when wanted and a
    page it holds changed (a full build replaces the folder, the old index with it)."""
    from salon_gen.publish.search import indexes_any, refresh_index

    rebuilt = not result.up_to_date and indexes_any(result.pages_changed)
    return refresh_index(out, rebuilt=rebuilt, label=label)


@main.command(short_help="Publish the built site: a folder, rsync or a git branch.")
@SOURCE_OPTION
@click.option(
    "--to",
    "to",
    metavar="TARGET",
    help='Where to (default: [deploy] target): "folder:PATH", "rsync:HOST:PATH", "git:BRANCH".',
)
@click.option(
    "--no-notify",
    is_flag=True,
    help="Skip the steps after a deploy (Webmentions, the hub ping), as when "
    "the site only goes live later (CI staging it for GitHub Pages).",
)
@NOW_OPTION
def deploy(source: Path, to: str | None, no_notify: bool, now_text: str | None) -> None:
    """Publish the site that `salon build` wrote: make a folder an exact copy of it, rsync
    it, or commit it to a git branch (GitHub Pages style) and push. Refused when the site
    was built with --drafts, or is not up to date with its files (the last build failed,
    or something changed since): run `salon build` first. Then runs the steps that follow
    a publish (deploy.after_deploy_steps)."""
    from salon_gen.publish.deploy import after_deploy_steps, parse_target, search_warnings
    from salon_gen.publish.deploy import deploy as run_deploy

    config = _config_or_fail(source, "salon deploy")
    text = to or config.deploy.target
    if text is None:
        raise click.UsageError(
            'no target: add [deploy] target = "folder:/srv/www" (or rsync:, git:) to '
            "salon.toml, or give --to"
        )
    try:
        target = parse_target(text)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--to" if to else "[deploy] target") from None
    moment = _now(now_text)
    try:
        report = run_deploy(
            source,
            config,
            target,
            now=moment,
            after=() if no_notify else after_deploy_steps(source, config, moment),
        )
    except BuildFailed as failed:
        _fail("salon deploy", failed)
    site = report.deployed.site
    _report(search_warnings(site, _display(site)))
    click.echo(report.deployed.summary)
    for step in report.steps:
        _report(step.diagnostics)
        for line in step.lines:
            click.echo(line)


@main.command(short_help="Only fetch the feeds that are due.")
@SOURCE_OPTION
@click.option("--force", is_flag=True, help="Fetch every feed now, whatever the schedule says.")
@click.option(
    "--rebuild-store",
    is_flag=True,
    help="Set a broken feed store aside (it is kept, not deleted) and start a new one.",
)
@NOW_OPTION
def fetch(source: Path, force: bool, rebuild_store: bool, now_text: str | None) -> None:
    """Fetch the feeds of the people you follow that are due, and store what is new.

    Polite: conditional requests, at most one poll per feed an hour (see [fetch] in
    salon.toml), Retry-After honoured, back-off after failures. Builds nothing.
    """
    from salon_gen.workspace.stopping import Stopped, stop_on_signals

    restore = stop_on_signals()  # SIGTERM, SIGHUP: stop as Ctrl-C does
    try:
        with _writing(source, "salon fetch"):
            _fetch(source, rebuild_store, force, now_text)
    except KeyboardInterrupt as stop:
        # fetch_many cut the connections in flight; each feed is stored in a transaction of
        # its own, so the store holds whole feeds only: those stored before the stop.
        why = f"stopped by {stop.name}" if isinstance(stop, Stopped) else "interrupted"
        click.echo(
            f"salon fetch: {why} before it finished; nothing half-stored, the feed store is "
            "whole (run 'salon fetch' again for the rest)",
            err=True,
        )
        raise SystemExit(128 + (stop.signum if isinstance(stop, Stopped) else 2)) from None
    finally:
        restore()


def _fetch(source: Path, rebuild_store: bool, force: bool, now_text: str | None) -> None:
    from salon_gen.following.follow import fetch_feeds
    from salon_gen.following.follow import rebuild_store as rebuild_store_
    from salon_gen.pipeline.build import load_config
    from salon_gen.workspace.state import StatePaths

    try:
        config, diags = load_config(source)
        if config is None:
            raise BuildFailed(diags)
        if rebuild_store:
            click.echo(rebuild_store_(StatePaths(root=source)))
        bar: list[Any] = []

        def start(total: int) -> None:
            if total and sys.stderr.isatty():
                bar.append(click.progressbar(length=total, label="fetching", file=sys.stderr))
                bar[0].__enter__()

        def done(_result: object) -> None:
            if bar:
                bar[0].update(1)

        try:
            report = fetch_feeds(
                source, config, _now(now_text), force=force, on_start=start, on_done=done
            )
        finally:
            if bar:
                bar[0].__exit__(None, None, None)
    except BuildFailed as failed:
        _fail("salon fetch", failed)
    _report(report.diagnostics)
    click.echo(report.summary())


@main.command(short_help="The health of every followed feed.")
@SOURCE_OPTION
@click.option("--fix", is_flag=True, help="Apply permanent redirects to the people's files.")
@NOW_OPTION
def feeds(source: Path, fix: bool, now_text: str | None) -> None:
    """Show the health of every followed feed: last success, last error, HTTP status,
    entries stored and when it is next due. Silent failures are how feed readers lose
    friends; this is where you see them."""
    from salon_gen.following.follow import feed_health
    from salon_gen.writing.feedfix import fix_moved_feeds

    try:
        rows = feed_health(source)
        if not rows:
            click.echo("nobody's feeds are followed yet: add 'feeds:' to a file in content/people/")
        now = _now(now_text)
        for row in rows:
            click.echo(row.describe(now))
        if fix:
            with _writing(source, "salon feeds --fix"):
                for line in fix_moved_feeds(source):
                    click.echo(line)
    except BuildFailed as failed:
        _fail("salon feeds", failed)


def _config_or_fail(source: Path, command: str) -> Config:
    from salon_gen.pipeline.build import load_config

    try:
        config, diags = load_config(source)
    except BuildFailed as failed:
        _fail(command, failed)
    if config is None:
        _fail(command, BuildFailed(diags))
    return config


@main.command(short_help="Follow somebody by their site or feed.")
@SOURCE_OPTION
@click.argument("url")
@click.option("--name", help="Their name (default: the title of their site or feed).")
@click.option("--interest", "interests", multiple=True, help="An interest; repeat for more.")
def follow(source: Path, url: str, name: str | None, interests: tuple[str, ...]) -> None:
    """Follow somebody: find the feed of URL (a homepage or a feed) and write
    content/people/<id>.md for them."""
    from salon_gen.following.sync import limits_for
    from salon_gen.writing.roster import Problem, find_feed, plan_follow, write_new_person

    config = _config_or_fail(source, "salon follow")
    found = find_feed(url, limits_for(config))
    if isinstance(found, Problem):
        click.echo(f"salon follow: error: {found.format()}", err=True)
        raise SystemExit(1)
    with _writing(source, "salon follow"):  # after the network: planning and writing
        person = plan_follow(source, found, name=name, interests=interests)
        if isinstance(person, Problem):
            click.echo(f"salon follow: error: {person.format()}", err=True)
            raise SystemExit(1)
        path = write_new_person(source, person)
    click.echo(f"following {person.name} ({found.feed_url})\n  wrote {path}")
    click.echo("  its description is a placeholder until you edit it: it will be published")


@main.command(name="import", short_help="Import OPML, an old blog or bookmarks.")
@SOURCE_OPTION
@click.argument("file_or_dir", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would be written; write nothing.")
@click.option(
    "--feed",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The old site's Atom or RSS feed: imported posts keep their entry ids.",
)
@NOW_OPTION
def import_(
    source: Path, file_or_dir: Path, dry_run: bool, feed: Path | None, now_text: str | None
) -> None:
    """Import FILE_OR_DIR: an OPML file (follow everyone in it, skipping feeds you already
    follow); a Jekyll, Hugo or Pelican site folder or a WordPress export (posts become
    notes, pages pages, old URLs aliases); or a bookmark export (Netscape HTML, Pinboard
    JSON: bookmarks become shares). Never replaces a file; reports what it could not convert."""
    if dry_run:  # writes nothing, so takes no lock (and makes no .salon/lock)
        _import(source, file_or_dir, dry_run, feed, now_text)
        return
    with _writing(source, "salon import"):
        _import(source, file_or_dir, dry_run, feed, now_text)


def _import(
    source: Path, file_or_dir: Path, dry_run: bool, feed: Path | None, now_text: str | None
) -> None:
    from salon_gen.importing.detect import KINDS, detect

    kind = detect(file_or_dir)
    if kind is None and file_or_dir.is_dir():
        click.echo(f"{file_or_dir}: error: not a folder salon can import", err=True)
        click.echo(f"  hint: salon imports {KINDS}", err=True)
        raise SystemExit(1)
    if kind in (None, "opml"):  # an unknown file is read as OPML, with OPML's own errors
        _import_opml(source, file_or_dir, dry_run)
        return
    _import_site(source, file_or_dir, kind, dry_run, feed, _now(now_text))


def _import_opml(source: Path, opml: Path, dry_run: bool) -> None:
    from salon_gen.writing.roster import OpmlError, apply_import, plan_import, read_opml

    _config_or_fail(source, "salon import")
    try:
        read = read_opml(opml.read_bytes())
    except OpmlError as e:
        click.echo(f"{opml}: error: {e.message}", err=True)
        if e.hint:
            click.echo(f"  hint: {e.hint}", err=True)
        raise SystemExit(1) from None
    if read.recovered:
        click.echo(f"{opml}: warning: not well-formed XML ({read.recovered})", err=True)
        click.echo("  hint: read leniently; check the people it added", err=True)
    for outline in read.skipped:
        click.echo(f"  skipped {opml}:{outline.line}: {outline.name}: {outline.reason}")
    plan = plan_import(source, read.feeds)
    for skipped in plan.skipped:
        click.echo(f"  skipped {skipped.feed.xml_url}: {skipped.reason} ({skipped.person_id})")
    if dry_run:
        for person in plan.add:
            click.echo(f"  would write content/people/{person.person_id}.md")
        click.echo(f"{len(plan.add)} people would be added, {len(plan.skipped)} skipped")
        return
    for path in apply_import(source, plan):
        click.echo(f"  wrote {path}")
    click.echo(f"{len(plan.add)} people added, {len(plan.skipped) + len(read.skipped)} skipped")


def _import_site(
    source: Path, path: Path, kind: str, dry_run: bool, feed: Path | None, now: datetime
) -> None:
    from zoneinfo import ZoneInfo

    from salon_gen.importing import read
    from salon_gen.importing.feedids import keep_ids
    from salon_gen.importing.plan import apply, plan

    config = _config_or_fail(source, "salon import")
    try:
        harvest = read(kind, path, now)
    except ValueError as e:
        click.echo(f"{path}: error: {e}", err=True)
        if hint := getattr(e, "hint", None):
            click.echo(f"  hint: {hint}", err=True)
        raise SystemExit(1) from None
    _report(sorted(harvest.diagnostics, key=_diagnostic_order))
    lines = list(harvest.notes)
    if feed is not None:
        items, feed_lines = keep_ids(harvest.items, feed.read_bytes(), now)
        harvest = dataclasses.replace(harvest, items=items)
        lines.extend(feed_lines)
    todo = plan(source, harvest, ZoneInfo(config.timezone))
    verb = "would write" if dry_run else "wrote"
    written = [w.path for w in todo.writes] if dry_run else apply(source, todo)
    for one in written:
        click.echo(f"  {verb} {one}")
    for one in todo.existing:
        click.echo(f"  skipped {one}: exists already")
    for link in todo.duplicates:
        click.echo(f"  skipped {link}: already shared")
    for line in lines:
        click.echo(line)
    counts: dict[str, int] = {}
    for write in todo.writes:
        folder = write.path.split("/")[1]
        counts[folder] = counts.get(folder, 0) + 1
    summary = ", ".join(f"{n} {folder}" for folder, n in sorted(counts.items())) or "nothing"
    warnings = sum(1 for d in harvest.diagnostics if not d.is_error)
    click.echo(
        f"{kind}: {summary} {'to write' if dry_run else 'written'}; "
        f"{len(todo.existing)} existing file(s) left alone, "
        f"{len(todo.duplicates) + harvest.skipped} item(s) skipped, {warnings} warning(s)"
    )


def _diagnostic_order(d: Diagnostic) -> tuple[str, int, str]:
    return (d.path, d.line or 0, d.message)


@main.command(short_help="Share a link with your commentary.")
@SOURCE_OPTION
@click.argument("url")
@click.option("--via", help="Who you found it through: a person's id or a URL.")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for more.")
@click.option("--offline", is_flag=True, help="Do not fetch the page for its title.")
@NOW_OPTION
def share(
    source: Path,
    url: str,
    via: str | None,
    tags: tuple[str, ...],
    offline: bool,
    now_text: str | None,
) -> None:
    """Share a link: write content/shares/<date>-<slug>.md with its title (from the feed
    store when it is a friend's entry, else from the page), then open your editor for
    the commentary when on a terminal."""
    from zoneinfo import ZoneInfo

    from salon_gen.following.follow import read_people, stored_entries
    from salon_gen.following.sync import limits_for
    from salon_gen.workspace.state import StatePaths
    from salon_gen.writing.share import (
        check_via,
        fetch_page_title,
        render_share_file,
        share_from_store,
        share_path,
        write_share,
    )

    config = _config_or_fail(source, "salon share")
    people, _ = read_people(source)
    try:
        check_via(via, (p.id for p in people))  # before any fetch: the build would refuse it
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="'--via'") from None
    owner = {feed: p.id for p in people for feed in p.feeds}
    try:
        entries = stored_entries(StatePaths(root=source), people)
    except BuildFailed:
        entries = ()
    title, by = share_from_store(url, entries, owner)
    if title is None and not offline:
        title = fetch_page_title(url, limits_for(config))
    commentary = ""
    if sys.stdin.isatty() and sys.stdout.isatty():
        commentary = click.edit("\n# Your commentary (lines starting with # are dropped)\n") or ""
        commentary = "\n".join(
            line for line in commentary.splitlines() if not line.startswith("#")
        ).strip()
    zone = ZoneInfo(config.timezone)
    now = _now(now_text)
    try:
        text = render_share_file(
            link=url,
            title=title,
            date=now,
            via=via or by,
            tags=tags,
            commentary=commentary,
            zone=zone,
        )
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    with _writing(source, "salon share"):  # not while the editor is open
        path = write_share(share_path(source, title or url, now, zone=zone), text)
    click.echo(f"wrote {path}")


@main.command(short_help="Preview with live reload.")
@SOURCE_OPTION
@click.option(
    "-p",
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback shows your drafts to the network.",
)
@click.option("--drafts", is_flag=True, help="Include drafts and future-dated items.")
@click.option("--offline", is_flag=True, help="Fetch no feeds at start.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@NOW_OPTION
def serve(
    source: Path,
    port: int,
    host: str,
    drafts: bool,
    offline: bool,
    open_browser: bool,
    now_text: str | None,
) -> None:
    """Preview the salon: build it into a temporary folder (never site/), serve it,
    rebuild when a file under content/ or themes/ or salon.toml changes, and reload the
    browser. Errors show in the browser and here; the last good build stays served.
    Feeds are fetched once at start (not with --offline), never on a save. Ctrl-C stops."""
    from salon_gen.preview.serve import run

    raise SystemExit(
        run(
            source,
            host=host,
            port=port,
            drafts=drafts,
            offline=offline,
            open_browser=open_browser,
            now_fn=lambda: _now(now_text),
            echo=click.echo,
            report=_report,
        )
    )


# --- the owner's circle: introductions, check-ins, birthdays (issue 5) -------------------------

DAY = click.DateTime(formats=["%Y-%m-%d"])


def _day(config: Config, now_text: str | None, given: datetime | None) -> date:
    """A day given on the command line, else today in the salon's time zone."""
    from zoneinfo import ZoneInfo

    if given is not None:
        return given.date()
    return _now(now_text).astimezone(ZoneInfo(config.timezone)).date()


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


@main.command(short_help="Suggest introductions between friends.")
@SOURCE_OPTION
@click.option(
    "--limit", type=click.IntRange(1), default=5, show_default=True, help="Suggestions to show."
)
@click.option("--person", "person_id", metavar="ID", help="Only introductions of this person.")
@click.option(
    "--draft",
    is_flag=True,
    help="Also write each suggestion shown as a draft note in content/notes/.",
)
@NOW_OPTION
def introduce(
    source: Path, limit: int, person_id: str | None, draft: bool, now_text: str | None
) -> None:
    """Suggest introductions: pairs of people who share interests (declared, or learned
    from what they have been writing lately) and have not been introduced yet, best first,
    each with a message ready to send. Nobody with `introducible: false` is suggested;
    people with `public: false` are, since this is for your eyes only. Record what you did
    with `salon introduced A B`."""
    from salon_gen.circle.actions import load, write_draft
    from salon_gen.circle.introductions import interest_name, introduction_text, suggest

    try:
        c = load(source)
        if person_id is not None and not c.person(person_id).introducible:
            raise BuildFailed(
                [
                    Diagnostic(
                        path=c.person(person_id).source,
                        message=f"{person_id} has introducible: false",
                        hint="remove that line from their file to have them suggested",
                    )
                ]
            )
        found = suggest(
            c.people, c.contacts, c.entries, c.config.interests.aliases, person_id=person_id
        )
    except BuildFailed as failed:
        _fail("salon introduce", failed)
    _report(c.warnings)
    if not found:
        click.echo("no introductions to suggest: nobody shares an interest with someone they")
        click.echo("have not been introduced to yet")
        return
    today = _day(c.config, now_text, None)
    for n, s in enumerate(found[:limit], start=1):
        names = []
        for shared in s.shared:
            learned = "learned" in (shared.a, shared.b)
            names.append(
                interest_name(shared.interest) + (" (from their posts)" if learned else "")
            )
        score = f"{float(s.score):.1f}".removesuffix(".0")
        click.echo(f"#{n}  {s.a.name} and {s.b.name}: {', '.join(names)} (score {score})")
        hidden = [p.name for p in (s.a, s.b) if not p.public]
        if hidden:
            click.echo(f"    {' and '.join(hidden)}: public: false, so keep this between you")
        click.echo("")
        click.echo(introduction_text(s, owner=c.config.author.name))
        if draft:
            if hidden:
                click.echo(
                    "    no draft: a note about someone with public: false is never published\n"
                )
                continue
            try:
                path = write_draft(source, s, owner=c.config.author.name, day=today)
            except FileExistsError as e:
                click.echo(f"    draft exists already: {_shown(Path(str(e.filename)), source)}\n")
                continue
            click.echo(f"    wrote {_shown(path, source)} (draft: true; edit it, then publish)\n")
    if len(found) > limit:
        click.echo(f"{len(found) - limit} more: salon introduce --limit {len(found)}")


@main.command(short_help="Record that you introduced two people.")
@SOURCE_OPTION
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--date", "day", type=DAY, help="When (YYYY-MM-DD; default: today).")
@NOW_OPTION
def introduced(source: Path, a: str, b: str, day: datetime | None, now_text: str | None) -> None:
    """Record that you introduced A and B (people's ids): each one's file gains the other
    under `private: introduced`, and the pair is never suggested again. The rest of both
    files stays as it was, byte for byte."""
    from salon_gen.circle.actions import record_introduction

    config = _config_or_fail(source, "salon introduced")
    when = _day(config, now_text, day)
    try:
        with _writing(source, "salon introduced"):
            written = record_introduction(source, a, b, when)
    except BuildFailed as failed:
        _fail("salon introduced", failed)
    if not written:
        click.echo(f"{a} and {b}: already recorded in both files")
        return
    click.echo(f"recorded: {a} and {b} introduced on {when.isoformat()}")
    for path in written:
        click.echo(f"  updated {_shown(path, source)}")


@main.command(short_help="Record that you were in touch.")
@SOURCE_OPTION
@click.argument("person_id", metavar="ID")
@click.option("--date", "day", type=DAY, help="When (YYYY-MM-DD; default: today).")
@click.option("--note", default="", help="A word about it, for you (kept under private:).")
@NOW_OPTION
def checkin(
    source: Path, person_id: str, day: datetime | None, note: str, now_text: str | None
) -> None:
    """Record that you were in touch with ID today (or on --date): a line in their file's
    `private: checkins`. `salon remind` counts from the latest contact."""
    from salon_gen.circle.actions import record_checkin

    config = _config_or_fail(source, "salon checkin")
    today = _day(config, now_text, None)
    when = _day(config, now_text, day)
    if when > today:
        raise click.BadParameter(
            f"{when.isoformat()} is in the future (today is {today.isoformat()})",
            param_hint="--date",
        )
    try:
        with _writing(source, "salon checkin"):
            path = record_checkin(source, person_id, when, note)
    except BuildFailed as failed:
        _fail("salon checkin", failed)
    click.echo(f"recorded a check-in with {person_id} on {when.isoformat()}")
    click.echo(f"  updated {_shown(path, source)}")


@main.command(short_help="Birthdays, check-ins and quiet feeds ahead.")
@SOURCE_OPTION
@click.option(
    "--days", type=click.IntRange(0), default=14, show_default=True, help="How far ahead to look."
)
@click.option("--today", "today_given", type=DAY, help="Act as if today were this day.")
@NOW_OPTION
def remind(source: Path, days: int, today_given: datetime | None, now_text: str | None) -> None:
    """What is coming up with the people in your salon, soonest first: birthdays in the
    next DAYS days, check-ins due by then (and overdue ones), and people whose feeds have
    gone quiet or gone away. Days are counted in the salon's time zone."""
    from salon_gen.circle.actions import load
    from salon_gen.circle.reminders import checkins_due, last_interactions, quiet_feeds, reminders

    try:
        c = load(source)
    except BuildFailed as failed:
        _fail("salon remind", failed)
    _report(c.warnings)
    today = _day(c.config, now_text, today_given)
    touched = last_interactions(c.people, c.contacts, c.notes, today=today, zone=c.zone)
    due = checkins_due(c.people, c.contacts, touched, today=today)
    quiet = quiet_feeds(c.people, c.entries, c.states, touched, today=today, zone=c.zone)
    found = reminders(c.people, c.contacts, due, quiet, today=today, days=days)
    click.echo(f"today is {today.isoformat()} ({c.config.timezone}); the next {days} days:")
    for reminder in found:
        click.echo(reminder.describe(today))
    if not found:
        click.echo("nothing to remember")


@main.command(short_help="Write the private calendar (private/salon.ics).")
@SOURCE_OPTION
@NOW_OPTION
def calendar(source: Path, now_text: str | None) -> None:
    """Write private/salon.ics: a yearly event for every birthday and an event when each
    check-in falls due, with reminders. Import it, or subscribe to the file, in your
    calendar app; the UIDs stay the same, so importing it again updates the events.
    `salon build` writes it too."""
    from salon_gen.circle.actions import load, write_private_calendar

    try:
        c = load(source)
        with _writing(source, "salon calendar"):
            path, count = write_private_calendar(
                source, c.config, c.people, c.contacts, c.notes, now=_now(now_text)
            )
    except BuildFailed as failed:
        _fail("salon calendar", failed)
    _report(c.warnings)
    click.echo(f"wrote {_shown(path, source)}: {count} event{'s' if count != 1 else ''}")


@main.command(short_help="Send the Webmentions your published notes owe.")
@SOURCE_OPTION
@click.option("--dry-run", is_flag=True, help="Only list what would be sent.")
@click.option(
    "--receive",
    is_flag=True,
    help="Instead, fetch the mentions received from [webmention] api into .salon/.",
)
@NOW_OPTION
def mention(source: Path, dry_run: bool, receive: bool, now_text: str | None) -> None:
    """Tell the sites your published notes and shares link to that you linked to them
    (W3C Webmention). Each link is sent once; again when the note changes, and once more
    when it is deleted (the receiver then finds its page gone). Run it after publishing:
    only notes whose pages are in the built site count. What was sent is kept in
    .salon/webmentions.json."""
    from salon_gen.publish.mention import send_mentions

    if receive:
        _receive(source)
        return
    try:
        done = send_mentions(source, now=_now(now_text), dry_run=dry_run)
    except BuildFailed as failed:
        _fail("salon mention", failed)
    for send, sent in done.results:
        if dry_run:
            click.echo(f"would send ({send.reason}): {send.source} -> {send.target}")
            continue
        where = f" via {sent.endpoint}" if sent.endpoint else ""
        why = f": {sent.detail}" if sent.detail and sent.outcome != "sent" else ""
        click.echo(f"{sent.outcome} ({send.reason}): {send.source} -> {send.target}{where}{why}")
    click.echo(done.summary())


def _receive(source: Path) -> None:
    from salon_gen.publish.receive import fetch_received

    try:
        got = fetch_received(source)
    except BuildFailed as failed:
        _fail("salon mention --receive", failed)
    for why in got.skipped:
        click.echo(f"left out: {why}")
    click.echo(f"{len(got.mentions)} mentions received, {len(got.skipped)} left out")


@main.command(short_help="Tell the WebSub hub which feeds changed.")
@SOURCE_OPTION
def ping(source: Path) -> None:
    """Announce to the WebSub hub named in salon.toml (hub = "https://...") every feed of
    the built site that changed since the last ping, so readers subscribed through the hub
    hear of a new note at once. The feeds' digests are kept in .salon/websub.json."""
    from salon_gen.publish.websub import ping_hub

    try:
        done = ping_hub(source)
    except BuildFailed as failed:
        _fail("salon ping", failed)
    for p in done.pings:
        click.echo(
            f"{'pinged' if p.error is None else 'failed'}: {p.feed}"
            + (f": {p.error}" if p.error else "")
        )
    click.echo(done.summary())


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd().resolve())) + "/"
    except ValueError:
        return str(path) + "/"


if __name__ == "__main__":  # pragma: no cover
    main()
