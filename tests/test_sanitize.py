"""sanitize: the allowlist for remote HTML, safe links and plain text.

Hostile inputs are checked twice: against the exact expected output, and by parsing the output
with html5lib (as a browser would) and walking the DOM: only allowed elements and attributes,
every URL absolute http(s) (or mailto for links). The allowlist here is the test's own copy,
so widening the one in `sanitize.py` fails a test until this copy agrees.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import html5lib
import pytest

from salon_gen.text.sanitize import excerpt, plain_text, safe_link, sanitize_html

BASE = "https://friend.example/blog/post/"
REL = ' rel="nofollow ugc noopener"'

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
}  # fmt: skip  (h1 and h2 never come out: they are demoted)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "abbr": {"title"},
    "dfn": {"title"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start", "reversed"},
    "q": {"cite"},
    "blockquote": {"cite"},
}


def dom_problems(fragment: str) -> list[str]:
    """Everything in `fragment`, parsed as HTML5, that the allowlist does not allow."""
    root = html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=False)
    problems: list[str] = []
    for element in root.iter():
        if element is root or not isinstance(element.tag, str):
            continue  # the fragment's container; comments
        problems.extend(_element_problems(element))
    return problems


def _element_problems(element: Element) -> list[str]:
    tag = element.tag
    if tag not in ALLOWED_TAGS:
        return [f"element <{tag}>"]
    problems = []
    for name, value in element.attrib.items():
        if name not in ALLOWED_ATTRIBUTES.get(tag, set()) or name.lower().startswith("on"):
            problems.append(f"attribute {tag}[{name}]")
        elif name in ("href", "src", "cite"):
            schemes = ("http", "https", "mailto") if name == "href" else ("http", "https")
            parts = urlsplit(value)
            if parts.scheme not in schemes or (parts.scheme != "mailto" and not parts.netloc):
                problems.append(f"URL {tag}[{name}]={value!r}")
    if tag == "a" and element.get("rel") != "nofollow ugc noopener":
        problems.append(f"link without rel: {element.attrib}")
    if tag == "img" and element.get("loading") != "lazy":
        problems.append(f"image without loading=lazy: {element.attrib}")
    return problems


def test_the_dom_check_itself_finds_problems() -> None:
    # Without this, a broken dom_problems() would let every test below pass.
    assert dom_problems('<p onclick="x">a</p>') == ["attribute p[onclick]"]
    assert dom_problems("<script>x</script><h1>t</h1>") == ["element <script>", "element <h1>"]
    assert dom_problems('<a href="javascript:x" rel="nofollow ugc noopener">a</a>') == [
        "URL a[href]='javascript:x'"
    ]
    assert dom_problems('<img src="/rel.png" loading="lazy">') == ["URL img[src]='/rel.png'"]
    assert dom_problems('<a href="https://ok.example/">a</a>') == [
        "link without rel: {'href': 'https://ok.example/'}"
    ]
    assert dom_problems('<p>fine <a href="https://ok.example/"' + REL + ">a</a></p>") == []


# fmt: off
HOSTILE = [
    # scripts and event handlers
    ("script", "<p>hi</p><script>alert(1)</script>", "<p>hi</p>"),
    ("script-upper-src", "<SCRIPT SRC=//evil.example/x.js></SCRIPT><p>x</p>", "<p>x</p>"),
    ("script-in-attribute-text", '<p title="<script>">t</p>', "<p>t</p>"),
    (
        "onerror",
        '<img src="https://friend.example/a.png" onerror="alert(1)">',
        '<img src="https://friend.example/a.png" loading="lazy">',
    ),
    ("onclick", '<p onclick="alert(1)" ONMOUSEOVER=x>t</p>', "<p>t</p>"),
    ("details-ontoggle", "<details open ontoggle=alert(1)><summary>s</summary></details>",
     "<details><summary>s</summary></details>"),
    ("classic-img", "<img src=x:alert(alt) onerror=eval(src) alt=0>", ""),
    # javascript: in every disguise
    ("js", '<a href="javascript:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-mixed-case", '<a href="JaVaScRiPt:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-tab-entity", '<a href="java&#x09;script:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-tab-raw", '<a href="java\tscript:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-newline-entity", '<a href="java&#x0A;script:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-cr-entity", '<a href="jav&#x0D;ascript:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-colon-entity", '<a href="javascript&colon;alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-decimal-entity", '<a href="&#106;avascript:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-hex-entity", '<a href="&#x6A;avascript:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-padded-entity", '<a href="&#0000106avascript:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-leading-space", '<a href="   javascript:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-leading-newlines", '<a href="\n\n javascript:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-leading-control", '<a href="\x01javascript:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-line-separator", '<a href="&#x2028;javascript:alert(1)">a</a>', f"<a{REL}>a</a>"),
    ("js-img-src", '<img src="javascript:alert(1)" alt="x">', ""),  # an image without src goes
    ("vbscript", '<a href="vbscript:msgbox(1)">a</a>', f"<a{REL}>a</a>"),
    ("livescript", '<a href="livescript:x">a</a>', f"<a{REL}>a</a>"),
    ("js-cite", '<blockquote cite="javascript:alert(1)">q</blockquote>',
     "<blockquote>q</blockquote>"),
    # data: and file:
    ("data-href", '<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>', f"<a{REL}>a</a>"),
    ("data-src", '<img src="data:image/svg+xml,<svg onload=alert(1)>">', ""),
    ("file-href", '<a href="file:///etc/passwd">a</a>', f"<a{REL}>a</a>"),
    ("file-src", '<img src="file:///C:/secret.png">', ""),
    ("srcset", '<img src="https://ok.example/a.png" srcset="javascript:x 1x">',
     '<img src="https://ok.example/a.png" loading="lazy">'),
    # forms, frames, plugins, foreign content
    ("form", '<form action="https://evil.example/"><input name=q><button>go</button></form>', "go"),
    ("formaction", '<button formaction="javascript:alert(1)">b</button>', "b"),
    ("svg-xlink", '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', ""),
    ("svg-onload", "<svg onload=alert(1)><title>t</title></svg>after", "after"),
    ("math", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", ""),
    ("iframe", '<iframe src="https://evil.example/"></iframe>', ""),
    ("iframe-srcdoc", "<iframe srcdoc=\"<script>alert(1)</script>\">fallback</iframe>", ""),
    ("object", '<object data="x.swf"><param name=a value=b><embed src="x.swf"></object>', ""),
    ("embed", '<embed src="https://evil.example/x.swf">', ""),
    ("textarea", "<textarea><img src=x onerror=alert(1)></textarea>", ""),
    # style
    ("style-attribute", '<p style="background:url(javascript:alert(1))">t</p>', "<p>t</p>"),
    ("style-element", "<style>body{display:none}</style><p>t</p>", "<p>t</p>"),
    ("class-and-id", '<p class="x" id="main">t</p>', "<p>t</p>"),
    # document-level elements
    ("base", '<base href="https://evil.example/"><a href="x">a</a>',
     f'<a href="{BASE}x"{REL}>a</a>'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">t', "t"),
    ("link", '<link rel="stylesheet" href="https://evil.example/x.css">t', "t"),
    ("title", "<title>t</title>text", "text"),
    # mutation XSS shapes: what the browser parses is what gets cleaned
    ("noscript-mxss", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
     "<p></p>"),
    ("comment", "<!--<img src=x onerror=alert(1)>-->t", "t"),
    # in HTML, CDATA is a bogus comment that ends at the first ">"
    ("cdata", "<![CDATA[<img src=x onerror=alert(1)>]]>t", "]]&gt;t"),
    # links
    ("rel-replaced", '<a href="https://ok.example/" target="_blank" rel="opener">a</a>',
     f'<a href="https://ok.example/"{REL}>a</a>'),
    ("protocol-relative", '<a href="//cdn.example/x">a</a>', f'<a href="https://cdn.example/x"{REL}>a</a>'),
    ("backslashes", '<a href="\\\\evil.example/x">a</a>', f'<a href="https://evil.example/x"{REL}>a</a>'),
    ("relative", '<a href="../other/">a</a>', f'<a href="https://friend.example/blog/other/"{REL}>a</a>'),
    ("root-relative", '<img src="/i/a.png">',
     '<img src="https://friend.example/i/a.png" loading="lazy">'),
    ("fragment", '<a href="#fn1">1</a>', f'<a href="{BASE}#fn1"{REL}>1</a>'),
    ("mailto", '<a href="mailto:me@friend.example">m</a>',
     f'<a href="mailto:me@friend.example"{REL}>m</a>'),
    ("mailto-img", '<img src="mailto:me@friend.example">', ""),
    ("ftp", '<a href="ftp://files.example/">f</a>', f"<a{REL}>f</a>"),
    ("scheme-without-host", '<a href="https:evil.example">a</a>', f"<a{REL}>a</a>"),
    ("bad-ipv6", '<a href="http://[::1">a</a>', f"<a{REL}>a</a>"),
    ("space-in-url", '<a href="https://ok.example/a b">a</a>', f'<a href="https://ok.example/a%20b"{REL}>a</a>'),
    ("cite-relative", '<q cite="/source">q</q>', '<q cite="https://friend.example/source">q</q>'),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_html(raw: str, expected: str) -> None:
    out = sanitize_html(raw, BASE)
    assert out == expected
    assert dom_problems(out) == []


@pytest.mark.parametrize("raw", [c[1] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
@pytest.mark.parametrize("base", ["javascript:alert(1)//", "", "/relative/"])
def test_hostile_html_without_a_usable_base(raw: str, base: str) -> None:
    assert dom_problems(sanitize_html(raw, base)) == []


def test_relative_urls_go_when_there_is_no_http_base() -> None:
    raw = '<a href="x">a</a><a href="https://ok.example/">b</a><img src="i.png">'
    expected = f'<a{REL}>a</a><a href="https://ok.example/"{REL}>b</a>'
    assert sanitize_html(raw, "javascript:alert(1)//") == expected


def test_a_url_left_relative_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    # The safety net behind the URL check: if it ever let a relative URL through, nh3 drops it.
    from salon_gen.text import sanitize

    monkeypatch.setattr(sanitize, "_safe_url", lambda url, base, schemes: "still/relative")
    assert sanitize_html('<a href="x">a</a>', BASE) == f"<a{REL}>a</a>"


def test_noscript_is_unwrapped_so_its_image_is_kept() -> None:
    # The lazy-loading pattern: a src-less placeholder, the real image in <noscript>.
    raw = '<img data-src="a.png" class="lazy"><noscript><img src="a.png" alt="A"></noscript>'
    expected = '<img src="https://friend.example/blog/post/a.png" alt="A" loading="lazy">'
    assert sanitize_html(raw, BASE) == expected


def test_readable_markup_is_kept() -> None:
    raw = (
        "<p>A <em>b</em> <strong>c</strong> <b>d</b> <i>e</i> <u>f</u> <s>g</s> <del>h</del> "
        "<ins>i</ins> <sub>j</sub> <sup>k</sup> <small>l</small> <mark>m</mark> "
        '<abbr title="n">N</abbr> <dfn title="o">O</dfn> <cite>p</cite> <q>q</q> <code>r</code> '
        '<kbd>s</kbd> <samp>t</samp> <var>u</var> <time datetime="2026-01-02">v</time> '
        "<span>w</span><br>x</p><hr><pre>y</pre><blockquote>z</blockquote>"
        '<ol start="3" reversed><li>1</li></ol><ul><li>2</li></ul><dl><dt>3</dt><dd>4</dd></dl>'
        '<figure><img src="https://cdn.example/a.png" alt="A" title="T" width="10" height="20">'
        "<figcaption>5</figcaption></figure><details><summary>6</summary>7</details>"
        "<table><caption>8</caption><thead><tr><th colspan=2>9</th></tr></thead><tbody><tr>"
        '<td rowspan="1">10</td></tr></tbody><tfoot><tr><td>11</td></tr></tfoot></table>'
        '<div><a href="https://ok.example/" title="12">13</a></div>'
    )
    expected = (
        "<p>A <em>b</em> <strong>c</strong> <b>d</b> <i>e</i> <u>f</u> <s>g</s> <del>h</del> "
        "<ins>i</ins> <sub>j</sub> <sup>k</sup> <small>l</small> <mark>m</mark> "
        '<abbr title="n">N</abbr> <dfn title="o">O</dfn> <cite>p</cite> <q>q</q> <code>r</code> '
        '<kbd>s</kbd> <samp>t</samp> <var>u</var> <time datetime="2026-01-02">v</time> '
        "<span>w</span><br>x</p><hr><pre>y</pre><blockquote>z</blockquote>"
        '<ol start="3" reversed=""><li>1</li></ol><ul><li>2</li></ul><dl><dt>3</dt><dd>4</dd></dl>'
        '<figure><img src="https://cdn.example/a.png" alt="A" title="T" width="10" height="20" '
        'loading="lazy"><figcaption>5</figcaption></figure><details><summary>6</summary>7</details>'
        '<table><caption>8</caption><thead><tr><th colspan="2">9</th></tr></thead><tbody><tr>'
        '<td rowspan="1">10</td></tr></tbody><tfoot><tr><td>11</td></tr></tfoot></table>'
        f'<div><a href="https://ok.example/" title="12"{REL}>13</a></div>'
    )
    out = sanitize_html(raw, BASE)
    assert out == expected
    assert dom_problems(out) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<h1>a</h1><h2>b</h2><h3>c</h3>", "<h3>a</h3><h4>b</h4><h5>c</h5>"),
        ("<h4>d</h4><h5>e</h5><h6>f</h6>", "<h6>d</h6><h6>e</h6><h6>f</h6>"),
        ('<H1 class="x" onclick="y">t</H1>', "<h3>t</h3>"),
        # only tags move: text and attribute values that look like headings stay as they are
        ('<p>&lt;h1&gt;</p><img alt="<h1> a>b" src="https://ok.example/a.png">',
         '<p>&lt;h1&gt;</p><img alt="&lt;h1&gt; a&gt;b" src="https://ok.example/a.png" '
         'loading="lazy">'),
    ],
)  # fmt: skip
def test_headings_are_demoted_two_levels(raw: str, expected: str) -> None:
    assert sanitize_html(raw, BASE) == expected


def test_control_characters_and_lone_surrogates_are_dropped() -> None:
    assert sanitize_html("<p>a\x00b\x0bc\ud800d\ufffe</p>", BASE) == "<p>abcd</p>"


def test_output_is_deterministic_and_stable() -> None:
    raw = '<p><a href="x" title="t">a</a><img src="y" alt="z"></p>' * 20
    once = sanitize_html(raw, BASE)
    assert sanitize_html(raw, BASE) == once
    assert sanitize_html(once, BASE) == once  # cleaning clean HTML changes nothing


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://ok.example/a", BASE, "https://ok.example/a"),
        ("HTTP://OK.EXAMPLE/A", BASE, "HTTP://OK.EXAMPLE/A"),
        (" \n https://ok.example/a\t\n ", BASE, "https://ok.example/a"),
        ("/p/1", "https://friend.example/blog/feed.xml", "https://friend.example/p/1"),
        ("p/1", "https://friend.example/blog/feed.xml", "https://friend.example/blog/p/1"),
        ("//cdn.example/x", "https://friend.example/", "https://cdn.example/x"),
        ("//cdn.example/x", "http://friend.example/", "http://cdn.example/x"),
        ("\\\\evil.example/x", BASE, "https://evil.example/x"),
        ("https://ok.example/a b", BASE, "https://ok.example/a%20b"),
        ("https://ok.example/?a=1&para=2", BASE, "https://ok.example/?a=1&para=2"),
        ("javascript:alert(1)", BASE, None),
        ("JaVaScRiPt:alert(1)", BASE, None),
        ("java\tscript:alert(1)", BASE, None),
        ("java\nscript:alert(1)", BASE, None),
        ("  javascript:alert(1)", BASE, None),
        ("javascript&colon;alert(1)", BASE, None),
        ("&#106;avascript:alert(1)", BASE, None),
        ("&#x6A;avascript:alert(1)", BASE, None),
        ("java&#x09;script:alert(1)", BASE, None),
        ("data:text/html,<script>alert(1)</script>", BASE, None),
        ("file:///etc/passwd", BASE, None),
        ("vbscript:x", BASE, None),
        ("mailto:me@friend.example", BASE, None),  # a link to an entry is a web page
        ("ftp://files.example/", BASE, None),
        ("https:evil.example", BASE, None),
        ("http://[::1", BASE, None),
        ("//[::1", BASE, None),
        ("\x00https://ok.example/", BASE, None),
        ("", BASE, None),
        ("   ", BASE, None),
        (None, BASE, None),
        ("relative/path", "not a url", None),
        ("relative/path", "javascript:alert(1)//", None),
        ("https://ok.example/absolute", "not a url", "https://ok.example/absolute"),
    ],
)
def test_safe_link(url: str | None, base: str, expected: str | None) -> None:
    assert safe_link(url, base) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hello <b>world</b>", "Hello world"),
        ("AT&amp;T &eacute;t&#233; &#x1F600;", "AT&T été 😀"),
        ("a < b and c > d", "a < b and c > d"),
        ("<p>one</p><p>two</p>", "one two"),
        ("line<br>break<br/>again", "line break again"),
        ("<ul><li>a</li><li>b</li></ul>", "a b"),
        ("wo<em>r</em>d", "word"),
        ("<script>alert(1)</script>safe", "safe"),
        ("<style>p { color: red }</style>x", "x"),
        ("<svg><title>icon</title></svg>text", "text"),
        ("<img src=x onerror=alert(1)>caption", "caption"),
        ("  lots \n of\t space\u00a0here  ", "lots of space here"),
        ("nul\x00 and \x07bell\x81", "nul and bell"),
        # C1 controls are windows-1252 read as latin-1, as browsers take them
        ("\x93quoted\x94 &#x93;too&#x94; \x80", "\u201cquoted\u201d \u201ctoo\u201d \u20ac"),
        ("lone \ud800 surrogate", "lone surrogate"),
        # escaped markup is text: it comes out as the characters the author meant to show
        ("History of the &lt;blink&gt; tag", "History of the <blink> tag"),
        ("plain title", "plain title"),
        ("", ""),
    ],
)
def test_plain_text(raw: str, expected: str) -> None:
    assert plain_text(raw) == expected


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("one two three", 3, "one two three"),
        ("one two three four", 3, "one two three\u2026"),
        ("one two, three. four", 3, "one two, three\u2026"),
        ("  spaced\n out   text  ", 50, "spaced out text"),
        ("", 50, ""),
    ],
)
def test_excerpt(text: str, words: int, expected: str) -> None:
    assert excerpt(text, words) == expected


def test_excerpt_defaults_to_fifty_words() -> None:
    text = " ".join(f"w{i}" for i in range(60))
    assert excerpt(text) == " ".join(f"w{i}" for i in range(50)) + "\u2026"


def test_only_sanitize_imports_nh3() -> None:
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "salon_gen"
    importers = sorted(
        p.name
        for p in package.rglob("*.py")
        if re.search(r"^\s*(import|from)\s+nh3\b", p.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert importers == ["sanitize.py"]
