"""`salon import` for whole sites and exports: Jekyll, Hugo and Pelican folders, WordPress
exports (WXR) and bookmark exports (Netscape HTML, Pinboard JSON).

The shape is roster.py's OPML import, grown: `detect` says what a path is; one reader per
source (`jekyll`, `hugo`, `pelican`, `wxr`, `bookmarks`) turns what it read into a `Harvest`
(items, assets and diagnostics: pure, except that the site readers are handed a `SiteFolder`
read once by `folder`); `convert` holds the text conversions (Liquid, shortcodes, kramdown);
`feedids` keeps the old feed's ids; `plan` decides which files to write (never replacing
one) and `plan.apply` writes them. Nothing here touches the network.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from salon_gen.importing.item import Harvest


def read(kind: str, path: Path, now: datetime) -> Harvest:
    """Read `path`, which `detect.detect` found to be `kind` (anything but "opml")."""
    from salon_gen.importing import bookmarks, hugo, jekyll, pelican, wxr
    from salon_gen.importing.folder import read_folder
    from salon_gen.importing.plan import not_found_page, unique_aliases

    name = path.as_posix()
    if kind == "wordpress":
        return wxr.read_wxr(path.read_bytes(), name, now)
    if kind == "netscape":
        return bookmarks.read_netscape(path.read_bytes(), name, now)
    if kind == "pinboard":
        return bookmarks.read_pinboard(path.read_bytes(), name, now)
    readers = {
        "jekyll": jekyll.read_jekyll,
        "hugo": hugo.read_hugo,
        "pelican": pelican.read_pelican,
    }
    harvest = readers[kind](read_folder(path), now)
    lost = tuple(
        f"  skipped {i.origin}: salon makes its own 404 page"
        for i in harvest.items
        if not_found_page(i)
    )
    items, clashes = unique_aliases([i for i in harvest.items if not not_found_page(i)])
    harvest = dataclasses.replace(
        harvest,
        items=items,
        diagnostics=harvest.diagnostics + clashes,
        notes=harvest.notes + lost,
        skipped=harvest.skipped + len(lost),
    )
    # Diagnostics name files as the owner typed the folder: old-blog/_posts/x.md:3
    diagnostics = tuple(
        dataclasses.replace(d, path=f"{name.rstrip('/')}/{d.path}") for d in harvest.diagnostics
    )
    return dataclasses.replace(harvest, diagnostics=diagnostics)
