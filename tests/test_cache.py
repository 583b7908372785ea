from __future__ import annotations

import sqlite3
from pathlib import Path

from salon_gen.content.rendercache import RenderCache, cache_key
from salon_gen.text.markdown import MarkdownRenderer

MD = MarkdownRenderer()


def test_round_trip_and_pruning(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    a, b = MD.render("# Title\n\nBody"), MD.render("plain *text*")
    entries = {cache_key("a"): a, cache_key("b"): b}
    with RenderCache(path) as cache:
        cache.replace_all(entries, entries.keys())
    with RenderCache(path) as cache:
        assert cache.get_many(entries) == entries
        cache.replace_all({cache_key("b"): b}, [])  # "a" is no longer used
    with RenderCache(path) as cache:
        assert cache.get_many(entries) == {cache_key("b"): b}
        stored = cache.db.execute("SELECT value FROM markdown").fetchone()[0]
    assert stored.count("<em>text</em>") == 1  # html and body_html stored once


def test_key_depends_on_text_and_renderer_version() -> None:
    assert cache_key("x") != cache_key("y")
    assert cache_key("x") == cache_key("x")


def test_a_corrupt_cache_is_replaced_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with RenderCache(path) as cache:
        assert cache.warning is not None and "starting a new one" in cache.warning
        assert cache.get_many([cache_key("x")]) == {}
    assert sqlite3.connect(path).execute("SELECT count(*) FROM markdown").fetchone() == (0,)
