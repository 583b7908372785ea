"""Reading an old site's folder once, into a `SiteFolder`: every file's relative path and
the text of the text files. The only module of `importing` that reads a folder.

Skips what a generator writes or fetches (`_site/`, `public/`, `output/`, `node_modules/`,
version control), and every symlink that resolves outside the folder: an import must never
copy a file from elsewhere on the machine into a site that gets published.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType

from salon_gen.importing.item import SiteFolder

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "_site",
        "public",
        "output",
        "node_modules",
        "resources",
        ".jekyll-cache",
        ".sass-cache",
        "vendor",
        "__pycache__",
        ".venv",
        "venv",
        "themes",
        ".bundle",
        "cache",
    }
)
TEXT_SUFFIXES = frozenset(
    {
        ".md",
        ".markdown",
        ".mdown",
        ".mkd",
        ".html",
        ".htm",
        ".rst",
        ".yml",
        ".yaml",
        ".toml",
        ".py",
        ".json",
        ".txt",
    }
)
MAX_TEXT = 4 * 1024 * 1024


def read_folder(root: Path) -> SiteFolder:
    """Every file under `root` (paths with forward slashes); texts of the text files,
    decoded as UTF-8 (undecodable bytes replaced, so one odd file does not stop an import)."""
    root = root.resolve()
    paths: set[str] = set()
    texts: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            full = Path(folder) / name
            if full.is_symlink() and not full.resolve().is_relative_to(root):
                continue
            if not full.is_file():
                continue
            rel = full.relative_to(root).as_posix()
            paths.add(rel)
            if (full.suffix.lower() in TEXT_SUFFIXES or name == "CNAME") and (
                full.stat().st_size <= MAX_TEXT
            ):
                texts[rel] = full.read_bytes().decode("utf-8", errors="replace")
    return SiteFolder(root=root, paths=frozenset(paths), texts=MappingProxyType(texts))
