"""OPML syntax: the strict parse of well-formed files, the tolerant one of the rest, and the
DTD refusal in both."""

from __future__ import annotations

import pytest

from salon_gen.following.opml import Element, NotWellFormed, Refused, parse


def outlines(data: bytes) -> list[dict[str, str]]:
    """The attributes of every outline, depth first, in document order."""
    found: list[dict[str, str]] = []

    def walk(el: Element) -> None:
        if el.name == "outline":
            found.append(dict(el.attrs))
        for c in el.children:
            walk(c)

    for el in parse(data).elements:
        walk(el)
    return found


def test_a_well_formed_file_is_read_strictly_with_lines() -> None:
    parsed = parse(
        b'<?xml version="1.0"?>\n<opml:opml xmlns:opml="urn:x">\n<body>\n'
        b'  <outline TEXT="A &amp; B" xmlUrl="https://a.example/"/>\n</body></opml:opml>'
    )
    assert parsed.recovered is None
    (root,) = parsed.elements
    assert (root.name, root.line) == ("opml", 2)
    (outline,) = root.children[0].children
    assert outline == Element(
        name="outline", attrs={"text": "A & B", "xmlurl": "https://a.example/"}, line=4
    )


@pytest.mark.parametrize(
    ("data", "want"),
    [
        (
            b'<opml><outline text="Tom & Jerry" xmlUrl="https://t.example/?a=1&b=2"/></opml>',
            {"text": "Tom & Jerry", "xmlurl": "https://t.example/?a=1&b=2"},
        ),
        (
            b'<opml><outline text="The "Long" Table" xmlUrl="https://l.example/"/></opml>',
            {"text": 'The "Long" Table', "xmlurl": "https://l.example/"},
        ),
        (
            b'<opml><outline text="x < y > z" xmlUrl="https://x.example/"/></opml>',
            {"text": "x < y > z", "xmlurl": "https://x.example/"},
        ),
        (
            b'<opml><outline text="Caf&eacute;&nbsp;&ldquo;1&rdquo;&#233;&#xE9;" /></opml>',
            {"text": "Caf\xe9\xa0\u201c1\u201d\xe9\xe9"},
        ),
        (
            b'<opml><outline text="a&copy=b &nope; &#0;" /></opml>',  # no ";": not an entity
            {"text": "a&copy=b &nope; \ufffd"},
        ),
        (
            b"<opml><outline text=Bare xmlUrl=https://b.example/feed/></opml>",
            {"text": "Bare", "xmlurl": "https://b.example/feed"},
        ),
        (
            b"<opml><outline text='single' xmlUrl='https://s.example/'></opml>",
            {"text": "single", "xmlurl": "https://s.example/"},
        ),
        (b'<opml><outline text="Jos\xe9" /></opml>', {"text": "Jos\xe9"}),  # Latin-1
        (b'<opml><outline text="\x93quoted\x94" /></opml>', {"text": "\u201cquoted\u201d"}),
        (
            '<?xml version="1.0" encoding="iso-8859-15"?><opml><outline text="\u20ac & co"/>'
            "</opml>".encode("iso-8859-15"),
            {"text": "\u20ac & co"},
        ),
        (
            '\ufeff<opml><outline text="BOM & UTF-16"/></opml>'.encode("utf-16-le"),
            {"text": "BOM & UTF-16"},
        ),
    ],
)
def test_attribute_values_are_read_whatever_is_in_them(data: bytes, want: dict[str, str]) -> None:
    parsed = parse(data)
    assert parsed.recovered is not None
    assert outlines(data) == [want]


def test_missing_and_stray_end_tags() -> None:
    data = b"""<opml><body>
<outline text="Folder">
  <outline text="A" xmlUrl="https://a.example/">
  <outline text="B" xmlUrl="https://b.example/"></outline></outline></div>
<!-- <outline text="commented" xmlUrl="https://c.example/"/> -->
<![CDATA[<outline text="cdata"/>]]><?pi <outline text="pi"/>?>
<outline text="Last" xmlUrl="https://last.example/"
"""
    parsed = parse(data)
    (root,) = parsed.elements
    (body,) = root.children
    (folder,) = body.children  # its end tag closed A instead, </div> closed nothing
    a, last = folder.children
    (b,) = a.children  # A was never closed: B is inside it
    assert [e.attr("text") for e in (folder, a, b, last)] == ["Folder", "A", "B", "Last"]
    assert [e.line for e in (folder, a, b, last)] == [2, 3, 4, 7]


def test_what_is_not_markup_at_all() -> None:
    with pytest.raises(NotWellFormed, match="line 1, column 1: no element found"):
        parse(b"")
    with pytest.raises(NotWellFormed):
        parse(b"just text, 1 < 2 and a < b")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b'<!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><outline text="&a;"/></opml>', "<!DOCTYPE"),
        # broken first, so only the tolerant reader gets as far as the DTD: it refuses too
        (b'<?xml version="1.0" encoding="no-such"?><!DOCTYPE opml SYSTEM "x"><opml/>', "<!DOCTYPE"),
        (b'<opml a="&"><!ENTITY b SYSTEM "file:///etc/passwd"></opml>', "<!ENTITY"),
        (b"<opml>&<!doctype opml></opml>", "<!DOCTYPE"),
    ],
)
def test_a_dtd_is_refused_by_both_readers(data: bytes, what: str) -> None:
    with pytest.raises(Refused, match=what):
        parse(data)
