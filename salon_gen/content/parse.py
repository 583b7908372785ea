"""Turning one content file into a value: `Note` (notes and shares), `Page`, `Person`.

Pure: a `SourceFile`, its `FrontMatter` and its rendered Markdown in; a value and
diagnostics out. Owns the meaning of every front-matter key (which are known, which are
required, what each must look like). Must not know about other files: cross-file checks
(duplicate URLs, links between notes, `via` people) belong to `assemble`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Any
from urllib.parse import quote, urlsplit

from salon_gen.content.entry_ids import digest
from salon_gen.content.fields import Fields, kind_of
from salon_gen.content.publication import (
    ALIAS_KEYS,
    PUBLICATION_KEYS,
    read_aliases,
    read_publication,
)
from salon_gen.core.durations import parse_duration
from salon_gen.core.errors import Diagnostic, did_you_mean
from salon_gen.core.model import Config, Link, Note, NoteKind, Page, Person, PrivateProfile, Via
from salon_gen.core.urls import (
    domain_of,
    interest_slug,
    is_http_url,
    is_local_feed,
    is_safe_slug,
    segment_problem,
    slug_from_filename,
    slugify,
)
from salon_gen.text.frontmatter import FrontMatter, parse_datetime
from salon_gen.text.leftovers import leftover_syntax
from salon_gen.text.markdown import RenderedMarkdown

# What other generators call the same things (Hugo, Jekyll, Pelican, WordPress), so a blog
# copied in unedited means what it meant there. Each salon key, then the keys read in its
# place when it is absent, in order.
SYNONYMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "updated": ("modified", "lastmod", "last_modified_at"),
        "summary": ("description",),
    }
)
# Every key that says whether a note or page is published (see `_publication`).
TAG_KEYS = ("tags", "categories", "category")  # all of them are interests in salon
NOTE_KEYS = (
    frozenset({"title", "date", "updated", "summary", "slug", "people", "id"})
    | PUBLICATION_KEYS
    | frozenset(ALIAS_KEYS)
    | frozenset(TAG_KEYS)
    | frozenset(k for keys in SYNONYMS.values() for k in keys)
)
SHARE_KEYS = NOTE_KEYS | {"link", "via"}
PAGE_KEYS = (
    frozenset({"title", "slug", "nav", "weight", "summary", "updated"})
    | PUBLICATION_KEYS
    | frozenset(ALIAS_KEYS)
    | frozenset(k for keys in SYNONYMS.values() for k in keys)
)
# `status:` values, as Pelican and WordPress write them, and what each means here.
_JEKYLL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")

PERSON_KEYS = frozenset(
    {
        "name",
        "url",
        "feeds",
        "interests",
        "avatar",
        "public",
        "introducible",
        "private",
        "full_text",
        "fetch_every",
    }
)
# Keys other tools write that are not near misses of ours, even if they look close.
_FOREIGN_KEYS = frozenset(
    {
        "categories",
        "category",
        "aliases",
        "author",
        "authors",
        "layout",
        "description",
        "keywords",
        "lang",
        "type",
        "weight",
        "series",
        "image",
        "cover",
        "toc",
        "comments",
        "permalink",
        "published",
        "status",
        "cssclass",
        "cssclasses",
        "created",
        "modified",
    }
)


def _tags(reader: Fields, jekyll: bool) -> tuple[str, ...]:
    """`tags`, `categories` and `category` together: in salon all of them are interests.
    Jekyll reads a string of `categories` (and, in a Jekyll post, of `tags`) as words
    separated by spaces; everywhere else a string is one tag, or several split by commas."""
    tags: dict[str, str] = {}  # casefolded -> the first spelling: "Python" and "python" are one
    for key in TAG_KEYS:
        spaces = key == "categories" or (key == "tags" and jekyll)
        for tag in reader.words(key, spaces=spaces and reader.fm.format != "pelican"):
            if not slugify(tag):
                reader.error(key, f"tag '{tag}' has no letters or digits")
            elif problem := segment_problem(interest_slug(tag)):
                reader.error(
                    key,
                    f"tag '{_short(tag)}' names the folder interests/{_short(interest_slug(tag))}/"
                    f", which {problem}",
                    hint="use another word for it, or list this spelling under another "
                    "interest in salon.toml: [interests.aliases]",
                )
            else:
                tags.setdefault(tag.casefold(), tag)
    return tuple(tags.values())


def _short(text: str) -> str:
    """`text` cut for a message: a 300-byte slug is not worth printing whole."""
    return text if len(text) <= 40 else text[:40] + "..."


def _stem(path: str) -> str:
    """The name a file's slug and Jekyll date come from: a Hugo bundle's `<folder>/index.md`
    is named by its folder; any other file by its own name."""
    parts = path.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    if stem == "index" and len(parts) > 3:  # content/<kind>/<folder>/index.md
        return parts[-2]
    return stem


def _slug(reader: Fields, stem: str) -> str | None:
    explicit = reader.text("slug")
    if explicit == "":
        explicit = None  # Pelican's `Slug:` left empty: the default slug, as Pelican does
    if explicit is not None and not is_safe_slug(explicit):
        tame = slugify(explicit)
        if tame and not any(c in explicit for c in "/\\") and not explicit.startswith("."):
            # Harmless characters URLs can do without ("a+b", "C++ notes"): keep going.
            reader.warn(
                "slug",
                f"slug '{explicit}' has characters salon keeps out of URLs; "
                f"it is published as '{tame}'",
                hint=f"write slug: {tame} (and aliases: for the old URL)",
            )
            return tame
    if explicit is not None:
        if not is_safe_slug(explicit):
            suggestion = slugify(explicit.replace("/", "-").replace(".", ""))
            reader.error(
                "slug",
                f"slug '{explicit}' is not a single safe path segment "
                "(it could write outside the site folder)",
                hint=f"use letters, digits and hyphens, e.g. slug: {suggestion or 'x'}",
            )
            return None
        return _usable_slug(reader, explicit, "slug")
    slug = slug_from_filename(stem)
    if not slug:
        reader.error(
            None, f"cannot make a URL from the file name '{stem}'", hint="add a slug: my-note"
        )
        return None
    return _usable_slug(reader, slug, None)


def _usable_slug(reader: Fields, slug: str, key: str | None) -> str | None:
    """`slug` if it can be a folder on every system (urls.segment_problem), else an error
    at `key` (None: the slug came from the file name) and None."""
    problem = segment_problem(slug)
    if problem is None:
        return slug
    where = "slug" if key else "the slug made from the file name"
    suggestion = slug[:60].rstrip("-") if len(slug) > 60 else f"{slug}-note"
    reader.error(
        key,
        f"{where} '{_short(slug)}' {problem}",
        hint=f"set {'another' if key else 'one'}, e.g. slug: {suggestion}",
    )
    return None


def _entry_id(reader: Fields, config: Config, source: str, date: datetime, zone: tzinfo) -> str:
    explicit = reader.text("id")
    if explicit:
        if ":" not in explicit or any(c.isspace() for c in explicit):
            reader.error(
                "id",
                f"id '{explicit}' is not a URI",
                hint="ids look like tag:example.org,2026-03-05:my-note",
            )
        return explicit
    # RFC 4151 tag URI: authority from base_url, the date as written, the file's path. It
    # must never change (RFC 4287 §4.2.6), so it depends on neither the title nor the slug.
    host = urlsplit(config.base_url).hostname or "localhost"
    day = date.astimezone(zone).date().isoformat()
    specific = source.removeprefix("content/").rsplit(".", 1)[0]
    return f"tag:{host},{day}:{quote(specific, safe='/-._~')}"


def parse_note(
    kind: NoteKind,
    path: str,
    fm: FrontMatter,
    md: RenderedMarkdown,
    config: Config,
    zone: tzinfo,
) -> tuple[Note | None, tuple[Diagnostic, ...]]:
    """A note or a share from its front matter and rendered body."""
    reader = Fields(path, fm, [])
    extra = reader.check_unknown(SHARE_KEYS if kind == "share" else NOTE_KEYS, _FOREIGN_KEYS)
    if kind == "note":
        for key in ("link", "via"):
            if key in extra:
                reader.warn(
                    key,
                    f"'{key}' only means something in a share",
                    hint="move this file to content/shares/",
                )
    link: Link | None = None
    via: Via | None = None
    title = reader.text("title")
    html = md.html
    if kind == "share":
        url = reader.text("link")
        if url is None:
            reader.error(
                None, "a share needs a 'link'", hint="add: link: https://example.com/the-page"
            )
        elif not is_http_url(url):
            reader.error(
                "link",
                f"link '{url}' is not an http or https URL",
                hint="links must start with https:// or http://",
            )
        else:
            link = Link(url=url, title=title or domain_of(url), domain=domain_of(url))
            title = title or domain_of(url)
        via = _via(reader)
    stem = _stem(path)
    jekyll = _JEKYLL_DATE.match(stem)
    if kind == "note" and title is None:
        if md.title is None and jekyll is not None:
            # Jekyll: a post without a title is titled by its file name
            title = jekyll.group(2).replace("-", " ").strip().capitalize() or None
        else:
            title, html = _title_from_heading(reader, "note", md)
    publication = read_publication(reader, zone)
    if reader.fm.data.get("date") is None and publication.publish_date is not None:
        date: datetime | None = publication.publish_date  # Hugo: publishDate alone dates it
    elif reader.fm.data.get("date") is None and jekyll is not None:
        date = _filename_date(reader, jekyll.group(1), zone)
    else:
        date = reader.when("date", zone, required=True)
    updated = reader.when(reader.first("updated", *SYNONYMS["updated"]), zone, required=False)
    slug = _slug(reader, stem)
    tags = _tags(reader, jekyll is not None or "layout" in reader.fm.data)
    people = reader.words("people")
    summary = reader.text(reader.first("summary", *SYNONYMS["summary"]))
    folder = "shares" if kind == "share" else "notes"
    aliases = read_aliases(reader, f"{folder}/{slug}/")
    reader.diags.extend(leftover_syntax(path, fm))
    if any(d.is_error for d in reader.diags) or title is None or date is None or slug is None:
        return None, tuple(reader.diags)
    return Note(
        kind=kind,
        source=path,
        slug=slug,
        url=f"{folder}/{slug}/",
        entry_id=_entry_id(reader, config, path, date, zone),
        title=" ".join(title.split()),
        date=date,
        updated=updated,
        tags=tags,
        summary=summary,
        excerpt=md.excerpt,
        draft=publication.draft,
        private=publication.private,
        publish_date=publication.publish_date,
        expires=publication.expires,
        aliases=aliases,
        html=html,
        link=link,
        via=via,
        people=people,
        extra=MappingProxyType(extra),
        explicit_id=bool(reader.text("id")),
        body_digest=digest(fm.body),
    ), tuple(reader.diags)


def _filename_date(reader: Fields, day: str, zone: tzinfo) -> datetime | None:
    """The date in a Jekyll file name, when the front matter gives none."""
    try:
        return parse_datetime(day, zone)
    except ValueError as e:
        reader.error(None, f"file name date: {e}", hint="add: date: 2026-03-05")
        return None


def _title_from_heading(reader: Fields, what: str, md: RenderedMarkdown) -> tuple[str | None, str]:
    """No `title:`: the body's leading `# heading` is the title (and leaves the body)."""
    if md.title is None:
        reader.error(
            None,
            f"{what} has no title",
            hint="add 'title: ...' to the front matter or start with '# Title'",
        )
        return None, md.html
    return md.title, md.body_html


def _via(reader: Fields) -> Via | None:
    value = reader.text("via")
    if not value:
        return None
    if is_http_url(value):
        return Via(name=domain_of(value), url=value)
    if ":" in value:
        reader.error("via", f"via '{value}' is neither a person's id nor an http(s) URL")
        return None
    return Via(name=value, person_id=value)


def parse_page(
    path: str, fm: FrontMatter, md: RenderedMarkdown, zone: tzinfo = UTC
) -> tuple[Page | None, tuple[Diagnostic, ...]]:
    """A standalone page (about, now, ...)."""
    reader = Fields(path, fm, [])
    extra = reader.check_unknown(PAGE_KEYS, _FOREIGN_KEYS)
    title = reader.text("title")
    html = md.html
    if title is None:
        title, html = _title_from_heading(reader, "page", md)
    slug = _slug(reader, _stem(path))
    nav = reader.flag("nav", True)
    weight = fm.data.get("weight", 0)
    if isinstance(weight, bool) or not isinstance(weight, int):
        reader.error("weight", f"weight: expected a whole number, got {kind_of(weight)}")
        weight = 0
    publication = read_publication(reader, zone)
    aliases = read_aliases(reader, f"{slug}/")
    reader.diags.extend(leftover_syntax(path, fm))
    if any(d.is_error for d in reader.diags) or title is None or slug is None:
        return None, tuple(reader.diags)
    return Page(
        source=path,
        slug=slug,
        url=f"{slug}/",
        title=" ".join(title.split()),
        html=html,
        nav=nav,
        weight=weight,
        draft=publication.draft,
        private=publication.private,
        publish_date=publication.publish_date,
        expires=publication.expires,
        aliases=aliases,
        extra=MappingProxyType(extra),
    ), tuple(reader.diags)


def parse_person(
    path: str, fm: FrontMatter, md: RenderedMarkdown
) -> tuple[tuple[Person, PrivateProfile] | None, tuple[Diagnostic, ...]]:
    """A person, and separately what the owner keeps private about them."""
    reader = Fields(path, fm, [])
    extra = reader.check_unknown(PERSON_KEYS, _FOREIGN_KEYS)
    for key in extra:
        # A misspelt `private:` would publish what was meant to stay private: refuse it.
        if did_you_mean(key, ("private",)):
            reader.error(
                key,
                f"'{key}' looks like a misspelt 'private:'; refusing to publish what it holds",
                hint="write private: (everything under it stays on your machine)",
            )
    pid = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if slugify(pid) != pid:
        reader.error(
            None,
            f"person id '{pid}' (the file name) must be lowercase letters, digits and hyphens",
            hint=f"rename the file to {slugify(pid) or 'x'}.md",
        )
    elif problem := segment_problem(pid):
        reader.error(
            None,
            f"person id '{_short(pid)}' (the file name, and the folder people/{_short(pid)}/) "
            f"{problem}",
            hint=f"rename the file, e.g. to {pid[:40]}-1.md",
        )
    name = reader.text("name")
    if not name:
        reader.error(None, "a person needs a 'name'", hint="add: name: Maya Okafor")
    url = reader.text("url")
    if url is not None and not is_http_url(url):
        reader.error("url", f"url '{url}' is not an http or https URL")
        url = None
    feeds = reader.words("feeds")
    for feed in feeds:
        if is_http_url(feed) or is_local_feed(feed):
            continue
        if ":" in feed.split("/")[0] and feed[1:2] != ":":
            reader.error("feeds", f"feed '{feed}' is not an http or https URL")
        else:
            reader.error(
                "feeds",
                f"feed '{feed}' is not a file inside the salon folder",
                hint="a local feed is a path relative to the salon folder, like "
                "feeds/ada.xml (no '..', not absolute)",
            )
    avatar = reader.text("avatar")
    if avatar is not None and not (avatar.startswith("/") or is_http_url(avatar)):
        reader.error("avatar", f"avatar '{avatar}' must be a site path (/static/...) or a URL")
    private = fm.data.get("private")
    if private is not None and not isinstance(private, dict):
        reader.error(
            "private",
            "private: expected a mapping of keys to values",
            hint="private:\n    birthday: 1990-04-12",
        )
        private = None
    public = reader.flag("public", True)
    introducible = reader.flag("introducible", True)
    full_text = reader.flag("full_text", False)
    fetch_every = None
    if (every := reader.text("fetch_every")) is not None:
        try:
            fetch_every = parse_duration(every)
        except ValueError as e:
            reader.error("fetch_every", f"fetch_every: {e}")
        else:
            if fetch_every < timedelta(minutes=5):
                reader.error(
                    "fetch_every",
                    f"fetch_every: '{every}' is too often",
                    hint="poll a friend's feed at most every 5 minutes",
                )
    interests = tuple(dict.fromkeys(i.lower() for i in reader.words("interests")))
    for interest in interests:
        if problem := segment_problem(interest_slug(interest)):
            reader.error(
                "interests",
                f"interest '{_short(interest)}' names the folder "
                f"interests/{_short(interest_slug(interest))}/, which {problem}",
                hint="use another word for it, or list this spelling under another "
                "interest in salon.toml: [interests.aliases]",
            )
    if any(d.is_error for d in reader.diags) or not name:
        return None, tuple(reader.diags)
    person = Person(
        id=pid,
        source=path,
        url_path=f"people/{pid}/",
        name=" ".join(name.split()),
        url=url,
        feeds=feeds,
        interests=interests,
        avatar=avatar,
        public=public,
        introducible=introducible,
        full_text=full_text,
        fetch_every=fetch_every,
        html=md.html,
        extra=MappingProxyType(extra),
    )
    fields: Mapping[str, Any] = MappingProxyType(dict(private or {}))
    return (person, PrivateProfile(person_id=pid, source=path, fields=fields)), tuple(reader.diags)
