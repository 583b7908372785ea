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
    assert 'url=/notes/01/"' in built["retrospectives/2019/01/index.html"]
    assert 'url=/notes/01-2/"' in built["retrospectives/2020/01/index.html"]
    assert 'url=/notes/01/"' in built["shared/index.html"]


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
