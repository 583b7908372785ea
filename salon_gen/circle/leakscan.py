"""How the leak guard reads an output file and finds forms in it, fast: one regular
expression for every form of every secret, over the text a reader would see.

Pure. `privacy` says what the forms are and whom to blame; this module only finds them.

A file is text when its name says so or its bytes are UTF-8 without NULs. Text is searched
twice, in one string: once as it is (entities decoded twice, as an Atom feed escapes
escaped HTML, then casefolded; attributes, comments, URLs), once as read (`readable`:
HTML/XML tags removed, an inline one such as `<strong>` with nothing in its place and any
other with a space; Markdown emphasis, escapes, brackets and link targets removed; soft
hyphens and zero-width characters removed), so `<strong>Elsa</strong> Lindqvist`, `**Elsa**
Lindqvist`, `Lind&shy;qvist` and `Elsa<br>Lindqvist` are all the name. Any run of whitespace
matches a space.

Any other file (an image, a font, a PDF, an archive) is searched by its bytes read as UTF-8,
for forms of `BINARY_MIN` characters or more only: a shorter one turns up by chance in
compressed bytes (a private friend called "Jo" was in 560 of 2,000 images and fonts of a
developer's machine; no form of 5 characters or more was in any of 5,911 such files, 1.1
GB). What a format compresses (a PDF's text streams, a zip's members, a photo's pixels)
is not read; text a format keeps plain (PNG text chunks, EXIF and XMP, PDF metadata and
uncompressed streams) is.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from salon_gen.circle.leakforms import BIRTH_FILL, BIRTH_WORDS

BINARY_MIN = 6  # characters; 5 and more were never found by chance (see above)
TEXT_SUFFIXES = (
    *(".html", ".htm", ".xhtml", ".xml", ".json", ".opml", ".txt", ".css", ".js", ".mjs"),
    *(".svg", ".md", ".markdown", ".csv", ".tsv", ".ics", ".vcf", ".yaml", ".yml", ".toml"),
)
_COMMON = (
    *(("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#34;", '"'), ("&#39;", "'")),
    *(("&#x27;", "'"), ("&amp;", "&")),  # &amp; last: "&amp;lt;" is "&lt;" after one pass
)
_SNIFF = 8192  # bytes looked at for a NUL when a file's name does not say it is text

_INLINE = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small"
    r"|span|strong|sub|sup|time|tt|u|var|wbr)(?:\s[^<>]{0,2000})?/?>"
)
_TAG = re.compile(r"<!--.*?-->|<[/!?]?[a-z][^<>]{0,2000}>", re.DOTALL)
_HIDDEN = re.compile("[*_~`\\\\\\[\\]\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_LINK_TARGET = re.compile(r"\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\)")
_SEP = r"[\s().\-/]{0,2}"  # between the digits of a phone number
_AFTER = r"(?![^\W_])"  # not a letter or digit after a form (before it: see `Matcher.found`)
_END = ""
# After a day and month, no year: "born 8 December 1942" is someone else's birthday (and
# 8 December 1991 is found as the date it is).
_NO_YEAR = r"(?!,?\s+\d{4}(?!\d))"
_BIRTH_AT = re.compile(
    "(?:" + "|".join(w.replace(" ", r"\s+") for w in BIRTH_WORDS) + ")" + BIRTH_FILL
)

# What a match is of: a form as written, a day and month after a word saying birth, the
# digits of a phone number.
PLAIN, BIRTHDAY, DIGITS = "plain", "birthday", "digits"


def is_text(path: str, data: bytes) -> bool:
    """Whether an output file is text (searched for every form, markup removed too)."""
    if path.lower().endswith(TEXT_SUFFIXES):
        return True
    if b"\0" in data[:_SNIFF]:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def unescaped(text: str) -> str:
    """`text` with HTML/XML entities decoded twice (an Atom feed escapes HTML that was
    escaped already): the five of escaping by `str.replace`, which is many times faster than
    `html.unescape` calling back for each of the thousands on a page, then any others."""
    for _ in range(2):
        if "&" not in text:
            break
        for entity, char in _COMMON:
            text = text.replace(entity, char)
        if "&" in text:
            text = html.unescape(text)
    return text


def readable(text: str) -> str:
    """`text` (casefolded, unescaped) as a reader sees it: markup gone."""
    if "<" in text:
        text = _TAG.sub(" ", _INLINE.sub("", text))
    if "](" in text:  # Markdown: "[Elsa](https://...) Lindqvist"
        text = _LINK_TARGET.sub("]", text)
    return _HIDDEN.sub("", text)


def halves(text: str) -> tuple[str, str]:
    """A text as written (entities decoded, casefolded) and as read (`readable`)."""
    written = unescaped(text).casefold()  # in this order: "&#69;lsa" is "elsa"
    return written, readable(written)


def prepare(text: str) -> str:
    """What a text file is searched as: as written, then as read."""
    return "\n\0\n".join(halves(text))  # a NUL: no form runs from one into the other


def prepare_bytes(data: bytes) -> str:
    return data.decode("utf-8", "replace").casefold()


def _token(ch: str) -> str:
    return r"\s+" if ch == " " else re.escape(ch)


def _trie(node: dict[str, Any]) -> str:
    """A regular expression matching the token sequences of a trie, prefixes shared: one
    pass of the regex engine over a page, however many forms (an alternation of 600
    unrelated literals is 30 times slower). Recursion only where the trie branches."""
    parts: list[str] = []
    while True:
        keys = sorted(k for k in node if k != _END)
        if len(keys) == 1 and _END not in node:
            parts.append(keys[0])
            node = node[keys[0]]
            continue
        break
    if not keys:
        return "".join(parts)
    group = "(?:" + "|".join(k + _trie(node[k]) for k in keys) + ")"
    return "".join(parts) + (group + "?" if _END in node else group)


def _trie_of(sequences: Iterable[Iterable[str]]) -> dict[str, Any]:
    trie: dict[str, Any] = {}
    for tokens in sequences:
        node = trie
        for token in tokens:
            node = node.setdefault(token, {})
        node[_END] = {}
    return trie


def _words(text: str) -> list[str]:
    return [_token(ch) for ch in text]


def _birth(birthday: Iterable[str]) -> Iterator[list[str]]:
    """A word saying birth, the words that join, then a day and month: one token sequence
    for each first letter of the words (each starts with a plain letter, see `Matcher`)."""
    days = _trie(_trie_of(_words(f) for f in birthday))
    for first in sorted({w[0] for w in BIRTH_WORDS}):
        rest = _trie(_trie_of(_words(w[1:]) for w in BIRTH_WORDS if w[0] == first))
        yield [re.escape(first), f"(?:{rest}){BIRTH_FILL}(?:{days}){_NO_YEAR}"]


@functools.lru_cache(maxsize=8)  # a preview rebuilds the same one on every edit
def _compiled(
    plain: frozenset[str], birthday: frozenset[str], digits: frozenset[str]
) -> re.Pattern[str] | None:
    sequences = [_words(f) for f in plain]
    sequences += [[re.escape(d[0]), *(_SEP + re.escape(c) for c in d[1:])] for d in digits]
    if birthday:
        sequences += _birth(birthday)
    return re.compile(_trie(_trie_of(sequences)) + _AFTER) if sequences else None


@dataclass(frozen=True, slots=True)
class Matcher:
    """Finds (kind, form) in prepared text: `plain` forms as written, `birthday` ones (a day
    and month) after a word that says birth, `digits` ones with any separators.

    All in one trie whose every branch starts with a plain character, so the regex engine
    skips ahead to the characters forms start with (a top-level alternation of three
    patterns cannot, and costs three times as much)."""

    plain: frozenset[str] = frozenset()
    birthday: frozenset[str] = frozenset()
    digits: frozenset[str] = frozenset()
    rx: re.Pattern[str] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rx", _compiled(self.plain, self.birthday, self.digits))

    def at_least(self, length: int) -> Matcher:
        """The same search for the forms `length` characters long or more."""
        return Matcher(
            frozenset(f for f in self.plain if len(f) >= length),
            self.birthday,  # "born" and the like before them: never short
            frozenset(f for f in self.digits if len(f) >= length),
        )

    def _key(self, got: str) -> tuple[str, str]:
        """What a match is of."""
        words = " ".join(got.split())
        if words in self.plain:
            return PLAIN, words
        if (birth := _BIRTH_AT.match(got)) is not None:
            day = " ".join(got[birth.end() :].split())
            if day in self.birthday:
                return BIRTHDAY, day
        return DIGITS, "".join(c for c in got if c.isdigit())

    def first(self, text: str) -> int | None:
        """Where the first form in `text` (prepared) starts, if one is there."""
        for start, _ in self._matches(text):
            return start
        return None

    def found(self, text: str) -> set[tuple[str, str]]:
        """The (kind, form) in `text` (prepared)."""
        return {self._key(got) for _, got in self._matches(text)}

    def _matches(self, text: str) -> Iterator[tuple[int, str]]:
        pos = 0
        while self.rx is not None and (m := self.rx.search(text, pos)) is not None:
            start = m.start()
            if start and text[start - 1].isalnum() and text[start].isalnum():
                pos = start + 1  # inside a word: "ann" in "announce"; look further on
                continue
            yield start, m.group(0)
            pos = m.end()
