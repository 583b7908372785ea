"""Tests for salon_gen.text.markdown: the dialect, heading ids, title/excerpt, code, CSS."""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib  # type: ignore[import-untyped]  # no type hints
import pytest
from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]

from salon_gen.text.markdown import (
    EXCERPT_WORDS,
    RENDERER_VERSION,
    MarkdownRenderer,
    RenderedMarkdown,
    pygments_css,
)

from .nuchecker import needs_vnu, vnu_problems

ROOT = Path(__file__).resolve().parent.parent

# One document that uses every feature, for the whole-document checks.
KITCHEN_SINK = """\
# The "Title" of it all[^a]

Intro with *emphasis*, ~~gone~~, `code`, "quotes", it's -- dashes... (c)
A [relative link](other-note.md), ![alt text](img/pic.png "A title"), <kbd>Ctrl</kbd>.
Again[^a], another[^b] and inline^[inline note].

## Section
## Section
### Fn1
####

- [ ] todo *item*
- [x] done with [link](x.md)

1. one

   loose paragraph

2. two
   - [ ] nested task

> a quote

| Left | Right |
|:-----|------:|
| a    | b     |

```python
def f(x: int) -> str:
    return "<b>" + str(x)  # comment
```

```nosuchlang
<script>alert(1)</script>
```

    indented code

<div class="raw">raw <em>html</em></div>

---

[^a]: First note.
[^b]: Second note.
"""


@pytest.fixture(scope="module")
def md() -> MarkdownRenderer:
    return MarkdownRenderer()


def fragment(html: str) -> ET.Element:
    """Parse an HTML fragment the way a browser would."""
    root: ET.Element = html5lib.parseFragment(
        html, treebuilder="etree", namespaceHTMLElements=False
    )
    return root


def text_of(el: ET.Element) -> str:
    return "".join(el.itertext())


def ids_in(root: ET.Element) -> list[str]:
    return [el.attrib["id"] for el in root.iter() if "id" in el.attrib]


# --- features ------------------------------------------------------------------------------


def test_table(md: MarkdownRenderer) -> None:
    root = fragment(md.render("| a | b |\n|---|--:|\n| 1 | 2 |\n").html)
    assert [text_of(th) for th in root.findall("./table/thead/tr/th")] == ["a", "b"]
    cells = root.findall("./table/tbody/tr/td")
    assert [text_of(td) for td in cells] == ["1", "2"]
    assert cells[1].attrib.get("style") == "text-align:right"


def test_strikethrough(md: MarkdownRenderer) -> None:
    root = fragment(md.render("keep ~~gone~~ keep").html)
    assert [text_of(s) for s in root.iter("s")] == ["gone"]


def test_footnotes_link_both_ways(md: MarkdownRenderer) -> None:
    root = fragment(md.render("One[^n] and again[^n].\n\n[^n]: The note.\n").html)
    refs = root.findall(".//sup[@class='footnote-ref']/a")
    assert [(a.attrib["href"], a.attrib["id"]) for a in refs] == [
        ("#fn1", "fnref1"),
        ("#fn1", "fnref1:1"),
    ]
    (item,) = root.findall(".//section[@class='footnotes']/ol/li")
    assert item.attrib["id"] == "fn1"
    assert "The note." in text_of(item)
    backs = item.findall(".//a[@class='footnote-backref']")
    assert [a.attrib["href"] for a in backs] == ["#fnref1", "#fnref1:1"]
    assert all(a.attrib.get("aria-label") for a in backs)


@pytest.mark.parametrize(
    ("source", "checked"),
    [
        ("- [ ] todo\n- [x] done\n- [X] also done\n", [False, True, True]),
        ("1. [x] numbered\n", [True]),
    ],
)
def test_task_lists_are_disabled_labelled_checkboxes(
    md: MarkdownRenderer, source: str, checked: list[bool]
) -> None:
    root = fragment(md.render(source).html)
    boxes = root.findall(".//li/label/input")
    assert [box.attrib["type"] for box in boxes] == ["checkbox"] * len(checked)
    assert all("disabled" in box.attrib for box in boxes)
    assert ["checked" in box.attrib for box in boxes] == checked
    assert "[" not in text_of(root)  # the marker is consumed, not shown


def test_a_list_item_with_brackets_later_is_no_task(md: MarkdownRenderer) -> None:
    root = fragment(md.render("- see [x] later\n").html)
    assert root.findall(".//input") == []


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ('"Hello," she said.', "\u201cHello,\u201d she said."),
        ("'single' quotes", "\u2018single\u2019 quotes"),
        ("it's", "it\u2019s"),
        ("a -- b --- c...", "a \u2013 b \u2014 c\u2026"),
        ("pages 1--2", "pages 1\u20132"),
        ('`"code" -- stays`', '"code" -- stays'),
        # Left alone on purpose (markdown-it's "replacements" would change them):
        ("options (a), (b) and (c)", "options (a), (b) and (c)"),
        ("run --verbose, cd .. or +-1", "run --verbose, cd .. or +-1"),
        ("wait....", "wait...."),
        (r"escaped \-\- and \...", "escaped -- and ..."),
        ("<https://ex.org/a--b...>", "https://ex.org/a--b..."),
    ],
)
def test_typographer(md: MarkdownRenderer, source: str, text: str) -> None:
    assert text_of(fragment(md.render(source).html)).strip() == text


def test_void_elements_are_written_html5_style(md: MarkdownRenderer) -> None:
    html = md.render("a  \nb\n\n---\n\n![x](y.png)\n\n- [ ] t\n").html
    assert all(tag in html for tag in ("<br>", "<hr>", "<img ", "<input "))
    assert "/>" not in html


def test_raw_html_passes_through(md: MarkdownRenderer) -> None:
    html = md.render('<div class="note">Hi <em>there</em></div>\n\nPress <kbd>Ctrl</kbd>.').html
    assert '<div class="note">Hi <em>there</em></div>' in html
    assert "<kbd>Ctrl</kbd>" in html


@pytest.mark.parametrize(
    ("source", "tag", "attr", "value"),
    [
        ("[x](other-note.md)", "a", "href", "other-note.md"),
        ("[x](../notes/caf\u00e9.md#part)", "a", "href", "../notes/caf\u00e9.md#part"),
        ("[x](https://ex.org/a?b=1&c=%20)", "a", "href", "https://ex.org/a?b=1&c=%20"),
        ("[x](https://b\u00fccher.example/)", "a", "href", "https://b\u00fccher.example/"),
        ("![A cat](img/cat one.png)", "img", "src", None),  # not an image: space
        ("![A cat](img/cat.png)", "img", "src", "img/cat.png"),
        ("![A cat](img/cat.png)", "img", "alt", "A cat"),
        ("![A *lazy* cat](cat.png)", "img", "alt", "A lazy cat"),
        # The one change: characters a browser would encode itself (the Nu checker rejects
        # them raw), so the URL a browser resolves is the same.
        ("[x](<my note.md>)", "a", "href", "my%20note.md"),
    ],
)
def test_links_and_images_keep_their_urls(
    md: MarkdownRenderer, source: str, tag: str, attr: str, value: str | None
) -> None:
    found = [el.attrib.get(attr) for el in fragment(md.render(source).html).iter(tag)]
    assert found == ([] if value is None else [value])


# --- heading ids ---------------------------------------------------------------------------


def test_heading_ids_are_slugs_made_unique(md: MarkdownRenderer) -> None:
    source = (
        "# Intro\n## Set up\n## Set up\n### Set up 2\n## !!!\n## !!!\n"
        "## Don't panic\n## \u00dcber W\u00f6rds\n###### `code` *in* heading\n"
    )
    root = fragment(md.render(source).html)
    headings = [el for el in root if re.fullmatch(r"h[1-6]", el.tag)]
    assert [h.attrib["id"] for h in headings] == [
        "intro",
        "set-up",
        "set-up-2",
        "set-up-2-2",
        "section",
        "section-2",
        "dont-panic",
        "\u00fcber-w\u00f6rds",
        "code-in-heading",
    ]


def test_every_heading_links_to_itself_accessibly(md: MarkdownRenderer) -> None:
    root = fragment(md.render("# One\n\n## Two\n\ntext\n\n### Two\n").html)
    headings = [el for el in root if re.fullmatch(r"h[1-6]", el.tag)]
    assert len(headings) == 3
    for heading in headings:
        (anchor,) = heading.findall("a")
        assert anchor.attrib["href"] == "#" + heading.attrib["id"]
        assert anchor.attrib["aria-label"]


def test_heading_ids_do_not_take_footnote_ids(md: MarkdownRenderer) -> None:
    root = fragment(md.render("## Fn1\n\n## fnref1\n\nText[^x].\n\n[^x]: Note.\n").html)
    ids = ids_in(root)
    assert len(ids) == len(set(ids))
    assert {"fn1", "fnref1", "fn1-2", "fnref1-2"} <= set(ids)


def test_whole_document_ids_are_unique_and_internal_links_resolve(md: MarkdownRenderer) -> None:
    root = fragment(md.render(KITCHEN_SINK).html)
    ids = ids_in(root)
    assert len(ids) == len(set(ids)), ids
    fragments = [a.attrib["href"][1:] for a in root.iter("a") if a.attrib["href"][:1] == "#"]
    assert fragments  # anchors and footnotes produced some
    assert set(fragments) <= set(ids)


# --- title ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "title", "line"),
    [
        ("# Hello *world*\n\nBody.\n", "Hello world", 1),
        ("\n\n# Later line\n\nBody.\n", "Later line", 3),
        ("\r\n\r\n# CRLF\r\n\r\nBody.\r\n", "CRLF", 3),
        ("Setext title\n============\n\nBody.\n", "Setext title", 1),
        ('# A "quoted" `code` [link](x.md)\n', "A \u201cquoted\u201d code link", 1),
        ("# Noted[^1]\n\n[^1]: x\n", "Noted", 1),
        ("# <span>Raw</span>  spaced\n", "Raw spaced", 1),
        ("# Fish &amp; chips\n", "Fish & chips", 1),  # plain text: templates escape it
        ("Paragraph first.\n\n# Not a title\n", None, None),
        ("## A level two\n\nBody.\n", None, None),
        ("#\n\nEmpty heading.\n", None, None),
        ("", None, None),
    ],
)
def test_title_is_a_leading_h1(
    md: MarkdownRenderer, source: str, title: str | None, line: int | None
) -> None:
    result = md.render(source)
    assert (result.title, result.title_line) == (title, line)


def test_body_html_drops_only_the_title(md: MarkdownRenderer) -> None:
    result = md.render("# The Title\n\nBody *text*.\n\n# Another h1\n")
    body = fragment(result.body_html)
    # The page template owns the one <h1>: the owner's "#" headings become <h2>.
    assert [el.tag for el in body] == ["p", "h2"]
    assert text_of(body.findall("h2")[0]).startswith("Another h1")
    whole = fragment(result.html)
    assert [el.tag for el in whole] == ["h2", "p", "h2"]
    assert whole[0].attrib["id"] == "the-title"
    assert result.html.endswith(result.body_html)


def test_without_a_title_body_html_is_html(md: MarkdownRenderer) -> None:
    result = md.render("Just text.\n\n# Late heading\n")
    assert result.title is None
    assert result.body_html == result.html
    assert "<h1" not in result.html and '<h2 id="late-heading">' in result.html


# --- excerpt -------------------------------------------------------------------------------

LONG = " ".join(f"w{i}" for i in range(1, 81))


@pytest.mark.parametrize(
    ("source", "excerpt"),
    [
        ("Short and sweet.", "Short and sweet."),
        ("a\n   b\tc  d", "a b c d"),
        (LONG, " ".join(f"w{i}" for i in range(1, EXCERPT_WORDS + 1)) + "\u2026"),
        (" ".join(["word,"] * 60), " ".join(["word,"] * 49) + " word\u2026"),
        ("# Title here\n\nThe body.", "The body."),
        ("## Heading\n\nAfter heading.", "After heading."),
        ("Before.\n\n```python\nsecret_code()\n```\n\n    more_code()\n\nAfter.", "Before. After."),
        ("Text[^1] and^[inline note] on.\n\n[^1]: Footnote body.\n", "Text and on."),
        ("| t | h |\n|---|---|\n| c | d |\n\nProse.", "Prose."),
        (
            "<div>block html</div>\n\nA <b>bold</b> word and ![a cat](c.png).",
            "A bold word and a cat.",
        ),
        ("- [ ] task one\n- item *two*\n\n> quoted", "task one item two quoted"),
        ("Some `inline code` stays.", "Some inline code stays."),
        ("", ""),
    ],
)
def test_excerpt(md: MarkdownRenderer, source: str, excerpt: str) -> None:
    assert md.render(source).excerpt == excerpt


def test_excerpt_stops_on_a_word_boundary(md: MarkdownRenderer) -> None:
    words = [f"longword{i}" for i in range(100)]
    excerpt = md.render(" ".join(words)).excerpt
    assert excerpt.endswith("\u2026")
    kept = excerpt[:-1].split()
    assert len(kept) == EXCERPT_WORDS
    assert kept == words[: len(kept)]


# --- code ----------------------------------------------------------------------------------

PYTHON = 'def greet(name: str) -> str:\n    return f"<b>{name}</b>"  # hi\n'


@pytest.mark.parametrize(
    ("lang", "code", "token_class"),
    [
        ("python", PYTHON, "k"),  # "def", "return"
        ("Python", PYTHON, "k"),  # case-insensitive names
        ("python {.numbered}", PYTHON, "k"),  # only the first word names the language
        ("toml", '[tool]\nname = "salon"\n', "s2"),
        ("bash", 'echo "$HOME" | grep -v x\n', "nb"),
        ("python", "\n\nimport os\n\n", "kn"),  # blank lines kept, as in plain code
    ],
)
def test_known_languages_are_highlighted(
    md: MarkdownRenderer, lang: str, code: str, token_class: str
) -> None:
    root = fragment(md.render(f"```{lang}\n{code}```\n").html)
    (div,) = root
    assert (div.tag, div.attrib["class"]) == ("div", "highlight")
    (pre,) = div
    assert (pre.tag, pre.attrib["tabindex"]) == ("pre", "0")
    (code_el,) = pre
    assert code_el.tag == "code"
    spans = code_el.findall("span")
    assert any(token_class in span.attrib["class"].split() for span in spans)
    assert text_of(code_el) == code  # highlighting loses and adds nothing


@pytest.mark.parametrize("info", ["nosuchlang", "", "html+nosuch"])
def test_unknown_or_missing_language_is_escaped_plain_code(md: MarkdownRenderer, info: str) -> None:
    code = "<script>alert(1)</script>\ndef f(): pass\n"
    html = md.render(f"```{info}\n{code}```\n").html
    assert "&lt;script&gt;" in html
    root = fragment(html)
    assert root.findall(".//script") == []
    assert root.findall(".//span") == []  # never guessed
    (pre,) = root
    assert (pre.tag, pre.attrib["tabindex"]) == ("pre", "0")
    (code_el,) = pre
    assert text_of(code_el) == code


def test_lexers_are_looked_up_once_per_name(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = get_lexer_by_name

    def counting(name: str, **options: object) -> object:
        calls.append(name)
        return real(name, **options)

    monkeypatch.setattr("salon_gen.text.markdown.get_lexer_by_name", counting)
    renderer = MarkdownRenderer()
    for _ in range(3):
        renderer.render("```python\nx = 1\n```\n\n```nosuchlang\ny\n```\n")
    assert calls == ["python", "nosuchlang"]


def test_markup_inside_highlighted_code_is_escaped(md: MarkdownRenderer) -> None:
    html = md.render("```python\nx = '<script>alert(1)</script>'\n```\n").html
    assert fragment(html).findall(".//script") == []


def test_indented_code_is_plain_and_scrollable(md: MarkdownRenderer) -> None:
    (pre,) = fragment(md.render("    <b>not bold</b>\n").html)
    assert (pre.tag, pre.attrib["tabindex"]) == ("pre", "0")
    assert text_of(pre) == "<b>not bold</b>\n"


# --- CSS -----------------------------------------------------------------------------------


def _luminance(color: str) -> float:
    # WCAG 2.2, "relative luminance".
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rules(css: str) -> dict[str, dict[str, str]]:
    rules = {}
    for selector, body in re.findall(r"^(\.highlight[^{]*)\{([^}]*)\}", css, re.MULTILINE):
        decls = dict(d.strip().split(": ", 1) for d in body.split(";") if d.strip())
        rules[selector.strip()] = decls
    return rules


def _themes() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    light, dark = pygments_css().split("@media (prefers-color-scheme: dark) {")
    return _rules(light), _rules(dark)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_css_token_colours_meet_wcag_aa(theme: str) -> None:
    rules = dict(zip(("light", "dark"), _themes(), strict=True))[theme]
    base = rules[".highlight"]
    assert _contrast(base["color"], base["background-color"]) >= 4.5
    checked = 0
    for selector, decls in rules.items():
        if selector == ".highlight .w":  # whitespace: nothing visible to contrast
            continue
        color = decls.get("color", "inherit")
        if color == "inherit":
            continue
        background = decls.get("background-color", "transparent")
        if background == "transparent":
            background = base["background-color"]
        assert _contrast(color, background) >= 4.5, (selector, color, background)
        checked += 1
    assert checked > 20


def test_dark_css_overrides_everything_the_light_css_sets() -> None:
    light, dark = _themes()
    tokens = [selector for selector in light if selector.startswith(".highlight .")]
    assert len(tokens) > 20
    for selector in tokens:
        assert set(light[selector]) <= set(dark.get(selector, {})), selector


def test_css_is_deterministic_and_scoped() -> None:
    css = pygments_css()
    assert css == pygments_css()
    assert css.count("@media (prefers-color-scheme: dark) {") == 1
    rules = [line for line in css.splitlines() if "{" in line and not line.startswith("@")]
    assert rules and all(line.startswith(".highlight") for line in rules)


# --- whole-document properties -------------------------------------------------------------


def test_rendered_markdown_pickles(md: MarkdownRenderer) -> None:
    result = md.render(KITCHEN_SINK)
    clone = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(clone, RenderedMarkdown)
    assert clone == result
    assert clone.title == "The \u201cTitle\u201d of it all"


def test_same_input_same_bytes(md: MarkdownRenderer) -> None:
    first = md.render(KITCHEN_SINK)
    assert md.render(KITCHEN_SINK) == first  # the instance keeps nothing between calls
    assert MarkdownRenderer().render(KITCHEN_SINK) == first


def test_same_bytes_in_other_processes(md: MarkdownRenderer) -> None:
    """Hash randomisation must not reach the output (the build renders in worker processes)."""
    script = (
        "import json, sys\n"
        "from salon_gen.text.markdown import MarkdownRenderer, pygments_css\n"
        "r = MarkdownRenderer().render(sys.stdin.read())\n"
        "print(json.dumps([r.html, r.excerpt, pygments_css()]))\n"
    )
    expected = [md.render(KITCHEN_SINK).html, md.render(KITCHEN_SINK).excerpt, pygments_css()]
    # This process hashes with a random seed; the child with none at all.
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script],
        input=KITCHEN_SINK,
        capture_output=True,
        text=True,
        check=True,
        env=env,
        encoding="utf-8",
    )
    assert json.loads(out.stdout) == expected


def test_renderer_version_names_the_libraries() -> None:
    assert RENDERER_VERSION.split("+")[0].isdigit()
    assert {"markdown-it-py", "mdit-py-plugins", "pygments", "math-core"} <= {
        part.rsplit("-", 1)[0] for part in RENDERER_VERSION.split("+")[1:]
    }


@needs_vnu
def test_output_is_valid_html5(md: MarkdownRenderer) -> None:
    body = md.render(KITCHEN_SINK).html
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>t</title>'
        f"<style>{pygments_css()}</style></head><body><main><h1>Page</h1>\n{body}</main></body></html>\n"
    )
    problems = vnu_problems(page)
    assert problems == []
