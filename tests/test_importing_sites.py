"""`salon import` of Jekyll, Hugo and Pelican site folders (tests/importing/<generator>),
each into a fresh salon through the CLI, then built offline."""

from __future__ import annotations

from pathlib import Path

from .importing.harness import (
    FIXTURES,
    broken_images,
    build_offline,
    leftovers,
    new_salon,
    pages,
    salon_import,
)

HINT = "  hint: replace it by hand: salon does not run templates in notes"


def test_jekyll_site(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    run = salon_import(root, FIXTURES / "jekyll")
    assert run.code == 0, run.err
    assert run.err.splitlines() == [
        "SITE/_posts/2019-03-05-hello-world.md:26: warning: include 'signature.html' dropped"
        " (not in _includes/)",
        "  hint: salon does not run Liquid; check the result and edit it by hand",
        "SITE/_posts/2019-04-01-second.markdown:8: warning: '/assets/img/missing.png' is not in"
        " the site folder; link left as it is",
        "SITE/_posts/2019-04-01-second.markdown:10: warning: Liquid output '{{ page.date }}'"
        " dropped",
        "  hint: salon does not run Liquid; check the result and edit it by hand",
    ]
    assert run.out.splitlines() == [
        "  wrote content/notes/2019-03-05-hello-world.md",
        "  wrote content/notes/2019-04-01-second.md",
        "  wrote content/notes/2019-05-01-unpublished.md",
        "  wrote content/notes/a-draft.md",
        "  wrote content/pages/about.md",
        "  wrote content/static/assets/img/cat.png",
        "2 page(s) not imported (templates, lists of posts, pages their layout makes): "
        "index.html, tag/letters.md",
        "jekyll: 4 notes, 1 pages, 1 static written; 0 existing file(s) left alone,"
        " 0 item(s) skipped, 3 warning(s)",
    ]
    notes = root / "content" / "notes"
    # Berlin midnight is 23:00 UTC (the salon's zone); the old URL has Berlin's day.
    assert (notes / "2019-03-05-hello-world.md").read_text() == (
        "---\n"
        'title: "Hello, world"\n'
        "date: 2019-03-04 23:00\n"
        "tags: [reading, writing, essays]\n"
        'aliases: ["essays/2019/03/05/hello-world.html", "hello/"]\n'
        "---\n"
        "A first post, with a cat:\n\n"
        "![A cat](../static/assets/img/cat.png)\n\n\n"
        "The [next post](2019-04-01-second.md) says more.\n\n"
        '```python\nprint("hello")\n```\n\n'
        "```\n{{ this stays }}\n```\n"
    )
    second = (notes / "2019-04-01-second.md").read_text()
    assert 'aliases: ["2019/04/02/second.html"]' in second  # 22:30 UTC is the 2nd in Berlin
    assert "[about page](../pages/about.md)" in second
    assert "[the cat](../static/assets/img/cat.png)" in second
    assert "![gone](/assets/img/missing.png)\n" in second  # the {: .wide} is gone
    assert "draft: true" in (notes / "2019-05-01-unpublished.md").read_text()
    assert "draft: true" in (notes / "a-draft.md").read_text()
    assert (root / "content/pages/about.md").read_text() == (
        '---\ntitle: About\naliases: ["about-me/"]\n---\nI write here.\n'
    )
    assert (root / "content/static/assets/img/cat.png").read_bytes() == (
        FIXTURES / "jekyll/assets/img/cat.png"
    ).read_bytes()

    build_offline(root)
    built = pages(root)
    assert "notes/hello-world/index.html" in built
    assert "notes/unpublished/index.html" not in built and "notes/a-draft/index.html" not in built
    assert leftovers(built) == set()  # dropped, and reported
    assert broken_images(root, built) == ["notes/second/index.html: ../../assets/img/missing.png"]
    # The old URLs redirect to the new ones.
    assert (
        'url=../../../../notes/hello-world/index.html"'
        in built["essays/2019/03/05/hello-world.html"]
    )
    assert 'url=../notes/hello-world/index.html"' in built["hello/index.html"]
    assert 'url=../about/index.html"' in built["about-me/index.html"]


def test_import_twice_writes_nothing_new(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    salon_import(root, FIXTURES / "jekyll")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = salon_import(root, FIXTURES / "jekyll")
    assert again.code == 0
    assert "wrote" not in again.out
    assert "  skipped content/notes/2019-03-05-hello-world.md: exists already" in again.out
    assert again.out.splitlines()[-1] == (
        "jekyll: nothing written; 5 existing file(s) left alone, 0 item(s) skipped, 3 warning(s)"
    )
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    before = sorted(root.rglob("*"))
    run = salon_import(root, FIXTURES / "hugo", "--dry-run")
    assert run.code == 0
    assert "  would write content/notes/bundled/index.md" in run.out
    assert run.out.splitlines()[-1].startswith("hugo: 5 notes, 1 pages, 1 static to write;")
    assert sorted(root.rglob("*")) == before


def test_hugo_site(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    run = salon_import(root, FIXTURES / "hugo")
    assert run.code == 0, run.err
    assert run.err.splitlines() == [
        "SITE/content/posts/toml-post.md:18: warning: unknown shortcode 'chart' dropped",
        "  hint: salon does not run a site's own shortcodes; check the result and edit it by hand",
    ]
    assert run.out.splitlines() == [
        "  wrote content/notes/2020-01-02-toml-post.md",
        "  wrote content/notes/2020-02-03-yaml.md",
        "  wrote content/notes/2020-03-01-future.md",
        "  wrote content/notes/bundled/index.md",
        "  wrote content/pages/about.md",
        "  wrote content/notes/bundled/photo.png",
        "  wrote content/static/images/map.png",
        "hugo: 5 notes, 1 pages, 1 static written; 0 existing file(s) left alone,"
        " 0 item(s) skipped, 1 warning(s)",
    ]
    notes = root / "content" / "notes"
    assert (notes / "2020-01-02-toml-post.md").read_text() == (
        "---\n"
        "title: A TOML post\n"
        "date: 2020-01-02 10:00\n"
        "tags: [maps, walking, travel]\n"
        'aliases: ["2020/01/a-toml-post/", "old/toml-post/"]\n'
        "---\n"
        "A map: ![The map](../static/images/map.png) *Where we walked*\n\n"
        "[YouTube video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n\n"
        "```go\npackage main\n```\n\n"
        "See [the bundle](bundled/index.md).\n"
    )
    assert (notes / "2020-02-03-yaml.md").read_text() == (
        '---\ntitle: A YAML post\ndate: 2020-02-03\naliases: ["2020/02/yaml/"]\ndraft: true\n'
        "---\n[gist alice/1234abcd](https://gist.github.com/alice/1234abcd)\n\n"
        "Back to [the TOML post](2020-01-02-toml-post.md).\n"
    )
    later = (notes / "2020-03-01-future.md").read_text()
    assert "publishDate: 2099-01-01\nexpiryDate: 2100-01-01\n" in later
    assert (notes / "bundled/index.md").read_text().endswith("---\n![A photo](photo.png)\n")

    build_offline(root)
    built = pages(root)
    assert "notes/a-toml-post/index.html" not in built  # the slug is the file's: toml-post
    assert "notes/toml-post/index.html" in built and "notes/bundled/index.html" in built
    assert "notes/yaml/index.html" not in built  # a draft
    assert 'url=../../../notes/toml-post/index.html"' in built["2020/01/a-toml-post/index.html"]
    assert 'url=../../notes/toml-post/index.html"' in built["old/toml-post/index.html"]
    assert leftovers(built) == set()  # the unknown shortcode was dropped, and reported
    assert broken_images(root, built) == []


def test_pelican_site(tmp_path: Path) -> None:
    root = new_salon(tmp_path)
    run = salon_import(root, FIXTURES / "pelican")
    assert run.code == 0, run.err
    assert run.err.splitlines() == [
        "SITE/content/essays/owls.md:10: warning: Pelican link '{author}ada' not converted;"
        " left as it is",
        "  hint: salon has no such page; link to a note (x.md) or remove the link",
        "SITE/content/hidden.md:3: warning: Status: hidden (published but not listed):"
        " imported as a draft",
        "SITE/content/old.rst:1: warning: reStructuredText is not converted; not imported",
        "  hint: convert it to Markdown (pandoc -f rst -t gfm) and import again",
    ]
    assert run.out.splitlines() == [
        "  wrote content/notes/2021-05-06-owls-at-night.md",
        "  wrote content/notes/2021-06-01-second-thoughts.md",
        "  wrote content/notes/2021-06-02-half-done.md",
        "  wrote content/notes/2021-07-01-hidden-one.md",
        "  wrote content/pages/about.md",
        "  wrote content/static/images/owl.png",
        "pelican: 4 notes, 1 pages, 1 static written; 0 existing file(s) left alone,"
        " 0 item(s) skipped, 3 warning(s)",
    ]
    notes = root / "content" / "notes"
    assert (notes / "2021-05-06-owls-at-night.md").read_text() == (
        "---\n"
        "title: Owls at night\n"
        "date: 2021-05-06 19:00\n"
        "tags: [birds, night, essays]\n"
        'summary: "About owls."\n'
        'aliases: ["2021/owls-at-night.html"]\n'
        "---\n"
        "![An owl (its link in another case, as it worked on a Mac)](../static/images/owl.png)\n\n"
        "More in [the next one](2021-06-01-second-thoughts.md) and on the"
        " [about page](../pages/about.md).\n\n"
        "A [birds](/interests/birds/) link and an [author]({author}ada) one.\n"
    )
    assert "tags: [notes]\n" in (notes / "2021-06-01-second-thoughts.md").read_text()
    assert "draft: true" in (notes / "2021-06-02-half-done.md").read_text()
    assert (root / "content/pages/about.md").read_text() == (
        '---\ntitle: About\naliases: ["pages/about.html"]\n---\nA Pelican page.\n'
    )
    build_offline(root)
    built = pages(root)
    assert "notes/owls-at-night/index.html" in built and "about/index.html" in built
    assert "notes/half-done/index.html" not in built and "notes/hidden-one/index.html" not in built
    assert leftovers(built) == set()
    assert broken_images(root, built) == []
