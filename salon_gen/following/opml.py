"""OPML as files really are: the element tree of a subscription list, strict or forgiving.

Owns the syntax only: `parse` returns the document's elements (names and attribute names
lowercased, namespace prefixes dropped, each with its line). It reads the file as XML first
(expat); when that fails, as feed readers' exports and hand-edited files often make it fail
(a bare `&`, quotes or `<` inside attribute values, a closing tag missing, Latin-1 without a
declaration, HTML entities such as `&nbsp;`), it reads it again with a small tolerant
tokenizer of its own that looks only at tags and attributes. Neither ever reads a DTD: a
`<!DOCTYPE` or `<!ENTITY` is refused (XML bombs, external entities), and the only entities
known are XML's five, character references and HTML's fixed table. Must not decide what an
outline means: `roster` does.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.parsers import expat


@dataclass(frozen=True, slots=True, kw_only=True)
class Element:
    name: str  # local name, lowercase: "opml", "body", "outline"
    attrs: Mapping[str, str]  # names lowercase ("xmlurl"), values as written, entities read
    line: int  # 1-based, where the start tag is
    children: tuple[Element, ...] = ()

    def attr(self, name: str) -> str:
        return self.attrs.get(name, "").strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class Parsed:
    elements: tuple[Element, ...]  # the top-level elements (one, in a well-formed file)
    recovered: str | None = None  # why the strict parse failed, when the tolerant one read it


class Refused(Exception):
    """The document declares a DTD or an entity: what it declares, e.g. "<!DOCTYPE"."""


class NotWellFormed(Exception):
    """Not even the tolerant reader found an element in it."""


@dataclass(slots=True)
class _Open:  # an element whose end tag has not been seen yet
    name: str
    attrs: dict[str, str]
    line: int
    children: list[Element] = field(default_factory=list)

    def close(self) -> Element:
        return Element(
            name=self.name, attrs=self.attrs, line=self.line, children=tuple(self.children)
        )


class _Tree:
    """Elements as start and end tags arrive; an end tag that closes nothing open is ignored,
    one that skips open elements closes them too, and the end of the file closes them all."""

    def __init__(self) -> None:
        self.top: list[Element] = []
        self.stack: list[_Open] = []

    def start(self, name: str, attrs: dict[str, str], line: int, empty: bool = False) -> None:
        self.stack.append(_Open(_local(name), {_local(k): v for k, v in attrs.items()}, line))
        if empty:
            self.end(name)

    def end(self, name: str) -> None:
        wanted = _local(name)
        if not any(o.name == wanted for o in self.stack):
            return
        while self.stack:
            done = self.stack.pop()
            (self.stack[-1].children if self.stack else self.top).append(done.close())
            if done.name == wanted:
                return

    def finish(self) -> tuple[Element, ...]:
        while self.stack:
            self.end(self.stack[-1].name)
        return tuple(self.top)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].lower()


def parse(data: bytes) -> Parsed:
    """The elements of `data`, read strictly if it is well-formed XML, tolerantly if not.
    Refused for a DTD or an entity declaration; NotWellFormed when nothing is there."""
    try:
        return Parsed(elements=_strict(data))
    except expat.ExpatError as e:
        why = f"line {e.lineno}, column {e.offset + 1}: {expat.ErrorString(e.code)}"
    except LookupError as e:  # an encoding Python does not know
        why = str(e)
    elements = _tolerant(_decode(data))
    if not elements:
        raise NotWellFormed(why)
    return Parsed(elements=elements, recovered=why)


def _strict(data: bytes) -> tuple[Element, ...]:
    """expat, which reads the DTD first and is stopped at the first declaration: nothing is
    ever expanded or fetched."""
    parser = expat.ParserCreate()
    tree = _Tree()

    def doctype(name: str, *_: object) -> None:
        raise Refused("<!DOCTYPE")

    def entity(name: str, *_: object) -> None:
        raise Refused("<!ENTITY")

    def start(name: str, attrs: dict[str, str]) -> None:
        tree.start(name, attrs, parser.CurrentLineNumber)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = tree.end
    parser.Parse(data, True)
    return tree.finish()


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']?([A-Za-z0-9._-]+)""")


def _decode(data: bytes) -> str:
    """Text from bytes: a BOM, else the declared encoding, else UTF-8, else Windows-1252
    (what "Latin-1" files usually are), else Latin-1, which reads any byte."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace")
    tried = []
    declared = _DECLARED.match(data)
    if declared:
        tried.append(declared.group(1).decode("ascii"))
    for name in (*tried, "utf-8", "cp1252"):
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


_NAME = re.compile(r"[A-Za-z_][\w:.-]*")
_ATTR_NAME = re.compile(r"""[^\s=/>"'<]+""")
_UNQUOTED = re.compile(r"""[^\s>]+""")
_END_TAG = re.compile(r"</\s*([^\s>]*)[^>]*>?")
# What may follow the closing quote of an attribute value: the end of the tag, or another
# attribute. A quote followed by anything else is a quote inside the value, written unescaped.
_AFTER_VALUE = re.compile(r"""\s*(?:/?>|$)|\s+[^\s=/>"'<]+\s*=""")
_REFERENCE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_SKIP_TO = {"<!--": "-->", "<![CDATA[": "]]>", "<?": "?>"}


def _tolerant(text: str) -> tuple[Element, ...]:
    """Tags and attributes, whatever is around them; text between tags is not looked at."""
    tree = _Tree()
    pos, line, counted = 0, 1, 0
    while (lt := text.find("<", pos)) >= 0:
        line += text.count("\n", counted, lt)
        counted = lt
        opener = next((o for o in _SKIP_TO if text.startswith(o, lt)), None)
        if opener is not None:
            end = text.find(_SKIP_TO[opener], lt + len(opener))
            pos = len(text) if end < 0 else end + len(_SKIP_TO[opener])
            continue
        if text.startswith("<!", lt):
            word = text[lt + 2 : lt + 9].upper()
            if word.startswith(("DOCTYPE", "ENTITY")):
                raise Refused("<!DOCTYPE" if word.startswith("DOCTYPE") else "<!ENTITY")
            end = text.find(">", lt)
            pos = len(text) if end < 0 else end + 1
            continue
        if text.startswith("</", lt):
            closing = _END_TAG.match(text, lt)
            assert closing is not None  # the pattern matches any "</"
            tree.end(closing.group(1))
            pos = closing.end()
            continue
        name = _NAME.match(text, lt + 1)
        if name is None:  # a "<" in text: not a tag
            pos = lt + 1
            continue
        attrs, pos, empty = _attributes(text, name.end())
        tree.start(name.group(), attrs, line, empty=empty)
    return tree.finish()


def _attributes(text: str, pos: int) -> tuple[dict[str, str], int, bool]:
    """The attributes of the tag whose name ends at `pos`, where the tag ends, and whether
    it closes itself (`/>`)."""
    attrs: dict[str, str] = {}
    while True:
        pos = _skip_space(text, pos)
        if pos >= len(text) or text.startswith("<", pos):  # a tag never closed
            return attrs, pos, False
        if text.startswith("/>", pos):
            return attrs, pos + 2, True
        if text.startswith(">", pos):
            return attrs, pos + 1, False
        name = _ATTR_NAME.match(text, pos)
        if name is None:  # a stray quote, "/" or "="
            pos += 1
            continue
        pos = _skip_space(text, name.end())
        value = ""
        if text.startswith("=", pos):
            pos = _skip_space(text, pos + 1)
            if text[pos : pos + 1] in ('"', "'"):
                value, pos = _quoted(text, pos)
            elif unquoted := _UNQUOTED.match(text, pos):
                value, pos = unquoted.group(), unquoted.end()
                if value.endswith("/") and text.startswith(">", pos):  # name=value/>
                    value, pos = value[:-1], pos - 1
        attrs.setdefault(_local(name.group()), _references(value))


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The value of the attribute whose opening quote is at `start`, and the position after
    it: up to the first same quote that ends the tag or precedes another attribute."""
    quote = text[start]
    first = -1
    at = start
    while (at := text.find(quote, at + 1)) >= 0:
        if first < 0:
            first = at
        if _AFTER_VALUE.match(text, at + 1):
            return text[start + 1 : at], at + 1
    if first >= 0:
        return text[start + 1 : first], first + 1
    end = text.find(">", start)
    end = len(text) if end < 0 else end
    return text[start + 1 : end], end


def _references(value: str) -> str:
    """Character references and XML's and HTML's named entities read; a bare `&`, or a name
    nobody defines, kept as written."""
    return _REFERENCE.sub(_reference, value) if "&" in value else value


def _reference(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref.startswith("#"):
        try:
            code = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        except ValueError:
            return match.group()
        if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            return "\ufffd"
        return chr(code)
    return html.entities.html5.get(ref + ";", match.group())
