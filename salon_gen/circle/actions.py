"""The owner's circle, as `salon introduce`, `introduced`, `checkin`, `remind` and
`calendar` need it, and the private calendar `salon build` writes.

Shell. Owns loading the salon for those commands (config, every person with their
`Contact`, the owner's notes, the feed store's entries and states), recording a check-in or
an introduction in person files (through `logbook`), writing introduction drafts and
`private/salon.ics`. Must not print, and must never write under the site's output folder
(the leak guard's side of the build is `leaks`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from salon_gen.circle.contacts import Contact, Kept, parse_contact
from salon_gen.circle.introductions import Suggestion, introduction_text
from salon_gen.content import personfile, sources
from salon_gen.content.parse import parse_note
from salon_gen.core.errors import BuildFailed, Diagnostic, did_you_mean, has_errors
from salon_gen.core.model import Config, FeedEntry, FeedState, Note, Person
from salon_gen.following.follow import open_store, read_people
from salon_gen.text import frontmatter
from salon_gen.workspace.state import CALENDAR_FILE, PRIVATE_DIR, StatePaths
from salon_gen.writing.personedit import EditRefused, append_entry, changed_underneath, write_text
from salon_gen.writing.share import verify_front_matter, yaml_list, yaml_text

if TYPE_CHECKING:
    from salon_gen.circle.reminders import LinksOf
    from salon_gen.text.markdown import RenderedMarkdown


def calendar_path(root: Path) -> Path:
    return root / PRIVATE_DIR / CALENDAR_FILE


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Circle:
    """Everything the people commands read, private parts included. Never rendered."""

    config: Config
    zone: ZoneInfo
    people: tuple[Person, ...]  # everyone, `public: false` included, by name
    contacts: Mapping[str, Contact]
    notes: tuple[Note, ...]  # every note and share that reads (drafts too: callers decide)
    entries: tuple[FeedEntry, ...]  # every stored entry of everyone's feeds, newest first
    states: Mapping[str, FeedState]
    warnings: tuple[Diagnostic, ...] = ()

    def person(self, person_id: str) -> Person:
        """The person with this id, or BuildFailed with a did-you-mean hint."""
        for p in self.people:
            if p.id == person_id:
                return p
        raise unknown_person(person_id, [p.id for p in self.people])


def unknown_person(person_id: str, ids: Sequence[str]) -> BuildFailed:
    return BuildFailed(
        [
            Diagnostic(
                path=f"{sources.CONTENT_DIR}/people/",
                message=f"nobody with the id '{person_id}' (no content/people/{person_id}.md)",
                hint=did_you_mean(person_id, ids) or "ids are the file names in content/people/",
            )
        ]
    )


def _render(bodies: Mapping[str, str], paths: StatePaths) -> dict[str, RenderedMarkdown]:
    """Rendered Markdown by cache key: from the build's render cache when there is one
    (read only: the build owns it), else rendered here."""
    from salon_gen.content.rendercache import RenderCache
    from salon_gen.text.markdown import MarkdownRenderer

    done: dict[str, RenderedMarkdown] = {}
    if paths.render_cache.exists():
        with RenderCache(paths.render_cache) as cache:
            done = cache.get_many(bodies)
    renderer: MarkdownRenderer | None = None
    for key, body in bodies.items():
        if key not in done:
            renderer = renderer or MarkdownRenderer()
            done[key] = renderer.render(body)
    return done


def read_contacts(
    kept: Sequence[Kept], everyone: Sequence[Person] = ()
) -> tuple[dict[str, Contact], tuple[Diagnostic, ...]]:
    """Each person's Contact by id; every bad private value as a diagnostic on its line."""
    ids = {p.id for p in everyone} | {p.id for p, _, _ in kept}
    contacts: dict[str, Contact] = {}
    diags: list[Diagnostic] = []
    for person, profile, text in kept:
        contact, problems = parse_contact(profile, text, ids)
        contacts[person.id] = contact
        diags += problems
    return contacts, tuple(diags)


def load(root: Path) -> Circle:
    """Read the salon at `root` for the people commands; BuildFailed on any error."""
    from salon_gen.content.rendercache import cache_key

    config, diags = sources.checked_config(root)
    zone = ZoneInfo(config.timezone)
    found = list(diags)
    tree, problems = sources.read_content(root, kinds=("notes", "shares", "people"))
    found += problems
    parsed: list[tuple[str, sources.SourceFile, frontmatter.FrontMatter, str]] = []
    person_files: dict[str, personfile.PersonFile] = {}
    for kind, files in (("note", tree.notes), ("share", tree.shares), ("person", tree.people)):
        for f in files:
            if kind == "person":
                pf = person_files[f.path] = personfile.parse(f.path, f.text)
                fm, problems = pf.front, pf.problems
            else:
                fm, problems = frontmatter.split(f.text, f.path)
            found += problems
            if fm is not None:
                parsed.append((kind, f, fm, cache_key(fm.body)))
    paths = StatePaths(root=root)
    rendered = _render({key: fm.body for _, _, fm, key in parsed}, paths)
    people: list[Person] = []
    kept: list[Kept] = []
    values: list[Note] = []
    for kind, f, fm, key in parsed:
        if kind == "person":
            pair, problems = personfile.values(person_files[f.path], rendered[key])
            if pair is not None:
                people.append(pair[0])
                kept.append((pair[0], pair[1], f.text))
        else:
            note, problems = parse_note(
                "share" if kind == "share" else "note", f.path, fm, rendered[key], config, zone
            )
            if note is not None:
                values.append(note)
        found += problems
    contacts, problems = read_contacts(kept)
    found += problems
    if has_errors(found):
        raise BuildFailed(found)
    entries: tuple[FeedEntry, ...] = ()
    states: dict[str, FeedState] = {}
    if paths.feeds.exists():
        with open_store(paths) as store:
            states = store.states()
            entries = store.entries(sorted({u for p in people for u in p.feeds}))
    return Circle(
        config=config,
        zone=zone,
        people=tuple(sorted(people, key=lambda p: (p.name, p.id))),
        contacts=contacts,
        notes=tuple(sorted(values, key=lambda n: (n.date, n.source))),
        entries=entries,
        states=states,
        warnings=tuple(d for d in found if not d.is_error),
    )


# --- recording ---------------------------------------------------------------------------------


def _person_files(root: Path) -> dict[str, Path]:
    """Person id -> file, for people whose files read without errors."""
    people, _ = read_people(root)
    return {p.id: root / p.source for p in people}


def _refused(path: Path, root: Path, e: EditRefused) -> BuildFailed:
    return BuildFailed(
        [
            Diagnostic(
                path=path.relative_to(root).as_posix(),
                message=f"cannot record this: {e.message}",
                hint=e.hint,
            )
        ]
    )


def _read(root: Path, path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")  # as it is: line endings included
    except UnicodeDecodeError:
        raise _refused(path, root, EditRefused("the file is not UTF-8")) from None


def _edit(root: Path, path: Path, text: str, key: str, entry: Mapping[str, str]) -> str:
    try:
        return append_entry(text, key, entry)
    except EditRefused as e:
        raise _refused(path, root, e) from None


def _replace(root: Path, path: Path, text: str, read: str) -> None:
    """Write the edit made from `read`; refused if the file changed since it was read."""
    try:
        write_text(path, text, expected=read)
    except EditRefused as e:
        raise _refused(path, root, e) from None


def record_checkin(root: Path, person_id: str, day: date, note: str = "") -> Path:
    """Add `{date, note}` to `private.checkins` of the person's file; return the file."""
    files = _person_files(root)
    path = files.get(person_id)
    if path is None:
        raise unknown_person(person_id, sorted(files))
    entry = {"date": day.isoformat(), **({"note": " ".join(note.split())} if note.strip() else {})}
    read = _read(root, path)
    _replace(root, path, _edit(root, path, read, "checkins", entry), read)
    return path


def record_introduction(root: Path, a: str, b: str, day: date) -> tuple[Path, ...]:
    """Add the introduction to both files' `private.introduced`, each naming the other. A
    file that already names the other is left alone. Both new texts are made and checked
    before either is written. Returns the files written."""
    if a == b:
        raise BuildFailed(
            [
                Diagnostic(
                    path=f"{sources.CONTENT_DIR}/people/",
                    message=f"'{a}' twice: an introduction takes two people",
                )
            ]
        )
    files = _person_files(root)
    for pid in (a, b):
        if pid not in files:
            raise unknown_person(pid, sorted(files))
    texts: list[tuple[Path, str, str]] = []
    for me, other in ((a, b), (b, a)):
        read = _read(root, files[me])
        if personfile.introduced_to(
            personfile.parse(files[me].relative_to(root).as_posix(), read), other
        ):
            continue
        entry = {"person": other, "date": day.isoformat()}
        texts.append((files[me], _edit(root, files[me], read, "introduced", entry), read))
    for path, _, read in texts:  # both unchanged since read, before either is written
        if path.read_bytes() != read.encode("utf-8"):
            raise _refused(path, root, changed_underneath())
    for path, text, read in texts:
        _replace(root, path, text, read)
    return tuple(path for path, _, _ in texts)


# --- drafts and the calendar ----------------------------------------------------------------------


def draft_path(root: Path, s: Suggestion, day: date) -> Path:
    return (
        root
        / sources.CONTENT_DIR
        / "notes"
        / f"{day.isoformat()}-introducing-{s.a.id}-and-{s.b.id}.md"
    )


def render_draft(s: Suggestion, *, owner: str, day: date) -> str:
    """A draft note introducing the two, linking both, naming them in `people:`."""
    title = f"Introducing {s.a.name} and {s.b.name}"
    tags = list(s.interests)
    head = [
        f"title: {yaml_text(title)}",
        f"date: {day.isoformat()}",
        "draft: true",
        f"people: {yaml_list([s.a.id, s.b.id])}",
    ]
    if tags:
        head.append(f"tags: {yaml_list(tags)}")
    text = "---\n" + "\n".join(head) + "\n---\n" + introduction_text(s, owner=owner, markdown=True)
    expected: dict[str, object] = {
        "title": title,
        "date": day.isoformat(),
        "draft": True,
        "people": [s.a.id, s.b.id],
    }
    if tags:
        expected["tags"] = tags
    verify_front_matter(text, expected)
    return text


def write_draft(root: Path, s: Suggestion, *, owner: str, day: date) -> Path:
    """Write the draft; FileExistsError rather than replace one."""
    path = draft_path(root, s, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as f:
        f.write(render_draft(s, owner=owner, day=day))
    return path


def write_calendar(root: Path, data: bytes, output: Path | None = None) -> Path:
    """Write `private/salon.ics` atomically (unchanged bytes: left alone). Refuses, with
    BuildFailed, when the site's output folder is `private/` itself: publishing it would
    publish the calendar."""
    path = calendar_path(root)
    if output is not None and output.resolve() == path.parent.resolve():
        raise BuildFailed(
            [
                Diagnostic(
                    path=sources.CONFIG_FILE,
                    message=f"the output folder is {PRIVATE_DIR}/, where salon keeps your "
                    "private calendar",
                    hint='publish the site from a folder of its own, e.g. output_dir = "site"',
                )
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.read_bytes() == data:
            return path
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=".salon.", suffix=".ics.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_private_calendar(
    root: Path,
    config: Config,
    people: Sequence[Person],
    contacts: Mapping[str, Contact],
    notes: Sequence[Note],
    *,
    now: datetime,
    output: Path | None = None,
    links_of: LinksOf | None = None,
) -> tuple[Path, int]:
    """Make and write `private/salon.ics`; its path and how many events it holds.
    `output`: the site's output folder (default: output_dir of salon.toml). `links_of`:
    each note's links, when the caller keeps them between builds."""
    from salon_gen.circle.reminders import links_of_note, private_calendar

    zone = ZoneInfo(config.timezone)
    data, count = private_calendar(
        config, people, contacts, notes, now=now, zone=zone, links_of=links_of or links_of_note
    )
    if output is None:
        output = Path(config.output_dir)
        output = output if output.is_absolute() else root / output
    return write_calendar(root, data, output), count
