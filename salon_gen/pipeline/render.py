"""Rendering the site's HTML pages with Jinja.

Owns the Jinja environment (default theme inside the package, a project theme overriding
template by template, `StrictUndefined`, autoescape), the list of pages a `Site` has and
the variables each template gets (documented in docs/theme.md). Returns `OutputFile`s and
diagnostics; a template error names the template file and line. Must not write files.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from salon_gen import __version__
from salon_gen.content.redirects import alias_output
from salon_gen.conversation.received import Received
from salon_gen.core.errors import Diagnostic
from salon_gen.core.interests import canonical
from salon_gen.core.model import Config, Note, OutputFile, Page, Person, Site, StaticFile
from salon_gen.core.urls import (
    absolute,
    domain_of,
    is_http_url,
    safe_output_path,
    site_path,
    slugify,
)
from salon_gen.pipeline import river
from salon_gen.pipeline.depends import FrozenReads, Reads, watch
from salon_gen.pipeline.relative import relativize

THEME_ROOT = Path(__file__).resolve().parents[1] / "themes" / "default"
Environment = jinja2.Environment  # for modules that keep one and must not import Jinja
HOME_ITEMS = 10
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedLink:
    title: str
    href: str  # absolute
    type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PageMeta:
    """What every page's <head> needs: see docs/theme.md."""

    path: str
    kind: str
    title: str
    heading: str
    description: str
    canonical: str
    og_type: str
    image: str | None
    feeds: tuple[FeedLink, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PageJob:
    """One page to render: where it goes, with which template and variables."""

    path: str  # site-relative URL path ("notes/x/", "" for home, "404.html")
    template: str
    meta: PageMeta
    variables: Mapping[str, Any]
    sources: tuple[str, ...] = ()  # content files it shows (for incremental rebuilds)

    @property
    def output(self) -> str:
        if self.path.lower().endswith((".html", ".htm")):  # an alias may name a .htm file
            return self.path
        return f"{self.path}index.html"


class _Environment(jinja2.Environment):
    """Jinja's environment, noting the name of every template a render loads (extends,
    include, import all come through here), so a template edit re-renders only the pages
    that used it."""

    recording: Reads | None = None

    def get_template(self, name: Any, *args: Any, **kwargs: Any) -> jinja2.Template:
        if self.recording is not None and isinstance(name, str):
            self.recording.templates.add(name)
        return super().get_template(name, *args, **kwargs)

    def select_template(self, names: Any, *args: Any, **kwargs: Any) -> jinja2.Template:
        if self.recording is not None and not isinstance(names, jinja2.Undefined):
            self.recording.templates.update(n for n in names if isinstance(n, str))
        return super().select_template(names, *args, **kwargs)


def make_environment(
    config: Config, theme_dir: Path | None, *, bytecode: Path | None = None
) -> jinja2.Environment:
    """The Jinja environment: project theme first, then the package's default theme.
    `bytecode`: a folder (of this user's, outside the salon: it holds code) where compiled
    templates are kept between processes, each checked against its source's checksum."""
    default = jinja2.FileSystemLoader(str(THEME_ROOT / "templates"))
    loaders: list[jinja2.BaseLoader] = []
    if theme_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(theme_dir)))
    loaders += [jinja2.PrefixLoader({"default": default}), default]
    env = _Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        # Jinja folds a filter applied to a constant at compile time: the compiled code
        # holds what the filters below made of this config, so it is kept per config.
        bytecode_cache=_bytecode_cache(bytecode, repr(config).encode()),
    )
    zone = ZoneInfo(config.timezone)
    env.filters["url"] = lambda path: site_path(config.base_path, str(path))
    env.filters["absolute"] = lambda path: absolute(config.base_url, str(path))
    env.filters["date"] = lambda when: human_date(when.astimezone(zone))
    env.filters["isodate"] = lambda when: when.astimezone(zone).isoformat()
    env.filters["domain"] = domain_of
    env.filters["slug"] = slugify
    # A tag or an interest as written -> the slug of its interest, aliases applied.
    env.filters["interest"] = lambda name: canonical(str(name), config.interests.aliases)
    # A feed that is a file in the salon (`feeds/ada.xml`) is read, never linked: no page
    # can reach it, and the owner's folder is not published.
    env.tests["http_url"] = is_http_url
    env.globals["salon_version"] = __version__
    return env


def _bytecode_cache(folder: Path | None, context: bytes) -> jinja2.BytecodeCache | None:
    if folder is None:
        return None
    folder = folder / hashlib.blake2b(context, digest_size=8).hexdigest()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None  # no cache: templates are compiled every time, as without one
    return jinja2.FileSystemBytecodeCache(str(folder))


def human_date(when: datetime) -> str:
    """ "5 March 2026": the same in every locale, so output never depends on the machine."""
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def theme_statics(
    default: Sequence[StaticFile], project: Sequence[StaticFile], extra_css: str
) -> tuple[tuple[StaticFile, ...], tuple[OutputFile, ...]]:
    """The default theme's static files overridden by the project theme's; generated CSS."""
    files = {s.dest: s for s in default} | {s.dest: s for s in project}
    return tuple(files[k] for k in sorted(files)), (
        OutputFile("theme/pygments.css", extra_css.encode("utf-8")),
    )


def plan_pages(
    site: Site, received: Sequence[Received] = (), gone: Sequence[str] = ()
) -> tuple[PageJob, ...]:
    """Every HTML page of the site, with its template and variables (docs/theme.md).
    `received`: the Webmentions received, shown under the page each one targets. `gone`:
    the site paths of posts deleted after mentions were sent for them, each given a page
    saying so (unless the site has a page there again)."""
    cfg = site.config
    responses: dict[str, list[Received]] = {}
    for mention in received:
        responses.setdefault(mention.target, []).append(mention)
    make = _MetaMaker(site)
    jobs: list[PageJob] = []
    notes = [n for n in site.notes if n.kind == "note"]
    shares = [n for n in site.notes if n.kind == "share"]
    jobs.append(
        PageJob(
            path="",
            template="home.html",
            meta=make("", "home", cfg.title),
            variables={
                "notes": tuple(notes[:HOME_ITEMS]),
                "shares": tuple(shares[:HOME_ITEMS]),
                "entries": site.entries[: river.HOME_ENTRIES],
            },
            sources=tuple(n.source for n in site.notes[: 2 * HOME_ITEMS]),
        )
    )
    people = {p.id: p for p in site.people}
    for kind, items in (("note", notes), ("share", shares)):
        for i, note in enumerate(items):
            variables: dict[str, Any] = {
                "note": note,
                "newer": items[i - 1] if i > 0 else None,
                "older": items[i + 1] if i + 1 < len(items) else None,
                "responses": tuple(responses.get(absolute(cfg.base_url, note.url), ())),
            }
            if kind == "note":
                variables["mentioned"] = tuple(people[p] for p in note.people if p in people)
            else:
                pid = note.via.person_id if note.via else None
                variables["via_person"] = people.get(pid) if pid else None
            jobs.append(
                PageJob(
                    path=note.url,
                    template=f"{kind}.html",
                    meta=make.for_note(note),
                    variables=variables,
                    sources=(note.source,),
                )
            )
    jobs.append(
        PageJob(
            path="shares/",
            template="shares.html",
            meta=make("shares/", "shares", "Shares", "Links worth reading, with commentary."),
            variables={"notes": tuple(shares)},
        )
    )
    jobs.append(
        PageJob(
            path="interests/",
            template="interests.html",
            meta=make(
                "interests/",
                "interests",
                "Interests",
                f"What {cfg.title} writes and reads about, and who shares each interest.",
            ),
            variables={
                "interests": tuple(
                    sorted(site.interests, key=lambda i: (i.name.casefold(), i.slug))
                )
            },
        )
    )
    for interest in site.interests:
        feeds = (
            (
                FeedLink(
                    title=f"{cfg.title}: {interest.name}",
                    type="application/atom+xml",
                    href=absolute(cfg.base_url, interest.url + "feed.xml"),
                ),
            )
            if interest.has_feed
            else ()
        )
        jobs.append(
            PageJob(
                path=interest.url,
                template="interest.html",
                meta=make(
                    interest.url,
                    "interest",
                    interest.name,
                    f"“{interest.name}” in {cfg.title}: writing, reading and people.",
                    extra_feeds=feeds,
                ),
                variables={"interest": interest, "entries": river.on_interest(interest)},
                sources=tuple(n.source for n in interest.notes)
                + tuple(p.source for p in (*interest.people, *interest.learned_people)),
            )
        )
    jobs.append(
        PageJob(
            path="archive/",
            template="archive.html",
            meta=make("archive/", "archive", "Archive"),
            variables={"years": site.years, "year": None},
        )
    )
    for year in site.years:
        path = f"archive/{year.year}/"
        jobs.append(
            PageJob(
                path=path,
                template="archive.html",
                meta=make(path, "archive", f"Archive: {year.year}"),
                variables={"years": (year,), "year": year},
            )
        )
    for page in site.pages:
        jobs.append(
            PageJob(
                path=page.url,
                template="page.html",
                meta=make(page.url, "page", page.title),
                variables={"page": page},
                sources=(page.source,),
            )
        )
    jobs.append(
        PageJob(
            path="people/",
            template="people.html",
            meta=make("people/", "people", "People", f"The people in {cfg.title}."),
            variables={"people": site.people},
        )
    )
    for person in site.people:
        jobs.append(
            PageJob(
                path=person.url_path,
                template="person.html",
                meta=make.for_person(person),
                variables={
                    "person": person,
                    "notes": _mentioning(site.notes, person),
                    "entries": river.of_person(site.entries, person),
                },
                sources=(person.source,),
            )
        )
    for reading in river.river_pages(site.entries, cfg.reading.per_page, ZoneInfo(cfg.timezone)):
        title = "Reading" if reading.pager.page == 1 else f"Reading, page {reading.pager.page}"
        jobs.append(
            PageJob(
                path=reading.path,
                template="reading.html",
                meta=make(
                    reading.path,
                    "reading",
                    title,
                    f"What the people in {cfg.title} have been writing.",
                ),
                variables={"days": reading.days, "pager": reading.pager},
            )
        )
    if cfg.search:  # the index itself is written after the build (search.py)
        jobs.append(
            PageJob(
                path="search/",
                template="search.html",
                meta=make("search/", "search", "Search", f"Search {cfg.title}."),
                variables={},
            )
        )
    jobs.append(
        PageJob(
            path="404.html",
            template="404.html",
            meta=make("404.html", "404", "Page not found"),
            variables={},
        )
    )
    jobs += _redirects(site, make)
    taken = {j.output for j in jobs}
    for path in gone:
        job = PageJob(
            path=path, template="gone.html", meta=make(path, "gone", "Gone"), variables={}
        )
        if safe_output_path(job.output) and job.output not in taken:
            jobs.append(job)
    return tuple(jobs)


def _redirects(site: Site, make: _MetaMaker) -> list[PageJob]:
    """A page at every old URL of a shown note or page, sending readers to it (assemble
    has refused aliases that would replace another file)."""
    jobs: list[PageJob] = []
    items: list[Note | Page] = [*site.notes, *site.pages]
    for item in items:
        for alias in item.aliases:
            out = alias_output(alias)
            if not safe_output_path(out):  # never outside the site, whoever made the alias
                continue
            meta = make(item.url, "redirect", item.title)
            jobs.append(
                PageJob(
                    path=out.removesuffix("index.html") if out.endswith("/index.html") else out,
                    template="redirect.html",
                    meta=meta,
                    variables={"target": item},
                    sources=(item.source,),
                )
            )
    return jobs


def _mentioning(notes: Sequence[Note], person: Person) -> tuple[Note, ...]:
    return tuple(
        n
        for n in notes
        if person.id in n.people or (n.via is not None and n.via.person_id == person.id)
    )


class _MetaMaker:
    def __init__(self, site: Site) -> None:
        cfg = site.config
        self.site = site
        self.feeds = (
            FeedLink(
                title=f"{cfg.title} (Atom)",
                type="application/atom+xml",
                href=absolute(cfg.base_url, "feed.xml"),
            ),
            FeedLink(
                title=f"{cfg.title} (RSS)",
                type="application/rss+xml",
                href=absolute(cfg.base_url, "rss.xml"),
            ),
            FeedLink(
                title=f"{cfg.title} (JSON Feed)",
                type="application/feed+json",
                href=absolute(cfg.base_url, "feed.json"),
            ),
        )
        avatar = cfg.author.avatar
        self.image = absolute(cfg.base_url, avatar) if avatar else None

    def __call__(
        self,
        path: str,
        kind: str,
        heading: str,
        description: str = "",
        *,
        og_type: str = "website",
        image: str | None = None,
        extra_feeds: tuple[FeedLink, ...] = (),
    ) -> PageMeta:
        cfg = self.site.config
        title = heading if kind == "home" else f"{heading} \u2013 {cfg.title}"
        canonical = absolute(cfg.base_url, path) if path != "404.html" else cfg.base_url
        return PageMeta(
            path=path,
            kind=kind,
            title=title,
            heading=heading,
            description=description or cfg.description,
            canonical=canonical,
            og_type=og_type,
            image=image or self.image,
            feeds=self.feeds + extra_feeds,
        )

    def for_note(self, note: Note) -> PageMeta:
        return self(
            note.url, note.kind, note.title, note.summary or note.excerpt, og_type="article"
        )

    def for_person(self, person: Person) -> PageMeta:
        cfg = self.site.config
        image = absolute(cfg.base_url, person.avatar) if person.avatar else None
        return self(
            person.url_path,
            "person",
            person.name,
            f"{person.name}, in {cfg.title}.",
            og_type="profile",
            image=image,
        )


def render_pages(
    site: Site,
    env: jinja2.Environment,
    jobs: Sequence[PageJob],
    relpath: Callable[[str], str],
    *,
    reads: dict[str, FrozenReads | None] | None = None,
) -> tuple[tuple[OutputFile, ...], tuple[Diagnostic, ...]]:
    """Render `jobs`; template problems become diagnostics naming the template and line.

    With `reads`, each template sees its values through `depends.watch`, and
    `reads[job.output]` gets the fields the page read; None for a page that renders only
    unwatched (a theme doing something the wrappers cannot follow): it depends on anything.
    """
    out: list[OutputFile] = []
    problems: dict[tuple[str, int | None, str], Diagnostic] = {}
    templates: dict[str, jinja2.Template] = {}
    people_by_id = {p.id: p for p in site.people}
    for job in jobs:
        try:
            template = templates.get(job.template)
            if template is None:
                template = templates[job.template] = env.get_template(job.template)
            if reads is None:
                html = template.render(
                    site=site, meta=job.meta, people_by_id=people_by_id, **job.variables
                )
            else:
                html, reads[job.output] = _render_watched(env, template, site, job, people_by_id)
        except jinja2.TemplateSyntaxError as e:
            d = Diagnostic(
                path=relpath(e.filename or job.template),
                line=e.lineno,
                message=f"template syntax: {e.message}",
            )
            problems.setdefault((d.path, d.line, d.message), d)
            continue
        except jinja2.TemplateNotFound as e:
            d = Diagnostic(
                path=job.template,
                message=f"template not found: {e.name}",
                hint="a theme's templates live in themes/<name>/templates/",
            )
            problems.setdefault((d.path, d.line, d.message), d)
            continue
        except Exception as e:  # any error raised inside a template is the theme's
            path, line = _template_frame(e, job.template)
            message = (
                str(e) if isinstance(e, jinja2.UndefinedError) else (f"{type(e).__name__}: {e}")
            )
            d = Diagnostic(
                path=relpath(path),
                line=line,
                message=f"template: {message}",
                hint=f"while rendering /{job.path}",
            )
            problems.setdefault((d.path, d.line, d.message), d)
            continue
        if job.output != "404.html":  # served for any missing URL, at any depth: kept rooted
            html = relativize(html, job.output, site.config.base_path)
        out.append(OutputFile(job.output, html.encode("utf-8")))
    return tuple(out), tuple(problems.values())


def _render_watched(
    env: jinja2.Environment,
    template: jinja2.Template,
    site: Site,
    job: PageJob,
    people_by_id: Mapping[str, Person],
) -> tuple[str, FrozenReads | None]:
    """Render with every value watched and every template noted; if the wrappers get in the
    theme's way, render plainly and say the page depends on anything (None). A real
    template error is raised by the plain render too."""
    seen = Reads()
    seen.templates.add(job.template)
    recording = env if isinstance(env, _Environment) else None
    try:
        if recording is not None:
            recording.recording = seen
        variables = {k: watch(v, seen) for k, v in job.variables.items()}
        html = template.render(
            site=watch(site, seen),
            meta=job.meta,
            people_by_id=watch(people_by_id, seen),
            **variables,
        )
        return html, seen.freeze() if recording is not None else None
    except Exception:
        html = template.render(site=site, meta=job.meta, people_by_id=people_by_id, **job.variables)
        return html, None
    finally:
        if recording is not None:
            recording.recording = None


def _template_frame(error: BaseException, fallback: str) -> tuple[str, int | None]:
    """The innermost template file and line in the traceback Jinja rewrote for us."""
    found: tuple[str, int | None] = (fallback, None)
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".j2", ".jinja")):
            found = (frame.filename, frame.lineno)
    return found
