"""What a path given to `salon import` is: an OPML file, a Jekyll, Hugo or Pelican site
folder, a WordPress export, or a bookmark export. Reads a folder's names and a file's first
bytes; decides nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from salon_gen.importing import bookmarks, wxr

Source = Literal["opml", "jekyll", "hugo", "pelican", "wordpress", "netscape", "pinboard"]
KINDS = "an OPML file, a Jekyll, Hugo or Pelican site folder, a WordPress export (WXR), a "
KINDS += "Netscape bookmarks file or a Pinboard JSON export"
_HUGO = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config/_default")
# Hugo also reads config.*, a name too common to decide on alone: with a content/ folder.
_HUGO_WITH_CONTENT = ("config.toml", "config.yaml", "config.yml", "config.json")


def detect(path: Path) -> Source | None:
    """What `path` is, or None when it is none of the kinds salon imports."""
    if path.is_dir():
        if (path / "pelicanconf.py").is_file():
            return "pelican"
        if any((path / name).exists() for name in _HUGO) or (
            (path / "content").is_dir()
            and any((path / name).is_file() for name in _HUGO_WITH_CONTENT)
        ):
            return "hugo"
        if (path / "_config.yml").is_file() or (path / "_posts").is_dir():
            return "jekyll"
        return None
    with path.open("rb") as f:
        head = f.read(8192)
    low = head.lower()
    if b"<opml" in low or path.suffix.lower() == ".opml":
        return "opml"
    if wxr.is_wxr(head):
        return "wordpress"
    if bookmarks.is_pinboard(head):
        return "pinboard"
    if bookmarks.is_netscape(head):
        return "netscape"
    return None
