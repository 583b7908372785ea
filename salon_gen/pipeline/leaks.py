"""The leak guard's side of `salon build`: gather what is about to be published and what
the owner wrote, and ask `privacy` whether any secret is in it.

Shell: reads every static file (in parts when big), salon.toml and the project theme's
templates (the pages, feeds and content texts are handed in). Must not write, and must not
decide what a secret is (`privacy` does).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from salon_gen.circle import guard
from salon_gen.circle.contacts import Kept
from salon_gen.content import sources
from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import OutputFile, Site

if TYPE_CHECKING:
    from salon_gen.content.assemble import SourceInfo
    from salon_gen.core.model import StaticFile


CHUNK = 16 * 1024 * 1024  # bytes of a static file searched at a time
OVERLAP = 4096  # bytes each part repeats of the one before: no form is longer
_WRITERS = {
    "feed.xml": "salon's Atom feed (syndication)",
    "rss.xml": "salon's RSS feed (syndication)",
    "feed.json": "salon's JSON Feed (syndication)",
    "blogroll.opml": "salon's OPML blogroll (syndication)",
    "sitemap.xml": "salon's sitemap (syndication)",
    "robots.txt": "salon's robots.txt (syndication)",
}


def guard_site(
    root: Path,
    *,
    site: Site,
    kept: Sequence[Kept],
    info: Mapping[str, SourceInfo],
    files: Sequence[OutputFile],
    statics: Sequence[StaticFile],
    pages: Sequence[tuple[str, str]],
    resolve: Callable[[str], str | None],
    theme_dir: Path | None,
    output: Path,
) -> tuple[Diagnostic, ...]:
    """Errors for every private value or private person in the output about to be written.
    `pages`: (output path, template name) of each HTML page; `resolve`: template name ->
    its file (Jinja knows which theme's file it loaded)."""
    found = guard.secrets([p for p, _, _ in kept], [f for _, f, _ in kept])
    if not found:
        return ()
    producers = template_files(pages, resolve, root)
    for f in files:
        name = f.path.rsplit("/", 1)[-1]
        producers.setdefault(f.path, _WRITERS.get(name, "salon"))
    for s in statics:
        producers[s.dest] = _relative(root, s.source)
    outputs = itertools.chain(((f.path, f.data) for f in files), _read_statics(statics))
    written: list[guard.Written] = []
    config_text = sources.read_config(root)
    if config_text is not None:
        written.append(guard.Written(path=sources.CONFIG_FILE, text=config_text))
    for source in (*(n.source for n in site.notes), *(p.source for p in site.pages)):
        if source in info:
            written.append(guard.Written(path=source, text=info[source].text))
    for person in site.people:
        if person.source in info:
            src = info[person.source]
            body = src.text.split("\n")[src.body_line - 1 :]
            written.append(
                guard.Written(path=person.source, text="\n".join(body), first_line=src.body_line)
            )
    if theme_dir is not None:
        for path in sources.walk(theme_dir, root):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            written.append(guard.Written(path=_relative(root, str(path)), text=text, template=True))
    try:
        label = output.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        label = str(output)
    return guard.find_leaks(
        outputs,
        found,
        producers=producers,
        written=written,
        copied={s.dest for s in statics},
        output_dir=label,
    )


def _read_statics(statics: Sequence[StaticFile]) -> Iterator[tuple[str, bytes]]:
    """Every static file, one at a time (a CSV, a PDF or a photo's metadata can leak too);
    a big one in overlapping parts, so a video is never in memory whole."""
    for s in statics:
        try:
            with open(s.source, "rb") as f:
                data = f.read(CHUNK)
                while data:
                    yield s.dest, data
                    more = f.read(CHUNK)
                    data = data[-OVERLAP:] + more if more else b""
        except OSError:
            continue  # gone since it was listed: the write says so


def _relative(root: Path, path: str) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def template_files(
    jobs: Sequence[tuple[str, str]], resolve: Callable[[str], str | None], root: Path
) -> dict[str, str]:
    """Output path -> the file of the template that rendered it: relative to the salon for
    a project theme's (`resolve`: template name -> file name, from Jinja)."""
    files: dict[str, str] = {}
    for output, name in jobs:
        filename = resolve(name)
        files[output] = _relative(root, filename) if filename else name
    return files
