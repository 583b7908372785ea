"""The search index: the real Pagefind binary over a real built site; what it indexes (only
the marked parts of notes, shares and the reading river), and a missing or failing
Pagefind as a warning that leaves the site and any previous index alone."""

from __future__ import annotations

import gzip
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from salon_gen.core.model import FeedEntry
from salon_gen.following.store import FeedStore
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.publish import search

from .conftest import MINIMAL_CONFIG, NOW, REPO

FEED = "https://maya.example.net/feed.xml"
FILES = {
    "content/notes/2026-03-01-kiln.md": "---\ntitle: On the kiln\ndate: 2026-03-01\n---\n"
    "Firing pottery slowly.\n",
    "content/shares/2026-03-02-essay.md": "---\nlink: https://essays.example.com/a\n"
    "title: An essay on glaze\ndate: 2026-03-02\n---\nWorth it.\n",
    "content/pages/about.md": "---\ntitle: About\n---\nA page about pottery, not indexed.\n",
    "content/people/maya.md": f"---\nname: Maya\nurl: https://maya.example.net/\n"
    f"feeds: [{FEED}]\n---\nMaya writes about pottery.\n",
}

needs_pagefind = pytest.mark.skipif(
    search.find_pagefind() is None, reason="Pagefind is not installed: pip install 'pagefind[bin]'"
)


def built(make_salon: Callable[..., Path], config: str = MINIMAL_CONFIG) -> Path:
    root = make_salon(FILES, config=config)
    (root / ".salon").mkdir()
    with FeedStore(root / ".salon" / "feeds.sqlite") as store:
        for n in range(3):
            when = (NOW - timedelta(days=n + 1)).astimezone(UTC)
            entry = FeedEntry(
                feed_url=FEED,
                entry_id=f"{FEED}#{n}",
                title=f"Maya's kiln diary, day {n + 1}",
                link=f"https://maya.example.net/{n}/",
                published=when,
                updated=when,
                summary="Glazes and patience.",
            )
            store.upsert_entries(FEED, [entry], NOW)
    return build(root, now=NOW, options=BuildOptions(offline=True, jobs=1)).output


def indexed_pages(site: Path) -> dict[str, dict[str, object]]:
    """url -> the fragment Pagefind stored for it (gzip, a signature, then JSON)."""
    found = {}
    for path in (site / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[data.index(b"{") :])
        found[fragment["url"]] = fragment
    return found


@needs_pagefind
def test_only_notes_shares_and_the_river_are_indexed_each_with_its_source(
    make_salon: Callable[..., Path],
) -> None:
    site = built(make_salon)
    done = search.refresh_index(site, rebuilt=True, label="site/")
    assert done.diagnostics == ()
    assert done.pages == 3 and done.summary() is not None
    pages = indexed_pages(site)
    assert set(pages) == {"/notes/kiln/", "/shares/essay/", "/reading/"}
    assert pages["/notes/kiln/"]["filters"] == {"source": ["mine"]}
    assert pages["/shares/essay/"]["filters"] == {"source": ["mine"]}
    river = pages["/reading/"]
    assert river["filters"] == {"source": ["friends"]}
    anchors = [(a["id"], a["text"]) for a in river["anchors"]]  # type: ignore[union-attr]
    assert [text for _, text in anchors] == [f"Maya's kiln diary, day {n}" for n in (1, 2, 3)]
    assert all(ident.startswith("day-") for ident, _ in anchors)
    # the marked part only: not the navigation, the footer or the person's page
    assert "Skip to content" not in str(pages["/notes/kiln/"]["content"])
    assert not any(n.startswith("/people/") or n == "/about/" for n in pages)
    # the index is swapped in whole, nothing left beside the site
    assert sorted(p.name for p in site.parent.iterdir() if "pagefind" in p.name) == []


@needs_pagefind
def test_a_build_that_changed_nothing_keeps_its_index(
    make_salon: Callable[..., Path], tmp_path: Path
) -> None:
    site = built(make_salon)
    search.refresh_index(site, rebuilt=True, label="site/")
    broken = fake_pagefind(tmp_path, exit_code=3)
    assert search.refresh_index(site, rebuilt=False, label="site/", executable=broken).pages is None
    # a rebuilt site is indexed again, and a failure keeps the index there was
    failed = search.refresh_index(site, rebuilt=True, label="site/", executable=broken)
    (warning,) = failed.diagnostics
    assert warning.severity == "warning" and "exit 3" in warning.message
    assert "it went wrong" in warning.message  # what Pagefind said
    assert search.present(site)


def fake_pagefind(folder: Path, exit_code: int) -> str:
    script = folder / "pagefind-broken"
    script.write_text(f"#!/bin/sh\necho 'it went wrong' >&2\nexit {exit_code}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_a_missing_pagefind_is_a_warning_and_the_site_stays(
    make_salon: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = built(make_salon)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    assert search.find_pagefind() is None
    done = search.refresh_index(site, rebuilt=True, label="site/")
    (warning,) = done.diagnostics
    assert warning.format().startswith("site/: warning: search: Pagefind is not installed")
    assert "pagefind[bin]" in (warning.hint or "")
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_search_false_means_no_page_no_link_and_no_index(
    make_salon: Callable[..., Path], tmp_path: Path
) -> None:
    site = built(
        make_salon, config=MINIMAL_CONFIG.replace("[author]", "search = false\n\n[author]")
    )
    assert not (site / "search").exists()
    assert "search/index.html" not in (site / "index.html").read_text(encoding="utf-8")
    broken = fake_pagefind(tmp_path, exit_code=1)
    done = search.refresh_index(site, rebuilt=True, label="site/", executable=broken)
    assert done.diagnostics == () and not (site / "pagefind").exists()


def test_the_search_page_is_linked_from_every_page(make_salon: Callable[..., Path]) -> None:
    site = built(make_salon)
    page = (site / "search" / "index.html").read_text(encoding="utf-8")
    assert 'role="search"' in page and 'src="../theme/search.js"' in page
    assert 'data-pagefind="/pagefind/pagefind.js"' in page
    assert 'href="../../search/index.html"' in (site / "notes" / "kiln" / "index.html").read_text()


def test_salon_build_warns_and_succeeds_without_pagefind(tmp_path: Path) -> None:
    """The command as users run it, as a subprocess, with Pagefind pointed at nothing."""
    root = tmp_path / "salon"
    root.mkdir()
    (root / "salon.toml").write_text(MINIMAL_CONFIG)
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    env = {
        **os.environ,
        "PAGEFIND_BINARY_PATH": str(tmp_path / "none"),
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(
        [sys.executable, "-m", "salon_gen", "build", "--offline", "--now", NOW.isoformat()],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "site/: warning: search: Pagefind is not installed" in done.stderr
    assert done.stdout.startswith("built site/")
    assert (root / "site" / "search" / "index.html").exists()


@needs_pagefind
def test_an_incremental_build_indexes_again_only_when_an_indexed_page_changed(
    make_salon: Callable[..., Path],
) -> None:
    """`salon build` rewrites changed pages in place: the index stays unless one of the
    pages it holds was written or removed (then it is made again, with the new words)."""
    root = make_salon(FILES)

    def salon_build() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "salon_gen", "build", "--offline", "-s", str(root)],
            env={**os.environ, "SOURCE_DATE_EPOCH": "1795348800"},
            capture_output=True, text=True, timeout=300, check=True,
        )  # fmt: skip
        return done.stdout

    assert "search: indexed" in salon_build()
    entry = root / "site/pagefind/pagefind-entry.json"
    first = entry.stat().st_mtime_ns
    (root / "content/pages/about.md").write_text("---\ntitle: About\n---\nOther words.\n")
    out = salon_build()
    assert "search: indexed" not in out and entry.stat().st_mtime_ns == first, out
    note = root / "content/notes/2026-03-01-kiln.md"
    note.write_text(note.read_text().replace("slowly", "patiently, with celadon"))
    assert "search: indexed" in salon_build()
    assert any("celadon" in str(f) for f in indexed_pages(root / "site").values())
