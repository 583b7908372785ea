"""The site's search index: Pagefind run over the built site, after the build.

Owns finding the Pagefind binary (the `pagefind` package; its `bin` extra ships the binary)
and running it over the output folder to write `pagefind/` into it, swapped in whole so a
reader never meets half an index. Pagefind reads only the pages already written, which have
been through the leak guard like every other file; of those, only the parts the theme marks
(`data-pagefind-body`: a note's or share's article, each entry of the reading river) and
only under notes/, shares/ and reading/. Search is optional: when Pagefind is missing or
fails, the build has still succeeded, a warning says why, and the search page says search
is unavailable. Must not decide what is searchable (the templates do) and must not print.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from salon_gen.core.errors import Diagnostic

INDEX_DIR = "pagefind"  # under the site folder; reserved for it (assemble.RESERVED)
SEARCH_PAGE = "search/index.html"  # written by the build when `search = true`
ENTRY_FILE = "pagefind-entry.json"  # Pagefind writes it last: the mark of a whole index
# Belt and braces to the templates' marks: Pagefind reads no page outside these folders.
GLOB = "{notes,shares,reading}/**/*.html"
_INDEXED = ("notes/", "shares/", "reading/")  # GLOB's folders
TIMEOUT = 180.0  # seconds: 1,000 posts take under 2; a hung indexer must not hold a build
_INSTALL = "pip install 'pagefind[bin]' (salon's dependency) or put pagefind on PATH"


@dataclass(frozen=True, slots=True, kw_only=True)
class Indexed:
    """What indexing came to: pages indexed (None when nothing was done) and why not."""

    pages: int | None = None
    seconds: float = 0.0
    diagnostics: tuple[Diagnostic, ...] = ()

    def summary(self) -> str | None:
        if self.pages is None:
            return None
        return f"search: indexed {self.pages} pages in {self.seconds:.2f} s"


def find_pagefind() -> str | None:
    """The Pagefind binary: the one the `pagefind` package finds (PAGEFIND_BINARY_PATH, then
    its bin extra), else `pagefind` on PATH; None when there is none."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind")
        return found
    path = get_executable()
    return str(path) if path is not None and path.is_file() else None


def wanted(out_dir: Path) -> bool:
    """Whether the site has a search page, hence wants an index (`search = true`)."""
    return (out_dir / SEARCH_PAGE).is_file()


def indexes_any(paths: Iterable[str]) -> bool:
    """Whether any of these site-relative paths (written or removed) is a page the index
    holds: an incremental build that changed none of them keeps the index it has."""
    return any(p.startswith(_INDEXED) and p.endswith(".html") for p in paths)


def present(out_dir: Path) -> bool:
    return (out_dir / INDEX_DIR / ENTRY_FILE).is_file()


def refresh_index(
    out_dir: Path, *, rebuilt: bool, label: str, executable: str | None = None
) -> Indexed:
    """After a build: index the site when it wants search and was rebuilt (a rebuild
    replaces the folder, the old index with it) or has no index yet. `label` names the
    site folder in diagnostics."""
    if not wanted(out_dir) or (not rebuilt and present(out_dir)):
        return Indexed()
    return index_site(out_dir, label=label, executable=executable)


def index_site(
    out_dir: Path, *, label: str, executable: str | None = None, timeout: float = TIMEOUT
) -> Indexed:
    """Write `out_dir`/pagefind/ from the pages in `out_dir`; warnings, never an error."""
    exe = executable or find_pagefind()
    if exe is None:
        return _warn(label, "Pagefind is not installed: the site has no search index", _INSTALL)
    new = out_dir.parent / f".{out_dir.name}.pagefind-new"
    old = out_dir.parent / f".{out_dir.name}.pagefind-old"
    for leftover in (new, old):
        shutil.rmtree(leftover, ignore_errors=True)
    dest = out_dir / INDEX_DIR
    if dest.exists() and not present(out_dir):
        return _warn(label, f"{INDEX_DIR}/ in the site is not a search index: left alone")
    started = time.perf_counter()
    command = [exe, "--site", str(out_dir), "--output-path", str(new), "--glob", GLOB]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError) as e:
        shutil.rmtree(new, ignore_errors=True)
        return _warn(label, f"Pagefind could not run: {e}", _INSTALL)
    took = time.perf_counter() - started
    if done.returncode != 0 or not (new / ENTRY_FILE).is_file():
        shutil.rmtree(new, ignore_errors=True)
        said = _last_lines(done.stderr or done.stdout)
        return _warn(
            label,
            f"Pagefind failed (exit {done.returncode}): the site has no search index"
            + (f": {said}" if said else ""),
            "the site itself was built; run `salon build` again after fixing Pagefind",
        )
    if dest.exists():
        dest.rename(old)
    new.rename(dest)
    shutil.rmtree(old, ignore_errors=True)
    pages = re.search(r"Indexed (\d+) pages?", done.stdout)
    return Indexed(pages=int(pages.group(1)) if pages else 0, seconds=took)


def _last_lines(text: str, lines: int = 3) -> str:
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " / ".join(kept[-lines:])[:500]


def _warn(label: str, message: str, hint: str | None = None) -> Indexed:
    return Indexed(
        diagnostics=(
            Diagnostic(path=label, severity="warning", message=f"search: {message}", hint=hint),
        )
    )
