"""What the Jekyll, Hugo and Pelican readers share: a `Post` being imported, new file
paths, unique slugs, front-matter helpers, old URLs turned into aliases, and the `Linker`
that turns a link in a post into a link salon resolves (another imported post, or a file
copied into the salon as an `Asset`).

Pure: works on a `SiteFolder` and values; records assets to copy, copies nothing.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from salon_gen.core.errors import Diagnostic
from salon_gen.core.urls import safe_output_path, slugify
from salon_gen.importing import convert
from salon_gen.importing.item import Asset, Item, SiteFolder

FOLDERS = {"note": "content/notes", "page": "content/pages", "share": "content/shares"}
MARKUP = (".md", ".markdown", ".mdown", ".mkd", ".html", ".htm", ".rst")
_PAGE_LIKE = ("", ".html", ".htm", ".php", ".xml")
# `www.x.org/a` or `en.wikipedia.org/wiki/X`: a web address written without its scheme
_DOMAIN = re.compile(
    r"^(?:www\.[\w-]+|(?:[\w-]+\.)+(?:com|org|net|edu|gov|io|info|co|uk|de|fr|ch|ca|au))"
    r"(?:\.[a-z]{2})?(?:[/?#]|$)",
    re.I,
)
_TAG_PAGES = ("tags", "tag", "categories", "category")
_PAGE_ENDS = (".html", ".md", ".markdown", "/index.html", "/index.md", "/index.markdown")


@dataclass(frozen=True, slots=True, kw_only=True)
class Post:
    """A post or page of the old site on its way to becoming an `Item`."""

    source: str  # its path in the old site
    item: Item  # body still in the old dialect
    body_line: int = 1
    bundle_dir: str | None = None  # Hugo: the bundle's folder in the old site
    report_as: str | None = None  # the path diagnostics name, when not `source`


def new_path(item: Item) -> str:
    """The salon-relative path of the file `item` becomes."""
    folder = FOLDERS[item.kind]
    return f"{folder}/{item.slug}/index.md" if item.bundle else f"{folder}/{item.stem}.md"


def words(value: object, *, spaces: bool = False) -> tuple[str, ...]:
    """Tags or categories: a list, a comma string, or (Jekyll) a space-separated string."""
    if value is None or isinstance(value, bool):
        return ()
    if isinstance(value, str | int | float):
        text = str(value)
        parts = text.split(",") if "," in text or not spaces else text.split()
    elif isinstance(value, list | tuple):
        parts = [str(v) for v in value if isinstance(v, str | int | float)]
    else:
        return ()
    seen: dict[str, None] = {}
    for part in parts:
        if slugify(part.strip()):
            seen.setdefault(" ".join(part.split()).lower(), None)
    return tuple(seen)


def text_of(value: object) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return " ".join(str(value).split()) or None
    return None


def is_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "yes"))


def is_false(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in ("false", "no"))


def site_path(url: str) -> str | None:
    """An old URL (or path) as a safe site-relative path without a leading slash, or None."""
    path = unquote(urlsplit(url).path).lstrip("/")
    if not path or not safe_output_path(path.rstrip("/")):
        return None
    return path


def unique_slugs(posts: list[Post]) -> list[Post]:
    """Give every post of a kind its own slug (`x`, `x-2`...), oldest first keeping `x`."""
    taken: set[tuple[str, str]] = set()
    out: list[Post] = []
    for post in posts:
        slug = post.item.slug
        n = 1
        while (post.item.kind, slug if n == 1 else f"{slug}-{n}") in taken:
            n += 1
        if n > 1:
            slug = f"{slug}-{n}"
            stem = slug if post.item.bundle else f"{post.item.stem}-{n}"
            post = dataclasses.replace(
                post, item=dataclasses.replace(post.item, slug=slug, stem=stem)
            )
        taken.add((post.item.kind, slug))
        out.append(post)
    return out


def _normal(path: str) -> str:
    path = path.lstrip("/")
    for index in ("index.html", "index.htm"):
        if path.endswith(index):
            path = path[: -len(index)]
    return path.rstrip("/")


@dataclass(slots=True, kw_only=True)
class Linker:
    """Turns the links of one site's posts into links salon resolves, collecting assets."""

    site: SiteFolder
    posts: Mapping[str, Post]  # by source path in the old site
    static_prefix: str = ""  # where the old site keeps files served at its root
    also_served: tuple[str, ...] = ()  # further folders served at the root (Hugo: content/)
    host: str | None = None  # the old site's host: absolute links to it are local
    base_path: str = "/"
    warn_missing: bool = True  # False where files are not expected beside the posts (WXR)
    assets: dict[str, Asset] = field(default_factory=dict)
    diags: list[Diagnostic] = field(default_factory=list)  # links to drafts
    by_old_url: dict[str, Post] = field(init=False)
    by_folded: dict[str, str] = field(init=False)
    by_name: dict[str, str] = field(init=False)  # file names (any case) only one file has
    interests: frozenset[str] = field(init=False)  # the slugs of the posts' tags
    sections: frozenset[str] = field(init=False)  # old list pages: folders of served posts

    def __post_init__(self) -> None:
        # Links that worked on a case-insensitive disk (macOS, Windows) name a file in
        # another case: a single match whatever the case is that file.
        folded: dict[str, list[str]] = {}
        for path in self.site.paths:
            folded.setdefault(path.lower(), []).append(path)
        self.by_folded = {k: v[0] for k, v in folded.items() if len(v) == 1}
        names: dict[str, list[str]] = {}
        for path in self.site.paths:
            names.setdefault(posixpath.basename(path).lower(), []).append(path)
        self.by_name = {k: v[0] for k, v in names.items() if len(v) == 1}
        self.interests = frozenset(slugify(t) for p in self.posts.values() for t in p.item.tags)
        self.sections = frozenset(
            p.source[len(prefix) :].split("/")[0].lower()
            for p in self.posts.values()
            if p.item.kind == "note"
            for prefix in self.also_served
            if p.source.startswith(prefix) and "/" in p.source[len(prefix) :]
        )
        self.by_old_url = {}
        for post in self.posts.values():
            for url in (post.item.old_url, *post.item.aliases):
                if url:
                    self.by_old_url.setdefault(_normal(url), post)

    def link_to(self, post: Post, target: Post, line: int, fragment: str = "") -> str:
        if target.item.draft or target.item.private:
            self.diags.append(
                Diagnostic(
                    path=post.report_as or post.source,
                    line=line,
                    severity="warning",
                    message=f"links to '{target.source}', which is a draft or private",
                    hint="salon builds only once the link goes or that post is published",
                )
            )
        here = posixpath.dirname(new_path(post.item))
        rel = posixpath.relpath(new_path(target.item), here)
        return quote(rel, safe="/-._~") + (f"#{fragment}" if fragment else "")

    def asset(self, post: Post, found: str) -> str:
        """Copy `found` (a file of the old site) into the salon; the link to it from `post`."""
        if post.bundle_dir and found.startswith(post.bundle_dir + "/"):
            dest = posixpath.dirname(new_path(post.item)) + "/" + found[len(post.bundle_dir) + 1 :]
        else:
            rest = found
            for prefix in (self.static_prefix, *self.also_served, "content/"):
                if prefix and rest.startswith(prefix):
                    rest = rest[len(prefix) :]
                    break
            dest = "content/static/" + rest
        self.assets.setdefault(dest, Asset(source=self.site.root / found, dest=dest))
        rel = posixpath.relpath(dest, posixpath.dirname(new_path(post.item)))
        return quote(rel, safe="/-._~")

    def candidates(self, post: Post, path: str) -> list[str]:
        if path.startswith("/"):
            rooted = path
            if self.base_path != "/" and rooted.startswith(self.base_path):
                rooted = "/" + rooted[len(self.base_path) :]
            rooted = rooted.lstrip("/")
            return [self.static_prefix + rooted, *(p + rooted for p in self.also_served), rooted]
        here = posixpath.dirname(post.source)
        return [posixpath.normpath(posixpath.join(here, path))]

    def local(self, post: Post, url: str, line: int, body: convert.Body) -> str | None:
        """The new link for `url` in `post`, or None to leave it as written."""
        if not url or url.startswith(("#", "{", "mailto:", "data:")) or "\ue000" in url:
            return None
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if parts.scheme or parts.netloc:
            if parts.scheme not in ("http", "https", "") or not self.host:
                return None
            if (parts.hostname or "").removeprefix("www.") != self.host.removeprefix("www."):
                return None
        path = unquote(parts.path)
        if not path:
            return None
        candidates = self.candidates(post, path)
        for found in candidates:
            found = found if self.site.has(found) else self.by_folded.get(found.lower(), found)
            if found in self.posts:
                return self.link_to(post, self.posts[found], line, parts.fragment)
            if self.site.has(found) and not found.lower().endswith(MARKUP):
                return self.asset(post, found)
        target = self.by_old_url.get(_normal(path if path.startswith("/") else "/" + path))
        if target is not None and path.startswith("/"):
            return self.link_to(post, target, line, parts.fragment)
        rooted = path.strip("/").lower().split("/")
        if path.startswith("/") and len(rooted) == 2 and rooted[0] in _TAG_PAGES:
            interest = slugify(rooted[1])
            if interest in self.interests:  # the old tag page is an interest's page in salon
                return f"/interests/{interest}/"
        if path.startswith("/") and len(rooted) == 1 and rooted[0] in self.sections:
            body.warn(
                line,
                f"'{url}' was the list of a section of the old site; linked to "
                "/archive/, salon's list of notes",
            )
            return "/archive/"
        # "/contact" and "/about/" name contact.html or about/index.md on the old site
        pages = [f"{c.rstrip('/')}{end}" for c in candidates for end in _PAGE_ENDS if c.strip("/")]
        for found in pages:
            if found in self.posts:
                return self.link_to(post, self.posts[found], line, parts.fragment)
        suffix = posixpath.splitext(path.rstrip("/"))[1].lower()
        unimported = next((p for p in (*candidates, *pages) if self.site.has(p)), None)
        if unimported is not None and unimported.lower().endswith(MARKUP):
            if self.host and path.startswith("/"):
                old = f"https://{self.host}{quote(path, safe='/-._~')}"
                old += f"#{parts.fragment}" if parts.fragment else ""
                body.warn(
                    line,
                    f"'{url}' is a page of the old site salon does not import ({unimported}); "
                    f"linked to {old}",
                )
                return old
            return None
        if not url.startswith(("/", ".")) and _DOMAIN.match(url):
            body.warn(line, f"'{url}' names a web site without https://; linked to https://{url}")
            return f"https://{url}"
        if suffix not in _PAGE_LIKE:
            # A file moved without its links following: the one file of that name.
            name = posixpath.basename(path).lower()
            only = self.by_name.get(name)
            if only is not None and not only.lower().endswith(MARKUP):
                body.warn(
                    line,
                    f"'{url}' is not in the site folder; linked to {only}, "
                    "the only file of that name",
                )
                return self.asset(post, only)
            if self.warn_missing:
                body.warn(line, f"'{url}' is not in the site folder; link left as it is")
        return None


def convert_post(
    post: Post,
    linker: Linker,
    passes: Iterable[Callable[[convert.Body], None]],
) -> tuple[Item, tuple[Diagnostic, ...]]:
    """Run the dialect `passes` over a post's body, then rewrite its links, then report
    whatever template syntax is left."""
    body = convert.Body(
        path=post.report_as or post.source, text=post.item.body, first_line=post.body_line
    )
    for one in passes:
        one(body)
    rewrite_links(body, lambda url, line: linker.local(post, url, line, body))
    convert.leftovers(body)
    item = dataclasses.replace(post.item, body=body.finish())
    return item, tuple(body.diags)


# --- links in Markdown and HTML ------------------------------------------------------------

_MD_LINK = re.compile(r"(\]\(\s*)(<[^>\n]*>|[^\s)]+)")
_MD_SPACED = re.compile(r"(\]\(\s*)([^\s()<>\"'][^()<>\"'\n]*?[ ][^()<>\"'\n]*?\.\w{1,5})(\s*\))")
_MD_REF = re.compile(r"^([ ]{0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)", re.M)
_HTML_ATTR = re.compile(r"(\s(?:src|href|poster)\s*=\s*)([\"'])(.*?)\2", re.I | re.S)


def rewrite_links(body: convert.Body, new: Callable[[str, int], str | None]) -> None:
    """Apply `new` to every link target: Markdown inline links and images, reference
    definitions, and src/href/poster attributes of raw HTML."""

    def md(m: re.Match[str], line: int) -> str:
        raw = m.group(2)
        url = raw[1:-1] if raw.startswith("<") else raw
        out = new(url, line)
        return m.group(0) if out is None else m.group(1) + out

    def spaced(m: re.Match[str], line: int) -> str:
        # kramdown reads `![x](my file.png)`; CommonMark wants <my file.png> or my%20file.png
        # (only a file's name: prose in parentheses stays prose)
        out = new(m.group(2), line)
        target = out if out is not None else "<" + m.group(2) + ">"
        return m.group(1) + body.protect(target) + m.group(3)  # not rewritten again

    body.sub(_MD_SPACED, spaced)
    body.sub(_MD_LINK, md)
    body.sub(_MD_REF, md)

    def attr(m: re.Match[str], line: int) -> str:
        # Browsers ignore spaces around an attribute's URL (`src = " x.png "`); salon's
        # renderer reads `src="x.png"`: the rewritten attribute is written so.
        out = new(m.group(3).strip(), line)
        if out is None:
            return m.group(0)
        name = m.group(1).strip().rstrip("=").strip()
        return f"{m.group(1)[0]}{name}={m.group(2)}{out}{m.group(2)}"

    body.sub(_HTML_ATTR, attr)


def posts_by_source(posts: Iterable[Post]) -> dict[str, Post]:
    return {p.source: p for p in posts}
