"""`salon import` on small sites that reproduce what real blogs did to the importer: nested
Hugo sections whose bundles share a name, configs in config.yaml, a site's own shortcodes,
Jekyll includes, Pelican liquid_tags. Each site is written here, a few lines per file."""

from __future__ import annotations

from pathlib import Path

from salon_gen.importing import convert, fallback
from salon_gen.importing.detect import detect

from .importing.harness import build_offline, leftovers, new_salon, pages, salon_import


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def test_hugo_is_found_by_every_config_name(tmp_path: Path) -> None:
    for n, name in enumerate(
        ("config.yaml", "config.yml", "config.json", "hugo.json", "config/_default/params.toml")
    ):
        site = write(tmp_path / str(n), {name: "", "content/posts/a.md": "---\ntitle: A\n---\n"})
        assert detect(site) == "hugo", name
    # config.yaml alone, without content/, is not taken for a Hugo site
    assert detect(write(tmp_path / "other", {"config.yaml": ""})) is None


def test_nested_sections_keep_their_own_old_urls(tmp_path: Path) -> None:
    """content/retrospectives/2019/01/ and .../2020/01/: Hugo publishes each at its folders'
    path; the importer once gave both /retrospectives/01/, and salon refused to build."""
    page = "---\ntitle: Month {n}\ndate: 20{n}-01-05\naliases: [/shared/]\n---\nText {n}.\n"
    site = write(
        tmp_path / "blog",
        {
            "config.yaml": "baseURL: https://example.org/\n",
            "content/retrospectives/2019/01/index.md": page.format(n=19),
            "content/retrospectives/2020/01/index.md": page.format(n=20),
        },
    )
    root = new_salon(tmp_path)
    run = salon_import(root, site)
    assert run.code == 0, run.err
    assert run.err.splitlines() == [
        "SITE/content/retrospectives/2020/01/index.md: warning: old URL /shared/ is also the old"
        " URL or page of content/retrospectives/2019/01/index.md; no redirect for it from here",
        "  hint: two pages cannot have one address: the first one keeps it",
    ]
    first = (root / "content/notes/01/index.md").read_text()
    second = (root / "content/notes/01-2/index.md").read_text()
    assert 'aliases: ["retrospectives/2019/01/", "shared/"]' in first
    assert 'aliases: ["retrospectives/2020/01/"]' in second
    build_offline(root)
    built = pages(root)
    assert 'url=../../../notes/01/index.html"' in built["retrospectives/2019/01/index.html"]
    assert 'url=../../../notes/01-2/index.html"' in built["retrospectives/2020/01/index.html"]
    assert 'url=../notes/01/index.html"' in built["shared/index.html"]


def run(text: str) -> tuple[str, list[str]]:
    body = convert.Body(path="p.md", text=text)
    fallback.shortcodes(body)
    convert.leftovers(body)
    return body.finish(), [d.format().split("\n")[0] for d in body.diags]


def test_unknown_shortcodes_become_markdown_and_are_reported() -> None:
    text, diags = run(
        '{{<img src="cover.webp" caption="The [cover](/x/)" max-width="700px">}}\n'
        '{{<notice type="warning">}}\nCareful **now**.\n{{</notice>}}\n'
        '{{<gallery caption="Two shots">}}\n{{<img src="a.png">}}\n{{</gallery>}}\n'
        '{{<video src="demo.mp4" caption="A demo">}}\n'
        "{{< revenue-graph project=x >}} [f]({{<baseurl>}}notes/f.nix)\n"
        '{{<inline-file filename="flake.nix">}}\n'
        '{{< blockquote author="Ann" >}}\nWise words.\n{{< /blockquote >}}\n'
        "```\n{{< keep >}}\n```\n`{{< keep2 >}}` {{< /stray >}}\n"
    )
    assert text.split("\n") == [
        r"![The \[cover\](/x/)](cover.webp) *The [cover](/x/)*",
        "",
        "Careful **now**.",
        "",
        "",
        "![](a.png)",
        "*Two shots*",
        "[A demo](demo.mp4)",
        " [f](/notes/f.nix)",
        "[flake.nix](flake.nix)",
        "",
        "> Wise words.",
        "> — Ann",
        "",
        "```",
        "{{< keep >}}",
        "```",
        "`{{< keep2 >}}` ",
        "",
    ]
    assert diags == [
        "p.md:2: warning: unknown shortcode 'notice' dropped; its content kept",
        "p.md:5: warning: unknown shortcode 'gallery' dropped; its content kept",
        "p.md:11: warning: unknown shortcode 'blockquote' dropped; its content kept",
        "p.md:1: warning: unknown shortcode 'img' shown as an image",
        "p.md:6: warning: unknown shortcode 'img' shown as an image",
        "p.md:8: warning: unknown shortcode 'video' shown as a link to its file",
        "p.md:9: warning: unknown shortcode 'revenue-graph' dropped",
        "p.md:9: warning: unknown shortcode 'baseurl' taken as the site's root, /",
        "p.md:10: warning: unknown shortcode 'inline-file' shown as a link to its file",
        # the quote's author took one line more: later lines are one further
        "p.md:18: warning: closing shortcode '/stray' without its opening dropped",
    ]


def test_relref_by_bundle_path_in_any_case(tmp_path: Path) -> None:
    post = "---\ntitle: {t}\ndate: 2020-01-0{n}\n---\n{body}\n"
    site = write(
        tmp_path / "blog",
        {
            "config.yaml": "",
            "content/blog/Add-To-PATH/index.md": post.format(t="Path", n=1, body="Hi."),
            "content/blog/other/index.md": post.format(
                t="Other",
                n=2,
                body='[a]({{< relref "add-to-path" >}}) [b]({{< relref "Add-To-PATH/index.md" >}})',
            ),
        },
    )
    root = new_salon(tmp_path)
    run = salon_import(root, site)
    assert run.code == 0 and run.err == ""
    assert (
        (root / "content/notes/other/index.md")
        .read_text()
        .endswith("[a](../add-to-path/index.md) [b](../add-to-path/index.md)\n")
    )
    build_offline(root)
    assert leftovers(pages(root)) == set()


def test_jekyll_pages_links_and_includes(tmp_path: Path) -> None:
    """What daattali's, jalammar's and lilianweng's sites held: an HTML page with a layout, a
    page listing posts by Liquid loops, a full-document contact.html, a 404 page with an old
    URL salon keeps, includes, `{:width="22"}`, a file name with spaces, a file linked at
    the wrong folder, a `src = " x "` with spaces, and an anchor alone on its line."""
    post = (
        "---\ntitle: Post\n---\n"
        "Write to me: [contact](/contact) or [me](/aboutme#mail).\n"  # 5
        "{% include note.md %} {% include ads.html %} {% include gone.html %}\n"
        '[![C](/img/c.png "C"){:width="22"}](https://x.example/){:target="_blank"}\n'
        "![Step 1](/img/step one.PNG)\n"
        '<img src = " /img/c.png " />\n'
        "[big](/big/c2.png)\n"  # 10: the file is in img/
        '<a name="here" />\n![Anchored](/img/c.png)\n'
        "{% if site.x %}Shown{% endif %} {{ site.title }}\n"
    )
    site = write(
        tmp_path / "blog",
        {
            "_config.yml": "title: Blog\n",
            "CNAME": "blog.example.org\n",
            "_posts/2020-01-02-post.md": post,
            "_includes/note.md": "*An included note.*",
            "_includes/ads.html": "<div>{{ site.ads }}</div>",
            "aboutme.html": "---\nlayout: page\ntitle: About me\n---\n<p>Hi.</p>\n",
            "contact.html": "---\n---\n<!DOCTYPE html>\n<html><body>Form</body></html>\n",
            "popular.md": "---\ntitle: Popular\n---\n{% for post in site.posts %}x{% endfor %}\n",
            "404.md": "---\ntitle: Not found\npermalink: /404.html\n---\nGone.\n",
            "img/c.png": PNG,
            "img/c2.png": PNG,
            "img/step one.PNG": PNG,
        },
    )
    root = new_salon(tmp_path)
    run = salon_import(root, site)
    assert run.code == 0, run.err
    warnings = [line for line in run.err.splitlines() if not line.startswith("  hint")]
    assert warnings == [
        "SITE/_posts/2020-01-02-post.md:4: warning: '/contact' is a page of the old site salon"
        " does not import (contact.html); linked to https://blog.example.org/contact",
        "SITE/_posts/2020-01-02-post.md:5: warning: include 'ads.html' dropped (it uses Liquid)",
        "SITE/_posts/2020-01-02-post.md:5: warning: include 'gone.html' dropped"
        " (not in _includes/)",
        "SITE/_posts/2020-01-02-post.md:5: warning: include 'note.md' put in its place",
        "SITE/_posts/2020-01-02-post.md:9: warning: '/big/c2.png' is not in the site folder;"
        " linked to img/c2.png, the only file of that name",
        "SITE/_posts/2020-01-02-post.md:12: warning: Liquid output '{{ site.title }}' dropped",
        "SITE/_posts/2020-01-02-post.md:12: warning: Liquid tag 'endif' dropped",
        "SITE/_posts/2020-01-02-post.md:12: warning: Liquid tag 'if' dropped",
    ]
    assert "  skipped 404.md: salon makes its own 404 page" in run.out
    assert (
        "2 page(s) not imported (templates, lists of posts, pages their layout makes): "
        "contact.html, popular.md" in run.out
    )
    body = (root / "content/notes/2020-01-02-post.md").read_text().split("---\n", 2)[2]
    assert body.split("\n") == [
        "Write to me: [contact](https://blog.example.org/contact) or"
        " [me](../pages/aboutme.md#mail).",
        "*An included note.*  ",
        '[![C](../static/img/c.png "C")](https://x.example/)',
        "![Step 1](../static/img/step%20one.PNG)",
        '<img src="../static/img/c.png" />',
        "[big](../static/img/c2.png)",
        "",
        '![Anchored](../static/img/c.png)<a name="here"></a>',
        "Shown ",
        "",
    ]
    build_offline(root)
    built = pages(root)
    assert leftovers(built) == set()
    html = built["notes/post/index.html"]
    assert html.count("<img") == 4 and "![" not in html


def test_pelican_liquid_tags_links_and_urls(tmp_path: Path) -> None:
    """What jakevdp's and 0x7df's sites held: liquid_tags, an evening post whose old URL has
    the site's day (not UTC's), `{filename}/content/x.md`, links without https://, and
    WordPress `[code]` blocks left by pelican-import."""
    post = (
        "Title: Tags\nDate: 2012-08-08 18:50\nSummary: Tags.\n\n"
        "{% notebook Demo.ipynb cells[2:] %}\n"  # line 5
        "{% img left /images/g.png 300 200 A Galaxy %}\n"
        "{% video /videos/v.mp4 360 270 /videos/v.png %}\n"
        "{% include_code hello.py lang:python Hello World %}\n"
        "{% youtube abc123 %} {% literal img x.png %} {% gram x %}\n"
        "See [the other]({filename}/content/other.md), [the old one](/blog/2012/08/08/tags/)"
        " and [Doxygen](www.doxygen.org/).\n"
        '[code lang="html"]  \n<a href="fn1">x</a>  \n[/code]\n'
    )
    site = write(
        tmp_path / "blog",
        {
            "pelicanconf.py": "PATH = 'content'\nTIMEZONE = 'America/Los_Angeles'\n"
            "ARTICLE_URL = 'blog/{date:%Y}/{date:%m}/{date:%d}/{slug}/'\n"
            "NOTEBOOK_DIR = 'downloads/notebooks'\nCODE_DIR = 'downloads/code'\n",
            "content/tags.md": post,
            "content/other.md": "Title: Other\nDate: 2012-09-01\n\n"
            "See [tags](/blog/2012/08/08/tags/).\n",
            "content/downloads/notebooks/Demo.ipynb": "{}",
            "content/downloads/code/hello.py": "print('hello')\n",
            "content/images/g.png": PNG,
            "content/videos/v.mp4": b"\0\0\0\x18ftypmp42",
            "content/videos/v.png": PNG,
        },
    )
    root = new_salon(tmp_path)
    run = salon_import(root, site)
    assert run.code == 0, run.err
    warnings = [line for line in run.err.splitlines() if not line.startswith("  hint")]
    assert warnings == [
        "SITE/content/tags.md:5: warning: notebook 'Demo.ipynb' is not shown inline; linked to"
        " the file",
        "SITE/content/tags.md:8: warning: code file 'hello.py' is not shown inline; linked to"
        " the file",
        "SITE/content/tags.md:9: warning: Liquid tag 'gram' dropped",
        "SITE/content/tags.md:10: warning: 'www.doxygen.org/' names a web site without https://;"
        " linked to https://www.doxygen.org/",
    ]
    note = (root / "content/notes/2012-08-08-tags.md").read_text()
    assert 'aliases: ["blog/2012/08/08/tags/"]' in note  # 18:50 in Los Angeles, not UTC's 9th
    assert note.split("---\n", 2)[2].split("\n") == [
        "[notebook Demo.ipynb](../static/downloads/notebooks/Demo.ipynb)",
        "![A Galaxy](../static/images/g.png)",
        "[![video v.mp4](../static/videos/v.png)](../static/videos/v.mp4)",
        "[Hello World](../static/downloads/code/hello.py)",
        "[YouTube video](https://www.youtube.com/watch?v=abc123) `{% img x.png %}` ",
        "See [the other](2012-09-01-other.md), [the old one](2012-08-08-tags.md)"
        " and [Doxygen](https://www.doxygen.org/).",
        "```html",
        '<a href="fn1">x</a>',
        "```",
        "",
    ]
    assert "[tags](2012-08-08-tags.md)" in (root / "content/notes/2012-09-01-other.md").read_text()
    build_offline(root)
    assert leftovers(pages(root)) == set()


def test_shortcode_image_with_spaces_and_parentheses() -> None:
    text, _ = run('{{<img src="angry (failed).png" alt="Failed">}}\n')
    assert text == "![Failed](<angry (failed).png>)\n"


def test_old_tag_and_section_pages(tmp_path: Path) -> None:
    post = "---\ntitle: {t}\ndate: 2020-01-0{n}\ntags: [nix]\n---\n{body}\n"
    site = write(
        tmp_path / "blog",
        {
            "config.toml": "",
            "content/posts/a.md": post.format(t="A", n=1, body="Hi."),
            "content/posts/b.md": post.format(
                t="B", n=2, body="[more](/tags/nix/), [all](/posts/), [no](/tags/zig/)"
            ),
        },
    )
    root = new_salon(tmp_path)
    run = salon_import(root, site)
    assert run.code == 0
    assert run.err.splitlines()[0] == (
        "SITE/content/posts/b.md:6: warning: '/posts/' was the list of a section of the old"
        " site; linked to /archive/, salon's list of notes"
    )
    assert (
        (root / "content/notes/2020-01-02-b.md")
        .read_text()
        .endswith("[more](/interests/nix/), [all](/archive/), [no](/tags/zig/)\n")
    )
