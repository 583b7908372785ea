"""The pure parts of `salon import`: conversions, permalinks, headers, dates, detection,
the bookmark parser, old feed ids, the site folder reader and the write plan."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from salon_gen.importing import convert
from salon_gen.importing.bookmarks import read_netscape
from salon_gen.importing.dates import read_date
from salon_gen.importing.detect import detect
from salon_gen.importing.feedids import keep_ids
from salon_gen.importing.folder import read_folder
from salon_gen.importing.hugo import permalink as hugo_permalink
from salon_gen.importing.item import Harvest, Item, SiteFolder
from salon_gen.importing.jekyll import permalink as jekyll_permalink
from salon_gen.importing.jekyll import read_jekyll
from salon_gen.importing.pelican import read_settings, split_header
from salon_gen.importing.plan import apply, plan, render_item
from salon_gen.importing.sites import words

from .importing.harness import FIXTURES

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def run(text: str, *passes: object, first_line: int = 1) -> tuple[str, list[str]]:
    body = convert.Body(path="p.md", text=text, first_line=first_line)
    for one in passes:
        one(body)  # type: ignore[operator]
    convert.leftovers(body)
    return body.finish(), [d.format().split("\n")[0] for d in body.diags]


def resolve(kind: str, target: str, line: int) -> str | None:
    return {"post": {"2019-01-02-x": "2019-01-02-x.md"}, "ref": {"x.md": "x.md"}}.get(kind, {}).get(
        target
    )


def liquid(body: convert.Body) -> None:
    convert.liquid(body, resolve)


def shortcodes(body: convert.Body) -> None:
    convert.shortcodes(body, resolve)


def test_liquid_conversions_keep_lines() -> None:
    text = (
        "{% comment %}\nsecret\n{% endcomment %}\n"
        "{% highlight ruby linenos %}\nputs 1\n{% endhighlight %}\n"
        "[x]({% post_url 2019-01-02-x %}) [y]({%- post_url nope -%})\n"
        "![i]({{ site.url }}{{ site.baseurl }}/a.png) {{ '/b.png' | relative_url }}\n"
        "{% raw %}{% keep %}{% endraw %} {% gist alice/123 %}\n"
        "{% capture x %}left{% endcapture %}\n"
    )
    out, diags = run(text, liquid, first_line=5)
    assert out == (
        "\n\n\n```ruby\nputs 1\n```\n[x](2019-01-02-x.md) [y]({%- post_url nope -%})\n"
        "![i](/a.png) /b.png\n{% keep %} [gist alice/123](https://gist.github.com/alice/123)\n"
        "{% capture x %}left{% endcapture %}\n"
    )
    assert diags == [
        "p.md:11: warning: post: 'nope' is not among the imported files; left as it is",
        "p.md:14: warning: Liquid tag '{% capture x %}' not converted; left as it is",
        "p.md:14: warning: Liquid tag '{% endcapture %}' not converted; left as it is",
    ]


def test_leftovers_in_code_are_not_reported() -> None:
    text = "```yaml\nos: ${{ matrix.os }}\n```\nand `{% tag %}` but {% tag %}\n"
    out, diags = run(text)
    assert out == text
    assert diags == ["p.md:4: warning: Liquid tag '{% tag %}' not converted; left as it is"]


def test_kramdown_attributes_go() -> None:
    text = "* TOC\n{:toc}\npara\n{: .lead #top}\n![a](b.png){: .wide}\n{::comment}\nx\n{:/}\nend"
    out, diags = run(text, convert.kramdown)
    assert out == "\n\npara\n\n![a](b.png)\n\n\n\nend"
    assert diags == []


def test_hugo_shortcodes() -> None:
    text = (
        '{{< figure src="a.png" title="T" caption="A \\"cap\\"" link="https://x.org/" >}}\n'
        '{{% vimeo 42 %}} {{< tweet user="ada" id="7" >}} {{< instagram abc >}}\n'
        '{{< details summary="More" >}}\nhidden\n{{< /details >}}\n'
        '[r]({{< relref "x.md" >}}) [s]({{< ref "gone.md" >}})\n'
        "{{</* figure src=x */>}} {{< unknown >}}\n"
    )
    out, diags = run(text, shortcodes)
    assert out == (
        '[![T](a.png "T")](https://x.org/) *A "cap"*\n'
        "[Vimeo video](https://vimeo.com/42) [a post on X](https://x.com/ada/status/7)"
        " [Instagram post](https://www.instagram.com/p/abc/)\n"
        "<details><summary>More</summary>\nhidden\n</details>\n"
        '[r](x.md) [s]({{< ref "gone.md" >}})\n'
        "{{< figure src=x >}} {{< unknown >}}\n"
    )
    assert diags == [
        "p.md:6: warning: ref: 'gone.md' is not among the imported files",
        "p.md:7: warning: Hugo shortcode '{{< unknown >}}' not converted; left as it is",
    ]


def test_katex_shortcodes_become_math() -> None:
    text = "{{< katex >}}x^2{{< /katex >}} and\n{{< katex display >}}\n\\int f\n{{< /katex >}}\n"
    out, diags = run(text, shortcodes)
    assert out == "$x^2$ and\n$$\n\\int f\n$$\n"
    assert diags == []


def test_wordpress_blocks_and_shortcodes() -> None:
    text = (
        "<!-- wp:image -->\n"
        '[caption id="a" width="300"]<a href="big.jpg"><img src="s.jpg" /></a> Dawn[/caption]\n'
        '<!-- /wp:image -->\n[embed]https://v.example/1[/embed] [gallery ids="1"] [note]x[/note]'
    )
    body = convert.Body(path="e.xml", text=text, first_line=10)
    convert.wordpress(body)
    convert.wordpress_leftovers(body)
    assert body.finish() == (
        '\n<figure><a href="big.jpg"><img src="s.jpg" /></a><figcaption>Dawn</figcaption>'
        '</figure>\n\n<https://v.example/1> [gallery ids="1"] [note]x[/note]'
    )
    assert [d.format().split("\n")[0] for d in body.diags] == [
        "e.xml:13: warning: WordPress shortcode [gallery] left as it is",
        "e.xml:13: warning: WordPress shortcode [note] left as it is",
    ]


def test_jekyll_permalinks() -> None:
    when = datetime(2019, 3, 4, 23, 30, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    args = {"date": when, "categories": ("a b", "c"), "title": "t", "slug": "s"}
    assert jekyll_permalink("date", zone=berlin, **args) == "a-b/c/2019/03/05/t.html"  # type: ignore[arg-type]
    assert jekyll_permalink("pretty", zone=UTC, **args) == "a-b/c/2019/03/04/t/"  # type: ignore[arg-type]
    assert jekyll_permalink("/blog/:year/:slug", zone=UTC, **args) == "blog/2019/s"  # type: ignore[arg-type]
    assert jekyll_permalink("none", zone=UTC, **{**args, "categories": ()}) == "t.html"  # type: ignore[arg-type]


def test_jekyll_keeps_the_case_of_the_file_name_in_old_urls() -> None:
    site = SiteFolder(
        root=Path("/nowhere"),
        paths=frozenset({"_posts/2019-01-01-Mixed Case.md"}),
        texts={"_posts/2019-01-01-Mixed Case.md": "---\ntitle: M\n---\nx\n"},
    )
    (item,) = read_jekyll(site, NOW).items
    assert (item.slug, item.old_url) == ("mixed-case", "2019/01/01/Mixed-Case.html")


def test_hugo_permalinks() -> None:
    when = datetime(2020, 1, 2, tzinfo=UTC)
    out = hugo_permalink(
        "/:section/:year/:monthname/:slug/",
        date=when,
        zone=UTC,
        section="posts",
        slug="",
        title="A Title",
        filename="f",
    )
    assert out == "posts/2020/january/a-title/"  # no slug: the title, urlized
    assert (
        hugo_permalink(
            "/:title/", date=None, zone=UTC, section="p", slug="s", title="A Title!", filename="f"
        )
        == "a-title/"
    )


def test_pelican_header_and_settings() -> None:
    data, lines, body, body_line = split_header(
        "Title: Owls\nTags: a,\n    b\nDate: 2021-01-01\n\nBody: not a header\n"
    )
    assert data == {"title": "Owls", "tags": "a, b", "date": "2021-01-01"}
    assert lines == {"title": 1, "tags": 2, "date": 4}
    assert (body, body_line) == ("Body: not a header\n", 6)
    assert split_header("# A heading\n\ntext") == ({}, {}, "# A heading\n\ntext", 1)
    settings = read_settings(
        "import os\nPATH = 'src'\nARTICLE_URL = f'{os.sep}x'\nTIMEZONE = 'Europe/Paris'\n"
        "os.system('touch /tmp/never')\n"
    )
    assert settings["PATH"] == "src" and settings["TIMEZONE"] == "Europe/Paris"
    assert settings["ARTICLE_URL"] == "{slug}.html"  # not a literal: the default stays


def test_dates_and_words() -> None:
    assert read_date("2019-03-05 10:00:00 +0100", UTC) == datetime(2019, 3, 5, 9, tzinfo=UTC)
    assert read_date("Sun, 08 Jul 2018 09:00:00 +0000", UTC) == datetime(2018, 7, 8, 9, tzinfo=UTC)
    assert read_date("2019/03/05", UTC) == datetime(2019, 3, 5, tzinfo=UTC)
    assert read_date("the day after", UTC) is None
    assert words("a b  c", spaces=True) == ("a", "b", "c")
    assert words("One, Two two") == ("one", "two two")
    assert words(["X", 3, None, "!!"]) == ("x", "3")


def test_detect(tmp_path: Path) -> None:
    assert detect(FIXTURES / "jekyll") == "jekyll"
    assert detect(FIXTURES / "hugo") == "hugo"
    assert detect(FIXTURES / "pelican") == "pelican"
    assert detect(FIXTURES / "export.xml") == "wordpress"
    assert detect(FIXTURES / "bookmarks.html") == "netscape"
    assert detect(FIXTURES / "pinboard.json") == "pinboard"
    opml = tmp_path / "feeds.xml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body/></opml>')
    assert detect(opml) == "opml"
    (tmp_path / "notes.txt").write_text("hello")
    assert detect(tmp_path / "notes.txt") is None
    assert detect(tmp_path) is None


def test_netscape_folders_and_dates() -> None:
    html = b"""<DL><p><DT><H3>Read</H3><DL><p>
    <DT><A HREF="https://a.example/" ADD_DATE="1600000000000" TAGS="x">A</A>
    <DD>note one
    two</DL><p><DT><A HREF="https://b.example/">B</A></DL>"""
    harvest = read_netscape(html, "b.html", NOW)
    a, b = harvest.items
    assert (a.tags, a.body, a.date) == (
        ("read", "x"),
        "note one\ntwo\n",
        datetime.fromtimestamp(1600000000, UTC),
    )
    assert (b.tags, b.body, b.date, b.origin) == ((), "", NOW, "b.html:4")


def test_keep_ids_matches_old_urls_under_a_base_path() -> None:
    item = Item(
        kind="note", origin="x", stem="x", slug="x", title="X", body="", old_url="2019/x.html"
    )
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>X</title><link>https://o.example/blog/2019/x.html</link>"
        b"<guid>https://o.example/?p=1</guid></item></channel></rss>"
    )
    items, report = keep_ids([item], feed, NOW)
    assert items[0].entry_id == "https://o.example/?p=1"
    assert report == ("feed: 1 post(s) keep their feed id",)


def test_folder_skips_symlinks_that_leave_it(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("private")
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_posts" / "2019-01-01-a.md").write_text("---\ntitle: A\n---\n")
    os.symlink(outside, site / "leak.txt")
    (site / "_site").mkdir()
    (site / "_site" / "built.html").write_text("x")
    read = read_folder(site)
    assert read.paths == frozenset({"_posts/2019-01-01-a.md"})


def test_plan_never_replaces_a_file(tmp_path: Path) -> None:
    item = Item(
        kind="note",
        origin="x",
        stem="2019-01-01-a",
        slug="a",
        title="A",
        body="Hi",
        date=datetime(2019, 1, 1, tzinfo=UTC),
    )
    other = Item(
        kind="note",
        origin="y",
        stem="2019-02-01-b",
        slug="b",
        title="B",
        body="",
        date=datetime(2019, 2, 1, tzinfo=UTC),
    )
    notes = tmp_path / "content" / "notes"
    notes.mkdir(parents=True)
    (notes / "2019-01-01-a.md").write_text("mine")
    (notes / "b.md").write_text("---\ntitle: Mine\ndate: 2020-01-01\n---\n")  # has slug b
    todo = plan(tmp_path, Harvest(kind="jekyll", items=(item, other)), UTC)
    assert todo.existing == ("content/notes/2019-01-01-a.md",)
    assert [w.path for w in todo.writes] == ["content/notes/2019-02-01-b.md"]
    assert apply(tmp_path, todo) == ["content/notes/2019-02-01-b.md"]
    assert (notes / "2019-01-01-a.md").read_text() == "mine"
    assert "slug: b-2\n" in (notes / "2019-02-01-b.md").read_text()  # b was taken


def test_plan_keeps_two_bookmarks_with_one_title_and_day(tmp_path: Path) -> None:
    day = datetime(2020, 2, 21, tzinfo=UTC)
    one, two = (
        Item(
            kind="share",
            origin="b",
            stem="2020-02-21-tweetmap",
            slug="tweetmap",
            title="Tweetmap",
            body="",
            date=day,
            link=f"https://{host}/",
        )
        for host in ("a.example", "b.example")
    )
    todo = plan(tmp_path, Harvest(kind="bookmarks", items=(one, two)), UTC)
    assert [w.path for w in todo.writes] == [
        "content/shares/2020-02-21-tweetmap.md",
        "content/shares/2020-02-21-tweetmap-2.md",
    ]
    apply(tmp_path, todo)
    again = plan(tmp_path, Harvest(kind="bookmarks", items=(one, two)), UTC)
    assert (again.writes, again.duplicates) == ((), ("https://a.example/", "https://b.example/"))


def test_render_item_reads_back() -> None:
    item = Item(
        kind="note",
        origin="x",
        stem="2019-01-01-a",
        slug="a",
        title='He said: "no"',
        body="Body",
        date=datetime(2019, 1, 1, 10, 30, 5, tzinfo=UTC),
        tags=("yes", "on"),
        old_url="notes/a/",
        aliases=("a.html",),
        private=True,
    )
    assert render_item(item, UTC) == (
        '---\ntitle: "He said: \\"no\\""\ndate: 2019-01-01 10:30:05\ntags: ["yes", "on"]\n'
        "aliases: [a.html]\nprivate: true\n---\nBody\n"
    )
    with pytest.raises(ValueError):
        render_item(Item(kind="note", origin="x", stem="a", slug="a", title="\ud800", body=""), UTC)
