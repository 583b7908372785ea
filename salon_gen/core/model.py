"""The values that flow between salon's stages.

Owns the vocabulary: `Config`, `Note` (what the owner writes; a share is a note that carries
a `Link`), `Page`, `Person`, `Interest`, `Site` (everything assembled, ready to render) and
`OutputFile`. Every value is frozen, collections are tuples, datetimes are aware UTC.
Must not import anything from salon but `errors`, and must not touch the world.

Private data (a person's `private:` mapping) has its own type, `PrivateProfile`, and is never
part of `Site`: what is not in `Site` cannot reach a template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal

NoteKind = Literal["note", "share"]
# What a changed file in the salon folder can change: nothing, content, the theme, the config.
ChangeKind = Literal["ignore", "content", "theme", "config"]

EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return EMPTY


# --- configuration ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Author:
    name: str
    url: str | None = None
    email: str | None = None
    avatar: str | None = None  # a site path ("/static/me.jpg") or an absolute URL


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedOptions:
    items: int = 20  # entries in each outgoing feed
    full_content: bool = True  # False: summaries only


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchOptions:
    interval: timedelta = timedelta(hours=1)  # least time between two polls of one feed
    concurrency: int = 8  # feeds fetched at once
    timeout: float = 60.0  # seconds for one whole request, redirects included
    max_size_mb: int = 10  # a bigger feed body (on the wire or unpacked) is refused


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadingOptions:
    per_page: int = 50  # entries on each page of /reading/


@dataclass(frozen=True, slots=True, kw_only=True)
class DeployOptions:
    # where `salon deploy` puts the site: "folder:PATH", "rsync:[USER@]HOST:PATH" or
    # "git:BRANCH" (see deploy.py); None: only `salon deploy --to` says
    target: str | None = None
    repository: str = "."  # for git: the repository to push the branch to (path or URL)


@dataclass(frozen=True, slots=True, kw_only=True)
class InterestOptions:
    # slug of a spelling -> slug of its interest ("ml" -> "machine-learning"); see interests.py
    aliases: Mapping[str, str] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True, kw_only=True)
class WebmentionOptions:
    """Receiving Webmentions through a service (webmention.io or alike): see received.py."""

    endpoint: str | None = None  # advertised on every page with <link rel="webmention">
    api: str | None = None  # the service's jf2 feed of mentions received
    token_env: str = "WEBMENTION_TOKEN"  # the environment variable holding the API token
    hidden: tuple[str, ...] = ()  # URLs of mentions the owner does not want shown


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    title: str
    base_url: str  # absolute http(s) URL, always ending in "/"
    author: Author
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"  # IANA name, applied to dates written without a zone
    identities: tuple[str, ...] = ()  # rel=me URLs
    theme: str | None = None  # name of a folder under themes/
    output_dir: str = "site"
    hub: str | None = None  # a WebSub hub the feeds advertise and `salon ping` notifies
    feeds: FeedOptions = field(default_factory=FeedOptions)
    fetch: FetchOptions = field(default_factory=FetchOptions)
    reading: ReadingOptions = field(default_factory=ReadingOptions)
    interests: InterestOptions = field(default_factory=InterestOptions)
    search: bool = True  # a /search/ page and a Pagefind index written after the build
    deploy: DeployOptions = field(default_factory=DeployOptions)
    webmention: WebmentionOptions = field(default_factory=WebmentionOptions)

    @property
    def base_path(self) -> str:
        """The path part of base_url ("/" or "/blog/"): the prefix of every site link."""
        rest = self.base_url.split("://", 1)[1]
        slash = rest.find("/")
        return rest[slash:] if slash >= 0 else "/"


# --- content ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """The page a share points at."""

    url: str  # absolute http(s) URL
    title: str  # the linked page's title, else its domain
    domain: str  # host without a leading "www."


@dataclass(frozen=True, slots=True, kw_only=True)
class Via:
    """Credit for where the owner found a share: a person in the salon, or a URL."""

    name: str
    url: str | None = None
    person_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """Something the owner wrote: a note, or a share (a note that carries a `link`)."""

    kind: NoteKind
    source: str  # path of the file, relative to the salon folder ("content/notes/x.md")
    slug: str
    url: str  # site-relative path of its page, "notes/x/"
    # feed entry id: `id:`, else the one made from base_url's host, the date and the file's
    # path; `assemble` replaces the latter with the id the note was first published with
    entry_id: str
    title: str  # plain text
    date: datetime  # aware, UTC
    updated: datetime | None = None
    tags: tuple[str, ...] = ()
    summary: str | None = None  # plain text, from front matter
    excerpt: str = ""  # plain text, the start of the body
    draft: bool = False
    html: str = ""  # rendered body; links to other notes already resolved
    link: Link | None = None
    via: Via | None = None
    people: tuple[str, ...] = ()  # ids of people the note is about
    # Publication (see notes.py for every front-matter form that sets these):
    private: bool = False  # `private: true`: never published, not even with --drafts
    publish_date: datetime | None = None  # Hugo `publishDate`: hidden until then
    expires: datetime | None = None  # Hugo `expiryDate`: hidden from then on
    # Old URLs that must keep working (Hugo `aliases`, Jekyll `redirect_from`): safe
    # site-relative paths without a leading slash, "2019/03/old-title/" or "old.html".
    aliases: tuple[str, ...] = ()
    # front-matter keys salon does not know, kept for templates
    extra: Mapping[str, Any] = field(default_factory=_empty)
    explicit_id: bool = False  # `entry_id` is the front matter's `id:`
    body_digest: str = ""  # `entry_ids.digest` of the Markdown body: how a renamed note is known

    @property
    def is_share(self) -> bool:
        return self.kind == "share"

    @property
    def live_from(self) -> datetime:
        """The moment the note may first be published: its date, or a later publishDate."""
        if self.publish_date is not None and self.publish_date > self.date:
            return self.publish_date
        return self.date

    def is_live(self, now: datetime) -> bool:
        """Published as of `now`: not a draft, not private, due and not expired."""
        if self.draft or self.private or self.live_from > now:
            return False
        return self.expires is None or now < self.expires


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """A standalone page (about, now, ...), linked from the navigation."""

    source: str
    slug: str
    url: str  # "about/"
    title: str
    html: str = ""
    nav: bool = True
    weight: int = 0
    draft: bool = False
    private: bool = False  # never published, not even with --drafts
    publish_date: datetime | None = None  # hidden until then
    expires: datetime | None = None  # hidden from then on
    aliases: tuple[str, ...] = ()  # old URLs that redirect here (see Note.aliases)
    extra: Mapping[str, Any] = field(default_factory=_empty)

    def is_live(self, now: datetime) -> bool:
        """Published as of `now`: not a draft, not private, due and not expired."""
        if self.draft or self.private:
            return False
        if self.publish_date is not None and self.publish_date > now:
            return False
        return self.expires is None or now < self.expires


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """A person in the salon, as the public may see them. Holds nothing private."""

    id: str
    source: str
    url_path: str  # site-relative path of their page, "people/<id>/"
    name: str
    url: str | None = None  # their own site
    feeds: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    avatar: str | None = None
    public: bool = True
    introducible: bool = True
    full_text: bool = False  # their entries' full text may be republished here
    fetch_every: timedelta | None = None  # overrides [fetch] interval for their feeds
    html: str = ""  # their short public description
    extra: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateProfile:
    """What the owner keeps about a person that must never be published."""

    person_id: str
    source: str
    fields: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True, kw_only=True)
class StaticFile:
    source: str  # absolute path on disk
    dest: str  # site-relative path, "static/avatar.svg"


# --- assembled --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Interest:
    """A topic of the salon: where the owner's tags, people's declared interests and followed
    entries' categories meet, every spelling folded into one by `[interests.aliases]`."""

    name: str  # shown: the most used spelling of its own slug, else the slug ("static-sites")
    slug: str  # aliases applied: "ml" and "machine learning" are both "machine-learning"
    url: str  # "interests/<slug>/"
    notes: tuple[Note, ...]  # the owner's published notes and shares on it, newest first
    entries: tuple[FeedEntry, ...]  # followed public people's entries on it, newest first
    people: tuple[Person, ...]  # public people who declare it in `interests:`, by name
    # public people who do not declare it but whose recent entries carry it, by name
    learned_people: tuple[Person, ...] = ()
    # spellings seen in tags and declared interests that `[interests.aliases]` folded into
    # this one ("ml" for "machine-learning"), sorted
    aliases: tuple[str, ...] = ()

    @property
    def has_feed(self) -> bool:
        """Only the owner's own writing is syndicated: no notes, no feed."""
        return bool(self.notes)


@dataclass(frozen=True, slots=True, kw_only=True)
class Year:
    year: int
    notes: tuple[Note, ...]  # newest first


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """Everything a theme and the feeds may show, assembled and checked."""

    config: Config
    notes: tuple[Note, ...]  # published notes and shares, newest first
    pages: tuple[Page, ...]  # by weight, then title
    people: tuple[Person, ...]  # public people only, by name
    interests: tuple[Interest, ...]  # by slug
    years: tuple[Year, ...]  # newest first
    statics: tuple[StaticFile, ...] = ()
    entries: tuple[FeedEntry, ...] = ()  # followed public people's entries, newest first

    @property
    def shares(self) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.kind == "share")

    @property
    def nav_pages(self) -> tuple[Page, ...]:
        return tuple(p for p in self.pages if p.nav)


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the built site: where it goes and its exact bytes."""

    path: str  # site-relative, forward slashes, never absolute, never ".."
    data: bytes


# --- following people (fetched feeds) ------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedEntry:
    """An entry of a followed person's feed: parsed, sanitized, normalised.

    Titles and summaries are plain text; `content_html` has passed the allowlist sanitizer;
    `link` is an absolute http(s) URL or None. Dates are aware UTC; when the feed gave no
    usable date, `date_guessed` is True and the store keeps the first time it saw the entry.
    """

    feed_url: str
    entry_id: str  # the feed's id, else its link, else a hash of its content
    title: str
    link: str | None
    published: datetime
    updated: datetime
    summary: str = ""  # plain text, a short excerpt
    content_html: str = ""  # sanitized HTML; shown only when the person allows full text
    categories: tuple[str, ...] = ()
    author: str | None = None
    date_guessed: bool = False
    person_id: str = ""  # filled in by assemble: whose feed this is


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchResult:
    """What one HTTP fetch of a feed came to. Never an exception: failures are values."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int | None  # None when no HTTP answer came (DNS, refused, timeout, too big...)
    body: bytes | None = None  # the decoded body of a 200
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    links: tuple[str, ...] = ()  # every Link header of the final answer, as sent
    retry_after: str | None = None  # raw header: seconds or an HTTP date
    cache_control: str | None = None
    error: str | None = None  # what went wrong, for a person to read
    permanent_redirect: str | None = None  # where 301/308 (all permanent) say the feed lives
    redirects: tuple[tuple[int, str], ...] = ()  # (status, location) in order


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedState:
    """Everything salon remembers about polling one feed URL."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None  # of the last body parsed: the same body is never reparsed
    title: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    failures: int = 0  # consecutive
    next_due: datetime | None = None
    gone: bool = False  # 410: never polled again, entries kept
    moved_to: str | None = None  # a permanent redirect's target, to be fixed in the person file
    entry_count: int = 0
