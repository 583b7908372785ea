"""Math in the owner's Markdown: recognised, left alone by Markdown, rendered as MathML.

The pure parts (markdown.py, mathml.py) are tested on strings; one build of a small salon
checks the page (html5lib) and the feeds (feedparser) carry the MathML, and that a formula
that cannot be rendered is a warning with its file and line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import feedparser
import html5lib
import pytest

from salon_gen.content.rendercache import RenderCache
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.text.markdown import MarkdownProblem, MarkdownRenderer
from salon_gen.text.mathml import MAX_CHARS, MAX_DEPTH, FormulaError, MathConverter

from .conftest import NOW
from .nuchecker import needs_vnu, vnu_problems

MATHML = "{http://www.w3.org/1998/Math/MathML}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def md() -> MarkdownRenderer:
    return MarkdownRenderer()


def annotations(html: str) -> list[str]:
    """The LaTeX sources of the formulas in `html`, in order."""
    return re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', html)


# --- the forms --------------------------------------------------------------------------


def test_inline_dollars_become_inline_mathml(md: MarkdownRenderer) -> None:
    html = md.render("Euler: $e^{i\\pi} + 1 = 0$, always.").html
    assert html.startswith("<p>Euler: <math><semantics><mrow><msup><mi>e</mi>")
    assert "<mi>π</mi>" in html
    assert annotations(html) == ["e^{i\\pi} + 1 = 0"]
    assert "</math>, always.</p>" in html


def test_inline_parentheses_are_inline_math(md: MarkdownRenderer) -> None:
    html = md.render("Let \\(x_1\\) be given.").html
    assert html.startswith("<p>Let <math><semantics><msub><mi>x</mi><mn>1</mn></msub>")
    assert annotations(html) == ["x_1"]


def test_display_dollars_on_their_own_lines_are_a_block(md: MarkdownRenderer) -> None:
    html = md.render("Before.\n\n$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n$$\n\nAfter.\n").html
    assert html.startswith(
        '<p>Before.</p>\n<div class="math-display" tabindex="0"><math display="block">'
    )
    assert re.search(r"<munderover><mo[^>]*>∑</mo>", html)
    assert annotations(html) == ["\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}"]
    assert html.endswith("</math></div>\n<p>After.</p>\n")


def test_display_brackets_on_their_own_lines_are_a_block(md: MarkdownRenderer) -> None:
    text = "Aligned:\n\\[\n\\begin{aligned} a &= b + c \\\\ &= d \\end{aligned}\n\\]\nDone.\n"
    html = md.render(text).html
    # It interrupts the paragraph, as a fence would.
    assert html.startswith('<p>Aligned:</p>\n<div class="math-display" tabindex="0">')
    assert '<mtable displaystyle="true">' in html and html.count("<mtr>") == 2
    assert annotations(html) == ["\\begin{aligned} a &amp;= b + c \\\\ &amp;= d \\end{aligned}"]
    assert html.endswith("</math></div>\n<p>Done.</p>\n")


def test_double_dollars_inside_a_paragraph_display_in_it(md: MarkdownRenderer) -> None:
    html = md.render("So $$x^2$$ holds.").html
    assert html.startswith(
        '<p>So <span class="math-display" tabindex="0"><math display="block"><semantics>'
    )
    assert html.endswith("</math></span> holds.</p>\n")


def test_brackets_inside_a_paragraph_stay_escaped_brackets(md: MarkdownRenderer) -> None:
    # `\[1\]` is how Markdown writers keep brackets from making a link.
    assert md.render("See \\[1\\] and \\[2\\].").html == "<p>See [1] and [2].</p>\n"
    assert md.render("\\[1\\] Smith, J.").html == "<p>[1] Smith, J.</p>\n"


# --- prose stays prose ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "It costs $5 and $10.",
        "It costs $5, or $10 with the box.",
        "From $5-$10 a month.",
        "Pay $ 5 and $ 6.",
        "A lone $ sign.",
        "Between $20 and $30 per hour, $40 at night",
        "From $5/$10, or $5,000\u2013$10,000 for US$5 and US$10.",
        "I have $5. You have $3.",
    ],
)
def test_prices_stay_prose(md: MarkdownRenderer, text: str) -> None:
    r = md.render(text)
    assert r.html == f"<p>{text}</p>\n"
    assert r.problems == ()


def test_an_escaped_dollar_is_a_dollar(md: MarkdownRenderer) -> None:
    assert md.render("\\$x\\$ and \\$5$").html == "<p>$x$ and $5$</p>\n"
    # ... and inside math, \$ is TeX's own dollar sign.
    html = md.render("$\\text{cost} = \\$5$").html
    assert "<mi>$</mi><mn>5</mn>" in html
    assert annotations(html) == ["\\text{cost} = \\$5"]


def test_a_parenthesis_with_no_closer_is_an_escaped_parenthesis(md: MarkdownRenderer) -> None:
    assert md.render("a \\( b").html == "<p>a ( b</p>\n"
    assert md.render("\\\\(x\\\\)").html == "<p>\\(x\\)</p>\n"


def test_math_in_code_stays_code(md: MarkdownRenderer) -> None:
    r = md.render("Write `$x$` or `\\(x\\)`.\n\n```\n$$\ny\n$$\n```\n\n    $z$\n")
    assert "<math" not in r.html
    assert "<code>$x$</code>" in r.html and "<code>\\(x\\)</code>" in r.html
    assert '<pre tabindex="0"><code>$$\ny\n$$\n</code></pre>' in r.html
    assert '<pre tabindex="0"><code>$z$\n</code></pre>' in r.html


def test_no_markdown_inside_math(md: MarkdownRenderer) -> None:
    # Underscores and stars would be emphasis, quotes and dashes typography, backslashes
    # escapes: inside math they are all TeX, and reach the converter as written.
    text = 'Here *a $a_1*b_2 + c_3*d$ b* and $\\{x\\}$ and $"q" -- r...$.'
    html = md.render(text).html
    assert annotations(html) == ["a_1*b_2 + c_3*d", "\\{x\\}", '"q" -- r...']
    assert html.startswith("<p>Here <em>a <math>")  # the stars outside still pair up
    assert "\u2013" not in html and "\u2026" not in html and "\u201c" not in html
    assert re.search(r"<mo[^>]*>\{</mo>", html)  # \{ is TeX's brace, kept for TeX


def test_math_in_a_title_and_an_excerpt_reads_as_its_source(md: MarkdownRenderer) -> None:
    r = md.render("# The $\\alpha$ particle\n\nIt has charge $+2e$ and\n\n$$\nm_\\alpha\n$$\n")
    assert r.title == "The \\alpha particle"
    assert r.excerpt == "It has charge +2e and"
    assert '<h2 id="the-alpha-particle">' in r.html


# --- what cannot be rendered ------------------------------------------------------------


def test_a_malformed_formula_is_shown_as_source_with_its_line(md: MarkdownRenderer) -> None:
    text = "One.\n\nTwo, and\nthen $\\frac{1}{$ here.\n\n$$\na\n\\notacommand{b}\n$$\n"
    r = md.render(text)
    assert '<code class="math-error">$\\frac{1}{$</code> here.' in r.html
    assert '<div class="math-display" tabindex="0"><code class="math-error">' in r.html
    assert "$$\na\n\\notacommand{b}\n$$</code></div>" in r.html
    hint = "it is shown as its LaTeX source; a dollar sign that is not math is written \\$"
    assert r.problems == (
        MarkdownProblem(
            line=4,
            message='cannot render math `\\frac{1}{`: expected closing token "}", '
            "but reached end of input",
            hint=hint,
        ),
        MarkdownProblem(
            line=8,  # the line of \notacommand, not of the opening $$
            message='cannot render math `a\n\\notacommand{b}`: unknown command "\\notacommand"',
            hint=hint,
        ),
    )


def test_math_in_footnotes_is_rendered_and_located(md: MarkdownRenderer) -> None:
    text = "Text.\nMore^[inline $x$ and $\\bad{$]\n\nRef.[^1]\n\n[^1]: With $y$ and $\\worse$.\n"
    r = md.render(text)
    assert r.html.count("<math>") == 2
    # An inline footnote has no line of its own: its mark's line (2) stands for it.
    assert [(p.line, p.message) for p in r.problems] == [
        (2, 'cannot render math `\\bad{`: unknown command "\\bad"'),
        (6, 'cannot render math `\\worse`: unknown command "\\worse"'),
    ]


def test_the_source_of_a_failed_formula_is_escaped(md: MarkdownRenderer) -> None:
    r = md.render("$<b>\\foo</b>&$")
    assert r.html == '<p><code class="math-error">$&lt;b&gt;\\foo&lt;/b&gt;&amp;$</code></p>\n'
    assert len(r.problems) == 1


def test_text_in_math_is_escaped(md: MarkdownRenderer) -> None:
    html = md.render("$\\text{<script>alert(1)</script>} < x$").html
    assert "<script>" not in html
    assert "<mtext>&lt;script&gt;alert(1)&lt;/script&gt;</mtext>" in html


def test_accents_are_the_characters_browsers_stretch() -> None:
    html = MathConverter().convert("\\vec{v} \\widehat{ab} \\overline{AB}", display=False)
    # \vec: the spacing arrow, which browsers place over the letter; \widehat and \overline
    # keep their combining characters, the only ones browsers stretch over a group.
    assert '<mo stretchy="false">\u2192</mo>' in html
    assert '<mo stretchy="true">\u0302</mo>' in html
    assert '<mo stretchy="true">\u0332</mo>' in html


def test_style_attributes_move_to_mstyle_except_on_tables() -> None:
    converter = MathConverter()
    frac = converter.convert("\\dfrac{1}{2}", display=False)
    assert '<mstyle displaystyle="true"><mfrac><mn>1</mn><mn>2</mn></mfrac></mstyle>' in frac
    table = converter.convert("\\begin{aligned} a &= b \\end{aligned}", display=True)
    assert '<mstyle scriptlevel="0"><mtable displaystyle="true">' in table
    assert table.count("<mstyle") == table.count("</mstyle>") == 1
    # Empty elements are written out in full, as every other element is.
    space = converter.convert("a\\,b", display=False)
    assert '<mspace width="0.16666667em"></mspace>' in space and "/>" not in space


def test_huge_and_deep_formulas_are_refused_not_crashed() -> None:
    converter = MathConverter()
    with pytest.raises(FormulaError, match="too long"):
        converter.convert("x+" * MAX_CHARS, display=True)
    with pytest.raises(FormulaError, match="nested too deeply"):
        converter.convert("\\sqrt{" * MAX_DEPTH + "x" + "}" * MAX_DEPTH, display=False)
    # The deepest a real formula gets is far below that.
    converter.convert("\\sqrt{" * 40 + "x" + "}" * 40, display=False)


def test_a_paragraph_of_unclosed_openers_is_read_in_linear_time(md: MarkdownRenderer) -> None:
    # Each `\(` would otherwise scan to the end of the paragraph for its `\)`.
    text = "\\( a " * 20_000
    assert md.render(text).html == "<p>" + "( a " * 19_999 + "( a</p>\n"


def test_problems_survive_the_render_cache(md: MarkdownRenderer, tmp_path: Path) -> None:
    rendered = md.render("Fine $x$.\n\nBroken $\\frac{$.")
    assert len(rendered.problems) == 1
    with RenderCache(tmp_path / "cache.sqlite") as cache:
        cache.replace_all({"k": rendered}, ["k"])
    with RenderCache(tmp_path / "cache.sqlite") as cache:
        assert cache.get_many(["k"]) == {"k": rendered}


# --- valid HTML -------------------------------------------------------------------------

KITCHEN = """\
Inline $\\frac{a}{b}$, \\(\\mathbb{R}^n\\), $\\hat{x} + \\vec{v} + \\widehat{ab}$,
$\\overline{AB} \\underline{x}$ and $\\left( \\frac{1}{2} \\right)$.

$$
\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}
\\begin{cases} 1 & x > 0 \\\\ 0 & \\text{otherwise} \\end{cases}
$$

\\[
\\begin{aligned} \\int_0^\\infty e^{-x^2}\\,dx &= \\frac{\\sqrt{\\pi}}{2} \\\\
\\mathcal{L}\\{f\\} &= \\dfrac{1}{\\cfrac{1}{s}} \\end{aligned}
\\]

And $$\\displaystyle\\sum_{k} \\binom{n}{k}$$ inline, $\\broken{$ too.
"""


def test_output_parses_as_html5_with_mathml_elements(md: MarkdownRenderer) -> None:
    body = md.render(KITCHEN).html
    page = f"<!DOCTYPE html><html lang=en><title>t</title><main>{body}</main></html>"
    parser = html5lib.HTMLParser(strict=True)  # raises on any parse error
    tree = parser.parse(page)
    maths = tree.findall(f".//{MATHML}math")
    assert len(maths) == 8
    assert [m.get("display") for m in maths].count("block") == 3
    assert all(m.find(f"{MATHML}semantics/{MATHML}annotation") is not None for m in maths)
    assert tree.findall(f".//{XHTML}code[@class='math-error']")[0].text == "$\\broken{$"


@needs_vnu
def test_output_is_valid_for_the_nu_checker(md: MarkdownRenderer) -> None:
    body = md.render(KITCHEN).html
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
        f"<body><main>{body}</main></body></html>\n"
    )
    problems = vnu_problems(page)
    # \widehat and \overline/\underline are drawn with a combining character, the only kind
    # browsers stretch over a group (mathml.py); the checker's warning about it is accepted.
    composing = "Text run starts with a composing character."
    assert [m["message"] for m in problems] == [composing] * 3


# --- a whole build ----------------------------------------------------------------------

NOTE = """\
---
title: On growth
date: 2026-03-01
---
Rabbits grow as $F_{n+1} = F_n + F_{n-1}$, and a pair costs $5 or $10.

$$
\\lim_{n \\to \\infty} \\frac{F_{n+1}}{F_n} = \\varphi
$$

But this one \\(\\frac{1}{\\) is broken.
"""


def test_a_salon_with_math_builds_pages_and_feeds_with_mathml(
    make_salon: Callable[..., Path],
) -> None:
    root = make_salon({"content/notes/growth.md": NOTE})
    result = build(root, now=NOW, options=BuildOptions(offline=True))

    assert [d.format() for d in result.warnings] == [
        "content/notes/growth.md:11: warning: cannot render math `\\frac{1}{`: "
        'expected closing token "}", but reached end of input\n'
        "  hint: it is shown as its LaTeX source; a dollar sign that is not math is written \\$"
    ]
    site = root / "site"
    page = (site / "notes" / "growth" / "index.html").read_text(encoding="utf-8")
    tree = html5lib.HTMLParser(strict=True).parse(page)
    maths = tree.findall(f".//{MATHML}math")
    assert [m.get("display") for m in maths] == [None, "block"]
    assert "a pair costs $5 or $10." in page

    atom = feedparser.parse((site / "feed.xml").read_bytes())
    content = atom.entries[0].content[0]
    assert content.type == "text/html"
    # feedparser's sanitizer keeps MathML (and adds the namespace it reads it in).
    assert re.search(r'<math display="block"[^>]*><semantics>', content.value)
    assert '<annotation encoding="application/x-tex">F_{n+1} = F_n + F_{n-1}</annotation>' in (
        content.value
    )
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    html = feed["items"][0]["content_html"]
    assert html.count("<math") == 2 and '<code class="math-error">' in html
    # The page's description (from the excerpt) reads the formula as its source.
    description = tree.find(f".//{XHTML}meta[@name='description']")
    assert description is not None
    assert description.get("content", "").startswith(
        "Rabbits grow as F_{n+1} = F_n + F_{n-1}, and a pair costs $5 or $10."
    )
    # The warning is repeated by a build with nothing to do (it comes from the render cache).
    again = build(root, now=NOW, options=BuildOptions(offline=True))
    assert [d.format() for d in again.warnings] == [d.format() for d in result.warnings]
