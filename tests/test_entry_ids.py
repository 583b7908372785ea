"""Entry ids that never change (RFC 4287 §4.2.6): the choice itself as a table of pure
cases, then real salons built by the real `salon build` and read back by feedparser, as a
friend's feed reader would, after the owner fixes a date, moves a note into a folder,
renames its file or moves the site to a new domain."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from salon_gen.cli.main import main
from salon_gen.content import entry_ids
from salon_gen.content.entry_ids import Ledger
from salon_gen.core.model import Link, Note
from salon_gen.following.ingest import parse_feed

from .conftest import NOW, write_tree

NOW_ARG = ["--now", "2026-11-22T12:00:00Z"]


def note(
    source: str,
    *,
    title: str = "Letters",
    day: int = 5,
    body: str = "On writing letters.",
    entry_id: str | None = None,
    explicit: bool = False,
    link: str | None = None,
) -> Note:
    stem = source.rsplit("/", 1)[-1].removesuffix(".md")
    return Note(
        kind="share" if link else "note",
        source=source,
        slug=stem,
        url=f"notes/{stem}/",
        entry_id=entry_id or f"tag:example.org,2026-03-0{day}:{stem}",
        title=title,
        date=datetime(2026, 3, day, 12, tzinfo=UTC),
        link=Link(url=link, title=title, domain="example.com") if link else None,
        explicit_id=explicit,
        body_digest=entry_ids.digest(body),
    )


def remembered(*notes: Note) -> Ledger:
    """The ledger a build of `notes` leaves."""
    return entry_ids.assign(Ledger(), notes, {n.source for n in notes}, {}, UTC).ledger()


A = "content/notes/letters.md"
B = "content/notes/2026/on-letters.md"
OLD = "tag:example.org,2026-03-05:letters"


@dataclass(frozen=True)
class Case:
    name: str
    before: tuple[Note, ...]
    after: tuple[Note, ...]
    ids: dict[str, str]  # source -> expected id
    warnings: tuple[str, ...] = ()  # a piece of each warning's text, in order
    kept: tuple[str, ...] | None = None  # the sources the new ledger holds (None: after's)


CASES = [
    Case("nothing changed", (note(A),), (note(A),), {A: OLD}),
    Case("date fixed", (note(A),), (note(A, day=4),), {A: OLD}),
    Case("retitled and rewritten, same file", (note(A),), (note(A, title="Post"),), {A: OLD}),
    Case("renamed, nothing else", (note(A),), (note(B),), {B: OLD}),
    Case("renamed and redated", (note(A),), (note(B, day=7),), {B: OLD}),
    Case("renamed and rewritten", (note(A),), (note(B, body="New words."),), {B: OLD}),
    Case(
        "renamed, retitled, rewritten: only the day agrees, that is no evidence",
        (note(A),),
        (note(B, title="Other", body="Other words."),),
        {B: "tag:example.org,2026-03-05:on-letters"},
    ),
    Case(
        "renamed, redated, rewritten: only the title agrees",
        (note(A),),
        (note(B, day=9, body="Other words."),),
        {B: "tag:example.org,2026-03-09:on-letters"},
        ("may be content/notes/letters.md",),
        kept=(A,),
    ),
    Case(
        "one gone note, two new ones just like it: no guessing",
        (note(A),),
        (note(B), note("content/notes/copy.md")),
        {
            B: "tag:example.org,2026-03-05:on-letters",
            "content/notes/copy.md": "tag:example.org,2026-03-05:copy",
        },
        ("may be content/notes/letters.md", "may be content/notes/letters.md"),
        kept=(A,),
    ),
    Case(
        "two gone notes alike, one new: no guessing",
        (note(A), note("content/notes/letters-2.md")),
        (note(B),),
        {B: "tag:example.org,2026-03-05:on-letters"},
        ("one of content/notes/letters-2.md, content/notes/letters.md",),
        kept=(A, "content/notes/letters-2.md"),
    ),
    Case(
        "two renamed at once, each recognised",
        (note(A), note("content/notes/gardens.md", title="Gardens", day=6, body="Soil.")),
        (note(B), note("content/notes/g.md", title="Gardens", day=6, body="Soil.")),
        {B: OLD, "content/notes/g.md": "tag:example.org,2026-03-06:gardens"},
    ),
    Case(
        "an explicit id wins over the ledger",
        (note(A),),
        (note(A, entry_id="tag:example.org,2020:kept", explicit=True),),
        {A: "tag:example.org,2020:kept"},
    ),
    Case(
        "the hint followed: id: of the gone note",
        (note(A),),
        (note(B, day=9, body="x", entry_id=OLD, explicit=True),),
        {B: OLD},
    ),
    Case(
        "a new note whose made id a moved one already has gets another",
        (note("content/notes/c.md", entry_id=OLD),),
        (note("content/notes/c.md"), note(A, title="New", body="New.")),
        {"content/notes/c.md": OLD, A: OLD + "-2"},
    ),
    Case(
        "another note written over a file keeps the file's id",
        (note(A),),
        (note(A, title="New", day=8, body="New."),),
        {A: OLD},
    ),
    Case(
        "an id copied with a file",
        (note(A, entry_id="tag:x,2020:a", explicit=True),),
        (
            note(A, entry_id="tag:x,2020:a", explicit=True),
            note(B, entry_id="tag:x,2020:a", explicit=True),
        ),
        {A: "tag:x,2020:a", B: "tag:x,2020:a"},
        ("is also the id of content/notes/letters.md",),
    ),
    Case(
        "a share moved and recommented: its link and day agree",
        (note(A, link="https://example.com/essay"),),
        (note(B, title="Essay", body="Better words.", link="https://example.com/essay"),),
        {B: OLD},
    ),
    Case("a deleted note is forgotten", (note(A),), (), {}, kept=()),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_assign(case: Case) -> None:
    done = entry_ids.assign(
        remembered(*case.before), case.after, {n.source for n in case.after}, {}, UTC
    )
    assert dict(done.ids) == case.ids
    assert len(done.diagnostics) == len(case.warnings), done.diagnostics
    for d, text in zip(done.diagnostics, case.warnings, strict=True):
        assert text in d.message and d.severity == "warning"
    kept = tuple(sorted(case.kept if case.kept is not None else (n.source for n in case.after)))
    assert tuple(k.source for k in done.ledger().notes) == kept


def test_the_undecided_note_is_not_remembered_until_the_owner_writes_its_id() -> None:
    after = (note(B, day=9, body="Other words."),)
    first = entry_ids.assign(remembered(note(A)), after, {B}, {B: 2}, UTC)
    (warning,) = first.diagnostics
    assert (warning.path, warning.line) == (B, 2)
    assert f"if it is {A}, add this line to its front matter: id: {OLD}" in (warning.hint or "")
    again = entry_ids.assign(first.ledger(), after, {B}, {B: 2}, UTC)
    assert again.diagnostics == first.diagnostics  # said at every build until decided
    fixed = (note(B, day=9, body="Other words.", entry_id=OLD, explicit=True),)
    done = entry_ids.assign(again.ledger(), fixed, {B}, {}, UTC)
    assert done.diagnostics == () and [(k.source, k.id) for k in done.ledger().notes] == [(B, OLD)]


def test_drafts_are_remembered_only_once_published_or_when_they_inherit_an_id() -> None:
    draft = note("content/notes/draft.md", title="Soon", body="Later.")
    done = entry_ids.assign(Ledger(), (draft,), set(), {}, UTC)
    assert done.ledger().notes == ()
    moved = entry_ids.assign(remembered(note(A)), (note(B),), set(), {}, UTC)  # hidden now
    assert [(k.source, k.id) for k in moved.ledger().notes] == [(B, OLD)]


def test_the_ledger_file_round_trips_and_a_damaged_one_is_kept() -> None:
    ledger = remembered(note(A), note(B, title="Ünïcode", day=7))
    data = entry_ids.dump(ledger)
    assert entry_ids.parse(data, ".salon/entry-ids.json") == (ledger, ())
    assert entry_ids.dump(entry_ids.parse(data, "x")[0]) == data
    assert json.loads(data)["notes"][0]["source"] == B  # sorted by source
    for bad in (b"{", b'{"version": 9, "notes": []}', b'{"version": 1, "notes": [{}]}', b"[]"):
        damaged, (d,) = entry_ids.parse(bad, ".salon/entry-ids.json")
        assert damaged.damaged and d.severity == "warning" and "cannot read" in d.message


# --- real salons, built by `salon build` and read back by feedparser ---------------------

CONFIG = """\
title = "Ids"
base_url = "https://{host}/"
timezone = "UTC"

[author]
name = "Ada"
"""
LETTERS = "---\ntitle: Letters\ndate: {day}\n---\nOn writing letters to friends.\n"
GARDEN = "---\ntitle: The garden\ndate: 2026-03-06\n---\nWhat grows in March.\n"
SHARE = "---\nlink: https://example.com/essay\ntitle: An essay\ndate: 2026-03-07\n---\nRead it.\n"


def build(root: Path, *extra: str) -> tuple[str, str]:
    result = CliRunner().invoke(
        main, ["build", "--source", str(root), "--offline", *extra, *NOW_ARG]
    )
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def feed_ids(site: Path) -> dict[str, set[str]]:
    """The entry ids of every feed, by title, as feed readers read them: feedparser for
    Atom and RSS; for JSON Feed (feedparser 6.0 does not read it) salon's own reader."""
    found: dict[str, set[str]] = {}
    for name, version in (("feed.xml", "atom10"), ("rss.xml", "rss20")):
        parsed = feedparser.parse((site / name).read_bytes())
        assert parsed.version == version and not parsed.bozo, name
        for entry in parsed.entries:
            found.setdefault(entry.title, set()).add(entry.id)
    data = (site / "feed.json").read_bytes()
    json_feed = parse_feed(
        data, url="https://x.invalid/", content_type="application/feed+json", now=NOW
    )
    assert json_feed.format == "json11"
    for item in json_feed.entries:
        found.setdefault(item.title, set()).add(item.entry_id)
    return found


@pytest.fixture
def salon(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "salon",
        {
            "salon.toml": CONFIG.format(host="ada.example.org"),
            "content/notes/letters.md": LETTERS.format(day="2026-03-05"),
            "content/notes/garden.md": GARDEN,
            "content/shares/essay.md": SHARE,
        },
    )


FIRST = {
    "Letters": {"tag:ada.example.org,2026-03-05:notes/letters"},
    "The garden": {"tag:ada.example.org,2026-03-06:notes/garden"},
    "An essay": {"tag:ada.example.org,2026-03-07:shares/essay"},
}


def test_ids_stay_through_a_date_fix_a_move_a_rename_and_a_new_domain(salon: Path) -> None:
    build(salon)
    site = salon / "site"
    assert feed_ids(site) == FIRST  # as before the ledger: byte for byte the made ids
    ledger = json.loads((salon / ".salon/entry-ids.json").read_text(encoding="utf-8"))
    assert {n["id"] for n in ledger["notes"]} == {i for ids in FIRST.values() for i in ids}

    (salon / "content/notes/letters.md").write_text(LETTERS.format(day="2026-03-04"))
    _, err = build(salon)
    assert feed_ids(site) == FIRST and err == ""  # the date fixed

    (salon / "content/notes/2026").mkdir()
    (salon / "content/notes/garden.md").rename(salon / "content/notes/2026/garden.md")
    _, err = build(salon)
    assert feed_ids(site) == FIRST and err == ""  # moved into a folder

    (salon / "content/shares/essay.md").rename(salon / "content/shares/an-essay.md")
    _, err = build(salon)
    assert feed_ids(site) == FIRST and err == ""  # renamed (its URL changed too)
    assert (site / "shares/an-essay/index.html").exists()

    (salon / "salon.toml").write_text(CONFIG.format(host="ada.example.net"))
    _, err = build(salon)
    assert feed_ids(site) == FIRST and err == ""  # a new domain
    assert "https://ada.example.net/notes/letters/" in (site / "feed.xml").read_text()

    (salon / "content/notes/new.md").write_text("---\ntitle: New\ndate: 2026-11-01\n---\nHi.\n")
    build(salon)
    assert feed_ids(site) == FIRST | {"New": {"tag:ada.example.net,2026-11-01:notes/new"}}

    # what an incremental build wrote is what a clean one writes from the same salon
    clean = salon.parent / "clean"
    shutil.copytree(salon, clean, ignore=shutil.ignore_patterns("site", "engine-*", "manif*"))
    build(clean)
    for name in ("feed.xml", "rss.xml", "feed.json", "shares/feed.xml"):
        assert (clean / "site" / name).read_bytes() == (site / name).read_bytes(), name


def test_an_uncertain_match_is_a_warning_with_the_id_line_to_add(salon: Path) -> None:
    build(salon)
    (salon / "content/notes/letters.md").unlink()
    rewritten = "---\ntitle: Letters\ndate: 2026-03-09\n---\nAll new words.\n"
    (salon / "content/notes/on-letters.md").write_text(rewritten)
    _, err = build(salon)
    line = "id: tag:ada.example.org,2026-03-05:notes/letters"
    assert (
        "content/notes/on-letters.md:2: warning: this note may be content/notes/letters.md" in err
    )
    assert f"if it is content/notes/letters.md, add this line to its front matter: {line}" in err
    new = "tag:ada.example.org,2026-03-09:notes/on-letters"
    assert feed_ids(salon / "site")["Letters"] == {new}
    _, again = build(salon)  # up to date: the warning is said again
    assert "this note may be content/notes/letters.md" in again

    (salon / "content/notes/on-letters.md").write_text(
        rewritten.replace("---\n", f"---\n{line}\n", 1)
    )
    _, err = build(salon)
    assert err == ""
    assert feed_ids(salon / "site")["Letters"] == {line.removeprefix("id: ")}


def test_the_ledger_is_an_input_of_the_no_change_fast_path(salon: Path) -> None:
    build(salon)
    ledger = salon / ".salon/entry-ids.json"
    (salon / "content/notes/letters.md").rename(salon / "content/notes/2026-letters.md")
    build(salon)
    assert "up to date" in build(salon)[0]
    ledger.unlink()  # the ids are made anew from the files: the site must be built again
    out, _ = build(salon)
    assert "up to date" not in out
    assert feed_ids(salon / "site")["Letters"] == {
        "tag:ada.example.org,2026-03-05:notes/2026-letters"
    }


def test_drafts_builds_remember_nothing_and_a_damaged_ledger_is_left_alone(salon: Path) -> None:
    build(salon, "--drafts")
    assert not (salon / ".salon/entry-ids.json").exists()
    (salon / ".salon/entry-ids.json").write_text("{ not json")
    _, err = build(salon)
    assert ".salon/entry-ids.json: warning: cannot read the entry-id ledger" in err
    assert (salon / ".salon/entry-ids.json").read_text() == "{ not json"
    assert feed_ids(salon / "site") == FIRST


def test_a_preview_shows_the_ids_the_build_gives_and_remembers_nothing(
    salon: Path, tmp_path: Path
) -> None:
    from salon_gen.pipeline.engine import Engine

    preview = Engine(salon, tmp_path / "preview")
    preview.rebuild({}, now=NOW)
    assert not (salon / ".salon/entry-ids.json").exists()  # a preview publishes nothing
    build(salon)
    ledger = (salon / ".salon/entry-ids.json").read_bytes()
    moved = salon / "content/notes/2026/letters.md"
    moved.parent.mkdir()
    (salon / "content/notes/letters.md").rename(moved)
    moved.write_text(LETTERS.format(day="2026-03-04"))
    preview.rebuild({str(moved): "content"}, now=NOW)
    assert feed_ids(tmp_path / "preview") == FIRST
    assert (salon / ".salon/entry-ids.json").read_bytes() == ledger
