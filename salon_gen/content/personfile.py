"""Reading a person file (`content/people/<id>.md`): the one way salon does it.

Owns turning a person file's text into its front matter (the mapping and the body, with the
line of every top-level key) and from there into a `Person` and the `PrivateProfile` kept
beside it; the lenient reading of `feeds:` that `salon follow` and `salon import` need (a
file with other errors still holds its feeds); and the line a value is written on, for
diagnostics that point at one feed rather than the first line that happens to contain its
URL. The build, `salon fetch`/`feeds`, the circle's commands and the roster all read person
files through here; edits go through `personedit`.

Pure: text in, values out. Must not touch the disk, and must not render (bodies arrive
rendered, or not at all).
"""

from __future__ import annotations

from dataclasses import dataclass

from salon_gen.content.parse import parse_person
from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import Person, PrivateProfile
from salon_gen.text import frontmatter
from salon_gen.text.frontmatter import FrontMatter
from salon_gen.text.markdown import RenderedMarkdown

NO_BODY = RenderedMarkdown(html="", title=None, body_html="", excerpt="", title_line=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonFile:
    """A person file as read: `front` is None when its front matter cannot be read, and
    `problems` then says why, with the line."""

    path: str  # relative to the salon folder, forward slashes
    text: str  # the file's text, line ends made `\n`, BOM dropped
    front: FrontMatter | None
    problems: tuple[Diagnostic, ...]

    @property
    def id(self) -> str:
        return person_id(self.path)

    def value_line(self, key: str, value: str) -> int | None:
        """The line (1-based, in the file) where `value` is written under the top-level
        `key`: the list item equal to it, else the key's own line when its value holds it
        (`feeds: a, b`); None when `key` does not list `value`."""
        if self.front is None or self.front.format != "yaml":
            return None
        field = frontmatter.layout(_head(self.text)).get(key.lower())
        if field is None:
            return None
        for item in field.items:
            if item.value is not None and item.value.strip() == value:
                return item.line + 2  # the front matter starts on line 2
        if field.value.value is not None and value in _words(field.value.value):
            return field.value.line + 2
        return None


def person_id(path: str) -> str:
    """The id a person file gives its person: its file name without `.md`."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def parse(path: str, text: str) -> PersonFile:
    """Read a person file's text (any line ends, a BOM or not)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    front, problems = frontmatter.split(text, path)
    return PersonFile(path=path, text=text, front=front, problems=tuple(problems))


def values(
    pf: PersonFile, md: RenderedMarkdown = NO_BODY
) -> tuple[tuple[Person, PrivateProfile] | None, tuple[Diagnostic, ...]]:
    """The person and their private profile, and every problem on its line (the front
    matter's own first). Without `md` the person's page HTML is empty: for callers that
    only follow or edit people."""
    if pf.front is None:
        return None, pf.problems
    pair, problems = parse_person(pf.path, pf.front, md)
    return pair, pf.problems + tuple(problems)


def listed_feeds(pf: PersonFile) -> tuple[str, ...]:
    """The feeds the file lists, read leniently: whatever else is wrong with it, these are
    feeds somebody in the salon already has (empty when `feeds:` cannot be read at all)."""
    feeds = pf.front.data.get("feeds") if pf.front is not None else None
    if isinstance(feeds, str):
        feeds = feeds.split(",")
    if not isinstance(feeds, list):
        return ()
    return tuple(dict.fromkeys(f.strip() for f in feeds if isinstance(f, str) and f.strip()))


def introduced_to(pf: PersonFile, other: str) -> bool:
    """Whether the file's `private.introduced` already names `other` (as an id or as
    `{person: id, ...}`)."""
    private = pf.front.data.get("private") if pf.front is not None else None
    log = private.get("introduced") if isinstance(private, dict) else None
    return isinstance(log, list) and any(
        item == other or (isinstance(item, dict) and item.get("person") == other) for item in log
    )


def _head(text: str) -> str:
    """The YAML between the fences of `text` (which starts with one)."""
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    return "\n".join(lines[1:end])


def _words(value: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in value.split(","))
