"""The `salon` command: the only module that knows about Click, terminals and exit codes.

Exit codes: 0 success, 1 content or config errors (every diagnostic printed), 2 usage errors
(Click's own). Must not contain build logic: it parses arguments, calls `build`, reports.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from . import __version__
from .errors import BuildFailed, Diagnostic

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


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new salon in DIRECTORY (made if missing): salon.toml, an example note,
    share, person and page, and a .gitignore for site/, .salon/ and private/."""
    from .scaffold import ScaffoldError, init_salon

    try:
        written = init_salon(directory)
    except ScaffoldError as e:
        click.echo(f"salon init: error: {e}", err=True)
        raise SystemExit(1) from None
    for path in written:
        click.echo(f"  created {path}")
    click.echo(
        f"\nA new salon is ready in {directory}. Next:\n"
        f"  cd {directory}\n  edit salon.toml (title, base_url, author)\n"
        "  salon build    # writes the site into site/"
    )


@main.command()
@click.option(
    "-s",
    "--source",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The salon folder to build.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: output_dir in salon.toml, 'site').",
)
@click.option("--drafts", is_flag=True, help="Include drafts and future-dated items.")
@click.option(
    "--offline", is_flag=True, help="Fetch nothing; use only what is stored under .salon/."
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Worker processes for rendering (default: one per core).",
)
@click.option(
    "--now",
    "now_text",
    metavar="DATETIME",
    hidden=True,
    help="Build as of this moment (ISO 8601); SOURCE_DATE_EPOCH works too.",
)
def build(
    source: Path,
    output: Path | None,
    drafts: bool,
    offline: bool,
    jobs: int | None,
    now_text: str | None,
) -> None:
    """Build the salon in SOURCE into its site folder.

    Reads salon.toml and content/, and writes the whole site (pages, feeds, blogroll,
    sitemap) atomically: if anything is wrong, every problem is printed as
    file:line: message, nothing is written and the previous site stays whole.
    """
    from .build import BuildOptions
    from .build import build as run_build

    started = time.perf_counter()
    try:
        result = run_build(
            source,
            now=_now(now_text),
            options=BuildOptions(
                drafts=drafts,
                offline=offline,
                output=output.resolve() if output else None,  # relative to where you are
                jobs=jobs,
            ),
        )
    except BuildFailed as failed:
        _report(failed.diagnostics)
        errors = sum(1 for d in failed.diagnostics if d.is_error)
        click.echo(
            f"salon build: {errors} error{'s' if errors != 1 else ''}; "
            "nothing was written, the previous site is untouched",
            err=True,
        )
        raise SystemExit(1) from None
    _report(result.warnings)
    took = time.perf_counter() - started
    where = _display(result.output)
    if result.up_to_date:
        click.echo(f"{where} is up to date ({result.files} files, {took:.2f} s)")
        return
    click.echo(
        f"built {where} in {took:.2f} s: {result.pages} pages, {result.files} files "
        f"({result.written} written, {result.unchanged} unchanged, "
        f"{result.removed} removed)"
    )


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd().resolve())) + "/"
    except ValueError:
        return str(path) + "/"


if __name__ == "__main__":  # pragma: no cover
    main()
